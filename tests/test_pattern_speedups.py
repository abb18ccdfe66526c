"""The entity patterns' speed-ups change nothing: lexeme flags match as the Matcher's own tests do,
and the word-by-word trigger finder finds what the single regular expression it replaced found."""

from __future__ import annotations

import re

import pytest

from pipeline.stages import _entity_patterns as P

#: The trigger expression ``trigger_spans`` replaced (kept here as the reference it must equal).
REFERENCE_TRIGGER_RE = re.compile(
    r"(?i:\b(?:(?:auto)?receptors?|transporters?|signall?ing|pathways?|cascades?|plasticity|\w+genesis"
    r"|potentiation|depression|facilitation|\w+lysis|cells?|lymphocytes?|leukocytes?|neurons?|\w+(?:cytes?|blasts?|phages?|phils?)"
    r"|microglia|astroglia|oligodendroglia|platelets|tregs?|proliferation|differentiation|migration|maintenance|deaths?"
    r"|survival|activation|specification|fate|expression|transcription|translation|repair|replication|synthesis"
    r"|silencing|folding)\b)|HT\d|\b(?:NMDA|AMPA|GABA[AB]?|[Kk]ainate|nicotinic|muscarinic)\b"
)

TEXTS = [
    "Ketamine blocks NMDA receptors; 5-HT2A and 5HT1A autoreceptors; GABAA, GABAB and GABA-A.",
    "Neurogenesis, synaptogenesis and glycolysis; hepatocytes, osteoblasts, macrophages, neutrophils.",
    "Cells, CELL, cell-cycle; T cells and Tregs; mTOR signalling via the Wnt/beta-catenin pathway.",
    "genesis lysis cyte phage: bare endings are no triggers; Kainate and kainate; KAINATE is none.",
    "LTP (long-term potentiation) and LTD (long-term depression); gene expression and DNA repair.",
    "HT2 inside words: 5HT2C, sHT3x; deaths, survival, fate, specification, cascades, platelets.",
]


@pytest.mark.parametrize("text", TEXTS)
def test_trigger_spans_equal_the_reference_expression(text):
    assert P.trigger_spans(text) == [m.span() for m in REFERENCE_TRIGGER_RE.finditer(text)]


TRICKY = [
    "İstanbul cells, CELLS_x cells2 _cells xcells cellsx; Σ cells; ΣΣ receptors", "neurogenesisx 5HT2AHT3 HT3x2HT4",
    "lymphocytes cytes ocytes: cyte-blast phages phils", "NMDAR NMDA_ NMDA- GABAA GABAAA Kainate KAINATE", "",
    "receptorreceptor receptor\u00e9 \u0130cells \u2160cells cells\u0663", "HT HT2 5-HT1A autoreceptors", "\u212a cells",
]


@pytest.mark.parametrize("text", TRICKY)
def test_trigger_spans_equal_the_reference_expression_at_word_edges(text):
    # str.find with word-edge checks must read words exactly as the expression's \w+ does
    assert P.trigger_spans(text) == [m.span() for m in REFERENCE_TRIGGER_RE.finditer(text)]


def test_trigger_spans_equal_the_reference_expression_on_random_text():
    hypothesis = pytest.importorskip("hypothesis", reason="hypothesis (the test extra) generates the inputs")
    from hypothesis import strategies as st

    pieces = st.sampled_from(["cells", "CELL", "receptors", "genesis", "neuro", "cytes", "HT", "2", "NMDA", "kainate",
                              "_", "-", " ", "é", "İ", "Σ", "\u0663", "x", ",", "\n", "signalling", "phages", "lysis"])

    @hypothesis.settings(max_examples=300, deadline=None, derandomize=True)
    @hypothesis.given(st.lists(pieces, max_size=12).map("".join))
    def check(text):
        assert P.trigger_spans(text) == [m.span() for m in REFERENCE_TRIGGER_RE.finditer(text)]

    check()


def test_trigger_spans_equal_the_reference_expression_on_the_samples():
    from pathlib import Path

    samples = Path(__file__).resolve().parents[1] / "samples"
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in sorted(samples.iterdir()) if p.is_file()]
    assert texts
    for text in texts:
        assert P.trigger_spans(text) == [m.span() for m in REFERENCE_TRIGGER_RE.finditer(text)]


def test_lexeme_flags_match_as_the_matchers_own_tests_do():
    import spacy
    from spacy.matcher import Matcher

    text = " ".join(TEXTS) + (
        " dendritic cells, CD4+ T lymphocytes, neural stem cells, hippocampal neurons; MyD88-dependent"
        " signaling, the p38 MAP kinase cascade, shallow Toll signaling, NMDA antagonism, dopamine D2"
        " receptors, glycolytic-gluconeogenic pathway, endothelial proliferation, necrotic cell deaths,"
        " spike-timing-dependent plasticity, experience dependent plasticity, short-term facilitation."
    )
    results = []
    for flagged in (False, True):
        nlp = spacy.blank("en")
        matcher = Matcher(nlp.vocab, validate=not flagged)
        patterns = P.with_lexeme_flags(nlp.vocab, P.PATTERNS) if flagged else P.PATTERNS
        for name, alternatives in patterns.items():
            matcher.add(name, alternatives, greedy="LONGEST")
        doc = nlp.make_doc(text)
        results.append(sorted((nlp.vocab.strings[m], s, e) for m, s, e in matcher(doc)))
    assert results[0] == results[1]
    assert len(results[0]) > 20


def test_a_flag_holds_every_part_of_its_test():
    holds = P._word_test(str.lower, {"REGEX": r"genesis$", "NOT_IN": ["pathogenesis"]})
    assert holds("Neurogenesis") and not holds("pathogenesis") and not holds("neurons")
    member = P._word_test(lambda w: w, {"IN": ["NMDA"]})
    assert member("NMDA") and not member("nmda")


def test_engine_words_carry_only_the_attributes_the_patterns_read_and_match_the_same():
    # the entity engine's vocabulary computes only the flags and the attributes the patterns name
    # (keep_lexeme_attributes, for speed): a fresh engine must match as a vocabulary with every
    # English attribute does, on words it has never seen
    import spacy
    from spacy.attrs import LIKE_NUM, LOWER
    from spacy.matcher import Matcher

    from pipeline.stages import entities as E

    text = " ".join(TEXTS) + " Frobnicin receptors, Quuxase signalling; the Blorp pathway; Zibbogenesis."
    E._engine.cache_clear()
    engine = E._engine()
    assert LOWER in engine.nlp.vocab.lex_attr_getters and LIKE_NUM not in engine.nlp.vocab.lex_attr_getters
    doc = engine.nlp.make_doc(text)
    trimmed = sorted((engine.nlp.vocab.strings[m], s, e) for m, s, e in engine.matcher(doc))
    nlp = spacy.blank("en")
    matcher = Matcher(nlp.vocab, validate=False)
    for name, alternatives in P.with_lexeme_flags(nlp.vocab, P.PATTERNS).items():
        matcher.add(name, alternatives, greedy="LONGEST")
    reference = sorted((nlp.vocab.strings[m], s, e) for m, s, e in matcher(nlp.make_doc(text)))
    assert trimmed == reference
    new_word_matches = {doc[s:e].text for _name, s, e in trimmed}
    assert "Zibbogenesis" in new_word_matches and any("Blorp" in m for m in new_word_matches)
    assert len(trimmed) >= 20
