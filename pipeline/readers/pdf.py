"""PDF reader: a scientific article's PDF to the reading-order text, with page and box provenance.

Why this shape: the stages downstream read text and the ``lines`` layer and must work unchanged, so
the reader's job is to give them the text a careful human would copy out of the PDF: the columns in
reading order, running headers, footers and page numbers out of the way, words broken across lines
joined again, ligatures undone, each paragraph, heading, caption and footnote its own block. Where
the PDF's typography says a line is a heading (larger or bold type, numbering), the ``lines`` layer
marks it, so the sections stage builds the hierarchy from it instead of guessing.

Pipeline: :mod:`._pdf_chars` (PDFium: lines with boxes, sizes, weight, hyphenation marks) ->
:mod:`._pdf_layout` (running lines, columns, reading order, blocks and roles) -> :mod:`._pdf_text`
(text, hyphenation, normalisation) -> :mod:`._pdf_tables` (tables on pages with a "Table N" caption,
cells located in the text) -> layers here. Bad PDFs (encrypted, damaged, no pages, no text)
raise coded input errors; text that a broken font encoding turned into gibberish gives a record with
a ``pdf-text-quality`` warning. Pages past :data:`MAX_PAGES` are not read (with a warning), and each
page is closed once read, so time and memory stay bounded.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter

from ..document import Document, Source, Span
from ..errors import NoTextLayerError
from ..layers import LINES, PDF_BLOCKS, PDF_PAGES, TABLES, WARNINGS
from ._pdf_chars import PdfPage, open_pdf, read_page
from ._pdf_layout import analyse
from ._pdf_tables import TABLE_LABEL, FoundTable, candidate_pages, find_tables
from ._pdf_text import PlacedBlock, compose

MEDIA_TYPE = "application/pdf"
#: Pages read at most; the rest of a longer PDF is skipped with a warning (books are not articles).
MAX_PAGES = 1000
#: Fewer visible characters than this in the whole PDF means it has no usable text layer.
MIN_TEXT_CHARS = 20
#: Below this text-quality score the text is probably gibberish from a broken font encoding.
QUALITY_WARNING_BELOW = 0.75

_TOKEN = re.compile(r"\S+")
_EDGE_PUNCTUATION = "()[]{}\"'“”‘’.,;:!?*†‡§¶"
_WORDLIKE = re.compile(r"^[A-Za-z\u00c0-\u024f\u0370-\u03ff0-9]+(?:[-'’/.][A-Za-z\u00c0-\u024f\u0370-\u03ff0-9]+)*$")
_VOWEL = re.compile(r"[aeiouyAEIOUYà-ÿα-ω]")


def read_pdf_bytes(data: bytes, *, path: str) -> Document:
    """Read a PDF's bytes into a Document with ``lines``, ``pdf_blocks``, ``pdf_pages``, ``tables`` and warnings."""
    document = open_pdf(data, path=path)
    try:  # the document stays open until the table finder has revisited its candidate pages
        total_pages = len(document)
        pages = [read_page(document, index, path=path) for index in range(min(total_pages, MAX_PAGES))]
        visible = sum(len(line.text.strip()) for page in pages for line in page.lines)
        if visible < MIN_TEXT_CHARS:
            raise NoTextLayerError(
                f"the PDF's {total_pages} page(s) carry no text layer (a scan or images only); run OCR on it (e.g. ocrmypdf) and convert the result",
                path=path,
            )
        layout = analyse(pages)
        text, placed = compose(layout.blocks)
        tables = [table for number in candidate_pages(placed, text) for table in find_tables(document, pages[number - 1])]
    finally:
        document.close()
    source = Source(path=path, media_type=MEDIA_TYPE, sha256=hashlib.sha256(data).hexdigest(), bytes=len(data), encoding=None, pages=total_pages)
    quality = text_quality(text)
    doc = Document(text, source)
    page_spans = _page_spans(pages, placed, len(text), quality)
    return doc.with_layers(
        {
            LINES: _line_spans(text, placed),
            PDF_BLOCKS: _block_spans(placed),
            PDF_PAGES: page_spans,
            TABLES: _table_spans(tables, text, placed, page_spans),
            WARNINGS: _warnings(pages, total_pages, quality),
        }
    )


