"""Section headings of PDF articles: typographic detection in the reader, levels, and the sections stage.

Each test writes its own article with fpdf2 (the ``test`` extra): numbered headings with run-in
sub-headings, unnumbered headings where a topical heading shares the rhetorical headings' style,
and the things that look like headings but are not (figure captions, figure-panel letters, a byline
with affiliation markers, a collection banner above the first section).
"""

from __future__ import annotations

import pytest

from pipeline.layers import LINES, SECTIONS
from pipeline.readers import read_bytes
from pipeline.readers._pdf_text import split_run_in_headings
from pipeline.stages.sections import detect_sections

fpdf = pytest.importorskip("fpdf", reason="fpdf2 (the test extra) writes the test PDFs")

PROSE = (
    "The cells were grown in a humid incubator and the medium was changed every second day so that "
    "the cultures stayed healthy during the whole experiment, which lasted for several weeks in total."
)


class _Writer:
    """A one-column article page by page: headings, paragraphs, captions, free-standing lines."""

    def __init__(self) -> None:
        self.pdf = fpdf.FPDF(unit="pt", format=(600, 800))
        self.pdf.set_margins(60, 60, 60)
        self.pdf.set_auto_page_break(True, margin=60)
        self.pdf.add_page()

    def line(self, text: str, size: float, style: str = "", gap: float = 10) -> None:
        self.pdf.ln(gap)
        self.pdf.set_font("helvetica", style=style, size=size)
        self.pdf.multi_cell(0, size * 1.2, text)

    def paragraph(self, text: str = PROSE) -> None:
        self.line(text, 10, gap=6)

    def heading(self, text: str, size: float = 12, style: str = "B") -> None:
        self.line(text, size, style, gap=14)

    def output(self) -> bytes:
        return bytes(self.pdf.output())


def _numbered_article() -> bytes:
    w = _Writer()
    w.line("Mitochondrial Effects of a Retinoid in Neuroblastoma Cells", 18, "B", gap=0)
    w.line("A. Justine Landi1 and Robert Burkes2", 12, "B")
    w.line("1 Department of Paediatrics, University of Somewhere, Some City", 9, gap=4)
    w.paragraph(PROSE + " " + PROSE)
    w.heading("1. Introduction")
    w.paragraph()
    w.paragraph()
    w.heading("2. Materials and Methods")
    w.paragraph("2.1. Cell Lines. " + PROSE)
    w.paragraph("2.2. Chemicals and Reagents. " + PROSE)
    w.line("A", 12, "B")
    w.line("B", 12, "B")
    w.line("Figure 1. Viability of the cells after treatment.", 10, "B")
    w.paragraph()
    w.heading("3. Results")
    w.paragraph()
    w.paragraph()
    w.heading("4. Discussion")
    w.paragraph()
    w.heading("References")
    w.paragraph("1. A. Author, Some paper on neuroblastoma, Journal of Tests, vol. 1, pp. 1-9, 2015.")
    return w.output()


def _unnumbered_article() -> bytes:
    w = _Writer()
    w.line("Fanged Frogs of the Islands and Their Tadpoles", 18, "B", gap=0)
    w.heading("Abstract", 14, "")
    w.paragraph(PROSE + " " + PROSE)
    w.line("This article is part of the Amphibian Collection", 12, gap=10)
    w.heading("Introduction", 13, "")
    w.paragraph()
    w.heading("Methods", 13, "")
    w.paragraph()
    w.heading("Study site", 13, "")
    w.paragraph()
    w.heading("Results", 13, "")
    w.paragraph()
    w.heading("Diagnosis", 13, "")
    w.paragraph()
    w.heading("Discussion", 13, "")
    w.paragraph()
    w.heading("Limits of the survey", 10, "B")
    w.paragraph()
    w.heading("References", 13, "")
    w.paragraph("1. A. Author, Some paper on frogs, Journal of Tests, vol. 1, pp. 1-9, 2015.")
    return w.output()


