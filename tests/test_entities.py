"""Tests for the entities stage: labels, overlaps, abbreviations, case rules, skipped spans, the seed."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline import convert_file
from pipeline import layers as L
from pipeline.document import Span
from pipeline.readers import read_bytes
from pipeline.recipe import STAGES, run_stages
from pipeline.stages.citations import extract_citations
from pipeline.stages.entities import extract_entities
from pipeline.stages.metadata import extract_metadata
from pipeline.stages.sections import detect_sections

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "samples" / "ketamine-psychedelics-explainer.txt"


def _doc(text: str):
    doc = read_bytes(text.encode("utf-8"), "x.txt")
    return run_stages(doc, STAGES[:3])  # sections, metadata, citations: what entities read


def _entities(text: str) -> list[tuple[str, str, str]]:
    doc = _doc(text)
    return [(s.text_in(text), s.label, s.get("method")) for s in extract_entities(doc)[L.ENTITIES]]


def _labelled(text: str) -> dict[str, str]:
    return {mention: label for mention, label, _ in _entities(text)}


@pytest.mark.parametrize(
    "sentence, mention, label",
    [
        ("Patients received ketamine before surgery.", "ketamine", "COMPOUND"),
        ("Serotonin and dopamine levels were measured.", "Serotonin", "COMPOUND"),
        ("Rapamycin was given daily.", "Rapamycin", "COMPOUND"),
        ("Extracellular glutamate rose quickly.", "glutamate", "COMPOUND"),
        ("Levels of BDNF increased in serum.", "BDNF", "PROTEIN"),
        ("The drug acts on NMDA receptors in the cortex.", "NMDA receptors", "PROTEIN"),
        ("Signalling through TrkB was enhanced.", "TrkB", "PROTEIN"),
        ("Agonists of the dopamine D2 receptor were compared.", "dopamine D2 receptor", "PROTEIN"),
        ("Psilocin binds 5-HT2A receptors.", "5-HT2A receptors", "PROTEIN"),
        ("Activation of the Wnt/beta-catenin pathway was observed.", "Wnt/beta-catenin pathway", "PATHWAY"),
        ("We examined mTOR signalling in neurons.", "mTOR signalling", "PATHWAY"),
        ("BDNF-TrkB signaling was restored.", "BDNF-TrkB signaling", "PATHWAY"),
        ("The MAPK/ERK cascade is activated by growth factors.", "MAPK/ERK cascade", "PATHWAY"),
        ("Chronic stress impairs synaptogenesis in rodents.", "synaptogenesis", "PROCESS"),
        ("Long-term potentiation was blocked.", "Long-term potentiation", "PROCESS"),
        ("Drugs that promote structural plasticity were tested.", "structural plasticity", "PROCESS"),
        ("Neurogenesis declines with age.", "Neurogenesis", "PROCESS"),
        ("Neurons of the prefrontal cortex were recorded.", "prefrontal cortex", "ANATOMY"),
        ("Lesions of the amygdala were made.", "amygdala", "ANATOMY"),
        ("Spine density in the hippocampus increased.", "hippocampus", "ANATOMY"),
        ("Patients with schizophrenia were excluded.", "schizophrenia", "CONDITION"),
        ("Symptoms of PTSD improved.", "PTSD", "CONDITION"),
        ("Comorbid anxiety was common.", "anxiety", "CONDITION"),
        ("Epilepsy was an exclusion criterion.", "Epilepsy", "CONDITION"),
    ],
)
def test_entities_finds_each_label(sentence, mention, label):
    assert _labelled(sentence).get(mention) == label


@pytest.mark.parametrize(
    "sentence, longest, label, shorter",
    [
        ("It is approved for treatment-resistant depression in adults.", "treatment-resistant depression", "CONDITION", "depression"),
        ("The mTOR pathway regulates growth.", "mTOR pathway", "PATHWAY", "mTOR"),
        ("Ketamine activates AMPA receptors indirectly.", "AMPA receptors", "PROTEIN", "AMPA"),
        ("Long-term depression was induced.", "Long-term depression", "PROCESS", "depression"),
    ],
)
def test_entities_longest_match_wins(sentence, longest, label, shorter):
    found = _labelled(sentence)
    assert found.get(longest) == label
    assert shorter not in found


@pytest.mark.parametrize(
    "text, short, long, label",
    [
        ("Levels of brain-derived neurotrophic factor (BDNF) rose. Later, BDNF fell.", "BDNF", "brain-derived neurotrophic factor", "PROTEIN"),
        ("Increase the production of BDNF (Brain-Derived Neurotrophic Factor) in rats. BDNF then fell.", "BDNF", "Brain-Derived Neurotrophic Factor", "PROTEIN"),
        ("Activity in the Default Mode Network (DMN) fell. The DMN is a brain network.", "DMN", "Default Mode Network", "ANATOMY"),
        ("Patients with obsessive-compulsive disorder (OCD) were enrolled. OCD scores fell.", "OCD", "obsessive-compulsive disorder", "CONDITION"),
    ],
)
def test_entities_abbreviation_in_both_orders_labels_every_occurrence(text, short, long, label):
    out = extract_entities(_doc(text))
    [abbreviation] = out[L.ABBREVIATIONS]
    assert abbreviation.text_in(text) == short
    assert text[abbreviation.get("long_start") : abbreviation.get("long_end")] == long == abbreviation.get("long")
    shorts = [s for s in out[L.ENTITIES] if s.text_in(text) == short]
    assert len(shorts) == 2
    assert {(s.label, s.get("method")) for s in shorts} == {(label, "abbreviation")}


def test_entities_short_form_keeps_lexicon_hit_when_long_form_is_no_entity():
    text = "Rapamycin inhibits mTOR (mechanistic Target of Rapamycin) in cells."
    out = extract_entities(_doc(text))
    assert [a.text_in(text) for a in out[L.ABBREVIATIONS]] == ["mTOR"]
    [mtor] = [s for s in out[L.ENTITIES] if s.text_in(text) == "mTOR"]
    assert mtor.label == "PROTEIN"
    assert mtor.get("method") in ("lexicon", "model")  # not "abbreviation": the long form is no entity


@pytest.mark.parametrize(
    "sentence, mention, label",
    [
        ("NMDA antagonism underlies the effect.", "NMDA", "PROTEIN"),
        ("NMDA was applied to the slice.", "NMDA", "COMPOUND"),
        ("ATP release was measured.", "ATP", "COMPOUND"),
        ("mTOR was phosphorylated.", "mTOR", "PROTEIN"),
    ],
)
def test_entities_context_and_case_decide_label(sentence, mention, label):
    assert _labelled(sentence).get(mention) == label


@pytest.mark.parametrize(
    "sentence, word",
    [
        ("The ace of spades was drawn.", "ace"),
        ("Cite the DOI and the PMID of the study.", "DOI"),
        ("Cite the DOI and the PMID of the study.", "PMID"),
        ("Made in the USA.", "USA"),
        ("CAN bus messages.", "CAN"),
        ("we studied mtor in text written in lower case.", "mtor"),
    ],
)
def test_entities_case_rules_reject_words(sentence, word):
    assert word not in _labelled(sentence)


@pytest.mark.parametrize(
    "word",
    ["Can", "Set", "Impact", "Therapy", "Reference", "Study", "Link", "Data", "Aim", "Cell", "Lead", "Canada",
     "PubMed", "Drug", "Disease", "Protein", "Pathway", "Receptor", "Network", "Cascade"],
)
def test_entities_common_words_are_not_entities(word):
    for text in (f"{word} was mentioned here.", f"The {word.lower()} was mentioned here."):
        assert _entities(text) == []


@pytest.mark.parametrize(
    "sentence, trap",
    [
        ("The FDA approved esketamine nasal spray in 2019.", "FDA"),
        ("Depression severity on the MADRS fell within a day.", "MADRS"),
        ("We searched PubMed for trials of ketamine.", "PubMed"),
        ("The trial was published in Nature last year.", "Nature"),
        ("Cite the DOI of the psilocybin trial, not its title.", "DOI"),
        ("Mindwave Therapy opened a ketamine clinic in Canada.", "Mindwave Therapy"),
        ("Mindwave Therapy opened a ketamine clinic in Canada.", "Canada"),
        ("The NIH funded the MDMA study.", "NIH"),
    ],
)
def test_entities_traps_are_never_entities(sentence, trap):
    found = _labelled(sentence)
    assert not any(trap in mention or mention in trap.split() for mention in found), found


def test_entities_skip_journal_url_and_doi_spans():
    text = "Published in Journal of Ketamine Research. See https://example.org/ketamine and 10.1000/ketamine.1 for ketamine."
    start = text.index("Journal")
    journal = Span(start, start + len("Journal of Ketamine Research"), "journal", {"value": "Journal of Ketamine Research", "primary": True})
    # The journal span is built by hand so the test does not depend on the metadata stage's rules.
    doc = read_bytes(text.encode("utf-8"), "x.txt").with_layers({L.METADATA: [journal]})
    found = [(s.start, s.text_in(text)) for s in extract_entities(doc)[L.ENTITIES]]
    assert found == [(text.rindex("ketamine"), "ketamine")]


def test_entities_spans_are_plain_and_deterministic():
    text = SEED.read_text(encoding="utf-8")
    first = extract_entities(_doc(text))
    second = extract_entities(_doc(text))
    assert first == second
    for span in first[L.ENTITIES]:
        assert span.label in L.ENTITY_LABELS
        assert set(span.attrs) == {"norm", "method", "score"}
        assert span.get("method") in L.ENTITY_METHODS
        norm = span.get("norm")
        assert norm is None or {type(v) for v in norm.values()} == {str}


SEED_BAR = [
    ("ketamine", "COMPOUND"), ("psilocybin", "COMPOUND"), ("MDMA", "COMPOUND"), ("LSD", "COMPOUND"),
    ("glutamate", "COMPOUND"), ("BDNF", "PROTEIN"), ("AMPA receptors", "PROTEIN"), ("mTOR", "PROTEIN"),
    ("mTOR Pathway", "PATHWAY"), ("synaptogenesis", "PROCESS"), ("neuroplasticity", "PROCESS"),
    ("Synaptic Plasticity", "PROCESS"), ("prefrontal cortex", "ANATOMY"), ("hippocampus", "ANATOMY"),
    ("Default Mode Network", "ANATOMY"), ("depression", "CONDITION"), ("PTSD", "CONDITION"),
    ("Anxiety", "CONDITION"), ("treatment-resistant depression", "CONDITION"), ("NMDA", "PROTEIN"),
    ("5-HT2A", "PROTEIN"),
]


def test_entities_seed_record_meets_the_bar():
    record = convert_file(SEED)
    found = {(e["text"], e["label"]) for e in record["entities"]}
    missing = [pair for pair in SEED_BAR if pair not in found]
    assert missing == []
    texts = {e["text"] for e in record["entities"]}
    assert not texts & {"Flowstate Therapy", "Flowstate", "Therapy", "PubMed", "Canada"}
