"""Find section headings, their hierarchy and their rhetorical kind.

Why this stage exists: every later stage and the record locate things "in a section", and the
summary relies on knowing which part is the introduction, the limitations or the conclusion. The
input is often a web page pasted as plain text, so headings carry no markup; this stage recovers
them from the shape of the lines.

Two modes
---------
* **Markdown** (``#`` / setext headings marked by the reader, or two or more ``#`` lines in a
  ``.txt``): the markup is trusted and is the only source of headings. A single level-1 heading
  that opens the document above deeper ones is the article title, not a section.
* **Plain text**: every line is classified, then headings are chosen by structure.

Plain-text reasoning (what generalises)
---------------------------------------
1. *Line roles.* A line is blank, **meta** (front-matter or label lines: ``Published: ...``,
   ``Authors: ...``, ``Citation: ...``, bylines, dates, URLs, lines wholly in parentheses or quotes),
   a **candidate** heading, or **content** (everything else: paragraphs, bullets, numbered
   sentences). A candidate, once a leading emoji/symbol, a number (``1.``, ``2.3``, ``1)``, ``IV.``,
   ``A.``) and a trailing ``:`` are removed, is short (<= 12 words, <= 100 characters), has a
   letter, does not start with an all-lowercase word, a quote or a bracket, has no ``;`` and
   does not end with sentence punctuation (a single short question is allowed), and is not a
   figure/table caption.
2. *Lists are not headings.* Short lines after a line ending with ``:`` are list items until a
   paragraph (or, for a tight list, a blank line), unless a line clearly starts a new section: a
   canonical heading ("Limitations"), a numbered line when the list itself is not numbered, or a
   Title-Case line after sentence-case items. Three or more consecutive candidates of one style
   with nothing between them (a canonical first one excepted: "Results" over two sub-headings),
   or two numbered siblings in a row, are a list too. Inside a reference list, entries are not
   sub-headings.
3. *A heading introduces content.* A candidate is a heading only if the next non-blank line, after
   skipping meta lines, is content (a short line that is not a heading counts); or if the very
   next line is itself a heading (a parent with a sub-heading), except that a topical line does
   not parent a canonical heading (an author line above "1. Introduction" is front matter). A
   candidate ending with ``:`` must be followed by a paragraph, else it introduces a list.
4. *Front matter* is everything before the first line of running text (a sentence-final or long
   line), less the headings chained directly above that line. Titles, deks, "Study Title:" blocks,
   bylines, affiliations and journal lines drop out without a list of their forms. The first line
   of a plain text is the title unless it is numbered or canonical.
5. *Hierarchy* uses a stack of open headings; each new heading either becomes a sibling of one
   entry (popping what is above it) or a child of the top:
   - numbering depth decides among numbered headings of one scheme (``2.3`` is under ``2``);
     a new numbered run is a child of the unnumbered heading above it (unless the numbered heading
     is itself canonical, e.g. ``1. Introduction``, or the parent is an abstract/reference list);
   - a heading directly below another heading (no content between) is its child;
   - a *canonical* heading (a rhetorical one, "Results", "Final Thoughts", "Key Takeaways", or
     back matter, "Acknowledgments", "Supporting Information"; at most six words, keyword leading,
     not qualified as in "Other Methods") is a sibling of the shallowest open canonical heading,
     else top level: rhetorical sections do not nest inside topical ones;
   - a heading that itself has a sub-heading is a sibling of the shallowest open topical heading
     that had one (containers sit at the same level);
   - in an IMRaD article (two of methods/results/discussion among its headings) a topical heading
     after body text is a sub-section of the open rhetorical section;
   - an unnumbered heading after a numbered run closes the run and is a sibling of the run's parent;
   - otherwise an unnumbered heading is a sibling of the deepest open heading of the same case style
     (ALL CAPS vs other), so sub-headings continue at their level until a canonical heading; with no
     such heading it is a child of the top (a new style is a new depth).
   Levels are depths in the resulting tree (1 = top), so skipped Markdown levels do not leave gaps.
   What plain text cannot show: a topical sub-section that follows its parent's own paragraphs
   looks like a top-level section, and is taken as one.

Kind: the earliest keyword in the heading wins ("Results and Discussion" -> results, "Limitations
and Ethical Considerations" -> limitations, "Discussion and Conclusions" -> discussion), since
the first-named part is what a heading is mainly about; a heading with no keyword is ``other``.

Spans follow :mod:`pipeline.layers`: the body runs from after the heading line (after a setext
underline) to the start of the next heading line of the same or a higher level, trailing
whitespace trimmed; ``heading_start``/``heading_end`` delimit exactly the reported heading text.
A gap in sibling numbering (1, 2, 4) adds a ``section-number-gap`` warning: a heading was
probably missed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property

from .. import layers as L
from ..document import Document, Span

MAX_HEADING_WORDS = 12
MAX_HEADING_CHARS = 100
MAX_CANONICAL_WORDS = 6  # a longer heading that mentions "results" is topical, not rhetorical
MAX_LEVEL = 9
MAX_META_CHARS = 200  # front-matter lines are short; a disclaimer in parentheses may be longer  # the schema's maximum depth

# Blank, meta, candidate, content (the plain-text line roles, see the module docstring).
_BLANK, _META, _CAND, _CONTENT = "blank", "meta", "candidate", "content"

# --- kinds -------------------------------------------------------------------------------
# (kind, keyword pattern on the lower-cased heading); the earliest keyword in the heading wins.
_KIND_KEYWORDS: tuple[tuple[str, str], ...] = (
    ("abstract", r"\babstract\b|\b(?:author|lay|plain[- ]language|executive) summary\b|^synopsis\b"),
    ("introduction", r"\bintroduction\b|\bbackground\b|^intro\b|^overview$"),
    ("methods", r"\bmethods?\b|\bmethodology\b|\bstudy design\b|\bexperimental (?:procedures?|section|design)\b|\bmaterials\b"),
    ("results", r"\bresults?\b|\bfindings\b"),
    ("discussion", r"\bdiscussion\b"),
    ("conclusion", r"\bconclu(?:sion|sions|ding remarks)\b|\bfinal (?:thoughts|words|remarks)\b|\bclosing thoughts\b|^(?:in )?summary\b|\bsummary$|\btake-?aways?\b|\bbottom line\b|\bwrap[- ]up\b"),
    ("limitations", r"\blimitations?\b|\bcaveats?\b|\bshortcomings\b"),
    ("references", r"\breferences\b|\bbibliography\b|^sources(?: and (?:further reading|notes|references))?$|\bworks cited\b|\bliterature cited\b|\bcitations$"),
)
# One alternation: a regex search returns the leftmost match, i.e. the earliest keyword.
_KIND_PATTERN = re.compile("|".join(f"(?P<{kind}>{pattern})" for kind, pattern in _KIND_KEYWORDS))

# Every keyword above contains one of these words (a cheap test before the regex).
_KIND_TRIGGER_WORDS = frozenset(
    """abstract summary synopsis introduction background intro overview method methods methodology
    design experimental materials result results findings discussion conclusion conclusions concluding
    final closing takeaway takeaways take away aways bottom wrap limitation limitations caveat caveats
    shortcomings references bibliography sources cited citations""".split()
)

# Back-matter headings are top level wherever they appear, though their kind is "other".
_BACK_MATTER = re.compile(
    r"^(?:acknowledge?ments?|funding(?: statement| sources?)?|author(?:s'|s’)? contributions?|competing interests?"
    r"|conflicts? of interests?|declarations?(?: of interests?)?|disclosures?|data availability(?: statement)?"
    r"|(?:supporting|supplementary|supplemental) (?:information|materials?|data)|appendix\b.*|appendices"
    r"|abbreviations|glossary|notes|footnotes|endnotes|further reading|about the authors?)$"
)
# "Other Methods", "Additional Results": a part of a section, not the section.
_QUALIFIERS = frozenset("other additional further supplementary supplemental extended more preliminary secondary".split())
# With two of these among its headings a document follows IMRaD: topical headings are sub-sections.
_IMRAD_KINDS = ("methods", "results", "discussion")

# --- line shapes -------------------------------------------------------------------------
_ATX = re.compile(r"^ {0,3}(#{1,6})[ \t]+(?=\S)")
_CLOSING_HASHES = re.compile(r"[ \t]+#+$")
_ARABIC_NUMBER = re.compile(r"(\d{1,2}(?:\.\d{1,2}){1,4})\.?[ \t]+|(\d{1,2})[.)][ \t]+")
_ROMAN_NUMBER = re.compile(r"([IVX]{1,5})[.)][ \t]+")
_LETTER_NUMBER = re.compile(r"([A-Z])[.)][ \t]+")
_ROMAN_VALID = re.compile(r"^(?:X{0,2})(?:IX|IV|V?I{0,3})$")
_CAPTION = re.compile(r"^(?:fig(?:ure)?|table|box|panel|supplementary|plate|chart|scheme|video|image|photo)\b\.?\s*[S]?\d", re.I)
_BYLINE = re.compile(r"^(?:by|written by|reviewed by|medically reviewed by|posted by|edited by)\s+\S", re.I)
_DATE_LEAD = re.compile(r"^(?:published|updated|last updated|posted|first published|originally published)\b", re.I)
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE_ONLY = re.compile(rf"^(?:\w+,?\s+)?(?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|\d{{1,2}}\s+{_MONTH}\s+\d{{4}}|{_MONTH}\s+\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}/\d{{1,2}}/\d{{2,4}})\.?$", re.I)
_URL = re.compile(r"^(?:<?https?://|www\.|doi:|doi\.org/)\S*>?$", re.I)
_LABEL = re.compile(r"^([A-Za-z][\w'’\-]*(?:[ \t]+[\w'’\-]+){0,3})[ \t]*:(?:[ \t]+(.*))?$")
_DIGIT = re.compile(r"\d")
_NUMBER_TOKEN = re.compile(r"(?<![\w.])[-+$€£]?\d[\d.,:%/-]*")
# Never in a heading: a semicolon, "et al", a URL or an e-mail address.
_NOT_IN_HEADINGS = re.compile(r";|\bet al\b|https?://|www\.|\S@\S+\.\w", re.I)
_SENTENCE_END = re.compile(r"[.!?:…][\"”’')\]]*$")
_DATED_LEAD = re.compile(r"^(?:received|accepted|revised|submitted)\b.*\d", re.I)
_REFERENCE_LIKE = re.compile(r"\d|https?:|www\.|\bdoi\b|\bet al\b|\[", re.I)
_QUOTES_OPEN = "\"“‘'«"
_QUOTES_CLOSE = "\"”’'»"
_SMALL_WORDS = frozenset("a an the and or nor but of in on at to for from by with as via vs vs. into onto per than over under about".split())
_CONJUNCTION_START = frozenset("but and so or yet then also".split())
# Symbols that lead a heading like an emoji does ("■ Results", "► Methods").
_LEADING_SYMBOL_CATEGORIES = frozenset({"So", "Cf", "Mn", "Co", "Cs", "Sk"})
_LEADING_SYMBOL_EXTRA = frozenset("→⇒➔➜➤▶►▸◆◇■□▪▫●○★☆✓✔✦✧")


# Labels of front-matter and citation blocks: "Label: value" lines with these are meta.
_META_LABELS = frozenset(
    {
        "title", "study title", "article title", "paper title", "original study", "published",
        "publication date", "date", "updated", "last updated", "posted", "author", "authors", "by",
        "written by", "reviewed by", "medically reviewed by", "citation", "cite", "reference", "source",
        "study source", "link", "links", "url", "doi", "pmid", "pmcid", "journal", "publisher", "keywords",
        "key words", "tags", "tag", "category", "categories", "read time", "reading time", "image", "photo",
        "credit", "image credit", "photo credit", "disclaimer", "editor", "editors", "affiliation",
        "affiliations", "correspondence", "email", "contact", "funding", "license", "licence", "copyright",
        "received", "accepted", "volume", "issue", "pages", "location",
    }
)


@dataclass
class _Heading:
    """A heading line as found, before hierarchy is known."""

    line: int  # index into the line list
    line_start: int  # offset of the heading line (a section ends where the next one starts)
    body_start: int  # offset just after the heading line (or its setext underline)
    heading_start: int
    heading_end: int
    text: str
    number: str | None = None
    scheme: str | None = None  # arabic, roman, letter
    depth: int = 0  # numbering depth: "2.3" -> 2
    ends_colon: bool = False
    md_level: int | None = None
    # Filled by the hierarchy pass.
    level: int = 1
    parent: "_Heading | None" = None
    direct: bool = False  # no content between the previous heading and this one
    container: bool = False  # the next line is a heading (this one has a sub-heading)
    end: int = 0
    previous_sibling: "_Heading | None" = None

    @cached_property
    def kind(self) -> str:
        return classify_kind(self.text)

    @cached_property
    def caps(self) -> bool:
        letters = [c for c in self.text if c.isalpha()]
        return len(letters) >= 2 and all(c.isupper() for c in letters)

    @property
    def numbered(self) -> bool:
        return self.number is not None

    @cached_property
    def canonical(self) -> bool:
        """A rhetorical or back-matter heading: these sit at the top of an article's outline."""
        if len(self.text.split()) > MAX_CANONICAL_WORDS:
            return False
        return _is_rhetorical(self.text) or bool(_BACK_MATTER.search(_normalise_heading(self.text)))


