"""Tests of the citations stage: subject study, reference lists, in-text markers, name splitting.

Documents are written by hand in several layouts (explainer blocks, news prose, Markdown with a
numbered Vancouver list, APA with author-year markers, no citations at all); the seed is checked
against the issue's bar; reference parsing is measured on real JATS reference lists when
../shared/data is present.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from pipeline import layers as L
from pipeline.document import Document, thaw
from pipeline.readers import read_bytes
from pipeline.stages._names import initials, split_author_list, split_name
from pipeline.stages._refparse import parse_reference
from pipeline.stages.citations import extract_citations
from pipeline.stages.metadata import extract_metadata
from pipeline.stages.sections import detect_sections

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
SEED = ROOT / "samples" / "ketamine-psychedelics-explainer.txt"


def run(text: str, name: str = "x.txt") -> tuple[Document, list, list]:
    """Read ``text`` and run the stages the citations stage depends on, then the stage itself."""
    doc = read_bytes(text.encode("utf-8"), name)
    for stage in (detect_sections, extract_metadata):
        doc = doc.with_layers(stage(doc))
    doc = doc.with_layers(extract_citations(doc))
    citations = [dict(thaw(s.attrs), role=s.label, start=s.start, end=s.end) for s in doc.layer(L.CITATIONS)]
    warnings = [w for w in doc.layer(L.WARNINGS) if w.label.startswith("citation")]
    return doc, citations, warnings


def evidence_texts(doc: Document, citation: dict, field: str) -> list[str]:
    return [doc.text[e["start"] : e["end"]] for e in citation["evidence"] if e["field"] == field]


# ----------------------------------------------------------------------------- the seed


@pytest.fixture(scope="module")
def seed():
    if not SEED.exists():
        pytest.skip("samples/ketamine-psychedelics-explainer.txt not found")
    return run(SEED.read_text(encoding="utf-8"))


def test_citations_seed_has_one_subject_with_the_study_fields(seed):
    _, citations, _ = seed
    subjects = [c for c in citations if c["role"] == "subject"]
    assert len(subjects) == 1
    study = subjects[0]
    assert study["title"] == "Ketamine and serotonergic psychedelics: common mechanisms for rapid antidepressant effects"
    assert study["journal"] == "Nature Reviews Drug Discovery"
    assert study["year"] == 2022
    assert [(a["family"], a["given"]) for a in study["authors"]] == [("Duman", "RS"), ("Duman", "MA")]
    assert not [c for c in citations if c["role"] == "reference"]


def test_citations_seed_main_span_is_the_citation_line(seed):
    doc, citations, _ = seed
    study = citations[0]
    assert doc.text[study["start"] : study["end"]] == study["raw"]
    assert study["raw"].startswith("Duman RS, Duman MA, et al. (2022)")


@pytest.mark.parametrize(
    "line_start, field",
    [
        ("Ketamine and serotonergic psychedelics: common", "title"),  # first line repeats the title
        ('"Ketamine and serotonergic', "title"),  # the "Study Title:" block
        ("📄 Published in", "journal"),
        ("🔗 Read it on PubMed", "url"),
        ("👩⚕️ Authors:", "authors"),
        ("Citation:", "raw"),
        ("A 2022 article published", "journal"),
        ("A 2022 article published", "title"),
        ("Link: PubMed Abstract", "url"),
    ],
)
def test_citations_seed_has_evidence_for_every_mention(seed, line_start, field):
    doc, citations, _ = seed
    line = next(m for m in re.finditer(r"^.*$", doc.text, re.M) if m.group(0).startswith(line_start))
    inside = [e for e in citations[0]["evidence"] if e["field"] == field and line.start() <= e["start"] and e["end"] <= line.end()]
    assert inside, f"no {field} evidence on the line starting {line_start!r}"


def test_citations_seed_warns_that_author_order_differs(seed):
    doc, _, warnings = seed
    assert len(warnings) == 1
    warning = warnings[0]
    assert warning.label == "citation-disagreement"
    assert warning.get("located") is True
    assert "order" in warning.get("message")
    assert doc.text[warning.start : warning.end].startswith("Michael A. Duman, Ronald S. Duman")


# ----------------------------------------------------------------------------- subject studies


SOURCE_STUDY = """Psilocybin Shows Promise for Hard-to-Treat Depression
By Jane Writer
Published: March 3, 2021

