"""Tables of a PDF: pdfplumber's table finder run on ruling lines and text read by PDFium.

Why this shape: pdfplumber's table finder (edges -> intersections -> cells -> tables, after Nurminen
and Tabula) is the reference algorithm, but pdfplumber gets its edges and words from pdfminer, whose
page parse costs about 200 ms a page, ten times the whole of our reader. So the finder is given a
stand-in page whose edges come from PDFium's path objects, text comes as phrases from PDFium's
character boxes, and all of it runs only on pages with a "Table N" caption. Cell text is PDFium's
text inside the cell's box, normalised like the reading text, and located in the reading text
where it can be found.

Two passes per candidate page:

1. ``lines``: pdfplumber's default strategy, cells bounded by ruling lines on all sides. A table
   whose rows are mostly one cell across (rows ruled or shaded, columns not) is cut into columns by
   its text, as in pass 2.
2. ``text``: when pass 1 finds nothing, the region from the first to the last of a stack of
   horizontal rules (a rule drawn in pieces joined first), cut into a grid here rather than by the
   finder. Columns: the vertical strips that no phrase of the body's lines (below the header rule,
   lines of two phrases or more) covers. Rows: text lines, a line joining the row above when it
   continues it (a cell wrapped over two lines: words only, in a subset of the columns of the line
   above, first column empty unless in the header). A phrase crossing a column boundary (a header
   over several columns) is one cell spanning them. pdfplumber's own ``text`` strategy (edges where
   three words align) cut through cells on the development PDFs, because a right-aligned or centred
   column aligns with words of other columns. Tables without any rules are not found.

Coordinates: PDF points, origin at the page's top-left corner (y grows downwards), as everywhere in
the reader.
"""

from __future__ import annotations

import ctypes
import re
from dataclasses import dataclass, field

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from pdfplumber.table import TableFinder

from ._pdf_chars import HYPHEN_MARK, PdfPage
from ._pdf_text import PlacedBlock, normalise

#: "Table 2", "Table S1", "TABLE 3:" at the start of a caption; group 1 is the label.
TABLE_LABEL = re.compile(r"^\s*(table\s*[SA]?\d+[A-Za-z]?)(?=[\s.:|)]|$)", re.IGNORECASE)
#: Path segments read per page at most (a page of vector plots holds hundreds of thousands).
MAX_SEGMENTS = 50_000
_MIN_ROWS = 2
_MIN_COLS = 2
_THIN = 2.0  # points: a path this thin is a ruling line (a stroked line or a filled hairline rectangle)
_MIN_RULE_WIDTH = 30.0  # points: shorter horizontal strokes are underlines or glyph parts, not table rules
_MIN_COLUMN_GAP = 2.0  # points of empty strip between two columns
_PHRASE_GAP = 0.6  # font sizes: a wider gap between characters of one line separates cells
#: A phrase that starts like a figure: digits, a sign, a comparison, a percentage or a p value.
_FIGURE = re.compile(r"^\s*[-+−–±<>≤≥=~.]?\s*\d")
_LINES = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}


@dataclass(frozen=True)
class Cell:
    row: int
    col: int
    row_span: int
    col_span: int
    bbox: tuple[float, float, float, float]
    text: str


@dataclass(frozen=True)
class FoundTable:
    page: int
    bbox: tuple[float, float, float, float]
    rows: int
    cols: int
    cells: tuple[Cell, ...]
    strategy: str  # "lines" or "text"


def candidate_pages(placed: list[PlacedBlock], text: str) -> list[int]:
    """Pages with a caption block that starts "Table N" (the only pages the finder visits)."""
    pages = {item.block.page for item in placed if item.block.role == "caption" and TABLE_LABEL.match(text[item.start : item.end])}
    return sorted(pages)


