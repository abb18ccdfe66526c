"""JATS XML reader: an article's text in reading order, plus the layers JATS states exactly.

JATS (PubMed Central ``.nxml``, PLOS, eLife, most open-access publishers) already marks up what
the stages would otherwise have to guess from plain text: the title, the authors and their
affiliations, the journal and dates, the section tree, the reference list and every in-text
citation. So this reader does more than decode. It renders the article as plain text a person
would read, and while rendering it records where each value landed, so that every value it takes
from the XML has an evidence span in the text:

* front matter: the title line; an author line; affiliation lines; a journal line
  (``Journal 2(7): e188. Published 2004-07-13.``); publisher, DOI, PMID and PMCID lines; each
  abstract under its heading ("Abstract" for the main one); a ``Keywords: a; b`` line;
* the body: each ``<sec>`` title on its own line, paragraphs separated by blank lines, figure,
  table and supplementary-material captions as blocks of their own, lists one item per line;
* back matter in document order (acknowledgements, appendices, notes), and the reference list
  under its heading, one entry per line.

It supplies the ``lines``, ``sections``, ``metadata`` and ``citations`` layers (see
:mod:`pipeline.layers`), so the recipe skips the stages that would guess them; entities,
relations and the summary run on the text as usual. Section spans end where the XML element
ends. Section spans also carry ``part`` ("front", "body" or "back") so evaluations can tell the
body's top-level sections from the abstract and back matter.

Safety: the standard library's expat parser never fetches a DTD or an external entity, and a
first expat pass refuses any document that declares entities (the "billion laughs" bomb,
external entities) with a coded error, as :mod:`defusedxml` would, before the tree is built. The named character entities JATS
files use without declaring them (``&ndash;``, ``&alpha;``: defined in the JATS DTD, which is
not loaded) are resolved from the HTML5 entity table, which includes the ISO sets the DTD uses.
"""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET
import xml.parsers.expat as expat
from dataclasses import dataclass, field
from html.entities import html5


from .. import layers as L
from ..document import Document, Source, Span
from ..errors import InvalidXmlError, UnsafeXmlError, UnsupportedFormatError
from ..stages.sections import classify_kind

MEDIA_TYPE = "application/jats+xml"
MAX_LEVEL = 9  # the schema's deepest section level; deeper <sec>s are kept at this level

_ENTITIES = {name[:-1]: value for name, value in html5.items() if name.endswith(";")}
_SPACE = re.compile(r"\s+")
_XML_PREDEFINED = frozenset({b"amp", b"lt", b"gt", b"quot", b"apos"})
# a named entity reference, or a stretch where "&name;" is literal text (kept as it is); an
# unterminated stretch runs to the end, so a file of unclosed "<!--" is still scanned once, not n times
_NAMED_ENTITY_OR_VERBATIM = re.compile(rb"<!\[CDATA\[.*?(?:\]\]>|\Z)|<!--.*?(?:-->|\Z)|<\?.*?(?:\?>|\Z)|&([A-Za-z][A-Za-z0-9]*);", re.DOTALL)
_XML_ENCODING = re.compile(rb"^(?:\xef\xbb\xbf)?<\?xml[^>]*\bencoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")
# "2.", "2.1", "II." at the start of a title: the section's number (kept in the text, not the heading)
_TITLE_NUMBER = re.compile(r"^(?:(\d+(?:\.\d+)*)\.?|([IVX]+)\.)\s+(?=\S)")
_YEAR = re.compile(r"\b(1\d{3}|2\d{3})\b")

# Elements that float out of a paragraph: rendered as blocks of their own after it.
_FLOATS = frozenset({"fig", "fig-group", "table-wrap", "table-wrap-group", "supplementary-material", "boxed-text", "media", "chem-struct-wrap", "list", "disp-quote", "def-list", "statement"})
# Elements whose content is never text a reader reads inline.
_SKIP_INLINE = frozenset({"fn", "object-id", "graphic", "inline-graphic", "alt-text", "long-desc", "processing-meta"})
# Inside names, affiliations and references, adjacent elements are separate words even without a space.
_WORD_ELEMENTS = frozenset(
    {"surname", "given-names", "prefix", "suffix", "name", "string-name", "collab", "etal", "article-title", "chapter-title", "source", "year",
     "volume", "issue", "fpage", "lpage", "elocation-id", "pub-id", "publisher-name", "publisher-loc", "edition", "comment", "institution",
     "addr-line", "country", "city", "state", "postal-code", "person-group", "conf-name", "conf-date", "conf-loc", "date-in-citation", "ext-link", "uri"}
)
_ABSTRACT_HEADINGS = {"summary": "Author summary", "executive-summary": "Digest", "toc": "Summary", "teaser": "Summary", "short": "Summary"}
_BACK_HEADINGS = {"ack": "Acknowledgments", "fn-group": "Notes", "notes": "Notes", "glossary": "Glossary", "app": "Appendix", "bio": "About the authors"}
# pub-date preference: electronic first, then print, then the rest (JATS 1.0+ date-type/publication-format and the older pub-type)
_DATE_RANK = {"epub": 0, "electronic": 0, "ppub": 1, "print": 1, "epub-ppub": 2, "pub": 3, "": 4, "collection": 5, "ecorrected": 7, "pmc-release": 8}


# --------------------------------------------------------------------------- public entry point


