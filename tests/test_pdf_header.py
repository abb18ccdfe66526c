"""Header metadata of PDF articles read from the first page's layout (pipeline.stages._pdf_header).

The PDFs are written here with fpdf2 (the ``test`` extra): a Hindawi-like masthead with numeric
superscript markers, and a page with letter markers, a running citation line and labelled dates.
Superscripts are drawn as smaller raised text, as typesetters do, so the reader flattens them into
the byline exactly as it does for real articles. A data test over ../shared/data skips without it.
"""

from __future__ import annotations

import json

import pytest

from pipeline import convert_bytes
from pipeline.document import Document, Source
from pipeline.layers import METADATA
from pipeline.readers import read_bytes
from pipeline.stages._pdf_header import _parse_byline, _valid_person, pdf_header_spans
from pipeline.stages.metadata import extract_metadata

fpdf = pytest.importorskip("fpdf", reason="fpdf2 (the test extra) writes the test PDFs")


def _write_with_markers(pdf, x: float, y: float, pieces: list[tuple[str, str]], size: float = 12) -> None:
    """Write ``(text, superscript)`` pieces on one line; superscripts smaller and raised."""
    for text, marker in pieces:
        pdf.set_font("helvetica", size=size)
        pdf.text(x, y, text)
        x += pdf.get_string_width(text)
        if marker:
            pdf.set_font("helvetica", size=size * 0.55)
            pdf.text(x + 0.5, y - size * 0.4, marker)
            x += pdf.get_string_width(marker) + 1
        pdf.set_font("helvetica", size=size)
        x += pdf.get_string_width(" ")


def _body(pdf, y: float) -> None:
    pdf.set_font("helvetica", style="B", size=12)
    pdf.text(50, y, "1. Introduction")
    pdf.set_font("helvetica", size=10)
    for i in range(8):
        pdf.text(50, y + 20 + 12 * i, f"Body text of the introduction goes on here in line {i + 1} of the page.")


def _hindawi_like_pdf() -> bytes:
    pdf = fpdf.FPDF(unit="pt", format=(600, 800))
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_font("helvetica", size=8)
    pdf.text(50, 50, "Kestrel Publishing Corporation")
    pdf.text(50, 60, "Case Reports in Testing")
    pdf.text(50, 70, "Volume 2016, Article ID 8206826, 5 pages")
    pdf.set_font("helvetica", style="B", size=18)
    pdf.text(50, 130, "Careful Reading of Bylines With Markers")
    _write_with_markers(pdf, 86, 170, [("Nasser M. Al-Daghri,", "1,2"), ("Andrea S. Costa,", "3"), ("and", ""), ("Jane Smith", "1")])
    affiliations = ["Department of Biochemistry, King Saud University, Riyadh, Saudi Arabia", "Institute of Testing, University of Padua, Padua, Italy", "Centre for Layout, University of Leeds, Leeds, UK"]
    for number, line in enumerate(affiliations, start=1):
        y = 190 + 12 * number
        pdf.set_font("helvetica", size=6)
        pdf.text(86, y - 3, str(number))
        pdf.set_font("helvetica", size=9)
        pdf.text(90, y, line)
    pdf.text(86, 250, "Received 24 March 2015; Accepted 16 June 2015")
    pdf.text(86, 265, "Copyright (c) 2016 Nasser M. Al-Daghri et al. This is an open access article.")
    abstract = [
        "Bylines in typeset articles carry superscript markers that a text extractor flattens into digits after",
        "the names, and the affiliations below them start with the same markers, which this test checks with",
        "a page drawn the way publishers draw their first pages, so the parser is tried on the real shape.",
    ]
    for i, line in enumerate(abstract):
        pdf.text(86, 285 + 11 * i, line)
    _body(pdf, 360)
    return bytes(pdf.output())


