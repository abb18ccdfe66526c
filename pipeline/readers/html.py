"""HTML reader: a web page's main text, its structure, its links and its declared metadata.

Explainers and news stories arrive as web pages, full of navigation, adverts, comment threads
and footers. Finding the article among them is a solved research problem, so this reader does
not hand-roll it: trafilatura (the best-scoring open-source main-text extractor on the article
extraction benchmarks) returns the article as a small XML tree of headings, paragraphs, lists,
quotes, tables and links. The reader turns that tree into plain text (never markup: the review
page shows it as it is) and records what the markup said in layers:

* ``lines``: one span per line; headings carry ``markup="heading"`` and ``heading_level`` (h2 ->
  2, ...), list items ``list_item`` ("- item") or ``ordered_item`` ("1. item"), so the sections
  stage, which trusts heading markup, sees the page's own headings.
* ``links``: each hyperlink's anchor text with its ``href`` (doi.org and PubMed links name the
  study an explainer is about).
* ``metadata``: the article's title, authors, date, site, journal and identifiers, from the
  page's structured markup in order of trust: Highwire ``citation_*`` tags, schema.org JSON-LD,
  Open Graph, then trafilatura's own guesses. Dates are never invented: trafilatura's "extensive"
  date search, which takes a year from a footer's copyright line, is switched off. Every value
  needs an evidence span in ``text``, and a page's metadata is rarely in its extracted body, so
  the reader writes a short front-matter header at the top of ``text`` ("Title / By A and B /
  Published 2024-03-01 / Site / URL") and points the spans there. The metadata stage, which
  would guess the same fields from the text, is then skipped.

Limits: a page over 20 MB is refused (P131); a page with no main text (only scripts, an empty
body) is refused (P130); a page nested deeper than the HTML parser's limit (255 levels) is read
as far as the parser got, with a warning.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from dataclasses import dataclass, field
from typing import Any, Iterable
from urllib.parse import urljoin

from ..document import Document, Source, Span
from ..errors import EmptyInputError, InputTooLargeError, NoMainTextError
from ..layers import LINES, LINKS, METADATA, WARNINGS
from ..stages._names import split_name
from . import _html_meta as meta
from .text import _detect_encoding, normalise_newlines

MEDIA_TYPE = "text/html"
#: Larger pages are refused: trafilatura's own ceiling, and far beyond any article.
MAX_HTML_BYTES = 20_000_000
#: libxml2's HTML parser stops descending at this depth (without its "huge" option).
PARSER_MAX_DEPTH = 255

_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_META_CHARSET = re.compile(rb"<meta[^>]{0,500}?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.IGNORECASE)
# WHATWG Encoding Standard: these labels mean windows-1252 on the web; a page declaring UTF-16 in
# a meta tag (no BOM) is really ASCII-compatible, so UTF-8 is the sensible reading.
_WEB_ALIASES = {"iso-8859-1": "cp1252", "latin-1": "cp1252", "latin1": "cp1252", "ascii": "cp1252", "us-ascii": "cp1252", "utf-16": "utf-8", "utf-16le": "utf-8", "utf-16be": "utf-8"}
_HEADING_REND = re.compile(r"h([1-6])$")
_SPACE = re.compile(r"\s+")

#: trafilatura options: comments are not the article, formatting and links are kept in the XML
#: (rendered as plain text below), and htmldate's extensive search (copyright-line years) is off.
_EXTRACT_OPTIONS = {
    "fast": True,
    "include_comments": False,
    "include_tables": True,
    "include_images": False,
    "include_formatting": True,
    "include_links": True,
    "with_metadata": False,  # read separately, and only when the page's own markup is silent
}
#: htmldate without its "extensive" search, which takes a year from a footer's copyright line.
_DATE_OPTIONS = {"extensive_search": False, "original_date": True}


@dataclass(frozen=True)
class Page:
    """A read page: its document, and where the article body starts after the front matter."""

    document: Document
    body_start: int


def read_html_bytes(data: bytes, *, path: str) -> Document:
    """Read an HTML page into a Document with ``lines``, ``links`` and ``metadata`` layers."""
    return read_page(data, path=path).document


def read_page(data: bytes, *, path: str) -> Page:
    """Like :func:`read_html_bytes`, also telling where the body starts (for evaluation)."""
    if len(data) > MAX_HTML_BYTES:
        raise InputTooLargeError(f"the page is {len(data):,} bytes, over the {MAX_HTML_BYTES:,}-byte limit for HTML; save the article alone (or as text) and convert that", path=path)
    html, encoding, warnings = _decode(data)
    if not html.strip():
        raise EmptyInputError("the page is empty (whitespace only); there is nothing to convert", path=path)
    tree = _parse(html)
    if tree is None:
        raise NoMainTextError("the page could not be parsed as HTML (no elements); check that it is an HTML file", path=path)
    too_deep = _too_deep(tree)
    if too_deep:
        warnings.append(_warning("html-too-deep", f"the page is nested about {PARSER_MAX_DEPTH} elements deep or more; the HTML parser stops there, so any text nested deeper is missing"))
    declared = _declared_metadata(tree)
    extracted = _extract(tree, declared.url)
    blocks = _blocks(extracted.body, base_url=declared.url) if extracted is not None and extracted.body is not None else []
    if not blocks:
        reason = f"it is nested deeper than the HTML parser's limit of {PARSER_MAX_DEPTH} levels" if too_deep else "only scripts, navigation or an empty body"
        raise NoMainTextError(f"the page has no main text ({reason}); save the article's text and convert that instead", path=path)
    found = meta.merge([declared, _guessed_metadata(tree, declared)])
    blocks, title_block = _take_title_heading(blocks, found.title)
    header = _front_matter(found, title_block)
    rendered = _render(header, blocks)
    source = Source(path=path, media_type=MEDIA_TYPE, sha256=hashlib.sha256(data).hexdigest(), bytes=len(data), encoding=encoding)
    layers: dict[str, list[Span]] = {LINES: rendered.lines, LINKS: rendered.links, WARNINGS: warnings}
    if rendered.metadata:
        layers[METADATA] = rendered.metadata
    return Page(Document(rendered.text, source).with_layers(layers), rendered.body_start)


def _warning(code: str, message: str) -> Span:
    return Span(0, 0, code, {"located": False, "message": message})


# --------------------------------------------------------------------------- decoding and parsing


def _decode(data: bytes) -> tuple[str, str, list[Span]]:
    """BOM, then the page's declared charset, then UTF-8, then detection (flagged as a guess)."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(codec, errors="replace"), codec, []
    declared = _declared_charset(data[:4096])
    if declared:
        try:
            return data.decode(declared), codecs.lookup(declared).name, []
        except UnicodeDecodeError:
            pass  # the declaration is wrong; fall through to what the bytes say
    try:
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError:
        pass
    detected = _detect_encoding(data)  # the text reader's, with its Windows-1252 tie-break
    if detected is not None:
        encoding, text = detected
        message = f"the page is not UTF-8 and declares no usable charset; its encoding was detected as {encoding}; check accented characters"
    else:
        encoding, text = "cp1252", data.decode("cp1252", errors="replace")
        message = "the page is not UTF-8, declares no usable charset and its encoding could not be detected; it was read as Windows-1252"
    return text, encoding, [_warning("encoding-guessed", message)]


