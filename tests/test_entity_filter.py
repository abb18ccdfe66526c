"""Tests for the precision filter on model-only entity mentions (pipeline/stages/_entity_filter.py)."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from pipeline import layers as L
from pipeline.readers import read_bytes
from pipeline.recipe import run_stages
from pipeline.stages import _ner_model
from pipeline.stages._entity_filter import GENERIC_WORDS_PATH, generic_words, is_generic_word, malformed_reason
from pipeline.stages._lexicon import load_lexicon
from repo_scripts import load_repo_module

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def _build_module():
    return load_repo_module("scripts/build_generic_words.py")


def _header() -> list[str]:
    with gzip.open(GENERIC_WORDS_PATH, "rt", encoding="utf-8") as handle:
        return [line.rstrip("\n") for line in handle if line.startswith("#")]


def test_generic_words_build_reproduces_committed_file():
    if not (SHARED / "ner").is_dir():
        pytest.skip("../shared/data not found: the word list is built from ../shared/data/ner and ../shared/data/jats")
    spellchecker = pytest.importorskip("spellchecker", reason="pyspellchecker (the build's general-English source) is not installed")
    resource = Path(spellchecker.__file__).parent / "resources" / "en.json.gz"
    module = _build_module()
    if f"sha256 {module._sha256(resource)}" not in "\n".join(_header()):
        pytest.skip("the installed pyspellchecker ships other English frequencies than the committed list was built from")
    assert module.build() == GENERIC_WORDS_PATH.read_bytes(), "pipeline/data/generic_words.txt.gz is stale: run python scripts/build_generic_words.py"


def test_generic_words_file_is_compact_sorted_and_headed():
    assert GENERIC_WORDS_PATH.stat().st_size < 500_000
    assert _header()[0].startswith("# pipeline generic words")
    with gzip.open(GENERIC_WORDS_PATH, "rt", encoding="utf-8") as handle:
        words = [line.rstrip("\n") for line in handle if not line.startswith("#")]
    assert words == sorted(set(words)) and all(w.isalpha() and w.islower() for w in words)
    assert len(generic_words()) == len(words) > 10_000


@pytest.mark.parametrize("word", ["tolerate", "openness", "cornerstone", "inside", "Road"])
def test_everyday_words_are_generic(word):
    assert is_generic_word(word)


@pytest.mark.parametrize(
    "word",
    # domain words (frequent in biomedical text), annotated entities, symbols, multi-word mentions
    ["toxicity", "pain", "seizures", "ketamine", "irritability", "ADDS", "mTOR", "dry mouth", "5-HT"],
)
def test_domain_words_symbols_and_phrases_are_not_generic(word):
    assert not is_generic_word(word)


@pytest.mark.parametrize(
    "mention, reason",
    [
        ("doctor's advice", "possessive of a common noun"),
        ("patient’s history", "possessive of a common noun"),
        ("oncoprotein ' s leucine zipper", "possessive of a common noun"),
        ("4102-4115", "no letter"),
        ("1,2)", "no letter"),
        ("psilocybin [5].\n3", "crosses a sentence end"),
    ],
)
def test_malformed_mentions_are_named(mention, reason):
    assert malformed_reason(mention) == reason


@pytest.mark.parametrize("mention", ["Alzheimer's disease", "Parkinson’s disease", "prefrontal\ncortex", "5-HT2A", "Ca2+", "14-3-3 protein"])
def test_wellformed_mentions_pass(mention):
    assert malformed_reason(mention) is None


def _entities(text: str) -> list[tuple[str, str]]:
    doc = run_stages(read_bytes(text.encode("utf-8"), "filter.txt"))
    return [(text[s.start : s.end], s.label) for s in doc.layer(L.ENTITIES)]


@pytest.mark.parametrize(
    "text, noise, kept",
    [
        # examples the default model does tag (the stage test below skips, saying so, if a retrained model stops)
        ("Ketamine is a cornerstone of anaesthesia and now of depression care.", "cornerstone", ("depression", "CONDITION")),
        ("Esketamine adds little to standard antidepressants.", "adds", ("Esketamine", "COMPOUND")),
        ("Lithium is a simple ion, but inside nerve cells it inhibits two enzymes.", "inside", ("Lithium", "COMPOUND")),
    ],
)
def test_stage_drops_model_noise_and_keeps_entities(text, noise, kept):
    if not any(text[m.start : m.end] == noise for m in _ner_model.find_mentions(text)):
        pytest.skip(f"the NER models no longer tag {noise!r} here: the example tests nothing")
    found = _entities(text)
    assert noise not in [t for t, _ in found]
    assert kept in found


def test_everyday_words_the_lexicon_knows_stay_entities():
    text = "Patients who used heroin reported a persistent cough."
    assert is_generic_word("heroin") and is_generic_word("cough"), "precondition: both are everyday words"
    found = _entities(text)
    assert ("heroin", "COMPOUND") in found and ("cough", "CONDITION") in found


def test_stage_drops_symbol_hit_that_is_an_everyday_word():
    text = "Published March 14, 2024 by a research digest.\n\nKetamine lowered depression scores."
    assert any(text[h.start : h.end] == "March" and h.mode == "symbol" for h in load_lexicon().find(text)), "precondition"
    found = _entities(text)
    assert "March" not in [t for t, _ in found]
    assert ("depression", "CONDITION") in found
