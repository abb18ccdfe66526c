"""Text lines with boxes and typography from a PDF, through pypdfium2 (PDFium).

Why PDFium and why per line: PDFium reads characters with their font, size and position about six
times faster than pdfminer (pdfplumber's engine), and it marks hyphenated line breaks and the spaces
and line breaks it inferred itself. Asking PDFium about every character costs one foreign call each,
which alone would halve the reader's speed, so this module takes the page text in one call, splits it
at PDFium's own line breaks, and asks for geometry (text-run rectangles) and typography (up to three
sampled characters) once per line. A line whose runs sit far apart (two columns at one height, table
cells) is split at the gap. Everything returned is plain Python data; pages are closed as soon as
they are read, so memory stays bounded whatever the page count.

Coordinates are PDF points with the origin at the page's top-left corner (y grows downwards), the
convention of pdfplumber and of the record's ``layout`` boxes.
"""

from __future__ import annotations

import ctypes
import dataclasses
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from ..errors import DamagedPdfError, EmptyPdfError, EncryptedPdfError
from ._pdf_glyphs import GlyphCheck, check_page

#: PDFium's text marks a hyphen it recognised at a line break with U+FFFE (U+0002 in GetUnicode).
HYPHEN_MARK = "\ufffe"
_LINE_BREAKS = "\r\n"
_BOLD_SUFFIX = re.compile(r"\.bi?$")
_BREAK = re.compile("\r\n|[\r\n\ufffe]")
_SURROGATE = re.compile("[\ud800-\udfff]")
#: Runs of one line further apart than this many font sizes are separate lines (columns, cells).
_SPLIT_GAP_IN_SIZES = 1.6
_BOLD_NAME_PARTS = ("bold", "black", "heavy", "demi", "-bd", ",bd")
_FORCE_BOLD_FLAG = 0x40000
_BOLD_WEIGHT = 600


@dataclass(frozen=True)
class PdfLine:
    """One visual line of text on a page, as PDFium laid it out."""

    page: int  # 1-based
    text: str  # may end with HYPHEN_MARK when the line ends in a hyphenated word break
    x0: float
    y0: float
    x1: float
    y1: float
    size: float  # effective font size in points (median of sampled characters)
    bold: bool

    @property
    def hyphenated(self) -> bool:
        return self.text.endswith(HYPHEN_MARK)

    @property
    def height(self) -> float:
        return self.y1 - self.y0


@dataclass(frozen=True)
class PdfPage:
    number: int  # 1-based
    width: float
    height: float
    lines: tuple[PdfLine, ...]
    chars: int  # characters PDFium found (generated ones included)
    unmapped: int  # characters whose font has no usable Unicode mapping
    glyphs: GlyphCheck | None = None  # page 1 only: letters patched in from another font (broken maps)


def open_pdf(data: bytes, *, path: str) -> pdfium.PdfDocument:
    """Open ``data`` with PDFium, turning its failures into coded input errors."""
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY):
            raise EncryptedPdfError(
                "the PDF is encrypted and needs a password to open; save an unprotected copy (e.g. print to PDF) and convert that",
                path=path,
            ) from None
        # PDFium refuses a PDF without pages too; its error code then is stale (it is process-global),
        # so look for an empty page tree in the bytes themselves
        if re.search(rb"/Count\s+0\b", data) and not re.search(rb"/Type\s*/Page(?![s\w])", data):
            raise EmptyPdfError("the PDF has no pages; there is nothing to convert", path=path) from None
        raise DamagedPdfError(
            f"the PDF cannot be parsed ({exc}); it may be truncated or corrupted: download or export it again",
            path=path,
        ) from None
    if len(document) == 0:
        document.close()
        raise EmptyPdfError("the PDF has no pages; there is nothing to convert", path=path)
    return document


def read_page(document: pdfium.PdfDocument, index: int, *, path: str = "") -> PdfPage:
    """Read page ``index`` (0-based) into lines; the page and its text page are closed before returning."""
    try:
        page = document[index]
    except pdfium.PdfiumError as exc:
        raise DamagedPdfError(
            f"page {index + 1} of the PDF cannot be loaded ({exc}); the file's page tree is damaged: export or download it again",
            path=path or None,
        ) from None
    try:
        width, height = page.get_size()
        textpage = page.get_textpage()
        try:
            read = _page_lines(textpage.raw, index + 1, float(width), float(height))
            return dataclasses.replace(read, glyphs=check_page(textpage.raw)) if index == 0 else read
        finally:
            textpage.close()
    finally:
        page.close()


