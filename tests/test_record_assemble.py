"""Record assembly: layers become a valid record with content-derived IDs and section lookup.

Layers are made by hand here, so these tests pin the assembler's own behaviour whatever the
stages find; the stages' tests cover what they find.
"""

from __future__ import annotations

import hashlib
import re

import pytest

from pipeline import convert_bytes
from pipeline.document import Document, Span
from pipeline.errors import InvalidRecordError
from pipeline.layers import ENTITIES, RELATIONS, SECTIONS, SUMMARY, WARNINGS
from pipeline.readers import read_bytes
from pipeline.record import assemble_record
from pipeline.record.integrity import integrity_errors
from pipeline.record.schema import schema_errors

TEXT = (
    "Ketamine notes\n"  # 0..14, an entity before any section
    "# Background\n"
    "Ketamine is old.\n"
    "## Mechanism\n"
    "Psilocybin acts on 5-HT2A.\n"
    "# Outlook\n"
    "LSD may follow.\n"
)


def _section(text: str, heading_line: str, next_heading_line: str | None, level: int, kind: str = "other", parent: str | None = None) -> Span:
    """A sections-layer span for the heading line ``heading_line`` (see pipeline/layers.py)."""
    heading_start = text.index(heading_line)
    heading_end = heading_start + len(heading_line)
    end = text.index(next_heading_line) if next_heading_line else len(text)
    attrs = {
        "heading": heading_line.lstrip("# "),
        "level": level,
        "number": None,
        "heading_start": heading_start,
        "heading_end": heading_end,
        "parent_heading_start": text.index(parent) if parent else None,
    }
    return Span(heading_end + 1, end, kind, attrs)


def _entity(text: str, word: str, label: str, *, after: int = 0, score: float = 1.0) -> Span:
    """An entities-layer span for the first ``word`` at or after offset ``after``."""
    start = text.index(word, after)
    return Span(start, start + len(word), label, {"norm": None, "method": "lexicon", "score": score})


def _sections(text: str = TEXT) -> list[Span]:
    return [
        _section(text, "# Background", "# Outlook", 1, "introduction"),
        _section(text, "## Mechanism", "# Outlook", 2, parent="# Background"),
        _section(text, "# Outlook", None, 1, "conclusion"),
    ]


def _doc(text: str = TEXT) -> Document:
    return read_bytes(text.encode(), "notes.md")


def _find(items: list[dict], **match) -> dict:
    return next(item for item in items if all(item[k] == v for k, v in match.items()))


def test_record_assemble_empty_layers_validate() -> None:
    record = assemble_record(_doc())
    assert schema_errors(record) == [] and integrity_errors(record) == []
    assert record["schema_version"].startswith("1.")
    assert record["text"] == TEXT
    assert record["review"] == {"status": "draft"}


def test_record_assemble_full_pipeline_output_validates() -> None:
    record = convert_bytes(TEXT.encode(), "notes.md")
    assert schema_errors(record) == [] and integrity_errors(record) == []


def test_record_assemble_id_comes_from_source_bytes() -> None:
    data = TEXT.encode()
    record = assemble_record(read_bytes(data, "notes.md"))
    assert record["id"] == "sha256:" + hashlib.sha256(data).hexdigest()
    assert record["source"] == {
        "path": "notes.md",
        "media_type": "text/markdown",
        "sha256": hashlib.sha256(data).hexdigest(),
        "bytes": len(data),
        "encoding": "utf-8",
        "pages": None,
    }


def test_record_assemble_sections_hierarchy() -> None:
    record = assemble_record(_doc().with_layers({SECTIONS: _sections()}))
    sections = record["sections"]
    assert [(s["heading"], s["level"], s["kind"]) for s in sections] == [("Background", 1, "introduction"), ("Mechanism", 2, "other"), ("Outlook", 1, "conclusion")]
    background, mechanism, outlook = sections
    assert mechanism["parent"] == background["id"]
    assert background["parent"] is None and outlook["parent"] is None
    assert TEXT[background["heading_start"] : background["heading_end"]] == "# Background"


def test_record_assemble_entities_get_innermost_section() -> None:
    second_ketamine = TEXT.index("Ketamine is old")
    background_heading = TEXT.index("Background")
    entities = [
        _entity(TEXT, "Ketamine", "COMPOUND"),
        _entity(TEXT, "Ketamine", "COMPOUND", after=1),
        _entity(TEXT, "Background", "PROCESS", score=0.5),
        _entity(TEXT, "Psilocybin", "COMPOUND"),
        _entity(TEXT, "5-HT2A", "PROTEIN"),
        _entity(TEXT, "LSD", "COMPOUND"),
    ]
    record = assemble_record(_doc().with_layers({SECTIONS: _sections(), ENTITIES: entities}))
    section_ids = {s["heading"]: s["id"] for s in record["sections"]}
    located = {(e["text"], e["start"]): e["section"] for e in record["entities"]}
    assert located == {
        ("Ketamine", 0): None,  # before the first heading
        ("Background", background_heading): section_ids["Background"],  # a heading belongs to its section
        ("Ketamine", second_ketamine): section_ids["Background"],
        ("Psilocybin", TEXT.index("Psilocybin")): section_ids["Mechanism"],
        ("5-HT2A", TEXT.index("5-HT2A")): section_ids["Mechanism"],
        ("LSD", TEXT.index("LSD")): section_ids["Outlook"],
    }


