"""Find the article's OWN metadata: title, authors, publication date, publisher, identifiers.

The stage returns the ``metadata`` layer (see :mod:`pipeline.layers`): one span per piece of
evidence, ``text[start:end]`` being exactly the value as written (a title without its emoji or
"Title:" label, a DOI without "doi:"), ``value`` the normalised value, ``primary`` on the span
that gives the field's value. It works on the ``lines`` layer alone; when the sections stage has
run, its recognised body sections (introduction, methods, ...) bound the front matter too. For a
PDF, the fields that :mod:`._pdf_header` reads from the first page's layout replace these rules'.

Why the care: an explainer usually opens with a block about the STUDY it explains ("Study Title:",
"Published in <Journal>, 2022", "Authors: ..."). That block is the subject citation, which the
citations stage reads; reading it here would give the article someone else's title, date and
authors. The rules decide by structure, never by known strings.

Rules
-----
Regions.
  *Front matter*: the lines from the top up to the first recognised body heading (Introduction,
  Background, Methods, "1. ...", a Markdown H2+ after the title, or a sections-layer section of a
  body kind) or the first prose paragraph (a long line with a sentence break), whichever comes
  first; an abstract headed "Abstract"/"Summary" is read through and the front matter continues
  after it (so "Keywords:" after an abstract is still front matter).
  *Study blocks*: a run of labelled lines that starts at a study marker ("Study Title:",
  "Study:", "Source study:", "Citation:", "Reference:", "Published in <Journal>", ...) and
  continues over labelled lines ("Authors:", "Journal:", "DOI:", "Link:", ...), "Read it on ..."
  lines, quoted lines and the value line after an empty label ("Study Title:" then the title on
  the next line). It ends at the first other line. Nothing in a study block is the article's.
  *Reference lists*: everything after a "References"/"Bibliography"/"Sources" heading (or a
  sections-layer ``references`` section) is ignored.
Title, in order of preference.
  1. The first Markdown H1 (ATX or setext) near the top.
  2. A "Title:" label outside study blocks.
  3. The first title-like line of the front matter directly followed (blank lines aside) by a
     byline, an author list or a date line (a masthead line such as "Brainwise Health Notes"
     below an earlier title-like line does not count); else the first title-like line. A line is title-like when it is
     a short line (1..40 words) starting with a capital, not a label line, byline, date, URL,
     identifier, copyright or list item, not fully quoted (a quoted title is a cited work), not
     prose, not a section name, not inside a study block and not a repeat of a study title.
  Leading emoji/symbols and Markdown emphasis are outside the span; a final "." is dropped.
Authors. A byline ("By A and B | date", "Written by A", "Posted by A on ...", "Author(s): ...")
  in the front matter outside study blocks; else an author-list line right after the title
  ("Alice B. Carter1, David Lee2": two or more name-shaped parts, or one with a marker).
  Degrees (PhD, MD) are dropped; numbered affiliation lines after the list ("1 Department of
  ...") are attached by marker. Names split as "Given Family" or, Vancouver style, "Family AB".
Published date. Labelled dates ("Published: ...", "Published 12 May 2023", "Posted on ...",
  "Publication date: ...", "Date: ...") at the start of a line or after a separator, outside
  study blocks and reference lists, the front matter first; else a date in a byline or a line
  that is only a date in the front matter. "Published in <Journal>, 2022" is a journal
  attribution, not a date label. Dates labelled Updated/Modified/Reviewed/Received/Accepted/...
  are not publication dates. Ambiguous numeric dates ("01/08/2025") keep only the year and add
  a warning. Date formats: see :mod:`pipeline.stages._dates`.
Publisher, in order of preference: "Published by X"/"Publisher: X"; "© 2024 X"/"Copyright 2024
  X"; a site named in the front matter (the segment after the date in "Published March 14, 2024 ·
  X", or a masthead line right after the title) when it contains an organisation word (Health,
  Digest, Trust, Journal, Clinic, ...); "At X, we ..."; an organisation named in a disclaimer
  sentence ("This content does not constitute medical advice ... at X"). Each mention is
  evidence; the best-ranked first one is primary.
Identifiers. DOI ("doi:10.x/y", "https://doi.org/10.x/y"), PMID ("PMID: 123"), PMCID
  ("PMC123"), in the front matter or on a line labelled with their name anywhere outside study
  blocks and reference lists. URL: a URL alone on a front-matter line or after a "URL:",
  "Source URL:", "Canonical URL:" or "Permalink:" label (DOI and PubMed links are not the
  article's URL).
Journal. The journal's own citation line in the front matter ("Journal of X, 2024; 12(3):
  201-214" gives journal, volume, issue, pages and a year, used as the date when nothing better
  is given) or a "Journal:" label outside study blocks.
Keywords. A "Keywords:"/"Key words:"/"Index terms:"/"Tags:" line, split on ";" (or "," when
  there is no ";"); one span per keyword.
Abstract. The text under an "Abstract"/"Summary" heading (or after "Abstract:" on the same line)
  in the front matter, up to the next heading or label line; else a sections-layer ``abstract``
  section that starts before the body.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable, Iterator

from ..document import Document, Span
from .. import layers as L
from ._names import NAME_PARTICLES, split_name
from ._dates import find_date_matches
from ._pdf_header import pdf_header_spans

# --------------------------------------------------------------------------------------------
# Lines and their content
# --------------------------------------------------------------------------------------------

_MAX_FRONT_LINES = 40
_MAX_TITLE_SEARCH_LINES = 25

_MARKUP_CHARS = frozenset("*_>#•·–—►▶→|~`=+")
_DECORATION_CATEGORIES = frozenset({"So", "Sk", "Cf", "Mn", "Me", "Co", "Cs"})


@dataclass(frozen=True)
class _Line:
    index: int
    start: int
    end: int
    markup: str | None
    heading_level: int | None
    cstart: int  # content: the line without markers, emoji and emphasis around it
    cend: int
    label: "_Label | None" = None  # parsed once, as most rules ask for it

    @property
    def blank(self) -> bool:
        return self.cstart >= self.cend


def _is_decoration(ch: str) -> bool:
    if ch in "©®":
        return False  # "© 2024 Acme" names the publisher
    return ch.isspace() or ch in _MARKUP_CHARS or unicodedata.category(ch) in _DECORATION_CATEGORIES


def _content_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and _is_decoration(text[start]):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in "*_`#" or unicodedata.category(text[end - 1]) in _DECORATION_CATEGORIES):
        end -= 1
    return start, end


def _lines(doc: Document) -> list[_Line]:
    text = doc.text
    raw = doc.layer(L.LINES)
    if raw:
        spans = [(s.start, s.end, s.get("markup"), s.get("heading_level"), s.get("marker_end")) for s in raw]
    else:
        spans, offset = [], 0
        for piece in text.split("\n"):
            spans.append((offset, offset + len(piece), None, None, None))
            offset += len(piece) + 1
    out = []
    for index, (start, end, markup, level, marker_end) in enumerate(spans):
        if markup in ("blank", "fence", "code", "heading_underline"):
            out.append(_Line(index, start, end, markup, None, end, end))
            continue
        begin = marker_end if marker_end is not None and markup in ("heading", "list_item", "ordered_item") else start
        cstart, cend = _content_bounds(text, begin, end)
        line = _Line(index, start, end, markup, level, cstart, cend)
        out.append(_Line(index, start, end, markup, level, cstart, cend, _parse_label(text, line)))
    return out


def _content(text: str, line: _Line) -> str:
    return text[line.cstart : line.cend]


# --------------------------------------------------------------------------------------------
# Labels ("Authors: ...") and line kinds
# --------------------------------------------------------------------------------------------

_LABEL = re.compile(r"(?P<label>[A-Za-z][A-Za-z&/ .'()-]{0,40}?)\s*[:：]\**[ \t]*(?P<value>.*)$")

_STUDY_MARKER_LABELS = frozenset({
    "study title", "study", "the study", "source study", "original study", "cited study", "study reference",
    "study citation", "study link", "study authors", "paper", "original paper", "research paper",
    "original research", "original article", "citation", "reference", "source", "sources", "study details",
})
_FIELD_LABELS = frozenset({
    "title", "subtitle", "author", "authors", "by", "written by", "journal", "published", "publication",
    "publication date", "date", "year", "doi", "pmid", "pmcid", "link", "url", "volume", "issue", "pages",
    "publisher", "published by", "read it", "read more", "available at", "full text", "abstract link",
})
_KNOWN_LABELS = _STUDY_MARKER_LABELS | _FIELD_LABELS | frozenset({
    "posted", "posted on", "posted by", "updated", "last updated", "modified", "last modified", "reviewed",
    "medically reviewed by", "reviewed by", "received", "accepted", "revised", "keywords", "key words",
    "keyword", "index terms", "tags", "topics", "copyright", "affiliation", "affiliations", "correspondence",
    "email", "e-mail", "category", "categories", "reading time", "read time", "editor", "edited by",
    "contributors", "photo", "image", "credit", "canonical url", "permalink", "source url", "website",
    "date published", "first published", "originally published", "publication date", "release date",
})
_JOURNAL_ATTRIBUTION = re.compile(r"(?i:published|appeared|appearing|featured|publication)\s+in\s+(?i:the\s+)?(?i:journal\s+)?[A-Z\"“]")
_READ_LINK = re.compile(r"(?:read|view|see|access|open|find)\b[^.]{0,40}?\b(?:on|at|in|via|here)\b[^.]{0,30}$", re.IGNORECASE)
_QUOTES = "\"“”'‘’«»"


def _norm_label(label: str) -> str:
    return re.sub(r"\s+", " ", label.strip(" .*_")).casefold()


@dataclass(frozen=True)
class _Label:
    name: str  # normalised label
    vstart: int  # value span in the document
    vend: int


def _label_of(text: str, line: _Line) -> _Label | None:
    """The line's label when it is a label line ("Authors: ...", "Study Title:")."""
    return line.label


