"""The PDF reader: reading order, running headers, hyphenation, provenance layers, bad PDFs.

PDFs are written by the tests themselves with fpdf2 (the ``test`` extra), so each test shows the page
it is about; the layout rules are also tested directly on hand-built lines. A data test reads the real
development PDFs in ../shared/data and skips without them.
"""

from __future__ import annotations

import json

import pytest

from pipeline import convert_bytes
from pipeline.errors import DamagedPdfError, EmptyPdfError, EncryptedPdfError, NoTextLayerError
from pipeline.layers import LINES, PDF_BLOCKS, PDF_PAGES, WARNINGS
from pipeline.readers import read_bytes
from pipeline.readers._pdf_chars import HYPHEN_MARK, PdfLine, PdfPage
from pipeline.readers._pdf_layout import reading_order, running_lines
from pipeline.readers._pdf_text import join_hyphenated, normalise
from pipeline.readers.pdf import text_quality

fpdf = pytest.importorskip("fpdf", reason="fpdf2 (the test extra) writes the test PDFs")

LEFT = [
    "Neuroblastoma is the most common solid",
    "tumour of childhood and it com-",
    "monly presents in the adrenal gland.",
    "Fenretinide is a retinoid studied in",
    "clinical trials for this disease.",
]
RIGHT = [
    "The right column continues the text",
    "with results on mitochondria and",
    "reactive oxygen species in cells.",
    "Complex II activity did not change",
    "after the induction of expression.",
]


def _article_pdf(pages: int = 2) -> bytes:
    pdf = fpdf.FPDF(unit="pt", format=(600, 800))
    pdf.set_auto_page_break(False)
    for number in range(1, pages + 1):
        pdf.add_page()
        pdf.set_font("helvetica", size=8)
        pdf.text(50, 40, "Journal of Reproducible Tests")
        pdf.text(290, 780, str(number))
        y = 150
        if number == 1:
            pdf.set_font("helvetica", style="B", size=20)
            pdf.text(50, 100, "A Study of Layout Over Two Columns")
            pdf.set_font("helvetica", size=10)
            pdf.text(50, 125, "Ann Author and Bob Writer")
        pdf.set_font("helvetica", style="B", size=12)
        pdf.text(50, y, f"{number}. Section {number}")
        pdf.set_font("helvetica", size=10)
        for i, line in enumerate(LEFT):
            pdf.text(50, y + 20 + 12 * i, line)
        for i, line in enumerate(RIGHT):
            pdf.text(320, y + 20 + 12 * i, line)
    return bytes(pdf.output())


@pytest.fixture(scope="module")
def article_doc():
    return read_bytes(_article_pdf(), "article.pdf")


def test_reader_pdf_reads_left_column_before_right(article_doc):
    text = article_doc.text
    assert text.index("Fenretinide is a retinoid") < text.index("The right column continues")
    assert text.index("The right column continues") < text.index("2. Section 2")


def test_reader_pdf_title_block_comes_first_and_spans_columns(article_doc):
    assert article_doc.text.startswith("Journal of Reproducible Tests\n\nA Study of Layout Over Two Columns\n\nAnn Author and Bob Writer")
    titles = [s for s in article_doc.layer(PDF_BLOCKS) if s.label == "title"]
    assert [t.text_in(article_doc.text) for t in titles] == ["A Study of Layout Over Two Columns"]


def test_reader_pdf_removes_running_header_and_page_numbers_but_keeps_them_as_blocks(article_doc):
    text = article_doc.text
    assert "Journal of Reproducible Tests" in text  # page 1's masthead stays (journal evidence)
    assert text.count("Journal of Reproducible Tests") == 1
    running = [s for s in article_doc.layer(PDF_BLOCKS) if s.label in ("header", "footer")]
    assert {(s.get("page"), s.get("text")) for s in running} >= {(2, "Journal of Reproducible Tests"), (1, "1"), (2, "2")}
    assert all(s.start == s.end for s in running)