def test_record_assemble_summary_items_get_sections() -> None:
    sentence = TEXT.index("LSD may follow.")
    record = assemble_record(_doc().with_layers({SECTIONS: _sections(), SUMMARY: [Span(sentence, sentence + 15, "key_point")]}))
    outlook = _find(record["sections"], heading="Outlook")
    [item] = record["summary"]["key_points"]
    assert re.fullmatch(r"sum-[0-9a-f]{10}", item.pop("id"))
    assert item == {"text": "LSD may follow.", "start": sentence, "end": sentence + 15, "section": outlook["id"]}


def test_record_assemble_ids_are_stable_across_runs() -> None:
    def build() -> dict:
        entities = [_entity(TEXT, "Psilocybin", "COMPOUND"), _entity(TEXT, "5-HT2A", "PROTEIN")]
        start = TEXT.index("Psilocybin acts")
        relation = Span(start, start + 26, "agonist", {"subject": [entities[0].start, entities[0].end], "object": [entities[1].start, entities[1].end], "method": "pattern", "score": 0.9})
        return assemble_record(_doc().with_layers({SECTIONS: _sections(), ENTITIES: entities, RELATIONS: [relation]}))

    first, second = build(), build()
    assert first == second
    ids = [item["id"] for key in ("sections", "entities", "relations") for item in first[key]]
    assert all(re.fullmatch(r"(sec|ent|rel)-[0-9a-f]{10}", i) for i in ids), ids
    assert len(set(ids)) == len(ids)
    relation = first["relations"][0]
    assert relation["subject"] == _find(first["entities"], text="Psilocybin")["id"]
    assert relation["object"] == _find(first["entities"], text="5-HT2A")["id"]


def test_record_assemble_ids_do_not_depend_on_list_position() -> None:
    # an editor's decision is keyed by ID: finding one more entity or section elsewhere must not
    # rename the ones already found
    lsd = _entity(TEXT, "LSD", "COMPOUND")
    alone = assemble_record(_doc().with_layers({SECTIONS: _sections()[2:], ENTITIES: [lsd]}))
    more = assemble_record(_doc().with_layers({SECTIONS: _sections(), ENTITIES: [_entity(TEXT, "Psilocybin", "COMPOUND"), lsd]}))
    assert _find(alone["entities"], text="LSD")["id"] == _find(more["entities"], text="LSD")["id"]
    assert _find(alone["sections"], heading="Outlook")["id"] == _find(more["sections"], heading="Outlook")["id"]


def test_record_assemble_ids_follow_span_and_text_not_label() -> None:
    """A relabelled span keeps its ID, so an editor's decision on it meets the change as a conflict."""
    base = assemble_record(_doc().with_layers({ENTITIES: [_entity(TEXT, "LSD", "COMPOUND")]}))
    relabelled = assemble_record(_doc().with_layers({ENTITIES: [_entity(TEXT, "LSD", "CONDITION")]}))
    moved = assemble_record(_doc().with_layers({ENTITIES: [_entity(TEXT, "LSD may", "COMPOUND")]}))
    assert base["entities"][0]["id"] == relabelled["entities"][0]["id"]
    assert base["entities"][0]["id"] != moved["entities"][0]["id"]


def test_record_assemble_same_content_twice_gets_distinct_ids() -> None:
    text = "# Notes\nOne.\n# Notes\nTwo.\n"
    second = text.index("# Notes", 1)
    sections = [
        Span(8, second, "other", {"heading": "Notes", "level": 1, "number": None, "heading_start": 0, "heading_end": 7, "parent_heading_start": None}),
        Span(second + 8, len(text), "other", {"heading": "Notes", "level": 1, "number": None, "heading_start": second, "heading_end": second + 7, "parent_heading_start": None}),
    ]
    record = assemble_record(_doc(text).with_layers({SECTIONS: sections}))
    assert len({s["id"] for s in record["sections"]}) == 2


def test_record_assemble_whole_document_warning_has_no_span() -> None:
    doc = _doc().with_layers({WARNINGS: [Span(0, 0, "encoding-guessed", {"located": False, "message": "guessed"}), Span(15, 27, "odd-heading", {"message": "check"})]})
    assert assemble_record(doc)["warnings"] == [
        {"code": "encoding-guessed", "message": "guessed", "start": None, "end": None},
        {"code": "odd-heading", "message": "check", "start": 15, "end": 27},
    ]


def test_record_assemble_rejects_relation_to_unknown_entity() -> None:
    relation = Span(0, 8, "agonist", {"subject": [0, 8], "object": [16, 20], "method": "pattern", "score": 1.0})
    with pytest.raises(InvalidRecordError) as caught:
        assemble_record(_doc().with_layers({RELATIONS: [relation]}))
    assert caught.value.code == "P902"


@pytest.mark.parametrize(
    "layers",
    [
        {SECTIONS: [Span(28, 40, "not-a-kind", {"heading": "Background", "level": 1, "number": None, "heading_start": 15, "heading_end": 27, "parent_heading_start": None})]},
        {ENTITIES: [Span(0, 8, "NOT_A_LABEL", {"norm": None, "method": "lexicon", "score": 1.0})]},
        {ENTITIES: [Span(0, 8, "COMPOUND", {"norm": None, "method": "guesswork", "score": 1.0})]},
    ],
    ids=["section-kind", "entity-label", "entity-method"],
)
def test_record_assemble_invalid_record_fails_loudly(layers) -> None:
    with pytest.raises(InvalidRecordError) as caught:
        assemble_record(_doc().with_layers(layers))
    assert caught.value.problems, "the error lists what is wrong"
    assert "bug in pipeline" in caught.value.message
