"""Reading order and blocks for PDF pages: columns, running headers and footers, block roles.

Why a module of its own: layout analysis is pure geometry over :class:`~._pdf_chars.PdfLine`
values, so it is tested here without PDFs and without PDFium. The rules, in order:

1. **Running lines.** A line in the top or bottom band of a page (or set sideways in its outer
   margin) is a running header or footer when its text, with digits masked, recurs in the same band
   on another page, or when it is a bare page number ("3", "Page 3 of 9"). They leave the reading text but stay blocks (role header/footer).
2. **Columns.** Per page, the gutter is the x position in the middle third of the page that the
   fewest lines cross. When few lines cross it and enough lines lie on each side, the page has two
   columns; lines that cross it (a title block, a full-width table) span both.
3. **Reading order.** Top to bottom; a spanning line closes the column region above it, which is
   read left column first, then right, and so does a band of white space across the page above a
   heading (back matter in two columns, then "References" over two columns of its own). Inside a
   column, or in a run of narrow lines on a one-column page, a gutter no line crosses with a
   column of text on each side splits it again (three-column reference lists, side bars). One-column pages are read top to bottom, left to right.
4. **Blocks.** Consecutive lines of one column with the same size and weight and a normal line gap
   (weight only matters in type large enough for a heading: small bold words, such as the titles
   in some reference lists, do not break a block).
5. **Roles.** ``title`` (largest type on page 1, with the lines right below it in the same size),
   ``heading`` (larger or bold short blocks that are
   not captions, figure-panel letters, bylines or text set sideways), ``caption`` ("Figure 2",
   "Table 1." ...), ``footnote`` (small type low on a page), ``header``/``footer`` (running lines)
   and ``body``. The body size is the size of most prose (tables and captions excluded).
6. **Heading levels.** A heading's *style* is its size, weight and capitals. The section style is
   the style of the document's rhetorical headings ("Introduction", "Methods", "Results",
   "References" ...), whatever their size: it is level 1, smaller or lighter styles are levels 2,
   3 ... in rank order; larger styles after the first section heading rank among themselves from
   level 1 (a back part such as "Open Peer Review" has sub-headings of its own). Unnumbered headings before the first section heading other than "Abstract",
   "Keywords" and the like are page furniture or boxes of the front matter (a collection banner, a
   journal logo line, a peer-review status box) and become body text. Numbering ("2.1.") decides the depth of numbered headings, and of unnumbered headings in a
   style only numbered headings of one depth use. Without rhetorical headings, levels are the style ranks.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace

from ._pdf_chars import PdfLine, PdfPage

BAND = 0.085  # share of the page height that holds running headers (top) and footers (bottom)
SIDE_BAND = 0.12  # share of the page width, left and right, where running text may be set sideways
_PAGE_NUMBER = re.compile(r"^\W*(?:page\s*)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?\W*$", re.IGNORECASE)
_CAPTION = re.compile(r"^(?:supplementary\s+)?(?:fig(?:ure)?s?\.?|table|scheme|chart|plate|box)\s*[SA]?\d+[A-Za-z]?(?:[.:|)\s]|$)", re.IGNORECASE)
_NUMBERING = re.compile(r"^(?:(\d{1,2}(?:\.\d{1,2}){0,4})\.?|([IVX]{1,5})\.|([A-H])\.)\s+(?=\S)")
_MAX_HEADING_CHARS = 160
_BARE_MARKER = re.compile(r"^\s*(?:\[\d{1,3}\]|\d{1,3}\.|\(\d{1,3}\))\s*$")
_REFERENCES_HEADING = re.compile(r"^(?:\d{1,2}\.?\s+)?(?:references?|bibliography|literature\s+cited|works\s+cited|reference\s+list)\b", re.IGNORECASE)
_FRONT_HEADING = re.compile(r"^(?:\d{1,2}\.?\s+)?(?:abstract|summary|background|introduction|keywords?|key\s*words|highlights|objectives?)\b", re.IGNORECASE)
#: Rhetorical headings every publisher sets in its top-level section style.
_SECTION_HEADING = re.compile(
    r"^(?:(?:\d{1,2}|[IVX]{1,5})\.?\s+)?(?:introduction|background|(?:materials?|patients|subjects)\s+and\s+methods|methods?|methodology"
    r"|results?|results\s+and\s+discussion|discussion|conclusions?|references|acknowledge?ments?)$",
    re.IGNORECASE,
)
#: Affiliation markers after a name ("Rao,1 Jayasri", "Landi1 and"): a byline, not a heading.
_BYLINE_MARKERS = re.compile(r"[a-z](?:,?\d{1,2}(?:,\d{1,2})*\*?)(?:,\s|\s+and\s|$)")
#: Only arabic or roman numbering makes a front-matter line a heading ("A. Justine Landi" is a name).
_SECTION_NUMBER = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2}){0,4}\.?|[IVX]{1,5}\.)\s+(?=[A-Z])")
#: A heading needs a word of three letters (figure-panel letters "A", "AB", "C" are not headings).
_WORD3 = re.compile(r"[^\W\d_]{3}")
#: A page with this much prose has a body size of its own.
_MIN_PAGE_PROSE_CHARS = 600
#: Typeset text is at least this many font sizes wide per character; a narrower box is text set sideways.
_MIN_CHAR_WIDTH_IN_SIZES = 0.2
#: Column regions inside a page or a column: lines at most this share of the text width are candidates,
#: a column has at least this many lines, this share of the page width, and mostly lines of words.
_NARROW_LINE_SHARE = 0.55
_MIN_COLUMN_LINES = 5
_MIN_COLUMN_SHARE = 0.12
_MIN_WORDY_SHARE = 0.6
_MIN_GUTTER_POINTS = 4.0
#: White space across a two-column page this many line heights tall, above a heading, starts new columns.
_REGION_GAP_IN_LINES = 3.0
#: A bold block is a heading candidate down to this many points below the body size.
_BOLD_HEADING_BELOW_BODY = 0.6


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
    page_body_sizes: dict[int, float] = field(default_factory=dict)  # pages with enough prose of their own


def analyse(pages: list[PdfPage]) -> Layout:
    """Blocks in reading order, with roles, for ``pages``."""
    # a list number set apart from its entry joins it first: at a page's top "5." is no page number
    pages = [replace(page, lines=tuple(attach_list_markers(list(page.lines)))) for page in pages]
    running = running_lines(pages)
    body_size = _body_size(pages, running)
    layout = Layout(body_size=body_size, page_body_sizes=_page_body_sizes(pages, running))
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


def attach_list_markers(lines: list[PdfLine]) -> list[PdfLine]:
    """A bare list number ("6.", "[6]") set apart from its entry's text joins the text on its right.

    Reference lists with the numbers in a column of their own come out of PDFium as two lines per
    row; joined, the entry starts with its number as in any other numbered list.
    """
    markers = [l for l in lines if _BARE_MARKER.match(l.text)]
    if not markers:
        return lines
    joined: dict[int, PdfLine] = {}
    used: set[int] = set()
    for marker in markers:
        right = [
            l for l in lines
            if l is not marker and id(l) not in used and not _BARE_MARKER.match(l.text)
            and abs(l.y0 - marker.y0) < 0.5 * max(marker.height, 1.0) and 0 <= l.x0 - marker.x1 < 3 * max(l.size, 1.0)
        ]
        if not right:
            continue
        text = min(right, key=lambda l: l.x0)
        used.add(id(text))
        joined[id(marker)] = PdfLine(text.page, f"{marker.text.strip()} {text.text}", marker.x0, min(marker.y0, text.y0), text.x1, max(marker.y1, text.y1), size=text.size, bold=text.bold)
    return [joined.get(id(l), l) for l in lines if id(l) not in used]


def running_lines(pages: list[PdfPage]) -> set[tuple[int, int]]:
    """(page, line index) of running headers, footers and page numbers."""
    candidates: dict[tuple[str, str], set[int]] = {}
    located: list[tuple[int, int, str, str]] = []
    for page in pages:
        for i, line in enumerate(page.lines):
            band = "top" if line.y1 <= page.height * BAND else "bottom" if line.y0 >= page.height * (1 - BAND) else _side_band(line, page.width)
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


def _side_band(line: PdfLine, width: float) -> str | None:
    """"side" for text set sideways in a page's outer margin (a journal name running up the edge)."""
    in_margin = line.x0 >= width * (1 - SIDE_BAND) or line.x1 <= width * SIDE_BAND
    sideways = len(line.text.strip()) >= 4 and line.y1 - line.y0 > 2 * (line.x1 - line.x0)  # not a lone digit
    return "side" if in_margin and sideways else None