@dataclass
class _Line:
    start: int
    end: int
    text: str
    markup: str | None
    heading_level: int | None = None
    marker_end: int | None = None
    role: str = _CONTENT
    heading: _Heading | None = None
    extra: dict = field(default_factory=dict)


# =========================================================================================
# public entry point
# =========================================================================================


def detect_sections(doc: Document) -> dict[str, list[Span]]:
    """Return the ``sections`` layer (and ``warnings`` for numbering gaps) of ``doc``."""
    text = doc.text
    lines = _lines_of(doc)
    markdown = _markdown_headings(lines)
    if markdown and doc.has_layer(L.PDF_BLOCKS):
        headings = _markdown_hierarchy(_pdf_refine(markdown))
        warnings: list[Span] = []
    elif markdown:
        headings = _markdown_hierarchy(markdown)
        warnings = []
    else:
        headings = _plain_text_headings(lines)
        warnings = _plain_text_hierarchy(headings)
    _assign_ends(headings, text)
    spans = [_section_span(h) for h in headings]
    return {L.SECTIONS: spans, L.WARNINGS: warnings}


def classify_kind(heading: str) -> str:
    """Rhetorical kind of a heading text: the kind whose keyword appears first, else ``other``."""
    return _kind_match(heading)[0]


def _normalise_heading(heading: str) -> str:
    return " ".join(heading.lower().replace("&", "and").split())


