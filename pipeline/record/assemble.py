"""Assemble the record from a document's layers: the one place a record is built.

Stages put their findings in layers (see :mod:`pipeline.layers`); this module turns layers into
the JSON shape of ``schemas/record.v1.schema.json``, derives stable IDs from content (never from
list positions, so an editor's decision keyed by an ID survives re-extraction), resolves
cross-references, and validates the result. An invalid record is a bug in this package, so
validation failure raises :class:`~pipeline.errors.InvalidRecordError` and nothing is written.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_right
from typing import Any, Iterable

from ..document import Document, Span, thaw
from ..errors import InvalidRecordError
from .. import layers as L
from .integrity import integrity_errors
from .schema import schema_errors

SCHEMA_VERSION = "1.3.0"

_ARTICLE_SCALARS = ("title", "published", "journal", "publisher", "volume", "issue", "pages", "doi", "pmid", "pmcid", "url")


def content_id(prefix: str, *parts: Any, salt: int = 0) -> str:
    """The ID ``prefix-<10 hex>`` of an item made of ``parts``; the review tools derive added items' IDs with it."""
    basis = "\x1f".join(str(p) for p in parts)
    digest = hashlib.sha1(f"{basis}\x1e{salt}".encode() if salt else basis.encode()).hexdigest()[:10]
    return f"{prefix}-{digest}"


class _IdMaker:
    """Content-derived IDs (``prefix-<10 hex>``), made unique within a record deterministically."""

    def __init__(self) -> None:
        self._used: set[str] = set()

    def __call__(self, prefix: str, *parts: Any) -> str:
        salt = 0
        while True:
            candidate = content_id(prefix, *parts, salt=salt)
            if candidate not in self._used:
                self._used.add(candidate)
                return candidate
            salt += 1


def assemble_record(doc: Document) -> dict:
    """Build and validate the record for ``doc``; raise InvalidRecordError if it is invalid."""
    make_id = _IdMaker()
    sections, section_locator = _sections(doc, make_id)
    entities, entity_ids = _entities(doc, make_id, section_locator)
    record = {
        "schema_version": SCHEMA_VERSION,
        "id": f"sha256:{doc.source.sha256}",
        "source": {
            "path": doc.source.path,
            "media_type": doc.source.media_type,
            "sha256": doc.source.sha256,
            "bytes": doc.source.bytes,
            "encoding": doc.source.encoding,
            "pages": doc.source.pages,
        },
        "text": doc.text,
        "article": _article(doc),
        "citations": _citations(doc, make_id),
        "sections": sections,
        "entities": entities,
        "abbreviations": _abbreviations(doc, make_id),
        "relations": _relations(doc, make_id, entity_ids),
        "summary": _summary(doc, make_id, section_locator),
        "warnings": _warnings(doc),
        "review": {"status": "draft"},
    }
    layout = _layout(doc)
    if layout is not None:
        record["layout"] = layout
        record["tables"] = _tables(doc, make_id)
    problems = schema_errors(record) + integrity_errors(record)
    if problems:
        listing = "; ".join(f"{pointer or '/'}: {message}" for pointer, message in problems[:10])
        raise InvalidRecordError(
            f"the assembled record is invalid ({len(problems)} problem(s): {listing}); this is a bug in pipeline, please report it with the input file",
            path=doc.source.path,
            problems=[f"{p}: {m}" for p, m in problems],
        )
    return record


def _evidence(field: str, span: Span) -> dict:
    return {"field": field, "start": span.start, "end": span.end}


def _article(doc: Document) -> dict:
    by_field: dict[str, list[Span]] = {}
    for span in doc.layer(L.METADATA):
        by_field.setdefault(span.label, []).append(span)

    def chosen(field: str) -> Span | None:
        spans = by_field.get(field, [])
        return next((s for s in spans if s.get("primary")), spans[0] if spans else None)

    article: dict[str, Any] = {}
    for field in _ARTICLE_SCALARS:
        span = chosen(field)
        value = span.get("value") if span is not None else None
        article[field] = None if value is None else str(value)
    author_spans = by_field.get("author", [])
    if any(s.get("primary") for s in author_spans):
        author_spans = [s for s in author_spans if s.get("primary")]
    article["authors"] = [_person(s.attrs) for s in author_spans]
    abstract = chosen("abstract")
    article["abstract"] = {"start": abstract.start, "end": abstract.end} if abstract is not None else None
    keywords: list[str] = []
    for span in by_field.get("keyword", []):
        value = str(span.get("value") or span.text_in(doc.text)).strip()
        if value and value not in keywords:
            keywords.append(value)
    article["keywords"] = keywords
    article["evidence"] = [_evidence(span.label, span) for span in doc.layer(L.METADATA)]
    return article


