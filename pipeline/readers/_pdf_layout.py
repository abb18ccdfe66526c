"""Reading order and blocks for PDF pages: columns, running headers and footers, block roles.

Why a module of its own: layout analysis is pure geometry over :class:`~._pdf_chars.PdfLine`
values, so it is tested here without PDFs and without PDFium. The rules, in order:

1. **Running lines.** A line in the top or bottom band of a page is a running header or footer
   when its text, with digits masked, recurs in the same band on another page, or when it is a bare
   page number ("3", "Page 3 of 9"). They leave the reading text but stay blocks (role header/footer).
2. **Columns.** Per page, the gutter is the x position in the middle third of the page that the
   fewest lines cross. When few lines cross it and enough lines lie on each side, the page has two
   columns; lines that cross it (a title block, a full-width table) span both.
3. **Reading order.** Top to bottom; a spanning line closes the column region above it, which is
   read left column first, then right. One-column pages are read top to bottom, left to right.
4. **Blocks.** Consecutive lines of one column with the same size and weight and a normal line gap.
5. **Roles.** ``title`` (largest type on page 1), ``heading`` (larger or bold short blocks that are
   not captions), ``caption`` ("Figure 2", "Table 1." ...), ``footnote`` (small type low on a page),
   ``header``/``footer`` (running lines) and ``body``. Heading levels come from numbering ("2.1."),
   else from the size rank of heading type.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from ._pdf_chars import PdfLine, PdfPage

BAND = 0.085  # share of the page height that holds running headers (top) and footers (bottom)
_PAGE_NUMBER = re.compile(r"^\W*(?:page\s*)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?\W*$", re.IGNORECASE)
_CAPTION = re.compile(r"^(?:supplementary\s+)?(?:fig(?:ure)?s?\.?|table|scheme|chart|plate|box)\s*[SA]?\d+[A-Za-z]?(?:[.:|)\s]|$)", re.IGNORECASE)
_NUMBERING = re.compile(r"^(?:(\d{1,2}(?:\.\d{1,2}){0,4})\.?|([IVX]{1,5})\.|([A-H])\.)\s+(?=\S)")
_MAX_HEADING_CHARS = 160
_REFERENCES_HEADING = re.compile(r"^(?:\d{1,2}\.?\s+)?(?:references?|bibliography|literature\s+cited|works\s+cited|reference\s+list)\b", re.IGNORECASE)
_FRONT_HEADING = re.compile(r"^(?:\d{1,2}\.?\s+)?(?:abstract|summary|background|introduction|keywords?|key\s*words|highlights|objectives?)\b", re.IGNORECASE)


@dataclass
class Block:
    """Lines that belong together, with their role in the page."""

    page: int
    lines: list[PdfLine]
    role: str = "body"
    heading_level: int | None = None
    column: str = "S"

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return (
            min(l.x0 for l in self.lines),
            min(l.y0 for l in self.lines),
            max(l.x1 for l in self.lines),
            max(l.y1 for l in self.lines),
        )

    @property
    def size(self) -> float:
        return Counter(round(l.size, 1) for l in self.lines).most_common(1)[0][0]

    @property
    def bold(self) -> bool:
        return all(l.bold for l in self.lines)

    @property
    def plain(self) -> str:
        return " ".join(l.text for l in self.lines)


@dataclass
class Layout:
    blocks: list[Block] = field(default_factory=list)  # reading order, running blocks included
    body_size: float = 10.0
    two_column_pages: int = 0


def analyse(pages: list[PdfPage]) -> Layout:
    """Blocks in reading order, with roles, for ``pages``."""
    running = running_lines(pages)
    body_size = _body_size(pages, running)
    layout = Layout(body_size=body_size)
    for page in pages:
        kept = [l for i, l in enumerate(page.lines) if (page.number, i) not in running]
        ordered, columns, two_columns = reading_order(kept, page.width)
        layout.two_column_pages += two_columns
        layout.blocks.extend(_group(ordered, columns, page.number, body_size))
        for i, line in enumerate(page.lines):
            if (page.number, i) in running:
                role = "header" if line.y1 <= page.height * 0.5 else "footer"
                layout.blocks.append(Block(page.number, [line], role=role))
    _assign_roles(layout, {p.number: p for p in pages})
    return layout


def running_lines(pages: list[PdfPage]) -> set[tuple[int, int]]:
    """(page, line index) of running headers, footers and page numbers."""
    candidates: dict[tuple[str, str], set[int]] = {}
    located: list[tuple[int, int, str, str]] = []
    for page in pages:
        for i, line in enumerate(page.lines):
            band = "top" if line.y1 <= page.height * BAND else "bottom" if line.y0 >= page.height * (1 - BAND) else None
            if band is None:
                continue
            key = re.sub(r"\d+", "#", re.sub(r"\s+", " ", line.text.lower())).strip()
            located.append((page.number, i, band, key))
            candidates.setdefault((band, key), set()).add(page.number)
    found = set()
    for number, i, band, key in located:
        text = pages_line_text(pages, number, i)
        # page 1's masthead repeats the running header (journal name) but is the only place some
        # readers see it printed in full with volume and DOI: only its page number goes
        recurring = len(candidates[(band, key)]) >= 2 and number != pages[0].number
        if _PAGE_NUMBER.match(text) or recurring:
            found.add((number, i))
    return found


def pages_line_text(pages: list[PdfPage], number: int, index: int) -> str:
    return next(p for p in pages if p.number == number).lines[index].text


def _body_size(pages: list[PdfPage], running: set[tuple[int, int]]) -> float:
    weights: Counter = Counter()
    for page in pages:
        for i, line in enumerate(page.lines):
            if (page.number, i) not in running:
                weights[round(line.size * 2) / 2] += len(line.text)
    return weights.most_common(1)[0][0] if weights else 10.0


def find_gutter(lines: list[PdfLine], width: float) -> float | None:
    """The x of a column gutter in the page's middle third, or None for a one-column page."""
    if len(lines) < 6:
        return None
    best_x, best_crossing = None, None
    step = max(width / 120, 1.0)
    x = width / 3
    while x <= width * 2 / 3:
        crossing = sum(1 for l in lines if l.x0 < x - 1 < x + 1 < l.x1)
        if best_crossing is None or crossing < best_crossing:
            best_x, best_crossing = x, crossing
        x += step
    left = sum(1 for l in lines if l.x1 <= best_x)
    right = sum(1 for l in lines if l.x0 >= best_x)
    if best_crossing <= 0.5 * len(lines) and left >= 3 and right >= 3 and right >= 0.12 * len(lines):
        return best_x
    return None