def _kind_match(heading: str) -> tuple[str, int, int]:
    """(kind, start, end) of the earliest kind keyword in the normalised heading."""
    lowered = _normalise_heading(heading)
    if _KIND_TRIGGER_WORDS.isdisjoint(re.findall(r"[a-z]+", lowered)):
        return ("other", 0, 0)  # the alternation is slow; most lines hold none of its words
    match = _KIND_PATTERN.search(lowered)
    if match is None:
        return ("other", 0, 0)
    return (match.lastgroup, match.start(), match.end())


def _is_rhetorical(heading: str) -> bool:
    """Whether a heading names a rhetorical section rather than a topic that mentions one.

    "Results", "Materials and Methods", "Limitations and Ethical Considerations", "Key Takeaways"
    are; "Other Methods", "Comparison with Binning Methods" (a topic) are not: the keyword must
    open the heading, or close a heading of at most three words without a qualifying modifier.
    """
    kind, start, end = _kind_match(heading)
    if kind == "other":
        return False
    lowered = _normalise_heading(heading)
    if start == 0:
        return True
    words = lowered.split()
    return end == len(lowered) and len(words) <= 3 and words[0] not in _QUALIFIERS


# =========================================================================================
# lines
# =========================================================================================


def _lines_of(doc: Document) -> list[_Line]:
    """The document's lines: the reader's ``lines`` layer, or a plain split when it has none."""
    spans = doc.layer(L.LINES)
    if spans:
        return [
            _Line(s.start, s.end, s.text_in(doc.text), s.get("markup"), s.get("heading_level"), s.get("marker_end"))
            for s in spans
        ]
    out, offset = [], 0
    for raw in doc.text.split("\n"):
        out.append(_Line(offset, offset + len(raw), raw, "blank" if not raw.strip() else None))
        offset += len(raw) + 1
    return out


