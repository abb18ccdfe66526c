"""Abbreviation definitions found with the Schwartz–Hearst algorithm (our own implementation).

Schwartz & Hearst (2003), "A simple algorithm for identifying abbreviation definitions in
biomedical text": a definition is ``long form (SHORT)`` or ``SHORT (long form)``; the long form is
the shortest run of words before (or inside) the parentheses whose characters contain the short
form's letters and digits in order, the first one at the start of a word. Explainers use both
orders ("brain-derived neurotrophic factor (BDNF)", "BDNF (Brain-Derived Neurotrophic Factor)").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A parenthesised group without nested parentheses, on one line.
_PAREN_RE = re.compile(r"\(([^()\n]{1,120})\)")
_WORD_RE = re.compile(r"\S+")
# Where the long form cannot reach back past: sentence ends, other brackets, line breaks.
_BARRIER_RE = re.compile(r"[.;:!?\n()\[\]]\s|[\n()\[\]]")


@dataclass(frozen=True)
class Definition:
    short_start: int
    short_end: int
    long_start: int
    long_end: int


def is_short_form(candidate: str) -> bool:
    """A plausible short form: 2-10 characters, at most two words, a letter, starts alphanumeric."""
    return (
        2 <= len(candidate) <= 10
        and len(candidate.split()) <= 2
        and candidate[0].isalnum()
        and any(c.isalpha() for c in candidate)
        and any(c.isupper() for c in candidate)
    )


def best_long_form(short: str, long: str) -> int | None:
    """Start offset in ``long`` of the shortest matching long form ending at its end, or None."""
    s, l = len(short) - 1, len(long) - 1
    while s >= 0:
        c = short[s].lower()
        if not c.isalnum():
            s -= 1
            continue
        # The short form's first character must start a word of the long form.
        while l >= 0 and (long[l].lower() != c or (s == 0 and l > 0 and long[l - 1].isalnum())):
            l -= 1
        if l < 0:
            return None
        l -= 1
        s -= 1
    start = l + 1
    while start > 0 and not long[start - 1].isspace():
        start -= 1
    return start


def _window_before(text: str, paren_start: int, n_words: int) -> int:
    """Start of the last ``n_words`` words before ``paren_start``, not crossing a barrier."""
    floor = 0
    for m in _BARRIER_RE.finditer(text, max(0, paren_start - 400), paren_start):
        floor = m.end()
    words = list(_WORD_RE.finditer(text, floor, paren_start))
    return words[-n_words].start() if len(words) >= n_words else (words[0].start() if words else paren_start)


def _valid(short: str, long: str) -> bool:
    """The long form must be longer, and must not contain the short form as a word."""
    return len(long) > len(short) + 1 and short.lower() not in long.lower().split()


def _forward(text: str, m: re.Match) -> Definition | None:
    """``long form (SHORT)``."""
    inner = m.group(1)
    short = inner.split(";")[0].split(",")[0].strip()
    if not is_short_form(short):
        return None
    short_start = m.start(1) + inner.index(short)
    n_words = min(len(short) + 5, 2 * len(short))
    window_start = _window_before(text, m.start(), n_words)
    window = text[window_start : m.start()].rstrip()
    start = best_long_form(short, window)
    if start is None:
        return None
    long = window[start:]
    if not _valid(short, long):
        return None
    return Definition(short_start, short_start + len(short), window_start + start, window_start + len(window))


def _reverse(text: str, m: re.Match) -> Definition | None:
    """``SHORT (long form)``: the short form is the word just before the parenthesis."""
    lookback = max(0, m.start() - 40)
    before = re.search(r"([^\s\"'“”]+)[\"'“”]?\s*$", text[lookback : m.start()])
    if not before or len(m.group(1).split()) < 2:
        return None
    short = before.group(1)
    if not is_short_form(short):
        return None
    short_start = lookback + before.start(1)
    long = m.group(1).strip()
    long_start = m.start(1) + m.group(1).index(long)
    # The long form must fill the parenthesis (else it is an aside, not a definition).
    if best_long_form(short, long) != 0 or not _valid(short, long):
        return None
    return Definition(short_start, short_start + len(short), long_start, long_start + len(long))


def find_definitions(text: str) -> list[Definition]:
    """Every abbreviation definition in ``text``, in text order."""
    found = []
    for m in _PAREN_RE.finditer(text):
        definition = _forward(text, m) or _reverse(text, m)
        if definition is not None:
            found.append(definition)
    return found
