"""Find the article's own metadata (title, authors, date, publisher, identifiers).

(Placeholder: being implemented.)
"""

from __future__ import annotations

from ..document import Document, Span
from .. import layers as L


def extract_metadata(doc: Document) -> dict[str, list[Span]]:
    return {L.METADATA: []}