def _next_nonblank(lines: list[_Line], index: int) -> int | None:
    for j in range(index + 1, len(lines)):
        if lines[j].text.strip():
            return j
    return None


def _previous_nonblank(lines: list[_Line], index: int) -> int | None:
    for j in range(index - 1, -1, -1):
        if lines[j].text.strip():
            return j
    return None


# =========================================================================================
# heading text: symbols, numbers, trailing marks
# =========================================================================================


def _is_leading_symbol(char: str) -> bool:
    return char in _LEADING_SYMBOL_EXTRA or unicodedata.category(char) in _LEADING_SYMBOL_CATEGORIES


def _skip_leading_symbols(line: str, pos: int) -> int:
    """Skip emoji or symbols (and the spaces after them) at ``pos``; return the new position."""
    while pos < len(line) and (line[pos] in " \t" or _is_leading_symbol(line[pos])):
        pos += 1
    return pos


def _parse_number(line: str, pos: int) -> tuple[int, str | None, str | None, int]:
    """Read a section number at ``pos``: (new pos, number, scheme, depth)."""
    if m := _ARABIC_NUMBER.match(line, pos):
        number = m.group(1) or m.group(2)
        return m.end(), number, "arabic", number.count(".") + 1
    if (m := _ROMAN_NUMBER.match(line, pos)) and _ROMAN_VALID.match(m.group(1)):
        return m.end(), m.group(1), "roman", 1
    if m := _LETTER_NUMBER.match(line, pos):
        return m.end(), m.group(1), "letter", 1
    return pos, None, None, 0


def _strip_marks(line: str, start: int, end: int, *, markdown: bool) -> tuple[int, int, bool]:
    """Strip whitespace, closing ``#`` marks, a trailing colon and enclosing bold from a heading."""
    ends_colon = False
    while True:
        before = (start, end)
        while start < end and line[start].isspace():
            start += 1
        while end > start and (line[end - 1].isspace() or _is_leading_symbol(line[end - 1])):
            end -= 1  # a trailing emoji ("Results 🔬") is decoration too
        if markdown and (m := _CLOSING_HASHES.search(line, start, end)):
            end = m.start()
        if end > start and line[end - 1] == ":":
            end -= 1
            ends_colon = True
        for marker in ("**", "__"):
            if end - start > 4 and line.startswith(marker, start) and line.endswith(marker, start, end):
                start, end = start + 2, end - 2
        if (start, end) == before:
            return start, end, ends_colon


def _parse_heading(line: _Line, *, markdown_level: int | None = None, content_start: int | None = None) -> _Heading | None:
    """Split a line into symbol, number and heading text; None when no text remains."""
    raw, markdown = line.text, markdown_level is not None
    start = _skip_leading_symbols(raw, 0 if content_start is None else content_start - line.start)
    start, end, colon_outside = _strip_marks(raw, start, len(raw), markdown=markdown)
    start, number, scheme, depth = _parse_number(raw, start)  # "**2. Methods**" or "2. **Methods**"
    start, end, colon_inside = _strip_marks(raw, start, end, markdown=markdown)
    return _make_heading(line, start, end, colon_outside or colon_inside, number, scheme, depth, markdown_level)


def _make_heading(line: _Line, start: int, end: int, ends_colon: bool, number, scheme, depth, md_level) -> _Heading | None:
    text = line.text[start:end]
    if not text.strip():
        return None
    return _Heading(
        line=-1,
        line_start=line.start,
        body_start=line.end + 1,
        heading_start=line.start + start,
        heading_end=line.start + end,
        text=text,
        number=number,
        scheme=scheme,
        depth=depth,
        ends_colon=ends_colon,
        md_level=md_level,
    )


# =========================================================================================
# Markdown mode
# =========================================================================================


