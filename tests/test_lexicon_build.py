"""Tests for the starter lexicon: the committed artefact is what the build script produces."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from pipeline import layers as L
from pipeline.stages._lexicon import LEXICON_PATH, MODES, load_lexicon, term_key
from repo_scripts import load_repo_module

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def _build_module():
    return load_repo_module("scripts/build_lexicon.py")


def test_lexicon_build_reproduces_committed_artefact():
    if not (SHARED / "lexicons").is_dir():
        pytest.skip("../shared/data not found: the lexicon sources live in ../shared/data/lexicons")
    data, doc = _build_module().build()
    assert data == LEXICON_PATH.read_bytes(), "pipeline/data/lexicon.tsv.gz is stale: run python scripts/build_lexicon.py"
    assert doc == (LEXICON_PATH.parent / "LEXICON.md").read_text(encoding="utf-8")


def test_lexicon_build_artefact_is_compact_and_headed():
    assert LEXICON_PATH.stat().st_size < 5_000_000
    with gzip.open(LEXICON_PATH, "rt", encoding="utf-8") as handle:
        head = [next(handle) for _ in range(5)]
    assert head[0].startswith("# pipeline starter entity lexicon")
    assert any(line.startswith("# licence MESH") for line in head)


def test_lexicon_build_concepts_have_valid_labels():
    lexicon = load_lexicon()
    labels = {lexicon.concept(int(i)).label for table in lexicon.entries.values() for i in list(table.values())[:5000]}
    assert labels <= set(L.ENTITY_LABELS)
    assert set(lexicon.entries) == set(MODES)


@pytest.mark.parametrize("word", ["can", "set", "impact", "therapy", "study", "data", "aim", "cell", "doi", "pmid", "usa"])
def test_lexicon_build_drops_common_words(word):
    lexicon = load_lexicon()
    for mode, form in (("lower", word), ("exact", word.upper()), ("symbol", word)):
        assert " ".join(term_key(form, mode)) not in lexicon.entries[mode]


@pytest.mark.parametrize(
    "term, mode, db",
    [("ketamine", "lower", "MESH"), ("BDNF", "symbol", "HGNC"), ("AMPA receptors", "lower", "MESH"), ("insulin receptor signalling pathway", "lower", "GO"), ("dendritic spine", "lower", "MESH")],
)
def test_lexicon_build_keeps_core_terms_with_ids(term, mode, db):
    concept = load_lexicon().lookup(term, mode)
    assert concept is not None and concept.db == db and concept.id


def test_lexicon_build_prefers_mesh_for_compounds_named_in_two_sources():
    build = _build_module()
    C = build.Candidate
    candidates = [
        C("COMPOUND", "MESH", "D006024", "Glycopyrrolate", "Glycopyrrolate", True),
        C("COMPOUND", "DRUGBANK", "DB00986", "Glycopyrronium", "Glycopyrronium", True),
        C("COMPOUND", "DRUGBANK", "DB00986", "Glycopyrronium", "Glycopyrrolate", False),
        C("COMPOUND", "CHEBI", "CHEBI:1", "lonely", "lonely", True),
    ]
    moved = build.prefer_mesh_compounds(candidates)
    assert {(c.db, c.id, c.term) for c in moved if c.term == "Glycopyrronium"} == {("MESH", "D006024", "Glycopyrronium")}
    assert ("CHEBI", "CHEBI:1") in {(c.db, c.id) for c in moved}


@pytest.mark.parametrize(
    "xrefs, expected",
    [("MESH:D004194|NCI:C2991", "D004194"), ("NCI:C2991|MESH:D006333", "D006333"), ("NCI:C1", None), ("", None), (None, None)],
)
def test_lexicon_build_reads_mesh_cross_references(xrefs, expected):
    assert _build_module().mesh_xref(xrefs) == expected


@pytest.mark.parametrize("term, mesh_id", [("congestive heart failure", "D006333"), ("alcohol", "D000431"), ("VPA", "D014635")])
def test_lexicon_normalises_to_mesh_through_other_sources(term, mesh_id):
    lexicon = load_lexicon()
    concept = lexicon.lookup(term, "lower") or lexicon.lookup(term, "symbol")
    assert concept is not None and (concept.db, concept.id) == ("MESH", mesh_id)