Source study: Smith J, et al. Psilocybin for depression. JAMA Psychiatry. 2021;78(5):481-489. doi:10.1001/jamapsychiatry.2020.3285

A randomized trial published in JAMA Psychiatry found that two doses of psilocybin reduced symptoms.
The authors (Smith et al., 2021) call for larger trials.
"""


def test_citations_source_study_line_gives_a_full_subject():
    doc, citations, warnings = run(SOURCE_STUDY)
    assert len(citations) == 1 and not warnings
    study = citations[0]
    assert study["role"] == "subject"
    assert (study["title"], study["journal"], study["year"]) == ("Psilocybin for depression", "JAMA Psychiatry", 2021)
    assert (study["volume"], study["issue"], study["pages"]) == ("78", "5", "481-489")
    assert study["doi"] == "10.1001/jamapsychiatry.2020.3285"
    assert study["authors"][0]["family"] == "Smith"
    assert evidence_texts(doc, study, "marker") == ["Smith et al., 2021"]
    assert len(evidence_texts(doc, study, "journal")) == 2  # the citation and the prose


@pytest.mark.parametrize(
    "text, journal",
    [
        ("A common virus may cause multiple sclerosis, according to a study published Monday in the journal Nature Medicine. The team followed 10 million adults.\n", "Nature Medicine"),
        ("Astronomers found water vapour, a study in Nature Astronomy reports.\n", "Nature Astronomy"),
        ("According to a new study in The Lancet Psychiatry, sleep loss raises risk.\n", "The Lancet Psychiatry"),
        ("The findings were published in the journal PLOS ONE on Tuesday.\n", "PLOS ONE"),
    ],
)
def test_citations_prose_names_the_subject_journal(text, journal):
    doc, citations, _ = run(text)
    assert [c["journal"] for c in citations] == [journal]
    assert citations[0]["role"] == "subject" and citations[0]["title"] is None


@pytest.mark.parametrize(
    "text",
    [
        "We moved to a study in Canada last year.\n",  # a place, not a journal
        "Authors: Jane Doe, John Roe\nPublished: 2024-01-02\n\nA note about gardening.\n",  # a byline is no study
        "DOI: 10.1234/abcd.5678\nPMID: 12345\n\nThe article's own identifiers.\n",
    ],
)
def test_citations_weak_cues_alone_make_no_subject(text):
    _, citations, _ = run(text)
    assert citations == []


def test_citations_year_disagreement_between_mentions_warns():
    text = (
        'Study Title: "Lithium and suicide prevention in mood disorders"\n'
        "Published in BMJ, 2013\n"
        "\n"
        "Body text about the study.\n"
        "\n"
        "Citation: Cipriani A, Hawton K, et al. (2012). Lithium and suicide prevention in mood disorders. BMJ, 346, f3646.\n"
    )
    doc, citations, warnings = run(text)
    assert len(citations) == 1
    assert citations[0]["year"] == 2012  # the formal citation wins
    assert [w.get("message").split(";")[0] for w in warnings] == ["subject-1: the year differs"]
    assert doc.text[warnings[0].start : warnings[0].end] == "2013"


def test_citations_two_different_studies_stay_apart():
    text = (
        "Citation: Smith J, Doe A. Sleep and memory. Nat Neurosci. 2019;22(3):1-9.\n"
        "\n" * 5
        + "Citation: Lee K, Park S. Exercise and mood. JAMA Psychiatry. 2020;77(1):10-19.\n"
    )
    _, citations, warnings = run(text)
    assert [c["title"] for c in citations] == ["Sleep and memory", "Exercise and mood"]
    assert not warnings


# ----------------------------------------------------------------------------- reference lists and markers


MARKDOWN = """# Ketamine for depression: a short review