def _declared_charset(head: bytes) -> str | None:
    match = _META_CHARSET.search(head)
    if not match:
        return None
    label = match.group(1).decode("ascii", "ignore").lower()
    label = _WEB_ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _parse(html: str) -> Any:
    from trafilatura.utils import load_html

    tree = load_html(html)
    return tree if tree is not None and len(tree) else None


def _too_deep(tree: Any) -> bool:
    """Whether the parser reached its depth limit (one XPath step per level, evaluated in C)."""
    return bool(tree.xpath("/".join(["*"] * (PARSER_MAX_DEPTH - 5))))


def _extract(tree: Any, url: str | None) -> Any:
    from trafilatura import bare_extraction

    return bare_extraction(tree, url=url, **_EXTRACT_OPTIONS)


# --------------------------------------------------------------------------- metadata sources


def _declared_metadata(tree: Any) -> meta.PageMeta:
    """Highwire, then JSON-LD, then Open Graph: what the page states about itself."""
    tags = meta.meta_tags(tree)
    declared = meta.merge([meta.highwire(tags), meta.json_ld(tree), meta.open_graph(tags)])
    if not declared.url:
        canonical = next((link.get("href") for link in tree.iter("link") if (link.get("rel") or "").lower() == "canonical"), None)
        declared.url = meta.http_url(canonical)
    return declared


