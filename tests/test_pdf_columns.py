"""Column regions in the PDF reading order: three columns under full-width text, a column holding two
sub-columns, tables left row by row, and running text set sideways in the margin.

The layout rules are pure geometry, so these tests build lines by hand (no PDF needed).
"""

from __future__ import annotations

from pipeline.readers._pdf_chars import PdfLine, PdfPage
from pipeline.readers._pdf_layout import reading_order, running_lines


def _line(text, x0, y0, x1, page=1, size=8.0):
    return PdfLine(page, text, x0, y0, x1, y0 + size, size=size, bold=False)


def _column(name, x0, x1, top, rows):
    return [_line(f"{name} entry line {i} with words", x0, top + 10 * i, x1) for i in range(rows)]


def test_three_columns_under_full_width_text_are_read_column_by_column():
    prose = [_line(f"paragraph line {i} runs across the whole width of the page", 50, 100 + 12 * i, 550) for i in range(6)]
    columns = _column("first", 50, 210, 200, 6) + _column("second", 220, 380, 200, 6) + _column("third", 390, 550, 200, 6)
    ordered, labels, has_columns = reading_order(prose + sorted(columns, key=lambda l: (l.y0, l.x0)), 600)
    texts = [l.text for l in ordered]
    assert has_columns
    assert texts[:6] == [l.text for l in prose]
    assert texts[6:] == [l.text for l in columns]  # first column, then second, then third
    assert len(set(labels[6:12]) & set(labels[12:18])) == 0  # separate blocks per column


def test_a_column_holding_two_sub_columns_is_split_again():
    left = _column("left", 40, 190, 100, 30)
    middle = _column("middle", 200, 350, 100, 30)
    right = _column("right", 360, 520, 100, 30)
    ordered, _, _ = reading_order(sorted(left + middle + right, key=lambda l: (l.y0, l.x0)), 560)
    assert [l.text for l in ordered] == [l.text for l in left + middle + right]


def test_table_cells_side_by_side_stay_in_rows():
    prose = [_line(f"paragraph line {i} runs across the whole width of the page", 50, 100 + 12 * i, 550) for i in range(20)]
    rows = []
    for i in range(6):
        rows += [_line(f"Drug {i}", 50, 400 + 10 * i, 120), _line(f"{i}.5", 250, 400 + 10 * i, 280), _line(f"{i * 3}", 400, 400 + 10 * i, 420)]
    ordered, _, has_columns = reading_order(prose + rows, 600)
    assert not has_columns
    assert [l.text for l in ordered][20:23] == ["Drug 0", "0.5", "0"]


def test_running_text_set_sideways_in_the_margin_is_a_running_line():
    def page(number):
        side = PdfLine(number, f"{number}journal.example.org J. Ex. 2: 150{number}", 580, 50, 590, 260, size=11.0, bold=False)
        body = _line("Body text of the page in the middle", 50, 300, 500, page=number)
        return PdfPage(number, 600, 800, (side, body), 100, 0)

    found = running_lines([page(1), page(2), page(3)])
    assert (2, 0) in found and (3, 0) in found
    assert (2, 1) not in found


def test_a_bare_list_number_joins_the_entry_text_on_its_right():
    from pipeline.readers._pdf_layout import attach_list_markers

    lines = [_line("5.", 74, 62, 78), _line("Malfertheiner P, Megraud F. Current concepts.", 88, 62, 290), _line("22.", 335, 28, 343), _line("Page text", 350, 100, 500)]
    joined = attach_list_markers(lines)
    texts = [l.text for l in joined]
    assert "5. Malfertheiner P, Megraud F. Current concepts." in texts
    assert "22." in texts and "Page text" in texts  # nothing on its right in its row: left alone
    assert len(joined) == 3


def test_a_list_number_at_the_top_of_a_page_is_not_a_page_number():
    from pipeline.readers._pdf_layout import analyse

    def page(number):
        first = ("Smith A. A title of one entry. J Test 2001;3:1-2.", "Jones B. Another study of lists. J Lists 2003;7:9.")[number - 1]
        lines = (_line("5.", 74, 30, 78, page=number), _line(first, 88, 30, 400, page=number))
        lines += tuple(_line(f"{i + 6}. Author B. Another entry of the list. J Test 2002;4:5-6.", 74, 80 + 12 * i, 400, page=number) for i in range(5))
        return PdfPage(number, 600, 800, lines, 100, 0)

    layout = analyse([page(1), page(2)])
    body = " ".join(b.plain for b in layout.blocks if b.page == 2 and b.role not in ("header", "footer"))
    assert body.startswith("5. Jones B.")