Ketamine acts on NMDA receptors [1]. Its rapid effects need AMPA signalling [2, 3]. Later work confirmed this [1-3].
Figure (2) shows nothing, and [7] is missing.

## Methods

1. We searched PubMed.
2. We screened titles.

## References

1. Zarate CA, Singh JB, Carlson PJ, et al. A randomized trial of an N-methyl-D-aspartate antagonist in treatment-resistant major depression. Arch Gen Psychiatry. 2006;63(8):856-64. doi:10.1001/archpsyc.63.8.856 PMID: 16894061
2. Maeng S, Zarate CA Jr, Du J, et al. Cellular mechanisms underlying the antidepressant effects of ketamine. Biol Psychiatry. 2008;63(4):349-52.
3. Li N, Lee B, Liu RJ, et al. mTOR-dependent synapse formation underlies the rapid antidepressant effects of NMDA antagonists. Science. 2010;329(5994):959-64.
"""


def test_citations_markdown_numbered_references_are_parsed():
    doc, citations, _ = run(MARKDOWN, "x.md")
    refs = [c for c in citations if c["role"] == "reference"]
    assert [r["key"] for r in refs] == ["ref-1", "ref-2", "ref-3"]
    first = refs[0]
    assert first["journal"] == "Arch Gen Psychiatry" and first["year"] == 2006
    assert (first["volume"], first["issue"], first["pages"]) == ("63", "8", "856-64")
    assert (first["doi"], first["pmid"]) == ("10.1001/archpsyc.63.8.856", "16894061")
    assert [a["family"] for a in first["authors"]] == ["Zarate", "Singh", "Carlson"]
    assert first["raw"].startswith("Zarate CA") and doc.text[first["start"] : first["end"]] == first["raw"]
    assert refs[2]["title"].startswith("mTOR-dependent synapse formation")


def test_citations_bracket_markers_link_to_entries():
    doc, citations, warnings = run(MARKDOWN, "x.md")
    markers = {c["key"]: evidence_texts(doc, c, "marker") for c in citations}
    assert markers == {"ref-1": ["1", "1-3"], "ref-2": ["2", "1-3"], "ref-3": ["3", "1-3"]}
    assert [w.label for w in warnings] == ["citation-marker-unresolved"]  # [7]


APA = """Sleep and memory

Sleep helps memory consolidation (Walker & Stickgold, 2004; Diekelmann, 2010). Walker and Stickgold (2004) argued that sleep is active. Others agree (Rasch et al., 2013), unlike (Nobody et al., 2001).

