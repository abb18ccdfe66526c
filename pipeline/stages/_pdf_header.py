"""Header metadata of a PDF article from the layout of its first page.

Why a module of its own: the text rules of :mod:`.metadata` read a PDF's text as if it were a web
page, but a typeset first page says more by geometry and type than by words. The byline is the
block of names right below the title; its superscript markers ("Al-Daghri,1,2", "Smith a,b",
"Griffiths1") survive only as digits and letters glued to the names; affiliations are small blocks
below it that start with the same markers; the journal, volume and year sit in a masthead above
the title or in a running line ("Hindawi Publishing Corporation Case Reports in Hematology Volume
2016, Article ID 8206826", "Smith et al. Trials (2015) 16:16", "Journal of X 2012; 3(2): 101-110").
:func:`pdf_header_spans` reads the ``pdf_blocks`` of page 1 and returns ``metadata`` spans; the
metadata stage lets them replace its text-rule spans field by field.

Rules
-----
Byline. Blocks on page 1 below the title, in smaller type than the title, whose text reads as a
  list of person names: capitalised words (initials, name particles and suffixes allowed),
  separated by commas, semicolons, "and", "&"; digits, single lower-case letters and footnote
  symbols after a name are its markers ("Palladino,1 Andrea" gives the 1 to Palladino; in
  "Smitha,b" the glued "a" is one too, as a letter list follows). The
  first such block within the first few blocks under the title starts the byline; blocks within
  about a line of it that also read as names join it (bylines split at superscripts), ordered
  by row, then left to right. Degrees (MD, PhD) are dropped.
Affiliations. Blocks after the byline and page-1 footnotes that name an institution (University,
  Department, Hospital, ...). A marker comes from a small marker-only block at the start of the
  same row ("1" then "Department of ...") or from the block's start ("1 Department ...",
  "2. Center ..."), and a block may hold several ("1 A ... 2 B ..." with markers in sequence).
  An author gets the affiliations of its markers; with one unmarked affiliation, every author.
Journal, volume, issue, pages. The first page-1 block, in this order of patterns: a masthead
  "<Journal> Volume <n>, Article ID ..." (a publisher prefix such as "X Publishing Corporation"
  is the publisher), a citation line "[Authors et al.] <Journal> (<year>) <vol>(<issue>):<pages>"
  or "<Journal> <year>, <vol>, <pages>", "<Journal> <vol>(<issue>): <pages>, <year>", a footer
  "<Journal> | DOI ..." and a journal block beside a "Volume <n> | Article <n>" footer, and a
  "Cite this article: <Authors> <year> <Title>. <Journal> <vol>: <pages>" line (the journal is
  the run of words after the title's last full stop, a title set in italics may lack the space).
Published. A date labelled "Published", "Published online", "First published", "Epub" on page
  1; else the year in a "Cite this article:"/"Citation:" line; else the year of the journal
  citation line; else a masthead volume that is a year; else a
  page-1 copyright year.
DOI. The first DOI on page 1, unless a later one there extends it (a DOI broken at a line end)
  or is a later version of it ("...4767.1", then "...4767.2"); else the DOI of the lines that start
  with "doi:10...." when they all give the same one (BMC prints it after the references).
Abstract. The text after an "Abstract"/"Summary" label or heading on page 1 (to the end of that
  block, or the next block when the label stands alone); else the first long prose block under
  the byline on page 1 before the first heading.
Keywords. A page-1 block starting with "Keywords"/"Key words"/"Index terms" (or the block after
  such a heading), split on ";", "," or " . ".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..document import Document, Span
from .. import layers as L
from ._dates import find_date_matches
from ._names import NAME_PARTICLES, split_name

# --------------------------------------------------------------------------------------------
# Page-1 blocks
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Block:
    start: int
    end: int
    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    size: float
    role: str


def _page_one_blocks(doc: Document) -> list[_Block]:
    """Page-1 blocks that are in the text (running headers and footers are not), in text order."""
    out = []
    for span in doc.layer(L.PDF_BLOCKS):
        if span.get("page") != 1:
            if span.get("page", 0) > 1:
                break
            continue
        if span.end <= span.start:
            continue
        x0, y0, x1, y1 = span.get("bbox")
        out.append(_Block(span.start, span.end, doc.text[span.start : span.end], x0, y0, x1, y1, float(span.get("font_size") or 0), span.label))
    return out


def _squash(value: str) -> str:
    return re.sub(r"\s+", " ", value).strip()


# --------------------------------------------------------------------------------------------
# Bylines
# --------------------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"(?P<space>\s+)"
    r"|(?P<and>(?<![^\W\d_])(?:and|AND)(?![^\W\d_])|&)"
    r"|(?P<sep>[,;·•])"
    r"|(?P<marker>(?<!\d)\d{1,2}(?!\d)|[*†‡§¶#✉⁎∗]+)"
    r"|(?P<word>[^\W\d_](?:[^\W\d_]|['’.\-])*)"
)
_DEGREE = re.compile(
    r"^(?:M\.?D\.?|Ph\.?D\.?|M\.?Sc?\.?|B\.?Sc?\.?|MPH|MBBS|MBChB|DVM|DDS|DMD|RN|BA|MA|MS|FRCP\w*|FACP|FRCS\w*|PharmD|DrPH|Dr\.?|Prof\.?|MRCP|FRACP|MSPH|MHS|BPharm|MPhil|DPhil)$"
)
_SUFFIX = re.compile(r"^(?:Jr\.?|Sr\.?|II|III|IV)$")
# After a word, ",b" (a letter marker) shows that the word's own last letter is a marker as well.
_GLUED_LETTER_MARKER = re.compile(r",[a-h](?![^\W\d_])")
# Capitalised words that never occur in a person's name on a byline but do in headings, labels
# and affiliations just below a title.
_NOT_NAME_WORDS = frozenset(
    """abstract article research review report case original open access received accepted revised published
    correspondence university department institute hospital school college center centre faculty laboratory
    division unit clinic academy editor academic copyright keywords introduction background volume journal
    issue letter editorial commentary study group the of for in on with from by at to is are was an as or
    we our its has had be not but all any can new one two via per""".split()
)
_MAX_BYLINE_SEARCH = 4


@dataclass
class _Person:
    words: list[tuple[int, int]] = field(default_factory=list)
    markers: list[str] = field(default_factory=list)


def _parse_byline(text: str, offset: int) -> list[_Person] | None:
    """People named in ``text`` (a byline or a piece of one), or None when it is not one."""
    people: list[_Person] = []
    current: _Person | None = None
    current_marked = False

    def finish() -> None:
        nonlocal current, current_marked
        if current is not None and current.words:
            people.append(current)
        current, current_marked = None, False

    position = 0
    for match in _TOKEN.finditer(text):
        if match.start() != position:
            return None  # a character no byline holds: brackets, colons, "@", years
        position = match.end()
        kind = match.lastgroup
        if kind == "space":
            continue
        if kind in ("and", "sep"):
            finish()
        elif kind == "marker" or (kind == "word" and len(match.group()) == 1 and match.group().islower()):
            target = current if current is not None else (people[-1] if people else None)
            if target is not None:
                target.markers.append(match.group())
                current_marked = current is not None
        else:
            if current_marked:
                finish()
            if current is None:
                current = _Person()
            word_end = match.end()
            if _GLUED_LETTER_MARKER.match(text, word_end) and match.end() - match.start() > 2 and text[word_end - 2].islower() and text[word_end - 1] in "abcdefgh":
                word_end -= 1  # "Smitha,b": a superscript letter glued to the name, then more letters
                current.markers.append(text[word_end])
                current_marked = True
            current.words.append((offset + match.start(), offset + word_end))
    if position != len(text):
        return None
    finish()
    return people


def _valid_person(text: str, person: _Person) -> bool:
    words = [text[s:e] for s, e in person.words]
    if not 2 <= len(words) <= 6:
        return False
    for word in words:
        bare = word.strip(".")
        if bare.lower() in _NOT_NAME_WORDS:
            return False
        if word[0].isupper() or _SUFFIX.match(word):
            continue
        if word.lower() in NAME_PARTICLES or (len(word) <= 3 and word.isalpha()):
            continue  # "van", "de", "ul" ("Qurat ul Ain Merchant"); English short words are refused above
        return False
    return words[0][0].isupper() and words[-1][0].isupper()


def _byline_people(doc_text: str, block: _Block) -> list[_Person] | None:
    """The people of a byline block (degrees dropped), or None when the block is not a byline piece."""
    people = _parse_byline(block.text, block.start)
    if not people:
        return None
    kept = []
    for person in people:
        words = [(s, e) for s, e in person.words if not _DEGREE.match(doc_text[s:e])]
        if not words:
            continue  # "MD" after a comma is a degree, not a person
        person.words = words
        if not _valid_person(doc_text, person):
            return None
        kept.append(person)
    return kept or None


def _is_marker_block(text: str) -> bool:
    return bool(re.fullmatch(r"[\d\s,*†‡§¶#]{1,12}|[a-h](?:\s*,\s*[a-h]){0,3}", text)) and any(not c.isspace() and c != "," for c in text)


def _byline(doc_text: str, blocks: list[_Block], title: _Block) -> tuple[list[_Person], list[_Block]]:
    below = sorted(
        (b for b in blocks if b.role != "title" and b.y0 >= title.y1 - 0.5 * max(b.size, 1) and b.start > title.start - 1 and b.size < title.size * 0.95),
        key=lambda b: (b.y0, b.x0),
    )
    below = [b for b in below if not _is_marker_block(b.text.strip())]
    first = None
    for index, block in enumerate(below[:_MAX_BYLINE_SEARCH]):
        if _byline_people(doc_text, block):
            first = index
            break
    if first is None:
        return [], []
    chosen = [below[first]]
    bottom = below[first].y1
    for block in below[first + 1 :]:
        if block.y0 > bottom + 1.2 * max(block.size, chosen[0].size):
            break
        if _byline_people(doc_text, block):
            chosen.append(block)
            bottom = max(bottom, block.y1)
    people = [p for block in _reading_rows(chosen) for p in _byline_people(doc_text, block) or []]
    return people, chosen


def _reading_rows(blocks: list[_Block]) -> list[_Block]:
    """Byline pieces by row (tops within about half a line), then left to right."""
    ordered = sorted(blocks, key=lambda b: (b.y0, b.x0))
    rows: list[list[_Block]] = []
    for block in ordered:
        if rows and block.y0 - rows[-1][0].y0 < 0.6 * max(block.size, 1):
            rows[-1].append(block)
        else:
            rows.append([block])
    return [b for row in rows for b in sorted(row, key=lambda b: b.x0)]


# --------------------------------------------------------------------------------------------
# Affiliations
# --------------------------------------------------------------------------------------------

_INSTITUTION = re.compile(
    r"\b(?:Universit\w*|Univ\.|Department|Dept\.?|Institut\w*|Hospital\w*|Hôpital|School|College|Cent(?:re|er)|"
    r"Laborator\w*|Faculty|Facult\w+|Division|Unit|Clinic\w*|Academy|Ministry|Foundation|Research|Service|"
    r"Program(?:me)?|Inc\.?|Ltd\.?|GmbH|Museum|Council|Agency|Polytechnic|Consortium)\b"
)
_NOT_AFFILIATION_START = re.compile(r"^\W*(?:correspondence|e-?mails?|received|accepted|copyright|©|tel|fax|present\s+address|current\s+address|academic\s+editor|edited|reviewed)", re.IGNORECASE)
_LEADING_MARKER = re.compile(r"^(?:(?P<digits>\d{1,2})\.?\s*|(?P<letter>[a-h]|[*†‡§¶])\.?\s+)(?=[A-Z\u00c0-\u024f])")
_TRAILING_NOISE = re.compile(r"\s*(?:[;,]\s*)?(?:E-?Mails?\s*:|Full list of author information|Tel\.?\s*:).*$", re.IGNORECASE | re.DOTALL)


def _affiliations(blocks: list[_Block], byline: list[_Block]) -> list[tuple[str | None, str]]:
    """(marker, affiliation) pairs from the blocks below the byline (above the first heading) and
    page-1 footnotes. A line of a wrapped affiliation that is its own block (narrow side columns)
    is joined to the entry above it when it starts at the same left edge."""
    chosen = {b.start for b in byline}
    bottom = max(b.y1 for b in byline)
    limit = min((b.y0 for b in blocks if b.role == "heading" and b.y0 > bottom), default=float("inf"))
    entries: list[list] = []  # [marker, text, block of its last line]
    pending: _Block | None = None
    for block in blocks:
        below = block.start not in chosen and bottom - 1 <= block.y0 < limit
        if not (below or block.role == "footnote"):
            continue
        text = block.text.strip()
        if _is_marker_block(text):
            pending = block
            continue
        marker = None
        if pending is not None and abs(pending.y0 - block.y0) < max(block.size, 1) and pending.x0 <= block.x0 + 1:
            marker = pending.text.strip().strip(",")
        pending = None
        if len(text) > 600 or _is_prose(text):
            continue
        wrapped = next((e for e in reversed(entries) if _continues(e[2], block)), None) if marker is None else None
        if wrapped is not None and not _LEADING_MARKER.match(text):
            wrapped[1] += " " + text
            wrapped[2] = block
            continue
        for piece_marker, piece in _split_marked(text, marker):
            entries.append([piece_marker, piece, block])
    out = []
    for marker, text, _ in entries:
        text = _TRAILING_NOISE.sub("", _squash(text)).strip(" ,;.")
        if text and not _NOT_AFFILIATION_START.match(text) and _INSTITUTION.search(text):
            out.append((marker, text))
    return out


def _continues(previous: _Block, block: _Block) -> bool:
    """``block`` is the next line of the single-line block ``previous`` (same left edge, next line)."""
    return abs(previous.x0 - block.x0) <= 4 and 0 <= block.y0 - previous.y1 < 0.8 * max(block.size, 1) and abs(previous.size - block.size) < 0.5


def _is_prose(text: str) -> bool:
    """Running sentences, not a name or an address: many words, mostly in lower case."""
    words = text.split()
    lower = sum(1 for w in words if w[:1].islower())
    return len(words) >= 20 and lower >= 0.5 * len(words)


def _split_marked(text: str, marker: str | None = None) -> list[tuple[str | None, str]]:
    """"1 A ... 2 B ..." -> [("1", "A ..."), ("2", "B ...")]; ``marker`` is the one a separate
    marker block gave the text's start. Later markers must run in sequence ("Italy 3Centre ...")."""
    first = _LEADING_MARKER.match(text)
    start = 0
    if first:
        marker, start = first.group("digits") or first.group("letter"), first.end()
    if marker is None:
        return [(None, text)]
    pieces: list[tuple[str | None, str]] = []
    while True:
        following = _next_marker(marker)
        found = None
        if following is not None:
            gap = r"\.?\s*" if following.isdigit() else r"\.?\s+"
            found = re.search(rf"(?<=\s){re.escape(following)}{gap}(?=[A-Z\u00c0-\u024f])", text[start:])
        if found is None:
            pieces.append((marker, text[start:]))
            return pieces
        pieces.append((marker, text[start : start + found.start()]))
        marker, start = following, start + found.end()