def read_jats_bytes(data: bytes, *, path: str) -> Document:
    """Parse JATS ``data`` safely and return its Document with lines, sections, metadata and citations."""
    root = _parse(data, path)
    article = _find_article(root, path)
    writer = _Writer()
    state = _State()
    try:
        _render_front(article, writer, state)
        body = article.find("body")
        if body is not None:
            _render_blocks(body, writer, state, level=1, parent=None, part="body")
        back = article.find("back")
        if back is not None:
            _render_back(back, writer, state)
    except RecursionError:
        raise InvalidXmlError("the XML nests sections too deeply to be an article; check that it is a JATS article", path=path) from None
    text = writer.text()
    if not text.strip():
        raise InvalidXmlError("the JATS article has no title, abstract, body or references; there is nothing to convert", path=path)
    warnings = []
    if body is None:
        warnings.append(Span(0, 0, "jats-no-body", {"located": False, "message": "the JATS file has no <body>: only its metadata, abstract and references were read; look for the full-text version of the article"}))
    source = Source(path=path, media_type=MEDIA_TYPE, sha256=hashlib.sha256(data).hexdigest(), bytes=len(data), encoding=_declared_encoding(data))
    layers = {
        L.LINES: _line_spans(text, writer.line_markup),
        L.SECTIONS: [s.span(len(text)) for s in state.sections],
        L.METADATA: state.metadata,
        L.CITATIONS: _citation_spans(state),
        L.WARNINGS: warnings,
    }
    return Document(text, source).with_layers(layers)


# --------------------------------------------------------------------------- parsing


def _parse(data: bytes, path: str) -> ET.Element:
    data = _named_entities_as_references(data)
    _refuse_entity_declarations(data, path)
    parser = ET.XMLParser()
    parser.entity.update(_ENTITIES)
    try:
        parser.feed(data)
        root = parser.close()
    except ET.ParseError as exc:
        if "undefined entity" in str(exc):
            raise InvalidXmlError(f"the XML uses an entity that is neither an XML nor an HTML/ISO character entity ({exc}); the DTD that might define it is never loaded; replace it with the character", path=path) from None
        raise InvalidXmlError(f"the file is not well-formed XML ({exc}); check that it is complete and not truncated", path=path) from None
    for element in root.iter():
        if isinstance(element.tag, str) and "}" in element.tag:
            element.tag = element.tag.rsplit("}", 1)[1]  # JATS is namespace-free; MathML and the odd default namespace are not
    return root


def _named_entities_as_references(data: bytes) -> bytes:
    """Rewrite HTML/ISO named entities (``&ndash;``) as character references (``&#x2013;``).

    Expat lets ElementTree resolve an undeclared entity only when the document has an external
    DTD it did not read; without a DOCTYPE (publishers' exports, Europe PMC) the same ``&ndash;``
    is a fatal "undefined entity" error. Character references need no DTD. CDATA sections,
    comments and processing instructions are left as they are, since entities mean nothing there.
    ASCII-compatible encodings only: UTF-16/32 input (a byte-order mark or a NUL in its first
    bytes, as "<" encodes there) is left as it is, since its bytes could mimic "&name;".
    """

    def replace(match: re.Match) -> bytes:
        name = match.group(1)
        value = _ENTITIES.get(name.decode("ascii")) if name is not None and name not in _XML_PREDEFINED else None
        return "".join(f"&#x{ord(char):X};" for char in value).encode("ascii") if value else match.group(0)

    if b"&" not in data or data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data[:4]:
        return data
    return _NAMED_ENTITY_OR_VERBATIM.sub(replace, data)


class _EntityDeclared(Exception):
    pass


def _refuse_entity_declarations(data: bytes, path: str) -> None:
    """Scan ``data`` with expat (in C, no tree) and refuse it at its first entity declaration.

    This is the guard :mod:`defusedxml` applies, done in a pass of its own so that the tree is
    then built by the C ElementTree parser (defusedxml's pure-Python tree builder is four times
    slower). The scan stops at the declaration, before any entity is expanded; expat never
    fetches a DTD or an external entity by itself, and no handler here asks it to.
    """

    def refuse(name: str, *_: object) -> None:
        raise _EntityDeclared(name)

    scanner = expat.ParserCreate()
    scanner.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    scanner.EntityDeclHandler = refuse
    scanner.UnparsedEntityDeclHandler = refuse
    scanner.ExternalEntityRefHandler = lambda *_: 0  # belt and braces: never load an external entity
    try:
        scanner.Parse(data, True)
    except _EntityDeclared as exc:
        raise UnsafeXmlError(
            f"the XML declares the entity {exc.args[0]!r} in its DOCTYPE; JATS articles never need entity declarations, which can be used to attack a parser (entity bombs, external entities); remove them",
            path=path,
        ) from None
    except expat.ExpatError as exc:
        if exc.code == expat.errors.codes[expat.errors.XML_ERROR_UNDEFINED_ENTITY]:
            raise InvalidXmlError(f"the XML uses an entity that is neither an XML nor an HTML/ISO character entity (at line {exc.lineno}, column {exc.offset}); the DTD that might define it is never loaded; replace it with the character", path=path) from None
        raise InvalidXmlError(f"the file is not well-formed XML ({expat.errors.messages.get(exc.code, exc)} at line {exc.lineno}, column {exc.offset}); check that it is complete and not truncated", path=path) from None