def _parse_label(text: str, line: _Line) -> _Label | None:
    if line.blank:
        return None
    match = _LABEL.match(text, line.cstart, line.cend)
    if not match:
        return None
    name = _norm_label(match.group("label"))
    vstart, vend = _content_bounds(text, match.start("value"), match.end("value"))
    value_empty = vstart >= vend
    if name in _KNOWN_LABELS or (value_empty and len(name.split()) <= 4):
        return _Label(name, vstart, vend)
    return None


def _is_quoted(content: str) -> bool:
    return len(content) > 2 and content[0] in _QUOTES and content.rstrip(".,;")[-1:] in _QUOTES


_BODY_HEADING = re.compile(
    r"(?:(?:[0-9]{1,2}|[IVX]{1,4})[.)]?\s+)?(?:introduction|background|methods?|materials and methods|methodology|"
    r"results|discussion|conclusions?|references|bibliography|acknowledge?ments|overview|limitations)\s*:?",
    re.IGNORECASE,
)
_ABSTRACT_HEADING = re.compile(r"(?P<word>abstract|summary)\b\s*(?:[:.—–-]\s*)?", re.IGNORECASE)
_REFERENCE_HEADING = re.compile(r"(?:references|bibliography|sources|works cited|literature cited|further reading|citations)\s*:?", re.IGNORECASE)
_NUMBERED_HEADING = re.compile(r"(?:[0-9]{1,2}(?:\.[0-9]{1,2})*[.)]|[IVX]{1,4}\.)\s+[A-Z]")

_SENTENCE_BREAK = re.compile(r"(?<!\b[A-Z])(?<!\be\.g)(?<!\bi\.e)(?<!\bvs)(?<!\bDr)(?<!\bSt)(?<!\bal)(?<!\bMr)(?<!\bMs)[.!?][\"”’)]?\s+[\"“(]?[A-Z]")


def _is_body_heading(text: str, line: _Line) -> bool:
    content = _content(text, line)
    if _BODY_HEADING.fullmatch(content):
        return True
    return bool(_NUMBERED_HEADING.match(content)) and len(content.split()) <= 12 and line.markup != "ordered_item"


def _word_count(content: str) -> int:
    return len(content.split())


def _is_prose(content: str, *, lenient: bool = False) -> bool:
    """A paragraph of running text: it ends the front matter and is never a title.

    ``lenient`` is for the document's first line when it stands alone as a paragraph: titles
    such as "GENE SILENCING. Epigenetic silencing by ..." or "Is Two Better Than One? A ..."
    contain sentence breaks, so there only length makes prose.
    """
    words = _word_count(content)
    if words >= 40:
        return True
    if lenient:
        return False
    if words >= 12 and _SENTENCE_BREAK.search(content):
        return True
    return words >= 25 and content.rstrip()[-1:] in ".!?"


_AFFILIATION_WORD = re.compile(
    r"\b(?:universit\w*|department|dept\.?|institute|institut\w*|hospital|school|college|cent(?:er|re)|faculty|"
    r"laborator\w*|clinic|foundation|division|unit|program(?:me)?)\b",
    re.IGNORECASE,
)

# --------------------------------------------------------------------------------------------
# Regions: front matter, study blocks, reference lists
# --------------------------------------------------------------------------------------------

_BODY_SECTION_KINDS = frozenset({"introduction", "methods", "results", "discussion", "conclusion", "limitations", "references"})


@dataclass
class _Regions:
    front: list[_Line]
    abstract: tuple[int, int] | None
    study: set[int]  # line indexes inside study blocks
    study_titles: list[str]  # normalised titles the study blocks give
    references_from: int  # offset where a reference list starts (len(text) when none)


def _study_blocks(text: str, lines: list[_Line]) -> tuple[set[int], list[str]]:
    inside: set[int] = set()
    titles: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        label = _label_of(text, line)
        content = _content(text, line)
        is_marker = (
            (label is not None and label.name in _STUDY_MARKER_LABELS)
            or (len(content) < 30 and _norm_label(content.rstrip(":")) in _STUDY_MARKER_LABELS - {"source", "sources", "reference", "citation"})
            or (not line.blank and _JOURNAL_ATTRIBUTION.match(content) is not None)
        )
        if not is_marker:
            index += 1
            continue
        # A quoted line right before the marker is the study's title ("\"X\"\nPublished in Y").
        if index > 0 and not lines[index - 1].blank and _is_quoted(_content(text, lines[index - 1])):
            inside.add(index - 1)
            titles.append(_norm_title(_content(text, lines[index - 1])))
        index = _extend_block(text, lines, index, inside, titles)
    return inside, titles