def test_reader_pdf_repairs_hyphenated_line_break(article_doc):
    assert "it commonly presents" in article_doc.text
    assert "com-" not in article_doc.text


def test_reader_pdf_marks_typographic_headings_for_the_sections_stage(article_doc):
    headings = [(s.text_in(article_doc.text), s.get("heading_level")) for s in article_doc.layer(LINES) if s.get("markup") == "heading"]
    assert headings == [("1. Section 1", 1), ("2. Section 2", 1)]


def test_reader_pdf_pages_and_block_boxes(article_doc):
    pages = article_doc.layer(PDF_PAGES)
    assert [(p.get("number"), p.get("width"), p.get("height")) for p in pages] == [(1, 600.0, 800.0), (2, 600.0, 800.0)]
    assert article_doc.source.pages == 2 and article_doc.source.media_type == "application/pdf"
    for block in article_doc.layer(PDF_BLOCKS):
        x0, y0, x1, y1 = block.get("bbox")
        assert 0 <= x0 < x1 <= 600 and 0 <= y0 < y1 <= 800


def test_reader_pdf_record_has_layout_and_validates():
    data = _article_pdf()
    record = convert_bytes(data, "article.pdf")
    assert record["schema_version"].split(".")[:2] >= ["1", "1"]  # layout arrived in schema 1.1
    layout = record["layout"]
    assert [p["number"] for p in layout["pages"]] == [1, 2]
    body = [b for b in layout["blocks"] if b["role"] == "body"]
    assert body and all(record["text"][b["start"] : b["end"]] for b in body)
    assert [s["heading"] for s in record["sections"] if s["level"] == 1] == ["Section 1", "Section 2"]
    assert json.dumps(record, sort_keys=True) == json.dumps(convert_bytes(data, "article.pdf"), sort_keys=True)


def test_reader_pdf_text_record_has_no_layout():
    record = convert_bytes(b"Title\n\nSome text here.\n", "note.txt")
    assert "layout" not in record


def test_reader_pdf_encrypted_is_a_coded_error():
    pdf = fpdf.FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.text(20, 20, "secret")
    pdf.set_encryption(owner_password="owner", user_password="user")
    with pytest.raises(EncryptedPdfError) as info:
        read_bytes(bytes(pdf.output()), "locked.pdf")
    assert info.value.code == "P110" and "password" in info.value.message


@pytest.mark.parametrize("data", [_article_pdf()[:600], b"%PDF-1.4\n" + b"garbage " * 50], ids=["truncated", "garbage"])
def test_reader_pdf_damaged_is_a_coded_error(data):
    with pytest.raises(DamagedPdfError) as info:
        read_bytes(data, "broken.pdf")
    assert info.value.code == "P111"


def test_reader_pdf_zero_pages_is_a_coded_error():
    import io

    import pypdfium2

    buffer = io.BytesIO()
    pypdfium2.PdfDocument.new().save(buffer)  # a well-formed PDF with an empty page tree
    with pytest.raises(EmptyPdfError) as info:
        read_bytes(buffer.getvalue(), "empty.pdf")
    assert info.value.code == "P112"


def test_reader_pdf_image_only_is_a_coded_error():
    pdf = fpdf.FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 100, style="F")
    with pytest.raises(NoTextLayerError) as info:
        read_bytes(bytes(pdf.output()), "scan.pdf")
    assert info.value.code == "P113" and "OCR" in info.value.message


def test_reader_pdf_clean_text_has_no_quality_warning(article_doc):
    assert not [w for w in article_doc.layer(WARNINGS) if w.label == "pdf-text-quality"]
    assert article_doc.layer(PDF_PAGES)[0].get("text_quality") > 0.9