def reading_order(lines: list[PdfLine], width: float) -> tuple[list[PdfLine], list[str], bool]:
    """Lines in reading order, the column of each ("L", "R", "S"), and whether the page has two columns."""
    gutter = find_gutter(lines, width)
    if gutter is None:
        ordered = _top_down(lines)
        return ordered, ["S"] * len(ordered), False
    ordered, columns = [], []
    left: list[PdfLine] = []
    right: list[PdfLine] = []

    def flush() -> None:
        for column, group in (("L", left), ("R", right)):
            for line in _top_down(group):
                ordered.append(line)
                columns.append(column)
        left.clear()
        right.clear()

    for line in sorted(lines, key=lambda l: (l.y0, l.x0)):
        last = ordered[-1] if ordered and not left and not right else None
        if last is not None and columns[-1] == "S" and _same_block_below(last, line):
            ordered.append(line)  # the short last line of a full-width block (a title's second line)
            columns.append("S")
        elif line.x1 <= gutter + 1:
            left.append(line)
        elif line.x0 >= gutter - 1:
            right.append(line)
        else:
            flush()
            ordered.append(line)
            columns.append("S")
    flush()
    return ordered, columns, True


def _same_block_below(above: PdfLine, line: PdfLine) -> bool:
    return abs(above.size - line.size) <= 0.3 and above.bold == line.bold and 0 <= line.y0 - above.y1 < 0.8 * line.size and abs(line.x0 - above.x0) < 2 * line.size


def _top_down(lines: list[PdfLine]) -> list[PdfLine]:
    """Top to bottom; lines sharing a baseline band are read left to right."""
    rows: list[list[PdfLine]] = []
    for line in sorted(lines, key=lambda l: (l.y0, l.x0)):
        if rows and abs(line.y0 - rows[-1][0].y0) < 0.5 * max(min(line.height, rows[-1][0].height), 1.0):
            rows[-1].append(line)
        else:
            rows.append([line])
    return [line for row in rows for line in sorted(row, key=lambda l: l.x0)]


