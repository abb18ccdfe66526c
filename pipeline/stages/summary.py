"""Pick key points, limitations and a short digest from the text.

(Placeholder: being implemented.)
"""

from __future__ import annotations

from ..document import Document, Span
from .. import layers as L


def summarise(doc: Document) -> dict[str, list[Span]]:
    return {L.SUMMARY: []}
