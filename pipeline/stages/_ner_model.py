"""The statistical NER models: their tokenizer, loading them once, and running them on a text.

Two small spaCy pipelines (CPU tok2vec + transition-based NER) are trained by
``scripts/train_ner.py`` on the training splits of the public NER corpora and committed under
``pipeline/data/models/`` (see ``pipeline/data/MODELS.md`` for the data hashes and dev scores):

``ner_cdr``   COMPOUND and CONDITION (BC5CDR chemicals and diseases, NCBI-disease diseases);
``ner_gene``  PROTEIN (BC2GM genes and gene products).

Two models rather than one because the corpora annotate different things: a BC2GM sentence
leaves its chemicals unmarked, so one model trained on all of them would learn that those
chemicals are not entities.

Both use the same fine tokenizer: runs of word characters, and every other non-space character
on its own ("5-HT2A" -> ``5 - HT2A``, "[3H]-naloxone" -> ``[ 3H ] - naloxone``). Gold spans in the
corpora start and end at such boundaries far more often than at spaCy's English tokens, and the
pre-tokenised IOB corpora come out unchanged. The tokenizer is registered with spaCy so the
committed model directories name it in their ``config.cfg``.

Speed: the text is tokenised once for both models (they share the tokenizer and the
``en`` lexical attributes), which gives the same tokens as tokenising it for each.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

from ..errors import ModelMissingError

MODELS_DIR = Path(__file__).resolve().parents[1] / "data" / "models"
MODEL_NAMES = ("ner_cdr", "ner_gene")
TOKENIZER_NAME = "pipeline.fine_tokenizer.v1"

_TOKEN_RE = re.compile(r"\w+|[^\w\s]")
#: Texts are run in chunks of about this many characters, cut at line ends or sentence ends, so
#: memory stays bounded on long documents.
CHUNK_CHARS = 20_000
#: Chunks run through a model together, this many at a time.
PIPE_BATCH = 8


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
    whitespace token of its own, as spaCy does. One pass, no Doc: the words are shared by both
    models, so the text is tokenised once.
    """
    words: list[str] = []
    spaces: list[bool] = []
    position = 0
    for m in _TOKEN_RE.finditer(text):
        start = m.start()
        if start != position:
            _add_gap(words, spaces, text[position:start])
        words.append(m.group())
        spaces.append(False)
        position = m.end()
    if position < len(text):
        _add_gap(words, spaces, text[position:])
    return words, spaces


def _add_gap(words: list[str], spaces: list[bool], gap: str) -> None:
    """Whitespace between tokens: a leading space joins the previous token, the rest is a token."""
    if words and gap[0] == " " and not spaces[-1]:
        spaces[-1], gap = True, gap[1:]
    if gap:
        words.append(gap)
        spaces.append(False)


def _register_tokenizer() -> None:
    import spacy

    if TOKENIZER_NAME not in spacy.registry.tokenizers:
        spacy.registry.tokenizers.register(TOKENIZER_NAME, func=lambda: (lambda nlp: FineTokenizer(nlp.vocab)))


@dataclass(frozen=True)
class ModelSpan:
    start: int
    end: int
    label: str
    model: str


@lru_cache(maxsize=1)
def load_models() -> tuple[Any, ...]:
    """Load the committed NER models once per process (about a second)."""
    missing = [name for name in MODEL_NAMES if not (MODELS_DIR / name / "config.cfg").is_file()]
    if missing:
        raise ModelMissingError(
            f"the NER model(s) {', '.join(missing)} are missing from {MODELS_DIR}; "
            "reinstall the package, or rebuild them with `make models` (needs ../shared/data/ner)"
        )
    _register_tokenizer()
    import spacy

    return tuple(spacy.load(MODELS_DIR / name) for name in MODEL_NAMES)


def find_mentions(text: str) -> list[ModelSpan]:
    """Every mention the models find in ``text``, in text order (models may overlap each other).

    Each chunk is tokenised once for both models (they share the tokenizer), and the chunks go
    through each model as one batch.
    """
    from spacy.tokens import Doc

    pieces = list(_chunks(text))
    tokens = [fine_words_and_spaces(chunk) for _, chunk in pieces]
    out: list[ModelSpan] = []
    for nlp, name in zip(load_models(), MODEL_NAMES):
        docs = (Doc(nlp.vocab, words=words, spaces=spaces) for words, spaces in tokens)
        for (offset, _chunk), doc in zip(pieces, nlp.pipe(docs, batch_size=PIPE_BATCH)):
            out += [ModelSpan(offset + e.start_char, offset + e.end_char, e.label_, name) for e in doc.ents]
    return sorted(out, key=lambda s: (s.start, s.end, s.label, s.model))


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