def _find_article(root: ET.Element, path: str) -> ET.Element:
    if root.tag == "article":
        return root
    article = root.find(".//article")
    if article is None:
        raise UnsupportedFormatError(f"this XML has the root element <{root.tag}>, not a JATS <article>; pipeline reads JATS (PMC, PLOS, eLife) XML only", path=path)
    return article


def _declared_encoding(data: bytes) -> str:
    match = _XML_ENCODING.match(data[:200])
    return match.group(1).decode("ascii").lower() if match else "utf-8"


# --------------------------------------------------------------------------- text building


class _Inline:
    """Inline text with whitespace collapsed as it is added, and named marks over parts of it.

    A mark opened before some text starts at that text's first character (never on a collapsed
    space) and ends after its last character, so marks are exact spans of what was rendered.
    """

    def __init__(self) -> None:
        self._parts: list[str] = []
        self.length = 0
        self._pending_space = False
        self._open: list[list] = []
        self.marks: list[tuple[str, object, int, int]] = []

    def add(self, text: str | None) -> None:
        if not text:
            return
        collapsed = _SPACE.sub(" ", text)
        core = collapsed.strip(" ")
        if collapsed[0] == " ":
            self._pending_space = True
        if core:
            if self._pending_space and self.length:
                self._emit(" ")
            self._pending_space = False
            for mark in self._open:
                if mark[2] is None:
                    mark[2] = self.length
            self._emit(core)
            if collapsed[-1] == " ":
                self._pending_space = True

    def word_break(self) -> None:
        """Separate what follows from a preceding letter or digit (names, reference fields)."""
        if self._parts and self._parts[-1][-1:].isalnum():
            self._pending_space = True

    def open(self, kind: str, payload: object = None) -> list:
        mark = [kind, payload, None]
        self._open.append(mark)
        return mark

    def close(self, mark: list) -> None:
        self._open.remove(mark)
        if mark[2] is not None and self.length > mark[2]:
            self.marks.append((mark[0], mark[1], mark[2], self.length))

    def text(self) -> str:
        return "".join(self._parts)

    def last_char(self) -> str:
        return self._parts[-1][-1] if self._parts else ""

    def _emit(self, piece: str) -> None:
        self._parts.append(piece)
        self.length += len(piece)