def _extend_block(text: str, lines: list[_Line], index: int, inside: set[int], titles: list[str]) -> int:
    """Mark the block starting at ``index``; return the index after it."""
    pending_value_for: str | None = None
    last_included = index
    cursor = index
    while cursor < len(lines):
        line = lines[cursor]
        if line.blank:
            cursor += 1
            continue
        content = _content(text, line)
        label = _label_of(text, line)
        if pending_value_for is not None and label is None:
            inside.add(cursor)
            if "title" in pending_value_for or pending_value_for in _STUDY_MARKER_LABELS:
                titles.append(_norm_title(content))
            pending_value_for = None
        elif label is not None and (label.name in _STUDY_MARKER_LABELS or label.name in _FIELD_LABELS):
            inside.add(cursor)
            if label.vstart >= label.vend:
                pending_value_for = label.name
            elif "title" in label.name:
                titles.append(_norm_title(text[label.vstart : label.vend]))
        elif _JOURNAL_ATTRIBUTION.match(content) or _READ_LINK.match(content) or _is_quoted(content):
            inside.add(cursor)
            if _is_quoted(content):
                titles.append(_norm_title(content))
        else:
            break
        last_included = cursor
        cursor += 1
    return last_included + 1


def _norm_title(value: str) -> str:
    return re.sub(r"\W+", " ", value).strip().casefold()


def _references_start(doc: Document, text: str, lines: list[_Line]) -> int:
    starts = [s.get("heading_start", s.start) for s in doc.layer(L.SECTIONS) if s.label == "references"]
    for line in lines:
        if not line.blank and _REFERENCE_HEADING.fullmatch(_content(text, line)):
            starts.append(line.start)
            break
    return min(starts) if starts else len(text)


def _regions(doc: Document, lines: list[_Line]) -> _Regions:
    text = doc.text
    study, study_titles = _study_blocks(text, lines)
    body_starts = [s.get("heading_start", s.start) for s in doc.layer(L.SECTIONS) if s.label in _BODY_SECTION_KINDS]
    hard_end = min(body_starts) if body_starts else len(text)
    front: list[_Line] = []
    abstract: tuple[int, int] | None = None
    seen_h1 = False
    index = 0
    while index < len(lines) and len(front) < _MAX_FRONT_LINES:
        line = lines[index]
        if line.start >= hard_end:
            break
        if line.blank:
            index += 1
            continue
        content = _content(text, line)
        if line.markup == "heading" and (seen_h1 or (line.heading_level or 1) > 1) and front and not _ABSTRACT_HEADING.fullmatch(content):
            break
        if _is_body_heading(text, line) and front:
            break
        if abstract is None and index not in study and (found := _abstract_from(text, lines, index)):
            abstract, index = found
            continue
        lenient = not front and _stands_alone(lines, line)
        # a long byline ("By A, B, ... and Z") reads like prose by length alone, but it is front matter
        is_byline = bool(_BYLINE.match(content)) and _byline_people(text, line) is not None
        if index not in study and _is_prose(content, lenient=lenient) and not _AFFILIATION_WORD.search(content[:120]) and not is_byline:
            break
        seen_h1 = seen_h1 or (line.markup == "heading" and line.heading_level == 1)
        front.append(line)
        index += 1
    references_from = _references_start(doc, text, lines)
    if abstract is None:
        abstract = _abstract_from_sections(doc, text, hard_end)
    return _Regions(front, abstract, study, study_titles, references_from)


def _abstract_from(text: str, lines: list[_Line], index: int) -> tuple[tuple[int, int], int] | None:
    """An abstract headed at line ``index``: ((start, end), index after it), else None."""
    line = lines[index]
    match = _ABSTRACT_HEADING.match(text, line.cstart, line.cend)
    if not match:
        return None
    inline_start = match.end()
    first = index + 1
    if inline_start < line.cend:
        if match.group(0).rstrip()[-1:] not in ":.—–-" and not match.group(0).endswith(" "):
            return None
        start = inline_start
        if match.group(0).strip().lower() == match.group("word").lower():
            return None  # "Summary of findings" is a heading, not an abstract label
    else:
        start = None
    end = line.cend if start is not None else None
    cursor = first
    while cursor < len(lines):
        nxt = lines[cursor]
        if nxt.blank:
            cursor += 1
            continue
        content = _content(text, nxt)
        label = _label_of(text, nxt)
        if nxt.markup == "heading" or _is_body_heading(text, nxt) or (label is not None and label.name in _KNOWN_LABELS):
            break
        if start is None:
            start = nxt.cstart
        end = nxt.cend
        cursor += 1
        # A short title-like line after a blank line is the next heading, not abstract text.
        if cursor < len(lines) and lines[cursor].blank:
            look = cursor
            while look < len(lines) and lines[look].blank:
                look += 1
            if look < len(lines) and _word_count(_content(text, lines[look])) <= 8 and not _content(text, lines[look]).endswith("."):
                cursor = look
                break
    if start is None or end is None or end <= start:
        return None
    return (start, end), cursor


def _abstract_from_sections(doc: Document, text: str, body_start: int) -> tuple[int, int] | None:
    for section in doc.layer(L.SECTIONS):
        if section.label == "abstract" and section.get("heading_start", section.start) < body_start:
            start, end = section.start, section.end
            while start < end and text[start].isspace():
                start += 1
            while end > start and text[end - 1].isspace():
                end -= 1
            return (start, end) if end > start else None
    return None


# --------------------------------------------------------------------------------------------
# Title
# --------------------------------------------------------------------------------------------

_BYLINE = re.compile(r"(?:(?:written|words|story|text|posted|article)\s+)?by\s+(?=[A-Z])|(?:author|authors)\s*:\s*", re.IGNORECASE)
_URL = re.compile(r"https?://[^\s<>\"')\]]+|www\.[^\s<>\"')\]]+")
_COPYRIGHT = re.compile(r"(?:©|\(c\)|copyright\b)", re.IGNORECASE)


def _is_date_line(text: str, line: _Line) -> bool:
    """A line that is one or more short segments of which one is only a date."""
    content = _content(text, line)
    if len(content.strip()) > _LONGEST_DATE_SEGMENT and not _SEGMENT_BREAK.search(content):
        return False  # one segment, too long for a date: what _segments and _is_date_text would find, at once
    return any(_is_date_text(segment.group(0)) for segment in _segments(content))


_SEGMENT = re.compile(r"(?:[^|•·\s]|\s(?![–—-]\s)|(?<=\S)[–—-]|[–—-](?=\S))+")
#: Where _SEGMENT stops a segment: a separator, or the space before a spaced dash (" - ").
_SEGMENT_BREAK = re.compile(r"[|•·]|\s[–—-]\s")


def _segments(content: str) -> list[re.Match]:
    """Parts of a dateline or byline: "By A | May 1, 2024 · Site" or "Published X – Site"."""
    return [m for m in _SEGMENT.finditer(content) if m.group(0).strip(" –—-")]


def _title_like(text: str, lines: list[_Line], line: _Line, regions: _Regions) -> bool:
    if line.blank or line.index in regions.study or line.markup in ("list_item", "ordered_item"):
        return False
    content = _content(text, line)
    words = _word_count(content)
    if not 1 <= words <= 40 or len(content) > 300:
        return False
    first_alpha = next((c for c in content if c.isalpha()), "")
    first_word = content.split()[0]
    # "pH-sensitive ...", "mRNA vaccines ..." start in lower case but are capitalised words.
    capitalised = first_alpha.isupper() or any(c.isupper() or c.isdigit() for c in first_word)
    if not first_alpha or not capitalised or content.startswith("(") or content.endswith(":"):
        return False
    first_line = line is regions.front[0]
    lenient = first_line and _stands_alone(lines, line)
    if words == 1 and line.markup != "heading" and not lenient:
        return False
    if (
        _label_of(text, line) is not None
        or _is_quoted(content)
        or _BYLINE.match(content)
        or _URL.search(content)
        or _COPYRIGHT.match(content)
        or _is_date_line(text, line)
        or _is_body_heading(text, line)
        or _ABSTRACT_HEADING.fullmatch(content)
        or _is_prose(content, lenient=lenient)
        or re.search(r"\b(?:doi|pmid|pmcid)\b", content, re.IGNORECASE)
        or _author_list(text, line) is not None
    ):
        return False
    return _norm_title(content) not in regions.study_titles


