"""Features of one (compound, target) pair in a sentence, for the relation classifier.

The relations stage's patterns read the tight shapes ("X inhibits Y"); the classifier reads the
looser ones, from words: those between the two mentions, a few around them, the words next to
each, their order and distance, and the target's head word. Other entity mentions count as
placeholders, so "X and Z inhibit Y" and "X inhibits Y and Z" generalise. Words are cut to their
first six letters, a cheap stem that joins "inhibits", "inhibited", "inhibition", "inhibitor".

Shared by the stage (pipeline/stages/relations.py) and its training script
(scripts/train_relations.py), so training and use see exactly the same features.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

_TOKEN = re.compile(r"[^\W\d_]+|\d+(?:\.\d+)?|[^\w\s]")
_NEGATION = frozenset({"not", "no", "neither", "nor", "without", "lack", "lacks", "lacked", "failed", "unable", "never"})


@dataclass(frozen=True)
class Token:
    word: str  # normalised word or placeholder
    mention: int  # index of the mention it stands for, else -1


def tokenize(text: str, start: int, end: int, mentions: Sequence[tuple[int, int, str]]) -> list[Token]:
    """Tokens of ``text[start:end]`` with each mention (start, end, kind C/T/X) as one placeholder."""
    tokens: list[Token] = []
    cursor = start
    for index, (m_start, m_end, kind) in enumerate(mentions):
        tokens.extend(_words(text, cursor, m_start))
        tokens.append(Token(f"@{kind}", index))
        cursor = max(cursor, m_end)
    tokens.extend(_words(text, cursor, end))
    return tokens


def _words(text: str, start: int, end: int) -> list[Token]:
    out = []
    for match in _TOKEN.finditer(text, start, end):
        word = match.group().lower()
        if word[0].isdigit():
            word = "0"
        out.append(Token(word, -1))
    return out


def _stem(word: str) -> str:
    return word[:6]


def _bucket(n: int) -> str:
    for limit in (0, 1, 2, 3, 5, 8, 12, 20):
        if n <= limit:
            return str(limit)
    return "more"


def pair_features(tokens: list[Token], compound: int, target: int, target_head: str) -> list[str]:
    """Feature names for the pair of mention indices ``compound`` and ``target``."""
    position = {t.mention: i for i, t in enumerate(tokens) if t.mention >= 0}
    pc, pt = position[compound], position[target]
    lo, hi = min(pc, pt), max(pc, pt)
    order = "CT" if pc < pt else "TC"
    between = [_stem(t.word) if t.mention < 0 else "@E" for t in tokens[lo + 1 : hi]]
    features = ["bias", f"order={order}", f"dist={_bucket(len(between))}"]
    features.append(f"others={_bucket(sum(1 for t in tokens[lo + 1 : hi] if t.mention >= 0))}")
    for word in sorted(set(between)):
        features.append(f"b:{word}")
        features.append(f"{order}b:{word}")
    for a, b in sorted(set(zip(between, between[1:]))):
        features.append(f"bb:{a}_{b}")
    if len(between) <= 6:
        features.append(f"{order}bs:{'_'.join(between)}")
    features.extend(_around(tokens, lo, -1, "l"))
    features.extend(_around(tokens, hi, 1, "r"))
    features.extend(_around(tokens, pc, -1, "c-", 1) + _around(tokens, pc, 1, "c+", 1))
    features.extend(_around(tokens, pt, -1, "t-", 1) + _around(tokens, pt, 1, "t+", 1))
    features.append(f"thead:{target_head}")
    window = [t.word for t in tokens[max(0, lo - 3) : hi]]
    if any(w in _NEGATION for w in window):
        features.append("negated")
    return features


def _around(tokens: list[Token], index: int, step: int, prefix: str, width: int = 2) -> list[str]:
    out = []
    for k in range(1, width + 1):
        i = index + step * k
        word = "<s>" if not 0 <= i < len(tokens) else ("@E" if tokens[i].mention >= 0 else _stem(tokens[i].word))
        out.append(f"{prefix}{k}:{word}")
        if word == "<s>":
            break
    return out


def head_word(text: str) -> str:
    """The last word of a mention, cut like other words ("receptors" -> "recept")."""
    words = re.findall(r"[^\W\d_]+", text.lower())
    return _stem(words[-1]) if words else "0"