def _letter_marker_pdf() -> bytes:
    pdf = fpdf.FPDF(unit="pt", format=(600, 800))
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_font("helvetica", size=8)
    pdf.text(50, 45, "Journal of Layout Studies 2012; 3(2): 101-110")
    pdf.set_font("helvetica", style="B", size=18)
    pdf.text(50, 110, "Letters as Affiliation Markers")
    _write_with_markers(pdf, 50, 140, [("Anna Smith", "a,b"), (",", ""), ("Bruno Jones", "b,c")], size=11)
    pdf.set_font("helvetica", size=8)
    for letter, line, y in (("a", "Department of Physics, University of Bath, Bath, UK", 165), ("b", "Institute of Optics, University of Rochester, Rochester, NY, USA", 176), ("c", "School of Medicine, University of Oslo, Oslo, Norway", 187)):
        pdf.set_font("helvetica", size=5)
        pdf.text(50, y - 3, letter)
        pdf.set_font("helvetica", size=8)
        pdf.text(54, y, line)
    pdf.text(50, 205, "Received 2 January 2012; Published 3 June 2012")
    pdf.set_font("helvetica", size=9)
    pdf.text(50, 230, "Abstract: We test that letter markers link authors to their affiliations in a layout")
    pdf.text(50, 241, "where the markers are lower-case letters glued to the names, as typesetters place them.")
    pdf.text(50, 260, "Keywords: bylines; superscripts; affiliations")
    _body(pdf, 300)
    return bytes(pdf.output())


def _spans(data: bytes, name: str) -> tuple[Document, list]:
    doc = read_bytes(data, name)
    return doc, pdf_header_spans(doc)


def _field(spans, label):
    return [s.get("value") for s in spans if s.label == label]


def test_pdf_header_reads_numeric_superscript_byline():
    doc, spans = _spans(_hindawi_like_pdf(), "hindawi.pdf")
    authors = [s for s in spans if s.label == "author"]
    assert [(a.get("given"), a.get("family")) for a in authors] == [("Nasser M.", "Al-Daghri"), ("Andrea S.", "Costa"), ("Jane", "Smith")]
    assert all(doc.text[a.start : a.end] == a.get("name") for a in authors)


def test_pdf_header_links_affiliations_by_marker():
    _, spans = _spans(_hindawi_like_pdf(), "hindawi.pdf")
    affiliations = {s.get("family"): list(s.get("affiliations")) for s in spans if s.label == "author"}
    assert affiliations["Al-Daghri"] == ["Department of Biochemistry, King Saud University, Riyadh, Saudi Arabia", "Institute of Testing, University of Padua, Padua, Italy"]
    assert affiliations["Costa"] == ["Centre for Layout, University of Leeds, Leeds, UK"]
    assert affiliations["Smith"] == ["Department of Biochemistry, King Saud University, Riyadh, Saudi Arabia"]


def test_pdf_header_reads_masthead_journal_volume_and_year():
    doc, spans = _spans(_hindawi_like_pdf(), "hindawi.pdf")
    assert _field(spans, "journal") == ["Case Reports in Testing"]
    assert _field(spans, "publisher") == ["Kestrel Publishing Corporation"]
    assert _field(spans, "volume") == ["2016"]
    assert _field(spans, "published") == ["2016"]  # the masthead's volume year: no "Published" date is printed
    abstract = next(s for s in spans if s.label == "abstract")
    assert doc.text[abstract.start : abstract.end].startswith("Bylines in typeset articles")


