"""Precision filter for mentions that only the statistical NER models vouch for.

The chemical/disease and gene models learnt from PubMed abstracts; on plain-language explainers
they also tag everyday words ("tolerate" as a compound, "openness" as a condition, "doctor's
advice" as a condition). The rules below apply to model mentions only (lexicon hits are
vocabulary-backed), and the generic-word rule never to a mention with an ID. Each rule was
measured on the NER development splits (docs/entities.md):

- **generic word**: a one-word mention with no vocabulary ID that is general English and not
  biomedical vocabulary (``pipeline/data/generic_words.txt.gz``, built by
  ``scripts/build_generic_words.py`` from word frequencies and the training annotations). A
  capitalised word ("Road" in a title-case headline) is looked up in lower case; an all-capitals
  one is an acronym and is kept.
- **possessive of a common noun** inside the mention ("doctor's advice"): no annotation in the
  training or development splits has one; eponyms are capitalised ("Alzheimer's disease").
- **no letter** at all ("4102-4115", "1,2)"): page ranges and citation debris.
- **crosses a sentence end** (punctuation, then a line break): "psilocybin [5].\\n3".

The entity stage also uses the generic-word list on lexicon ``symbol`` matches of non-gene labels:
"March" is a month, not the syndrome MARCH.
"""

from __future__ import annotations

import gzip
import re
from functools import lru_cache
from pathlib import Path

GENERIC_WORDS_PATH = Path(__file__).resolve().parents[1] / "data" / "generic_words.txt.gz"

_COMMON_NOUN_POSSESSIVE = re.compile(r"(?<![\w'’-])[a-z]+ ?['’] ?s\b")
_LETTER = re.compile(r"[^\W\d_]")
_SENTENCE_THEN_LINE_BREAK = re.compile(r"[.!?;:][\])\"'’”]*[ \t]*\n")


@lru_cache(maxsize=1)
def generic_words() -> frozenset[str]:
    """The packaged generic-word list (lower case), loaded once per process."""
    with gzip.open(GENERIC_WORDS_PATH, "rt", encoding="utf-8") as handle:
        return frozenset(line.rstrip("\n") for line in handle if not line.startswith("#"))


def malformed_reason(mention: str) -> str | None:
    """Why ``mention`` cannot be an entity whatever a vocabulary says, or None."""
    if _SENTENCE_THEN_LINE_BREAK.search(mention):
        return "crosses a sentence end"
    if _COMMON_NOUN_POSSESSIVE.search(mention):
        return "possessive of a common noun"
    if not _LETTER.search(mention):
        return "no letter"
    return None


def is_generic_word(mention: str) -> bool:
    """True when ``mention`` is one general-English word that is not biomedical vocabulary."""
    if not mention.isalpha():
        return False
    # lower case, or capitalised ("Road" in a headline); "ADDS" or "mTOR" are symbols, not words
    if mention.islower() or (mention[0].isupper() and mention[1:].islower()):
        return mention.lower() in generic_words()
    return False
