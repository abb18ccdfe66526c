"""The recipe: read a file, run the stages in order, assemble and validate the record.

This is the library API the CLI and the batch runner call. Stage order matters: metadata and
citations read the sections; relations read the entities; summary reads sections and entities.
"""

from __future__ import annotations

import os
from typing import Callable, Mapping, Sequence

from .document import Document, Span
from .readers import read_bytes, read_document
from .record import assemble_record
from .stages.citations import extract_citations
from .stages.entities import extract_entities
from .stages.metadata import extract_metadata
from .stages.relations import extract_relations
from .stages.sections import detect_sections
from .stages.summary import summarise

Stage = Callable[[Document], Mapping[str, Sequence[Span]]]

STAGES: tuple[Stage, ...] = (
    detect_sections,
    extract_metadata,
    extract_citations,
    extract_entities,
    extract_relations,
    summarise,
)


def run_stages(doc: Document, stages: Sequence[Stage] = STAGES) -> Document:
    """Run ``stages`` in order, attaching the layers each returns."""
    for stage in stages:
        doc = doc.with_layers(stage(doc))
    return doc


def convert_document(doc: Document) -> dict:
    """Run every stage on ``doc`` and return its validated record."""
    return assemble_record(run_stages(doc))


def convert_file(path: str | os.PathLike[str], *, display_path: str | None = None) -> dict:
    """Read ``path`` and return its validated record (raises PipelineError subclasses)."""
    return convert_document(read_document(path, display_path=display_path))


def convert_bytes(data: bytes, path: str) -> dict:
    """Convert in-memory input; ``path`` names it in the record (its extension picks the reader)."""
    return convert_document(read_bytes(data, path))