def _title_span(text: str, start: int, end: int) -> tuple[int, int]:
    if end - start > 1 and text[end - 1] == "." and not re.search(r"(?:\b[A-Z]|\bal|\bInc|\bLtd|\bCo|\.\.)\.$", text[start:end]):
        end -= 1
    return start, end


def _find_title(text: str, lines: list[_Line], regions: _Regions) -> list[Span]:
    candidates: list[tuple[int, int]] = []
    head = [ln for ln in lines[: _MAX_TITLE_SEARCH_LINES * 3] if not ln.blank][:_MAX_TITLE_SEARCH_LINES]
    h1 = next((ln for ln in head if ln.markup == "heading" and ln.heading_level == 1 and ln.index not in regions.study), None)
    if h1 is not None and not h1.blank:
        candidates.append(_title_span(text, h1.cstart, h1.cend))
    for line in regions.front:
        label = _label_of(text, line)
        if label is not None and label.name == "title" and line.index not in regions.study and label.vend > label.vstart:
            candidates.append(_title_span(text, label.vstart, label.vend))
            break
    title_like = [ln for ln in regions.front if _title_like(text, lines, ln, regions)]
    # A masthead ("Brainwise Health Notes") under the title sits right above the date line too.
    followed = [
        ln for ln in title_like
        if _followed_by_byline(text, lines, ln, regions) and not (ln is not title_like[0] and _site_name(text, ln.cstart, ln.cend) == (ln.cstart, ln.cend))
    ]
    # A line ending in "." is a title (MEDLINE style) only when it stands alone as a paragraph;
    # otherwise it is the first sentence of running text.
    title_like = [ln for ln in title_like if not _content(text, ln).endswith(".") or ln in followed or _stands_alone(lines, ln)]
    for line in followed[:1] + title_like[:1]:
        candidates.append(_title_span(text, line.cstart, line.cend))
    if not candidates:
        return []
    start, end = candidates[0]
    return [Span(start, end, "title", {"value": _squash(text[start:end]), "primary": True})]


def _typeset_title(doc: Document) -> list[Span]:
    """The title a layout-aware reader found by typography (PDF: the largest type on page 1).

    Typography beats every text rule: a PDF's text starts with a masthead and running heads,
    which look like titles to the text rules.
    """
    block = next((b for b in doc.layer(L.PDF_BLOCKS) if b.label == "title" and b.end > b.start), None)
    if block is None:
        return []
    start, end = _content_bounds(doc.text, block.start, block.end)
    note = _TITLE_NOTE.search(doc.text, start, end)
    if note is not None:
        end = note.start()
    if end <= start:
        return []
    return [Span(start, end, "title", {"value": _squash(doc.text[start:end]), "primary": True})]


#: A bracketed note set after a typeset title: "[v2; ref status: indexed, http://...]".
_TITLE_NOTE = re.compile(r"\s*\[(?:v\d+\b|[^\]\n]*\b(?:status|https?://))[^\]\n]*\]\s*$")


def _stands_alone(lines: list[_Line], line: _Line) -> bool:
    before_blank = line.index == 0 or lines[line.index - 1].blank
    after_blank = line.index + 1 < len(lines) and lines[line.index + 1].blank
    return before_blank and after_blank


def _followed_by_byline(text: str, lines: list[_Line], line: _Line, regions: _Regions) -> bool:
    """The next non-blank line is a byline, author list or date: the title sits right above it
    (breadcrumbs and kickers above the title are not followed by one)."""
    for nxt in lines[line.index + 1 :]:
        if nxt.blank:
            continue
        if nxt.index in regions.study:
            return False
        content = _content(text, nxt)
        if _BYLINE.match(content) or _is_date_line(text, nxt) or _labelled_date(text, nxt) is not None or _author_list(text, nxt) is not None:
            return True
        return False
    return False


def _squash(value: str) -> str:
    return re.sub(r"\s+", " ", value).strip()


# --------------------------------------------------------------------------------------------
# Authors
# --------------------------------------------------------------------------------------------

_DEGREES = frozenset({
    "phd", "ph.d", "md", "m.d", "msc", "ms", "ma", "mba", "mph", "bsc", "ba", "rn", "np", "pharmd", "dphil",
    "psyd", "lcsw", "lpc", "mfa", "dds", "do", "facp", "frcp", "frcpc", "mbbs", "bs", "jd", "cpa", "jr", "sr",
    "ii", "iii", "dr", "prof",
})


def _is_degree(token: str) -> bool:
    """'MD', 'Ph.D.', 'PhD', 'MSc' are degrees; 'Ma', 'Do', 'Ba' written as names are family names."""
    bare = token.strip(".,")
    if bare.lower() not in _DEGREES:
        return False
    return not (len(bare) <= 3 and bare[:1].isupper() and bare[1:].islower() and "." not in token)


_PARTICLES = NAME_PARTICLES  # one list of name particles, shared with the citations
# Affiliation markers ending a name: "(1,2)", "1,2*", "²†". The marks branch is written M+(,N M*)* so a
# long run of digits has one way to match, not exponentially many (found by fuzzing: 70 digits hung).
_MARKERS = re.compile(r"(?P<marks>\((?:[0-9]{1,2}|[a-z])(?:,\s?(?:[0-9]{1,2}|[a-z]))*\)|[0-9¹²³⁴⁵⁶⁷⁸⁹⁰*†‡§¶#]+(?:,[0-9¹²³⁴⁵⁶⁷⁸⁹⁰*†‡§¶][0-9¹²³⁴⁵⁶⁷⁸⁹⁰*†‡§¶#]*)*)$")
_MARKER_TAIL = 40  # markers are short: look for them only in a name's last characters
# Words that make a byline part a job title ("By Daniel Okoro, Health Reporter"), not a name.
_ROLE_WORDS = frozenset({
    "reporter", "writer", "editor", "correspondent", "journalist", "pharmacist", "contributor", "columnist",
    "scientist", "researcher", "staff", "team", "desk", "intern", "nurse", "physician", "doctor", "psychiatrist",
    "psychologist", "therapist", "clinician", "professor", "fellow", "student", "director", "manager", "officer",
    "specialist", "advisor", "adviser", "consultant", "author", "blogger", "host", "producer", "contributing",
    "senior", "staff", "founder", "ceo", "lead",
})
_SUPERSCRIPTS = str.maketrans("¹²³⁴⁵⁶⁷⁸⁹⁰", "1234567890")
_NAME_SPLIT = re.compile(r"\s*(?:,(?![0-9¹²³⁴⁵⁶⁷⁸⁹⁰*†‡§¶])|;|\band\b|&)\s*")
_INITIALS = re.compile(r"(?:[A-Z]\.?-?){1,3}")
_NAME_WORD = re.compile(r"[^\W\d_][^\W\d_'’.-]*(?:['’-][^\W\d_]+)*\.?")


