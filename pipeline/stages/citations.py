"""Find cited works: the study an explainer is about, bibliography entries, and in-text markers.

Three kinds of evidence, three passes:

1. **Reference lists** (role ``reference``): the body of a section the sections stage classed as
   ``references``, a block under a line "References" / "Bibliography" / "Sources" / "Works Cited",
   or a trailing run of numbered entries ("1. ", "[1] ", "1) ") that look like references. Each
   entry is parsed by :mod:`._refparse`; its span is the entry without its number marker.
2. **The subject study** (role ``subject``): labelled lines ("Study Title:", "Citation:",
   "Source study:", "Authors:", "Published in X, 2022", "Read it on PubMed", "Link: ...") and
   prose ("a 2022 article published in X, titled "..."", "a study in Nature Astronomy").
   Mentions are grouped (labelled lines within a couple of lines of each other form a block;
   blocks and prose mentions then merge when they share a DOI, PMID, title, journal, or first
   author and year). Later verbatim repeats of the title and phrases such as "the <journal>
   article" are added as evidence. A block of only weak labels (e.g. "Authors:" alone, which
   may be the page's byline) is not a study. Links a web page carries (the ``links`` layer of
   the HTML reader) to doi.org, PubMed or a journal's article page are mentions too: their DOI,
   PMID and URL join the prose mention of the same sentence, or stand as a study of their own.
3. **In-text markers**: "[1]", "[1, 3-5]", "(2)" (only when the references are numbered) and
   author-year markers "(Smith et al., 2019; Lee, 2020)", "Smith and Doe (2019)", linked to the
   citation they name; each adds evidence with field ``marker``. Nothing inside a reference list
   or a citation line counts as a marker.

Which mention wins: for authors, journal, year and identifiers the formal citation (a
"Citation:"/"Reference:" line or a formatted reference) beats labelled fields, which beat prose;
for the title a labelled title ("Study Title:") beats the formal citation, which beats prose.
Every disagreement between mentions of one study (authors in another order, another year, ...)
becomes a ``citation-disagreement`` warning located at the mention that lost.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from typing import Any, Iterable

from ..document import Document, Span
from .. import layers as L
from ._names import initials, split_author_list
from ._refparse import YEAR, ParsedReference, parse_reference
from ._scholarly_links import classify as classify_link

FORMAL, LABELLED, PROSE = 3, 2, 1

_REFERENCE_HEADING = re.compile(
    r"^(?:references?(?: list)?|bibliography|sources?|works cited|literature cited|cited literature|"
    r"citations|notes and references|references and notes|further reading)$",
    re.IGNORECASE,
)
_ENTRY_MARKER = re.compile(r"^[ \t]*(?:\[(\d{1,3})\]|(\d{1,3})[.)]|\((\d{1,3})\))[ \t]+(?=\S)")  # up to 999: "(2000)" is a year
_BULLET = re.compile(r"^[ \t]*[-*+\u2022\u25e6\u25aa\u2023][ \t]+(?=\S)")
# Decoration before a label: whitespace, emoji, symbols, bullets, Markdown emphasis and quotes.
_DECORATION = re.compile(r"[\W_]*?(?=[\w\"“‘'(])", re.UNICODE)
_LABEL = re.compile(r"(?P<label>[A-Za-z][A-Za-z()/' -]{0,40}?)\s*(?:\*\*|__)?\s*[:：]\s*(?:\*\*|__)?\s*")
_YEAR_ONLY = re.compile(r"^\(?(" + YEAR + r")\)?\.?$")
_LINK_LINE = re.compile(
    r"^(?:read|view|see|access|open|find|download|visit)\b[^.\n]{0,40}?\b(?:on|at|via|from|in)\s+"
    r"(?:the\s+)?(?:PubMed|PMC|PubMed Central|Europe PMC|bioRxiv|medRxiv|arXiv|the journal|journal|publisher)",
    re.IGNORECASE,
)
_PUBLISHED_IN_LINE = re.compile(r"^published\s+(?:online\s+)?in\s+(?:the\s+)?(?:journal\s+)?", re.IGNORECASE)
_QUOTES = "\"'“”‘’«»"

_LABELS = {
    "formal": (
        "citation", "full citation", "study citation", "reference", "study reference", "source study",
        "original study", "study", "the study", "source", "original research", "original article",
        "research paper", "paper", "cite as", "primary source", "original paper", "journal article",
    ),
    "title": (
        "study title", "title of the study", "title of study", "paper title", "title of the paper",
        "research title", "original title", "study name", "title of the article", "article title",
    ),
    "authors": ("authors", "author(s)", "author", "study authors", "researchers", "lead author", "lead researcher", "investigators"),
    "journal": ("journal", "published in", "journal name", "source journal", "publication", "publisher journal"),
    "year": ("year", "publication year", "year published", "year of publication"),
    "doi": ("doi",),
    "pmid": ("pmid", "pubmed id"),
    "url": ("link", "url", "study link", "full text", "read the study", "read it", "pubmed", "source link", "available at", "study url"),
}
_LABEL_KIND = {label: kind for kind, labels in _LABELS.items() for label in labels}
# A bare "DOI:", "PMID:" or "Journal:" line is as likely the page's own identifier as the study's, so
# such lines only join a block that has a strong cue (a citation, a study title, "Published in X").
_STRONG_KINDS = frozenset({"formal", "title"})

# Words that make a capitalised phrase look like a journal rather than a place or a person.
_JOURNAL_WORDS = frozenset(
    """nature science cell lancet neuron brain jama bmj nejm pnas plos elife journal reviews review
    medicine medical psychiatry psychology neuroscience neurology research letters reports annals
    archives bulletin proceedings transactions communications biology biological chemistry physics
    astronomy frontiers scientific pharmacology therapeutics clinical oncology cancer genetics
    genomics molecular pediatrics paediatrics cardiology immunology epidemiology health neuropsychopharmacology
    psychopharmacology translational advances trends current opinion today bioRxiv medRxiv arXiv""".lower().split()
)
_TRAILING_NON_JOURNAL = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday today yesterday january february march april may june "
    "july august september october november december last this".split()
)
_JOURNAL = r"(?:The\s+)?(?:[A-Z]|[a-z][A-Z])[\w&'’.-]*(?:[ \t]+(?:(?:of|and|&|in|for|the|on)[ \t]+)?(?:[A-Z0-9]|[a-z][A-Z])[\w&'’.-]*){0,7}"
_WORK = r"(?:study|article|paper|review|trial|analysis|meta-analysis|report|research|findings|results|survey|commentary|preprint)"
_PROSE_PATTERNS = (
    # "published (Monday) in the journal Nature Medicine": the word "journal" makes it strong.
    (re.compile(r"\bpublished\b[^.;\n]{0,40}?\bin\s+(?:the\s+)?(?:[\w-]+\s+)?journal\s+(?P<journal>" + _JOURNAL + ")"), False),
    # "A 2022 article published in Nature Reviews Drug Discovery"
    (re.compile(r"\b" + _WORK + r"\b[^.;\n]{0,60}?\b(?:published|appearing|appeared|out|reported)\b[^.;\n]{0,30}?\bin\s+(?:the\s+)?(?P<journal>" + _JOURNAL + ")"), True),
    # "a study in Nature Astronomy", "according to a study in X", "new research in X"
    (re.compile(r"\b(?:a|an|the|one|new|recent|latest|this)\s+(?:[\w-]+\s+){0,2}?" + _WORK + r"\s+in\s+(?:the\s+)?(?P<journal>" + _JOURNAL + ")"), True),
)
_PROSE_YEAR = re.compile(r"\b(?:a|an|the|this|that)\s+(?P<year>" + YEAR + r")\s+(?:[\w-]+\s+){0,2}?" + _WORK + r"\b|\b" + _WORK + r"\b[^.;\n]{0,40}?\bin\s+(?P<year2>" + YEAR + r")\b", re.IGNORECASE)
_PROSE_TITLE = re.compile(r"\b(?:titled|entitled|called|named)\s*[:,]?\s*[\"“'‘](?P<title>[^\"”’\n]{8,300})[\"”’]")

_FORMATTED_HINT = re.compile(r"\(" + YEAR + r"[a-z]?\)|\b" + YEAR + r"[a-z]?(?:\s+[A-Z][a-z]{2,8}\.?(?:\s+\d{1,2})?)?\s*;\s*\d")
_NUMERIC_BRACKET = re.compile(r"\[\^?(\d{1,4}(?:\s*[-–,]\s*\d{1,4}){0,20})\]")
_NUMERIC_PAREN = re.compile(r"(?<=[\s\w.,;:)])\((\d{1,4}(?:\s*[-–,]\s*\d{1,4}){0,20})\)")
_NOT_MARKER_BEFORE = re.compile(r"(?:fig|figure|table|eq|equation|step|n|p|ref|panel|model|group)\.?\s*$", re.IGNORECASE)
_PAREN_GROUP = re.compile(r"\(([^()\n]{4,400})\)")
_NARRATIVE = re.compile(
    r"\b(?P<name>(?:(?:van|von|de|der|den|del|di|da|du|le|la)\s+)*[A-Z][\w'’-]+)"
    r"(?P<rest>\s+et\s+al\.?|\s+(?:and|&)\s+(?:(?:van|von|de|der|den|del|di|da|du|le|la)\s+)*[A-Z][\w'’-]+)?"
    r"\s+\((?P<year>" + YEAR + r")(?P<suffix>[a-z])?\)"
)
_AUTHOR_YEAR_PART = re.compile(
    r"^(?:(?:e\.g\.|i\.e\.|see(?:\s+also)?|cf\.|reviewed\s+in)[,\s]+)?"
    r"(?P<name>(?:(?:van|von|de|der|den|del|di|da|du|le|la)\s+)*[A-Z][\w'’-]+)"
    r"(?:\s+et\s+al\.?|\s+(?:and|&)\s+(?:(?:van|von|de|der|den|del|di|da|du|le|la)\s+)*[A-Z][\w'’-]+|,\s+[A-Z][\w'’-]+,?\s+(?:and|&)\s+[A-Z][\w'’-]+)?"
    r",?\s+(?P<years>" + YEAR + r"[a-z]?(?:\s*,\s*" + YEAR + r"[a-z]?)*)\b"
)


@dataclass
class _Mention:
    """One place a study is mentioned, with the fields read there (absolute offsets)."""

    kind: str  # formal, labelled, prose
    start: int
    end: int
    line: int
    fields: dict[str, tuple[Any, int, int]] = field(default_factory=dict)
    authors: list[tuple[int, int, dict]] = field(default_factory=list)
    authors_span: tuple[int, int] | None = None
    evidence: list[tuple[str, int, int]] = field(default_factory=list)
    strong: bool = True

    @property
    def priority(self) -> int:
        return {"formal": FORMAL, "labelled": LABELLED}.get(self.kind, PROSE)


@dataclass
class _Citation:
    role: str
    mentions: list[_Mention] = field(default_factory=list)
    evidence: list[tuple[str, int, int]] = field(default_factory=list)
    number: int | None = None


def extract_citations(doc: Document) -> dict[str, list[Span]]:
    """Return the ``citations`` layer and the warnings found while merging mentions."""
    text = doc.text
    lines = _lines(doc)
    regions = _reference_regions(doc, lines)
    references, regions = _reference_entries(text, lines, regions)
    blocked = _Zones(regions)
    mentions = _labelled_mentions(text, lines, blocked) + _formatted_lines(text, lines, blocked)
    prose = _prose_mentions(text, lines, _Zones(regions + [(m.start, m.end) for m in mentions]))
    prose += _unattached(_link_mentions(doc, lines, blocked), prose, text)
    subjects = _cluster(mentions, sorted(prose, key=lambda m: m.start), has_references=bool(references))
    for subject in subjects:
        _add_repeats(text, subject, blocked)
    warnings: list[Span] = []
    for index, subject in enumerate(subjects, 1):
        warnings.extend(_disagreements(text, subject, f"subject-{index}", lines))
    excluded = _Zones(regions + [(m.start, m.end) for s in subjects for m in s.mentions if m.kind != "prose"])
    warnings.extend(_link_markers(text, references, subjects, excluded))
    spans = [_subject_span(text, s, f"subject-{i}") for i, s in enumerate(subjects, 1)]
    spans += [_reference_span(text, r, i) for i, r in enumerate(references, 1)]
    return {L.CITATIONS: spans, L.WARNINGS: warnings}


# --------------------------------------------------------------------------- lines and regions


def _lines(doc: Document) -> list[tuple[int, int]]:
    spans = doc.layer(L.LINES)
    if spans:
        return [(s.start, s.end) for s in spans]
    out, position = [], 0
    for line in doc.text.split("\n"):
        out.append((position, position + len(line)))
        position += len(line) + 1
    return out


def _content_start(text: str, start: int, end: int) -> int:
    """Offset of the first word of a line after emoji, bullets, '#' and emphasis markers."""
    m = _DECORATION.match(text, start, end)
    return m.end() if m else end


def _reference_regions(doc: Document, lines: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Where reference lists are: sections of kind references, "References" lines, trailing numbered runs."""
    text = doc.text
    regions = [(s.start, s.end) for s in doc.layer(L.SECTIONS) if s.label == "references"]
    heading_levels = {s.start: s.get("heading_level") for s in doc.layer(L.LINES) if s.get("markup") == "heading"}
    for index, (start, end) in enumerate(lines):
        content = text[_content_start(text, start, end) : end].strip().strip("*_:#").strip()
        if not _REFERENCE_HEADING.match(content):
            continue
        body_start = end + 1 if end < len(text) else end
        regions.append((body_start, _region_end(text, lines, index, heading_levels)))
    trailing = _trailing_numbered_run(text, lines)
    if trailing:
        regions.append(trailing)
    return sorted({(s, e) for s, e in regions if e > s})


