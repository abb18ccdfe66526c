"""The reading text of a PDF: blocks joined in reading order, hyphenation repaired, Unicode normalised.

Why: every offset in the record points into this text, and every stage downstream reads it as if it
were a plain-text article. So each block becomes one paragraph (blank line between blocks); headings,
titles and captions become one line each (a heading wrapped over two PDF lines is one heading); a
body block keeps one line per paragraph or list/reference entry (an indent, a hanging indent or a
short last line starts a new one), because reference parsing and the sections stage read lines.

Run-in headings: a numbered sub-section heading that opens a paragraph in body type ("2.1. Cell
Lines. We cultured ...") is set on a line of its own, so the sections stage sees it as a heading; the
block records which of its lines are such headings and at what depth (the numbering's).

Hyphenation: PDFium marks a hyphen it found at a line break. The word is joined without the hyphen
("com-|monly" -> "commonly") unless the document itself spells the word with a hyphen elsewhere, the
joined word is unknown while the hyphenated one is known, or the second part starts with a capital or
a digit ("anti-|TNF", "COVID-|19"). Ligatures (U+FB00-FB06) take their NFKC letters; everything else is
NFC, spacing characters become spaces, soft hyphens and zero-width characters are removed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ._pdf_chars import HYPHEN_MARK, PdfLine
from ._pdf_layout import Block

_ONE_LINE_ROLES = ("title", "heading", "caption")
_SPACES = re.compile(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000\t]")
_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200d\u2060\ufeff\x00-\x08\x0b-\x1f\x7f]")
_WORD = re.compile(r"[^\W\d_]+(?:[-'][^\W\d_]+)*")
_TRAILING_WORD = re.compile(r"([^\W\d_]+)$")
_LEADING_WORD = re.compile(r"^([^\W\d_]+)")
_ENTRY_START = re.compile(r"^(?:\[\d{1,4}\]|\d{1,4}\.(?=\s)|\(\d{1,4}\))\s*")
#: "2.1. Cell Lines. We ...": a sub-section number, a short heading ending with a full stop, a sentence.
_RUN_IN_HEADING = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){1,4})\.?\s+([A-Z][^.!?;:]{1,150}?[A-Za-z0-9)])\.\s+(?=[A-Z(\d])")
_RUN_IN_MAX_WORDS = 20


@dataclass(frozen=True)
class PlacedBlock:
    """A block and where its text sits in the document text."""

    block: Block
    start: int
    end: int
    line_offsets: tuple[tuple[int, int], ...]  # (start, end) of each text line of the block
    run_in_headings: tuple[tuple[int, int], ...] = ()  # (line index, depth) of run-in headings split off


def normalise(text: str) -> str:
    text = _INVISIBLE.sub("", _SPACES.sub(" ", text))
    text = "".join(unicodedata.normalize("NFKC", c) if "\ufb00" <= c <= "\ufb06" else c for c in text)
    return unicodedata.normalize("NFC", text)


def vocabulary(blocks: list[Block]) -> tuple[set[str], set[str]]:
    """Lower-cased words of the document, and its hyphenated compounds, for hyphenation repair."""
    words: set[str] = set()
    compounds: set[str] = set()
    after_break = False
    for block in blocks:
        for line in block.lines:
            found = [m.group(0).lower() for m in _WORD.finditer(line.text[:-1] if line.hyphenated else line.text)]
            # the halves of a word broken at a line end are not words of their own
            if after_break:
                found = found[1:]
            if line.hyphenated or line.text.endswith("-"):
                found = found[:-1]
            after_break = line.hyphenated or line.text.endswith("-")
            for word in found:
                (compounds if "-" in word else words).add(word)
    return words, compounds


def join_hyphenated(left: str, right: str, words: set[str], compounds: set[str]) -> str:
    """``left`` (ending in a marked hyphen, mark removed) joined to the next line ``right``."""
    tail = _TRAILING_WORD.search(left)
    head = _LEADING_WORD.search(right)
    if tail is None or head is None or head.group(1)[0].isupper():
        return f"{left}-{right}"
    first, second = tail.group(1).lower(), head.group(1).lower()
    joined, hyphenated = first + second, f"{first}-{second}"
    if hyphenated in compounds and joined not in words:
        return f"{left}-{right}"
    if joined not in words and first in words and second in words and len(first) >= 3 and len(second) >= 4:
        return f"{left}-{right}"  # two known words and no known join: a compound ("tag-containing")
    return left + right


def block_lines(block: Block, words: set[str], compounds: set[str]) -> list[str]:
    """The text lines of a block: one for title/heading/caption, else one per paragraph or entry."""
    groups = [[block.lines[0]]]
    if block.role not in _ONE_LINE_ROLES:
        starts = _paragraph_starts(block.lines)
        for index, line in enumerate(block.lines[1:], start=1):
            if index in starts:
                groups.append([line])
            else:
                groups[-1].append(line)
    else:
        groups = [list(block.lines)]
    out = []
    for group in groups:
        text = ""
        for line in group:
            piece = normalise(line.text)
            if not text:
                text = piece
            elif text.endswith(HYPHEN_MARK) or (text.endswith("-") and len(text) > 1 and text[-2].isalpha() and piece[:1].islower()):
                text = join_hyphenated(text[:-1], piece, words, compounds)
            elif text.endswith(("-", "/", "\u2013")) and len(text) > 1 and text[-2].isalnum():
                text += piece  # a compound or range broken after its dash: no space
            else:
                text += " " + piece
        text = text.replace(HYPHEN_MARK, "-")
        text = re.sub(r" {2,}", " ", text).strip()
        if text:
            out.append(text)
    return out


def _paragraph_starts(lines: list[PdfLine]) -> set[int]:
    """Indices of lines that start a new paragraph or list entry inside one block."""
    if len(lines) < 2:
        return set()
    base = min(l.x0 for l in lines)
    right = max(l.x1 for l in lines)
    size = max(lines[0].size, 1.0)
    indented = [l.x0 - base > 0.8 * size for l in lines]
    hanging = sum(indented[1:]) > len(lines) / 2  # most lines indented: first lines stick out
    numbered = sum(1 for l in lines if _ENTRY_START.match(l.text)) >= 2
    starts = set()
    for i in range(1, len(lines)):
        previous = lines[i - 1]
        if numbered and _ENTRY_START.match(lines[i].text):
            starts.add(i)
        elif hanging and not indented[i] and indented[i - 1]:
            starts.add(i)
        elif not hanging and indented[i] and not indented[i - 1]:
            starts.add(i)
        elif not hanging and previous.x1 < right - 3 * size and previous.text.rstrip().endswith((".", ":", "?", "!")):
            starts.add(i)
    return starts


def compose(blocks: list[Block]) -> tuple[str, list[PlacedBlock]]:
    """The document text from blocks in reading order (running headers/footers get empty spans)."""
    words, compounds = vocabulary(blocks)
    parts: list[str] = []
    placed: list[PlacedBlock] = []
    offset = 0
    previous: Block | None = None
    for block in blocks:
        if block.role in ("header", "footer"):
            placed.append(PlacedBlock(block, offset, offset, ()))
            continue
        lines = block_lines(block, words, compounds)
        if not lines:
            continue
        continues = bool(parts) and _continues_paragraph(previous, block, parts[-1], lines[0])
        lines, run_ins = split_run_in_headings(lines, block.role, first_continues=continues)
        if parts:
            separator = " " if continues else "\n\n"
            parts.append(separator)
            offset += len(separator)
        start = offset
        line_offsets = []
        for i, line in enumerate(lines):
            if i:
                parts.append("\n")
                offset += 1
            line_offsets.append((offset, offset + len(line)))
            parts.append(line)
            offset += len(line)
        placed.append(PlacedBlock(block, start, offset, tuple(line_offsets), run_ins))
        previous = block
    return "".join(parts), placed


def split_run_in_headings(lines: list[str], role: str, *, first_continues: bool = False) -> tuple[list[str], tuple[tuple[int, int], ...]]:
    """Body paragraphs opening with a numbered run-in heading, split after the heading's full stop."""
    if role != "body":
        return lines, ()
    out: list[str] = []
    headings = []
    for index, line in enumerate(lines):
        match = None if (index == 0 and first_continues) else _RUN_IN_HEADING.match(line)
        if match and len(match.group(2).split()) <= _RUN_IN_MAX_WORDS:
            headings.append((len(out), match.group(1).count(".") + 1))
            out.append(line[: match.end(2) + 1])
            out.append(line[match.end() :])
        else:
            out.append(line)
    return out, tuple(headings)


def _continues_paragraph(previous: Block, block: Block, previous_text: str, first_line: str) -> bool:
    """A paragraph running on into the next column or page: no sentence end, lower-case start."""
    return (
        previous.role == "body"
        and block.role == "body"
        and abs(previous.size - block.size) <= 0.6
        and not previous_text.rstrip().endswith((".", "!", "?", ":"))
        and first_line[:1].islower()
    )
