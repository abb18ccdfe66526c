"""Parse one formatted reference string into its parts, keeping where each part was read.

Handles the shapes biomedical texts use: Vancouver/NLM ("Smith J, Doe A. Title. J Neurosci.
2019;39(4):123-9. doi:10.1523/x PMID: 12345"), APA and other author-date styles ("Smith, J., &
Doe, A. (2019). Title. Journal, 39(4), 123-129. https://doi.org/10.x"; PLOS "Smith J (2019)
Title. Journal 39: 123-129."), and short citation lines that give only some of these ("Duman RS,
et al. (2022). Nature Reviews Drug Discovery."). Every field comes with offsets relative to the
parsed string, so the citations stage can turn them into evidence spans.

The parser is positional, not a grammar: identifiers (DOI, PMID, URL) are taken out first, then
the year anchors the rest: in author-date styles the authors precede "(year)"; in Vancouver the
year starts the publication block after the journal. Linear regexes only (no nested
quantifiers over the same characters), so long inputs cannot backtrack catastrophically.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ._names import is_group_name, split_author_list

YEAR = r"(?:18|19|20)\d{2}"

_DOI = re.compile(r"(?:https?://(?:dx\.)?doi\.org/|\bdoi\s*:?\s*)?\b(10\.\d{4,9}/[^\s\"<>]+)", re.IGNORECASE)
_PMID = re.compile(r"\bPMID\s*:?\s*(\d{1,9})\b")
_PMCID = re.compile(r"\bPMCID\s*:?\s*(PMC\d+)\b")
_URL = re.compile(r"\bhttps?://[^\s<>\"]+")
# Tail notes that are not part of the bibliographic core.
_TAIL_NOTE = re.compile(r"\s(?:\[(?:PubMed|CrossRef|Google Scholar|PMC free article)\]|Available (?:from|at)\s*:?|Epub\b|Retrieved from\b|Accessed\b)", re.IGNORECASE)
_LEADING_NUMBER = re.compile(r"^\s*(?:\[(\d{1,4})\]|(\d{1,4})[.)](?=\s)|\((\d{1,4})\))\s*")

# "(2019)", "(2019a)", "(2019, May 3)", "(n.d.)"
_PAREN_YEAR = re.compile(r"\((" + YEAR + r")[a-z]?(?:,[^()]{0,30})?\)")
# Vancouver publication block after the journal: "2019;39(4):123-9", "2019 Mar 5;12:e1", "2019."
_VANCOUVER_PUB = re.compile(
    r"(?<![\w/])(?P<year>" + YEAR + r")[a-z]?"
    r"(?:\s+[A-Z][a-z]{2,8}\.?(?:\s*-\s*[A-Z][a-z]{2,8}\.?)?(?:\s+\d{1,2})?)?"
    r"(?:\s*;\s*(?P<volume>[A-Za-z]?\d+[A-Za-z]?)?(?:\s*\((?P<issue>[^()]{1,20})\))?"
    r"(?:\s*:\s*(?P<pages>[A-Za-z]{0,2}\d+[A-Za-z]?(?:\s*[-\u2010-\u2015]\s*[A-Za-z]{0,2}\d+[A-Za-z]?)?))?"
    r"|(?=\s*[.,]|\s*$))"
)
# Source block of author-date styles: "Journal, 39(4), 123-129" / "Journal 163 (4) 643-657" / "Journal 58: 233-267"
_SOURCE_VOLUME = re.compile(
    r"[,\s]\s*(?P<volume>\d{1,5}[A-Za-z]?)(?:\s*\((?P<issue>[^()]{1,20})\))?"
    r"(?:\s*[,:]?\s*(?P<pages>[A-Za-z]{0,2}\d+[A-Za-z]?(?:\s*[-\u2010-\u2015]\s*[A-Za-z]{0,2}\d+[A-Za-z]?)?))?"
    r"\s*\.?\s*$"
)
# Sentence boundaries between title and journal: ". ", "? ", "! " (not after a lone initial).
_BOUNDARY = re.compile(r"(?<=[^\s])(?<!\b[A-Z])([.?!])\s+(?=\S)")
_AUTHORS_END = re.compile(r"[.:](?=\s+(?![A-Z]\.)(?![A-Z]-[A-Z]\.)\S)|\.\s*$")
_FUNCTION_WORDS = frozenset(
    "the of for in on with and to a an by from at is are was were as into via its their this that using".split()
)
_SMALL_WORDS = frozenset("of and the in for on to a an &".split())


@dataclass
class ParsedReference:
    """Parts of a reference; each field maps to (value, start, end) relative to the input."""

    fields: dict[str, tuple[Any, int, int]] = field(default_factory=dict)
    authors: list[tuple[int, int, dict]] = field(default_factory=list)
    authors_span: tuple[int, int] | None = None
    number: int | None = None
    style: str = "unknown"

    def value(self, name: str) -> Any:
        item = self.fields.get(name)
        return item[0] if item else None

    def completeness(self) -> int:
        """How many of the main parts were found (authors, title, journal, year, identifier)."""
        ident = any(self.value(k) for k in ("doi", "pmid", "url"))
        return sum(bool(x) for x in (self.authors, self.value("title"), self.value("journal"), self.value("year"), ident))


def parse_reference(text: str) -> ParsedReference:
    """Parse ``text`` (one reference or citation line) into a :class:`ParsedReference`."""
    ref = ParsedReference()
    start = 0
    m = _LEADING_NUMBER.match(text)
    if m:
        ref.number = int(next(g for g in m.groups() if g))
        start = m.end()
    core_end = _take_identifiers(text, start, ref)
    core_end = _strip_end(text, start, core_end)
    paren = _PAREN_YEAR.search(text, start, core_end)
    if paren and _authors_before(text, start, paren.start(), ref):
        ref.style = "author-date"
        ref.fields["year"] = (int(paren.group(1)), paren.start(1), paren.end(1))
        _parse_title_and_source(text, paren.end(), core_end, ref)
        return ref
    ref.authors, ref.authors_span = [], None
    body = _vancouver_authors(text, start, core_end, ref)
    pub = _last_vancouver_pub(text, body, core_end)
    if pub:
        ref.style = "vancouver"
        _set_pub_fields(pub, ref)
        _parse_title_and_journal(text, body, pub.start(), ref)
        return ref
    _parse_title_and_journal(text, body, core_end, ref)
    year = _last_year(text, start, core_end)
    if year:
        ref.fields["year"] = year
    return ref


def _take_identifiers(text: str, start: int, ref: ParsedReference) -> int:
    """Record DOI, PMID, PMCID and URL; return where the bibliographic core ends."""
    core_end = len(text)
    doi = _DOI.search(text, start)
    if doi:
        value = doi.group(1).rstrip(".,;)]")
        ref.fields["doi"] = (value, doi.start(1), doi.start(1) + len(value))
        core_end = min(core_end, doi.start())
    for name, pattern in (("pmid", _PMID), ("pmcid", _PMCID)):
        found = pattern.search(text, start)
        if found:
            ref.fields[name] = (found.group(1), found.start(1), found.end(1))
            core_end = min(core_end, found.start())
    for url in _URL.finditer(text, start):
        if "doi.org/" in url.group(0).lower():
            continue
        value = url.group(0).rstrip(".,;)]")
        ref.fields["url"] = (value, url.start(), url.start() + len(value))
        core_end = min(core_end, url.start())
        break
    note = _TAIL_NOTE.search(text, start, core_end)
    if note:
        core_end = note.start()
    return core_end


def _strip_end(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1] in " \t\n":
        end -= 1
    return end


def _authors_before(text: str, start: int, end: int, ref: ParsedReference) -> bool:
    """Author-date: the text before "(year)" must be an author list."""
    region = text[start:end].rstrip(" ,")
    if region.endswith(".") and not re.search(r"(?:\b[A-Z]|\bal)\.$", region):
        region = region[:-1].rstrip(" ,")
    authors = split_author_list(region, start)
    if not authors or not _plausible_authors(authors):
        return False
    ref.authors = authors
    ref.authors_span = (start, start + len(region))
    return True


def _plausible_authors(authors: list[tuple[int, int, dict]]) -> bool:
    people = [p for _, _, p in authors]
    for person in people:
        words = person["name"].replace(",", " ").split()
        if not words or len(words) > 6:
            return False
        # Lower-case particles are common in names ("de las Heras", "ben-Avraham", "tenOever");
        # English function words are not, and mark a title read as authors.
        if any(w in _FUNCTION_WORDS for w in words):
            return False
        if re.search(r"\d(?!st\b|nd\b|rd\b|th\b)", person["name"]):
            return False
    full = sum(1 for p in people if p["given"] and p["family"])
    return full * 2 >= len(people) or (len(people) <= 3 and all(p["family"] for p in people))


def _vancouver_authors(text: str, start: int, end: int, ref: ParsedReference) -> int:
    """Take a leading author list ending at "." or ":"; return where the rest begins."""
    stop = _AUTHORS_END.search(text, start, end)
    if not stop:
        return start
    region_end = stop.start()
    if text[region_end] == "." and re.search(r"[A-Z]\.\s?[A-Z]$", text[start:region_end]):
        region_end += 1  # dotted initials keep their last dot: "Doe B. C."
    region = text[start:region_end]
    authors = split_author_list(region, start)
    strict = [p for _, _, p in authors if p["given"] and p["family"]]
    group = len(authors) == 1 and is_group_name(region)
    if authors and (group or (_plausible_authors(authors) and len(strict) * 2 >= len(authors) and strict)):
        ref.authors = authors
        ref.authors_span = (start, region_end)
        return stop.end()
    return start


def _last_vancouver_pub(text: str, start: int, end: int) -> re.Match | None:
    """The publication block: a year right after a sentence end (". 2019;..."), the last one wins."""
    found = None
    for m in _VANCOUVER_PUB.finditer(text, start, end):
        before = text[start : m.start()].rstrip()
        if before.endswith((".", "?", "!")) or before == "":
            found = m
    return found


def _set_pub_fields(pub: re.Match, ref: ParsedReference) -> None:
    ref.fields["year"] = (int(pub.group("year")), pub.start("year"), pub.end("year"))
    for name in ("volume", "issue", "pages"):
        if pub.group(name):
            ref.fields[name] = (pub.group(name).strip(), pub.start(name), pub.end(name))


def _parse_title_and_source(text: str, start: int, end: int, ref: ParsedReference) -> None:
    """After "(year)": "Title. Journal, 39(4), 123-129." (the journal part may be alone)."""
    while start < end and text[start] in " .,:;":
        start += 1
    segments = _segments(text, start, end)
    if not segments:
        return
    if len(segments) == 1:
        seg_start, seg_end = segments[0]
        volume = _SOURCE_VOLUME.search(text, seg_start, seg_end)
        if volume or _title_case(text[seg_start:seg_end]):
            _set_source(text, seg_start, seg_end, ref)
        else:
            ref.fields["title"] = (text[seg_start:seg_end], seg_start, seg_end)
        return
    title_start, title_end = segments[0]
    ref.fields["title"] = (text[title_start:title_end], title_start, title_end)
    _set_source(text, segments[1][0], segments[-1][1], ref)


def _set_source(text: str, start: int, end: int, ref: ParsedReference) -> None:
    """"Journal, 39(4), 123-129" -> journal, volume, issue, pages."""
    volume = _SOURCE_VOLUME.search(text, start, end)
    journal_end = end
    if volume and volume.start() > start:
        journal_end = volume.start()
        for name in ("volume", "issue", "pages"):
            if volume.group(name):
                ref.fields[name] = (volume.group(name).strip(), volume.start(name), volume.end(name))
    journal_end = _strip_end(text, start, journal_end)
    while journal_end > start and text[journal_end - 1] in ",.;:":
        journal_end -= 1
    if journal_end > start and any(c.isalpha() for c in text[start:journal_end]):
        ref.fields["journal"] = (text[start:journal_end], start, journal_end)


def _parse_title_and_journal(text: str, start: int, end: int, ref: ParsedReference) -> None:
    """Vancouver: "Title. Journal." before the publication block."""
    segments = _segments(text, start, end)
    if not segments:
        return
    if len(segments) == 1:
        seg_start, seg_end = segments[0]
        name = "journal" if _title_case(text[seg_start:seg_end]) and "year" in ref.fields else "title"
        ref.fields[name] = (text[seg_start:seg_end], seg_start, seg_end)
        return
    title_start, title_end = segments[0]
    ref.fields["title"] = (text[title_start:title_end], title_start, title_end)
    journal_start, journal_end = segments[1][0], segments[-1][1]
    ref.fields["journal"] = (text[journal_start:journal_end], journal_start, journal_end)


def _segments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split ``text[start:end]`` at sentence ends; a "?" or "!" stays with its segment."""
    out = []
    position = start
    for m in _BOUNDARY.finditer(text, start, end):
        seg_end = m.start(1) + (1 if m.group(1) in "?!" else 0)
        out.append((position, seg_end))
        position = m.end()
    out.append((position, end))
    cleaned = []
    for seg_start, seg_end in out:
        while seg_start < seg_end and text[seg_start] in " \"'“”‘’":
            seg_start += 1
        while seg_end > seg_start and text[seg_end - 1] in " .,;:\"'“”‘’":
            seg_end -= 1
        if seg_end > seg_start and any(c.isalpha() for c in text[seg_start:seg_end]):
            cleaned.append((seg_start, seg_end))
    return cleaned


def _title_case(phrase: str) -> bool:
    """Journal names are title-cased ("Nature Reviews Drug Discovery"); titles rarely are."""
    words = [w for w in re.split(r"[\s:]+", phrase) if w]
    if not words or len(words) > 12:
        return False
    return all(w[0].isupper() or w.lower() in _SMALL_WORDS or not w[0].isalpha() for w in words)


def _last_year(text: str, start: int, end: int) -> tuple[int, int, int] | None:
    found = None
    for m in re.finditer(r"(?<![\d/.])(" + YEAR + r")(?![\d/])", text[start:end]):
        found = (int(m.group(1)), start + m.start(1), start + m.end(1))
    return found
