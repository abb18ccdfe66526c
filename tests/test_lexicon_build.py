"""Tests for the starter lexicon: the committed artefact is what the build script produces."""

from __future__ import annotations

import gzip
import importlib.util
import sys
from pathlib import Path

import pytest

from pipeline import layers as L
from pipeline.stages._lexicon import LEXICON_PATH, MODES, load_lexicon, term_key

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def _build_module():
    spec = importlib.util.spec_from_file_location("build_lexicon", REPO / "scripts" / "build_lexicon.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the script loads
    spec.loader.exec_module(module)
    return module


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