@dataclass(frozen=True)
class _Person:
    start: int
    end: int
    name: str
    given: str | None
    family: str | None
    marks: tuple[str, ...]


def _person(text: str, start: int, end: int, *, strict: bool) -> _Person | None:
    """Read one name from ``text[start:end]`` (markers and degrees trimmed), or None."""
    piece = text[start:end]
    lead = len(piece) - len(piece.lstrip())
    start += lead
    piece = piece.strip()
    marks: tuple[str, ...] = ()
    tail_start = max(0, len(piece) - _MARKER_TAIL)
    found = _MARKERS.search(piece, tail_start)
    if found and found.start() > 0:
        marks = tuple(re.findall(r"[0-9]+|[*†‡§¶#]|(?<=[(,\s])[a-z]", found.group("marks").translate(_SUPERSCRIPTS)))
        piece = piece[: found.start()].rstrip()
    tokens = piece.split()
    while tokens and _is_degree(tokens[-1]):
        tokens.pop()
    while tokens and tokens[0].strip(".,").lower() in ("dr", "prof", "professor"):
        tokens.pop(0)
    if not 1 <= len(tokens) <= 5:
        return None
    if strict and len(tokens) < 2:
        return None
    capitals = 0
    for token in tokens:
        if token.lower() in _PARTICLES:
            continue
        if _INITIALS.fullmatch(token):
            capitals += 1
            continue
        if not _NAME_WORD.fullmatch(token) or not token[0].isupper():
            return None
        if len(token) > 1 and token[1:].isupper() and len(token) > 3:
            return None  # "KETAMINE" is not a name
        capitals += 1
    if capitals == 0:
        return None
    name_start = start + piece.find(tokens[0])
    name_end = name_start + len(" ".join(tokens)) if " ".join(tokens) in text[name_start : name_start + len(piece)] else name_start + len(piece)
    name = text[name_start:name_end]
    given, family = _split_name(tokens)
    return _Person(name_start, name_end, _squash(name), given, family, marks)


def _split_name(tokens: list[str]) -> tuple[str | None, str | None]:
    """Given and family names, by the same rules the citations stage uses (one name splitter)."""
    person = split_name(" ".join(tokens))
    return person["given"], person["family"]


def _split_people(text: str, start: int, end: int, *, strict: bool, byline: bool = False) -> list[_Person] | None:
    """All names in ``text[start:end]``, or None when any part is not a name.

    In a ``byline``, a part after the first name that is a job title ("Health Reporter",
    "clinical pharmacist") is skipped rather than refused.
    """
    people = []
    cursor = start
    segment = text[start:end]
    parts = []
    for match in _NAME_SPLIT.finditer(segment):
        parts.append((cursor, start + match.start()))
        cursor = start + match.end()
    parts.append((cursor, end))
    for part_start, part_end in parts:
        if part_end <= part_start or not text[part_start:part_end].strip():
            continue
        if _is_degree(text[part_start:part_end].strip(" .")) or text[part_start:part_end].strip().lower() == "et al.":
            continue
        part = text[part_start:part_end]
        if byline and people and _GROUP_LEAD.match(part.strip()):
            group = _group_author(text, part_start, part_end)
            if group is not None:
                people.append(group)
                continue
        if byline and people and (part.strip()[:1].islower() or any(w.strip(".").lower() in _ROLE_WORDS for w in part.split())):
            continue
        person = _person(text, part_start, part_end, strict=strict)
        if person is None and byline and people:
            # An explicit byline is trusted to list authors: a part that is not a personal name
            # is a group author ("the XYZ Study Group", "on behalf of ...") or noise, never a
            # reason to drop the whole line.
            person = _group_author(text, part_start, part_end)
            if person is None:
                continue
        if person is None:
            return None
        people.append(person)
    return people or None


_ON_BEHALF = re.compile(r"^(?:on\s+behalf\s+of\s+|for\s+)", re.IGNORECASE)
# "the XYZ Study Group", "on behalf of the ABC Consortium": group authors in a byline
_GROUP_LEAD = re.compile(r"^(?:on\s+behalf\s+of\s+|for\s+)?(?:the\s+)?[A-Z]\S*(?:\s+\S+){0,12}?\s+(?:group|consortium|collaborat\w*|investigators|network|editors|staff|committee|team|alliance|initiative)\b", re.IGNORECASE)


def _group_author(text: str, start: int, end: int) -> _Person | None:
    """A group or consortium named in a byline, as a person with no given/family split."""
    start, end = _content_bounds(text, start, end)
    match = _ON_BEHALF.match(text[start:end])
    if match:
        start += match.end()
    piece = text[start:end]
    words = piece.split()
    if not 1 <= len(words) <= 15 or not (piece[:1].isupper() or re.match(r"the\s+[A-Z]", piece)):
        return None
    return _Person(start, end, _squash(piece), None, None, ())


def _byline_people(text: str, line: _Line) -> list[_Person] | None:
    content = _content(text, line)
    match = _BYLINE.match(content)
    if not match:
        return None
    start = line.cstart + match.end()
    stop = re.search(r"\s*(?:[|•·]|\s[—–-]\s|\s+on\s+(?!behalf\b)(?=\S)|,\s*(?:published|updated|posted)\b|\s{2,}|$)", text[start : line.cend])
    end = start + stop.start() if stop else line.cend
    end = _content_bounds(text, start, end)[1]
    return _split_people(text, start, end, strict=False, byline=True)


def _author_list(text: str, line: _Line) -> list[_Person] | None:
    """A line listing authors without a label: two or more names, or one name with a marker."""
    if line.blank or line.markup in ("list_item", "ordered_item", "heading"):
        return None
    content = _content(text, line)
    if _BYLINE.match(content) or _word_count(content) > 60 or content.endswith((".", ":")) and not re.search(r"\b[A-Z]\.$", content):
        return None
    # "Dr. Sarah Chen, MD · June 2, 2023": the names come before a date segment.
    segments = _segments(content)
    dated = len(segments) > 1 and any(_is_date_text(m.group(0)) for m in segments[1:])
    end = line.cstart + segments[0].end() if dated else line.cend
    people = _split_people(text, line.cstart, _content_bounds(text, line.cstart, end)[1], strict=True, byline=dated)
    if people is None:
        return None
    if len(people) >= 2 or any(p.marks for p in people) or dated:
        return people
    return None


#: A segment this long is prose, not a date with a few words around it (the longest dates, with a
#: weekday and a time, are under 60 characters): not scanned, which kept whole paragraphs out of
#: the date scanner (a third of the metadata stage's time on abstracts).
_LONGEST_DATE_SEGMENT = 25 + 100


def _is_date_text(segment: str) -> bool:
    """A segment that is one date and at most 25 other characters."""
    if len(segment.strip()) > _LONGEST_DATE_SEGMENT:
        return False
    matches = list(find_date_matches(segment))
    return len(matches) == 1 and len(segment.strip()) - (matches[0].end - matches[0].start) <= 25