def _next_marker(marker: str) -> str | None:
    if marker.isdigit():
        return str(int(marker) + 1)
    if len(marker) == 1 and "a" <= marker < "h":
        return chr(ord(marker) + 1)
    return None


# --------------------------------------------------------------------------------------------
# Journal, volume, issue, pages, publisher
# --------------------------------------------------------------------------------------------

_YEAR = r"(?:19|20)\d\d"
_JOURNAL_NAME = r"[A-Z][\w&.,'’ -]{1,90}?"
_PUBLISHER_PREFIX = re.compile(r"^(?P<publisher>(?:[A-Z][\w&-]*\s+){0,3}(?:Publishing\s+Corporation|Publishing\s+Group|Publishers?|Publishing|Press|Corporation))\s+")
_MASTHEAD_PATTERNS = (
    # "Case Reports in Hematology Volume 2016, Article ID 8206826, 5 pages"
    re.compile(rf"^(?P<journal>{_JOURNAL_NAME})\s+Volume\s+(?P<volume>\d{{1,4}})(?:\s*\((?P<issue>\w{{1,6}})\))?\s*,\s*(?:Article\s+ID\s+\w+|(?:pp?\.\s*)?(?P<pages>\d+\s*[-–]\s*\d+))"),
    # "Smyth et al. Trials (2015) 16:16", "BMC Evolutionary Biology 2014, 14:70", "Metabolites 2014, 4, 932-945"
    re.compile(
        rf"et\s+al\.?\s+(?P<journal>{_JOURNAL_NAME})[.,]?\s+\(?(?P<year>{_YEAR})\)?\s*[,;]?\s*(?:vol\.?\s*)?(?P<volume>\d{{1,4}})"
        r"\s*(?:\((?P<issue>[\w–-]{1,8})\))?\s*[:,]\s*(?:pp?\.\s*)?(?P<pages>[eE]?\d+(?:\s*[-–]\s*[eE]?\d+)?)"
    ),
    re.compile(
        rf"^(?P<journal>{_JOURNAL_NAME})[.,]?\s+\(?(?P<year>{_YEAR})\)?\s*[,;]?\s*(?:vol\.?\s*)?(?P<volume>\d{{1,4}})"
        r"\s*(?:\((?P<issue>[\w–-]{1,8})\))?\s*[:,]\s*(?:pp?\.\s*)?(?P<pages>[eE]?\d+(?:\s*[-–]\s*[eE]?\d+)?)"
    ),
    # "Dhaka Univ. J. Pharm. Sci. 8(1): 7-10, 2009 (June)"
    re.compile(rf"^(?P<journal>{_JOURNAL_NAME})\s+(?P<volume>\d{{1,4}})\s*\((?P<issue>[\w–-]{{1,8}})\)\s*:\s*(?P<pages>\d+\s*[-–]\s*\d+)\s*,\s*(?P<year>{_YEAR})"),
    # "PLOS ONE | DOI:10.1371/journal.pone.0115884"
    re.compile(r"^(?P<journal>[A-Z][\w&'’ -]{2,60}?)\s*\|\s*(?:DOI|doi)\b"),
    # "Cite this article: Griffiths K et al. 2015 Prolonged transition ... melanoleuca. R. Soc. open sci. 2: 150395."
    re.compile(
        rf"(?i:cite\s+this\s+article(?:\s+as)?|citation)\s*:.{{0,250}}?\b(?P<year>{_YEAR})\b.{{0,300}}?[a-z)][.?!]\s*"
        r"(?P<journal>[A-Z][\w’'&-]*\.?(?:\s+[\w’'&-]+\.?){0,6}?)\s+(?P<volume>\d{1,4})\s*(?:\((?P<issue>[\w–-]{1,8})\))?\s*:\s*"
        r"(?P<pages>[eE]?\d+(?:\s*[-–]\s*[eE]?\d+)?)\b",
        re.DOTALL,
    ),
)
_VOLUME_FOOTER = re.compile(r"Volume\s+(?P<volume>\d{1,4})\s*\|\s*Article\s+\w+")
_JOURNAL_ALONE = re.compile(r"^[A-Z][\w&'’-]*(?:\s+[\w&'’-]+){0,7}$")


