"""The document model: spans are checked when made and when attached, and nothing mutates."""

from __future__ import annotations

import dataclasses

import pytest

from pipeline.document import Document, Source, Span, thaw
from pipeline.errors import DefectError, SpanError
from pipeline.layers import ENTITIES, LINES, SECTIONS, WARNINGS
from pipeline.readers import read_bytes

TEXT = "Ketamine blocks NMDA receptors.\nPsilocybin activates 5-HT2A.\n"


@pytest.fixture
def doc() -> Document:
    return read_bytes(TEXT.encode(), "x.txt")


@pytest.mark.parametrize("start, end", [(-1, 3), (5, 4), (0, -1), (1.0, 2), (0, "3"), (None, 2)])
def test_document_span_rejects_bad_offsets(start, end) -> None:
    with pytest.raises(SpanError) as caught:
        Span(start, end, "x")
    assert caught.value.code == "P901"
    assert isinstance(caught.value, DefectError)


@pytest.mark.parametrize("start, end", [(0, 0), (0, 8), (3, 3)])
def test_document_span_accepts_empty_and_ordinary_ranges(start: int, end: int) -> None:
    span = Span(start, end, "x")
    assert (span.start, span.end) == (start, end)


def test_document_span_is_immutable() -> None:
    span = Span(0, 8, "COMPOUND", {"norm": {"db": "MeSH", "id": "D007649"}, "tags": ["a", "b"]})
    with pytest.raises(dataclasses.FrozenInstanceError):
        span.start = 1  # type: ignore[misc]
    with pytest.raises(TypeError):
        span.attrs["norm"] = None  # type: ignore[index]
    with pytest.raises(TypeError):
        span.attrs["norm"]["id"] = "other"  # type: ignore[index]
    assert span.attrs["tags"] == ("a", "b")  # lists become tuples


def test_document_span_does_not_share_callers_dict() -> None:
    attrs = {"norm": {"id": "D007649"}, "tags": ["a"]}
    span = Span(0, 8, "COMPOUND", attrs)
    attrs["norm"]["id"] = "changed"
    attrs["tags"].append("b")
    attrs["new"] = 1
    assert thaw(span.attrs) == {"norm": {"id": "D007649"}, "tags": ["a"]}


def test_document_thaw_returns_plain_json_types() -> None:
    span = Span(0, 1, "x", {"evidence": [{"field": "title", "start": 0, "end": 1}]})
    plain = thaw(span.attrs)
    assert plain == {"evidence": [{"field": "title", "start": 0, "end": 1}]}
    assert type(plain) is dict and type(plain["evidence"]) is list and type(plain["evidence"][0]) is dict


def test_document_span_text_and_containment(doc: Document) -> None:
    outer, inner = Span(0, 31, "sentence"), Span(16, 20, "PROTEIN")
    assert inner.text_in(doc.text) == "NMDA"
    assert outer.contains(inner) and not inner.contains(outer)
    assert inner.get("missing", "default") == "default"


def test_document_with_layers_returns_new_document(doc: Document) -> None:
    entities = [Span(0, 8, "COMPOUND")]
    newer = doc.with_layers({ENTITIES: entities})
    assert newer is not doc
    assert not doc.has_layer(ENTITIES)
    assert newer.layer(ENTITIES) == tuple(entities)
    assert newer.text is doc.text and newer.source is doc.source
    assert newer.layer(LINES) == doc.layer(LINES)


def test_document_layers_cannot_be_mutated(doc: Document) -> None:
    with pytest.raises(TypeError):
        doc.layers[ENTITIES] = ()  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        doc.text = "other"  # type: ignore[misc]
    assert isinstance(doc.layer(LINES), tuple)


def test_document_with_layers_sorts_stably(doc: Document) -> None:
    spans = [Span(32, 42, "COMPOUND"), Span(0, 8, "first-at-0"), Span(16, 30, "PROTEIN"), Span(0, 8, "second-at-0"), Span(0, 3, "shorter")]
    layer = doc.with_layers({ENTITIES: spans}).layer(ENTITIES)
    assert [s.label for s in layer] == ["shorter", "first-at-0", "second-at-0", "PROTEIN", "COMPOUND"]


def test_document_missing_layer_is_empty(doc: Document) -> None:
    assert doc.layer("no-such-layer") == ()
    assert not doc.has_layer("no-such-layer")


@pytest.mark.parametrize("start, end", [(0, len(TEXT) + 1), (len(TEXT) + 1, len(TEXT) + 1)])
def test_document_rejects_span_outside_text(doc: Document, start: int, end: int) -> None:
    with pytest.raises(SpanError, match="outside the text"):
        doc.with_layers({ENTITIES: [Span(start, end, "COMPOUND")]})


def test_document_accepts_span_ending_at_text_end(doc: Document) -> None:
    assert doc.with_layers({ENTITIES: [Span(0, len(TEXT), "x")]}).layer(ENTITIES)[0].end == len(TEXT)


def test_document_rejects_non_span_items(doc: Document) -> None:
    with pytest.raises(SpanError, match="expected Span"):
        doc.with_layers({ENTITIES: [(0, 8, "COMPOUND")]})


@pytest.mark.parametrize("layer", [LINES, SECTIONS, ENTITIES])
def test_document_layer_is_set_only_once(doc: Document, layer: str) -> None:
    once = doc if doc.has_layer(layer) else doc.with_layers({layer: []})
    with pytest.raises(SpanError, match="already set"):
        once.with_layers({layer: [Span(0, 1, "x")]})


def test_document_warnings_layer_appends_and_sorts(doc: Document) -> None:
    first = doc.with_layers({WARNINGS: [Span(10, 12, "late")]})
    second = first.with_layers({WARNINGS: [Span(0, 0, "whole-document", {"located": False}), Span(10, 12, "late-too")]})
    assert [s.label for s in second.layer(WARNINGS)] == ["whole-document", "late", "late-too"]
    assert [s.label for s in first.layer(WARNINGS)] == ["late"]  # the earlier document is untouched


def test_document_source_is_frozen() -> None:
    source = Source(path="x.txt", media_type="text/plain", sha256="0" * 64, bytes=1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        source.path = "y.txt"  # type: ignore[misc]