class _Writer:
    """Accumulates the document text line by line; blocks are separated by one blank line."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self.length = 0
        self._block_open = False
        self.line_markup: dict[int, dict] = {}

    def new_block(self) -> None:
        self._block_open = False

    def line(self, content: str, markup: dict | None = None) -> int:
        """Append one line (in the current block, or starting a new one) and return its start."""
        separator = "" if not self.length else ("\n" if self._block_open else "\n\n")
        self._parts.append(separator + content)
        start = self.length + len(separator)
        self.length = start + len(content)
        self._block_open = True
        if markup:
            self.line_markup[start] = markup
        return start

    def block(self, content: str, markup: dict | None = None) -> int:
        self.new_block()
        start = self.line(content, markup)
        self.new_block()
        return start

    def text(self) -> str:
        return "".join(self._parts) + ("\n" if self._parts else "")


@dataclass
class _Section:
    heading: str
    level: int
    number: str | None
    kind: str
    heading_start: int
    heading_end: int
    body_start: int
    parent: "_Section | None"
    part: str
    end: int = 0

    def span(self, text_length: int) -> Span:
        start = min(self.body_start, text_length)
        return Span(
            start,
            max(self.end, start),
            self.kind,
            {
                "heading": self.heading,
                "level": self.level,
                "number": self.number,
                "heading_start": self.heading_start,
                "heading_end": self.heading_end,
                "parent_heading_start": self.parent.heading_start if self.parent else None,
                "part": self.part,
            },
        )


@dataclass
class _Reference:
    key: str
    line_start: int
    line_end: int
    attrs: dict
    evidence: list[dict]


@dataclass
class _State:
    sections: list[_Section] = field(default_factory=list)
    metadata: list[Span] = field(default_factory=list)
    references: list[_Reference] = field(default_factory=list)
    markers: list[tuple[str, int, int]] = field(default_factory=list)  # (ref id, start, end) of in-text citations

    def meta(self, name: str, start: int, end: int, value: object, **attrs: object) -> None:
        self.metadata.append(Span(start, end, name, {"value": value, "primary": True, **attrs}))


def _norm_text(element: ET.Element | None, *, skip: frozenset[str] = frozenset()) -> str:
    if element is None:
        return ""
    acc = _Inline()
    _render_inline(element, acc, skip=skip)
    return acc.text()


def _render_inline(element: ET.Element, acc: _Inline, *, floats: list[ET.Element] | None = None, skip: frozenset[str] = frozenset(), capture: frozenset[str] = frozenset()) -> None:
    """Render ``element``'s content into ``acc`` without recursion (depth cannot crash it).

    In-text bibliography cross-references become ``bibr`` marks; elements named in ``capture``
    become marks named after their tag; floating elements inside a paragraph are collected in
    ``floats`` (to be rendered after it) instead of being inlined.
    """
    stack: list[tuple[ET.Element, list | None, bool]] = [(element, None, False)]
    while stack:
        node, mark, closing = stack.pop()
        if closing:
            if mark is not None:
                acc.close(mark)
            if node is not element:
                acc.add(node.tail)
            continue
        tag = node.tag if isinstance(node.tag, str) else ""
        if node is not element:
            if not tag or tag in _SKIP_INLINE or tag in skip:  # comments, processing instructions, skipped elements
                acc.add(node.tail)
                continue
            if floats is not None and tag in _FLOATS:
                floats.append(node)
                acc.add(node.tail)
                continue
            if tag == "break":
                acc.add(" ")
                acc.add(node.tail)
                continue
        if tag in _WORD_ELEMENTS:
            acc.word_break()
        mark = None
        if tag == "xref" and node.get("ref-type") == "bibr":
            mark = acc.open("bibr", tuple((node.get("rid") or "").split()))
        elif tag in capture:
            mark = acc.open(tag, node)
        acc.add(node.text)
        stack.append((node, mark, True))
        children = list(node)
        if tag == "alternatives" and children:
            children = [_preferred_alternative(children)]
        for child in reversed(children):
            stack.append((child, None, False))


def _preferred_alternative(children: list[ET.Element]) -> ET.Element:
    for wanted in ("math", "tex-math", "textual-form"):
        for child in children:
            if child.tag == wanted:
                return child
    return children[0]


def _write_inline(writer: _Writer, acc: _Inline, state: _State, *, prefix: str = "", new_block: bool = True) -> int | None:
    """Write ``prefix`` + ``acc`` as a line; record its in-text citation markers; return the line start."""
    content = acc.text()
    if not content:
        return None
    if new_block:
        writer.new_block()
    start = writer.line(prefix + content)
    base = start + len(prefix)
    for kind, payload, s, e in acc.marks:
        if kind == "bibr":
            for rid in payload:  # type: ignore[union-attr]
                state.markers.append((rid, base + s, base + e))
    return start


# --------------------------------------------------------------------------- front matter


def _render_front(article: ET.Element, writer: _Writer, state: _State) -> None:
    front = article.find("front")
    meta = front.find("article-meta") if front is not None else None
    journal_meta = front.find("journal-meta") if front is not None else None
    if meta is None:
        meta = ET.Element("article-meta")
    title = _norm_text(meta.find("title-group/article-title"), skip=frozenset({"xref"}))
    if title:
        start = writer.block(title)
        state.meta("title", start, start + len(title), title)
    _render_authors(meta, front, writer, state)
    _render_journal_line(meta, journal_meta, writer, state)
    _render_identifiers(meta, journal_meta, writer, state)
    _render_abstracts(meta, writer, state)
    _render_keywords(meta, writer, state)


@dataclass
class _Author:
    name: str
    given: str | None
    family: str | None
    affiliations: list[str]


def _render_authors(meta: ET.Element, front: ET.Element | None, writer: _Writer, state: _State) -> None:
    affiliations = _affiliations(meta, front)
    authors = [_author(contrib, affiliations) for group in meta.findall("contrib-group") for contrib in group.findall("contrib") if contrib.get("contrib-type", "author") == "author"]
    authors = [a for a in authors if a.name]
    if authors:
        writer.new_block()
        acc = _Inline()
        spans = []
        for index, author in enumerate(authors):
            if index:
                acc.add(" and " if index == len(authors) - 1 else ", ")
            begin = acc.length + (1 if acc.length and acc.text()[-1:] != " " else 0)
            acc.add(author.name)
            spans.append((begin, acc.length))
        start = writer.line(acc.text())
        for author, (s, e) in zip(authors, spans):
            state.metadata.append(Span(start + s, start + e, "author", {"name": author.name, "given": author.given, "family": author.family, "affiliations": author.affiliations, "primary": True}))
    for label, text in affiliations.values():
        writer.line(f"{label} {text}" if label else text)


def _affiliations(meta: ET.Element, front: ET.Element | None) -> dict[str, tuple[str, str]]:
    """Affiliation id -> (label, text), in document order, for the article's affiliations."""
    out: dict[str, tuple[str, str]] = {}
    scopes = [meta] + ([front] if front is not None else [])
    seen: set[int] = set()
    for scope in scopes:
        for aff in scope.iter("aff"):
            if id(aff) in seen:
                continue
            seen.add(id(aff))
            text = _norm_text(aff, skip=frozenset({"label", "sup"}))
            if text:
                out[aff.get("id") or f"aff-{len(out) + 1}"] = (_norm_text(aff.find("label")), text)
    return out


def _author(contrib: ET.Element, affiliations: dict[str, tuple[str, str]]) -> _Author:
    name_el = contrib.find("name")
    if name_el is None:
        name_el = contrib.find("name-alternatives/name")
    collab = contrib.find("collab")
    if name_el is not None:
        given = _norm_text(name_el.find("given-names")) or None
        family = _norm_text(name_el.find("surname")) or None
        suffix = _norm_text(name_el.find("suffix"))
        parts = [family, given] if name_el.get("name-style") == "eastern" else [given, family]
        name = " ".join(p for p in parts + [suffix] if p)
    elif collab is not None:
        given = family = None
        name = _norm_text(collab, skip=frozenset({"contrib-group", "xref"}))
    else:
        string_name = contrib.find("string-name")
        given, family = (_norm_text(string_name.find("given-names")) or None, _norm_text(string_name.find("surname")) or None) if string_name is not None else (None, None)
        name = _norm_text(string_name, skip=frozenset({"xref"})) if string_name is not None else ""
    rids = [rid for xref in contrib.findall("xref") if xref.get("ref-type") == "aff" for rid in (xref.get("rid") or "").split()]
    linked = [affiliations[rid][1] for rid in rids if rid in affiliations]
    own = [_norm_text(aff, skip=frozenset({"label", "sup"})) for aff in contrib.findall("aff")]
    if not linked and not own and len(affiliations) == 1:
        linked = [next(iter(affiliations.values()))[1]]  # one affiliation and no links: everyone's
    return _Author(name=name, given=given, family=family, affiliations=[a for a in dict.fromkeys(linked + own) if a])


