"""Rule-based sentence splitting over character offsets, shared by the stages that read prose.

Why rules and not spaCy's sentencizer: stages other than entities must not hold spaCy objects,
and the texts we read are full of things a naive "split at full stop" gets wrong and that a few
rules get right, deterministically and in linear time: abbreviations ("e.g.", "i.e.", "vs.",
"et al.", "Dr.", "Fig. 2"), decimals ("2.5 mg"), initials ("R. S. Duman"), list enumerators
("1. Results"), sentence-final quotes and brackets, and parenthetical asides that contain full
stops ("(see Fig. 2. Left.)").

Line breaks need care because the same character means two things. In text pasted from the web
a line is a paragraph, a heading or a list item, and a line that does not end in punctuation
("Key Findings", "Increase the production of BDNF") ends a unit all the same. In hard-wrapped
text (e-mail, plain-text exports) a line break is just a space inside a sentence. We decide per
call whether the range looks hard-wrapped (many long lines that stop mid-sentence) and then
treat each line break as hard (a boundary) or soft (whitespace). Blank lines and lines that
start with a list marker are always boundaries.

The only public function is :func:`split_sentences`; it returns ``(start, end)`` offsets into the
text given, trimmed of surrounding whitespace, in text order.
"""

from __future__ import annotations

import bisect
import re

__all__ = ["split_sentences"]

# A sentence-final punctuation run, with the closing quotes and brackets that belong to it.
_TERMINAL = re.compile(r"(?:\.{2,}|…|[.!?]+)[\"'”’»)\]]*")

# Abbreviations after which a full stop never ends a sentence (lower-cased, without the dot).
_ABBREVIATIONS = frozenset(
    """
    e.g eg i.e ie vs v cf viz al fig figs eq eqs ref refs dr drs mr mrs ms prof approx ca st jr sr
    resp sp spp var ed eds dept univ mt jan feb mar apr jun jul aug sep sept oct nov dec
    """.split()
)
# Abbreviations that only stay abbreviations when a number follows ("No. 5", "p. 12", "vol. 3").
_NUMERIC_ABBREVIATIONS = frozenset("no nos p pp vol vols ch sec chap suppl".split())

# An enumerator at the start of a unit: "1.", "12.", "a.", "iv." (a list item or numbered heading).
_ENUMERATOR = re.compile(r"(?:\d{1,3}|[A-Za-z]|[ivxlcIVXLC]{1,6})")
# Dotted initialisms such as "U.S" or "Ph.D" (the final dot is the candidate).
_DOTTED = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]")
_LIST_MARKER = re.compile(r"[ \t]*(?:[-*+•◦▪‣–—][ \t]+\S|(?:\d{1,3}|[a-zA-Z])[.)][ \t]+\S)")
_BRACKET = re.compile(r"[()\[\]]")
_OPENERS = "([\"'“‘«"

# Words after which a wrapped line obviously continues ("... the production of\nBDNF").
_CONTINUATION_WORDS = frozenset(
    """
    a an the of to in on at by for from with without into onto over under about as and or nor but
    that which who whom whose than then is are was were be been being has have had its their our
    his her this these those such via per between among within across versus vs
    """.split()
)
_CONTINUATION_CHARS = ",;(–—-/&"
_LINE_END_PUNCT = ".!?:…\"'”’)]"

