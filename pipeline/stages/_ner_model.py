"""The statistical NER models: their tokenizer, loading them once, and running them on a text.

Two small spaCy pipelines (CPU tok2vec + transition-based NER) are trained by
``scripts/train_ner.py`` on the training splits of the public NER corpora and committed under
``pipeline/data/models/`` (see ``pipeline/data/MODELS.md`` for the data hashes and dev scores):

``ner_cdr``   COMPOUND and CONDITION (BC5CDR chemicals and diseases, NCBI-disease diseases);
``ner_gene``  PROTEIN (BC2GM genes and gene products).

``ner_all``   all three labels in one smaller model (one pass instead of two), trained on the
              union of those corpora with the labels a corpus does not annotate filled in by the
              two models above (a BC2GM sentence leaves its chemicals unmarked: trained on as they
              are, a model would learn that those chemicals are not entities).

Which set runs: ``DEFAULT_MODEL_SET`` (``"combined"`` since it matched the separate models within
one F1 point on every dev corpus at three times their speed; see MODELS.md), overridden by the
environment variable ``PIPELINE_NER_MODELS`` (``separate`` or ``combined``), so both can be measured.
The separate models stay in the package: ``ner_all`` is trained from their pseudo-labels.

Both use the same fine tokenizer: runs of word characters, and every other non-space character
on its own ("5-HT2A" -> ``5 - HT2A``, "[3H]-naloxone" -> ``[ 3H ] - naloxone``). Gold spans in the
corpora start and end at such boundaries far more often than at spaCy's English tokens, and the
pre-tokenised IOB corpora come out unchanged. The tokenizer is registered with spaCy so the
committed model directories name it in their ``config.cfg``.

Speed: the text is tokenised once for both models (they share the tokenizer and the
``en`` lexical attributes), which gives the same tokens as tokenising it for each. A batch worker
runs the models over a whole chunk of documents at once (:func:`prefetch_mentions`, before their
stages run) and the entity stage then takes each document's mentions from that batch: on short
abstracts one ``nlp.pipe`` per document spends more time on per-call overhead than on the
network. A document's mentions do not depend on the other documents in its batch (every layer
works row by row; ``tests/test_ner_model.py`` checks this on real abstracts).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

from .._spacy import attribute_ids, import_spacy, keep_lexeme_attributes
from ..errors import ModelMissingError, UsageError

MODELS_DIR = Path(__file__).resolve().parents[1] / "data" / "models"
MODEL_SETS = {"separate": ("ner_cdr", "ner_gene"), "combined": ("ner_all",)}
DEFAULT_MODEL_SET = "combined"
MODEL_SET_ENV = "PIPELINE_NER_MODELS"
MODEL_NAMES = MODEL_SETS["separate"]  # the separate models (also the combined model's teachers)
TOKENIZER_NAME = "pipeline.fine_tokenizer.v1"
#: The combined model's dev scorer (see ``partial_ner_score``) and where a dev doc lists its labels.
PARTIAL_SCORER_NAME = "pipeline.partial_ner_scorer.v1"
ANNOTATED_LABELS_KEY = "annotated_labels"

_TOKEN_RE = re.compile(r"\w+|[^\w\s]")
_TOKEN_SPLIT_RE = re.compile(f"({_TOKEN_RE.pattern})")
#: Texts are run in chunks of about this many characters, cut at line ends or sentence ends, so
#: memory stays bounded on long documents.
CHUNK_CHARS = 20_000


class FineTokenizer:
    """Word-character runs and single punctuation characters, as a spaCy tokenizer."""

    def __init__(self, vocab: Any) -> None:
        self.vocab = vocab

    def __call__(self, text: str) -> Any:
        from spacy.tokens import Doc

        words, spaces = fine_words_and_spaces(text)
        return Doc(self.vocab, words=words, spaces=spaces)

    # spaCy serialises the tokenizer with the model; there is nothing to keep but the pattern.
    def to_disk(self, path, **_kwargs) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / "fine_tokenizer.json").write_text(json.dumps({"pattern": _TOKEN_RE.pattern}), encoding="utf-8")

    def from_disk(self, _path, **_kwargs) -> "FineTokenizer":
        return self

    def to_bytes(self, **_kwargs) -> bytes:
        return _TOKEN_RE.pattern.encode("utf-8")

    def from_bytes(self, _data, **_kwargs) -> "FineTokenizer":
        return self


def fine_words_and_spaces(text: str) -> tuple[list[str], list[bool]]:
    """The fine tokens of ``text`` and whether one space follows each, so the Doc's text equals ``text``.

    A single space after a token becomes its trailing space; any other whitespace becomes a
    whitespace token of its own, as spaCy does. No Doc: the words are shared by both models, so
    the text is tokenised once. One ``re.split`` gives tokens and gaps alternating; only the few
    gaps that are neither empty nor one space (line breaks, double spaces) need a Python step,
    which makes this about twice as fast as a loop over every match.
    """
    parts = _TOKEN_SPLIT_RE.split(text)  # [gap, token, gap, token, ..., token, gap]
    words, gaps = parts[1::2], parts[2::2]
    spaces = list(map(" ".__eq__, gaps))
    odd = [i for i, gap in enumerate(gaps) if gap and gap != " "]
    if not odd and not parts[0]:
        return words, spaces
    out_words: list[str] = []
    out_spaces: list[bool] = []
    if parts[0]:
        _add_gap(out_words, out_spaces, parts[0])
    done = 0
    for i in odd:
        out_words += words[done : i + 1]
        out_spaces += spaces[done : i + 1]
        _add_gap(out_words, out_spaces, gaps[i])
        done = i + 1
    out_words += words[done:]
    out_spaces += spaces[done:]
    return out_words, out_spaces


def _add_gap(words: list[str], spaces: list[bool], gap: str) -> None:
    """Whitespace between tokens: a leading space joins the previous token, the rest is a token."""
    if words and gap[0] == " " and not spaces[-1]:
        spaces[-1], gap = True, gap[1:]
    if gap:
        words.append(gap)
        spaces.append(False)


def _register_tokenizer() -> None:
    """Register the tokenizer and the combined model's dev scorer, which its config.cfg names."""
    spacy = import_spacy()

    if TOKENIZER_NAME not in spacy.registry.tokenizers:
        spacy.registry.tokenizers.register(TOKENIZER_NAME, func=lambda: (lambda nlp: FineTokenizer(nlp.vocab)))
    if PARTIAL_SCORER_NAME not in spacy.registry.scorers:
        spacy.registry.scorers.register(PARTIAL_SCORER_NAME, func=lambda: partial_ner_score)


