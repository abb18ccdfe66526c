"""Find biomedical entity mentions and abbreviation definitions.

(Placeholder: being implemented.)
"""

from __future__ import annotations

from ..document import Document, Span
from .. import layers as L


def extract_entities(doc: Document) -> dict[str, list[Span]]:
    return {L.ENTITIES: []}