def _journal_spans(blocks: list[_Block]) -> tuple[list[Span], str | None]:
    """Journal, volume, issue, pages (and publisher) spans, and the citation line's year if any."""
    short = [b for b in blocks if len(b.text) <= 300]
    for pattern in _MASTHEAD_PATTERNS:
        for block in short:
            text = block.text.replace("\n", " ")  # same length: offsets stay true
            match = pattern.search(text)
            if match is None or not _plausible_journal(match.group("journal")):
                continue
            return _citation_spans(block, match), _group(match, "year")
    for block in short:
        footer = _VOLUME_FOOTER.search(block.text)
        if footer is None:
            continue
        beside = [b for b in short if b is not block and abs(b.y0 - block.y0) < block.size and b.x1 < block.x0 and _JOURNAL_ALONE.match(b.text.strip()) and _plausible_journal(b.text)]
        if beside:
            journal = min(beside, key=lambda b: b.x0)
            start, end = _trim(journal.text, journal.start, 0, len(journal.text))
            spans = [Span(start, end, "journal", {"value": _squash(journal.text), "primary": True})]
            spans.append(Span(block.start + footer.start("volume"), block.start + footer.end("volume"), "volume", {"value": footer.group("volume"), "primary": True}))
            return spans, None
    return [], None


def _group(match: re.Match, name: str) -> str | None:
    return match.groupdict().get(name)