def _render_journal_line(meta: ET.Element, journal_meta: ET.Element | None, writer: _Writer, state: _State) -> None:
    journal = ""
    if journal_meta is not None:
        journal = (
            _norm_text(journal_meta.find("journal-title-group/journal-title"))
            or _norm_text(journal_meta.find("journal-title"))
            or _norm_text(journal_meta.find("journal-title-group/abbrev-journal-title"))
            or next((_norm_text(j) for j in journal_meta.findall("journal-id") if j.get("journal-id-type") == "nlm-ta"), "")
        )
    volume, issue = _norm_text(meta.find("volume")), _norm_text(meta.find("issue"))
    pages = _pages(meta)
    published = _published(meta)
    acc = _Inline()
    fields: list[tuple[str, str]] = []

    def put(name: str, value: str, before: str = "", after: str = "") -> None:
        acc.add(before)
        mark = acc.open(name)
        acc.add(value)
        acc.close(mark)
        acc.add(after)
        fields.append((name, value))

    if journal:
        put("journal", journal)
    if volume:
        put("volume", volume, " ")
    if issue:
        put("issue", issue, "(", ")")
    if pages:
        put("pages", pages, ": " if volume or issue else ", " if journal else "")
    if acc.length:
        acc.add(".")
    if published:
        put("published", published, " Published " if acc.length else "Published ", ".")
    if not acc.length:
        return
    start = writer.block(acc.text())
    values = dict(fields)
    for name, _, s, e in acc.marks:
        state.meta(name, start + s, start + e, values[name])


def _pages(meta: ET.Element) -> str:
    first, last = _norm_text(meta.find("fpage")), _norm_text(meta.find("lpage"))
    if first:
        return f"{first}-{last}" if last and last != first else first
    return _norm_text(meta.find("elocation-id"))


def _published(meta: ET.Element) -> str | None:
    """ISO date of the best publication date: electronic, then print, then the others."""
    ranked = []
    for index, date in enumerate(meta.findall("pub-date")):
        kind = date.get("pub-type") or date.get("publication-format") or date.get("date-type") or ""
        if date.get("date-type") == "pub" and date.get("publication-format"):
            kind = date.get("publication-format")
        iso = _iso_date(date)
        if iso:
            ranked.append((_DATE_RANK.get(kind, 6), index, iso))
    return min(ranked)[2] if ranked else None


def _iso_date(date: ET.Element) -> str | None:
    year_match = _YEAR.search(_norm_text(date.find("year")))
    if not year_match:
        return None
    iso = year_match.group(1)
    month, day = _number(date.find("month"), 12), _number(date.find("day"), 31)
    if month:
        iso += f"-{month:02d}"
        if day:
            iso += f"-{day:02d}"
    return iso


def _number(element: ET.Element | None, maximum: int) -> int | None:
    text = _norm_text(element)
    return int(text) if text.isdigit() and 1 <= int(text) <= maximum else None


def _render_identifiers(meta: ET.Element, journal_meta: ET.Element | None, writer: _Writer, state: _State) -> None:
    lines: list[tuple[str, str, str]] = []
    if journal_meta is not None:
        publisher = _norm_text(journal_meta.find("publisher/publisher-name"))
        if publisher:
            lines.append(("publisher", "Publisher: ", publisher))
    ids = {}
    for article_id in meta.findall("article-id"):
        kind, value = article_id.get("pub-id-type"), _norm_text(article_id)
        if value and kind not in ids:
            ids[kind] = value
    if ids.get("doi"):
        lines.append(("doi", "DOI: ", ids["doi"]))
    if ids.get("pmid"):
        lines.append(("pmid", "PMID: ", ids["pmid"]))
    pmcid = ids.get("pmcid") or ids.get("pmc")
    if pmcid:
        pmcid = pmcid if pmcid.upper().startswith("PMC") else f"PMC{pmcid}"
        lines.append(("pmcid", "PMCID: ", pmcid))
    writer.new_block()
    for name, prefix, value in lines:
        start = writer.line(prefix + value)
        state.meta(name, start + len(prefix), start + len(prefix) + len(value), value)


def _render_abstracts(meta: ET.Element, writer: _Writer, state: _State) -> None:
    main_done = False
    for abstract in meta.findall("abstract"):
        kind = abstract.get("abstract-type")
        is_main = not kind and not main_done
        title = _norm_text(abstract.find("title"))
        heading = title or ("Abstract" if not kind else _ABSTRACT_HEADINGS.get(kind, "Summary"))
        section = _open_section(writer, state, heading, None, level=1, parent=None, part="front", kind="abstract")
        content_start = writer.length
        writer.new_block()
        _render_blocks(abstract, writer, state, level=2, parent=section, part="front")
        _close_section(section, writer)
        if is_main and writer.length > content_start:
            main_done = True
            state.meta("abstract", content_start + 2, writer.length, None)  # after the blank line that follows the heading