References
Diekelmann, S., & Born, J. (2010). The memory function of sleep. Nature Reviews Neuroscience, 11(2), 114–126. https://doi.org/10.1038/nrn2762
Rasch, B., & Born, J. (2013). About sleep's role in memory. Physiological Reviews, 93(2), 681–766. https://doi.org/10.1152/physrev.00032.2012
Walker, M. P., & Stickgold, R. (2004). Sleep-dependent learning and memory consolidation. Neuron, 44(1), 121–133.
"""


def test_citations_apa_list_and_author_year_markers():
    doc, citations, _ = run(APA)
    assert [(c["authors"][0]["family"], c["year"], c["journal"]) for c in citations] == [
        ("Diekelmann", 2010, "Nature Reviews Neuroscience"),
        ("Rasch", 2013, "Physiological Reviews"),
        ("Walker", 2004, "Neuron"),
    ]
    assert citations[0]["doi"] == "10.1038/nrn2762"
    assert citations[2]["authors"][0]["given"] == "M. P."
    markers = [evidence_texts(doc, c, "marker") for c in citations]
    assert markers == [["Diekelmann, 2010"], ["Rasch et al., 2013"], ["Walker & Stickgold, 2004", "Walker and Stickgold (2004)"]]


def test_citations_trailing_numbered_block_without_heading():
    text = (
        "Lithium remains the standard for bipolar disorder (1). Monitoring matters (2).\n\n"
        "1) Geddes JR, Miklowitz DJ. Treatment of bipolar disorder. Lancet. 2013;381(9878):1672-82.\n"
        "2) Malhi GS, Tanious M, Das P, et al. The science and practice of lithium therapy. Aust N Z J Psychiatry. 2012;46(3):192-211.\n"
    )
    doc, citations, _ = run(text)
    assert [(c["key"], c["year"]) for c in citations] == [("ref-1", 2013), ("ref-2", 2012)]
    assert [evidence_texts(doc, c, "marker") for c in citations] == [["1"], ["2"]]


@pytest.mark.parametrize(
    "text",
    [
        "Ten tips for a calmer morning\n\n1. Wake up at the same time (1) each day.\n2. Drink water.\n",
        "In 2019 we moved, and (2022) was a good year. See [1] for nothing.\n",
        "Plain prose about ketamine and the brain, with no sources at all.\n",
    ],
)
def test_citations_none_in_texts_without_citations(text):
    _, citations, warnings = run(text)
    assert citations == [] and warnings == []


def test_citations_output_is_deterministic():
    first = extract_citations(read_bytes(MARKDOWN.encode(), "x.md"))
    second = extract_citations(read_bytes(MARKDOWN.encode(), "x.md"))
    assert first == second


# ----------------------------------------------------------------------------- names and reference strings


@pytest.mark.parametrize(
    "name, given, family",
    [
        ("Duman RS", "RS", "Duman"),
        ("Michael A. Duman", "Michael A.", "Duman"),
        ("Smith, J.", "J.", "Smith"),
        ("van der Berg AB", "AB", "van der Berg"),
        ("Ludwig van Beethoven", "Ludwig", "van Beethoven"),
        ("Asselin-Labat M. L", "M. L", "Asselin-Labat"),
        ("Cansino Alcaide JR", "JR", "Cansino Alcaide"),
        ("Miller ER3rd", "ER", "Miller"),
        ("WHO Study Group", None, None),
    ],
)
def test_names_split_name(name, given, family):
    person = split_name(name)
    assert (person["given"], person["family"], person["name"]) == (given, family, name)


@pytest.mark.parametrize(
    "text, families",
    [
        ("Duman RS, Duman MA, et al.", ["Duman", "Duman"]),
        ("Smith, J. A., Lee, K., & Park, S.", ["Smith", "Lee", "Park"]),
        ("Michael A. Duman and Ronald S. Duman", ["Duman", "Duman"]),
        ("Zoller SD; Hammersmith RL; et al", ["Zoller", "Hammersmith"]),
    ],
)
def test_names_split_author_list_drops_et_al(text, families):
    authors = split_author_list(text)
    assert [p["family"] for _, _, p in authors] == families
    assert all(text[s:e] == p["name"] for s, e, p in authors)


def test_names_initials_compare_across_styles():
    assert initials("Michael A.") == initials("M. A.") == initials("MA") == "MA"


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "Smith J, Doe A. Title of the work. J Neurosci. 2019;39(4):123-9. doi:10.1523/JNEUROSCI.1234-18.2019 PMID: 12345",
            {"title": "Title of the work", "journal": "J Neurosci", "year": 2019, "volume": "39", "issue": "4", "pages": "123-9", "doi": "10.1523/JNEUROSCI.1234-18.2019", "pmid": "12345"},
        ),
        (
            "Smith, J., & Doe, A. (2019). Title of the work. Journal of Neuroscience, 39(4), 123–129. https://doi.org/10.1523/JNEUROSCI.1234-18.2019",
            {"title": "Title of the work", "journal": "Journal of Neuroscience", "year": 2019, "volume": "39", "issue": "4", "pages": "123–129", "doi": "10.1523/JNEUROSCI.1234-18.2019"},
        ),
        (
            "[2] Prescott DM (1994) The DNA of ciliated protozoa. Microbiol Rev 58: 233–267.",
            {"title": "The DNA of ciliated protozoa", "journal": "Microbiol Rev", "year": 1994, "volume": "58", "pages": "233–267"},
        ),
        ("Duman RS, Duman MA, et al. (2022). Nature Reviews Drug Discovery.", {"title": None, "journal": "Nature Reviews Drug Discovery", "year": 2022}),
        ("Lee, K. (2020). Why do we sleep? Sleep Research, 12, 1-10.", {"title": "Why do we sleep?", "journal": "Sleep Research", "year": 2020}),
    ],
)
def test_refparse_reads_common_styles(text, expected):
    parsed = parse_reference(text)
    assert {k: parsed.value(k) for k in expected} == expected
    for name, (value, start, end) in parsed.fields.items():
        assert text[start:end] == str(value), name


# ----------------------------------------------------------------------------- real reference lists


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _flatten(element: ET.Element) -> str:
    """Text of a JATS element; a space goes between surname and given names, which JATS omits."""
    parts: list[str] = []

    def walk(node: ET.Element) -> None:
        if _local(node.tag) == "given-names":
            parts.append(" ")
        parts.append(node.text or "")
        for child in node:
            walk(child)
            parts.append(child.tail or "")

    walk(element)
    return " ".join("".join(parts).split())


def _child(element: ET.Element, name: str) -> str | None:
    found = [_flatten(c) for c in element if _local(c.tag) == name]
    return found[0] if found else None


def _vancouver(element: ET.Element) -> str:
    """Render a JATS <element-citation> (tags, no punctuation) as a Vancouver string."""
    names = []
    for name in element.iter():
        if _local(name.tag) == "name":
            surname = "".join(c.text or "" for c in name if _local(c.tag) == "surname")
            given = "".join(c.text or "" for c in name if _local(c.tag) == "given-names")
            names.append(f"{surname} {re.sub(r'[^A-Z]', '', given)}".strip())
    text = ", ".join(names) + (", et al" if any(_local(n.tag) == "etal" for n in element.iter()) else "") + ". "
    for part in ("article-title", "source"):
        if _child(element, part):
            text += _child(element, part).rstrip(".") + ". "
    text += _child(element, "year") or ""
    if _child(element, "volume"):
        text += ";" + _child(element, "volume")
    if _child(element, "issue"):
        text += f"({_child(element, 'issue')})"
    if _child(element, "fpage"):
        text += ":" + _child(element, "fpage") + ("-" + _child(element, "lpage") if _child(element, "lpage") else "")
    text += "."
    for pub_id in element:
        if _local(pub_id.tag) == "pub-id" and pub_id.get("pub-id-type") == "doi" and pub_id.text:
            text += " doi:" + pub_id.text.strip()
    return text


def _has_punctuation(element: ET.Element) -> bool:
    return any((child.tail or "").strip() for child in element)


def _truth(element: ET.Element) -> tuple[str | None, int | None, str | None]:
    family = next(((n.text or "").strip() for n in element.iter() if _local(n.tag) == "surname"), None)
    year_text = next((n.text or "" for n in element.iter() if _local(n.tag) == "year"), "")
    year = re.search(r"\d{4}", year_text)
    doi = next(((n.text or "").strip() for n in element.iter() if _local(n.tag) == "pub-id" and n.get("pub-id-type") == "doi"), None)
    return family, int(year.group()) if year else None, doi


def _jats_entries(path: Path) -> list[tuple[str, tuple]]:
    root = ET.parse(path).getroot()
    entries = []
    for ref in root.iter():
        if _local(ref.tag) != "ref":
            continue
        citation = next((c for c in ref if _local(c.tag) in ("mixed-citation", "element-citation")), None)
        if citation is None:
            continue
        raw = _flatten(citation) if _local(citation.tag) == "mixed-citation" and _has_punctuation(citation) else _vancouver(citation)
        if re.search(r"[A-Za-z]{3}", raw):
            entries.append((raw, _truth(citation)))
    return entries


def test_citations_real_jats_reference_lists_are_split_and_parsed():
    folders = [DATA / "jats" / "plos" / "xml", DATA / "jats" / "elife" / "xml", DATA / "jats" / "pmc" / "xml"]
    files = [p for folder in folders if folder.is_dir() for p in sorted(folder.glob("*.*ml"))[:12]]
    if not files:
        pytest.skip(f"../shared/data not found: no JATS XML under {DATA / 'jats'}")
    total = split = 0
    checks = {"year": [0, 0], "doi": [0, 0], "family": [0, 0]}
    for path in files:
        entries = _jats_entries(path)
        if not entries:
            continue
        text = "Body text [1].\n\nReferences\n" + "".join(f"{i}. {raw}\n" for i, (raw, _) in enumerate(entries, 1))
        doc = read_bytes(text.encode("utf-8"), "x.txt")
        found = {s.get("key"): s for s in extract_citations(doc)[L.CITATIONS]}
        for number, (raw, (family, year, doi)) in enumerate(entries, 1):
            total += 1
            span = found.get(f"ref-{number}")
            if span is None or span.text_in(doc.text) != raw:
                continue
            split += 1
            authors = span.get("authors")
            for name, want, got in (("year", year, span.get("year")), ("doi", doi and doi.lower(), (span.get("doi") or "").lower() or None), ("family", family, authors[0]["family"] if authors else None)):
                if want:
                    checks[name][1] += 1
                    checks[name][0] += want == got
    assert total > 100
    rates = {name: ok / max(1, n) for name, (ok, n) in checks.items()}
    print(f"JATS references: {split}/{total} split; " + ", ".join(f"{k} {checks[k][0]}/{checks[k][1]}" for k in checks))
    assert split / total >= 0.98
    assert rates["year"] >= 0.97 and rates["family"] >= 0.95 and rates["doi"] >= 0.95


# --- reference lists broken by PDF debris -------------------------------------------------------------

PDF_DEBRIS_REFERENCES = """Results

