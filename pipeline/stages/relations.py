"""Find compound–action–target mechanism relations.

(Placeholder: being implemented.)
"""

from __future__ import annotations

from ..document import Document, Span
from .. import layers as L


def extract_relations(doc: Document) -> dict[str, list[Span]]:
    return {L.RELATIONS: []}
