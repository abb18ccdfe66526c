"""The recipe: read a file, run the stages in order, assemble and validate the record.

This is the library API the CLI and the batch runner call. Stage order matters: metadata and
citations read the sections; relations read the entities; summary reads sections and entities.
"""

from __future__ import annotations

import os
from typing import Callable, Mapping, Sequence

from . import layers as L
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

#: The stages in order, each with the layer it is responsible for. A reader that gets a layer
#: exactly from its format (JATS gives sections, metadata and references in its XML) sets that
#: layer itself, and the stage that would guess it is skipped.
STAGES: tuple[tuple[Stage, str], ...] = (
    (detect_sections, L.SECTIONS),
    (extract_metadata, L.METADATA),
    (extract_citations, L.CITATIONS),
    (extract_entities, L.ENTITIES),
    (extract_relations, L.RELATIONS),
    (summarise, L.SUMMARY),
)


def run_stages(doc: Document, stages: Sequence[tuple[Stage, str]] = STAGES) -> Document:
    """Run ``stages`` in order, attaching the layers each returns; skip those a reader supplied."""
    for stage, responsible_for in stages:
        if doc.has_layer(responsible_for):
            continue
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