@pytest.fixture(scope="module")
def numbered():
    doc = read_bytes(_numbered_article(), "numbered.pdf")
    return doc, detect_sections(doc)[SECTIONS]


@pytest.fixture(scope="module")
def unnumbered():
    doc = read_bytes(_unnumbered_article(), "unnumbered.pdf")
    return doc, detect_sections(doc)[SECTIONS]


def _marked(doc) -> list[str]:
    return [s.text_in(doc.text) for s in doc.layer(LINES) if s.get("markup") == "heading"]


def _outline(sections) -> list[tuple[int, str]]:
    return [(s.get("level"), s.get("heading")) for s in sections]


def test_pdf_headings_numbered_sections_and_run_in_sub_sections(numbered):
    _, sections = numbered
    assert _outline(sections) == [
        (1, "Introduction"),
        (1, "Materials and Methods"),
        (2, "Cell Lines"),
        (2, "Chemicals and Reagents"),
        (1, "Results"),
        (1, "Discussion"),
        (1, "References"),
    ]


def test_pdf_headings_run_in_heading_gets_its_own_line_and_numbering(numbered):
    doc, sections = numbered
    cell_lines = next(s for s in sections if s.get("heading") == "Cell Lines")
    assert cell_lines.get("number") == "2.1"
    assert doc.text[cell_lines.get("heading_start") : cell_lines.get("heading_end")] == "Cell Lines"
    assert "2.1. Cell Lines.\nThe cells were grown" in doc.text


def test_pdf_headings_caption_and_panel_letters_are_not_headings(numbered):
    doc, _ = numbered
    marked = _marked(doc)
    assert not [m for m in marked if m.startswith("Figure") or m in ("A", "B")]
    assert "Figure 1. Viability of the cells after treatment." in doc.text


def test_pdf_headings_byline_with_affiliation_markers_is_not_a_heading(numbered):
    doc, _ = numbered
    assert not [m for m in _marked(doc) if "Landi" in m]


def test_pdf_headings_topical_heading_in_section_style_is_a_sub_section(unnumbered):
    _, sections = unnumbered
    assert _outline(sections) == [
        (1, "Abstract"),
        (1, "Introduction"),
        (1, "Methods"),
        (2, "Study site"),
        (1, "Results"),
        (2, "Diagnosis"),
        (1, "Discussion"),
        (2, "Limits of the survey"),
        (1, "References"),
    ]


def test_pdf_headings_banner_before_the_first_section_is_body_text(unnumbered):
    doc, _ = unnumbered
    assert "This article is part of the Amphibian Collection" in doc.text
    assert not [m for m in _marked(doc) if "Collection" in m]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("2.1. Cell Lines. We cultured cells.", ["2.1. Cell Lines.", "We cultured cells."]),
        ("3.2 Effect of Dose on Weight. Mice (n = 8) lost weight.", ["3.2 Effect of Dose on Weight.", "Mice (n = 8) lost weight."]),
        ("2.5 mg of the drug was added. Then we waited.", ["2.5 mg of the drug was added. Then we waited."]),
        ("1. Smith J. A paper. J Tests. 2015.", ["1. Smith J. A paper. J Tests. 2015."]),
        ("2.1. Results were clear; we saw. Then more.", ["2.1. Results were clear; we saw. Then more."]),
    ],
)
def test_pdf_headings_split_run_in_headings(line, expected):
    lines, headings = split_run_in_headings([line], "body")
    assert lines == expected
    assert headings == (((0, 2),) if len(expected) == 2 else ())


def test_pdf_headings_run_in_split_only_in_body_paragraph_starts():
    line = "2.1. Cell Lines. We cultured cells."
    assert split_run_in_headings([line], "caption") == ([line], ())
    assert split_run_in_headings([line], "body", first_continues=True) == ([line], ())
