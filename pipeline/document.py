"""The document model: one normalised text plus named layers of immutable character spans.

Every reader produces a :class:`Document`; every stage reads it and returns new spans, which the
recipe attaches with :meth:`Document.with_layers`. Nothing mutates a document: attaching layers
returns a new one. Offsets are half-open character offsets into ``Document.text`` and are checked
when a layer is attached, so an out-of-range span is caught at the stage that made it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Iterable

from .errors import SpanError
from .layers import APPENDABLE_LAYERS


def _freeze(value: Any) -> Any:
    """Deep-freeze attribute values so spans stay immutable after creation."""
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value  # most attribute values: returned before the costlier checks
    if isinstance(value, Mapping):
        return MappingProxyType({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(v) for v in value)
    return value


def thaw(value: Any) -> Any:
    """Turn frozen attribute values back into plain ``dict``/``list`` for JSON output."""
    if isinstance(value, Mapping):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [thaw(v) for v in value]
    return value


@dataclass(frozen=True)
class Span:
    """A labelled half-open range ``[start, end)`` of the document text with attributes."""

    start: int
    end: int
    label: str
    attrs: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if type(self.start) is not int or type(self.end) is not int or not 0 <= self.start <= self.end:
            raise SpanError(f"span offsets must be integers with 0 <= start <= end, got ({self.start!r}, {self.end!r}) for label {self.label!r}")
        object.__setattr__(self, "attrs", _freeze(dict(self.attrs)))

    def __hash__(self) -> int:
        # attrs is a read-only mapping, which is not hashable; offsets and label identify a span well enough
        return hash((self.start, self.end, self.label))

    def text_in(self, text: str) -> str:
        return text[self.start : self.end]

    def contains(self, other: "Span") -> bool:
        return self.start <= other.start and other.end <= self.end

    def get(self, key: str, default: Any = None) -> Any:
        return self.attrs.get(key, default)


@dataclass(frozen=True)
class Source:
    """Where a document came from. ``path`` is kept exactly as the user gave it."""

    path: str
    media_type: str
    sha256: str
    bytes: int
    encoding: str | None = None
    pages: int | None = None


@dataclass(frozen=True)
class Document:
    """Normalised text, its source, and named layers of spans (each a tuple in text order)."""

    text: str
    source: Source
    layers: Mapping[str, tuple[Span, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "layers", MappingProxyType(dict(self.layers)))

    def layer(self, name: str) -> tuple[Span, ...]:
        """Spans of a layer, or an empty tuple when no stage has produced it."""
        return self.layers.get(name, ())

    def has_layer(self, name: str) -> bool:
        return name in self.layers

    def with_layers(self, new_layers: Mapping[str, Iterable[Span]]) -> "Document":
        """Return a new document with ``new_layers`` attached.

        Spans are checked against the text and sorted by (start, end) with a stable sort, so a
        stage's own order among equal offsets is kept. A layer may be set only once, except the
        appendable ones (warnings), whose spans are merged.
        """
        layers = dict(self.layers)
        length = len(self.text)
        for name, spans in new_layers.items():
            spans = tuple(spans)
            for span in spans:
                if not isinstance(span, Span):
                    raise SpanError(f"layer {name!r} received {type(span).__name__}, expected Span")
                if span.end > length:
                    raise SpanError(f"span ({span.start}, {span.end}) of layer {name!r} lies outside the text of length {length}")
            if name in layers:
                if name not in APPENDABLE_LAYERS:
                    raise SpanError(f"layer {name!r} is already set; a layer is produced by exactly one stage")
                spans = layers[name] + spans
            layers[name] = tuple(sorted(spans, key=lambda s: (s.start, s.end)))
        return Document(self.text, self.source, layers)

    def with_layer(self, name: str, spans: Iterable[Span]) -> "Document":
        return self.with_layers({name: spans})