def pages_line_text(pages: list[PdfPage], number: int, index: int) -> str:
    return next(p for p in pages if p.number == number).lines[index].text


def _body_size(pages: list[PdfPage], running: set[tuple[int, int]]) -> float:
    """The size of most prose: lines of five or more words, mostly words (table rows are numbers)."""
    prose: Counter = Counter()
    every: Counter = Counter()
    for page in pages:
        for i, line in enumerate(page.lines):
            if (page.number, i) in running:
                continue
            size = round(line.size * 2) / 2
            every[size] += len(line.text)
            if _is_prose_line(line.text):
                prose[size] += len(line.text)
    weights = prose or every
    return weights.most_common(1)[0][0] if weights else 10.0


def _page_body_sizes(pages: list[PdfPage], running: set[tuple[int, int]]) -> dict[int, float]:
    """Per page with enough prose, its prose size (a referee report or a table page set in larger type)."""
    sizes = {}
    for page in pages:
        prose: Counter = Counter()
        for i, line in enumerate(page.lines):
            if (page.number, i) not in running and _is_prose_line(line.text):
                prose[round(line.size * 2) / 2] += len(line.text)
        if sum(prose.values()) >= _MIN_PAGE_PROSE_CHARS:
            sizes[page.number] = prose.most_common(1)[0][0]
    return sizes