The effect held.

References

[1] H. B. El-Serag, "Hepatocellular carcinoma," The New England Journal of Medicine, vol. 365, no. 12, pp. 1118-1127, 2011.
[2] A. S. F. Lok, "Hepatitis B: liver fibrosis and hepatocellular carcinoma," Gastroenterologie Clinique et Biologique

\u00b4

, vol. 33, no. 10-11, pp. 911-915, 2009.
[3] A.

Enzs oly, A. Szab antor et al., "Pathologic alterations of the outer retina," Investigative Ophthalmology and Visual Science, vol. 55, pp. 3686-3699, 2014.
[4] P. Sun and Q. Zheng, "Nucleotide analogues after curative treatment," PLoS ONE, vol. 9, no. 7, 2014.
"""


def test_citations_numbered_list_survives_stray_glyph_lines_and_wrapped_entries():
    _, citations, _ = run(PDF_DEBRIS_REFERENCES)
    references = sorted((c for c in citations if c["role"] == "reference"), key=lambda c: c["start"])
    assert [c.get("year") for c in references] == [2011, 2009, 2014, 2014]
    assert "vol. 33" in references[1]["raw"] and "Enzs oly" in references[2]["raw"]


def test_citations_year_in_parentheses_is_not_an_entry_number():
    text = (
        "References\n\nAnacker AMJ, Beery AK (2013) Life in groups. Front Behav Neurosci 7:185\n\n"
        "Ferguson JN, Young LJ, Insel TR\n(2000) Social amnesia in mice lacking the oxytocin gene. Nat Genet 25:284-288\n"
        "Fisher J (1954) Evolution and bird sociality. Allen and Unwin, London, pp 71-83\n"
    )
    _, citations, _ = run(text)
    references = [c for c in citations if c["role"] == "reference"]
    assert all(c.get("key") != "2000" for c in references)
    assert sorted(c.get("year") for c in references if c.get("year")) == [1954, 2013]