def partial_ner_score(examples, **kwargs) -> dict:
    """spaCy's entity P/R/F, counting on each document only the labels its corpus annotates.

    A BC5CDR dev abstract has no gene annotations, so a gene the combined model finds there is
    neither right nor wrong; without this it would count as a false positive. Used only while
    training (checkpoint choice); documents without the list are scored on every label.
    """
    from spacy.scorer import get_ner_prf
    from spacy.training import Example

    kept = []
    for example in examples:
        labels = example.reference.user_data.get(ANNOTATED_LABELS_KEY)
        if labels is not None:
            predicted = example.predicted.copy()
            predicted.ents = [e for e in predicted.ents if e.label_ in labels]
            example = Example(predicted, example.reference)
        kept.append(example)
    return get_ner_prf(kept, **kwargs)


@dataclass(frozen=True)
class ModelSpan:
    start: int
    end: int
    label: str
    model: str


def active_model_names() -> tuple[str, ...]:
    """The models the entity stage runs: ``PIPELINE_NER_MODELS`` if set, else ``DEFAULT_MODEL_SET``."""
    choice = os.environ.get(MODEL_SET_ENV, "").strip() or DEFAULT_MODEL_SET
    if choice not in MODEL_SETS:
        raise UsageError(f"{MODEL_SET_ENV}={choice!r} is not a model set; use one of: {', '.join(sorted(MODEL_SETS))}")
    return MODEL_SETS[choice]