def _plausible_journal(name: str) -> bool:
    words = name.split()
    return 1 <= len(words) <= 12 and not re.search(r"https?:|www\.|@|\bet\s+al\b|^(?:Received|Accepted|Published|Copyright|Citation)\b", name, re.IGNORECASE)


def _trim(text: str, offset: int, start: int, end: int) -> tuple[int, int]:
    while start < end and (text[start].isspace() or text[start] in ".,;:"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ".,;:"):
        end -= 1
    return offset + start, offset + end


def _citation_spans(block: _Block, match: re.Match) -> list[Span]:
    spans = []
    jstart, jend = match.start("journal"), match.end("journal")
    prefix = _PUBLISHER_PREFIX.match(block.text[jstart:jend])
    if prefix and prefix.end() < jend - jstart:
        pstart, pend = _trim(block.text, block.start, jstart, jstart + prefix.end("publisher"))
        spans.append(Span(pstart, pend, "publisher", {"value": _squash(prefix.group("publisher")), "primary": True}))
        jstart += prefix.end()
    start, end = _trim(block.text, block.start, jstart, jend)
    spans.append(Span(start, end, "journal", {"value": _squash(block.text[jstart:jend]).strip(" .,"), "primary": True}))
    for name in ("volume", "issue", "pages"):
        if _group(match, name):
            value = re.sub(r"\s+", "", match.group(name))
            spans.append(Span(block.start + match.start(name), block.start + match.end(name), name, {"value": value, "primary": True}))
    return spans


