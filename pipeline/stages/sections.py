"""Find section headings, their hierarchy and kinds.

(Placeholder: being implemented.)
"""

from __future__ import annotations

from ..document import Document, Span
from .. import layers as L


def detect_sections(doc: Document) -> dict[str, list[Span]]:
    return {L.SECTIONS: []}