def _render_keywords(meta: ET.Element, writer: _Writer, state: _State) -> None:
    keywords = [k for group in meta.findall("kwd-group") for k in (_norm_text(kwd) for kwd in group.findall("kwd")) if k]
    keywords = list(dict.fromkeys(keywords))
    if not keywords:
        return
    prefix = "Keywords: "
    start = writer.block(prefix + "; ".join(keywords))
    offset = start + len(prefix)
    for keyword in keywords:
        state.meta("keyword", offset, offset + len(keyword), keyword)
        offset += len(keyword) + 2


# --------------------------------------------------------------------------- sections and blocks


def _open_section(writer: _Writer, state: _State, title: str, label: str | None, *, level: int, parent: _Section | None, part: str, kind: str | None = None) -> _Section:
    """Write a heading line and register its section; the title's number is kept in the text."""
    number, heading_offset = None, 0
    if label:
        number = label.rstrip(".") or None
        prefix = f"{label} "
    else:
        prefix = ""
        match = _TITLE_NUMBER.match(title)
        if match:
            number = match.group(1) or match.group(2)
            heading_offset = match.end()
    level = min(level, MAX_LEVEL)
    line = prefix + title
    start = writer.block(line, {"markup": "heading", "heading_level": level, "marker_end": None})
    writer.line_markup[start]["marker_end"] = start
    heading_start = start + len(prefix) + heading_offset
    heading = title[heading_offset:]
    section = _Section(
        heading=heading,
        level=level,
        number=number,
        kind=kind or classify_kind(heading),
        heading_start=heading_start,
        heading_end=start + len(line),
        body_start=start + len(line) + 1,
        parent=parent,
        part=part,
    )
    state.sections.append(section)
    return section


def _close_section(section: _Section, writer: _Writer) -> None:
    section.end = max(writer.length, section.heading_end)


def _render_section(sec: ET.Element, writer: _Writer, state: _State, *, level: int, parent: _Section | None, part: str, default_title: str = "") -> None:
    title = _norm_text(sec.find("title"), skip=frozenset({"xref"})) or default_title
    label = _norm_text(sec.find("label")) or None
    if not title and label:
        title, label = label, None
    if not title:  # an untitled <sec> is a grouping, not a section: its content joins the parent's
        _render_blocks(sec, writer, state, level=level, parent=parent, part=part)
        return
    section = _open_section(writer, state, title, label, level=level, parent=parent, part=part)
    _render_blocks(sec, writer, state, level=level + 1, parent=section, part=part)
    _close_section(section, writer)


def _render_blocks(container: ET.Element, writer: _Writer, state: _State, *, level: int, parent: _Section | None, part: str) -> None:
    """Render the block-level children of a body, section, abstract or back-matter element."""
    for child in container:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag in ("title", "label", "sec-meta", "") or tag in _SKIP_INLINE:
            continue
        if tag == "sec":
            _render_section(child, writer, state, level=level, parent=parent, part=part)
        elif tag in ("ref-list",):
            _render_reference_list(child, writer, state, level=level, parent=parent)
        else:
            _render_block(child, writer, state)


def _render_block(element: ET.Element, writer: _Writer, state: _State) -> None:
    """One block element: a paragraph, a caption, a list, a box (whose paragraphs are blocks)."""
    tag = element.tag
    if tag in ("fig", "table-wrap", "supplementary-material", "media", "chem-struct-wrap"):
        _render_caption(element, writer, state)
    elif tag in ("fig-group", "table-wrap-group"):
        _render_caption(element, writer, state)
        for child in element:
            if child.tag in ("fig", "table-wrap"):
                _render_caption(child, writer, state)
    elif tag == "list":
        _render_list(element, writer, state)
    elif tag == "def-list":
        for item in element.iter("def-item"):
            acc = _Inline()
            _render_inline_into(item.find("term"), acc)
            acc.add(": ")
            _render_inline_into(item.find("def"), acc)
            _write_inline(writer, acc, state)
    elif tag in ("boxed-text", "disp-quote", "statement", "glossary", "app", "notes", "fn", "fn-group", "ack", "bio", "verse-group", "sec"):
        # a box's own sections are not the article's: their titles are plain blocks
        heading = _norm_text(element.find("caption/title")) or _norm_text(element.find("title"))
        label = _norm_text(element.find("label"))
        if heading or label:
            writer.block(" ".join(p for p in (label, heading) if p))
        for child in element:
            if child.tag not in ("title", "label", "caption"):
                _render_block(child, writer, state)
    else:
        floats: list[ET.Element] = []
        acc = _Inline()
        _render_inline(element, acc, floats=floats)
        _write_inline(writer, acc, state)
        for floating in floats:
            _render_block(floating, writer, state)


def _render_inline_into(element: ET.Element | None, acc: _Inline) -> None:
    if element is not None:
        _render_inline(element, acc)


def _render_caption(element: ET.Element, writer: _Writer, state: _State) -> None:
    acc = _Inline()
    label = element.find("label")
    if label is not None:
        _render_inline(label, acc)
        if acc.last_char().isalnum():
            acc.add(".")
    caption = element.find("caption")
    if caption is not None:
        for child in caption:
            acc.add(" ")
            _render_inline(child, acc)
            acc.add(" ")
    if caption is not None or label is not None:
        _write_inline(writer, acc, state)