def text_quality(text: str) -> float:
    """Share of tokens with letters that look like words, less the share of unmapped characters.

    A token looks like a word when, stripped of surrounding punctuation, it is made of Latin or
    Greek letters, digits and inner hyphens/apostrophes/slashes, and has a vowel, a digit or at most
    four letters (abbreviations). Clean articles score about 0.95; text from fonts without a usable
    Unicode map scores far lower, because its "words" are runs of symbols and consonants.
    """
    with_letters = wordlike = 0
    for token, count in Counter(_TOKEN.findall(text)).items():  # each distinct token judged once
        token = token.strip(_EDGE_PUNCTUATION)
        if any(c.isalpha() for c in token):
            with_letters += count
            if _WORDLIKE.match(token) and (_VOWEL.search(token) or len(token) <= 4 or any(c.isdigit() for c in token)):
                wordlike += count
    if not with_letters:
        return 0.0
    unmapped = text.count("\ufffd") / max(len(text), 1)
    return round(max(0.0, wordlike / with_letters - unmapped), 3)


def _line_spans(text: str, placed: list[PlacedBlock]) -> list[Span]:
    """Every line of the text; heading blocks' lines (and run-in headings) carry markup "heading" and heading_level."""
    headings = {}
    for item in placed:
        if item.block.role == "heading" and item.line_offsets:
            headings[item.line_offsets[0][0]] = item.block.heading_level or 1
        for index, depth in item.run_in_headings:
            headings[item.line_offsets[index][0]] = min(depth, 6)
    spans, offset = [], 0
    for line in text.split("\n"):
        start, end = offset, offset + len(line)
        offset = end + 1
        attrs: dict = {"markup": "blank" if not line.strip() else None}
        if start in headings:
            attrs.update(markup="heading", heading_level=headings[start], marker_end=start)
        spans.append(Span(start, end, "line", attrs))
    return spans


def _block_spans(placed: list[PlacedBlock]) -> list[Span]:
    spans = []
    for item in placed:
        block = item.block
        attrs = {
            "page": block.page,
            "bbox": [round(v, 2) for v in block.bbox],
            "font_size": round(block.size, 2),
            "bold": block.bold,
            "role": block.role,
        }
        if block.heading_level is not None:
            attrs["heading_level"] = block.heading_level
        if item.start == item.end:
            attrs["text"] = block.plain  # running header/footer: kept here, not in the reading text
        spans.append(Span(item.start, item.end, block.role, attrs))
    return spans


def _page_spans(pages: list[PdfPage], placed: list[PlacedBlock], length: int, quality: float) -> list[Span]:
    """One span per page, from its first block's start to the next page's first block."""
    starts: dict[int, int] = {}
    for item in placed:
        if item.start != item.end or item.block.role not in ("header", "footer"):
            starts.setdefault(item.block.page, item.start)
    spans = []
    numbers = [p.number for p in pages]
    for i, page in enumerate(pages):
        start = starts.get(page.number)
        if start is None:
            start = spans[-1].end if spans else 0
        later = [starts[n] for n in numbers[i + 1 :] if n in starts]
        end = max(start, later[0] - 2 if later else length)
        attrs = {"number": page.number, "width": round(page.width, 2), "height": round(page.height, 2), "text_quality": quality}
        if page.glyphs is not None:
            attrs["glyph_consistency"] = page.glyphs.consistency
        spans.append(Span(start, min(end, length), "page", attrs))
    return spans


def _table_spans(tables: list[FoundTable], text: str, placed: list[PlacedBlock], page_spans: list[Span]) -> list[Span]:
    """One span per table: over the text its cells were found in, else its caption, else empty at its page's start."""
    spans = []
    for table in tables:
        lo, hi = _table_region(table, placed, page_spans)
        cells, cursor = [], lo
        for cell in table.cells:
            found = _locate(cell.text, text, cursor, hi) or _locate(cell.text, text, lo, hi)
            if found:
                cursor = found[1]
            start, end = found or (None, None)
            cells.append(
                {
                    "row": cell.row,
                    "col": cell.col,
                    "row_span": cell.row_span,
                    "col_span": cell.col_span,
                    "text": text[start:end] if found else cell.text,
                    "start": start,
                    "end": end,
                    "bbox": list(cell.bbox),
                }
            )
        caption = _nearest_caption(table, placed, text)
        located = [(c["start"], c["end"]) for c in cells if c["start"] is not None]
        if located:
            start, end = min(s for s, _ in located), max(e for _, e in located)
        elif caption is not None:
            start, end = caption.start, caption.end
        else:
            start = end = lo
        attrs = {
            "page": table.page,
            "bbox": list(table.bbox),
            "rows": table.rows,
            "cols": table.cols,
            "strategy": table.strategy,
            "cells": cells,
            "label": None,
            "caption_start": None,
            "caption_end": None,
        }
        if caption is not None:
            label = TABLE_LABEL.match(text[caption.start : caption.end])
            attrs.update(label=label.group(1) if label else None, caption_start=caption.start, caption_end=caption.end)
        spans.append(Span(start, end, "table", attrs))
    return spans