def test_pdf_header_reads_letter_markers_citation_line_and_dates():
    doc, spans = _spans(_letter_marker_pdf(), "letters.pdf")
    authors = {s.get("family"): list(s.get("affiliations")) for s in spans if s.label == "author"}
    assert list(authors) == ["Smith", "Jones"]
    assert authors["Smith"] == ["Department of Physics, University of Bath, Bath, UK", "Institute of Optics, University of Rochester, Rochester, NY, USA"]
    assert authors["Jones"] == ["Institute of Optics, University of Rochester, Rochester, NY, USA", "School of Medicine, University of Oslo, Oslo, Norway"]
    assert (_field(spans, "journal"), _field(spans, "volume"), _field(spans, "issue"), _field(spans, "pages")) == (["Journal of Layout Studies"], ["3"], ["2"], ["101-110"])
    assert _field(spans, "published") == ["2012-06-03"]  # the labelled date beats the citation line's year
    assert _field(spans, "keyword") == ["bylines", "superscripts", "affiliations"]
    abstract = next(s for s in spans if s.label == "abstract")
    assert doc.text[abstract.start : abstract.end].startswith("We test that letter markers")


def test_pdf_header_fields_reach_the_record():
    article = convert_bytes(_hindawi_like_pdf(), "hindawi.pdf")["article"]
    assert [a["family"] for a in article["authors"]] == ["Al-Daghri", "Costa", "Smith"]
    assert (article["journal"], article["volume"], article["published"]) == ("Case Reports in Testing", "2016", "2016")


def test_pdf_header_leaves_documents_without_layout_alone():
    doc = Document("Title\n\nBy Ann Author\n", Source(path="a.txt", media_type="text/plain", sha256="0", bytes=1, encoding="utf-8", pages=None))
    assert pdf_header_spans(doc) == []
    assert [s.label for s in extract_metadata(doc)[METADATA] if s.label == "author"] == ["author"]


@pytest.mark.parametrize(
    ("byline", "families"),
    [
        ("Nasser M. Al-Daghri,1,2 Andrea S. Costa,3 and J. Smith1", ["Al-Daghri", "Costa", "Smith"]),
        ("A. Smith a,b, B. Jones c,*", ["Smith", "Jones"]),
        ("Kelly J. Robinson1 & Sean D. Twiss 2 & Neil Hazon3", ["Robinson", "Twiss", "Hazon"]),
        ("Qurat ul Ain Merchant,1 Basit Salam,2 and Gohar Javed3", ["Merchant", "Salam", "Javed"]),
        ("Ross Barnett1,9*, Simon YW Ho4", ["Barnett", "Ho"]),
        ("Anna Smitha,b, Bruno Jonesc", ["Smith", "Jonesc"]),  # one glued letter alone cannot be told from the name
    ],
)
def test_pdf_header_byline_parser_splits_names_from_markers(byline, families):
    people = _parse_byline(byline, 0)
    assert people is not None and all(_valid_person(byline, p) for p in people)
    assert [byline[p.words[-1][0] : p.words[-1][1]] for p in people] == families


@pytest.mark.parametrize("line", ["Received 24 March 2015; Accepted 16 June 2015", "Department of Pediatrics, University of Rochester", "Correspondence should be addressed to Nina Schor"])
def test_pdf_header_byline_parser_refuses_other_lines(line):
    people = _parse_byline(line, 0)
    assert people is None or not all(_valid_person(line, p) for p in people)


def test_pdf_header_on_real_articles(shared_data):
    """A few development PDFs of three layouts: authors, journal and year as the JATS gives them."""
    checked = 0
    for corpus, wanted in (("hindawi", 3), ("multipub", 3)):
        folder = shared_data / "pdf" / corpus
        truths = [json.loads(line) for line in (folder / "ground_truth.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
        for truth in [t for t in truths if t.get("pdf")][:wanted]:
            doc = read_bytes((folder / truth["pdf"]).read_bytes(), truth["pdf"])
            spans = pdf_header_spans(doc)
            families = [s.get("family") for s in spans if s.label == "author"]
            gold = [a["family"] for a in truth["authors"]]
            assert len(set(families) & set(gold)) >= 0.8 * len(set(gold)), (truth["id"], families, gold)
            published = _field(spans, "published")
            assert published and int(published[0][:4]) in truth["years"], (truth["id"], published)
            if corpus == "hindawi":
                assert _field(spans, "journal") == [truth["journal"]]
            checked += 1
    assert checked == 6
