"""MeSH IDs for compounds and conditions the lexicon names from another vocabulary (pipeline/stages/_mesh_mentions.py)."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from pipeline import layers as L
from pipeline.readers import read_bytes
from pipeline.recipe import run_stages
from pipeline.stages._lexicon import Concept, load_lexicon
from pipeline.stages._mesh_mentions import MESH_MENTIONS_PATH, is_short_form, load_mesh_mentions, mesh_concept
from repo_scripts import load_repo_module

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"


def _build_module():
    return load_repo_module("scripts/build_mesh_mentions.py")


def test_build_reproduces_committed_table():
    if not (SHARED / "ner" / "bc5cdr" / "train.jsonl").is_file():
        pytest.skip("../shared/data not found: the table is built from ../shared/data/ner/bc5cdr/train.jsonl")
    assert _build_module().build() == MESH_MENTIONS_PATH.read_bytes(), "pipeline/data/mesh_mentions.tsv.gz is stale: run python scripts/build_mesh_mentions.py"


def test_table_is_headed_and_only_mesh_compounds_and_conditions():
    with gzip.open(MESH_MENTIONS_PATH, "rt", encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    assert lines[0].startswith("# pipeline MeSH mention table")
    table = load_mesh_mentions()
    assert len(table) > 1000
    assert {c.label for c in table.values()} == {"COMPOUND", "CONDITION"}
    assert all(c.db == "MESH" and c.id[:1] in "CD" and c.name for c in table.values())
    assert {mode for mode, _ in table} == {"exact", "lower"}


@pytest.mark.parametrize("mention, short", [("DOX", True), ("MK-801", True), ("5-HT", True), ("dox", False),
                                            ("CaCl2", False), ("123", False), ("PREDNISONE", False)])
def test_short_forms_are_upper_case_and_short(mention, short):
    assert is_short_form(mention) is short


def test_plural_descriptor_beats_another_vocabulary():
    lexicon = load_lexicon()
    drugbank = lexicon.lookup("gentamicin")
    assert drugbank is not None and drugbank.db != "MESH", "precondition: the lexicon names gentamicin from DrugBank"
    found = mesh_concept(lexicon, "gentamicin", "COMPOUND", drugbank)
    assert (found.db, found.id, found.name) == ("MESH", "D005839", "Gentamicins")


def test_training_mentions_give_ids_the_lexicon_lacks():
    lexicon = load_lexicon()
    assert lexicon.lookup("adriamycin") is None, "precondition: the derived MeSH subset lacks this entry term"
    assert mesh_concept(lexicon, "adriamycin", "COMPOUND", None).id == "D004317"
    assert mesh_concept(lexicon, "DOX", "COMPOUND", None).id == "D004317"
    assert mesh_concept(lexicon, "Dox", "COMPOUND", None) is None  # short forms only as written


def test_mesh_concepts_other_labels_and_unknown_mentions_are_left_alone():
    lexicon = load_lexicon()
    newer = Concept("COMPOUND", "MESH", "D000077208", "Remifentanil")
    assert mesh_concept(lexicon, "remifentanil", "COMPOUND", newer) is newer
    protein = Concept("PROTEIN", "HGNC", "HGNC:1", "X")
    assert mesh_concept(lexicon, "adriamycin", "PROTEIN", protein) is protein
    assert mesh_concept(lexicon, "zorblaxamine", "COMPOUND", None) is None
    assert mesh_concept(lexicon, "adriamycin", "CONDITION", None) is None  # the table's label must agree


def test_stage_gives_mesh_ids_and_abbreviations_inherit_them():
    text = "Adriamycin (ADM) cardiotoxicity was studied. ADM and gentamicin were given to rats."
    doc = run_stages(read_bytes(text.encode("utf-8"), "mesh.txt"))
    found = {text[s.start : s.end]: s.get("norm") for s in doc.layer(L.ENTITIES) if s.label == "COMPOUND"}
    assert found["Adriamycin"]["id"] == "D004317" and found["ADM"]["id"] == "D004317"
    assert (found["gentamicin"]["db"], found["gentamicin"]["id"]) == ("MESH", "D005839")
