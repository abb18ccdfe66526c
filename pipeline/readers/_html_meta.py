"""Structured metadata a web page declares about itself, in the order we trust it.

Publishers state an article's title, authors, date and identifiers in machine-readable markup
that is far more reliable than anything read off the visible text: Highwire Press ``citation_*``
meta tags (what Google Scholar reads; every journal site has them), schema.org JSON-LD
(``ScholarlyArticle``, ``NewsArticle``, ``BlogPosting``, ...), and Open Graph tags. This module
reads those three from an lxml tree into one :class:`PageMeta` per source; :func:`merge` then
takes each field from the most trusted source that has it. Values are only normalised (dates to
ISO 8601, DOIs without their resolver prefix), never guessed: a date that does not parse is
dropped rather than completed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any, Iterable, Iterator

#: schema.org types that describe an article (a page's JSON-LD also describes its site, its
#: breadcrumbs, its organisation: those are ignored).
ARTICLE_TYPES = frozenset(
    {
        "Article", "ScholarlyArticle", "MedicalScholarlyArticle", "NewsArticle", "AnalysisNewsArticle",
        "ReportageNews", "OpinionNewsArticle", "BackgroundNewsArticle", "ReviewNewsArticle", "BlogPosting",
        "LiveBlogPosting", "TechArticle", "Report", "MedicalWebPage",
    }
)

_DOI = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>]+)")
_ISO_DATE = re.compile(r"^\s*(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?(?=$|[T\s])")
_MONTHS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)}
_WRITTEN_DATE = re.compile(r"^\s*(?:(\d{1,2})\s+)?([A-Za-z]{3,9})\.?\s+(?:(\d{1,2}),?\s+)?(\d{4})\s*$")
_MAX_JSON_LD_CHARS = 1_000_000


@dataclass
class Author:
    name: str
    affiliations: list[str] = field(default_factory=list)


@dataclass
class PageMeta:
    """Article fields as one source states them; None (or empty) where it is silent."""

    title: str | None = None
    authors: list[Author] = field(default_factory=list)
    published: str | None = None
    site: str | None = None
    journal: str | None = None
    publisher: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    doi: str | None = None
    pmid: str | None = None
    url: str | None = None


def merge(sources: Iterable[PageMeta]) -> PageMeta:
    """Each field from the first source (most trusted first) that has a value for it."""
    merged = PageMeta()
    for source in sources:
        for f in fields(PageMeta):
            if not getattr(merged, f.name) and getattr(source, f.name):
                setattr(merged, f.name, getattr(source, f.name))
    return merged


# --------------------------------------------------------------------------- meta tags


def meta_tags(tree: Any) -> list[tuple[str, str]]:
    """``(name or property lower-cased, content)`` of every ``<meta>`` tag, in document order."""
    out = []
    for element in tree.iter("meta"):
        key = (element.get("name") or element.get("property") or "").strip().lower()
        content = clean(element.get("content"))
        if key and content:
            out.append((key, content))
    return out


def _by_key(tags: list[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, content in tags:
        out.setdefault(key, []).append(content)
    return out


def highwire(ordered: list[tuple[str, str]]) -> PageMeta:
    """Highwire Press ``citation_*`` tags: the scholarly publishers' own statement."""
    tags = _by_key(ordered)
    first = lambda key: (tags.get(key) or [None])[0]  # noqa: E731
    meta = PageMeta(
        title=first("citation_title"),
        published=_first_date(tags.get("citation_publication_date", []) + tags.get("citation_date", []) + tags.get("citation_online_date", []) + tags.get("citation_cover_date", [])),
        journal=first("citation_journal_title"),
        publisher=first("citation_publisher"),
        volume=first("citation_volume"),
        issue=first("citation_issue"),
        doi=_doi(first("citation_doi") or first("prism.doi") or _doi_like(tags.get("dc.identifier", []))),
        pmid=_digits(first("citation_pmid")),
        url=http_url(first("citation_public_url") or first("citation_abstract_html_url") or first("citation_fulltext_html_url")),
        authors=_highwire_authors(ordered),
    )
    first_page, last_page = first("citation_firstpage"), first("citation_lastpage")
    if first_page:
        meta.pages = f"{first_page}-{last_page}" if last_page and last_page != first_page else first_page
    return meta


def _highwire_authors(ordered: list[tuple[str, str]]) -> list[Author]:
    """``citation_author`` tags, each with the ``citation_author_institution`` tags that follow it."""
    authors: list[Author] = []
    for key, content in ordered:
        if key == "citation_author" and not http_url(content):
            authors.append(Author(content))
        elif key == "citation_author_institution" and authors and content not in authors[-1].affiliations:
            authors[-1].affiliations.append(content)
    return authors