def find_tables(document: pdfium.PdfDocument, page: PdfPage) -> list[FoundTable]:
    """The tables on ``page`` (read again from ``document``; closed before returning)."""
    handle = document[page.number - 1]
    try:
        edges = _page_edges(handle.raw, page.height)
        pieces = [{"x0": l.x0, "x1": l.x1, "top": l.y0, "bottom": l.y1, "text": l.text} for l in page.lines]
        textpage = handle.get_textpage()
        try:
            words = _Words(textpage.raw, page.height)
            boxes = _lines_tables(page, edges, pieces, words) or _text_tables(page, edges, pieces, words)
            return [_with_text(textpage, page, cells, strategy) for cells, strategy in boxes]
        finally:
            textpage.close()
    finally:
        handle.close()


class _FinderPage:
    """The little of a pdfplumber Page that its TableFinder reads: bbox, edges, words."""

    def __init__(self, bbox: tuple[float, float, float, float], edges: list[dict], words: list[dict]) -> None:
        self.bbox = bbox
        self.edges = edges
        self._words = words

    def extract_words(self, **_settings) -> list[dict]:
        return self._words


def _lines_tables(page: PdfPage, edges: list[dict], pieces: list[dict], words: "_Words") -> list[tuple[list, str]]:
    """Tables ruled on all sides; a table whose rows are mostly one cell across (rows ruled, columns
    not) is cut into columns by its text, as in the text pass."""
    finder = TableFinder(_FinderPage((0, 0, page.width, page.height), edges, []), _LINES)
    found = []
    for table in finder.tables:
        if _rows_only(table.cells):
            x0, top, x1, bottom = table.bbox
            lines = [w for w in pieces if w["x0"] >= x0 - 1 and w["x1"] <= x1 + 1 and w["top"] >= top - 1 and w["bottom"] <= bottom + 1]
            rule_ys = sorted({round(c[1], 1) for c in table.cells} | {round(c[3], 1) for c in table.cells})
            cells = _text_grid(words.within(lines, table.bbox), table.bbox, rule_ys) if len(lines) >= _MIN_ROWS else []
            if cells and _big_enough(cells):
                found.append((cells, "lines"))
                continue
        if _big_enough(table.cells):
            found.append((table.cells, "lines"))
    return found


def _rows_only(cells: list) -> bool:
    """Two rows or more, and half of them or more a single cell as wide as the table."""
    left, right = min(c[0] for c in cells), max(c[2] for c in cells)
    rows: dict[float, list] = {}
    for cell in cells:
        rows.setdefault(round(cell[1], 1), []).append(cell)
    across = sum(1 for row in rows.values() if len(row) == 1 and row[0][2] - row[0][0] >= 0.9 * (right - left))
    return len(rows) >= _MIN_ROWS and across * 2 >= len(rows)


def _text_tables(page: PdfPage, edges: list[dict], pieces: list[dict], words: "_Words") -> list[tuple[list, str]]:
    """Tables with horizontal rules only: each ruled region split into text rows and aligned columns."""
    rules = [e for e in _joined_rules(edges) if e["width"] >= _MIN_RULE_WIDTH]
    found = []
    for region in _ruled_regions(rules, pieces):
        x0, top, x1, bottom = region
        lines = [w for w in pieces if w["x0"] >= x0 - 1 and w["x1"] <= x1 + 1 and w["top"] >= top - 1 and w["bottom"] <= bottom + 1]
        if len(lines) < _MIN_ROWS:
            continue
        rule_ys = sorted(e["top"] for e in rules if x0 - 3 <= e["x0"] and e["x1"] <= x1 + 3 and top - 1 <= e["top"] <= bottom + 1)
        cells = _text_grid(words.within(lines, region), region, rule_ys)
        if cells and _big_enough(cells):
            found.append((cells, "text"))
    return found


@dataclass
class _TextLine:
    """Phrases whose vertical extents overlap: one line of the table's text."""

    top: float
    bottom: float
    phrases: list[dict]
    spans: list[tuple[int, int]] = field(default_factory=list)  # the column ranges its phrases cover

    @property
    def columns(self) -> set[int]:
        return {c for first, last in self.spans for c in range(first, last + 1)}