def _affiliations(text: str, lines: list[_Line], after: int, regions: _Regions) -> dict[str, str]:
    """Numbered affiliation lines following the author list: marker -> affiliation text."""
    found: dict[str, str] = {}
    front_indexes = {ln.index for ln in regions.front}
    for line in lines[after + 1 : after + 15]:
        if line.blank:
            continue
        if line.index not in front_indexes or _is_prose(_content(text, line)) or _word_count(_content(text, line)) > 40:
            break
        match = re.match(r"\(?(?P<mark>[0-9]{1,2}|[¹²³⁴⁵⁶⁷⁸⁹⁰]+|[*†‡§¶]|[a-z](?=\)))[.)]?\s*(?P<text>\S.*)$", text[line.cstart : line.cend])
        if match and _AFFILIATION_WORD.search(match.group("text")):
            found[match.group("mark").translate(_SUPERSCRIPTS)] = match.group("text").strip()
        elif _AFFILIATION_WORD.search(_content(text, line)) and not found:
            found[""] = _content(text, line)
        elif found:
            break
    return found


def _find_authors(text: str, lines: list[_Line], regions: _Regions, title: list[Span]) -> list[Span]:
    groups: list[tuple[list[_Person], int]] = []
    for line in regions.front:
        if line.index in regions.study:
            continue
        people = _byline_people(text, line)
        if people:
            groups.append((people, line.index))
    if title:
        title_line = next((ln for ln in lines if ln.start <= title[0].start <= ln.end), None)
        if title_line is not None:
            nxt = [ln for ln in lines[title_line.index + 1 : title_line.index + 4] if not ln.blank and ln.index not in regions.study]
            for line in nxt[:2]:
                people = _author_list(text, line)
                if people and all(index != line.index for _, index in groups):
                    groups.append((people, line.index))
                    break
    spans: list[Span] = []
    for number, (people, line_index) in enumerate(sorted(groups, key=lambda g: g[1])):
        affiliations = _affiliations(text, lines, line_index, regions)
        for person in people:
            if "" in affiliations and len(affiliations) == 1:
                affs = [affiliations[""]]
            else:
                affs = [affiliations[m] for m in person.marks if m in affiliations]
            attrs = {
                "value": person.name,
                "name": person.name,
                "given": person.given,
                "family": person.family,
                "affiliations": affs,
                "primary": number == 0,
            }
            spans.append(Span(person.start, person.end, "author", attrs))
    return spans


# --------------------------------------------------------------------------------------------
# Published date
# --------------------------------------------------------------------------------------------

_DATE_LABEL = re.compile(
    r"(?:^|(?<=[|•·—–;]\s)|(?<=[|•·;]))\s*(?:first\s+|originally\s+|date\s+)?"
    r"(?:published|posted|publication\s+date|pub\.?\s+date|date|released?|release\s+date)"
    r"\s*(?:on\b|:)?\s*",
    re.IGNORECASE,
)
_NOT_PUBLISHED = re.compile(
    r"\b(?:updated|modified|revised|reviewed|received|accepted|edited|accessed|retrieved|copyright|expires?|event|deadline)\b|©",
    re.IGNORECASE,
)


_WEEKDAY = re.compile(r"(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+", re.IGNORECASE)
_HAS_DIGIT = re.compile(r"[0-9]")


@dataclass(frozen=True)
class _DateFound:
    start: int
    end: int
    iso: str
    ambiguous: bool
    rank: int  # 0 labelled in front, 1 labelled elsewhere, 2 byline / date line in front


#: Letters that case-insensitive matching equates with ASCII ones but case folding does not.
_ODD_CASE_LETTERS = frozenset("\u0130\u0131\u017f\u212a")  # İ ı ſ and the Kelvin sign
#: Substrings one of which every match of _DATE_LABEL contains, case-folded; with none of them (and
#: none of the odd letters) a line has no date label.
_DATE_LABEL_WORDS = ("publish", "posted", "date", "releas")


def _labelled_date(text: str, line: _Line) -> tuple[int, int, str, bool] | None:
    content = _content(text, line)
    if _ODD_CASE_LETTERS.isdisjoint(content) and not any(word in content.casefold() for word in _DATE_LABEL_WORDS):
        return None  # no label here: spares the regular expression a scan of the whole line
    for match in _DATE_LABEL.finditer(content):
        rest_start = line.cstart + match.end()
        weekday = _WEEKDAY.match(text, rest_start, line.cend)
        if weekday:
            rest_start = weekday.end()
        for found in find_date_matches(text[rest_start : line.cend]):
            if found.start == 0:
                return rest_start, rest_start + found.end - found.start, found.iso, found.ambiguous
            break
    return None


def _unlabelled_dates(text: str, line: _Line) -> Iterator[tuple[int, int, str, bool]]:
    content = _content(text, line)
    for found in find_date_matches(content):
        before = content[max(0, found.start - 40) : found.start]
        before = re.split(r"[|•·]", before)[-1]
        if _NOT_PUBLISHED.search(before):
            continue
        yield line.cstart + found.start, line.cstart + found.end, found.iso, found.ambiguous


def _find_published(text: str, lines: list[_Line], regions: _Regions) -> tuple[list[Span], list[Span]]:
    front_indexes = {ln.index for ln in regions.front}
    found: list[_DateFound] = []
    for line in lines:
        if line.blank or line.index in regions.study or line.start >= regions.references_from:
            continue
        if not _HAS_DIGIT.search(text, line.cstart, line.cend):
            continue
        labelled = _labelled_date(text, line)
        if labelled:
            found.append(_DateFound(*labelled, rank=0 if line.index in front_indexes else 1))
            continue
        if line.index in front_indexes and (_BYLINE.match(_content(text, line)) or _is_date_line(text, line)):
            found.extend(_DateFound(*d, rank=2) for d in _unlabelled_dates(text, line))
    if not found:
        return [], []
    best = min(found, key=lambda f: (f.rank, f.ambiguous, f.start))
    spans = [Span(f.start, f.end, "published", {"value": f.iso, "primary": f is best}) for f in found]
    warnings = []
    if best.ambiguous:
        warnings.append(Span(best.start, best.end, "date-ambiguous", {"message": f"the publication date {text[best.start:best.end]!r} can be read day-first or month-first; only the year {best.iso} was kept"}))
    disagreeing = sorted({f.iso for f in found if f.rank == best.rank and not f.ambiguous and f.iso != best.iso})
    if disagreeing:
        warnings.append(Span(best.start, best.end, "metadata-conflict", {"message": f"the text gives more than one publication date ({best.iso}, {', '.join(disagreeing)}); {best.iso} was kept"}))
    return spans, warnings


# --------------------------------------------------------------------------------------------
# Publisher
# --------------------------------------------------------------------------------------------

