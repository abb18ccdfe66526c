"""Layouts of other publishers than Hindawi: the rules that brought the multipub set to parity.

PDFs are written here with fpdf2 (the ``test`` extra), each drawing one layout feature: a title
whose last line is set in another weight with a bracketed version note, a "Cite this article" line
as the only place the journal is named, and an unnumbered reference list whose entries end with
link labels and set their titles in small bold type, under two columns of back matter. The
abbreviation-aware journal match of the scorer is tested directly. A data test over
../shared/data/pdf/multipub skips without it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline import convert_bytes
from pipeline.readers import read_bytes
from pipeline.stages._pdf_header import pdf_header_spans
from repo_scripts import load_repo_module

fpdf = pytest.importorskip("fpdf", reason="fpdf2 (the test extra) writes the test PDFs")

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "pdf"


def _page(pdf):
    pdf.add_page()
    pdf.set_font("helvetica", size=9)


def _prose(pdf, x, y, lines, width_words=11):
    pdf.set_font("helvetica", size=9)
    for i in range(lines):
        pdf.text(x, y + 11 * i, " ".join(["prose"] * width_words) + f" {i}")


def _front_page(pdf, *, cite_line: bool) -> None:
    _page(pdf)
    pdf.set_font("helvetica", style="B", size=16)
    pdf.text(50, 80, "Longevity of Sharks in the Western North Atlantic Ocean Based on Tag-Recapture")
    pdf.set_font("helvetica", size=16)
    pdf.text(50, 98, "Data [v2; ref status: indexed, http://f1000r.es/x]")
    pdf.set_font("helvetica", size=11)
    pdf.text(50, 125, "Bryan S. Frazier, Glenn F. Ulrich")
    if cite_line:
        pdf.set_font("helvetica", size=9)
        pdf.text(50, 150, "Cite this article: Frazier BS et al. 2015 Longevity of sharks in the western North")
        pdf.text(50, 161, "Atlantic.R. Soc. open sci. 2: 150395.")
    pdf.set_font("helvetica", style="B", size=11)
    pdf.text(50, 200, "Introduction")
    _prose(pdf, 50, 220, 20)


def _labelled_references_page(pdf) -> None:
    """Two columns of back matter, then "References" and two columns of entries ending in link labels."""
    _page(pdf)
    for x in (50, 310):
        _prose(pdf, x, 60, 12, width_words=6)
    pdf.set_font("helvetica", size=8)
    pdf.text(50, 260, "References")
    entries = [
        ("Bishop SDH, Francis MP: Age, growth and", "longevity of the shortfin mako shark", "in New Zealand. Mar Res. 2006; 57: 143-154.", "Publisher Full Text"),
        ("Bonham K, Sanford FB: Biological studies of", "dogfish in the State of Washington State", "Department of Fisheries. 1949; 49: 83-114.", "Reference Source"),
        ("Carlson JK, Baremore IE: Changes in", "biological parameters of sharpnose sharks", "in the Gulf of Mexico. Mar Res. 2003; 54: 227.", "PubMed Abstract"),
        ("Fabens AJ: Properties and fitting of the", "Von Bertalanffy growth curve in fishes", "and sharks. Growth. 1965; 29: 265-89.", "Publisher Full Text"),
    ]
    for column, x in enumerate((60, 320)):
        y = 280
        for first, second, third, label in entries[2 * column : 2 * column + 2] * 2:
            for text, style in ((first, ""), (second, "B"), (third, ""), (label, "B")):
                pdf.set_font("helvetica", style=style, size=6)
                pdf.text(x, y, text)
                y += 7
            y += 3


def _pdf(*pages) -> bytes:
    pdf = fpdf.FPDF(unit="pt", format=(600, 800))
    pdf.set_auto_page_break(False)
    for page in pages:
        page(pdf)
    return bytes(pdf.output())


def test_title_line_in_another_weight_joins_the_title_without_its_version_note():
    record = convert_bytes(_pdf(lambda p: _front_page(p, cite_line=False)), "title.pdf")
    assert record["article"]["title"] == "Longevity of Sharks in the Western North Atlantic Ocean Based on Tag-Recapture Data"


def test_journal_from_a_cite_this_article_line():
    doc = read_bytes(_pdf(lambda p: _front_page(p, cite_line=True)), "cite.pdf")
    spans = pdf_header_spans(doc)
    values = {s.label: s.get("value") for s in spans if s.label in ("journal", "volume", "pages")}
    assert values == {"journal": "R. Soc. open sci", "volume": "2", "pages": "150395"}


def test_reference_entries_end_at_link_labels_across_columns_and_bold_titles():
    record = convert_bytes(_pdf(lambda p: _front_page(p, cite_line=False), _labelled_references_page), "refs.pdf")
    references = [c for c in record["citations"] if c["role"] == "reference"]
    texts = [record["text"][c["start"] : c["end"]] for c in references]
    assert len(references) == 8, texts
    assert texts[0].startswith("Bishop SDH") and texts[0].endswith("143-154.")
    assert not any("Full Text" in t or "Reference Source" in t or "PubMed Abstract" in t for t in texts)
    assert texts[4].startswith("Carlson JK")  # the right column's entries come after the left column's


def _scorer():
    return load_repo_module("eval/score_pdf.py")


@pytest.mark.parametrize(
    ("printed", "full", "same"),
    [
        ("Behav Ecol Sociobiol", "Behavioral Ecology and Sociobiology", True),
        ("R. Soc. open sci", "Royal Society Open Science", True),
        ("Journal of Biological Chemistry", "J Biol Chem", True),
        ("Proc Natl Acad Sci", "Proceedings of the National Academy of Sciences", True),
        ("Cell", "Cell Reports", False),
        ("Nature", "Science", False),
        ("Med J", "Medical Journal of Australia", False),
    ],
)
def test_scorer_journal_abbreviation_match(printed, full, same):
    assert _scorer().journal_iso4_match(printed, full) is same


def test_scorer_drops_generational_suffixes_from_family_names():
    scorer = _scorer()
    assert scorer.family_key("Driggers III") == scorer.family_key("Driggers") == "driggers"
    assert scorer.family_key("Jr") == "jr"  # a suffix alone is a name


def test_multipub_reference_counts_and_journals(shared_data=None):
    folder = DATA / "multipub"
    if not folder.exists():
        pytest.skip("needs ../shared/data/pdf/multipub (the development PDFs)")
    truths = {json.loads(line)["id"]: json.loads(line) for line in (folder / "ground_truth.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()}
    scorer = _scorer()
    for ident in ("PMC4632522", "f1000research_3-190"):
        truth = truths[ident]
        record = convert_bytes((folder / truth["pdf"]).read_bytes(), truth["pdf"])
        count = sum(1 for c in record["citations"] if c["role"] == "reference")
        assert abs(count - truth["n_references"]) <= 0.1 * truth["n_references"], (ident, count)
        assert scorer.journal_iso4_match(record["article"]["journal"], truth["journal"]), (ident, record["article"]["journal"])
        assert scorer.norm(record["article"]["title"]) == scorer.norm(truth["title"])
