"""PATHWAY, PROCESS and ANATOMY mentions follow docs/annotation-guideline.md on hand-written sentences."""

from __future__ import annotations

import pytest

from pipeline import layers as L
from pipeline.readers import read_bytes
from pipeline.recipe import run_stages


def _mentions(text: str) -> set[tuple[str, str]]:
    doc = run_stages(read_bytes(text.encode("utf-8"), "t.txt"))
    return {(text[s.start : s.end], s.label) for s in doc.layer(L.ENTITIES)}


@pytest.mark.parametrize(
    "text, mention",
    [
        ("Signals pass through the p38 MAP kinase cascade in worms.", ("p38 MAP kinase cascade", "PATHWAY")),
        ("Ligands trigger MyD88-dependent signaling in macrophages.", ("MyD88-dependent signaling", "PATHWAY")),
        ("This is a primary event in the apoptotic signaling cascade.", ("apoptotic signaling cascade", "PATHWAY")),
        ("Livers switch between glycolysis and fatty acid oxidation.", ("glycolysis", "PATHWAY")),
        ("Lesions are removed by the base excision repair pathway in yeast.", ("base excision repair pathway", "PATHWAY")),
        ("We saw shallow Toll signaling gradients in embryos.", ("Toll signaling", "PATHWAY")),
        ("Perforin induction by natural killer cells rose.", ("natural killer cells", "ANATOMY")),
        ("We cultured hippocampal neurons for ten days.", ("hippocampal neurons", "ANATOMY")),
        ("Inflammatory macrophages secreted cytokines.", ("macrophages", "ANATOMY")),
        ("The drug inhibited endothelial proliferation in vitro.", ("endothelial proliferation", "PROCESS")),
        ("Stress changed gene transcription in the worms.", ("gene transcription", "PROCESS")),
        ("The livers of treated mice were larger.", ("livers", "ANATOMY")),
    ],
)
def test_mechanism_mentions_found(text, mention):
    assert mention in _mentions(text)


def test_mechanism_abbreviation_of_a_cell_type_covers_its_singular():
    text = "Neural stem cells (NSCs) divide. NSC dynamics differ between NSCs of young rosettes."
    found = _mentions(text)
    assert ("Neural stem cells", "ANATOMY") in found
    assert ("NSC", "ANATOMY") in found and ("NSCs", "ANATOMY") in found


@pytest.mark.parametrize(
    "text, word",
    [
        ("Blood was drawn at baseline and urine was collected.", "Blood"),
        ("Blood was drawn at baseline and urine was collected.", "urine"),
        ("We studied how these divergent signaling pathways are integrated.", "signaling pathways"),
        ("Immune cells expressed seven transmembrane receptors.", "transmembrane"),
        ("LPS-stimulated THP-1 cells released TNF.", "THP-1 cells"),
        ("Decreased BDNF may contribute to the pathogenesis of schizophrenia.", "pathogenesis"),
    ],
)
def test_mechanism_traps_are_not_mentions(text, word):
    assert not any(m == word and label in ("PATHWAY", "PROCESS", "ANATOMY") for m, label in _mentions(text))


def test_mechanism_reactome_top_level_names_keep_the_prose_label():
    found = _mentions("The immune system tailors gene expression; apoptosis follows.")
    assert ("immune system", "ANATOMY") in found
    assert ("gene expression", "PROCESS") in found
    assert ("apoptosis", "PROCESS") in found