def _is_prose_line(text: str) -> bool:
    tokens = text.split()
    words = sum(1 for t in tokens if t.strip("(),.;:").isalpha())
    return len(tokens) >= 5 and words >= 0.7 * len(tokens)


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
    """Lines in reading order, the column of each ("L", "R", "S", or a sub-column), and whether the page has columns."""
    gutter = find_gutter(lines, width)
    if gutter is None:
        ordered, columns = _column_regions(_top_down(lines), width)
        return ordered, columns, any(c != "S" for c in columns)
    ordered, columns = [], []
    left: list[PdfLine] = []
    right: list[PdfLine] = []

    def flush() -> None:
        for column, group in (("L", left), ("R", right)):
            for label, part in _split_columns(group, width, column):
                for line in _top_down(part):
                    ordered.append(line)
                    columns.append(label)
        left.clear()
        right.clear()

    breaks = _region_breaks(lines)
    for line in sorted(lines, key=lambda l: (l.y0, l.x0)):
        if id(line) in breaks:
            flush()
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


def _region_breaks(lines: list[PdfLine]) -> set[int]:
    """ids of lines that open a new region of columns: a short heading-like line after a band of
    white space across the whole page (a reference list set under two columns of back matter)."""
    heights = sorted(l.height for l in lines)
    gap_needed = _REGION_GAP_IN_LINES * max(heights[len(heights) // 2], 1.0)
    breaks = set()
    reach = None
    for line in sorted(lines, key=lambda l: (l.y0, l.x0)):
        if reach is not None and line.y0 - reach >= gap_needed and _heading_like(line.text):
            breaks.add(id(line))
        reach = line.y1 if reach is None else max(reach, line.y1)
    return breaks


def _heading_like(text: str) -> bool:
    text = text.strip()
    return bool(_WORD3.search(text)) and len(text.split()) <= 6 and not text.endswith((".", ",", ";")) and text[:1].isupper()


def _column_regions(ordered: list[PdfLine], width: float) -> tuple[list[PdfLine], list[str]]:
    """A one-column page's runs of narrow lines that stand in columns side by side (a reference list
    in three columns under full-width text), each read column by column; the rest stays top-down."""
    if len(ordered) < 2 * _MIN_COLUMN_LINES:
        return ordered, ["S"] * len(ordered)
    extent = max(l.x1 for l in ordered) - min(l.x0 for l in ordered)
    out: list[PdfLine] = []
    columns: list[str] = []
    run: list[PdfLine] = []

    def flush() -> None:
        for label, part in _split_columns(run, width, "C"):
            for line in _top_down(part):
                out.append(line)
                columns.append(label if label != "C" else "S")
        run.clear()

    for line in ordered:
        if line.x1 - line.x0 <= _NARROW_LINE_SHARE * extent:
            run.append(line)
        else:
            flush()
            out.append(line)
            columns.append("S")
    flush()
    return out, columns


def _split_columns(lines: list[PdfLine], width: float, label: str) -> list[tuple[str, list[PdfLine]]]:
    """``lines`` cut at vertical gutters that no line crosses, left to right, when each side is a
    column of text; labels are ``label`` for the first part and ``label`` + index for the others."""
    parts = _cut_columns(lines, width)
    return [(label if i == 0 else f"{label}{i + 1}", part) for i, part in enumerate(parts)]


def _cut_columns(lines: list[PdfLine], width: float) -> list[list[PdfLine]]:
    if len(lines) < 2 * _MIN_COLUMN_LINES:
        return [lines]
    for gap in _gaps(lines):
        left = [l for l in lines if l.x1 <= gap]
        right = [l for l in lines if l.x0 >= gap]
        if _is_text_column(left, width) and _is_text_column(right, width) and _side_by_side(left, right):
            return [left] + _cut_columns(right, width)
    return [lines]


def _gaps(lines: list[PdfLine]) -> list[float]:
    """x in the middle of each stretch, left to right, that no line covers (at least a few points wide)."""
    spans = sorted((l.x0, l.x1) for l in lines)
    gaps = []
    reach = spans[0][1]
    for x0, x1 in spans[1:]:
        if x0 - reach >= _MIN_GUTTER_POINTS:
            gaps.append((reach + x0) / 2)
        reach = max(reach, x1)
    return gaps


def _is_text_column(lines: list[PdfLine], width: float) -> bool:
    """Enough lines, wide enough, and mostly words (not a table's cells or a figure's labels)."""
    if len(lines) < _MIN_COLUMN_LINES:
        return False
    if max(l.x1 for l in lines) - min(l.x0 for l in lines) < _MIN_COLUMN_SHARE * width:
        return False
    wordy = sum(1 for l in lines if sum(1 for t in l.text.split() if _WORD3.search(t)) >= 2)
    return wordy >= _MIN_WORDY_SHARE * len(lines)


def _side_by_side(left: list[PdfLine], right: list[PdfLine]) -> bool:
    """Whether two groups of lines share most of their height (columns, not blocks one above the other)."""
    top = max(min(l.y0 for l in left), min(l.y0 for l in right))
    bottom = min(max(l.y1 for l in left), max(l.y1 for l in right))
    shorter = min(max(l.y1 for l in left) - min(l.y0 for l in left), max(l.y1 for l in right) - min(l.y0 for l in right))
    return bottom - top >= 0.5 * max(shorter, 1.0)


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
        if blocks and _continues(blocks[-1], line, column, body_size):
            blocks[-1].lines.append(line)
        else:
            blocks.append(Block(page, [line], column=column))
    return blocks


def _continues(block: Block, line: PdfLine, column: str, body_size: float) -> bool:
    previous = block.lines[-1]
    if column != block.column or abs(line.size - previous.size) > 0.6:
        return False
    if line.bold != previous.bold and max(line.size, previous.size) >= body_size - _BOLD_HEADING_BELOW_BODY:
        return False  # a bold line could be a heading; in small type (a reference list's bold titles) it cannot
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
        below = _title_continuations(layout.blocks, title)
        title.lines.extend(line for block in below for line in block.lines)
        for block in below:
            layout.blocks.remove(block)
            content.remove(block)
    front_matter = _front_matter(content, title)
    in_references = False
    for block in content:
        if block is title:
            continue
        text = block.plain
        page = pages[block.page]
        if _CAPTION.match(text) and block.size <= body + 0.5:
            block.role = "caption"
        elif _looks_like_heading(block, body, max(body, layout.page_body_sizes.get(block.page, body))) and (id(block) not in front_matter or _FRONT_HEADING.match(text) or _SECTION_NUMBER.match(text)):
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


def _title_continuations(blocks: list[Block], title: Block) -> list[Block]:
    """Blocks right below the title in its type size (a title's last line set in another weight).

    Only below: a kicker above the title in its size ("Research Article") is not part of it.
    """
    below: list[Block] = []
    for block in blocks[blocks.index(title) + 1 :]:
        if not _same_title(title, block, block.lines[0], (below[-1] if below else title).lines[-1]):
            break
        below.append(block)
    return below


def _same_title(title: Block, block: Block, lower: PdfLine, upper: PdfLine) -> bool:
    """Whether ``block`` continues the title: body block, same page and size, the next line down, aligned."""
    size = title.size
    return (
        block.role == "body"
        and block.page == title.page
        and abs(block.size - size) <= 0.5
        and 0 <= lower.y0 - upper.y1 < 0.8 * size
        and abs(block.bbox[0] - title.bbox[0]) <= size
    )


def _looks_like_heading(block: Block, body: float, page_body: float) -> bool:
    """Short, not a sentence, in type larger than the page's prose or bold at about body size."""
    text = block.plain.strip()
    if len(block.lines) > 3 or len(text) > _MAX_HEADING_CHARS or not _WORD3.search(text):
        return False
    if _BYLINE_MARKERS.search(text) or _set_sideways(block):
        return False
    if text.endswith((".", ",", ";")) and not _NUMBERING.match(text + " x") and len(text.split()) > 6:
        return False
    larger = block.size >= page_body + 0.9
    bold = block.bold and block.size >= body - _BOLD_HEADING_BELOW_BODY
    return larger or bold


def _set_sideways(block: Block) -> bool:
    """Whether a block's box is far too narrow for its text (a rotated table page, garbled geometry)."""
    width = max(l.x1 for l in block.lines) - min(l.x0 for l in block.lines)
    longest = max(len(l.text) for l in block.lines)
    return longest >= 8 and width < longest * block.size * _MIN_CHAR_WIDTH_IN_SIZES


Style = tuple[float, bool, bool]


def heading_style(block: Block) -> Style:
    """Size (to half a point), bold, all capitals: what sets one heading level apart from another."""
    letters = [c for c in block.plain if c.isalpha()]
    caps = len(letters) >= 2 and all(c.isupper() for c in letters)
    return (round(block.size * 2) / 2, block.bold, caps)


def _section_style(headings: list[Block]) -> Style | None:
    """The style most rhetorical headings use (the larger one on a tie), or None without them."""
    counts = Counter(heading_style(b) for b in headings if _SECTION_HEADING.match(b.plain.strip()))
    if not counts:
        return None
    return max(counts, key=lambda style: (counts[style], style))


def _heading_levels(headings: list[Block]) -> None:
    anchor = _section_style(headings)
    if anchor is not None:
        headings = _drop_front_furniture(headings, anchor)
    styles = sorted({heading_style(b) for b in headings}, reverse=True)
    below = styles[styles.index(anchor) :] if anchor is not None else styles
    above = _part_styles(headings, anchor) if anchor is not None else []
    numbered_depths: dict[Style, Counter] = {}
    for block in headings:
        match = _NUMBERING.match(block.plain)
        if match and match.group(1):
            numbered_depths.setdefault(heading_style(block), Counter())[match.group(1).count(".") + 1] += 1
    for block in headings:
        match = _NUMBERING.match(block.plain)
        style = heading_style(block)
        if match and match.group(1):
            block.heading_level = min(match.group(1).count(".") + 1, 6)
        elif style in numbered_depths and len(numbered_depths[style]) == 1:
            block.heading_level = next(iter(numbered_depths[style]))
        elif style in below:
            block.heading_level = min(below.index(style) + 1, 6)
        else:
            block.heading_level = min(above.index(style) + 1, 6) if style in above else 1


def _part_styles(headings: list[Block], anchor: Style) -> list[Style]:
    """Styles larger than the section style used after the first section heading, largest first.

    They head parts above the sections ("Open Peer Review" over its referee reports) and rank among
    themselves; a larger "Abstract" before the sections is level 1 like the sections.
    """
    first = next(i for i, b in enumerate(headings) if heading_style(b) == anchor)
    return sorted({heading_style(b) for b in headings[first:] if heading_style(b) > anchor}, reverse=True)


def _drop_front_furniture(headings: list[Block], anchor: Style) -> list[Block]:
    """Unnumbered, non-rhetorical "headings" before the first section-style one are banners and boxes: body text."""
    kept = []
    seen_section = False
    for block in headings:
        style = heading_style(block)
        seen_section = seen_section or style == anchor
        if not seen_section and not _FRONT_HEADING.match(block.plain) and not _SECTION_NUMBER.match(block.plain) and not _SECTION_HEADING.match(block.plain.strip()):
            block.role = "body"
            continue
        kept.append(block)
    return kept