# Hard-wrapped text: lines of this length that stop mid-sentence and run on into the next line.
_WRAPPED_MIN, _WRAPPED_MAX = 45, 110
_WRAPPED_SHARE = 0.4
# A parenthesis pair longer than this is not an aside; it is a stray bracket.
_MAX_PARENTHETICAL = 600


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Split ``text[start:end]`` into sentences; return their ``(start, end)`` offsets in ``text``.

    Offsets are absolute (into ``text``), whitespace-trimmed, non-empty and in text order.
    """
    end = len(text) if end is None else min(end, len(text))
    start = max(0, start)
    if start >= end:
        return []
    segments = _segments(text, start, end)
    # One scan of the whole range per pattern: per-segment scans cost more in call overhead
    # than in matching when a text has tens of thousands of short lines.
    terminals = [(m.start(), m.end()) for m in _TERMINAL.finditer(text, start, end)]
    protected = _parenthetical_intervals(text, segments)
    protected_starts = [p[0] for p in protected]
    sentences: list[tuple[int, int]] = []
    index = 0
    for seg_start, seg_end in segments:
        while index < len(terminals) and terminals[index][0] < seg_start:
            index += 1
        first = index
        while index < len(terminals) and terminals[index][1] <= seg_end:
            index += 1
        sentences.extend(_split_segment(text, seg_start, seg_end, terminals[first:index], protected, protected_starts))
    return sentences


# --- line breaks -----------------------------------------------------------------------------


def _lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``(start, end)`` of each line in the range, newline excluded."""
    lines = []
    pos = start
    while pos <= end:
        nl = text.find("\n", pos, end)
        if nl < 0:
            lines.append((pos, end))
            break
        lines.append((pos, nl))
        pos = nl + 1
    return lines