def _table_region(table: FoundTable, placed: list[PlacedBlock], page_spans: list[Span]) -> tuple[int, int]:
    """The stretch of text made of the page's blocks that overlap the table (its whole page if none do)."""
    inside = [item for item in placed if item.block.page == table.page and item.start < item.end and _overlaps(item.block.bbox, table.bbox)]
    if inside:
        return min(i.start for i in inside), max(i.end for i in inside)
    page = next((p for p in page_spans if p.get("number") == table.page), None)
    return (page.start, page.end) if page is not None else (0, 0)


def _overlaps(a: tuple, b: tuple) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _locate(cell_text: str, text: str, lo: int, hi: int) -> tuple[int, int] | None:
    """Where the cell's words occur in text[lo:hi], any whitespace between them; None if they do not."""
    words = cell_text.split()
    if not words or lo >= hi:
        return None
    exact = text.find(cell_text, lo, hi)
    if exact >= 0:
        return exact, exact + len(cell_text)
    match = re.compile(r"\s+".join(re.escape(w) for w in words)).search(text, lo, hi)
    return (match.start(), match.end()) if match else None


def _nearest_caption(table: FoundTable, placed: list[PlacedBlock], text: str) -> PlacedBlock | None:
    """The "Table N" caption on the table's page closest above or below it, among those overlapping it horizontally."""
    x0, y0, x1, y1 = table.bbox
    best, best_distance = None, None
    for item in placed:
        block = item.block
        if block.page != table.page or block.role != "caption" or not TABLE_LABEL.match(text[item.start : item.end]):
            continue
        bx0, by0, bx1, by1 = block.bbox
        if bx0 >= x1 or x0 >= bx1:
            continue
        distance = max(y0 - by1, by0 - y1, 0.0)
        if best_distance is None or distance < best_distance:
            best, best_distance = item, distance
    return best


def _warnings(pages: list[PdfPage], total_pages: int, quality: float) -> list[Span]:
    warnings = []
    if total_pages > len(pages):
        warnings.append(_whole("pdf-pages-skipped", f"the PDF has {total_pages} pages; only the first {len(pages)} were read"))
    empty = [p.number for p in pages if not p.lines]
    if empty:
        listed = ", ".join(str(n) for n in empty[:10]) + (" ..." if len(empty) > 10 else "")
        warnings.append(_whole("pdf-pages-without-text", f"{len(empty)} page(s) have no text layer (scanned or image-only: {listed}); their content is missing; run OCR on the PDF to include it"))
    glyphs = pages[0].glyphs if pages else None
    if glyphs is not None and glyphs.suspicious:
        words = ", ".join(sorted({word for word, _ in glyphs.patched})[:6])
        warnings.append(
            _whole(
                "pdf-font-mapping",
                f"page 1 has {len(glyphs.patched)} letter(s) drawn from another font inside a word ({words}; glyph consistency {glyphs.consistency:.4f}); "
                "that font's Unicode map is probably wrong (letters with diacritics read as other letters, e.g. 'Zaręba' as 'Zarwba'); check the names and words there against the PDF",
            )
        )
    unmapped = sum(p.unmapped for p in pages)
    if quality < QUALITY_WARNING_BELOW:
        warnings.append(
            _whole("pdf-text-quality", f"the extracted text looks garbled (text quality {quality:.2f} of 1; {unmapped} unmapped characters); the PDF's fonts probably lack a Unicode mapping; check the text, or run OCR on the PDF")
        )
    return warnings


def _whole(code: str, message: str) -> Span:
    return Span(0, 0, code, {"located": False, "message": message})