_ORG_WORD = r"[A-Z](?:[\w&'’-]|\.(?=\w))*\.?"
# A token ending in "." ends the name ("Acme Health. All rights reserved").
_ORG = rf"{_ORG_WORD}(?:(?<!\.)[ \t]+(?:(?:of|for|and|&|the|de|du|des|la|le|und|y)[ \t]+)?{_ORG_WORD}){{0,5}}"
_ORG_STOP = frozenset({"The", "This", "That", "These", "Those", "Our", "We", "It", "Its", "All", "Any", "Home", "Least", "First", "Last", "Times", "Once", "Present", "No", "Some", "Each", "Every", "Authors", "Author"})
_PUBLISHED_BY = re.compile(rf"(?:^|(?<=[|•·]\s))(?i:published\s+by|publisher\s*:)\s*(?:the\s+)?(?P<org>{_ORG})")
_COPYRIGHT_ORG = re.compile(rf"(?:©|\([cC]\)|[Cc]opyright(?:\s*©)?)\s*(?:(?:19|20)[0-9]{{2}}(?:\s*[-–]\s*(?:19|20)[0-9]{{2}})?)?,?\s*(?:by\s+)?(?:the\s+)?(?P<org>{_ORG})")
_AT_WE = re.compile(rf"(?:^|(?<=[.!?]\s)|(?<=[(\"“]))At\s+(?:the\s+)?(?P<org>{_ORG})\s*,?\s+(?:we|our|us)\b")
_DISCLAIMER_CUE = re.compile(
    r"medical advice|(?:educational|informational) purposes|not intended|does not constitute|disclaimer|"
    r"not a substitute|consult (?:a|your)",
    re.IGNORECASE,
)
# A cheap test that a line may name a publisher at all, so long texts stay fast. "At" only as
# _AT_WE needs it, capitalised: a case-insensitive "at" let most lines of prose through.
_PUBLISHER_CUE = re.compile(r"©|\([cC]\)|[Cc]opyright|(?i:published\s+by|publisher)|(?-i:\bAt\s)|" + _DISCLAIMER_CUE.pattern, re.IGNORECASE)
#: Substrings one of which every match of _PUBLISHER_CUE contains (case-folded; "At" as written):
#: testing them first spares the regular expression most lines of prose, where it is slow.
_PUBLISHER_CUE_WORDS = ("©", "(c)", "copyright", "publish", "medical advice", "purposes", "not intended",
                        "does not constitute", "disclaimer", "not a substitute", "consult")


def _may_name_publisher(content: str) -> bool:
    """A cheap necessary condition for ``_PUBLISHER_CUE.search(content)``."""
    if "At" in content or not _ODD_CASE_LETTERS.isdisjoint(content):
        return True
    folded = content.casefold()
    return any(word in folded for word in _PUBLISHER_CUE_WORDS)


_ORG_AFTER_PREPOSITION = re.compile(rf"\b(?:at|by|from)\s+(?:the\s+)?(?P<org>{_ORG})")
# Words that make a short capitalised line an organisation or site ("Brainwise Health Notes").
_ORG_WORDS = frozenset({
    "health", "healthcare", "notes", "digest", "trust", "journal", "news", "magazine", "blog", "institute",
    "clinic", "clinics", "therapy", "therapeutics", "centre", "center", "foundation", "press", "media", "review",
    "times", "daily", "post", "society", "association", "network", "group", "lab", "labs", "research",
    "hospital", "university", "college", "inc", "inc.", "ltd", "ltd.", "llc", "weekly", "monthly", "today",
    "report", "wire", "herald", "tribune", "gazette", "publishing", "publications", "medical", "medicine",
    "science", "sciences", "council", "agency", "service", "services", "nhs", "wellness", "care",
})
_ORG_ABBREVIATIONS = ("Inc.", "Ltd.", "Co.", "Corp.", "LLC.", "Pty.", "S.A.", "B.V.", "N.V.", "P.C.")


def _org_bounds(text: str, start: int, end: int) -> tuple[int, int] | None:
    value = text[start:end]
    if value.endswith(".") and not value.endswith(_ORG_ABBREVIATIONS):
        end -= 1
    while end > start and text[end - 1] in ",;:'’-":
        end -= 1
    tokens = text[start:end].split()
    if not tokens or tokens[0] in _ORG_STOP or (len(tokens) == 1 and len(tokens[0]) < 3):
        return None
    if text[start:end].casefold() in ("the author", "the authors", "the author(s)", "authors"):
        return None
    return start, end


def _site_name(text: str, start: int, end: int) -> tuple[int, int] | None:
    """``text[start:end]`` when it starts with an organisation name (a site or masthead)."""
    start, end = _content_bounds(text, start, end)
    match = re.compile(_ORG).match(text, start, end)
    if not match or list(find_date_matches(text[start:end])):
        return None
    tokens = match.group(0).split()
    if not any(t.strip(".").lower() in _ORG_WORDS for t in tokens) or _BYLINE.match(text, start, end):
        return None
    return _org_bounds(text, match.start(), match.end())


def _front_site_names(text: str, lines: list[_Line], regions: _Regions, title: list[Span]) -> Iterator[tuple[int, int]]:
    """Sites named in the front matter: a segment after a date in a dateline ("Published March
    14, 2024 · Mindwell Research Digest") or a masthead line right after the title."""
    title_end = title[0].end if title else -1
    after_title = 0
    for line in regions.front:
        if line.index in regions.study:
            continue
        content = _content(text, line)
        segments = _segments(content)
        if len(segments) > 1 and any(_is_date_text(m.group(0)) or _labelled_date(text, line) for m in segments[:1]):
            for segment in segments[1:]:
                found = _site_name(text, line.cstart + segment.start(), line.cstart + segment.end())
                if found:
                    yield found
        if line.start > title_end >= 0 and after_title < 2:
            after_title += 1
            if _label_of(text, line) is None and len(segments) == 1:
                found = _site_name(text, line.cstart, line.cend)
                if found and found == (line.cstart, line.cend):
                    yield found


def _find_publisher(text: str, lines: list[_Line], regions: _Regions, title: list[Span]) -> list[Span]:
    found: list[tuple[int, int, int]] = [(2, s, e) for s, e in _front_site_names(text, lines, regions, title)]  # (rank, start, end)
    for line in lines:
        if line.blank or line.index in regions.study or line.start >= regions.references_from:
            continue
        if not _may_name_publisher(text[line.cstart : line.cend]) or not _PUBLISHER_CUE.search(text, line.cstart, line.cend):
            continue
        content = _content(text, line)
        for rank, pattern in ((0, _PUBLISHED_BY), (1, _COPYRIGHT_ORG), (3, _AT_WE)):
            for match in pattern.finditer(content):
                bounds = _org_bounds(text, line.cstart + match.start("org"), line.cstart + match.end("org"))
                if bounds:
                    found.append((rank, *bounds))
        for sentence in re.finditer(r"[^.!?]*(?:[.!?]+|$)", content):
            if not sentence.group(0).strip() or not _DISCLAIMER_CUE.search(sentence.group(0)):
                continue
            orgs = list(_ORG_AFTER_PREPOSITION.finditer(content, sentence.start(), sentence.end()))
            if orgs:
                last = orgs[-1]
                bounds = _org_bounds(text, line.cstart + last.start("org"), line.cstart + last.end("org"))
                if bounds:
                    found.append((4, *bounds))
    if not found:
        return []
    unique = sorted(set(found), key=lambda f: (f[1], f[0]))
    best = min(unique, key=lambda f: (f[0], f[1]))
    return [Span(s, e, "publisher", {"value": _squash(text[s:e]), "primary": (r, s, e) == best}) for r, s, e in unique]


# --------------------------------------------------------------------------------------------
# Identifiers, URL, keywords, abstract
# --------------------------------------------------------------------------------------------

_DOI = re.compile(r"(?:\bdoi\s*[:=]?\s*|https?://(?:dx\.)?doi\.org/)?(?P<doi>10\.[0-9]{4,9}/[^\s\"<>]+)", re.IGNORECASE)
_PMID = re.compile(r"\bPMID\s*:?\s*(?P<id>[0-9]{1,9})\b|pubmed\.ncbi\.nlm\.nih\.gov/(?P<url_id>[0-9]{1,9})")
_PMCID = re.compile(r"\b(?P<id>PMC[0-9]{4,9})\b")
_URL_LABELS = frozenset({"url", "source url", "canonical url", "permalink", "link", "web", "website", "online"})
_NOT_ARTICLE_URL = re.compile(r"doi\.org/|pubmed|ncbi\.nlm\.nih\.gov|europepmc", re.IGNORECASE)
_KEYWORD_LABELS = frozenset({"keywords", "key words", "keyword", "index terms", "tags", "topics", "subject terms"})