def _segments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Cut the range at hard line breaks; a segment holds only soft ones."""
    lines = _lines(text, start, end)
    wrapped, width = _wrapping(text, lines)
    segments = []
    seg_start = lines[0][0]
    for (a_start, a_end), (b_start, b_end) in zip(lines, lines[1:]):
        if not _is_soft_break(text, a_start, a_end, b_start, b_end, wrapped, width):
            segments.append((seg_start, a_end))
            seg_start = b_start
    segments.append((seg_start, lines[-1][1]))
    return segments


def _wrapping(text: str, lines: list[tuple[int, int]]) -> tuple[bool, int]:
    """Whether the lines look hard-wrapped, and the wrap width if so."""
    runs_on = []
    followed = 0
    for (a_start, a_end), (b_start, b_end) in zip(lines, lines[1:]):
        line = text[a_start:a_end].rstrip()
        if not line.strip() or not text[b_start:b_end].strip():
            continue
        followed += 1
        if _WRAPPED_MIN <= len(line) <= _WRAPPED_MAX and line[-1] not in _LINE_END_PUNCT:
            runs_on.append(len(line))
    if len(runs_on) >= 2 and len(runs_on) >= _WRAPPED_SHARE * followed:
        return True, max(runs_on)
    return False, 0


def _is_soft_break(text: str, a_start: int, a_end: int, b_start: int, b_end: int, wrapped: bool, width: int) -> bool:
    """Whether the newline between line a and line b is just whitespace inside a sentence."""
    a = text[a_start:a_end].strip()
    b_raw = text[b_start:b_end]
    b = b_raw.strip()
    if not a or not b or _LIST_MARKER.match(b_raw):
        return False
    last_word = a.rsplit(None, 1)[-1].lower()
    if a[-1] in _CONTINUATION_CHARS or last_word in _CONTINUATION_WORDS:
        return True
    if b[0].islower():
        return True
    if a[-1] in _LINE_END_PUNCT:
        # Punctuation then a capital: the sentence rules decide, except that a full stop at the
        # end of a line followed by a capital is a boundary even after an abbreviation
        # ("..., et al.\nRewiring the Brain").
        return False
    # A line that stops mid-sentence: soft only in wrapped text, and only if it is not a short
    # line (a heading or list item inside wrapped text is much shorter than the wrap width).
    return wrapped and len(a) >= 0.6 * width


# --- sentences within a segment ----------------------------------------------------------------


def _split_segment(
    text: str,
    start: int,
    end: int,
    terminals: list[tuple[int, int]],
    protected: list[tuple[int, int]],
    protected_starts: list[int],
) -> list[tuple[int, int]]:
    sentences = []
    sent_start = _skip_space(text, start, end)
    for punct_start, punct_end in terminals:
        if punct_end < end and not text[punct_end].isspace():
            continue  # "2.5", "e.g.,", "Fig.2", "U.S.-based": not a boundary
        if punct_start < sent_start:
            continue
        nxt = _skip_space(text, punct_end, end)
        if nxt < end and not _ends_sentence(text, sent_start, punct_start, text[punct_start:punct_end], nxt):
            continue
        if _inside_parenthetical(protected, protected_starts, punct_start, punct_end):
            continue
        sentences.append((sent_start, punct_end))
        sent_start = nxt
    tail_end = end
    while tail_end > sent_start and text[tail_end - 1].isspace():
        tail_end -= 1
    if tail_end > sent_start:
        sentences.append((sent_start, tail_end))
    return [(s, e) for s, e in sentences if e > s]


def _ends_sentence(text: str, sent_start: int, punct_start: int, punct: str, nxt: int) -> bool:
    """Whether the punctuation at ``punct_start``, followed by the text at ``nxt``, ends a sentence."""
    following = text[nxt]
    if following.islower():
        return False  # "approx. five", "vs. placebo", "... and then"
    core = punct.rstrip("\"'”’»)]")
    if core != ".":
        return True  # "?", "!", "...", "…" before a capital or a digit
    word = _word_before(text, sent_start, punct_start)
    lowered = word.lower()
    if lowered in _ABBREVIATIONS:
        return False
    if lowered in _NUMERIC_ABBREVIATIONS and following.isdigit():
        return False
    if len(word) == 1 and word.isupper() and following.isupper():
        return False  # an initial: "R. S. Duman", "Michael A. Duman"
    if _DOTTED.fullmatch(word) and not following.isupper():
        return False
    if text[sent_start:punct_start].strip() == word and _ENUMERATOR.fullmatch(word):
        return False  # "1. Glutamate Surge", "b. Secondary outcomes"
    return True


def _word_before(text: str, sent_start: int, pos: int) -> str:
    """The token that ends at ``pos``, without leading brackets or quotes."""
    begin = pos
    while begin > sent_start and not text[begin - 1].isspace():
        begin -= 1
    return text[begin:pos].lstrip(_OPENERS)


def _skip_space(text: str, pos: int, end: int) -> int:
    while pos < end and text[pos].isspace():
        pos += 1
    return pos


def _parenthetical_intervals(text: str, segments: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Outermost matched (...) and [...] pairs, as (open, close) offsets; pairs never span segments."""
    if not segments:
        return []
    pairs = []
    stack: list[tuple[int, str]] = []
    closing = {")": "(", "]": "["}
    seg_index, seg_end = 0, segments[0][1]
    for match in _BRACKET.finditer(text, segments[0][0], segments[-1][1]):
        pos = match.start()
        if pos >= seg_end:
            stack.clear()  # an unclosed bracket does not reach into the next segment
            while seg_index < len(segments) - 1 and pos >= segments[seg_index][1]:
                seg_index += 1
            seg_end = segments[seg_index][1]
        char = match.group()
        if char in "([":
            stack.append((pos, char))
        elif stack and stack[-1][1] == closing[char]:
            open_pos, _ = stack.pop()
            if not stack and pos - open_pos <= _MAX_PARENTHETICAL:
                pairs.append((open_pos, pos))
        else:
            stack.clear()  # a stray closer ("1)", "a)") must not pair with an earlier opener
    return pairs


def _inside_parenthetical(pairs: list[tuple[int, int]], starts: list[int], punct_start: int, punct_end: int) -> bool:
    """Whether a boundary at ``punct_end`` would cut a bracket pair in two."""
    index = bisect.bisect_right(starts, punct_start) - 1
    if index < 0:
        return False
    open_pos, close_pos = pairs[index]
    return open_pos < punct_start and close_pos >= punct_end