def _page_lines(raw, number: int, width: float, height: float) -> PdfPage:
    count = pdfium_c.FPDFText_CountChars(raw)
    if count <= 0:
        return PdfPage(number, width, height, (), 0, 0)
    units = _text_units(raw, count)
    sampler = _Sampler(raw, height)
    lines: list[PdfLine] = []
    start = 0
    # segments between PDFium's line breaks; whitespace-only ones (the gap inside "\r\n") hold no line
    for index, after in _breaks(units):
        end = index + 1 if units[index] == HYPHEN_MARK else index
        lines.extend(sampler.lines(units, start, end, number))
        start = after
    lines.extend(sampler.lines(units, start, len(units), number))
    unmapped = units.count("\ufffd")
    return PdfPage(number, width, height, tuple(lines), count, unmapped)


def _breaks(units: str | list[str]) -> Iterator[tuple[int, int]]:
    """(index, index after) of PDFium's line breaks ("\\r\\n" as one) and hyphen marks in the page text."""
    if isinstance(units, str):
        return ((match.start(), match.end()) for match in _BREAK.finditer(units))
    # `unit and`: the empty filler after a surrogate pair is no line break ("" is in every string)
    return ((index, index + 1) for index, unit in enumerate(units) if (unit and unit in _LINE_BREAKS) or unit == HYPHEN_MARK)


def _text_units(raw, count: int) -> str | list[str]:
    """The page text, one item per PDFium character index.

    Usually a ``str`` (one character per index). When the text has characters outside the Basic
    Multilingual Plane (surrogate pairs), a list: the pair is kept whole at its first index and the
    second index holds ``""``; a lone surrogate becomes U+FFFD.
    """
    buffer = ctypes.create_string_buffer((count + 1) * 2)
    written = pdfium_c.FPDFText_GetText(raw, 0, count, ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort)))
    data = buffer.raw[: max(0, written - 1) * 2]
    text = data.decode("utf-16-le", "surrogatepass")  # joins surrogate pairs, keeps lone surrogates
    padding = count - len(data) // 2
    if len(text) == len(data) // 2 and not _SURROGATE.search(text):
        return text + " " * padding if padding > 0 else text
    units = [chr(code) for code in memoryview(data).cast("H")]
    for i, unit in enumerate(units):
        if "\ud800" <= unit <= "\udbff" and i + 1 < len(units) and "\udc00" <= units[i + 1] <= "\udfff":
            units[i] = (unit + units[i + 1]).encode("utf-16", "surrogatepass").decode("utf-16")
            units[i + 1] = ""
        elif "\ud800" <= unit <= "\udfff":
            units[i] = "\ufffd"
    units += [" "] * padding
    return units


