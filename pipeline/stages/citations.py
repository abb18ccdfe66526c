"""Find cited works: the subject study of an explainer, and bibliography entries.

(Placeholder: being implemented.)
"""

from __future__ import annotations

from ..document import Document, Span
from .. import layers as L


def extract_citations(doc: Document) -> dict[str, list[Span]]:
    return {L.CITATIONS: []}