def _markdown_headings(lines: list[_Line]) -> list[_Heading]:
    """Headings given by Markdown markup (reader-marked, or ``#`` lines pasted into a .txt)."""
    marked = [i for i, line in enumerate(lines) if line.markup == "heading"]
    if not marked:
        atx = [i for i, line in enumerate(lines) if line.markup not in ("code", "fence") and _ATX.match(line.text)]
        if len(atx) < 2:
            return []
        for i in atx:
            m = _ATX.match(lines[i].text)
            lines[i].heading_level = len(m.group(1))
            lines[i].marker_end = lines[i].start + m.end()
        marked = atx
    headings = []
    for i in marked:
        line = lines[i]
        heading = _parse_heading(line, markdown_level=line.heading_level or 1, content_start=line.marker_end)
        if heading is None:
            continue
        heading.line = i
        if i + 1 < len(lines) and lines[i + 1].markup == "heading_underline":
            heading.body_start = lines[i + 1].end + 1
        headings.append(heading)
    return _drop_markdown_title(headings, lines)


def _drop_markdown_title(headings: list[_Heading], lines: list[_Line]) -> list[_Heading]:
    """A lone top-level heading opening the document above deeper headings is the title.

    So is a single heading on the first line; the document then has no Markdown sections and
    the plain-text rules look for its headings.
    """
    if not headings:
        return headings
    first = headings[0]
    if len(headings) == 1:
        return [] if first.line == _next_nonblank(lines, -1) else headings
    shallowest = min(h.md_level for h in headings)
    if first.md_level == shallowest and all(h.md_level > shallowest for h in headings[1:]):
        return headings[1:]
    return headings


def _markdown_hierarchy(headings: list[_Heading]) -> list[_Heading]:
    stack: list[_Heading] = []
    for heading in headings:
        while stack and stack[-1].md_level >= heading.md_level:
            stack.pop()
        heading.parent = stack[-1] if stack else None
        heading.level = min(len(stack) + 1, MAX_LEVEL)
        stack.append(heading)
    return headings


# =========================================================================================
# PDF: the reader's typographic headings, refined
# =========================================================================================

# Front-matter labels set like headings: they label metadata, they do not open a section.
_PDF_LABEL_HEADING = re.compile(r"^(?:key\s*words?|index terms|keywords and phrases)$", re.I)


def _pdf_refine(headings: list[_Heading]) -> list[_Heading]:
    """Adjust the PDF reader's heading levels where typography cannot tell levels apart.

    The reader ranks heading styles (size, weight, capitals). Some publishers set sub-headings in
    the section style with only a change of typeface the reader does not see (PLOS: "Results" over
    "Taxonomy", "Etymology"). So, as in plain text, in an IMRaD article an unnumbered topical
    heading at the level of the rhetorical headings that follows one of them (introduction to
    discussion) is its sub-section, and the headings below it move down with it. Keyword labels
    are dropped, and a run-in heading's closing full stop is not part of the heading.
    """
    headings = [h for h in headings if not _PDF_LABEL_HEADING.match(_normalise_heading(h.text))]
    for heading in headings:
        if heading.text.endswith(".") and not heading.text.endswith(".."):
            heading.text = heading.text[:-1].rstrip()  # a run-in heading's full stop
            heading.heading_end = heading.heading_start + len(heading.text)
    rhetorical = [h for h in headings if h.canonical and _is_rhetorical(h.text)]
    if len({h.kind for h in rhetorical if h.kind in _IMRAD_KINDS}) < 2:
        return headings
    section_level = min(h.md_level for h in rhetorical)
    open_section: _Heading | None = None
    inside_demoted = False
    for heading in headings:
        if heading.md_level < section_level or (heading.md_level == section_level and (heading.canonical or heading.numbered)):
            open_section = heading if heading in rhetorical and heading.kind not in ("abstract", "references") else None
            inside_demoted = False
        elif heading.md_level == section_level and open_section is not None:
            heading.md_level += 1
            inside_demoted = True
        elif heading.md_level > section_level and inside_demoted:
            heading.md_level += 1
    return headings


# =========================================================================================
# plain-text mode: line roles
# =========================================================================================


def _plain_text_headings(lines: list[_Line]) -> list[_Heading]:
    for line in lines:
        line.role = _role_of(line)
    _demote_colon_lists(lines)
    _demote_candidate_runs(lines)
    _accept_headings(lines)
    _restrict_front_matter(lines)
    _drop_title_line(lines)
    headings = []
    for i, line in enumerate(lines):
        if line.role == _CAND and line.extra.get("accepted"):
            line.heading.line = i
            headings.append(line.heading)
    headings = _drop_reference_entries(headings)
    _mark_adjacency(lines, headings)
    return headings


def _drop_reference_entries(headings: list[_Heading]) -> list[_Heading]:
    """Inside a reference list, short entries ("Smith J (2004) Title") are not sub-headings.

    The list runs from a references heading to the next canonical one; inside it only short,
    number-free lines (a group label such as "Further Reading" or "Web Resources") may head.
    """
    kept, in_references = [], False
    for heading in headings:
        if heading.canonical:
            in_references = heading.kind == "references"
        elif in_references and (len(_words(heading.text)) > 6 or _REFERENCE_LIKE.search(heading.text)):
            continue
        kept.append(heading)
    return kept


def _mark_adjacency(lines: list[_Line], headings: list[_Heading]) -> None:
    """Note which headings sit directly under another heading, with no line between."""
    heading_lines = {h.line for h in headings}
    for heading in headings:
        before = _previous_nonblank(lines, heading.line)
        after = _next_nonblank(lines, heading.line)
        heading.direct = before in heading_lines
        heading.container = after in heading_lines


