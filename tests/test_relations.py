"""Tests for the relations stage: compound–action–target relations stated in one sentence.

Documents are built by hand with an entities layer whose offsets come from ``str.find``, so these
tests do not depend on the entities stage.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline import layers as L
from pipeline.document import Span
from pipeline.readers import read_bytes
from pipeline.record import assemble_record
from pipeline.recipe import convert_file, run_stages
from pipeline.stages.citations import extract_citations
from pipeline.stages.metadata import extract_metadata
from pipeline.stages._sentences import split_sentences
from pipeline.stages.relations import extract_relations
from pipeline.stages.sections import detect_sections
from pipeline.stages.summary import summarise

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "samples" / "ketamine-psychedelics-explainer.txt"


def _mentions(text: str, terms: dict[str, str]) -> list[Span]:
    """Every occurrence of each term, found with str.find; the longest wins where two overlap."""
    found = []
    for term, label in terms.items():
        start = text.find(term)
        while start >= 0:
            found.append((start, start + len(term), label))
            start = text.find(term, start + len(term))
    spans: list[Span] = []
    for start, end, label in sorted(found, key=lambda f: (f[0], f[0] - f[1])):
        if not spans or start >= spans[-1].end:
            spans.append(Span(start, end, label, {"norm": None, "method": "lexicon", "score": 1.0}))
    return spans


def _doc(text: str, terms: dict[str, str]):
    doc = read_bytes(text.encode("utf-8"), "x.txt")
    return doc.with_layers({L.ENTITIES: _mentions(doc.text, terms)})


def _triples(doc) -> list[tuple[str, str, str]]:
    text = doc.text
    return [
        (text[slice(*r.get("subject"))], r.label, text[slice(*r.get("object"))])
        for r in extract_relations(doc)[L.RELATIONS]
    ]


C, P, W = "COMPOUND", "PROTEIN", "PATHWAY"

STATED = [
    ("Ketamine blocks NMDA receptors.", {"Ketamine": C, "NMDA receptors": P}, ("Ketamine", "blocker", "NMDA receptors")),
    ("Psilocybin activates 5-HT2A receptors in cortex.", {"Psilocybin": C, "5-HT2A": P}, ("Psilocybin", "activator", "5-HT2A")),
    ("Psilocybin is a 5-HT2A agonist.", {"Psilocybin": C, "5-HT2A": P}, ("Psilocybin", "agonist", "5-HT2A")),
    ("LSD is a potent 5-HT2A receptor agonist.", {"LSD": C, "5-HT2A": P}, ("LSD", "agonist", "5-HT2A")),
    ("Rapamycin, an inhibitor of mTOR, extends lifespan in mice.", {"Rapamycin": C, "mTOR": P}, ("Rapamycin", "inhibitor", "mTOR")),
    ("mTOR inhibition by rapamycin slows ageing.", {"rapamycin": C, "mTOR": P}, ("rapamycin", "inhibitor", "mTOR")),
    ("Inhibition of mTOR by a low dose of rapamycin protects podocytes.", {"rapamycin": C, "mTOR": P}, ("rapamycin", "inhibitor", "mTOR")),
    ("In platelets, fluoxetine inhibits SERT.", {"fluoxetine": C, "SERT": P}, ("fluoxetine", "inhibitor", "SERT")),
    ("Patients received the NMDA receptor antagonist ketamine.", {"ketamine": C, "NMDA": P}, ("ketamine", "antagonist", "NMDA")),
    ("Ketamine acts as an antagonist at NMDA receptors.", {"Ketamine": C, "NMDA receptors": P}, ("Ketamine", "antagonist", "NMDA receptors")),
    ("Haloperidol (a D2 antagonist) was given first.", {"Haloperidol": C, "D2": P}, ("Haloperidol", "antagonist", "D2")),
    ("Lithium modulates GSK3B activity in neurons.", {"Lithium": C, "GSK3B": P}, ("Lithium", "modulator", "GSK3B")),
    (
        "CX614, a positive allosteric modulator of AMPA receptors, was tested.",
        {"CX614": C, "AMPA receptors": P},
        ("CX614", "modulator", "AMPA receptors"),
    ),
    ("Aripiprazole is a D2 partial agonist.", {"Aripiprazole": C, "D2": P}, ("Aripiprazole", "partial_agonist", "D2")),
    ("NMDA receptors are blocked by magnesium at rest.", {"magnesium": C, "NMDA receptors": P}, ("magnesium", "blocker", "NMDA receptors")),
    ("Ketamine's antagonism of NMDA receptors underlies its effect.", {"Ketamine": C, "NMDA receptors": P}, ("Ketamine", "antagonist", "NMDA receptors")),
    ("We saw rapamycin-induced mTOR inhibition in cells.", {"rapamycin": C, "mTOR": P}, ("rapamycin", "inhibitor", "mTOR")),
    ("mTOR inhibitors such as everolimus are approved.", {"everolimus": C, "mTOR": P}, ("everolimus", "inhibitor", "mTOR")),
    ("Ketamine, however, blocks NMDA receptors.", {"Ketamine": C, "NMDA receptors": P}, ("Ketamine", "blocker", "NMDA receptors")),
    ("Caffeine binds to adenosine A2A receptors.", {"Caffeine": C, "adenosine A2A receptors": P}, ("Caffeine", "binder", "adenosine A2A receptors")),
    ("Diazepam is a substrate of CYP3A4.", {"Diazepam": C, "CYP3A4": P}, ("Diazepam", "substrate", "CYP3A4")),
    ("Ketamine increases the expression of BDNF.", {"Ketamine": C, "BDNF": P}, ("Ketamine", "upregulator", "BDNF")),
    ("Dexamethasone inhibits IL-2 secretion by T cells.", {"Dexamethasone": C, "IL-2": P}, ("Dexamethasone", "downregulator", "IL-2")),
    ("Ketamine activates the mTOR pathway within hours.", {"Ketamine": C, "mTOR pathway": W}, ("Ketamine", "activator", "mTOR pathway")),
    (
        "Psilocin is a partial agonist at the serotonin 5-HT2A receptor.",
        {"Psilocin": C, "serotonin": C, "5-HT2A receptor": P},
        ("Psilocin", "partial_agonist", "5-HT2A receptor"),
    ),
    ("Ketamine is thought to work through NMDA antagonism.", {"Ketamine": C, "NMDA": P}, ("Ketamine", "antagonist", "NMDA")),
]


@pytest.mark.parametrize("text, terms, expected", STATED, ids=[case[0][:40] for case in STATED])
def test_relations_finds_the_stated_relation(text, terms, expected):
    assert _triples(_doc(text, terms)) == [expected]


NOT_STATED = [
    # no target entity: the reuptake's object is not a PROTEIN mention
    ("Fluoxetine, a selective serotonin reuptake inhibitor, is widely used.", {"Fluoxetine": C, "serotonin": C}),
    ("Rapamycin does not inhibit SERT.", {"Rapamycin": C, "SERT": P}),
    ("Ketamine did not block AMPA receptors in this assay.", {"Ketamine": C, "AMPA receptors": P}),
    ("No inhibition of mTOR by ketamine was seen.", {"ketamine": C, "mTOR": P}),
    # the compound and the target are in different sentences
    ("Ketamine was given to mice. NMDA receptors were then inhibited by the vehicle.", {"Ketamine": C, "NMDA receptors": P}),
    ("Ketamine triggers a rise in glutamate. This, in turn, activates AMPA receptors.", {"Ketamine": C, "glutamate": C, "AMPA receptors": P}),
    # pairing by position is not read, so nothing rather than a wrong pair
    ("Ketamine and psilocybin act as NMDA antagonist and 5-HT2A agonist, respectively.", {"Ketamine": C, "psilocybin": C, "NMDA": P, "5-HT2A": P}),
    # a compound named as a foil is not the subject
    ("Unlike ketamine, psilocybin has no affinity for 5-HT2A receptors.", {"psilocybin": C, "ketamine": C, "5-HT2A": P}),
    # a mechanism word with no compound mention in reach
    ("The mTOR pathway is activated within hours of treatment.", {"mTOR pathway": W}),
    ("Depression is linked to BDNF loss.", {"BDNF": P, "Depression": "CONDITION"}),
]


@pytest.mark.parametrize("text, terms", NOT_STATED, ids=[case[0][:40] for case in NOT_STATED])
def test_relations_ignores_what_is_not_stated(text, terms):
    assert _triples(_doc(text, terms)) == []


CONTRASTS = [
    (
        "The authors note different primary receptors (e.g., NMDA antagonism in ketamine vs. 5-HT2A agonism in psilocybin), yet similar effects.",
        [("ketamine", "antagonist", "NMDA"), ("psilocybin", "agonist", "5-HT2A")],
    ),
    (
        "Ketamine is an NMDA antagonist whereas psilocybin is a 5-HT2A agonist.",
        [("Ketamine", "antagonist", "NMDA"), ("psilocybin", "agonist", "5-HT2A")],
    ),
    (
        "Ketamine blocks NMDA receptors; psilocybin activates 5-HT2A receptors.",
        [("Ketamine", "blocker", "NMDA"), ("psilocybin", "activator", "5-HT2A")],
    ),
]


@pytest.mark.parametrize("text, expected", CONTRASTS, ids=["vs", "whereas", "semicolon"])
def test_relations_pairs_each_action_within_its_own_clause(text, expected):
    terms = {"ketamine": C, "Ketamine": C, "psilocybin": C, "NMDA": P, "5-HT2A": P}
    assert _triples(_doc(text, terms)) == expected


def test_relations_expands_coordinated_compounds_and_targets():
    doc = _doc("Ketamine and esketamine block NMDA and AMPA receptors.", {"Ketamine": C, "esketamine": C, "NMDA": P, "AMPA": P})
    assert _triples(doc) == [
        ("Ketamine", "blocker", "NMDA"),
        ("Ketamine", "blocker", "AMPA"),
        ("esketamine", "blocker", "NMDA"),
        ("esketamine", "blocker", "AMPA"),
    ]


def test_relations_deduplicates_a_fact_repeated_in_one_sentence():
    text = "Ketamine blocks NMDA receptors, and at higher doses ketamine blocks NMDA receptors in every region."
    doc = _doc(text, {"Ketamine": C, "ketamine": C, "NMDA receptors": P})
    assert _triples(doc) == [("Ketamine", "blocker", "NMDA receptors")]


def test_relations_keeps_the_same_fact_in_different_sentences():
    text = "Ketamine blocks NMDA receptors. Later, ketamine blocks NMDA receptors again."
    doc = _doc(text, {"Ketamine": C, "ketamine": C, "NMDA receptors": P})
    assert len(_triples(doc)) == 2


def test_relations_span_is_the_sentence_and_points_at_entity_offsets():
    text = "Intro line here.\nIn rats, ketamine blocks NMDA receptors. Nothing else happens."
    doc = _doc(text, {"ketamine": C, "NMDA receptors": P})
    (relation,) = extract_relations(doc)[L.RELATIONS]
    entity_offsets = {(e.start, e.end) for e in doc.layer(L.ENTITIES)}
    assert doc.text[relation.start : relation.end] == "In rats, ketamine blocks NMDA receptors."
    assert tuple(relation.get("subject")) in entity_offsets
    assert tuple(relation.get("object")) in entity_offsets
    assert relation.get("method") == "pattern"
    assert 0 < relation.get("score") <= 1


def test_relations_tight_patterns_score_higher_than_loose_ones():
    tight = extract_relations(_doc("Rapamycin, an inhibitor of mTOR, was used.", {"Rapamycin": C, "mTOR": P}))[L.RELATIONS]
    loose = extract_relations(_doc("Rapamycin slows growth through mTOR inhibition.", {"Rapamycin": C, "mTOR": P}))[L.RELATIONS]
    assert tight[0].get("score") > loose[0].get("score")


@pytest.mark.parametrize(
    "terms",
    [{}, {"ketamine": C}, {"NMDA receptors": P}],
    ids=["no entities", "compound only", "target only"],
)
def test_relations_needs_a_compound_and_a_target(terms):
    doc = _doc("ketamine blocks NMDA receptors.", terms)
    assert extract_relations(doc) == {L.RELATIONS: []}


def test_relations_record_validates_with_relations():
    text = "Mechanisms\nKetamine blocks NMDA receptors, and psilocybin is a 5-HT2A agonist.\n"
    terms = {"Ketamine": C, "psilocybin": C, "NMDA receptors": P, "5-HT2A": P}

    def hand_made_entities(doc):
        return {L.ENTITIES: _mentions(doc.text, terms)}

    stages = (
        (detect_sections, L.SECTIONS),
        (extract_metadata, L.METADATA),
        (extract_citations, L.CITATIONS),
        (hand_made_entities, L.ENTITIES),
        (extract_relations, L.RELATIONS),
        (summarise, L.SUMMARY),
    )
    record = assemble_record(run_stages(read_bytes(text.encode(), "x.txt"), stages))
    by_id = {e["id"]: e["text"] for e in record["entities"]}
    assert [(by_id[r["subject"]], r["action"], by_id[r["object"]]) for r in record["relations"]] == [
        ("Ketamine", "blocker", "NMDA receptors"),
        ("psilocybin", "agonist", "5-HT2A"),
    ]


def test_relations_is_deterministic():
    text = "Ketamine blocks NMDA receptors; psilocybin activates 5-HT2A receptors. Rapamycin, an mTOR inhibitor, too."
    terms = {"Ketamine": C, "psilocybin": C, "Rapamycin": C, "NMDA": P, "5-HT2A": P, "mTOR": P}
    assert extract_relations(_doc(text, terms)) == extract_relations(_doc(text, terms))


def test_relations_handles_a_megabyte_text():
    # speed is measured in bench/, never asserted here; this guards correctness at scale
    paragraph = (
        "Ketamine, an antagonist of NMDA receptors, and psilocybin, a 5-HT2A agonist, were compared (e.g., in rats vs. mice). "
        "Rapamycin inhibits mTOR while fluoxetine, which is widely prescribed, does not block SERT in assays by Dr. A. Smith et al. "
        "Long sentences without any entities go on with many words, commas, and clauses, but they must stay cheap to scan.\n"
    )
    text = paragraph * (1_000_000 // len(paragraph))
    doc = _doc(text, {"Ketamine": C, "psilocybin": C, "Rapamycin": C, "fluoxetine": C, "NMDA": P, "5-HT2A": P, "mTOR": P, "SERT": P})
    relations = extract_relations(doc)[L.RELATIONS]
    assert len(relations) == 3 * text.count("\n")


SENTENCES = [
    ("One. Two.", ["One.", "Two."]),
    ("See e.g. Smith. Then more.", ["See e.g. Smith.", "Then more."]),
    ("NMDA antagonism in ketamine vs. 5-HT2A agonism. Next.", ["NMDA antagonism in ketamine vs. 5-HT2A agonism.", "Next."]),
    ("By R. S. Duman et al. In 2022 it grew.", ["By R. S. Duman et al. In 2022 it grew."]),
    ("Dose was 2.5 mg. It worked!", ["Dose was 2.5 mg.", "It worked!"]),
    ("Title line\nBody starts here. And ends.", ["Title line", "Body starts here.", "And ends."]),
    ("A wrapped sentence that goes on\nacross two lines. Done.", ["A wrapped sentence that goes on\nacross two lines.", "Done."]),
    ("A list follows:\n- first item\n- second item", ["A list follows:", "- first item", "- second item"]),
    ("He asked why? She said \"Yes.\" Then left.", ["He asked why?", "She said \"Yes.\"", "Then left."]),
    ("", []),
]


@pytest.mark.parametrize("text, expected", SENTENCES, ids=[case[0][:30] or "empty" for case in SENTENCES])
def test_relations_split_sentences(text, expected):
    assert [text[s:e] for s, e in split_sentences(text)] == expected


def test_relations_seed_states_the_two_mechanisms():
    record = convert_file(SEED)
    by_id = {e["id"]: e["text"].lower() for e in record["entities"]}
    found = {(by_id[r["subject"]], r["action"], by_id[r["object"]]) for r in record["relations"]}
    assert ("ketamine", "antagonist", "nmda") in found
    assert ("psilocybin", "agonist", "5-ht2a") in found


# --------------------------------------------------------------------------------------------
# The classifier behind the patterns (pipeline/data/relations, scripts/train_relations.py)
# --------------------------------------------------------------------------------------------

MODEL_STATED = [
    ("Omeprazole is metabolized mainly by CYP2C19 in the liver.", {"Omeprazole": C, "CYP2C19": P}, ("Omeprazole", "substrate", "CYP2C19")),
]


@pytest.mark.parametrize("text, terms, expected", MODEL_STATED, ids=[case[0][:40] for case in MODEL_STATED])
def test_relations_model_reads_what_no_pattern_reads(text, terms, expected):
    relations = extract_relations(_doc(text, terms))[L.RELATIONS]
    assert _triples(_doc(text, terms)) == [expected]
    assert relations[0].get("method") == "model"
    assert 0 < relations[0].get("score") <= 1


MODEL_SILENT = [
    # no action word near the pair: every ChemProt sentence states a relation, real text does not
    ("Plasma ketamine and BDNF were measured at baseline.", {"ketamine": C, "BDNF": P}),
    # pathways are not what the model learned on (ChemProt has proteins only)
    ("Ketamine administration changed the mTOR pathway in rats.", {"Ketamine": C, "mTOR pathway": W}),
    # negated
    ("Omeprazole was not metabolized by CYP3A4.", {"Omeprazole": C, "CYP3A4": P}),
]


@pytest.mark.parametrize("text, terms", MODEL_SILENT, ids=[case[0][:40] for case in MODEL_SILENT])
def test_relations_model_stays_silent_without_a_stated_action(text, terms):
    assert _triples(_doc(text, terms)) == []


def test_relations_pattern_wins_over_model_for_the_same_pair():
    relations = extract_relations(_doc("Rapamycin, an inhibitor of mTOR, was used.", {"Rapamycin": C, "mTOR": P}))[L.RELATIONS]
    assert [(r.label, r.get("method")) for r in relations] == [("inhibitor", "pattern")]


def test_relations_model_is_small_and_says_what_made_it():
    import json

    folder = ROOT / "pipeline" / "data" / "relations"
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    assert (folder / "model.json.gz").stat().st_size <= 10 * 1024 * 1024
    assert len(meta["trained_on"]["sha256"]) == 64 and meta["trained_on"]["path"].endswith("train.jsonl")
    assert 0 < meta["threshold"] < 1


def test_relations_chemprot_reader_types_each_pair_by_the_votes():
    import sys

    sys.path.insert(0, str(ROOT / "eval"))
    from chemprot import _type_sides, _unmark

    text, first, second = _unmark("The << D2 receptor >> antagonist [[ haloperidol ]] was given.")
    assert text == "The D2 receptor antagonist haloperidol was given."
    assert text[slice(*first)] == "D2 receptor" and text[slice(*second)] == "haloperidol"
    # the markers give text order; the votes (our entity stage) decide which one is the chemical
    assert _type_sides(text, [(first, second, "ANTAGONIST")], {first: -1, second: 1}) == {second}
    assert _type_sides(text, [(first, second, "ANTAGONIST")], {first: 1, second: -1}) == {first}
    # one chemical related to two proteins: both proteins land on the other side
    third = (0, 3)
    assert _type_sides(text, [(first, second, "X"), (third, second, "X")], {second: 1}) == {second}


def test_relations_foil_is_never_the_subject():
    doc = _doc("Psilocybin, unlike ketamine, activates 5-HT2A receptors.", {"Psilocybin": C, "ketamine": C, "5-HT2A": P})
    assert [t for t in _triples(doc) if t[0] == "ketamine"] == []