# --------------------------------------------------------------------------------------------
# Publication date
# --------------------------------------------------------------------------------------------

_PUBLISHED_LABEL = re.compile(r"\b(?:(?:first|latest)\s+)?(?:published(?:\s+online)?|publication\s+date|date\s+of\s+publication|epub(?:\s+ahead\s+of\s+print)?)\s*(?:on\s+)?:?\s*", re.IGNORECASE)
_CITE_THIS_YEAR = re.compile(rf"^\s*(?:cite\s+this\s+article(?:\s+as)?|citation|how\s+to\s+cite(?:\s+this\s+article)?)\s*:.{{0,160}}?\(?(?P<year>{_YEAR})\)?(?!\d)", re.IGNORECASE | re.DOTALL)
_COPYRIGHT_YEAR = re.compile(rf"(?:Copyright\s*(?:©|\(c\))?|©)\s*(?P<year>{_YEAR})\b", re.IGNORECASE)


def _published_spans(blocks: list[_Block], journal: list[Span], citation_year: tuple[int, int, str] | None) -> list[Span]:
    for block in blocks:
        for label in _PUBLISHED_LABEL.finditer(block.text):
            for date in find_date_matches(block.text[label.end() : label.end() + 40]):
                if date.start == 0 and not date.ambiguous:
                    start = block.start + label.end()
                    return [Span(start + date.start, start + date.end, "published", {"value": date.iso, "primary": True})]
                break
    for block in blocks:
        cite = _CITE_THIS_YEAR.match(block.text)
        if cite:
            return [Span(block.start + cite.start("year"), block.start + cite.end("year"), "published", {"value": cite.group("year"), "primary": True})]
    if citation_year is not None:
        start, end, year = citation_year
        return [Span(start, end, "published", {"value": year, "primary": True})]
    volume = next((s for s in journal if s.label == "volume" and re.fullmatch(_YEAR, str(s.get("value")))), None)
    if volume is not None:
        return [Span(volume.start, volume.end, "published", {"value": volume.get("value"), "primary": True})]
    for block in blocks:
        match = _COPYRIGHT_YEAR.search(block.text)
        if match:
            return [Span(block.start + match.start("year"), block.start + match.end("year"), "published", {"value": match.group("year"), "primary": True})]
    return []


