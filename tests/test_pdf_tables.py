"""Tables of PDF articles: the ``tables`` layer and the record's ``tables`` (pipeline.readers._pdf_tables).

The PDFs are written here with fpdf2 (the ``test`` extra): a table ruled on all sides (pdfplumber's
"lines" strategy), a table with horizontal rules only (the publisher style the "text" pass reads;
also with a wrapped cell, a header over two columns, rules drawn in pieces), a table ruled in rows
only, and pages without tables. A data test over ../shared/data/pdf skips without it.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from pipeline import convert_bytes
from pipeline.layers import TABLES
from pipeline.readers import read_bytes
from pipeline.record.integrity import integrity_errors

fpdf = pytest.importorskip("fpdf", reason="fpdf2 (the test extra) writes the test PDFs")

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "pdf"
ROWS = [("Compound", "Dose (mg)", "Effect"), ("Ketamine", "25", "Rapid"), ("Psilocybin", "10", "Lasting")]


def _prose(pdf, y: float, lines: int, label: str) -> None:
    pdf.set_font("helvetica", size=10)
    for i in range(lines):
        pdf.text(60, y + 13 * i, f"The {label} paragraph of the article continues here on line {i + 1} of the page text.")


def _page_with(table_drawer=None, caption: str | None = "Table 1: Doses of the compounds.") -> bytes:
    pdf = fpdf.FPDF(unit="pt", format=(600, 800))
    pdf.set_auto_page_break(False)
    pdf.add_page()
    _prose(pdf, 80, 8, "opening")
    if caption:
        pdf.set_font("helvetica", size=9)
        pdf.text(60, 215, caption)
    if table_drawer:
        table_drawer(pdf)
    _prose(pdf, 400, 8, "closing")
    return bytes(pdf.output())


def _ruled(pdf) -> None:
    """A grid: every cell boxed."""
    pdf.set_font("helvetica", size=10)
    pdf.set_xy(60, 230)
    for row in ROWS:
        pdf.set_x(60)
        for cell in row:
            pdf.cell(120, 20, cell, border=1)
        pdf.ln(20)


def _rules_only(pdf) -> None:
    """Top rule, header rule, bottom rule; columns only by alignment (the common journal style)."""
    pdf.set_font("helvetica", size=10)
    xs = (60, 220, 360)
    pdf.line(60, 225, 480, 225)
    for r, row in enumerate(ROWS):
        for x, cell in zip(xs, row):
            pdf.text(x, 240 + 18 * r, cell)
        if r == 0:
            pdf.line(60, 246, 480, 246)
    pdf.line(60, 240 + 18 * len(ROWS) - 6, 480, 240 + 18 * len(ROWS) - 6)


def _grid(span) -> list[list[str]]:
    rows: dict[int, list[str]] = {}
    for cell in span.get("cells"):
        rows.setdefault(cell["row"], []).append(cell["text"])
    return [rows[r] for r in sorted(rows)]


def test_pdf_tables_ruled_table_read_into_cells():
    doc = read_bytes(_page_with(_ruled), "ruled.pdf")
    (table,) = doc.layer(TABLES)
    assert (table.get("rows"), table.get("cols"), table.get("strategy")) == (3, 3, "lines")
    assert _grid(table) == [list(row) for row in ROWS]
    assert table.get("label") == "Table 1"
    assert doc.text[table.get("caption_start") : table.get("caption_end")].startswith("Table 1: Doses")
    x0, y0, x1, y1 = table.get("bbox")
    assert (round(x0), round(y0), round(x1), round(y1)) == (60, 230, 420, 290)


def test_pdf_tables_cells_point_into_the_text_and_into_their_boxes():
    doc = read_bytes(_page_with(_ruled), "ruled.pdf")
    (table,) = doc.layer(TABLES)
    tx0, ty0, tx1, ty1 = table.get("bbox")
    for cell in table.get("cells"):
        assert cell["start"] is not None, cell
        assert doc.text[cell["start"] : cell["end"]] == cell["text"]
        assert table.start <= cell["start"] < cell["end"] <= table.end
        x0, y0, x1, y1 = cell["bbox"]
        assert tx0 - 0.5 <= x0 < x1 <= tx1 + 0.5 and ty0 - 0.5 <= y0 < y1 <= ty1 + 0.5
        # the box is the cell's own: 120 x 20 points, in its row and column
        assert (round(x1 - x0), round(y1 - y0)) == (120, 20)
        assert round(x0) == 60 + 120 * cell["col"] and round(y0) == 230 + 20 * cell["row"]


def test_pdf_tables_horizontal_rules_only_found_by_the_text_pass():
    doc = read_bytes(_page_with(_rules_only), "rules.pdf")
    (table,) = doc.layer(TABLES)
    assert table.get("strategy") == "text"
    assert _grid(table) == [list(row) for row in ROWS]
    assert all(doc.text[c["start"] : c["end"]] == c["text"] for c in table.get("cells"))


def _wrapped_and_grouped(pdf) -> None:
    """Rules only; a header over two columns, a cell wrapped onto a second line, a group of figure rows under one label."""
    pdf.set_font("helvetica", size=10)
    xs = (60, 220, 300, 380)
    pdf.line(60, 225, 480, 225)
    pdf.text(250, 237, "Dose (mg)")  # over the columns "Low" and "High"
    for x, cell in zip(xs, ("Compound", "Low", "High", "Effect")):
        pdf.text(x, 251, cell)
    pdf.line(60, 256, 480, 256)
    lines = [
        ("Ketamine", "25", "50", "Rapid onset"),
        ("", "", "", "within hours"),  # the wrapped end of "Rapid onset within hours"
        ("Psilocybin", "10", "20", "Lasting"),
        ("", "15", "30", "Moderate"),  # a second row of the Psilocybin group: figures, its own row
    ]
    for r, line in enumerate(lines):
        for x, cell in zip(xs, line):
            if cell:
                pdf.text(x, 270 + 13 * r, cell)
    pdf.line(60, 270 + 13 * len(lines) - 4, 480, 270 + 13 * len(lines) - 4)


def _rows_ruled(pdf) -> None:
    """A box with a rule under every row but no column rules (the columns only by alignment)."""
    pdf.set_font("helvetica", size=10)
    pdf.rect(60, 225, 420, 20 * len(ROWS))
    for r, row in enumerate(ROWS):
        for x, cell in zip((66, 220, 360), row):
            pdf.text(x, 239 + 20 * r, cell)
        if r:
            pdf.line(60, 225 + 20 * r, 480, 225 + 20 * r)


def _rules_in_pieces(pdf) -> None:
    """Horizontal rules only, each drawn as one segment per column (how some typesetters draw them)."""
    pdf.set_font("helvetica", size=10)
    bounds = (60, 220, 360, 480)
    for y in (225, 246, 240 + 18 * len(ROWS) - 6):
        for a, b in zip(bounds, bounds[1:]):
            pdf.line(a, y, b, y)
    for r, row in enumerate(ROWS):
        for x, cell in zip(bounds, row):
            pdf.text(x, 240 + 18 * r, cell)


def test_pdf_tables_wrapped_cell_joins_its_row_and_header_spans_columns():
    doc = read_bytes(_page_with(_wrapped_and_grouped), "wrapped.pdf")
    (table,) = doc.layer(TABLES)
    assert _grid(table) == [
        ["", "Dose (mg)", ""],
        ["Compound", "Low", "High", "Effect"],
        ["Ketamine", "25", "50", "Rapid onset within hours"],
        ["Psilocybin", "10", "20", "Lasting"],
        ["", "15", "30", "Moderate"],
    ]
    (spanning,) = [c for c in table.get("cells") if c["text"] == "Dose (mg)"]
    assert (spanning["col"], spanning["col_span"], spanning["row_span"]) == (1, 2, 1)
    assert (table.get("rows"), table.get("cols")) == (5, 4)
    for cell in table.get("cells"):
        assert cell["start"] is None or doc.text[cell["start"] : cell["end"]] == cell["text"]


def test_pdf_tables_rows_ruled_without_column_rules_cut_into_columns_by_text():
    doc = read_bytes(_page_with(_rows_ruled), "rows.pdf")
    (table,) = doc.layer(TABLES)
    assert table.get("strategy") == "lines"
    assert _grid(table) == [list(row) for row in ROWS]


def test_pdf_tables_rules_drawn_in_pieces_joined():
    doc = read_bytes(_page_with(_rules_in_pieces), "pieces.pdf")
    (table,) = doc.layer(TABLES)
    assert table.get("strategy") == "text"
    assert _grid(table) == [list(row) for row in ROWS]


@pytest.mark.parametrize(
    "drawer, caption",
    [(None, None), (None, "Table 1: A caption whose table is an image."), (_ruled, None)],
    ids=["no-table", "caption-without-rules", "table-without-caption"],
)
def test_pdf_tables_none_found(drawer, caption):
    # without a "Table N" caption the page is not even looked at; without rules nothing is found
    assert read_bytes(_page_with(drawer, caption), "plain.pdf").layer(TABLES) == ()


def test_pdf_tables_in_the_record_valid_and_absent_for_text_inputs():
    record = convert_bytes(_page_with(_ruled), "ruled.pdf")
    (table,) = record["tables"]
    assert table["id"].startswith("tab-") and table["label"] == "Table 1" and table["page"] == 1
    assert table["caption"] is not None and record["text"][table["caption"]["start"] :].startswith("Table 1")
    assert [c["text"] for c in table["cells"][:3]] == list(ROWS[0])
    assert record["schema_version"] == "1.3.0"
    assert convert_bytes(_page_with(None, None), "plain.pdf")["tables"] == []
    assert "tables" not in convert_bytes(b"Title\n\nSome text about ketamine.\n", "note.txt")


def test_pdf_tables_integrity_catches_a_cell_that_is_not_its_text():
    record = convert_bytes(_page_with(_ruled), "ruled.pdf")
    assert integrity_errors(record) == []
    broken = copy.deepcopy(record)
    broken["tables"][0]["cells"][4]["text"] = "Placebo"
    broken["tables"][0]["end"] = len(record["text"]) + 5
    pointers = [pointer for pointer, _ in integrity_errors(broken)]
    assert pointers == ["/tables/0/start", "/tables/0/cells/4/text"]


@pytest.mark.skipif(not DATA.is_dir(), reason="../shared/data/pdf is not present (the development PDFs)")
def test_pdf_tables_development_pdfs_tables_found_and_traceable():
    truths = [json.loads(line) for line in (DATA / "hindawi" / "ground_truth.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    with_tables = [t for t in truths if "<table-wrap" in (DATA / "hindawi" / t["xml"]).read_text(encoding="utf-8", errors="replace")][:6]
    found = 0
    for truth in with_tables:
        doc = read_bytes((DATA / "hindawi" / truth["pdf"]).read_bytes(), truth["pdf"])
        tables = doc.layer(TABLES)
        found += bool(tables)
        for table in tables:
            assert table.get("page") >= 1 and len(table.get("bbox")) == 4
            for cell in table.get("cells"):
                assert len(cell["bbox"]) == 4
                if cell["start"] is not None:
                    assert doc.text[cell["start"] : cell["end"]] == cell["text"]
    assert found >= len(with_tables) // 2, f"tables found in {found} of {len(with_tables)} Hindawi PDFs with tables"