def _group(lines: list[PdfLine], columns: list[str], page: int, body_size: float) -> list[Block]:
    blocks: list[Block] = []
    for line, column in zip(lines, columns):
        if blocks and _continues(blocks[-1], line, column):
            blocks[-1].lines.append(line)
        else:
            blocks.append(Block(page, [line], column=column))
    return blocks


def _continues(block: Block, line: PdfLine, column: str) -> bool:
    previous = block.lines[-1]
    if column != block.column or abs(line.size - previous.size) > 0.6 or line.bold != previous.bold:
        return False
    gap = line.y0 - previous.y1
    if gap < -0.5 * previous.height or gap > 0.8 * max(previous.size, line.size):
        return False
    if _CAPTION.match(line.text) and not _CAPTION.match(block.lines[0].text):
        return False
    return True


def _assign_roles(layout: Layout, pages: dict[int, PdfPage]) -> None:
    body = layout.body_size
    content = [b for b in layout.blocks if b.role == "body"]
    title = _title_block(content, pages, body)
    if title is not None:
        title.role = "title"
    front_matter = _front_matter(content, title)
    in_references = False
    for block in content:
        if block is title:
            continue
        text = block.plain
        page = pages[block.page]
        if _CAPTION.match(text) and block.size <= body + 0.5:
            block.role = "caption"
        elif _looks_like_heading(block, body) and (id(block) not in front_matter or _FRONT_HEADING.match(text) or _NUMBERING.match(text)):
            block.role = "heading"
            in_references = bool(_REFERENCES_HEADING.match(text))
        elif block.size < body - 0.8 and block.bbox[1] > page.height * 0.72 and not in_references:
            block.role = "footnote"
    _heading_levels([b for b in content if b.role == "heading"])


def _front_matter(blocks: list[Block], title: Block | None) -> set[int]:
    """ids of first-page blocks before the first paragraph of running text (title, bylines, affiliations).

    Bylines are often set in the same bold type as section headings; only a canonical front-matter
    heading ("Abstract", "Keywords") or a numbered one is a heading there.
    """
    first_page = blocks[0].page if blocks else 1
    zone: set[int] = set()
    for block in blocks:
        if block.page != first_page or (len(block.lines) >= 3 and len(block.plain) >= 250):
            break
        zone.add(id(block))
    return zone


def _title_block(blocks: list[Block], pages: dict[int, PdfPage], body: float) -> Block | None:
    first_page = [b for b in blocks if b.page == min(pages) and b.bbox[1] < pages[b.page].height * 0.6]
    candidates = [b for b in first_page if b.size >= body + 1.5 and any(c.isalpha() for c in b.plain) and len(b.plain) >= 12]
    if not candidates:
        return None
    largest = max(b.size for b in candidates)
    tied = [b for b in candidates if b.size >= largest - 0.5]
    return max(tied, key=lambda b: len(b.plain))


def _looks_like_heading(block: Block, body: float) -> bool:
    text = block.plain.strip()
    if len(block.lines) > 3 or len(text) > _MAX_HEADING_CHARS or not any(c.isalpha() for c in text):
        return False
    if text.endswith((".", ",", ";")) and not _NUMBERING.match(text + " x") and len(text.split()) > 6:
        return False
    larger = block.size >= body + 0.9
    bold = block.bold and block.size >= body - 0.6
    return larger or bold


def _heading_levels(headings: list[Block]) -> None:
    sizes = sorted({round(b.size * 2) / 2 for b in headings}, reverse=True)
    numbered_depths: dict[float, Counter] = {}
    for block in headings:
        match = _NUMBERING.match(block.plain)
        if match and match.group(1):
            numbered_depths.setdefault(round(block.size * 2) / 2, Counter())[match.group(1).count(".") + 1] += 1
    for block in headings:
        match = _NUMBERING.match(block.plain)
        size = round(block.size * 2) / 2
        if match and match.group(1):
            block.heading_level = min(match.group(1).count(".") + 1, 6)
        elif size in numbered_depths:
            block.heading_level = numbered_depths[size].most_common(1)[0][0]
        else:
            block.heading_level = min(sizes.index(size) + 1, 6)