def _person(attrs: Any) -> dict:
    return {
        "name": str(attrs.get("name") or " ".join(p for p in (attrs.get("given"), attrs.get("family")) if p)),
        "given": attrs.get("given"),
        "family": attrs.get("family"),
        "affiliations": [str(a) for a in (attrs.get("affiliations") or ())],
    }


def _citations(doc: Document, make_id: _IdMaker) -> list[dict]:
    out = []
    for span in doc.layer(L.CITATIONS):
        a = span.attrs
        year = a.get("year")
        out.append(
            {
                "id": make_id("cit", span.label, a.get("key"), span.start, a.get("title")),
                "role": span.label,
                "title": a.get("title"),
                "authors": [_person(p) for p in (a.get("authors") or ())],
                "journal": a.get("journal"),
                "year": int(year) if year is not None else None,
                "volume": _str_or_none(a.get("volume")),
                "issue": _str_or_none(a.get("issue")),
                "pages": _str_or_none(a.get("pages")),
                "doi": a.get("doi"),
                "pmid": _str_or_none(a.get("pmid")),
                "url": a.get("url"),
                "raw": a.get("raw"),
                "start": span.start,
                "end": span.end,
                "evidence": sorted((thaw(e) for e in (a.get("evidence") or ())), key=lambda e: (e["start"], e["end"], e["field"])),
            }
        )
    return out


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


class _SectionLocator:
    """Finds the innermost section containing an offset (sections nest; deeper ones win)."""

    def __init__(self, regions: list[tuple[int, int, int, str]]) -> None:
        # (heading_start, end, level, id), in document order
        self._regions = regions
        self._starts = [r[0] for r in regions]

    def __call__(self, offset: int) -> str | None:
        best = None
        for index in range(bisect_right(self._starts, offset) - 1, -1, -1):
            start, end, level, sid = self._regions[index]
            if start <= offset < end and (best is None or level > best[0]):
                best = (level, sid)
                if level == 1:
                    break
        return best[1] if best else None


def _sections(doc: Document, make_id: _IdMaker) -> tuple[list[dict], _SectionLocator]:
    spans = sorted(doc.layer(L.SECTIONS), key=lambda s: (s.get("heading_start"), -s.end))
    ids_by_heading_start: dict[int, str] = {}
    out = []
    for span in spans:
        a = span.attrs
        sid = make_id("sec", a["heading_start"], a["heading"])
        ids_by_heading_start[a["heading_start"]] = sid
        parent_start = a.get("parent_heading_start")
        out.append(
            {
                "id": sid,
                "heading": a["heading"],
                "level": int(a["level"]),
                "number": a.get("number"),
                "kind": span.label,
                "start": span.start,
                "end": span.end,
                "heading_start": a["heading_start"],
                "heading_end": a["heading_end"],
                "parent": ids_by_heading_start.get(parent_start) if parent_start is not None else None,
            }
        )
    locator = _SectionLocator([(s["heading_start"], s["end"], s["level"], s["id"]) for s in out])
    return out, locator


def _entities(doc: Document, make_id: _IdMaker, locate: _SectionLocator) -> tuple[list[dict], dict[tuple[int, int], str]]:
    out, ids = [], {}
    for span in doc.layer(L.ENTITIES):
        a = span.attrs
        # The label is deliberately not part of the ID: when a later extractor relabels a span, an
        # editor's decision on it must meet the changed value (a visible conflict), not vanish.
        eid = make_id("ent", span.start, span.end, span.text_in(doc.text))
        ids[(span.start, span.end)] = eid
        norm = a.get("norm")
        out.append(
            {
                "id": eid,
                "text": span.text_in(doc.text),
                "label": span.label,
                "start": span.start,
                "end": span.end,
                "section": locate(span.start),
                "norm": {"db": norm["db"], "id": norm["id"], "name": norm["name"]} if norm else None,
                "method": a.get("method", "lexicon"),
                "score": round(float(a.get("score", 1.0)), 3),
            }
        )
    return out, ids