def _region_end(text: str, lines: list[tuple[int, int]], heading_index: int, heading_levels: dict) -> int:
    """A reference list ends at the next Markdown heading, or after a blank line followed by prose."""
    level = heading_levels.get(lines[heading_index][0]) or 99
    previous_blank = False
    last_end = lines[heading_index][1]
    last_line = ""
    numbered = False  # continuation across blank lines is judged only in numbered lists
    for start, end in lines[heading_index + 1 :]:
        line = text[start:end]
        if start in heading_levels and heading_levels[start] <= level:
            break
        if not line.strip() or not any(ch.isalnum() for ch in line):
            previous_blank = True  # a stray glyph on a line of its own counts as a blank line
            continue
        if previous_blank and not _looks_like_entry(line) and not (numbered and _continues_entry(last_line, line)):
            break
        previous_blank = False
        last_end = end
        last_line = line
        numbered = numbered or bool(_ENTRY_MARKER.match(line))
    return last_end


#: The start of an author-year entry: "Ferguson JN, …", "Bishop SDH, …", "Smith, J. …".
_AUTHOR_START = re.compile(r"^\s*[A-Z][A-Za-z'\u2019\-]+(?:\s[A-Z][A-Za-z'\u2019\-]+)?,?\s(?:[A-Z]\.?\s?){1,3}(?:[,.:]|\s|$)")