# --------------------------------------------------------------------------------------------
# DOI
# --------------------------------------------------------------------------------------------

_DOI = re.compile(r"\b10\.\d{4,9}/[^\s\"<>]+")
_DOI_LINE = re.compile(r"^doi:\s*(?P<doi>10\.\d{4,9}/\S+?)[.;]?(?=\s|$)", re.IGNORECASE | re.MULTILINE)
_VERSIONED = re.compile(r"^(?P<stem>.+\.)(?P<version>\d{1,2})$")


def _doi_spans(doc: Document, blocks: list[_Block]) -> list[Span]:
    """The article's DOI: page 1's (a longer DOI that extends a shorter one, broken at a line end,
    wins; of versions "x.1" and "x.2", the latest), else a line that is only "doi:..." in the text."""
    found: list[tuple[int, int, str]] = []
    for block in blocks:
        for match in _DOI.finditer(block.text):
            end = _doi_end(block.text, match.start(), match.end())
            found.append((block.start + match.start(), block.start + end, block.text[match.start() : end]))
    if found:
        best = found[0]
        for candidate in found[1:]:
            if _supersedes(candidate[2], best[2]):
                best = candidate
        return [Span(best[0], best[1], "doi", {"value": best[2], "primary": True})]
    lines = list(_DOI_LINE.finditer(doc.text))
    if len({m.group("doi").lower() for m in lines}) == 1:
        match = lines[0]
        return [Span(match.start("doi"), match.end("doi"), "doi", {"value": match.group("doi"), "primary": True})]
    return []


