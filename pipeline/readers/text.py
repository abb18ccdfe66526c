"""Plain-text and Markdown reader.

The record's ``text`` for these inputs is the decoded input with line endings normalised to
``\\n`` and nothing else changed, so every offset in the record points at what the editor sees
in the source file. Decoding: UTF-8 (with or without BOM), UTF-16/32 with BOM, otherwise the
encoding detected by charset-normalizer, recorded with a warning because a guess may be wrong.

The reader also produces the ``lines`` layer: one span per line, with the Markdown or list
*markup* the line carries (``# `` headings, bullets, ordered-list markers, code fences). It does
not decide what is a section heading; that is the sections stage's job.
"""

from __future__ import annotations

import codecs
import hashlib
import re

from ..document import Document, Source, Span
from ..errors import BinaryInputError, EmptyInputError, UndecodableInputError
from ..layers import LINES, WARNINGS

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# Control characters other than tab, newline, carriage return and form feed mark binary data.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_BINARY_CONTROL_RATIO = 0.01

_ATX_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+|$)")
_SETEXT_UNDERLINE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_BULLET = re.compile(r"^[ \t]*(?:[-*+•◦▪‣]|[–—])[ \t]+(?=\S)")
_ORDERED = re.compile(r"^[ \t]*(?:\d{1,3}|[a-zA-Z])[.)][ \t]+(?=\S)")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")


def read_text_bytes(data: bytes, *, path: str, media_type: str) -> Document:
    """Decode ``data`` and build the Document with its ``lines`` layer."""
    text, encoding, warnings = _decode(data, path)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise EmptyInputError("the file contains only whitespace; there is nothing to convert", path=path)
    controls = len(_CONTROL.findall(text))
    if controls > _BINARY_CONTROL_RATIO * len(text):
        raise BinaryInputError(
            f"the file looks binary ({controls} control characters in {len(text)}); convert it to text first",
            path=path,
        )
    if controls:
        warnings.append(
            Span(0, 0, "control-characters", {"located": False, "message": f"the text contains {controls} control character(s) (e.g. NUL); they were kept so offsets stay true to the source"})
        )
    source = Source(
        path=path,
        media_type=media_type,
        sha256=hashlib.sha256(data).hexdigest(),
        bytes=len(data),
        encoding=encoding,
    )
    doc = Document(text, source)
    return doc.with_layers({LINES: _line_spans(text, markdown=media_type == "text/markdown"), WARNINGS: warnings})


def _decode(data: bytes, path: str) -> tuple[str, str, list[Span]]:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError as exc:
                raise UndecodableInputError(f"the file starts with a {codec} byte-order mark but is not valid {codec} ({exc.reason} at byte {exc.start}); re-save it as UTF-8", path=path) from None
            return text.lstrip("\ufeff"), codec.replace("-sig", ""), []
    try:
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError:
        pass
    if b"\x00" in data[:4096] and data[:4096].count(b"\x00") > len(data[:4096]) // 8:
        raise BinaryInputError("the file contains NUL bytes and no byte-order mark; it is binary or UTF-16 without a BOM; convert it to UTF-8 text first", path=path)
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None and best.encoding:
        encoding = best.encoding
        text = str(best)
        message = f"the file is not UTF-8; its encoding was detected as {encoding}; check accented characters, or re-save the file as UTF-8"
    else:
        encoding = "cp1252"
        text = data.decode("cp1252", errors="replace")
        message = "the file is not UTF-8 and its encoding could not be detected; it was read as Windows-1252 with undecodable bytes replaced; re-save it as UTF-8"
    return text, encoding, [Span(0, 0, "encoding-guessed", {"located": False, "message": message})]


def _line_spans(text: str, *, markdown: bool) -> list[Span]:
    spans: list[Span] = []
    offset = 0
    in_fence = False
    lines = text.split("\n")
    for index, line in enumerate(lines):
        start, end = offset, offset + len(line)
        offset = end + 1
        attrs: dict = {"markup": None}
        if not line.strip():
            attrs["markup"] = "blank"
        elif markdown and _FENCE.match(line):
            attrs["markup"] = "fence"
            in_fence = not in_fence
        elif in_fence:
            attrs["markup"] = "code"
        elif markdown and (m := _ATX_HEADING.match(line)):
            attrs.update(markup="heading", heading_level=len(m.group(1)), marker_end=start + m.end())
        elif (
            markdown
            and index + 1 < len(lines)
            and _SETEXT_UNDERLINE.match(lines[index + 1])
            and not _BULLET.match(line)
            and spans_prev_is_blank(spans)
        ):
            level = 1 if lines[index + 1].strip().startswith("=") else 2
            attrs.update(markup="heading", heading_level=level, marker_end=start)
        elif markdown and spans and spans[-1].get("markup") == "heading" and _SETEXT_UNDERLINE.match(line) and spans[-1].get("marker_end") == spans[-1].start:
            attrs["markup"] = "heading_underline"
        elif m := _BULLET.match(line):
            attrs.update(markup="list_item", marker_end=start + m.end())
        elif m := _ORDERED.match(line):
            attrs.update(markup="ordered_item", marker_end=start + m.end())
        spans.append(Span(start, end, "line", attrs))
    return spans


def spans_prev_is_blank(spans: list[Span]) -> bool:
    """A setext heading needs a blank line (or the start of the text) before it."""
    return not spans or spans[-1].get("markup") == "blank"
