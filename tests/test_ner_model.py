"""Tests for the statistical NER models: the tokenizer, loading, a clear error when missing, mentions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline import layers as L
from pipeline.errors import ModelMissingError, UsageError
from pipeline.readers import read_bytes
from pipeline.stages import _ner_model as M
from pipeline.stages.entities import extract_entities


@pytest.fixture(scope="module")
def vocab():
    import spacy

    return spacy.blank("en").vocab


@pytest.mark.parametrize(
    "text, words",
    [
        ("5-HT2A receptors", ["5", "-", "HT2A", "receptors"]),
        ("[3H]-naloxone binding", ["[", "3H", "]", "-", "naloxone", "binding"]),
        ("Ca(2+) influx.", ["Ca", "(", "2", "+", ")", "influx", "."]),
    ],
)
def test_fine_tokenizer_splits_punctuation(vocab, text, words):
    assert [t.text for t in M.FineTokenizer(vocab)(text)] == words


@pytest.mark.parametrize("text", ["  leading and  double  spaces ", "line\n\nbreaks\tand tabs", "", "   "])
def test_fine_tokenizer_keeps_every_character(vocab, text):
    assert M.FineTokenizer(vocab)(text).text == text


def test_missing_model_gives_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(M, "MODELS_DIR", tmp_path)
    M._load.cache_clear()
    try:
        with pytest.raises(ModelMissingError) as caught:
            M.load_models()
        assert caught.value.code == "P903"
        assert "make models" in str(caught.value)
    finally:
        monkeypatch.undo()
        M._load.cache_clear()


def test_committed_models_load_and_find_mentions():
    text = "Naloxone reversed the hypotension caused by clonidine in patients with BRCA1 mutations."
    found = {(text[m.start : m.end], m.label) for m in M.find_mentions(text)}
    assert ("clonidine", "COMPOUND") in found
    assert ("hypotension", "CONDITION") in found
    assert any("BRCA1" in mention and label == "PROTEIN" for mention, label in found)


def test_chunks_cover_the_text_exactly():
    text = ("Ketamine was given. " * 3000) + "\n" + ("Psilocybin too. " * 10)
    pieces = list(M._chunks(text))
    assert "".join(chunk for _, chunk in pieces) == text
    assert all(text[offset : offset + len(chunk)] == chunk for offset, chunk in pieces)
    assert len(pieces) > 1


def test_model_mentions_carry_lexicon_ids_and_method():
    text = "Clonidine lowered blood pressure in hypertensive rats."
    doc = read_bytes(text.encode("utf-8"), "x.txt")
    spans = {s.text_in(text): s for s in extract_entities(doc)[L.ENTITIES]}
    clonidine = spans["Clonidine"]
    assert clonidine.label == "COMPOUND"
    assert clonidine.get("method") == "model"
    assert clonidine.get("norm")["db"] == "MESH"


def test_longer_lexicon_hit_replaces_the_model_mentions_it_contains():
    from pipeline.stages.entities import Candidate, _longer_lexicon_hits_win

    model = [M.ModelSpan(0, 7, "COMPOUND", "ner_cdr"), M.ModelSpan(20, 30, "CONDITION", "ner_cdr")]
    longer = Candidate(0, 17, "COMPOUND", None, "lexicon", 0.9)  # "lithium carbonate" over "lithium"
    shorter = Candidate(20, 25, "CONDITION", None, "lexicon", 0.9)  # inside a longer model mention
    kept, winners = _longer_lexicon_hits_win(model, [longer, shorter])
    assert winners == [longer]
    assert kept == [model[1]]


def test_trap_rule_drops_a_piece_cut_from_a_number_hyphen_name():
    from pipeline.stages.entities import _is_trap

    text = "5-HT levels and FDA approval of HT in Hormone therapy"
    assert _is_trap(text, 2, 4)  # "HT" of "5-HT"
    assert _is_trap(text, text.index("FDA"), text.index("FDA") + 3)
    assert not _is_trap(text, text.index("HT in"), text.index("HT in") + 2)


def test_fine_words_and_spaces_rebuild_the_text():
    text = "  Ketamine (NMDA)  and\n\n5-HT2A\tagonists. "
    words, spaces = M.fine_words_and_spaces(text)
    assert "".join(w + (" " if s else "") for w, s in zip(words, spaces)) == text
    assert "Ketamine" in words and "HT2A" in words


def test_batched_mentions_equal_each_model_run_on_each_chunk_alone():
    text = ("Clonidine caused hypotension in rats with BRCA1 mutations.\n\n" * 40) + "Lithium toxicity. " * 1200
    pieces = list(M._chunks(text))
    assert len(pieces) > 1
    expected = sorted(
        (offset + e.start_char, offset + e.end_char, e.label_, name)
        for nlp, name in zip(M.load_models(), M.active_model_names())
        for offset, chunk in pieces
        for e in nlp(chunk).ents
    )
    assert [(m.start, m.end, m.label, m.model) for m in M.find_mentions(text)] == expected
    assert expected



@pytest.mark.parametrize("choice, names", [("separate", ("ner_cdr", "ner_gene")), ("combined", ("ner_all",))])
def test_model_set_follows_the_environment(monkeypatch, choice, names):
    monkeypatch.setenv(M.MODEL_SET_ENV, choice)
    assert M.active_model_names() == names


def test_default_model_set_when_the_environment_is_silent(monkeypatch):
    monkeypatch.delenv(M.MODEL_SET_ENV, raising=False)
    assert M.active_model_names() == M.MODEL_SETS[M.DEFAULT_MODEL_SET]


def test_unknown_model_set_is_a_usage_error(monkeypatch):
    monkeypatch.setenv(M.MODEL_SET_ENV, "both")
    with pytest.raises(UsageError) as caught:
        M.active_model_names()
    assert "separate" in str(caught.value) and "combined" in str(caught.value)


def test_partial_scorer_counts_only_the_labels_a_document_annotates(vocab):
    from spacy.tokens import Doc
    from spacy.training import Example

    words = ["Clonidine", "binds", "BRCA1", "."]
    reference = Doc(vocab, words=words, ents=["B-COMPOUND", "O", "O", "O"])
    predicted = Doc(vocab, words=words, ents=["B-COMPOUND", "O", "B-PROTEIN", "O"])
    everything = M.partial_ner_score([Example(predicted, reference)])
    reference.user_data[M.ANNOTATED_LABELS_KEY] = ["COMPOUND", "CONDITION"]
    partial = M.partial_ner_score([Example(predicted, reference)])
    assert everything["ents_p"] == 0.5  # the unannotated PROTEIN counts against it
    assert partial["ents_p"] == 1.0 and partial["ents_r"] == 1.0


@pytest.mark.skipif(not (M.MODELS_DIR / "ner_all" / "config.cfg").is_file(), reason="the combined model ner_all is not built")
def test_combined_model_finds_all_three_labels(monkeypatch):
    monkeypatch.setenv(M.MODEL_SET_ENV, "combined")
    text = "Naloxone reversed the hypotension caused by clonidine in patients with BRCA1 mutations."
    found = {(text[m.start : m.end], m.label, m.model) for m in M.find_mentions(text)}
    assert ("clonidine", "COMPOUND", "ner_all") in found
    assert ("hypotension", "CONDITION", "ner_all") in found
    assert any("BRCA1" in mention and label == "PROTEIN" for mention, label, _model in found)


SHARED_MEDLINE = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "jats" / "medline" / "ground_truth.jsonl"
SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def _texts_to_batch() -> list[str]:
    """The samples (long) and, when ../shared is there, 60 MEDLINE abstracts (short)."""
    texts = [read_bytes(p.read_bytes(), p.name).text for p in sorted(SAMPLES.iterdir())]
    texts.append("Clonidine caused hypotension. " * 1500)  # more than one chunk
    if SHARED_MEDLINE.is_file():
        items = [json.loads(line) for line in SHARED_MEDLINE.read_text(encoding="utf-8").splitlines()[:80]]
        texts += [f"{i['title']}\n\n{i['abstract']}\n" for i in items if i.get("abstract")][:60]
    return texts


def test_mentions_do_not_depend_on_the_batch_a_text_runs_in():
    # the batch worker runs the model over a chunk of documents at once (prefetch_mentions): each
    # document's mentions must be exactly those of running it alone, or records would change
    texts = _texts_to_batch()
    alone = [M.find_mentions(text) for text in texts]
    M.prefetch_mentions(texts)
    try:
        assert set(M._PREFETCHED) == {(M.active_model_names(), text) for text in texts}
        assert [M.find_mentions(text) for text in texts] == alone
    finally:
        M.forget_prefetched()
    assert sum(map(len, alone)) > 100


def test_a_text_twice_in_a_chunk_runs_the_models_once(monkeypatch):
    # the same file twice in a folder: both copies take the chunk's prefetched mentions
    texts = ["Clonidine caused hypotension in rats.", "Lithium toxicity.", "Clonidine caused hypotension in rats."]
    M.prefetch_mentions(texts)
    runs = []
    monkeypatch.setattr(M, "_mentions_of_texts", lambda batch: runs.append(batch) or [[] for _ in batch])
    try:
        first, second = M.find_mentions(texts[0]), M.find_mentions(texts[2])
        assert runs == [] and first == second and first
        expected = list(second)
        first.clear()  # a caller changing its list changes nobody else's
        assert M.find_mentions(texts[0]) == second == expected
        M.find_mentions("Not prefetched.")
        assert runs == [["Not prefetched."]]
    finally:
        M.forget_prefetched()


def test_prefetch_forgets_what_the_previous_chunk_left_unused():
    M.prefetch_mentions(["Lithium toxicity."])
    M.prefetch_mentions(["Clonidine caused hypotension."])
    try:
        assert [text for _names, text in M._PREFETCHED] == ["Clonidine caused hypotension."]
    finally:
        M.forget_prefetched()


def test_batches_hold_a_bounded_number_of_characters():
    pieces = [(0, 0, "x" * 15_000)] * 30
    batches = list(M._batches(pieces))
    assert [i for batch in batches for i in batch] == list(range(30))
    assert all(sum(len(pieces[i][2]) for i in batch) <= M.BATCH_CHARS for batch in batches)
    assert len(batches) > 1


def test_models_multiply_with_numpy_and_find_the_same_mentions_as_with_thinc_ops():
    # _use_numpy_matmul swaps only the matrix product (OpenBLAS instead of BLIS, for speed); the
    # mentions must not move
    from thinc.api import NumpyOps

    texts = _texts_to_batch()
    models = M.load_models()
    assert all(node.ops is M._matmul_ops() for nlp in models for _n, pipe in nlp.pipeline for node in pipe.model.walk())
    fast = M._mentions_of_texts(texts)
    try:
        for nlp in models:
            for _name, pipe in nlp.pipeline:
                for node in pipe.model.walk():
                    node.ops = NumpyOps()
        assert M._mentions_of_texts(texts) == fast
    finally:
        for nlp in models:
            M._use_numpy_matmul(nlp)
    assert sum(map(len, fast)) > 100


def test_matmul_ops_multiply_like_thinc_with_each_transpose():
    import numpy
    from thinc.api import NumpyOps

    rng = numpy.random.default_rng(0)
    x, y = rng.random((7, 5), dtype="float32"), rng.random((5, 3), dtype="float32")
    fast, reference = M._matmul_ops(), NumpyOps()
    for a, b, t1, t2 in ((x, y, False, False), (x.T.copy(), y, True, False), (x, y.T.copy(), False, True)):
        assert numpy.allclose(fast.gemm(a, b, trans1=t1, trans2=t2), reference.gemm(a, b, trans1=t1, trans2=t2), atol=1e-5)
    out = numpy.zeros((7, 3), dtype="float32")
    assert fast.gemm(x, y, out=out) is out and numpy.allclose(out, x @ y, atol=1e-5)


def test_blas_runs_one_thread_only_while_the_models_run():
    from threadpoolctl import threadpool_info

    before = [info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"]
    with M._one_blas_thread():
        assert all(info["num_threads"] == 1 for info in threadpool_info() if info["user_api"] == "blas")
    assert [info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"] == before


def test_models_compute_only_the_word_attributes_they_read_and_find_the_same_mentions(monkeypatch):
    # keep_lexeme_attributes drops the English getters the models never read (for speed); the
    # mentions must not move. Models loaded without the trimming are the reference.
    from spacy.attrs import IS_SPACE, LIKE_NUM, NORM, SHAPE

    texts = _texts_to_batch() + ["Zolmitriptanoxime 12,345 qwertyzine at http://x.example.org"]  # new words
    trimmed_getters = set(M.load_models()[0].vocab.lex_attr_getters)
    assert {NORM, SHAPE, IS_SPACE} <= trimmed_getters and LIKE_NUM not in trimmed_getters
    trimmed = M._mentions_of_texts(texts)
    M._load.cache_clear()
    try:
        monkeypatch.setattr(M, "keep_lexeme_attributes", lambda vocab, keep: None)
        assert LIKE_NUM in M.load_models()[0].vocab.lex_attr_getters
        assert M._mentions_of_texts(texts) == trimmed
    finally:
        M._load.cache_clear()
    assert sum(map(len, trimmed)) > 100


@pytest.mark.parametrize("name", ["ner_all", "ner_cdr", "ner_gene"])
def test_models_ship_without_their_training_strings_and_find_the_same_mentions(tmp_path, name):
    # scripts/train_ner.py empties each saved model's string store (loading 57,000 training words
    # was half of spacy.load); the store's content must not change a mention: the same model with a
    # full store (the words of the texts, as training would leave them) is the reference
    import shutil

    import spacy

    committed = M.MODELS_DIR / name
    assert json.loads((committed / "vocab" / "strings.json").read_text(encoding="utf-8")) == []
    texts = _texts_to_batch()[:20]
    words = sorted({w for text in texts for w in M.fine_words_and_spaces(text)[0]} | {"COMPOUND", "Ketamine"})
    full = tmp_path / name
    shutil.copytree(committed, full)
    (full / "vocab" / "strings.json").write_text(json.dumps(words), encoding="utf-8")
    M._register_tokenizer()
    mentions = []
    for path in (committed, full):
        nlp = spacy.load(path)
        mentions.append([[(e.start_char, e.end_char, e.label_) for e in doc.ents] for doc in nlp.pipe(texts)])
        assert len(nlp.vocab.strings) >= (len(words) if path == full else 0)
    assert mentions[0] == mentions[1]
    assert sum(map(len, mentions[0])) > 50