def _doi_end(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1] in ".,;:]}>'\"”’)":
        if text[end - 1] == ")" and text[start:end].count("(") >= text[start:end].count(")"):
            break
        end -= 1
    return end


def _supersedes(candidate: str, best: str) -> bool:
    low, high = candidate.lower(), best.lower()
    if low != high and low.startswith(high):
        return True  # "10.1371/journal.pone" broken at a line end; the whole DOI is elsewhere
    a, b = _VERSIONED.match(low), _VERSIONED.match(high)
    return bool(a and b and a.group("stem") == b.group("stem") and int(a.group("version")) > int(b.group("version")))


# --------------------------------------------------------------------------------------------
# Abstract and keywords
# --------------------------------------------------------------------------------------------

_ABSTRACT_LABEL = re.compile(r"^\s*(?:abstract|summary)\b\s*[:.—–-]?\s*(?=[A-Z\u00c0-\u024f]|$)", re.IGNORECASE)
_KEYWORDS_LABEL = re.compile(r"^\s*(?:key\s*words?|index\s+terms)\b\s*[:.—–-]?\s*", re.IGNORECASE)
_NOT_ABSTRACT = re.compile(r"^\s*(?:copyright|©|correspondence|received|academic\s+editor|citation|editor)", re.IGNORECASE)


def _abstract_span(blocks: list[_Block], after: int) -> list[Span]:
    """The abstract: after its label, else the first prose block under the byline (see the rules)."""
    for index, block in enumerate(blocks):
        label = _ABSTRACT_LABEL.match(block.text)
        if not label:
            continue
        if label.end() < len(block.text.rstrip()):
            first, start = block, block.start + label.end()
        else:  # the label stands alone: the abstract is the next prose block below it
            first = next((b for b in blocks[index + 1 :] if b.role == "body" and b.y0 >= block.y0 - 1 and b.x0 < block.x1 and not _NOT_ABSTRACT.match(b.text)), None)
            if first is None:
                continue
            start = first.start
        end = _abstract_end(blocks, first)
        if end - start >= 40:
            return [Span(start, end, "abstract", {"value": None, "primary": True})]
    for block in blocks:
        if block.start <= after:
            continue
        if block.role == "heading":
            break
        if block.role == "body" and _is_prose(block.text) and not _NOT_ABSTRACT.match(block.text) and not _KEYWORDS_LABEL.match(block.text):
            return [Span(block.start, _abstract_end(blocks, block), "abstract", {"value": None, "primary": True})]
    return []