#: Link-out labels some publishers print after each entry ("Publisher Full Text", "PubMed Abstract").
_LINK_LABEL = re.compile(
    r"\b(?:Publisher\s+Full\s+Text|Free\s+Full\s+Text|PubMed\s+Full\s+Text|Reference\s+Source|PubMed\s+Abstract"
    r"|PMC\s+Free\s+Article|Google\s+Scholar|Cross[Rr]ef|Web\s+of\s+Science)\b"
)
#: A list whose entries are delimited by link labels has at least this many of them.
_MIN_LINK_LABELS = 3


def _looks_like_entry(line: str) -> bool:
    return bool(
        _ENTRY_MARKER.match(line)
        or _BULLET.match(line)
        or _AUTHOR_START.match(line)
        or re.search(r"\b" + YEAR + r"\b|\b10\.\d{4,9}/|https?://", line)
        or _LINK_LABEL.fullmatch(line.strip())
    )


def _trailing_numbered_run(text: str, lines: list[tuple[int, int]]) -> tuple[int, int] | None:
    """A run of numbered entries 1..n ending the document, most of them with a year."""
    numbers: list[int] = []
    with_year = 0
    run_start = run_end = None
    for start, end in reversed(lines):
        line = text[start:end]
        if not line.strip():
            continue
        m = _ENTRY_MARKER.match(line)
        if not m:
            if numbers:
                break  # prose before the run (continuation lines are not supported here)
            return None
        numbers.append(int(next(g for g in m.groups() if g)))
        with_year += bool(re.search(r"\b" + YEAR + r"\b", line))
        run_start = start
        run_end = run_end if run_end is not None else end
    numbers.reverse()
    if len(numbers) < 2 or numbers != list(range(1, len(numbers) + 1)) or with_year * 2 < len(numbers):
        return None
    return run_start, run_end


# --------------------------------------------------------------------------- reference entries


def _reference_entries(text: str, lines: list[tuple[int, int]], regions: list[tuple[int, int]]) -> tuple[list[_Citation], list[tuple[int, int]]]:
    """Parse the entries of each region; return them and the extent of each list actually read."""
    out = []
    extents = []
    seen: set[int] = set()  # regions may overlap (a section and the heading line found both)
    line_starts = [start for start, _ in lines]
    for region_start, region_end in regions:
        first = bisect_left(line_starts, region_start)
        last = bisect_right(line_starts, region_end)
        region_lines = [(s, e) for s, e in lines[first:last] if e <= region_end]
        list_lines = _list_lines(text, region_lines)
        if list_lines:
            extents.append((region_start, list_lines[-1][1]))
        for start, end, number in _label_delimited_entries(text, list_lines) or _split_entries(text, list_lines):
            if start in seen:
                continue
            seen.add(start)
            parsed = parse_reference(text[start:end])
            if parsed.completeness() < (1 if number is not None else 2):
                continue  # an unnumbered line that does not read as a reference is a note, not an entry
            mention = _mention_from_parse("formal", parsed, start, start, end, _line_index(lines, start))
            mention.evidence.append(("raw", start, end))
            out.append(_Citation("reference", [mention], number=number if number is not None else parsed.number))
    return out, extents