def load_models() -> tuple[Any, ...]:
    """The active NER models, loaded once per process per model set (about a second)."""
    return _load(active_model_names())


@lru_cache(maxsize=2)
def _load(names: tuple[str, ...]) -> tuple[Any, ...]:
    missing = [name for name in names if not (MODELS_DIR / name / "config.cfg").is_file()]
    if missing:
        raise ModelMissingError(
            f"the NER model(s) {', '.join(missing)} are missing from {MODELS_DIR}; "
            "reinstall the package, or rebuild them with `make models` (needs ../shared/data/ner)"
        )
    _register_tokenizer()
    spacy = import_spacy()
    models = tuple(spacy.load(MODELS_DIR / name) for name in names)
    for nlp in models:
        _use_numpy_matmul(nlp)
        keep_lexeme_attributes(nlp.vocab, _attributes_read(nlp))
    return models


def _attributes_read(nlp: Any) -> set[int]:
    """The lexeme attributes ``nlp``'s pipes read: the features its tok2vec layers extract (NORM,
    PREFIX, SUFFIX, SHAPE here), and IS_SPACE, which spaCy's NER transition system checks (an
    entity never starts on a space token). Nothing else reads the models' documents: the entity
    stage takes their ``ents`` only (see ``keep_lexeme_attributes``).
    """
    from spacy.attrs import IS_SPACE

    read = {IS_SPACE}
    for _name, pipe in nlp.pipeline:
        model = getattr(pipe, "model", None)
        for node in model.walk() if model is not None else ():
            read |= attribute_ids(node.attrs.get("columns", ()))
    return read


def _use_numpy_matmul(nlp: Any) -> None:
    """Give every layer of ``nlp`` ops whose matrix product is numpy's (OpenBLAS), not thinc's (BLIS).

    Why: on this machine's CPU (AMD EPYC, AVX2), numpy's single-threaded OpenBLAS multiplies the
    tok2vec and parser matrices about twice as fast as the BLIS build thinc ships, and the NER
    models spend most of their time there: the models alone went from 2.02 to 1.40 CPU seconds
    on 200,000 characters of JATS text (medians of 5, alternating), with the same mentions. Only
    ``gemm`` changes; the parser's per-step product is compiled into spaCy and stays on BLIS.
    The result is the same product summed in another order; `tests/test_ner_model.py` and the
    dev scores check the mentions did not move.
    """
    ops = _matmul_ops()
    for _name, pipe in nlp.pipeline:
        model = getattr(pipe, "model", None)
        if model is not None:
            for node in model.walk():
                node.ops = ops


@lru_cache(maxsize=1)
def _matmul_ops() -> Any:
    import numpy
    from thinc.api import NumpyOps

    class MatmulOps(NumpyOps):
        """NumpyOps with ``gemm`` done by ``numpy.matmul`` (see _use_numpy_matmul)."""

        def gemm(self, x, y, out=None, trans1=False, trans2=False):
            x = x.T if trans1 else x
            y = y.T if trans2 else y
            if out is None:
                return numpy.matmul(x, y)
            numpy.matmul(x, y, out=out)
            return out

    return MatmulOps()


@lru_cache(maxsize=1)
def _blas_controller() -> Any:
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def _one_blas_thread():
    """A context in which OpenBLAS uses one thread.

    Batches are small (BATCH_CHARS) and a batch job runs one worker per core: OpenBLAS's own
    threads would only compete with the other workers (measured: 2 threads cost ~40% more CPU time
    than 1 for the same mentions). Limited only while the models run, so a program that imports
    the package keeps its own BLAS settings.
    """
    return _blas_controller().limit(limits=1, user_api="blas")


#: Mentions computed ahead by ``prefetch_mentions``: (model names, text) -> mentions.
_PREFETCHED: dict[tuple[tuple[str, ...], str], list[ModelSpan]] = {}
#: Batches (of chunks of one document, or of many documents) hold at most about this many
#: characters, which bounds the network's activations, and so the worker's memory: on a 300-page
#: PDF (1.6M characters), 160,000 characters per batch peaked 190 MB above the loaded models,
#: 40,000 about 70 MB, with the same mentions and no loss of speed on abstracts (a batch still
#: holds a dozen of them).
BATCH_CHARS = CHUNK_CHARS