def _guessed_metadata(tree: Any, declared: meta.PageMeta) -> meta.PageMeta:
    """trafilatura's own reading of the page (title from <title>, author from bylines, ...).

    Only asked when the page's markup leaves the title, authors, date or site open: the guesses
    cost more than the whole text extraction, and a declared value always wins anyway.
    """
    if declared.title and declared.authors and declared.published and (declared.site or declared.publisher):
        return meta.PageMeta()
    from trafilatura.metadata import extract_metadata

    guessed = extract_metadata(tree, declared.url, date_config=dict(_DATE_OPTIONS), extensive=False)
    authors = [meta.Author(a.strip()) for a in (guessed.author or "").split(";") if a.strip()]
    return meta.PageMeta(
        title=meta.clean(guessed.title),
        authors=authors,
        published=meta.iso_date(guessed.date),
        site=meta.clean(guessed.sitename),
        url=meta.http_url(guessed.url),
    )


# --------------------------------------------------------------------------- XML to blocks


@dataclass
class _Block:
    """One line group of the text: a heading, a paragraph, a list item, a table row, code."""

    kind: str  # heading, paragraph, list_item, ordered_item, row, code
    text: str
    level: int | None = None
    marker: str = ""
    tight: bool = False  # joined to the previous block by one newline (list items, table rows)
    links: list[tuple[int, int, str]] = field(default_factory=list)  # offsets within ``text``