def _abbreviations(doc: Document, make_id: _IdMaker) -> list[dict]:
    out = []
    for span in doc.layer(L.ABBREVIATIONS):
        a = span.attrs
        short = span.text_in(doc.text)
        out.append(
            {
                "id": make_id("abbr", span.start, short, a["long"]),
                "short": short,
                "long": doc.text[a["long_start"] : a["long_end"]],
                "start": span.start,
                "end": span.end,
                "long_start": a["long_start"],
                "long_end": a["long_end"],
            }
        )
    return out


def _relations(doc: Document, make_id: _IdMaker, entity_ids: dict[tuple[int, int], str]) -> list[dict]:
    out = []
    for span in doc.layer(L.RELATIONS):
        a = span.attrs
        subject = entity_ids.get(tuple(a["subject"]))
        obj = entity_ids.get(tuple(a["object"]))
        if subject is None or obj is None:
            raise InvalidRecordError(
                f"relation at [{span.start}, {span.end}) refers to an entity span that is not in the entities layer; this is a bug in the relations stage",
                path=doc.source.path,
            )
        out.append(
            {
                "id": make_id("rel", subject, span.label, obj, span.start),
                "subject": subject,
                "action": span.label,
                "object": obj,
                "start": span.start,
                "end": span.end,
                "method": a.get("method", "pattern"),
                "score": round(float(a.get("score", 1.0)), 3),
            }
        )
    return out


def _summary(doc: Document, make_id: _IdMaker, locate: _SectionLocator) -> dict:
    buckets: dict[str, list[dict]] = {"key_point": [], "limitation": [], "digest": []}
    for span in doc.layer(L.SUMMARY):
        text = span.text_in(doc.text)
        buckets[span.label].append(
            {
                "id": make_id("sum", span.label, span.start, span.end, text),
                "text": text,
                "start": span.start,
                "end": span.end,
                "section": locate(span.start),
            }
        )
    return {"key_points": buckets["key_point"], "limitations": buckets["limitation"], "digest": buckets["digest"]}


def _layout(doc: Document) -> dict | None:
    """Page and box provenance from the PDF reader's layers; None for inputs without pages."""
    pages = doc.layer(L.PDF_PAGES)
    if not pages:
        return None
    blocks = []
    for span in doc.layer(L.PDF_BLOCKS):
        block = {"page": int(span.get("page")), "bbox": [float(v) for v in span.get("bbox")], "start": span.start, "end": span.end, "role": span.label}
        if span.get("text") is not None:
            block["text"] = str(span.get("text"))
        blocks.append(block)
    layout = {
        "pages": [{"number": int(p.get("number")), "width": float(p.get("width")), "height": float(p.get("height"))} for p in pages],
        "blocks": blocks,
    }
    quality = pages[0].get("text_quality")
    if quality is not None:
        layout["text_quality"] = float(quality)
    return layout


def _tables(doc: Document, make_id: _IdMaker) -> list[dict]:
    """Tables the PDF reader found; present (maybe empty) exactly when the input has pages, like ``layout``."""
    out = []
    for span in doc.layer(L.TABLES):
        a = thaw(span.attrs)
        caption = {"start": a["caption_start"], "end": a["caption_end"]} if a.get("caption_start") is not None else None
        out.append(
            {
                "id": make_id("tab", a["page"], *a["bbox"]),
                "page": a["page"],
                "bbox": a["bbox"],
                "start": span.start,
                "end": span.end,
                "rows": a["rows"],
                "cols": a["cols"],
                "strategy": a["strategy"],
                "label": a.get("label"),
                "caption": caption,
                "cells": a["cells"],
            }
        )
    return out


def _warnings(doc: Document) -> list[dict]:
    out = []
    for span in doc.layer(L.WARNINGS):
        located = span.get("located", True)
        out.append(
            {
                "code": span.label,
                "message": str(span.get("message", "")),
                "start": span.start if located else None,
                "end": span.end if located else None,
            }
        )
    return out