def open_graph(ordered: list[tuple[str, str]]) -> PageMeta:
    """Open Graph (``og:*``, ``article:*``): what social networks show for the page."""
    tags = _by_key(ordered)
    first = lambda key: (tags.get(key) or [None])[0]  # noqa: E731
    return PageMeta(
        title=first("og:title"),
        authors=[Author(a) for a in tags.get("article:author", []) if not http_url(a) and not a.startswith("/")],
        published=_first_date(tags.get("article:published_time", [])),
        site=first("og:site_name"),
        url=http_url(first("og:url")),
    )


# --------------------------------------------------------------------------- JSON-LD


def json_ld(tree: Any) -> PageMeta:
    """The first article-typed schema.org object in the page's JSON-LD scripts."""
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json" or not script.text:
            continue
        if len(script.text) > _MAX_JSON_LD_CHARS:
            continue
        try:
            data = json.loads(script.text)
        except (ValueError, RecursionError):
            continue  # broken JSON-LD is common; the other sources remain
        for item in _objects(data, depth=0):
            if _types(item) & ARTICLE_TYPES:
                return _from_schema_org(item)
    return PageMeta()


def _objects(data: Any, depth: int) -> Iterator[dict]:
    """Objects at the top of a JSON-LD value: a list, an object, or an ``@graph``."""
    if depth > 3:
        return
    if isinstance(data, list):
        for item in data:
            yield from _objects(item, depth + 1)
    elif isinstance(data, dict):
        yield data
        if "@graph" in data:
            yield from _objects(data["@graph"], depth + 1)


def _types(item: dict) -> set[str]:
    value = item.get("@type")
    values = value if isinstance(value, list) else [value]
    return {v.rsplit("/", 1)[-1] for v in values if isinstance(v, str)}


def _from_schema_org(item: dict) -> PageMeta:
    meta = PageMeta(
        title=_text(item.get("headline")) or _text(item.get("name")),
        published=_first_date([_text(item.get("datePublished")) or ""]),
        publisher=_name(item.get("publisher")),
        url=http_url(_text(item.get("url")) or _name_or_id(item.get("mainEntityOfPage"))),
    )
    authors = item.get("author")
    for person in authors if isinstance(authors, list) else [authors]:
        name = _name(person)
        if name and not http_url(name):
            affiliation = _name(person.get("affiliation")) if isinstance(person, dict) else None
            meta.authors.append(Author(name, [affiliation] if affiliation else []))
    part_of = item.get("isPartOf")
    if isinstance(part_of, dict) and _types(part_of) & {"Periodical", "PublicationVolume", "PublicationIssue"}:
        meta.journal = _name(part_of) or _name(part_of.get("isPartOf"))
    identifiers = [item.get("identifier"), item.get("sameAs"), item.get("@id")]
    meta.doi = _doi(_doi_like(_strings(identifiers)))
    return meta


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    if isinstance(value, dict):
        return _strings(value.get("value")) + _strings(value.get("@id"))
    return []


def _name(value: Any) -> str | None:
    if isinstance(value, list):
        return _name(value[0]) if value else None
    if isinstance(value, dict):
        return _text(value.get("name"))
    return _text(value)


def _name_or_id(value: Any) -> str | None:
    if isinstance(value, dict):
        return _text(value.get("@id")) or _text(value.get("url"))
    return _text(value)


def _text(value: Any) -> str | None:
    return clean(value) if isinstance(value, str) else None


# --------------------------------------------------------------------------- normalising values


def clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = " ".join(value.split())
    return value or None


def http_url(value: str | None) -> str | None:
    return value if value and re.match(r"https?://\S+$", value) else None


def _digits(value: str | None) -> str | None:
    return value if value and value.isdigit() else None


def _doi(value: str | None) -> str | None:
    if not value:
        return None
    match = _DOI.search(value)
    return match.group(1).rstrip(".,;") if match else None


def _doi_like(values: list[str]) -> str | None:
    return next((v for v in values if _DOI.search(v)), None)


def _first_date(values: list[str]) -> str | None:
    return next((iso for iso in map(iso_date, values) if iso), None)


def iso_date(value: str | None) -> str | None:
    """'2019/03/01', '2019-03-01T10:00Z', '2019', '1 March 2019', 'March 1, 2019' -> ISO; else None."""
    if not value:
        return None
    match = _ISO_DATE.match(value)
    if match:
        year, month, day = (int(g) if g else None for g in match.groups())
    else:
        written = _WRITTEN_DATE.match(value)
        month = _MONTHS.get(written.group(2)[:3].lower()) if written else None
        if not month:
            return None
        year, day = int(written.group(4)), int(written.group(1) or written.group(3) or 0) or None
    try:
        date(year, month or 1, day or 1)
    except ValueError:
        return None
    if not 1000 <= year <= 2999:
        return None
    return "-".join([f"{year:04d}"] + ([f"{month:02d}"] if month else []) + ([f"{day:02d}"] if month and day else []))