def _text_grid(phrases: list[dict], region: tuple[float, float, float, float], rule_ys: list[float]) -> list[tuple]:
    """Cell boxes of a ruled region: columns where the body's phrases leave a vertical strip empty,
    rows from the text lines (a line continuing the cells of the line above joins its row), and a
    phrase that crosses a column boundary (a header over several columns) one cell spanning them."""
    x0, _, x1, _ = region
    lines = _text_lines(phrases)
    if len(lines) < _MIN_ROWS:
        return []
    columns = _column_bounds(_body_lines(lines, rule_ys), x0, x1)
    if len(columns) < _MIN_COLS + 1:
        return []
    for line in lines:
        line.spans = _merged_spans([_column_range(p, columns) for p in line.phrases])
    rows = _rows(lines, rule_ys)
    cuts = [rows[0][0].top - 0.5] + [(a[-1].bottom + b[0].top) / 2 for a, b in zip(rows, rows[1:])] + [rows[-1][-1].bottom + 0.5]
    cells = []
    for row, row_top, row_bottom in zip(rows, cuts, cuts[1:]):
        spans = _merged_spans([span for line in row for span in line.spans])
        covered = {c for first, last in spans for c in range(first, last + 1)}
        spans += [(c, c) for c in range(len(columns) - 1) if c not in covered]
        for first, last in sorted(spans):
            cells.append((columns[first], round(row_top, 2), columns[last + 1], round(row_bottom, 2)))
    return cells


def _text_lines(phrases: list[dict]) -> list[_TextLine]:
    lines: list[_TextLine] = []
    for phrase in sorted(phrases, key=lambda p: p["top"]):
        if lines and phrase["top"] < lines[-1].bottom - 0.5:
            lines[-1].bottom = max(lines[-1].bottom, phrase["bottom"])
            lines[-1].phrases.append(phrase)
        else:
            lines.append(_TextLine(phrase["top"], phrase["bottom"], [phrase]))
    for line in lines:
        line.phrases.sort(key=lambda p: p["x0"])
    return lines


def _body_lines(lines: list[_TextLine], rule_ys: list[float]) -> list[_TextLine]:
    """The lines that define the columns: below the header rule (the second rule of the stack) when
    the body has two lines or more, and of those the lines of two phrases or more (a single phrase,
    a group title or a wrapped cell's continuation, may cross column boundaries)."""
    body = lines
    if len(rule_ys) >= 3:
        below = [line for line in lines if line.top > rule_ys[1]]
        if len(below) >= 2:
            body = below
    several = [line for line in body if len(line.phrases) >= 2]
    return several if len(several) >= 2 else body


def _column_bounds(lines: list[_TextLine], x0: float, x1: float) -> list[float]:
    """x of the column boundaries: the region's sides and the middle of each vertical strip no phrase covers."""
    covered = sorted((p["x0"], p["x1"]) for line in lines for p in line.phrases)
    cuts, reach = [], None
    for left, right in covered:
        if reach is not None and left - reach >= _MIN_COLUMN_GAP:
            cuts.append(round((reach + left) / 2, 2))
        reach = right if reach is None else max(reach, right)
    return [round(x0, 2)] + cuts + [round(x1, 2)] if cuts else []


def _column_range(phrase: dict, columns: list[float]) -> tuple[int, int]:
    """First and last column a phrase lies in (more than a point inside)."""
    inside = [i for i in range(len(columns) - 1) if phrase["x0"] < columns[i + 1] - 1 and phrase["x1"] > columns[i] + 1]
    if not inside:  # a phrase narrower than two points on a boundary
        middle = (phrase["x0"] + phrase["x1"]) / 2
        inside = [max(0, min(len(columns) - 2, sum(1 for c in columns[1:-1] if c < middle)))]
    return inside[0], inside[-1]