def _list_lines(text: str, region_lines: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Lines of the list itself: it ends where prose follows a blank line (a footer, the next part).

    PDFs break entries with stray lines: an accent or a math-italic letter set apart from its
    word ("´", "𝛽"), or the rest of a wrapped entry after a blank line. A line with no letters or
    digits is skipped, and in a numbered list a line that evidently continues the entry before it
    (that entry has no final full stop, or the line starts in lower case or with punctuation)
    does not end the list.
    """
    out: list[tuple[int, int]] = []
    previous_blank = False
    numbered = any(_ENTRY_MARKER.match(text[s:e]) for s, e in region_lines)
    for start, end in region_lines:
        line = text[start:end]
        if not line.strip() or not any(ch.isalnum() for ch in line):
            previous_blank = True
            continue
        if previous_blank and out and not _looks_like_entry(line):
            if not (numbered and _continues_entry(text[out[-1][0] : out[-1][1]], line)):
                break
        out.append((start, end))
        previous_blank = False
    return out


def _continues_entry(previous: str, line: str) -> bool:
    """Whether ``line`` reads as the rest of the entry ``previous`` ended (not a new entry, not prose)."""
    stripped = line.lstrip()
    if not stripped or _ENTRY_MARKER.match(line):
        return False
    too_short = len(_ENTRY_MARKER.sub("", previous.strip(), count=1)) < 25  # "[2] A." is no whole reference
    return too_short or stripped[0].islower() or stripped[0] in ",.;:)]-\u2013\u2014" or not previous.rstrip().endswith(".")


def _split_entries(text: str, list_lines: list[tuple[int, int]]) -> list[tuple[int, int, int | None]]:
    """Entries of a reference list: numbered entries absorb continuation lines; otherwise one per line."""
    numbered = any(_ENTRY_MARKER.match(text[s:e]) for s, e in list_lines)
    entries: list[list] = []
    previous_end = -2
    for start, end in list_lines:
        line = text[start:end]
        marker = _ENTRY_MARKER.match(line)
        if marker:
            number = int(next(g for g in marker.groups() if g))
            entries.append([start + marker.end(), end, number])
        elif numbered and entries and (start == previous_end + 1 or _continues_entry(text[entries[-1][0] : entries[-1][1]], line)):
            entries[-1][1] = end  # a wrapped entry continues on the next line (or after a stray blank one)
        else:
            bullet = _BULLET.match(line)
            entries.append([start + (bullet.end() if bullet else len(line) - len(line.lstrip())), end, None])
        previous_end = end
    return [(s, _strip_right(text, s, e), n) for s, e, n in entries]


def _label_delimited_entries(text: str, list_lines: list[tuple[int, int]]) -> list[tuple[int, int, int | None]]:
    """Entries of an unnumbered list whose entries end with link labels: the text between labels.

    Such lists (entry, "Publisher Full Text", entry, "PubMed Abstract", ...) break an entry over
    several PDF paragraphs (its title in bold type, a wrapped line) and glue a label to the next
    entry's first line, so lines say little there; the labels say where each entry ends.
    """
    if not list_lines or any(_ENTRY_MARKER.match(text[s:e]) for s, e in list_lines):
        return []
    start, end = list_lines[0][0], list_lines[-1][1]
    labels = list(_LINK_LABEL.finditer(text, start, end))
    if len(labels) < _MIN_LINK_LABELS:
        return []
    entries = []
    cursor = start
    for label in labels + [None]:
        stop = label.start() if label else end
        piece_start = cursor
        while piece_start < stop and text[piece_start].isspace():
            piece_start += 1
        piece_end = _strip_right(text, piece_start, stop)
        if piece_end > piece_start:
            entries.append((piece_start, piece_end, None))
        cursor = label.end() if label else end
    return entries


def _strip_right(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


def _line_index(lines: list[tuple[int, int]], offset: int) -> int:
    low, high = 0, len(lines) - 1
    while low < high:
        mid = (low + high + 1) // 2
        if lines[mid][0] <= offset:
            low = mid
        else:
            high = mid - 1
    return low


def _mention_from_parse(kind: str, parsed: ParsedReference, base: int, start: int, end: int, line: int) -> _Mention:
    mention = _Mention(kind, start, end, line)
    for name, (value, s, e) in parsed.fields.items():
        if name == "pmcid":
            continue
        mention.fields[name] = (value, base + s, base + e)
        mention.evidence.append((name, base + s, base + e))
    mention.authors = [(base + s, base + e, p) for s, e, p in parsed.authors]
    if parsed.authors_span:
        mention.authors_span = (base + parsed.authors_span[0], base + parsed.authors_span[1])
        mention.evidence.append(("authors", *mention.authors_span))
    return mention


# --------------------------------------------------------------------------- subject mentions


class _Zones:
    """Sorted, merged ranges (reference lists, citation lines) with a logarithmic containment test."""

    def __init__(self, ranges: Iterable[tuple[int, int]]) -> None:
        merged: list[list[int]] = []
        for start, end in sorted(ranges):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self._starts = [r[0] for r in merged]
        self._ends = [r[1] for r in merged]

    def covers(self, start: int, end: int) -> bool:
        index = bisect_right(self._starts, start) - 1
        return index >= 0 and end <= self._ends[index]


def _inside(start: int, end: int, zones: _Zones) -> bool:
    return zones.covers(start, end)


def _labelled_mentions(text: str, lines: list[tuple[int, int]], blocked: _Zones) -> list[_Mention]:
    mentions = []
    for index, (start, end) in enumerate(lines):
        if _inside(start, end, blocked) or start == end:
            continue
        content = _content_start(text, start, end)
        mention = _labelled_line(text, lines, index, content, end)
        if mention:
            mentions.append(mention)
    return mentions


def _labelled_line(text: str, lines: list[tuple[int, int]], index: int, content: int, end: int) -> _Mention | None:
    line = text[content:end]
    label = _LABEL.match(line)
    kind = _LABEL_KIND.get(" ".join(label.group("label").lower().split())) if label else None
    if kind:
        value_start = content + label.end()
        value_end = _strip_right(text, value_start, end)
        if value_start >= value_end and kind in ("title", "formal"):
            value_start, value_end = _next_line_value(text, lines, index)
        return _labelled_value(text, kind, index, content, end, value_start, value_end)
    published = _PUBLISHED_IN_LINE.match(line)
    if published:
        return _published_in_line(text, index, content, end, content + published.end())
    if _LINK_LINE.match(line) and len(line.split()) <= 10:
        mention = _Mention("labelled", content, _strip_right(text, content, end), index, strong=False)
        _add_url(text, mention, content, end)
        return mention
    return None


def _next_line_value(text: str, lines: list[tuple[int, int]], index: int) -> tuple[int, int]:
    """'Study Title:' with the title on the next non-blank line."""
    for start, end in lines[index + 1 : index + 3]:
        if text[start:end].strip():
            content = _content_start(text, start, end)
            return content, _strip_right(text, content, end)
    return 0, 0


def _labelled_value(text: str, kind: str, index: int, start: int, end: int, value_start: int, value_end: int) -> _Mention | None:
    if value_end <= value_start:
        return None
    value_start, value_end = _unquote(text, value_start, value_end)
    value = text[value_start:value_end]
    line_index = index
    mention = _Mention("labelled", start, max(_strip_right(text, start, end), value_end), line_index, strong=kind in _STRONG_KINDS)
    if kind == "formal":
        parsed = parse_reference(value)
        if parsed.completeness() < 2:
            return None
        formal = _mention_from_parse("formal", parsed, value_start, value_start, value_end, line_index)
        formal.evidence.append(("raw", value_start, value_end))
        return formal
    if kind == "title":
        mention.fields["title"] = (value.rstrip("."), value_start, value_start + len(value.rstrip(".")))
    elif kind == "authors":
        authors = split_author_list(value, value_start)
        if not authors:
            return None
        mention.authors, mention.authors_span = authors, (value_start, value_end)
    elif kind == "journal":
        _journal_and_year(text, mention, value_start, value_end)
    elif kind == "year":
        m = _YEAR_ONLY.match(value)
        if not m:
            return None
        mention.fields["year"] = (int(m.group(1)), value_start + m.start(1), value_start + m.end(1))
    elif kind in ("doi", "pmid"):
        parsed = parse_reference(("doi:" if kind == "doi" else "PMID: ") + value)
        shift = 4 if kind == "doi" else 6
        if not parsed.value(kind):
            return None
        _, s, e = parsed.fields[kind]
        mention.fields[kind] = (parsed.value(kind), value_start + s - shift, value_start + e - shift)
    elif kind == "url":
        _add_url(text, mention, value_start, value_end)
    for name, (_, s, e) in mention.fields.items():
        mention.evidence.append((name, s, e))
    if mention.authors_span:
        mention.evidence.append(("authors", *mention.authors_span))
    return mention


def _unquote(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in _QUOTES:
        start += 1
    while end > start and text[end - 1] in _QUOTES + " ":
        end -= 1
    if end - start > 1 and text[end - 1] == "." and text[end - 2] in _QUOTES:
        end -= 2
    return start, end


def _published_in_line(text: str, index: int, start: int, end: int, value_start: int) -> _Mention | None:
    mention = _Mention("labelled", start, _strip_right(text, start, end), index)
    _journal_and_year(text, mention, value_start, _strip_right(text, value_start, end))
    if "journal" not in mention.fields:
        return None
    for name, (_, s, e) in mention.fields.items():
        mention.evidence.append((name, s, e))
    return mention


def _journal_and_year(text: str, mention: _Mention, start: int, end: int) -> None:
    """'Nature Reviews Drug Discovery, 2022' / 'JAMA Psychiatry (2021)' / 'Cell'."""
    value = text[start:end]
    year = re.search(r"[,(\s]\s*\(?(" + YEAR + r")\)?\.?\s*$", value)
    journal_end = start + (year.start() if year else len(value))
    journal_end = _strip_right(text, start, journal_end)
    while journal_end > start and text[journal_end - 1] in ",.;:":
        journal_end -= 1
    if year:
        mention.fields["year"] = (int(year.group(1)), start + year.start(1), start + year.end(1))
    if journal_end > start and text[start].isalpha():
        mention.fields["journal"] = (text[start:journal_end], start, journal_end)


def _add_url(text: str, mention: _Mention, start: int, end: int) -> None:
    url = re.search(r"https?://[^\s<>\"]+", text[start:end])
    if url:
        value = url.group(0).rstrip(".,;)]")
        mention.fields["url"] = (value, start + url.start(), start + url.start() + len(value))
        mention.evidence.append(("url", start + url.start(), start + url.start() + len(value)))
    else:  # "Read it on PubMed": the link itself did not survive into plain text
        mention.evidence.append(("url", mention.start, mention.end))


def _formatted_lines(text: str, lines: list[tuple[int, int]], blocked: _Zones) -> list[_Mention]:
    """A complete formatted reference standing on its own line outside any reference list."""
    out = []
    for index, (start, end) in enumerate(lines):
        if _inside(start, end, blocked) or end - start < 30 or end - start > 1000:
            continue
        if not _FORMATTED_HINT.search(text, start, end):
            continue  # cheap test first: a formatted reference has "(2019)" or "2019;39"
        content = _content_start(text, start, end)
        if _LABEL.match(text, content, end):
            continue
        parsed = parse_reference(text[content:end])
        if parsed.authors and parsed.completeness() >= 4 and parsed.style != "unknown":
            mention = _mention_from_parse("formal", parsed, content, content, _strip_right(text, content, end), index)
            mention.evidence.append(("raw", mention.start, mention.end))
            out.append(mention)
    return out


def _prose_mentions(text: str, lines: list[tuple[int, int]], blocked: _Zones) -> list[_Mention]:
    out = []
    for index, (start, end) in enumerate(lines):
        if start == end or _inside(start, end, blocked):
            continue
        taken_until = start
        for pattern, needs_journal_word in _PROSE_PATTERNS:
            for m in pattern.finditer(text, start, end):
                if m.start() < taken_until:
                    continue
                journal = _trim_journal(text, m.start("journal"), m.end("journal"))
                if not journal or (needs_journal_word and not _journal_like(text[journal[0] : journal[1]])):
                    continue
                out.append(_prose_mention(text, index, start, end, m, journal))
                taken_until = m.end()
    return sorted(out, key=lambda m: m.start)


def _trim_journal(text: str, start: int, end: int) -> tuple[int, int] | None:
    words = list(re.finditer(r"\S+", text[start:end]))
    while words and (
        words[-1].group(0).lower().strip(".,") in _TRAILING_NON_JOURNAL
        or words[-1].group(0).lower() in {"of", "and", "&", "in", "for", "the", "on"}
        or words[-1].group(0).strip(".,").isdigit()  # "Neuron in 2021": the year is not the journal's
    ):
        words.pop()
    if not words:
        return None
    end = start + words[-1].end()
    while end > start and text[end - 1] in ".,;:'’":
        end -= 1
    return (start, end) if end > start else None


def _journal_like(phrase: str) -> bool:
    words = re.findall(r"[\w&]+", phrase)
    return any(w.lower() in _JOURNAL_WORDS or (len(w) >= 3 and w.isupper() and w.isalpha()) for w in words)


def _prose_mention(text: str, index: int, line_start: int, line_end: int, match: re.Match, journal: tuple[int, int]) -> _Mention:
    sentence_start = _sentence_start(text, line_start, match.start())
    mention = _Mention("prose", sentence_start, journal[1], index)
    mention.fields["journal"] = (text[journal[0] : journal[1]], *journal)
    year = _PROSE_YEAR.search(text, sentence_start, match.end())
    if year:
        group = "year" if year.group("year") else "year2"
        mention.fields["year"] = (int(year.group(group)), year.start(group), year.end(group))
    title = _PROSE_TITLE.search(text, journal[1], min(line_end, journal[1] + 120))
    if title:
        mention.fields["title"] = (title.group("title").strip().rstrip(".,"), title.start("title"), title.start("title") + len(title.group("title").strip().rstrip(".,")))
        mention.end = title.end()
    for name, (_, s, e) in mention.fields.items():
        mention.evidence.append((name, s, e))
    return mention


def _link_mentions(doc: Document, lines: list[tuple[int, int]], blocked: _Zones) -> list[_Mention]:
    """Links to doi.org, PubMed or a journal's article page; the anchor text is the evidence."""
    out = []
    for link in doc.layer(L.LINKS):
        found = classify_link(str(link.get("href") or ""))
        if not found or _inside(link.start, link.end, blocked):
            continue
        mention = _Mention("labelled", link.start, link.end, _line_index(lines, link.start), strong=True)
        for name, value in found.items():
            mention.fields[name] = (value, link.start, link.end)
            mention.evidence.append((name, link.start, link.end))
        out.append(mention)
    return out


def _unattached(links: list[_Mention], prose: list[_Mention], text: str) -> list[_Mention]:
    """Give each link to the prose mention of its sentence ("a paper in <a>Cell</a>"); return the rest."""
    rest = []
    for link in links:
        host = next((m for m in prose if m.line == link.line and m.start <= link.start <= _sentence_end(text, m.end)), None)
        if host is None:
            rest.append(link)
            continue
        for name, value in link.fields.items():
            host.fields.setdefault(name, value)
        host.evidence.extend(link.evidence)
    return rest


def _sentence_end(text: str, position: int) -> int:
    ends = [i for i in (text.find(". ", position), text.find("\n", position)) if i >= 0]
    return min(ends) if ends else len(text)


def _sentence_start(text: str, line_start: int, position: int) -> int:
    cut = max(text.rfind(". ", line_start, position), text.rfind("? ", line_start, position), text.rfind("! ", line_start, position))
    return cut + 2 if cut >= 0 else line_start


# --------------------------------------------------------------------------- grouping and merging


def _cluster(labelled: list[_Mention], prose: list[_Mention], *, has_references: bool) -> list[_Citation]:
    """Blocks of nearby labelled lines, plus prose mentions, merged when they name the same study."""
    clusters: list[_Citation] = []
    for block in _blocks(sorted(labelled, key=lambda m: m.start)):
        if any(m.strong for m in block):
            clusters.append(_Citation("subject", list(block)))
    for mention in prose:
        if has_references and not clusters:
            continue  # in a paper with a bibliography, "a study in Nature" is a reference, not the subject
        clusters.append(_Citation("subject", [mention]))
    merged: list[_Citation] = []
    for cluster in clusters:
        target = next((c for c in merged if _same_study(c, cluster)), None)
        if target:
            target.mentions.extend(cluster.mentions)
        else:
            merged.append(cluster)
    for cluster in merged:
        cluster.mentions.sort(key=lambda m: m.start)
    return merged


def _blocks(mentions: list[_Mention]) -> list[list[_Mention]]:
    blocks: list[list[_Mention]] = []
    for mention in mentions:
        if blocks and mention.line - blocks[-1][-1].line <= 2 and not _conflicting(blocks[-1], mention):
            blocks[-1].append(mention)
        else:
            blocks.append([mention])
    return blocks


def _conflicting(block: list[_Mention], mention: _Mention) -> bool:
    """A second title or a second formal citation starts another study's block."""
    return any(
        (m.kind == "formal" and mention.kind == "formal") or ("title" in m.fields and "title" in mention.fields and mention.kind != "formal")
        for m in block
    )


def _values(cluster: _Citation, name: str) -> list[Any]:
    return [m.fields[name][0] for m in cluster.mentions if name in m.fields]


def _same_study(a: _Citation, b: _Citation) -> bool:
    for name in ("doi", "pmid"):
        if {_norm(v) for v in _values(a, name)} & {_norm(v) for v in _values(b, name)}:
            return True
    if {_norm(v) for v in _values(a, "title")} & {_norm(v) for v in _values(b, "title")}:
        return True
    years_a, years_b = set(_values(a, "year")), set(_values(b, "year"))
    years_agree = not years_a or not years_b or bool(years_a & years_b)
    journals = any(_journal_match(x, y) for x in _values(a, "journal") for y in _values(b, "journal"))
    if journals and years_agree:
        return True
    first_a = {_norm(m.authors[0][2]["family"] or "") for m in a.mentions if m.authors}
    first_b = {_norm(m.authors[0][2]["family"] or "") for m in b.mentions if m.authors}
    return bool(first_a & first_b - {""}) and bool(years_a & years_b)


def _norm(value: Any) -> str:
    folded = unicodedata.normalize("NFKD", str(value)).encode("ascii", "ignore").decode().casefold()
    return " ".join(re.findall(r"[a-z0-9]+", folded))


def _journal_words(name: str) -> list[str]:
    return [w for w in _norm(name).split() if w not in {"the", "of", "and", "journal"} or len(_norm(name).split()) == 1]


def _journal_match(a: str, b: str) -> bool:
    """Same journal, allowing NLM abbreviations ("Nat Rev Drug Discov")."""
    wa, wb = _journal_words(a), _journal_words(b)
    return len(wa) == len(wb) and all(x.startswith(y) or y.startswith(x) for x, y in zip(wa, wb))


# --------------------------------------------------------------------------- evidence by repetition


def _add_repeats(text: str, citation: _Citation, blocked: _Zones) -> None:
    """Verbatim repeats of the title, the journal name, and "the <journal> article" are evidence too."""
    known = {(f, s, e) for m in citation.mentions for f, s, e in m.evidence}
    title = _best(citation, "title")
    if title and len(title[0]) >= 15:
        for start in _find_all(text.casefold(), title[0].casefold()):
            item = ("title", start, start + len(title[0]))
            if item not in known and not _inside(start, item[2], blocked):
                citation.evidence.append(item)
    journal = _best(citation, "journal")
    if journal:
        covered = [(s, e) for _, s, e in known | set(citation.evidence)]
        for start, end in _journal_repeats(text, journal[0]):
            if not _overlaps(start, end, covered) and not _inside(start, end, blocked):
                citation.evidence.append(("journal", start, end))
                covered.append((start, end))


def _journal_repeats(text: str, journal: str) -> Iterable[tuple[int, int]]:
    """The full journal name anywhere, and a shortened form naming the work ("the Nature Reviews article")."""
    for m in re.finditer(r"\b" + re.escape(journal) + r"\b", text):
        yield m.start(), m.end()
    words = journal.split()
    prefixes = [" ".join(words[:n]) for n in range(len(words) - 1, 1, -1)]
    if prefixes:
        short = r"\b(?:" + "|".join(re.escape(p) for p in prefixes) + r")(?=\s+(?:" + _WORK + r"|authors|researchers|team)\b)"
        for m in re.finditer(short, text):
            yield m.start(), m.end()


def _find_all(haystack: str, needle: str) -> Iterable[int]:
    position = haystack.find(needle)
    while position >= 0:
        yield position
        position = haystack.find(needle, position + 1)


def _overlaps(start: int, end: int, spans: Iterable[tuple[int, int]]) -> bool:
    return any(s < end and start < e for s, e in spans)


# --------------------------------------------------------------------------- choosing values, disagreements


_TITLE_ORDER = {"labelled": 3, "formal": 2, "prose": 1}
_OTHER_ORDER = {"formal": 3, "labelled": 2, "prose": 1}


def _ranked(citation: _Citation, name: str) -> list[_Mention]:
    order = _TITLE_ORDER if name == "title" else _OTHER_ORDER
    have = [m for m in citation.mentions if (m.authors if name == "authors" else name in m.fields)]
    return sorted(have, key=lambda m: (-order[m.kind], m.start))


def _best(citation: _Citation, name: str) -> tuple[Any, int, int] | None:
    ranked = _ranked(citation, name)
    return ranked[0].fields[name] if ranked else None


def _disagreements(text: str, citation: _Citation, key: str, lines: list[tuple[int, int]]) -> list[Span]:
    warnings = []
    for name in ("title", "journal", "year", "doi", "pmid", "authors"):
        ranked = _ranked(citation, name)
        if len(ranked) < 2:
            continue
        winner = ranked[0]
        for loser in ranked[1:]:
            problem = _difference(name, winner, loser)
            if not problem:
                continue
            where = loser.authors_span if name == "authors" else loser.fields[name][1:]
            won_line = _line_index(lines, winner.start) + 1
            warnings.append(
                Span(
                    where[0],
                    where[1],
                    "citation-disagreement",
                    {
                        "located": True,
                        "message": f"{key}: {problem}; here {_shown(text, loser, name)!r}, but the {winner.kind} mention on line {won_line} gives {_shown(text, winner, name)!r}, which was kept",
                    },
                )
            )
    return warnings


def _shown(text: str, mention: _Mention, name: str) -> str:
    if name == "authors":
        return text[mention.authors_span[0] : mention.authors_span[1]]
    return str(mention.fields[name][0])


def _difference(name: str, winner: _Mention, loser: _Mention) -> str | None:
    if name == "authors":
        return _author_difference(winner.authors, loser.authors)
    a, b = winner.fields[name][0], loser.fields[name][0]
    if name == "journal":
        return None if _journal_match(a, b) else "the journal differs"
    if _norm(a) != _norm(b):
        return f"the {name} differs"
    return None


def _author_key(person: dict) -> tuple[str, str]:
    return _norm(person["family"] or person["name"]), initials(person["given"])[:1]


def _author_difference(winner: list, loser: list) -> str | None:
    a = [_author_key(p) for _, _, p in winner]
    b = [_author_key(p) for _, _, p in loser]

    def same(x: tuple[str, str], y: tuple[str, str]) -> bool:
        return x[0] == y[0] and (not x[1] or not y[1] or x[1] == y[1])

    shorter, longer = (a, b) if len(a) <= len(b) else (b, a)
    if all(same(x, y) for x, y in zip(shorter, longer)):
        return None  # equal, or one list cut short by "et al."
    if len(a) == len(b) and sorted(a) == sorted(b):
        return "the authors are listed in a different order"
    return "the authors differ"


# --------------------------------------------------------------------------- in-text markers


def _link_markers(text: str, references: list[_Citation], subjects: list[_Citation], excluded: _Zones) -> list[Span]:
    warnings: list[Span] = []
    by_number = {r.number: r for r in references if r.number is not None}
    if by_number:
        warnings.extend(_numeric_markers(text, by_number, excluded, parens=len(by_number) == len(references)))
    _author_year_markers(text, references + subjects, excluded)
    return warnings


def _numeric_markers(text: str, by_number: dict[int, _Citation], excluded: _Zones, *, parens: bool) -> list[Span]:
    warnings = []
    patterns = [_NUMERIC_BRACKET] + ([_NUMERIC_PAREN] if parens else [])
    for pattern in patterns:
        for m in pattern.finditer(text):
            if _inside(m.start(), m.end(), excluded) or _at_line_start(text, m.start()):
                continue
            if pattern is _NUMERIC_PAREN and _NOT_MARKER_BEFORE.search(text, max(0, m.start() - 12), m.start()):
                continue
            items = list(_marker_items(text, m.start(1), m.end(1)))
            missing = sorted({n for n, _, _ in items if n not in by_number})
            if pattern is _NUMERIC_PAREN and (not items or missing):
                continue  # "(12)" that names no entry is a number in parentheses, not a marker
            if missing:
                message = f"in-text marker {m.group(0)!r} names reference number(s) {missing}, which the reference list does not have"
                warnings.append(Span(m.start(), m.end(), "citation-marker-unresolved", {"located": True, "message": message}))
            for number, start, end in items:
                if number in by_number:
                    by_number[number].evidence.append(("marker", start, end))
    return warnings


def _at_line_start(text: str, position: int) -> bool:
    line_start = text.rfind("\n", 0, position) + 1
    return not text[line_start:position].strip(" \t#>*-")


def _marker_items(text: str, start: int, end: int) -> Iterable[tuple[int, int, int]]:
    """'1, 3-5' -> (1, span of '1'), (3, span of '3-5'), (4, ...), (5, ...)."""
    for m in re.finditer(r"(\d{1,4})(?:\s*[-–]\s*(\d{1,4}))?", text[start:end]):
        first = int(m.group(1))
        last = int(m.group(2)) if m.group(2) else first
        if last < first or last - first > 50:
            continue
        for number in range(first, last + 1):
            yield number, start + m.start(), start + m.end()


def _author_year_markers(text: str, citations: list[_Citation], excluded: _Zones) -> None:
    index: dict[tuple[str, int], list[_Citation]] = {}
    for citation in citations:
        family = _first_family(citation)
        year = _best(citation, "year")
        if family and year:
            index.setdefault((family, year[0]), []).append(citation)
    if not index:
        return
    for m in _PAREN_GROUP.finditer(text):
        if _inside(m.start(), m.end(), excluded):
            continue
        position = m.start(1)
        for part in re.split(r"(;)", m.group(1)):
            if part != ";":
                _link_author_year_part(text, part, position, index)
            position += len(part)
    for m in _NARRATIVE.finditer(text):
        if _inside(m.start(), m.end(), excluded):
            continue
        _link(index, m.group("name"), int(m.group("year")), m.group("suffix"), m.start(), m.end())


def _link_author_year_part(text: str, part: str, offset: int, index: dict) -> None:
    lead = len(part) - len(part.lstrip())
    m = _AUTHOR_YEAR_PART.match(part.strip())
    if not m:
        return
    for year in re.finditer(YEAR + r"([a-z])?", m.group("years")):
        end = offset + lead + m.start("years") + year.end()
        _link(index, m.group("name"), int(year.group(0)[:4]), year.group(1), offset + lead, end)


def _link(index: dict, name: str, year: int, suffix: str | None, start: int, end: int) -> None:
    candidates = index.get((_norm(name.split()[-1]), year), [])
    if len(candidates) > 1 and suffix:
        position = ord(suffix) - ord("a")
        candidates = candidates[position : position + 1]
    if len(candidates) == 1 and ("marker", start, end) not in candidates[0].evidence:
        candidates[0].evidence.append(("marker", start, end))


def _first_family(citation: _Citation) -> str | None:
    ranked = _ranked(citation, "authors")
    if not ranked:
        return None
    family = ranked[0].authors[0][2]["family"]
    return _norm(family.split()[-1]) if family else None


# --------------------------------------------------------------------------- output spans


def _attrs(text: str, citation: _Citation, key: str, main: tuple[int, int]) -> dict:
    def value(name: str) -> Any:
        best = _best(citation, name)
        return best[0] if best else None

    ranked_authors = _ranked(citation, "authors")
    authors = [dict(p) for _, _, p in ranked_authors[0].authors] if ranked_authors else []
    evidence = {(f, s, e) for m in citation.mentions for f, s, e in m.evidence} | set(citation.evidence)
    year = value("year")
    return {
        "key": key,
        "title": value("title"),
        "authors": authors,
        "journal": value("journal"),
        "year": int(year) if year is not None else None,
        "volume": value("volume"),
        "issue": value("issue"),
        "pages": value("pages"),
        "doi": value("doi"),
        "pmid": value("pmid"),
        "url": value("url"),
        "raw": text[main[0] : main[1]],
        "evidence": [{"field": f, "start": s, "end": e} for f, s, e in sorted(evidence, key=lambda x: (x[1], x[2], x[0]))],
    }


def _main_span(citation: _Citation) -> tuple[int, int]:
    """The formal citation if there is one, else the title mention, else the first mention."""
    formal = [m for m in citation.mentions if m.kind == "formal"]
    if formal:
        return formal[0].start, formal[0].end
    title = _best(citation, "title")
    if title:
        return title[1], title[2]
    first = citation.mentions[0]
    return first.start, first.end


def _subject_span(text: str, citation: _Citation, key: str) -> Span:
    main = _main_span(citation)
    return Span(main[0], main[1], "subject", _attrs(text, citation, key, main))


def _reference_span(text: str, citation: _Citation, position: int) -> Span:
    main = _main_span(citation)
    key = f"ref-{citation.number}" if citation.number is not None else f"ref-{position}"
    return Span(main[0], main[1], "reference", _attrs(text, citation, key, main))