def _identifier_lines(text: str, lines: list[_Line], regions: _Regions, label_names: Iterable[str]) -> Iterator[_Line]:
    """Front-matter lines, plus lines anywhere labelled with one of ``label_names``."""
    names = frozenset(label_names)
    front_indexes = {ln.index for ln in regions.front}
    for line in lines:
        if line.blank or line.index in regions.study or line.start >= regions.references_from:
            continue
        if line.index in front_indexes:
            yield line
            continue
        label = _label_of(text, line)
        if label is not None and label.name in names:
            yield line


def _strip_trailing_punctuation(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1] in ".,;:)]}>'\"”’":
        if text[end - 1] == ")" and text[start:end].count("(") >= text[start:end].count(")"):
            break
        end -= 1
    return end


def _find_identifiers(text: str, lines: list[_Line], regions: _Regions) -> list[Span]:
    spans: list[Span] = []
    seen: dict[str, set[str]] = {"doi": set(), "pmid": set(), "pmcid": set()}

    def add(field: str, start: int, end: int, value: str) -> None:
        spans.append(Span(start, end, field, {"value": value, "primary": not seen[field]}))
        seen[field].add(value)

    for line in _identifier_lines(text, lines, regions, ("doi",)):
        for match in _DOI.finditer(text, line.cstart, line.cend):
            start = match.start("doi")
            end = _strip_trailing_punctuation(text, start, match.end("doi"))
            add("doi", start, end, text[start:end])
    for line in _identifier_lines(text, lines, regions, ("pmid",)):
        for match in _PMID.finditer(text, line.cstart, line.cend):
            group = "id" if match.group("id") else "url_id"
            if group == "url_id" and line.index in regions.study:
                continue
            add("pmid", match.start(group), match.end(group), match.group(group))
    for line in _identifier_lines(text, lines, regions, ("pmcid", "pmc")):
        for match in _PMCID.finditer(text, line.cstart, line.cend):
            add("pmcid", match.start("id"), match.end("id"), match.group("id"))
    return spans


def _find_url(text: str, lines: list[_Line], regions: _Regions) -> list[Span]:
    front_indexes = {ln.index for ln in regions.front}
    spans: list[Span] = []
    for line in lines:
        if line.blank or line.index in regions.study or line.start >= regions.references_from:
            continue
        label = _label_of(text, line)
        labelled = label is not None and label.name in _URL_LABELS and (line.index in front_indexes or label.name != "link")
        if labelled:
            area = (label.vstart, label.vend)
        elif line.index in front_indexes:
            area = (line.cstart, line.cend)
        else:
            continue
        match = _URL.search(text, *area)
        if not match or _NOT_ARTICLE_URL.search(match.group(0)):
            continue
        alone = not labelled and text[line.cstart : line.cend].strip("<>()[] ") == match.group(0).rstrip(".,;)")
        if not (labelled or alone):
            continue
        end = _strip_trailing_punctuation(text, match.start(), match.end())
        spans.append(Span(match.start(), end, "url", {"value": text[match.start() : end], "primary": not spans}))
    return spans


def _find_keywords(text: str, lines: list[_Line], regions: _Regions) -> list[Span]:
    for line in lines:
        if line.blank or line.index in regions.study or line.start >= regions.references_from:
            continue
        label = _label_of(text, line)
        if label is None or label.name not in _KEYWORD_LABELS or label.vend <= label.vstart:
            continue
        value = text[label.vstart : label.vend]
        separator = r";" if ";" in value else r"[,•·|]"
        spans = []
        cursor = label.vstart
        for piece in re.split(f"({separator})", value):
            if not re.fullmatch(separator, piece):
                start, end = cursor, cursor + len(piece)
                while start < end and text[start].isspace():
                    start += 1
                while end > start and (text[end - 1].isspace() or text[end - 1] == "."):
                    end -= 1
                if end > start:
                    spans.append(Span(start, end, "keyword", {"value": _squash(text[start:end]), "primary": True}))
            cursor += len(piece)
        return spans
    return []


_JOURNAL_LINE = re.compile(
    r"(?P<journal>[A-Z][^,;:\d]{2,80}?)[.,]?\s+(?P<year>(?:19|20)[0-9]{2})(?:\s+[A-Z][a-z]{2}(?:\s+[0-9]{1,2})?)?\s*[;,]\s*"
    r"(?:vol\.?\s*)?(?P<volume>[0-9]{1,4})\s*(?:\((?P<issue>[0-9A-Za-z–-]{1,10})\))?\s*[:,]\s*(?:pp?\.\s*)?"
    r"(?P<pages>[eE]?[0-9]+(?:\s*[-–]\s*[eE]?[0-9]+)?)"
)


def _find_journal(text: str, regions: _Regions) -> list[Span]:
    """The journal's own citation line in the front matter ("Journal of X, 2024; 12(3): 201-214")
    or a "Journal:" label outside study blocks."""
    for line in regions.front:
        if line.index in regions.study:
            continue
        label = _label_of(text, line)
        if label is not None and label.name == "journal" and label.vend > label.vstart:
            return [Span(label.vstart, label.vend, "journal", {"value": _squash(text[label.vstart : label.vend]), "primary": True})]
        match = _JOURNAL_LINE.match(text, line.cstart, line.cend)
        if match:
            spans = []
            for field in ("journal", "volume", "issue", "pages"):
                if match.group(field):
                    spans.append(Span(match.start(field), match.end(field), field, {"value": match.group(field).strip(), "primary": True}))
            spans.append(Span(match.start("year"), match.end("year"), "published", {"value": match.group("year"), "primary": False}))
            return spans
    return []


# --------------------------------------------------------------------------------------------
# The stage
# --------------------------------------------------------------------------------------------


def extract_metadata(doc: Document) -> dict[str, list[Span]]:
    """The ``metadata`` layer (and warnings) for ``doc``; see the module docstring for the rules."""
    text = doc.text
    lines = _lines(doc)
    regions = _regions(doc, lines)
    title = _typeset_title(doc) or _find_title(text, lines, regions)
    published, warnings = _find_published(text, lines, regions)
    journal = _find_journal(text, regions)
    if not published:
        journal = [s if s.label != "published" else Span(s.start, s.end, s.label, {"value": s.get("value"), "primary": True}) for s in journal]
    spans = [
        *title,
        *_find_authors(text, lines, regions, title),
        *published,
        *_find_publisher(text, lines, regions, title),
        *_find_identifiers(text, lines, regions),
        *_find_url(text, lines, regions),
        *_find_keywords(text, lines, regions),
        *journal,
    ]
    if regions.abstract is not None:
        start, end = regions.abstract
        spans.append(Span(start, end, "abstract", {"value": None, "primary": True}))
    if doc.layer(L.PDF_BLOCKS):
        # a PDF's first-page layout is better evidence than its text: its fields replace the text rules'
        header = pdf_header_spans(doc)
        replaced = {s.label for s in header}
        spans = [s for s in spans if s.label not in replaced] + header
    spans.sort(key=lambda s: (s.start, s.end, s.label))
    out: dict[str, list[Span]] = {L.METADATA: spans}
    if warnings:
        out[L.WARNINGS] = warnings
    return out