class _Inline:
    """Accumulates inline text with whitespace collapsed, remembering where links start and end."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.links: list[tuple[int, int, str]] = []

    def add(self, text: str | None) -> None:
        if not text:
            return
        text = _SPACE.sub(" ", text)
        if text.startswith(" ") and (not self.length or self._last_char() in " \n"):
            text = text[1:]
        if text:
            self.parts.append(text)
            self.length += len(text)

    def newline(self) -> None:
        if self.length and self._last_char() == " ":
            self.parts[-1] = self.parts[-1][:-1]
            self.length -= 1
            if not self.parts[-1]:
                self.parts.pop()
        if self.length and self._last_char() != "\n":
            self.parts.append("\n")
            self.length += 1

    def _last_char(self) -> str:
        return self.parts[-1][-1]

    def finish(self) -> tuple[str, list[tuple[int, int, str]]]:
        text = "".join(self.parts)
        stripped = text.rstrip()
        links = []
        for start, end, href in self.links:
            end = min(end, len(stripped))
            while start < end and text[start].isspace():
                start += 1
            while end > start and text[end - 1].isspace():
                end -= 1
            if end > start:
                links.append((start, end, href))
        return stripped, links


def _inline(element: Any, builder: _Inline, base_url: str | None, *, skip: frozenset = frozenset({"list"})) -> None:
    builder.add(element.text)
    for child in element:
        tag = child.tag
        if tag == "lb":
            builder.newline()
        elif tag == "ref":
            start = builder.length
            _inline(child, builder, base_url, skip=skip)
            href = child.get("target")
            if href:
                builder.links.append((start, builder.length, urljoin(base_url, href) if base_url else href))
        elif tag not in skip and tag != "graphic":
            _inline(child, builder, base_url, skip=skip)
        builder.add(child.tail)


def _paragraph(element: Any, kind: str, base_url: str | None, **extra: Any) -> list[_Block]:
    builder = _Inline()
    _inline(element, builder, base_url)
    text, links = builder.finish()
    return [_Block(kind, text, links=links, **extra)] if text else []


def _blocks(body: Any, base_url: str | None) -> list[_Block]:
    out: list[_Block] = []
    for element in body:
        out.extend(_element_blocks(element, base_url))
    return out


def _element_blocks(element: Any, base_url: str | None) -> list[_Block]:
    tag = element.tag
    if tag == "head":
        match = _HEADING_REND.match(element.get("rend") or "")
        return _paragraph(element, "heading", base_url, level=int(match.group(1)) if match else 2)
    if tag == "list":
        return _list_blocks(element, base_url)
    if tag == "table":
        return _table_blocks(element, base_url)
    if tag == "code":
        code = "\n".join(line.rstrip() for line in normalise_newlines("".join(element.itertext())).strip("\n").split("\n"))
        return [_Block("code", code)] if code.strip() else []
    if tag in ("graphic", "lb"):
        return []
    if any(child.tag in ("p", "head", "list", "table", "quote", "code", "div") for child in element):
        return [block for child in element for block in _element_blocks(child, base_url)] + _paragraph_tail(element, base_url)
    return _paragraph(element, "paragraph", base_url)


def _paragraph_tail(element: Any, base_url: str | None) -> list[_Block]:
    """Loose text directly inside a container, beside its block children."""
    builder = _Inline()
    builder.add(element.text)
    for child in element:
        builder.add(child.tail)
    text, _ = builder.finish()
    return [_Block("paragraph", text)] if text else []


def _list_blocks(element: Any, base_url: str | None, depth: int = 0) -> list[_Block]:
    """One block per item ("- item", "1. item"); nested lists follow their item, indented."""
    ordered = (element.get("rend") or "").lower() == "ol"
    out: list[_Block] = []
    number = 0
    for item in element:
        if item.tag != "item":
            out.extend(_element_blocks(item, base_url))
            continue
        number += 1
        marker = "  " * depth + (f"{number}. " if ordered else "- ")
        own = _paragraph(item, "ordered_item" if ordered else "list_item", base_url, marker=marker, tight=True)
        out.extend(own)
        for nested in item.iter("list"):
            if nested.getparent() is item:
                out.extend(_list_blocks(nested, base_url, depth + 1))
    if out and not depth:
        out[0].tight = False
    return out


def _table_blocks(element: Any, base_url: str | None) -> list[_Block]:
    out: list[_Block] = []
    for row in element.iter("row"):
        cells = []
        for cell in row:
            builder = _Inline()
            _inline(cell, builder, base_url, skip=frozenset())
            text, _ = builder.finish()
            if text:
                cells.append(" ".join(text.split()))
        if cells:
            out.append(_Block("row", " | ".join(cells), tight=bool(out)))
    return out


def _take_title_heading(blocks: list[_Block], title: str | None) -> tuple[list[_Block], _Block | None]:
    """A body that opens with the title as a heading gives it to the front matter (no repeat)."""
    if blocks and blocks[0].kind == "heading":
        if title is None or _comparable(blocks[0].text) == _comparable(title):
            return blocks[1:], blocks[0]
    return blocks, None


def _comparable(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


# --------------------------------------------------------------------------- front matter


@dataclass
class _Header:
    """Lines of the front matter, each ``(text, [(field, start, end, attrs)])`` relative to the line."""

    lines: list[tuple[str, list[tuple[str, int, int, dict]]]] = field(default_factory=list)

    @property
    def has_title(self) -> bool:
        return bool(self.lines and self.lines[0][1] and self.lines[0][1][0][0] == "title")


def _front_matter(found: meta.PageMeta, title_block: _Block | None) -> _Header:
    header = _Header()
    title = title_block.text if title_block is not None else found.title
    if title:
        header.lines.append((title, [("title", 0, len(title), {"value": found.title or title})]))
    if found.authors:
        header.lines.append(_byline(found.authors))
    if found.published:
        header.lines.append(_labelled("Published ", [("published", found.published)]))
    journal_parts = [("journal", found.journal)] if found.journal else []
    for name, label in (("volume", "volume "), ("issue", "issue "), ("pages", "pages ")):
        if found.journal and getattr(found, name):
            journal_parts.append((name, getattr(found, name), label))
    if journal_parts:
        header.lines.append(_joined(journal_parts))
    if found.doi:
        header.lines.append(_labelled("doi:", [("doi", found.doi)]))
    if found.pmid:
        header.lines.append(_labelled("PMID: ", [("pmid", found.pmid)]))
    publisher = found.publisher or found.site
    if publisher and publisher != found.journal:
        header.lines.append(_labelled("", [("publisher", publisher)]))
    if found.url:
        header.lines.append(_labelled("", [("url", found.url)]))
    return header


def _labelled(label: str, values: list[tuple[str, str]]) -> tuple[str, list]:
    name, value = values[0]
    return label + value, [(name, len(label), len(label) + len(value), {"value": value})]


def _joined(parts: list[tuple]) -> tuple[str, list]:
    """'Nature Medicine, volume 12, issue 3, pages 45-67' with a span per value."""
    text, spans = "", []
    for index, part in enumerate(parts):
        name, value = part[0], part[1]
        label = part[2] if len(part) > 2 else ""
        text += (", " if index else "") + label
        spans.append((name, len(text), len(text) + len(value), {"value": value}))
        text += value
    return text, spans


def _byline(authors: list[meta.Author]) -> tuple[str, list]:
    text, spans = "By ", []
    for index, author in enumerate(authors):
        if index:
            text += " and " if index == len(authors) - 1 else ", "
        person = split_name(author.name)
        # "Smith, Jane" (Highwire's order) is shown as people write it: "Jane Smith"
        name = f"{person['given']} {person['family']}" if "," in author.name and person["given"] and person["family"] else person["name"]
        attrs = {"value": name, "name": name, "given": person["given"], "family": person["family"], "affiliations": list(author.affiliations)}
        spans.append(("author", len(text), len(text) + len(name), attrs))
        text += name
    return text, spans


# --------------------------------------------------------------------------- rendering


@dataclass
class _Rendered:
    text: str
    lines: list[Span]
    links: list[Span]
    metadata: list[Span]
    body_start: int


def _render(header: _Header, blocks: list[_Block]) -> _Rendered:
    """Front matter, a blank line, then the body's blocks; with the spans of every layer."""
    pieces: list[str] = []
    lines: list[Span] = []
    links: list[Span] = []
    offset = 0

    def add_line(content: str, attrs: dict) -> int:
        nonlocal offset
        start = offset
        pieces.append(content + "\n")
        lines.append(Span(start, start + len(content), "line", attrs))
        offset += len(content) + 1
        return start

    metadata_spans = []
    for index, (content, fields_) in enumerate(header.lines):
        is_title = index == 0 and header.has_title
        start = add_line(content, {"markup": "heading", "heading_level": 1, "marker_end": offset} if is_title else {"markup": None})
        for name, s, e, attrs in fields_:
            metadata_spans.append(Span(start + s, start + e, name, {**attrs, "primary": True}))
    if header.lines:
        add_line("", {"markup": "blank"})
    body_start = offset
    shift = _level_shift(blocks, has_title=header.has_title)
    for index, block in enumerate(blocks):
        if index and not block.tight:
            add_line("", {"markup": "blank"})
        block_start = offset + len(block.marker)
        for number, content in enumerate((block.marker + block.text).split("\n")):
            add_line(content, _line_attrs(block, number, offset, shift))
        for s, e, href in block.links:
            links.append(Span(block_start + s, block_start + e, "link", {"href": href}))
    text = "".join(pieces).rstrip("\n")
    lines = [span for span in lines if span.start <= len(text)]
    return _Rendered(text, lines, links, metadata_spans, min(body_start, len(text)))


def _level_shift(blocks: list[_Block], *, has_title: bool) -> int:
    """Body headings start at level 2 under a title line, so the title stays the only level 1."""
    levels = [b.level for b in blocks if b.kind == "heading" and b.level]
    if not has_title or not levels:
        return 0
    return max(0, 2 - min(levels))


def _line_attrs(block: _Block, number: int, start: int, shift: int) -> dict:
    if number:
        return {"markup": None}
    if block.kind == "heading":
        return {"markup": "heading", "heading_level": min(6, (block.level or 2) + shift), "marker_end": start}
    if block.kind in ("list_item", "ordered_item"):
        return {"markup": block.kind, "marker_end": start + len(block.marker)}
    return {"markup": None}