def _merged_spans(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for first, last in sorted(spans):
        if merged and first <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return merged


def _rows(lines: list[_TextLine], rule_ys: list[float]) -> list[list[_TextLine]]:
    """Lines grouped into rows: a line joins the row above when it continues that row's cells (see
    :func:`_continues`) and no rule lies between them."""
    header_rule = rule_ys[1] if len(rule_ys) >= 3 else None
    rows: list[list[_TextLine]] = []
    for line in lines:
        above = rows[-1] if rows else None
        in_header = header_rule is not None and line.bottom < header_rule
        if above and _continues(line, above, in_header) and not any(above[-1].bottom < y < line.top for y in rule_ys):
            above.append(line)
        else:
            rows.append([line])
    return rows


def _continues(line: _TextLine, row: list[_TextLine], in_header: bool) -> bool:
    """A line continues the row above (a cell wrapped over two lines) when it fills only columns the
    line above it fills, fewer of them, and is words: lines of figures are rows of their own (a
    group's label centred beside them, or given once above them; numbers do not wrap). In the body a
    line with text in the first column starts a row (the next row's label, or a group's title); in
    the header (above the second rule), where headers wrap in every column, it may continue one."""
    mine, above = line.columns, row[-1].columns
    if not mine < above or _has_figures([line]):
        return False
    return 0 not in mine or in_header


def _has_figures(lines: list[_TextLine]) -> bool:
    return any(_FIGURE.match(p["text"]) for line in lines for p in line.phrases)


def _joined_rules(edges: list[dict]) -> list[dict]:
    """Horizontal edges, those drawn end to end at one height (a rule drawn cell by cell) joined into one."""
    rules: list[dict] = []
    for edge in sorted((e for e in edges if e["orientation"] == "h"), key=lambda e: (round(e["top"]), e["x0"])):
        last = rules[-1] if rules else None
        if last is not None and abs(edge["top"] - last["top"]) <= 1 and edge["x0"] <= last["x1"] + 2:
            if edge["x1"] > last["x1"]:
                rules[-1] = dict(last, x1=edge["x1"], width=edge["x1"] - last["x0"])
        else:
            rules.append(edge)
    return rules


def _ruled_regions(rules: list[dict], words: list[dict]) -> list[tuple[float, float, float, float]]:
    """Boxes from the first to the last of a stack of rules of one width (a "Table N" line between starts a new stack)."""
    stacks: list[list[dict]] = []
    for rule in sorted(rules, key=lambda e: e["top"]):
        stack = next((s for s in reversed(stacks) if abs(rule["x0"] - s[-1]["x0"]) <= 3 and abs(rule["x1"] - s[-1]["x1"]) <= 3), None)
        if stack is not None and not any(stack[-1]["top"] < w["top"] < rule["top"] and TABLE_LABEL.match(w["text"]) for w in words):
            stack.append(rule)
        else:
            stacks.append([rule])
    regions = []
    for stack in stacks:
        if len(stack) >= 2 and stack[-1]["top"] - stack[0]["top"] > 5:
            regions.append((min(e["x0"] for e in stack), stack[0]["top"], max(e["x1"] for e in stack), stack[-1]["top"]))
    return regions


class _Words:
    """Phrases with boxes inside a region, from PDFium's character boxes (only where the text strategy needs them).

    The text strategy aligns these "words": a phrase (characters less than :data:`_PHRASE_GAP` font
    sizes apart, so spaces inside a cell join) aligns with its column, where single words of a
    multi-word cell would invent columns of their own.
    """

    def __init__(self, raw, page_height: float) -> None:
        self.raw = raw
        self.page_height = page_height
        self._box = tuple(ctypes.c_double() for _ in range(4))

    def within(self, lines: list[dict], region: tuple[float, float, float, float]) -> list[dict]:
        raw, height = self.raw, self.page_height
        indices = []
        for line in lines:
            index = pdfium_c.FPDFText_GetCharIndexAtPos(raw, line["x0"] + 0.5, height - (line["top"] + line["bottom"]) / 2, 1.0, (line["bottom"] - line["top"]) / 2)
            if index >= 0:
                indices.append((index, index + len(line["text"]) + 1))
        if not indices:
            return lines
        first, last = min(i for i, _ in indices), min(max(j for _, j in indices), pdfium_c.FPDFText_CountChars(raw))
        left, right, bottom, top = self._box
        x0, y0, x1, y1 = region
        words: list[dict] = []
        current: dict | None = None
        for index in range(first, last):
            char = chr(pdfium_c.FPDFText_GetUnicode(raw, index) or 32)
            if char.isspace() or not pdfium_c.FPDFText_GetCharBox(raw, index, left, right, bottom, top):
                continue  # a space does not end a phrase; the gap to the next character decides
            box = (left.value, height - top.value, right.value, height - bottom.value)
            if not (x0 - 1 <= box[0] and box[2] <= x1 + 1 and y0 - 1 <= box[1] and box[3] <= y1 + 1):
                current = None
                continue
            size = max(box[3] - box[1], current["bottom"] - current["top"]) if current is not None else box[3] - box[1]
            overlaps = current is not None and box[1] < current["bottom"] and current["top"] < box[3]
            if overlaps and -size < box[0] - current["x1"] < size * _PHRASE_GAP:
                current.update(x1=max(current["x1"], box[2]), bottom=max(current["bottom"], box[3]), text=current["text"] + (" " if box[0] - current["x1"] > size * 0.15 else "") + char)
            else:
                current = {"x0": box[0], "x1": box[2], "top": box[1], "bottom": box[3], "text": char}
                words.append(current)
        return words or lines


def _big_enough(cells: list) -> bool:
    xs = {round(c[0]) for c in cells}
    ys = {round(c[1]) for c in cells}
    return len(xs) >= _MIN_COLS and len(ys) >= _MIN_ROWS


def _with_text(textpage, page: PdfPage, cells: list, strategy: str) -> FoundTable:
    """Rows and columns from the cells' edges (a merged cell spans several), and each cell's text."""
    xs = sorted({round(c[0], 1) for c in cells} | {round(c[2], 1) for c in cells})
    ys = sorted({round(c[1], 1) for c in cells} | {round(c[3], 1) for c in cells})
    out = []
    for x0, top, x1, bottom in sorted(cells, key=lambda c: (round(c[1], 1), round(c[0], 1))):
        row, col = ys.index(round(top, 1)), xs.index(round(x0, 1))
        row_end, col_end = ys.index(round(bottom, 1)), xs.index(round(x1, 1))
        text = textpage.get_text_bounded(left=x0, bottom=page.height - bottom, right=x1, top=page.height - top)
        box = (round(x0, 2), round(top, 2), round(x1, 2), round(bottom, 2))
        out.append(Cell(row, col, max(1, row_end - row), max(1, col_end - col), box, _clean(text)))
    bbox = (
        round(min(c[0] for c in cells), 2),
        round(min(c[1] for c in cells), 2),
        round(max(c[2] for c in cells), 2),
        round(max(c[3] for c in cells), 2),
    )
    return FoundTable(page.number, bbox, len(ys) - 1, len(xs) - 1, tuple(out), strategy)


def _clean(text: str) -> str:
    text = re.sub(HYPHEN_MARK + r"\s*", "", text)
    return re.sub(r"\s+", " ", normalise(text)).strip()


def _page_edges(raw, height: float) -> list[dict]:
    """Horizontal and vertical edges of the page's path objects (lines, rectangles, grids), as pdfplumber's."""
    edges: list[dict] = []
    budget = [MAX_SEGMENTS]
    identity = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    count = pdfium_c.FPDFPage_CountObjects(raw)
    _object_edges((pdfium_c.FPDFPage_GetObject(raw, i) for i in range(count)), identity, height, edges, budget)
    return edges


def _object_edges(objects, outer: tuple, height: float, edges: list[dict], budget: list[int]) -> None:
    """Edges of path objects: a thin path is one ruling line read from its bounds (one call); other
    paths (rectangles, grids drawn as one path) are walked segment by segment; curves give none."""
    matrix = pdfium_c.FS_MATRIX()
    bounds = [ctypes.c_float() for _ in range(4)]
    for obj in objects:
        if budget[0] <= 0:
            return
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind == pdfium_c.FPDF_PAGEOBJ_FORM:
            if pdfium_c.FPDFPageObj_GetMatrix(obj, matrix):
                transform = _compose((matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f), outer)
                n = pdfium_c.FPDFFormObj_CountObjects(obj)
                _object_edges((pdfium_c.FPDFFormObj_GetObject(obj, i) for i in range(n)), transform, height, edges, budget)
            continue
        if kind != pdfium_c.FPDF_PAGEOBJ_PATH or not pdfium_c.FPDFPageObj_GetBounds(obj, *bounds):
            continue
        segments = pdfium_c.FPDFPath_CountSegments(obj)
        budget[0] -= segments
        (x0, y0), (x1, y1) = _apply(outer, bounds[0].value, bounds[1].value), _apply(outer, bounds[2].value, bounds[3].value)
        left, right, top, bottom = min(x0, x1), max(x0, x1), height - max(y0, y1), height - min(y0, y1)
        if bottom - top <= _THIN:
            _add_edge((left, (top + bottom) / 2), (right, (top + bottom) / 2), edges)
        elif right - left <= _THIN:
            _add_edge(((left + right) / 2, top), ((left + right) / 2, bottom), edges)
        elif segments <= 5 and pdfium_c.FPDFPathSegment_GetType(pdfium_c.FPDFPath_GetPathSegment(obj, 1)) == pdfium_c.FPDF_SEGMENT_BEZIERTO:
            continue  # a circle or curve (plot markers): no edges
        elif pdfium_c.FPDFPageObj_GetMatrix(obj, matrix):
            # the points, not the bounds, which include half the stroke width
            transform = _compose((matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f), outer)
            _segment_edges(obj, segments, transform, height, edges)


def _segment_edges(obj, segments: int, transform: tuple, height: float, edges: list[dict]) -> None:
    """The straight axis-parallel pieces of a path with several subpaths (a grid drawn in one go)."""
    x, y = ctypes.c_float(), ctypes.c_float()
    subpaths: list[list[tuple[float, float]]] = []
    for j in range(segments):
        segment = pdfium_c.FPDFPath_GetPathSegment(obj, j)
        pdfium_c.FPDFPathSegment_GetPoint(segment, x, y)
        kind = pdfium_c.FPDFPathSegment_GetType(segment)
        px, py = _apply(transform, x.value, y.value)
        point = (px, height - py)
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO:
            subpaths.append([point])
        elif subpaths:
            if kind == pdfium_c.FPDF_SEGMENT_LINETO:
                _add_edge(subpaths[-1][-1], point, edges)
            subpaths[-1].append(point)
        if subpaths and pdfium_c.FPDFPathSegment_GetClose(segment):
            _add_edge(subpaths[-1][-1], subpaths[-1][0], edges)


def _compose(inner: tuple, outer: tuple) -> tuple:
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _apply(m: tuple, x: float, y: float) -> tuple[float, float]:
    return m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]


def _add_edge(p: tuple[float, float], q: tuple[float, float], edges: list[dict]) -> None:
    (x0, y0), (x1, y1) = p, q
    if abs(y1 - y0) <= 0.01 * max(abs(x1 - x0), 1) and abs(x1 - x0) > 0:
        left, right = min(x0, x1), max(x0, x1)
        edges.append({"x0": left, "x1": right, "top": y0, "bottom": y0, "width": right - left, "height": 0, "orientation": "h", "object_type": "line"})
    elif abs(x1 - x0) <= 0.01 * max(abs(y1 - y0), 1) and abs(y1 - y0) > 0:
        top, bottom = min(y0, y1), max(y0, y1)
        edges.append({"x0": x0, "x1": x0, "top": top, "bottom": bottom, "width": 0, "height": bottom - top, "orientation": "v", "object_type": "line"})