def _abstract_end(blocks: list[_Block], first: _Block) -> int:
    """End of the abstract that starts in ``first``: later body blocks in the same type join it
    until a heading, a label line, other type or a jump up the page (the next column)."""
    end, previous = _rstrip_end(first), first
    for block in blocks:
        if block.start <= first.start:
            continue
        same_type = block.role == "body" and abs(block.size - first.size) < 0.3
        if not same_type or block.y0 < previous.y0 - 2 or _KEYWORDS_LABEL.match(block.text) or _NOT_ABSTRACT.match(block.text):
            break
        end, previous = _rstrip_end(block), block
    return end


def _rstrip_end(block: _Block) -> int:
    return block.start + len(block.text.rstrip())


def _keyword_spans(blocks: list[_Block]) -> list[Span]:
    for index, block in enumerate(blocks):
        label = _KEYWORDS_LABEL.match(block.text)
        if not label:
            continue
        target, offset = block, label.end()
        if offset >= len(block.text.rstrip()) and index + 1 < len(blocks):
            target, offset = blocks[index + 1], 0
        value = target.text[offset:]
        separator = ";" if ";" in value else ("," if "," in value else r"\s[.·•]\s")
        spans = []
        cursor = 0
        for piece in re.split(f"({separator})", value):
            if re.fullmatch(separator, piece):
                cursor += len(piece)
                continue
            start, end = _trim(value, target.start + offset, cursor, cursor + len(piece))
            word = _squash(target.text[start - target.start : end - target.start])
            if word and len(word) <= 80:
                spans.append(Span(start, end, "keyword", {"value": word, "primary": True}))
            cursor += len(piece)
        return spans
    return []


# --------------------------------------------------------------------------------------------
# The module's entry point
# --------------------------------------------------------------------------------------------


def pdf_header_spans(doc: Document) -> list[Span]:
    """``metadata`` spans read from page 1's layout (empty for documents without ``pdf_blocks``)."""
    blocks = _page_one_blocks(doc)
    if not blocks:
        return []
    text = doc.text
    spans: list[Span] = []
    title = next((b for b in blocks if b.role == "title"), None)
    byline_end = title.end if title is not None else 0
    if title is not None:
        people, byline = _byline(text, blocks, title)
        if people:
            byline_end = max(b.end for b in byline)
            spans.extend(_author_spans(text, people, _affiliations(blocks, byline)))
    journal, year = _journal_spans(blocks)
    citation_year = None
    if year is not None:
        citation_year = _year_position(text, journal, year)
    spans.extend(journal)
    spans.extend(_published_spans(blocks, journal, citation_year))
    spans.extend(_doi_spans(doc, blocks))
    spans.extend(_abstract_span(blocks, byline_end))
    spans.extend(_keyword_spans(blocks))
    return spans


def _year_position(text: str, journal: list[Span], year: str) -> tuple[int, int, str] | None:
    """Where the citation line's year is written: after the journal name, before the volume."""
    start = max(s.end for s in journal if s.label == "journal")
    end = min((s.start for s in journal if s.label in ("volume", "issue", "pages") and s.start > start), default=start + 40)
    found = text.find(year, start, max(end, start + 40))
    return (found, found + len(year), year) if found >= 0 else None


def _author_spans(text: str, people: list[_Person], affiliations: list[tuple[str | None, str]]) -> list[Span]:
    by_marker: dict[str, list[str]] = {}
    for marker, value in affiliations:
        if marker is not None:
            by_marker.setdefault(marker, []).append(value)
    unmarked = [value for marker, value in affiliations if marker is None]
    spans = []
    for person in people:
        start, end = person.words[0][0], person.words[-1][1]
        name = _squash(text[start:end])
        parts = split_name(name)
        affs: list[str] = []
        for marker in person.markers:
            for value in by_marker.get(marker, []):
                if value not in affs:
                    affs.append(value)
        if not affs and not by_marker and len(unmarked) == 1:
            affs = list(unmarked)
        attrs = {"value": name, "name": name, "given": parts["given"], "family": parts["family"], "affiliations": affs, "primary": True}
        spans.append(Span(start, end, "author", attrs))
    return spans