class _Sampler:
    """Per-line geometry and typography, with reusable ctypes buffers."""

    def __init__(self, raw, page_height: float) -> None:
        self.raw = raw
        self.page_height = page_height
        self._left, self._top, self._right, self._bottom = (ctypes.c_double() for _ in range(4))
        self._matrix = pdfium_c.FS_MATRIX()
        self._name = ctypes.create_string_buffer(128)
        self._flags = ctypes.c_int()
        self._bold_cache: dict[bytes, bool] = {}

    def lines(self, units: str | list[str], start: int, end: int, page: int) -> list[PdfLine]:
        start, end = _trim(units, start, end)
        if start >= end:
            return []
        runs = self._runs(start, end)
        if not runs:
            return []
        out = []
        for piece_start, piece_end, box in self._split_at_gaps(runs, start, end):
            text = _joined(units, piece_start, piece_end).strip()
            if not text or text == HYPHEN_MARK:
                continue
            size, bold = self._typography(units, piece_start, piece_end)
            out.append(PdfLine(page, text, *box, size=size, bold=bold))
        return out

    def _runs(self, start: int, end: int) -> list[tuple[float, float, float, float]]:
        """Rectangles of the text runs in [start, end), top-left origin, in text order."""
        raw, height = self.raw, self.page_height
        left, top, right, bottom = self._left, self._top, self._right, self._bottom
        get_rect = pdfium_c.FPDFText_GetRect
        runs = []
        for i in range(pdfium_c.FPDFText_CountRects(raw, start, end - start)):
            if get_rect(raw, i, left, top, right, bottom):
                x0, x1 = left.value, right.value
                y0, y1 = height - top.value, height - bottom.value
                runs.append((x0, y0, x1, y1) if x0 <= x1 and y0 <= y1 else (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)))
        return runs

    def _split_at_gaps(self, runs, start: int, end: int) -> list[tuple[int, int, tuple[float, float, float, float]]]:
        """Split a PDFium line where its runs are far apart; each piece is (start, end, box)."""
        groups: list[list[tuple[float, float, float, float]]] = [[runs[0]]]
        previous = runs[0]
        for run in runs[1:]:
            height = max(previous[3] - previous[1], run[3] - run[1], 1.0)
            same_line = abs(run[1] - previous[1]) < height * 0.8 or abs(run[3] - previous[3]) < height * 0.8
            gap = run[0] - previous[2]
            if same_line and -height < gap < _SPLIT_GAP_IN_SIZES * height:
                groups[-1].append(run)
            else:
                groups.append([run])
            previous = run
        if len(groups) == 1:
            return [(start, end, _union(runs))]
        boxes = [_union(group) for group in groups]
        cuts = [start]
        for box in boxes[1:]:
            index = pdfium_c.FPDFText_GetCharIndexAtPos(
                self.raw, box[0] + 0.5, self.page_height - (box[1] + box[3]) / 2, 1.0, (box[3] - box[1]) / 2
            )
            if not cuts[-1] < index < end:
                return [(start, end, _union(runs))]  # cannot locate the cut: keep the line whole
            cuts.append(index)
        cuts.append(end)
        return [(cuts[i], cuts[i + 1], boxes[i]) for i in range(len(boxes))]

    def _typography(self, units: str | list[str], start: int, end: int) -> tuple[float, bool]:
        """Median effective font size of three sampled characters, and whether they are all bold."""
        candidates = [i for i in (start, (start + end) // 2, end - 1) if units[i].strip()] or [start]
        sizes, bold = [], True
        for index in candidates:
            if len(sizes) == 2 and sizes[0] == sizes[1]:
                if not bold:
                    break  # two of three sizes agree, so they are the median; the third changes nothing
            else:
                sizes.append(self._size(index))
            bold = bold and self._bold(index)
        sizes.sort()
        return round(sizes[len(sizes) // 2], 2), bold

    def _size(self, index: int) -> float:
        nominal = pdfium_c.FPDFText_GetFontSize(self.raw, index)
        if pdfium_c.FPDFText_GetMatrix(self.raw, index, self._matrix):
            scale = math.hypot(self._matrix.c, self._matrix.d)
            if scale > 0:
                return nominal * scale
        return nominal

    def _bold(self, index: int) -> bool:
        length = pdfium_c.FPDFText_GetFontInfo(self.raw, index, self._name, len(self._name), ctypes.byref(self._flags))
        name = self._name.value if length else b""
        key = name + self._flags.value.to_bytes(4, "little", signed=True)
        cached = self._bold_cache.get(key)
        if cached is None:
            lowered = name.decode("latin-1").lower().split("+")[-1]
            cached = bool(self._flags.value & _FORCE_BOLD_FLAG) or any(part in lowered for part in _BOLD_NAME_PARTS)
            cached = cached or bool(_BOLD_SUFFIX.search(lowered))  # "AdvTTaf7f9f4f.B", ".BI": BMC's bold faces
            cached = cached or pdfium_c.FPDFText_GetFontWeight(self.raw, index) >= _BOLD_WEIGHT
            self._bold_cache[key] = cached
        return cached


def _trim(units: str | list[str], start: int, end: int) -> tuple[int, int]:
    """[start, end) without leading and trailing whitespace items."""
    if isinstance(units, str):
        segment = units[start:end]
        stripped = segment.lstrip()
        start += len(segment) - len(stripped)
        return start, start + len(stripped.rstrip())
    while start < end and not units[start].strip():
        start += 1
    while end > start and not units[end - 1].strip():
        end -= 1
    return start, end


def _joined(units: str | list[str], start: int, end: int) -> str:
    return units[start:end] if isinstance(units, str) else "".join(units[start:end])


def _union(boxes) -> tuple[float, float, float, float]:
    if len(boxes) == 1:
        x0, y0, x1, y1 = boxes[0]
        return round(x0, 2), round(y0, 2), round(x1, 2), round(y1, 2)
    return (
        round(min(b[0] for b in boxes), 2),
        round(min(b[1] for b in boxes), 2),
        round(max(b[2] for b in boxes), 2),
        round(max(b[3] for b in boxes), 2),
    )