def find_mentions(text: str) -> list[ModelSpan]:
    """Every mention the models find in ``text``, in text order (models may overlap each other).

    Each chunk is tokenised once for both models (they share the tokenizer), and the chunks go
    through each model as one batch. Mentions computed ahead by :func:`prefetch_mentions` are
    taken from there, by every document of the chunk with that text (the same file twice in a
    folder; before, only the first one found them, and each copy ran the models alone, a batch of
    one, several times slower per word). They stay until the next chunk's prefetch replaces them.
    """
    ahead = _PREFETCHED.get((active_model_names(), text))
    if ahead is not None:
        return list(ahead)
    return _mentions_of_texts([text])[0]


def prefetch_mentions(texts: list[str]) -> None:
    """Run the models over ``texts`` together, for the next :func:`find_mentions` of each.

    Forgets what an earlier call left unused (a document that failed before its entity stage),
    so memory stays bounded by one chunk of documents.
    """
    _PREFETCHED.clear()
    unique = list(dict.fromkeys(texts))
    names = active_model_names()
    for text, mentions in zip(unique, _mentions_of_texts(unique)):
        _PREFETCHED[(names, text)] = mentions


def forget_prefetched() -> None:
    _PREFETCHED.clear()


def _mentions_of_texts(texts: list[str]) -> list[list[ModelSpan]]:
    """The mentions of each text; all their chunks go through each model in shared batches.

    Each batch is tokenised once for all models (they share the tokenizer), and only while it
    runs, so a long text never has all its tokens in memory at once.
    """
    pieces = [(which, offset, chunk) for which, text in enumerate(texts) for offset, chunk in _chunks(text)]
    found: list[list[ModelSpan]] = [[] for _ in texts]
    models = list(zip(load_models(), active_model_names()))
    with _one_blas_thread():
        for batch in _batches(pieces):
            _run_batch(batch, pieces, models, found)
    return [sorted(spans, key=lambda s: (s.start, s.end, s.label, s.model)) for spans in found]


def _run_batch(batch: list[int], pieces: list[tuple[int, int, str]], models: list, found: list[list[ModelSpan]]) -> None:
    """Tokenise one batch of chunks once and run every model over it, adding to ``found``."""
    from spacy.tokens import Doc

    tokens = [fine_words_and_spaces(pieces[i][2]) for i in batch]
    for nlp, name in models:
        # Unseen words stay in the model's vocabulary, but its growth is sublinear (6,700 lexemes
        # for the first 250 abstracts, 3,000 for the next 250): spaCy's memory_zone would bound
        # it at ~10% of the stage's speed, which is not worth it.
        docs = (Doc(nlp.vocab, words=words, spaces=spaces) for words, spaces in tokens)
        for i, doc in zip(batch, nlp.pipe(docs, batch_size=len(batch))):
            which, offset, _chunk = pieces[i]
            found[which] += [ModelSpan(offset + e.start_char, offset + e.end_char, e.label_, name) for e in doc.ents]


def _batches(pieces: list[tuple[int, int, str]]) -> Iterator[list[int]]:
    """Indices of ``pieces`` in order, grouped into batches of at most BATCH_CHARS characters."""
    batch: list[int] = []
    size = 0
    for i, (_which, _offset, chunk) in enumerate(pieces):
        if batch and size + len(chunk) > BATCH_CHARS:
            yield batch
            batch, size = [], 0
        batch.append(i)
        size += len(chunk)
    if batch:
        yield batch


def _chunks(text: str) -> Iterator[tuple[int, str]]:
    """Pieces of at most about CHUNK_CHARS characters, cut after a newline or a sentence end."""
    start = 0
    while start < len(text):
        end = min(len(text), start + CHUNK_CHARS)
        if end < len(text):
            cut = max(text.rfind("\n", start, end), text.rfind(". ", start, end))
            if cut > start:
                end = cut + 1
        yield start, text[start:end]
        start = end
