"""Citations in news stories and explainers: prose that names a journal, and links to the study."""

from __future__ import annotations

import pytest

from pipeline.layers import CITATIONS
from pipeline.readers.html import read_html_bytes
from pipeline.readers.text import read_text_bytes
from pipeline.stages._scholarly_links import classify
from pipeline.stages.citations import extract_citations

FILLER = "Ketamine blocks NMDA receptors and, within hours, raises synapse formation in the prefrontal cortex of adult mice. "


def subjects_of_text(text: str) -> list:
    doc = read_text_bytes(text.encode(), path="story.txt", media_type="text/plain")
    return [s for s in extract_citations(doc)[CITATIONS] if s.label == "subject"]


def subjects_of_page(body: str) -> tuple[list, str]:
    html = f"<html><head><title>Story</title></head><body><article><p>{FILLER * 2}</p>{body}<p>{FILLER}</p></article></body></html>"
    doc = read_html_bytes(html.encode(), path="story.html")
    return [s for s in extract_citations(doc)[CITATIONS] if s.label == "subject"], doc.text


@pytest.mark.parametrize(
    "sentence, journal",
    [
        ("The findings were published in the journal Nature Medicine on Monday.", "Nature Medicine"),
        ("Ketamine works within hours, according to a study in JAMA Psychiatry.", "JAMA Psychiatry"),
        ("In a paper published Monday in Cell, researchers showed that psilocybin regrows dendrites.", "Cell"),
        ("Doctors described the patient in a case report in BMJ Case Reports last year.", "BMJ Case Reports"),
        ("The results, published in The Lancet Psychiatry, suggest a lasting benefit.", "The Lancet Psychiatry"),
    ],
)
def test_citations_web_prose_names_the_journal(sentence, journal):
    found = subjects_of_text(sentence)
    assert [s.get("journal") for s in found] == [journal]


def test_citations_web_year_after_the_journal_is_the_year_not_part_of_the_name():
    found = subjects_of_text("According to new research published in the journal Neuron in 2021, spines regrow.")
    assert [(s.get("journal"), s.get("year")) for s in found] == [("Neuron", 2021)]


def test_citations_web_link_in_the_same_sentence_adds_the_doi_to_the_prose_mention():
    found, text = subjects_of_page('<p>In a <a href="https://doi.org/10.1016/j.cell.2024.01.001">paper published Monday in Cell</a>, researchers showed that psilocybin regrows dendrites.</p>')
    assert len(found) == 1
    assert (found[0].get("journal"), found[0].get("doi")) == ("Cell", "10.1016/j.cell.2024.01.001")
    doi_evidence = [e for e in found[0].get("evidence") if e["field"] == "doi"]
    assert [text[e["start"] : e["end"]] for e in doi_evidence] == ["paper published Monday in Cell"]


def test_citations_web_pubmed_link_alone_is_a_subject_with_its_pmid():
    found, _ = subjects_of_page('<p>Researchers tracked 120 patients for a year. <a href="https://pubmed.ncbi.nlm.nih.gov/30975859/">Read the abstract</a>.</p>')
    assert [(s.get("pmid"), s.get("url")) for s in found] == [("30975859", "https://pubmed.ncbi.nlm.nih.gov/30975859/")]


def test_citations_web_two_links_to_one_doi_are_one_study():
    link = '<a href="https://doi.org/10.1038/s41591-024-0001-x">{}</a>'
    found, _ = subjects_of_page(f"<p>The {link.format('new study')} followed 120 patients.</p><p>Its authors say in the {link.format('paper')} that more work is needed.</p>")
    assert [s.get("doi") for s in found] == ["10.1038/s41591-024-0001-x"]


def test_citations_web_ordinary_links_are_not_citations():
    found, _ = subjects_of_page('<p>Ketamine is sold as <a href="https://example.com/esketamine">a nasal spray</a> in <a href="https://www.nature.com/">some shops</a>.</p>')
    assert found == []


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://doi.org/10.1038/s41591-024-0001-x", {"doi": "10.1038/s41591-024-0001-x"}),
        ("https://www.ncbi.nlm.nih.gov/pubmed/30975859", {"pmid": "30975859"}),
        ("https://www.biorxiv.org/content/10.1101/2020.01.01.123456v2.full", {"doi": "10.1101/2020.01.01.123456"}),
        ("https://www.nejm.org/doi/full/10.1056/NEJMoa2032994", {"doi": "10.1056/NEJMoa2032994"}),
        ("https://www.nature.com/articles/s41586-019-1234-5", {}),
    ],
)
def test_citations_web_classify_reads_identifiers_from_work_links(url, expected):
    assert classify(url) == {"url": url, **expected}


@pytest.mark.parametrize("url", ["https://www.nature.com/", "https://example.com/paper", "mailto:someone@example.org", "/relative/link"])
def test_citations_web_classify_ignores_other_links(url):
    assert classify(url) is None