def test_reader_pdf_text_quality_scores_gibberish_low():
    assert text_quality("The mitochondrial complex was measured in three cell lines.") > 0.9
    assert text_quality("#$%& Ò¹ÒÑ qzxv bcdfg hjklm !#$ wxqz pqrst ¼½¾") < 0.5


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        ("it com", "monly presents", "it commonly presents"),
        ("anti", "TNF therapy", "anti-TNF therapy"),
        ("a V5 tag", "containing plasmid", "a V5 tag-containing plasmid"),
        ("the well", "known effect", "the well-known effect"),
    ],
)
def test_reader_pdf_join_hyphenated(left, right, expected):
    words = {"it", "commonly", "tag", "containing", "plasmid", "the", "effect", "well", "known"}
    compounds = {"well-known"}
    assert join_hyphenated(left, right, words, compounds) == expected


def test_reader_pdf_normalise_ligatures_and_spaces():
    assert normalise("e\ufb03cacy of \ufb01ve\u00a0drugs\u00ad") == "efficacy of five drugs"


def _line(text, x0, y0, x1, page=1, size=10.0):
    return PdfLine(page, text, x0, y0, x1, y0 + size, size=size, bold=False)


def test_reader_pdf_reading_order_full_width_block_between_columns():
    lines = [_line(f"left {i}", 50, 100 + 12 * i, 280) for i in range(4)]
    lines += [_line(f"right {i}", 320, 100 + 12 * i, 550) for i in range(4)]
    lines += [_line("Table 1: a full-width caption across both columns", 50, 200, 550)]
    lines += [_line(f"lower left {i}", 50, 220 + 12 * i, 280) for i in range(3)]
    lines += [_line(f"lower right {i}", 320, 220 + 12 * i, 550) for i in range(3)]
    ordered, columns, two_columns = reading_order(lines, 600)
    texts = [l.text for l in ordered]
    assert two_columns
    assert texts[:9] == [f"left {i}" for i in range(4)] + [f"right {i}" for i in range(4)] + ["Table 1: a full-width caption across both columns"]
    assert texts[9:] == [f"lower left {i}" for i in range(3)] + [f"lower right {i}" for i in range(3)]
    assert columns[8] == "S"


def test_reader_pdf_one_column_page_is_read_top_down():
    lines = [_line(f"line {i} of a long paragraph set across the whole page", 50, 100 + 12 * i, 550) for i in range(8)]
    ordered, _, two_columns = reading_order(list(reversed(lines)), 600)
    assert not two_columns and [l.text for l in ordered] == [l.text for l in lines]


def test_reader_pdf_running_lines_need_recurrence_or_a_page_number():
    def page(number, header):
        lines = (_line(header, 50, 20, 300, page=number), _line("Body text of the page", 50, 300, 500, page=number), _line(str(number), 290, 770, 300, page=number))
        return PdfPage(number, 600, 800, lines, 100, 0)

    pages = [page(1, "Journal of Tests 2016"), page(2, "Journal of Tests 2017"), page(3, "A unique top line")]
    found = running_lines(pages)
    assert (2, 0) in found and (1, 0) not in found  # page 1's masthead stays in the text
    assert (3, 0) not in found
    assert {(1, 2), (2, 2), (3, 2)} <= found
    assert not any(i == 1 for _, i in found)


def test_reader_pdf_hyphen_mark_is_never_left_in_text(article_doc):
    assert HYPHEN_MARK not in article_doc.text


def test_reader_pdf_real_articles(shared_data):
    folder = shared_data / "pdf" / "hindawi"
    truths = [json.loads(line) for line in (folder / "ground_truth.jsonl").read_text(encoding="utf-8").splitlines()[:3]]
    for truth in truths:
        doc = read_bytes((folder / truth["pdf"]).read_bytes(), truth["pdf"])
        titles = [s.text_in(doc.text) for s in doc.layer(PDF_BLOCKS) if s.label == "title"]
        assert len(titles) == 1 and " ".join(titles[0].split()).lower() == " ".join(truth["title"].split()).lower()
        assert doc.source.pages == len(doc.layer(PDF_PAGES))
        assert HYPHEN_MARK not in doc.text
        assert not [w for w in doc.layer(WARNINGS) if w.label == "pdf-text-quality"]