def _render_list(element: ET.Element, writer: _Writer, state: _State) -> None:
    ordered = element.get("list-type") in ("order", "arabic", "alpha-lower", "alpha-upper", "roman-lower", "roman-upper")
    writer.new_block()
    for index, item in enumerate(element.findall("list-item"), 1):
        label = _norm_text(item.find("label"))
        marker = f"{label} " if label else (f"{index}. " if ordered else "- ")
        acc = _Inline()
        floats: list[ET.Element] = []
        acc.add(item.text)
        for child in item:
            if child.tag == "label":
                continue
            acc.add(" ")
            _render_inline(child, acc, floats=floats)
        if not acc.text():
            continue
        markup_kind = "ordered_item" if ordered or label else "list_item"
        start = _write_inline(writer, acc, state, prefix=marker, new_block=False)
        writer.line_markup[start] = {"markup": markup_kind, "marker_end": start + len(marker)}
        for floating in floats:
            _render_block(floating, writer, state)
            writer.new_block()


# --------------------------------------------------------------------------- back matter and references


def _render_back(back: ET.Element, writer: _Writer, state: _State) -> None:
    for child in back:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == "ref-list":
            _render_reference_list(child, writer, state, level=1, parent=None)
        elif tag == "sec":
            _render_section(child, writer, state, level=1, parent=None, part="back")
        elif tag == "app-group":
            title = _norm_text(child.find("title"))
            parent = _open_section(writer, state, title, None, level=1, parent=None, part="back") if title else None
            for app in child:
                if app.tag == "app":
                    _render_section(app, writer, state, level=2 if parent else 1, parent=parent, part="back", default_title=_BACK_HEADINGS["app"])
                elif app.tag not in ("title", "label"):
                    _render_block(app, writer, state)
            if parent:
                _close_section(parent, writer)
        elif tag in _BACK_HEADINGS:
            if _has_text(child):
                _render_section(child, writer, state, level=1, parent=None, part="back", default_title=_BACK_HEADINGS[tag])
        elif tag and tag not in ("label", "title") and _has_text(child):
            _render_block(child, writer, state)


def _has_text(element: ET.Element) -> bool:
    return any(t.strip() for t in element.itertext())


def _render_reference_list(ref_list: ET.Element, writer: _Writer, state: _State, *, level: int, parent: _Section | None) -> None:
    refs = [child for child in ref_list if child.tag in ("ref", "ref-list")]
    if not refs and not _norm_text(ref_list.find("title")):
        return
    title = _norm_text(ref_list.find("title")) or "References"
    section = _open_section(writer, state, title, None, level=level, parent=parent, part="back", kind="references" if level == 1 else None)
    writer.new_block()
    for child in ref_list:
        if child.tag == "ref":
            _render_reference(child, writer, state)
        elif child.tag == "ref-list":
            _render_reference_list(child, writer, state, level=level + 1, parent=section)
            writer.new_block()
        elif child.tag in ("p",):
            _render_block(child, writer, state)
            writer.new_block()
    _close_section(section, writer)


_CITATION_TAGS = ("mixed-citation", "element-citation", "citation", "nlm-citation")
_CAPTURED = frozenset({"person-group", "name", "string-name", "collab", "article-title", "chapter-title", "source", "year", "volume", "issue", "fpage", "lpage", "elocation-id", "pub-id"})


def _render_reference(ref: ET.Element, writer: _Writer, state: _State) -> None:
    citation = next((c for tag in _CITATION_TAGS for c in ref.findall(tag) + ref.findall(f"citation-alternatives/{tag}")), None)
    label = _norm_text(ref.find("label"))
    prefix = f"{label}. " if label.isdigit() else f"{label} " if label else ""
    acc = _Inline()
    if citation is None:
        _render_inline(ref, acc, skip=frozenset({"label"}), capture=_CAPTURED)
    elif _is_punctuated(citation):
        _render_inline(citation, acc, capture=_CAPTURED)
    else:
        _render_structured(citation, acc)
    raw = acc.text() or (ref.get("id") or "reference")
    start = writer.line(prefix + raw, {"markup": "ordered_item", "marker_end": None} if prefix.endswith(". ") else None)
    if start in writer.line_markup:
        writer.line_markup[start]["marker_end"] = start + len(prefix)
    base = start + len(prefix)
    attrs, evidence = _citation_fields(citation if citation is not None else ref, acc.marks, base)
    evidence.append({"field": "raw", "start": base, "end": base + len(raw)})
    attrs["raw"] = raw
    state.references.append(_Reference(ref.get("id") or f"ref-{len(state.references) + 1}", start, start + len(prefix) + len(raw), attrs, evidence))


def _is_punctuated(citation: ET.Element) -> bool:
    """A mixed citation carries its own punctuation between fields; an element citation does not."""
    if citation.text and citation.text.strip():
        return True
    return any(child.tail and child.tail.strip() for child in citation)


