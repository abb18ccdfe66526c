"""Plain-text and Markdown reader.

The record's ``text`` for these inputs is the decoded input with line endings normalised to
``\\n`` and nothing else changed, so every offset in the record points at what the editor sees
in the source file. Decoding: UTF-8 (with or without BOM), UTF-16/32 with BOM; UTF-8 with a few
stray Windows-1252 bytes keeps its UTF-8 and reads only those bytes as Windows-1252, each with a
located warning; otherwise the encoding detected by charset-normalizer (Windows-1252 winning
ties), recorded with a warning because a guess may be wrong.

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

# Preferred among equally plausible legacy encodings (see _detect_encoding).
_WESTERN_DEFAULT = "cp1252"
# A mostly-UTF-8 file may hold this many stray non-UTF-8 bytes (or one per 1000 bytes if more).
_MIXED_MAX_BAD_BYTES = 16

_ATX_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+|$)")
_SETEXT_UNDERLINE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_BULLET = re.compile(r"^[ \t]*(?:[-*+•◦▪‣]|[–—])[ \t]+(?=\S)")
# "1." "12)" "a." "a)" "A)" mark ordered items; a capital with a full stop only when what follows does not
# start in lower case, because "E. coli grew" and "V. destructor is" are abbreviated names, not lists.
_ORDERED = re.compile(r"^[ \t]*(?:\d{1,3}[.)]|[a-z][.)]|[A-Z]\)|[A-Z]\.(?=[ \t]+[^a-z\s]))[ \t]+(?=\S)")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")


def read_text_bytes(data: bytes, *, path: str, media_type: str) -> Document:
    """Decode ``data`` and build the Document with its ``lines`` layer."""
    text, encoding, warnings = _decode(data, path)
    text = normalise_newlines(text)
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


def normalise_newlines(text: str) -> str:
    """CRLF and lone CR become LF; nothing else changes."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


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
    mixed = _decode_mostly_utf8(data)
    if mixed is not None:
        return mixed[0], "utf-8", mixed[1]
    if b"\x00" in data[:4096] and data[:4096].count(b"\x00") > len(data[:4096]) // 8:
        raise BinaryInputError("the file contains NUL bytes and no byte-order mark; it is binary or UTF-16 without a BOM; convert it to UTF-8 text first", path=path)
    detected = _detect_encoding(data)
    if detected is not None:
        encoding, text = detected
        message = f"the file is not UTF-8; its encoding was detected as {encoding}; check accented characters, or re-save the file as UTF-8"
    else:
        encoding = "cp1252"
        text = data.decode("cp1252", errors="replace")
        message = "the file is not UTF-8 and its encoding could not be detected; it was read as Windows-1252 with undecodable bytes replaced; re-save it as UTF-8"
    return text, encoding, [Span(0, 0, "encoding-guessed", {"located": False, "message": message})]


def _decode_mostly_utf8(data: bytes) -> tuple[str, list[Span]] | None:
    """Decode UTF-8 text with a few stray legacy bytes, each read as Windows-1252, or None.

    Text pasted together from several sources is often UTF-8 with an odd Windows-1252 byte (a
    curly apostrophe ``0x92`` from a word processor). Guessing one legacy encoding for the whole
    file would turn every correct UTF-8 character into mojibake ("â€™"), so when valid multi-byte
    UTF-8 sequences outnumber the invalid bytes, and those are few, only the invalid bytes are
    read as Windows-1252, each with a located warning an editor can check.
    """
    limit = max(_MIXED_MAX_BAD_BYTES, len(data) // 1000)
    view = memoryview(data)  # slices without copying, so the loop stays linear
    pieces: list[str] = []
    warnings: list[Span] = []
    offset, bad_bytes, length = 0, 0, 0
    while True:
        try:
            pieces.append(normalise_newlines(str(view[offset:], "utf-8")))
            break
        except UnicodeDecodeError as exc:
            good = normalise_newlines(str(view[offset : offset + exc.start], "utf-8"))
            bad = bytes(view[offset + exc.start : offset + exc.end])
            bad_bytes += len(bad)
            if bad_bytes > limit:
                return None
            # never a line break: stray bytes are >= 0x80, so per-piece normalisation equals
            # normalising the whole text, and the offsets below are final
            replacement = bad.decode(_WESTERN_DEFAULT, errors="replace")
            length += len(good)
            pieces += [good, replacement]
            warnings.append(
                Span(length, length + len(replacement), "encoding-mixed", {"located": True, "message": f"byte(s) {bad.hex(' ')} are not UTF-8 and were read as Windows-1252 ({replacement!r}); check the character"})
            )
            length += len(replacement)
            offset += exc.end
    text = "".join(pieces)
    replaced = sum(w.end - w.start for w in warnings)
    multibyte = sum(1 for char in text if ord(char) > 0x7F) - replaced
    return (text, warnings) if multibyte > bad_bytes else None


def _detect_encoding(data: bytes) -> tuple[str, str] | None:
    """Best-guess ``(encoding, text)`` for non-UTF-8 bytes, or None when nothing fits.

    charset-normalizer ranks decodings by "chaos" (how messy the decoded text looks), but among
    equally clean decodings it often names a rare code page: English or French text with a few
    accents or curly quotes comes back as cp1250 (Central European) or cp775 (Baltic DOS), and
    cp775 even decodes "é" wrongly. Windows-1252 is by far the most common legacy encoding of
    Western text (the WHATWG Encoding Standard reads every Latin-1 label as windows-1252), so when
    it decodes the bytes no more messily than the winner, it wins the tie.
    """
    from charset_normalizer import from_bytes

    matches = from_bytes(data)
    best = matches.best()
    if best is None or not best.encoding:
        return None
    for match in matches:
        if _WESTERN_DEFAULT in match.could_be_from_charset and match.chaos <= best.chaos:
            try:
                return _WESTERN_DEFAULT, data.decode(_WESTERN_DEFAULT)
            except UnicodeDecodeError:  # bytes cp1252 leaves undefined (0x81, 0x8D, ...)
                break
    return best.encoding, str(best)


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