def _role_of(line: _Line) -> str:
    raw = line.text
    if line.markup in ("blank", "heading_underline") or not any(c.isalnum() for c in raw):
        return _BLANK  # rules ("---", "***") and emoji-only lines separate; they are not content
    if line.markup in ("list_item", "code", "fence"):
        return _CONTENT
    body = raw[_skip_leading_symbols(raw, 0) :].strip()
    if _is_meta(body):
        return _META
    if len(body) > MAX_HEADING_CHARS + 12:  # room for a number or bold marks; longer is prose
        return _CONTENT
    heading = _parse_heading(line)
    if heading is not None and _looks_like_heading(heading):
        line.heading = heading
        return _CAND
    return _CONTENT


def _is_meta(body: str) -> bool:
    """Front-matter and label lines: they neither head nor make a section's content."""
    if body[0] == "(" and body.rstrip(".").endswith(")"):
        return True
    if body[0] == "[" and body.endswith("]"):
        return True
    if len(body) > MAX_META_CHARS:  # a paragraph that happens to start like a label is prose
        return False
    if body[0] in _QUOTES_OPEN and body.rstrip(".,;:").endswith(tuple(_QUOTES_CLOSE)) and len(body) > 2:
        return True
    if _URL.match(body) or _BYLINE.match(body) or _DATE_LEAD.match(body) or _DATED_LEAD.match(body):
        return True
    if body.startswith(("©", "Copyright ", "copyright ")):
        return True
    if _DIGIT.search(body) and _DATE_ONLY.match(body):
        return True
    if ":" in body and (m := _LABEL.match(body)):
        return " ".join(m.group(1).lower().split()) in _META_LABELS
    return False


def _words(text: str) -> list[str]:
    return text.split()


def _is_title_case(text: str) -> bool:
    """Two or more significant words, every one capitalised ("Why This Matters")."""
    significant = [w for w in _words(text) if w.lower().strip("()\"'“”‘’,") not in _SMALL_WORDS and w[0].isalpha()]
    return len(significant) >= 2 and all(not w[0].islower() for w in significant)


def _looks_like_heading(heading: _Heading) -> bool:
    text = heading.text
    words = _words(text)
    if not words or len(words) > MAX_HEADING_WORDS or len(text) > MAX_HEADING_CHARS:
        return False
    if not any(c.isalpha() for c in text):
        return False
    first = words[0]
    if first[0].islower() and not any(c.isupper() for c in first):
        return False  # "and then ..." or "we're." (but "mTOR Pathway" and "iPSC Models" are fine)
    if text[0] in _QUOTES_OPEN or text[0] in "([{<-–—*_,;":
        return False
    if _CAPTION.match(text) or _NOT_IN_HEADINGS.search(text):
        return False
    if text.count(",") >= 3 or len(_NUMBER_TOKEN.findall(text)) >= 3:
        return False  # an author list, a table row
    last = text.rstrip(_QUOTES_CLOSE + ")]")[-1:]
    if last and last in ".,;!" and not text.endswith(("etc.", "etc")):
        return False
    if text[-1] == "?":
        return _is_heading_question(text, words)
    return True


def _is_heading_question(text: str, words: list[str]) -> bool:
    """"What Is Ketamine?" is a heading; "But how does it work? What ...?" is prose."""
    if re.search(r"[.?!]\s", text[:-1]):
        return False
    if words[0].lower() in _CONJUNCTION_START:
        return False
    return _is_title_case(text) or len(words) <= 8


# =========================================================================================
# plain-text mode: lists are not headings
# =========================================================================================


def _ends_with_colon(line: _Line) -> bool:
    return line.text.rstrip().endswith(":")


def _demote_colon_lists(lines: list[_Line]) -> None:
    """Short lines after a line ending with ':' are list items, not headings."""
    for i, line in enumerate(lines):
        if line.role not in (_CONTENT, _CAND) or not _ends_with_colon(line):
            continue
        first = _next_nonblank(lines, i)
        if first is None or lines[first].role != _CAND:
            continue
        loose = first > i + 1  # the list's items are separated by blank lines
        items: list[_Heading] = []
        j = first
        while j < len(lines):
            current = lines[j]
            if current.role == _BLANK:
                if not loose:
                    break
                j += 1
                continue
            if current.role == _CAND:
                if _starts_new_section(current.heading, items, lines, j):
                    break
                current.role = _CONTENT
                current.extra["list_item"] = True
                items.append(current.heading)
            elif not (current.markup in ("list_item", "ordered_item")):
                break
            j += 1


def _starts_new_section(candidate: _Heading, items: list[_Heading], lines: list[_Line], index: int) -> bool:
    """Whether a short line inside a colon-introduced list in fact starts a section."""
    if not items:
        return False
    if candidate.canonical and not any(item.canonical for item in items):
        return True
    if candidate.numbered and not items[0].numbered:
        return True
    multiword_items = [item for item in items if len(_words(item.text)) >= 2]
    if _is_title_case(candidate.text) and multiword_items and not any(_is_title_case(i.text) for i in multiword_items):
        following = _next_nonblank(lines, index)
        return following is not None and lines[following].role == _CONTENT
    return False