def _render_structured(citation: ET.Element, acc: _Inline) -> None:
    """Render an unpunctuated citation in Vancouver order: authors. title. source. year;volume(issue):pages."""
    used: set[int] = set()

    def put(element: ET.Element | None, before: str = "", after: str = "") -> bool:
        if element is None or not _has_text(element):
            return False
        used.add(id(element))
        acc.add(before)
        acc.word_break()
        mark = acc.open(element.tag, element)
        _render_inline(element, acc)
        acc.close(mark)
        if after and not (after == "." and acc.last_char() in ".?!"):
            acc.add(after)
        return True

    people = [p for p in citation.findall("person-group") if p.get("person-group-type", "author") == "author"] or [citation]
    names = [n for group in people for n in group if n.tag in ("name", "string-name", "collab", "etal")]
    for group in people:
        if group is not citation:
            used.add(id(group))
    for index, name in enumerate(names):
        used.add(id(name))
        if name.tag == "etal":
            acc.add(", et al")
            continue
        if index:
            acc.add(", ")
        mark = acc.open(name.tag, name)
        if name.tag == "name":
            acc.add(_norm_text(name.find("surname")))
            acc.add(" ")
            acc.add(_norm_text(name.find("given-names")))
        else:
            _render_inline(name, acc)
        acc.close(mark)
    if names:
        acc.add(". ")
    put(citation.find("article-title"), " ", ".") or put(citation.find("chapter-title"), " ", ".")
    put(citation.find("source"), " ", ".")
    put(citation.find("year"), " ")
    put(citation.find("volume"), ";")
    put(citation.find("issue"), "(", ")")
    if put(citation.find("fpage"), ":"):
        put(citation.find("lpage"), "-")
    else:
        put(citation.find("elocation-id"), ":")
    acc.add(".")
    for child in citation:
        if id(child) in used or child.tag in ("person-group", "lpage", "fpage", "elocation-id") or not _has_text(child):
            continue
        if child.tag == "pub-id":
            prefix = {"doi": "doi:", "pmid": "PMID:"}.get(child.get("pub-id-type") or "", "")
            put(child, f" {prefix}", "." if child.get("pub-id-type") != "doi" else "")
        else:
            put(child, " ", ".")


def _citation_fields(citation: ET.Element, marks: list, base: int) -> tuple[dict, list[dict]]:
    """Structured fields of a citation and the evidence spans their values were rendered at."""
    first = {}
    spans: dict[str, list[tuple[int, int]]] = {}
    for kind, element, s, e in marks:
        if kind == "bibr":
            continue
        first.setdefault(id(element), element)
        spans.setdefault(kind, []).append((base + s, base + e))
        if kind == "pub-id":
            spans.setdefault(f"pub-id:{element.get('pub-id-type')}", []).append((base + s, base + e))

    def text_of(tag: str) -> str | None:
        element = citation.find(f".//{tag}")
        value = _norm_text(element) if element is not None else ""
        return value or None

    year_text = text_of("year") or ""
    year_match = _YEAR.search(year_text)
    first_page, last_page = text_of("fpage"), text_of("lpage")
    pages = (f"{first_page}-{last_page}" if last_page and last_page != first_page else first_page) if first_page else text_of("elocation-id")
    pub_ids = {p.get("pub-id-type"): _norm_text(p) for p in citation.iter("pub-id")}
    attrs = {
        "title": text_of("article-title") or text_of("chapter-title"),
        "authors": _citation_authors(citation),
        "journal": text_of("source"),
        "year": int(year_match.group(1)) if year_match else None,
        "volume": text_of("volume"),
        "issue": text_of("issue"),
        "pages": pages,
        "doi": pub_ids.get("doi") or None,
        "pmid": pub_ids.get("pmid") or None,
        "url": None,
    }
    evidence = []
    for field_name, kinds in (("title", ("article-title", "chapter-title")), ("journal", ("source",)), ("year", ("year",)), ("volume", ("volume",)), ("issue", ("issue",)), ("doi", ("pub-id:doi",)), ("pmid", ("pub-id:pmid",))):
        for kind in kinds:
            if spans.get(kind):
                s, e = spans[kind][0]
                evidence.append({"field": field_name, "start": s, "end": e})
                break
    page_spans = spans.get("fpage", []) + spans.get("lpage", []) or spans.get("elocation-id", [])
    if page_spans:
        evidence.append({"field": "pages", "start": min(s for s, _ in page_spans), "end": max(e for _, e in page_spans)})
    author_spans = spans.get("name", []) + spans.get("string-name", []) + spans.get("collab", [])
    for s, e in author_spans:
        evidence.append({"field": "author", "start": s, "end": e})
    return attrs, evidence


def _citation_authors(citation: ET.Element) -> list[dict]:
    groups = [g for g in citation.findall("person-group") if g.get("person-group-type", "author") == "author"]
    holders = groups or [citation]
    out = []
    for holder in holders:
        for person in holder:
            if person.tag in ("name", "string-name"):
                given = _norm_text(person.find("given-names")) or None
                family = _norm_text(person.find("surname")) or None
                name = " ".join(p for p in (given, family) if p) or _norm_text(person)
                out.append({"name": name, "given": given, "family": family})
            elif person.tag == "collab":
                out.append({"name": _norm_text(person), "given": None, "family": None})
    return out


def _citation_spans(state: _State) -> list[Span]:
    positions = {ref.key: ref for ref in state.references}
    markers: dict[str, list[dict]] = {}
    for rid, start, end in state.markers:
        if rid in positions:
            markers.setdefault(rid, []).append({"field": "marker", "start": start, "end": end})
    spans = []
    for ref in state.references:
        evidence = ref.evidence + markers.get(ref.key, [])
        spans.append(Span(ref.line_start, ref.line_end, "reference", {"key": ref.key, **ref.attrs, "evidence": evidence}))
    return spans


# --------------------------------------------------------------------------- lines layer


def _line_spans(text: str, markup: dict[int, dict]) -> list[Span]:
    spans = []
    offset = 0
    for line in text.split("\n"):
        start, end = offset, offset + len(line)
        offset = end + 1
        attrs = dict(markup.get(start) or {"markup": None})
        if not line.strip():
            attrs = {"markup": "blank"}
        spans.append(Span(start, end, "line", attrs))
    return spans