def _style_key(heading: _Heading) -> tuple:
    if heading.numbered:
        return ("numbered", heading.scheme, heading.depth)
    return ("plain", heading.caps)


def _demote_candidate_runs(lines: list[_Line]) -> None:
    """Runs of same-style short lines with nothing between them are lists, not nested headings."""
    run: list[int] = []
    for i, line in enumerate(lines + [_Line(0, 0, "x", None, role=_CONTENT)]):
        if line.role == _BLANK:
            continue
        if line.role == _CAND and not line.heading.ends_colon:
            run.append(i)
            continue
        _demote_groups_in_run(lines, run)
        run = []


def _demote_groups_in_run(lines: list[_Line], run: list[int]) -> None:
    group: list[int] = []
    for i in run + [-1]:
        if group and (i == -1 or _style_key(lines[i].heading) != _style_key(lines[group[-1]].heading)):
            numbered = lines[group[0]].heading.numbered
            if len(group) >= 3 and lines[group[0]].heading.canonical:
                group = group[1:]  # "Results" heading a chain of sub-headings is not a list item
            if len(group) >= 3 or (numbered and len(group) >= 2):
                for k in group:
                    lines[k].role = _CONTENT
                    lines[k].extra["list_item"] = True
            group = []
        if i != -1:
            group.append(i)


# =========================================================================================
# plain-text mode: which candidates are headings
# =========================================================================================


def _accept_headings(lines: list[_Line]) -> None:
    """A candidate heads a section when content (or a sub-heading) follows it; decided bottom-up."""
    for i in range(len(lines) - 1, -1, -1):
        line = lines[i]
        if line.role != _CAND:
            continue
        j, skipped_meta = i, False
        while (j := _next_nonblank(lines, j)) is not None and lines[j].role == _META:
            skipped_meta = True
        if j is None:
            continue
        following = lines[j]
        # A candidate that is not a heading is a short line of content ("Protocol S1. Data").
        following_is_content = following.role == _CONTENT or not following.extra.get("accepted")
        if following_is_content:
            is_paragraph = not following.extra.get("list_item") and following.markup not in ("list_item", "ordered_item")
            line.extra["accepted"] = is_paragraph or not line.heading.ends_colon
        elif following.role == _CAND and following.extra.get("accepted"):
            line.extra["accepted"] = not skipped_meta and not line.heading.ends_colon and _may_contain(line.heading, following.heading)


def _is_prose(line: _Line) -> bool:
    """Running text: a sentence-final line or a long one (bylines and affiliations are neither)."""
    if line.role == _CAND:
        return line.heading.ends_colon and not line.extra.get("accepted")  # a lead-in "...:" line
    if line.role != _CONTENT:
        return False
    text = line.text.rstrip()
    return bool(_SENTENCE_END.search(text)) or len(text.split()) >= 20


def _restrict_front_matter(lines: list[_Line]) -> None:
    """No section starts before the first prose: earlier candidates are front matter.

    Only the headings chained directly above the first line of running text (no meta between)
    survive, so a title, a dek, "Study Title:" blocks, bylines, affiliations and a journal line
    above the first heading drop out.
    """
    first_content = next((i for i, line in enumerate(lines) if _is_prose(line)), None)
    if first_content is None:
        return
    chain_start = first_content
    for i in range(first_content - 1, -1, -1):
        if lines[i].role == _BLANK:
            continue
        if lines[i].role != _CAND or not lines[i].extra.get("accepted"):
            break
        chain_start = i
    for line in lines[:chain_start]:
        line.extra["accepted"] = False


def _may_contain(parent: _Heading, child: _Heading) -> bool:
    """Whether a line may head a section whose first sub-heading is ``child``.

    An unnumbered topical line directly above a canonical heading ("Jane Doe, John Roe" above
    "1. Introduction") is front matter, not a parent: rhetorical sections are not nested in
    topical ones. Canonical parents ("Abstract" over "Background") and numbered ones may contain.
    """
    return parent.canonical or parent.numbered or not child.canonical


def _drop_title_line(lines: list[_Line]) -> None:
    """The first line of a plain text is the title, unless it is numbered or canonical."""
    first = _next_nonblank(lines, -1)
    if first is None:
        return
    line = lines[first]
    if line.role == _CAND and not line.heading.numbered and not line.heading.canonical:
        line.extra["accepted"] = False


# =========================================================================================
# plain-text mode: hierarchy
# =========================================================================================


def _plain_text_hierarchy(headings: list[_Heading]) -> list[Span]:
    """Place each heading on a stack of open headings (rules in the module docstring)."""
    imrad = len({h.kind for h in headings if h.canonical and h.kind in _IMRAD_KINDS}) >= 2
    stack: list[_Heading] = []
    warnings: list[Span] = []
    for heading in headings:
        _place(heading, stack, imrad=imrad)
        if (gap := _numbering_gap(heading)) is not None:
            warnings.append(gap)
    return warnings


def _pop_to(stack: list[_Heading], entry: _Heading) -> None:
    """Pop ``entry`` and everything above it."""
    while stack:
        if stack.pop() is entry:
            return


def _push(stack: list[_Heading], heading: _Heading, level: int) -> None:
    heading.level = max(1, min(level, MAX_LEVEL))
    while stack and stack[-1].level >= heading.level:
        stack.pop()
    heading.parent = stack[-1] if stack else None
    stack.append(heading)


def _sibling_of(stack: list[_Heading], entry: _Heading, heading: _Heading) -> None:
    heading.previous_sibling = entry
    level = entry.level
    _pop_to(stack, entry)
    _push(stack, heading, level)


def _child_of_top(stack: list[_Heading], heading: _Heading) -> None:
    _push(stack, heading, stack[-1].level + 1 if stack else 1)


def _place(heading: _Heading, stack: list[_Heading], *, imrad: bool) -> None:
    if heading.numbered:
        _place_numbered(heading, stack)
    else:
        _place_unnumbered(heading, stack, imrad=imrad)


def _place_numbered(heading: _Heading, stack: list[_Heading]) -> None:
    same_scheme = [e for e in stack if e.numbered and e.scheme == heading.scheme]
    same = [e for e in same_scheme if e.depth == heading.depth]
    if same:
        _sibling_of(stack, same[-1], heading)
        return
    shallower = [e for e in same_scheme if e.depth < heading.depth]
    if shallower:
        _pop_to_above(stack, shallower[-1])
        _child_of_top(stack, heading)
        return
    if same_scheme:  # "3" after "2.1" with no "2" open: close the deeper run
        _pop_to(stack, same_scheme[0])
    if heading.canonical:
        _top_level(stack, heading)
    elif heading.direct or (stack and not stack[-1].numbered and stack[-1].kind not in ("abstract", "references")):
        _child_of_top(stack, heading)
    elif stack:
        _sibling_of(stack, stack[-1], heading)
    else:
        _push(stack, heading, 1)


def _pop_to_above(stack: list[_Heading], entry: _Heading) -> None:
    while stack and stack[-1] is not entry:
        stack.pop()


def _top_level(stack: list[_Heading], heading: _Heading) -> None:
    stack.clear()
    _push(stack, heading, 1)


def _place_unnumbered(heading: _Heading, stack: list[_Heading], *, imrad: bool) -> None:
    if heading.direct and stack:
        _child_of_top(stack, heading)
        return
    if heading.canonical:
        canonical = [e for e in stack if e.canonical]
        if canonical:
            _sibling_of(stack, canonical[0], heading)
        else:
            _top_level(stack, heading)
        return
    if heading.container:
        containers = [e for e in stack if e.container and not e.numbered and not e.canonical and e.caps == heading.caps]
        if containers:
            _sibling_of(stack, containers[0], heading)
            return
    if imrad and (anchor := next((e for e in stack if e.canonical), None)) is not None:
        # In an IMRaD article a topical heading belongs to the rhetorical section it follows.
        below = stack[stack.index(anchor) + 1 :]
        same_style = [e for e in below if not e.numbered and e.caps == heading.caps]
        if same_style:
            _sibling_of(stack, same_style[-1], heading)
        else:
            _pop_to_above(stack, anchor)
            _child_of_top(stack, heading)
        return
    if stack and stack[-1].numbered:
        while stack and stack[-1].numbered:
            stack.pop()
        if stack:
            _sibling_of(stack, stack[-1], heading)
        else:
            _push(stack, heading, 1)
        return
    same_style = [e for e in stack if not e.numbered and e.caps == heading.caps]
    if same_style:
        _sibling_of(stack, same_style[-1], heading)
    else:
        _child_of_top(stack, heading)


def _numbering_gap(heading: _Heading) -> Span | None:
    """Sibling numbers should count up by one; a gap suggests a heading was missed."""
    previous_sibling = heading.previous_sibling
    if not (heading.numbered and previous_sibling is not None and previous_sibling.numbered):
        return None
    if heading.scheme != "arabic" or previous_sibling.scheme != "arabic":
        return None
    try:
        last, before = int(heading.number.split(".")[-1]), int(previous_sibling.number.split(".")[-1])
    except ValueError:
        return None
    if last == before + 1:
        return None
    return Span(
        heading.heading_start,
        heading.heading_end,
        "section-number-gap",
        {
            "located": True,
            "message": f"section {heading.number} follows section {previous_sibling.number}; a numbered heading may have been missed or mis-numbered",
        },
    )


# =========================================================================================
# spans
# =========================================================================================


def _assign_ends(headings: list[_Heading], text: str) -> None:
    """A section ends where the next heading of the same or a higher level starts."""
    open_sections: list[_Heading] = []
    for heading in headings:
        while open_sections and open_sections[-1].level >= heading.level:
            _close(open_sections.pop(), heading.line_start, text)
        open_sections.append(heading)
    while open_sections:
        _close(open_sections.pop(), len(text), text)


def _close(heading: _Heading, end: int, text: str) -> None:
    start = min(heading.body_start, len(text))
    while end > start and text[end - 1].isspace():
        end -= 1
    heading.body_start = start
    heading.end = max(end, start)


def _section_span(heading: _Heading) -> Span:
    return Span(
        heading.body_start,
        heading.end,
        heading.kind,
        {
            "heading": heading.text,
            "level": heading.level,
            "number": heading.number,
            "heading_start": heading.heading_start,
            "heading_end": heading.heading_end,
            "parent_heading_start": heading.parent.heading_start if heading.parent else None,
        },
    )
