"""The starter lexicon: term keys, loading the built artefact, and longest-match lookup.

The lexicon holds a few hundred thousand terms (MeSH, ChEBI, DrugBank, HGNC, GO, DOID, Reactome,
UBERON, FamPlex). spaCy's ``PhraseMatcher`` needs one ``Doc`` per term, which takes about ten
seconds to build at this size; a dictionary keyed by pre-computed term keys loads in well under a
second and matches in linear time, so the lexicon lookup lives here instead.

A *key* is the term split into word pieces (runs of word characters, or single punctuation
characters), with hyphens dropped ("treatment-resistant" == "treatment resistant") and, for
case-insensitive terms, lower-cased with British spellings folded to American ("signalling" ==
"signaling"). The build script (``scripts/build_lexicon.py``) computes keys with the same
functions, so build and runtime cannot disagree.

Three match modes, decided per term at build time:

``lower``  case-insensitive (most terms).
``exact``  case-sensitive: short all-caps forms whose lower-case form is an English word
           ("ACE", "ATP" only as written).
``symbol`` short symbol-like forms that are not English words ("MTOR", "TRKB"): matched
           case-insensitively, but only where the text has at least one capital letter, so
           "mTOR" and "TrkB" match and a lower-case word never does.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import marshal
import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from pathlib import Path
from typing import Iterable, Iterator

from .._cache import entry_name, read_entry, write_entry

LEXICON_PATH = Path(__file__).resolve().parents[1] / "data" / "lexicon.tsv.gz"

#: The longest term, in pieces, that the lexicon keeps (longer names do not occur in prose).
MAX_KEY_PIECES = 8

PIECE_RE = re.compile(r"\w+|[^\w\s]")
_PIECE_SPLIT_RE = re.compile(f"({PIECE_RE.pattern})")
#: Hyphen-like pieces are dropped from keys so hyphenated and spaced forms meet.
_HYPHENS = frozenset("-\u2010\u2011\u2012\u2013")
#: Quote-like characters read as an apostrophe (one character for one: offsets do not move).
_QUOTES = ("\u2019", "\u2018", "\u02bc")

#: British spellings folded to American, per whole lower-case piece. Applied to terms and text alike.
BRITISH_TO_AMERICAN = {
    "signalling": "signaling",
    "signalled": "signaled",
    "tumour": "tumor",
    "tumours": "tumors",
    "oestrogen": "estrogen",
    "oestrogens": "estrogens",
    "oedema": "edema",
    "anaemia": "anemia",
    "haemorrhage": "hemorrhage",
    "haemoglobin": "hemoglobin",
    "ischaemia": "ischemia",
    "ischaemic": "ischemic",
    "leukaemia": "leukemia",
    "anaesthesia": "anesthesia",
    "anaesthetic": "anesthetic",
    "anaesthetics": "anesthetics",
    "paediatric": "pediatric",
    "foetal": "fetal",
    "behaviour": "behavior",
    "behavioural": "behavioral",
    "hypoglycaemia": "hypoglycemia",
    "hyperglycaemia": "hyperglycemia",
    "oesophageal": "esophageal",
    "diarrhoea": "diarrhea",
    "haematoma": "hematoma",
    "sulphate": "sulfate",
    "sulphur": "sulfur",
    "aluminium": "aluminum",
    "caesium": "cesium",
    "noradrenaline": "norepinephrine",
    "adrenaline": "epinephrine",
    "paracetamol": "acetaminophen",
}

MODES = ("lower", "exact", "symbol")
#: Entries ``Lexicon.lookup`` remembers at most (about 100 bytes each).
LOOKUP_MEMORY = 50_000
_NOT_LOOKED_UP = object()


def pieces(text: str) -> list[tuple[str, int, int]]:
    """Word pieces of ``text`` with their character offsets, hyphens dropped.

    One ``re.split`` (pieces and the gaps between them, alternating) and running sums of their
    lengths give the offsets: about 20% faster than reading three attributes off each match of
    ``PIECE_RE.finditer``, with the same result (the quote folding keeps every offset).
    """
    parts = _PIECE_SPLIT_RE.split(_fold_quotes(text))
    ends = list(accumulate(map(len, parts)))  # ends[j]: offset just after parts[j]
    return [(p, s, e) for p, s, e in zip(parts[1::2], ends[0::2], ends[1::2]) if p not in _HYPHENS]


def _fold_quotes(text: str) -> str:
    """``text`` with the _QUOTES characters replaced by "'".

    ``str.replace`` per character, not ``str.translate``: translate looks every character of the
    text up in its table (0.08 s over 100,000 words of abstracts, a third of ``pieces``), while
    replace scans for one character at a time in C and returns ``text`` itself when it is absent.
    """
    for quote in _QUOTES:
        if quote in text:
            text = text.replace(quote, "'")
    return text


def fold(piece: str) -> str:
    """The case-insensitive form of one piece."""
    low = piece.lower()
    return BRITISH_TO_AMERICAN.get(low, low)


def term_key(term: str, mode: str) -> tuple[str, ...]:
    """The lookup key of a lexicon term for ``mode`` (see the module docstring)."""
    parts = [p for p, _, _ in pieces(term)]
    if mode == "exact":
        return tuple(parts)
    return tuple(fold(p) for p in parts)


def singular(piece: str) -> str | None:
    """A conservative singular of a folded piece ("receptors" -> "receptor"), or None."""
    if len(piece) >= 5 and piece.endswith("s") and not piece.endswith(("ss", "us", "is")):
        return piece[:-1]
    return None


@dataclass(frozen=True)
class Concept:
    label: str
    db: str
    id: str
    name: str


@dataclass(frozen=True)
class LexiconHit:
    start: int
    end: int
    concept: Concept
    mode: str


class Lexicon:
    """Term keys -> concepts, with longest-match lookup over a text's pieces."""

    def __init__(self, concept_rows: list[str], entries: dict[str, dict[str, int]], longest: dict[str, dict[str, int]], header: list[str]):
        self._concept_rows = concept_rows  # parsed into Concept on first use: loading stays fast
        self._concepts: dict[int, Concept] = {}
        self.entries = entries  # mode -> {key (pieces joined by spaces): concept row number (int)}
        self._longest = longest  # mode -> {first piece: pieces in its longest key (int)}
        self.header = header
        self._pairs: dict[str, frozenset[str]] = {}  # mode -> first two pieces of its longer keys, on first use
        self._lookups: dict[tuple[str, str], Concept | None] = {}  # see lookup()

    def __len__(self) -> int:
        return sum(len(t) for t in self.entries.values())

    def concept(self, index: int) -> Concept:
        found = self._concepts.get(index)
        if found is None:
            found = self._concepts[index] = Concept(*self._concept_rows[index].split("\t"))
        return found

    def lookup(self, term: str, mode: str = "lower") -> Concept | None:
        """The concept whose key ``term`` has under ``mode``, or None.

        Remembered per (term, mode): the entity stage looks up every model mention several ways,
        and the same mentions recur from document to document. The memory is emptied when it
        reaches LOOKUP_MEMORY entries, so a long batch cannot grow it without bound.
        """
        remembered = self._lookups.get((term, mode), _NOT_LOOKED_UP)
        if remembered is not _NOT_LOOKED_UP:
            return remembered
        index = self.entries[mode].get(" ".join(term_key(term, mode)))
        found = None if index is None else self.concept(index)
        if len(self._lookups) >= LOOKUP_MEMORY:
            self._lookups.clear()
        self._lookups[(term, mode)] = found
        return found

    def find(self, text: str) -> Iterator[LexiconHit]:
        """The longest hit starting at each piece of ``text``, per mode (overlaps resolved later).

        A long text is looked up one stretch of paragraphs at a time (see ``_windows``), so its
        pieces are never all in memory at once; the hits and their order are the same, except for a
        term that would run across a paragraph break.
        """
        windows = _windows(text)
        if len(windows) == 1:
            yield from self._find_in(text, 0, len(text))
            return
        by_mode: dict[str, list[LexiconHit]] = {mode: [] for mode in _FIND_ORDER}
        for start, end in windows:
            for hit in self._find_in(text, start, end):
                by_mode[hit.mode].append(hit)
        for mode in _FIND_ORDER:
            yield from by_mode[mode]

    def _find_in(self, text: str, w_start: int, w_end: int) -> Iterator[LexiconHit]:
        """``find`` over ``text[w_start:w_end]``, with offsets into ``text``; mode by mode."""
        ps = [(p, s + w_start, e + w_start) for p, s, e in pieces(text[w_start:w_end])] if w_start or w_end < len(text) else pieces(text)
        orth = [p for p, _, _ in ps]
        american = BRITISH_TO_AMERICAN.get
        folded = [american(low, low) for low in map(str.lower, orth)]  # fold(), for every piece at once
        for mode, seq in zip(_FIND_ORDER, (folded, folded, orth)):
            table, longest, pairs = self.entries[mode], self._longest[mode], self._pairs_of(mode)
            try_singular = mode == "lower"
            # most pieces start no key: find the few that do in one pass, then try only those
            for i in [i for i, first in enumerate(seq) if first in longest]:
                first = seq[i]
                n_max = min(longest[first], len(seq) - i)
                # no key of two or more pieces starts with these two (the second as is, or for a
                # two-piece key its singular, as _longest_at tries it): skip those lengths
                if n_max > 1 and f"{first} {seq[i + 1]}" not in pairs:
                    one = singular(seq[i + 1]) if try_singular else None
                    if one is None or f"{first} {one}" not in pairs:
                        n_max = 1
                if n_max == 1:  # most candidates: _longest_at's one-piece case, without the call
                    n, index = 1, table.get(first)
                    if index is None and try_singular:
                        one = singular(first)
                        index = None if one is None else table.get(one)
                    if index is None:
                        continue
                else:
                    hit = self._longest_at(table, seq, i, n_max, try_singular)
                    if hit is None:
                        continue
                    n, index = hit
                start, end = ps[i][1], ps[i + n - 1][2]
                if mode == "symbol" and not any(c.isupper() for c in text[start:end]):
                    continue
                yield LexiconHit(start, end, self.concept(index), mode)

    def _pairs_of(self, mode: str) -> frozenset[str]:
        """The first two pieces ("a b") of every key of ``mode`` with two pieces or more.

        Most pieces that start some key start no longer key with the piece that follows them in
        the text; this set lets ``find`` skip trying every longer length for them (several
        lookups each) without changing any result. Built once per process, on first use.
        """
        found = self._pairs.get(mode)
        if found is None:
            found = self._pairs[mode] = frozenset(_first_two(key) for key in self.entries[mode] if " " in key)
        return found

    @staticmethod
    def _longest_at(table, seq, i, n_max, try_singular) -> tuple[int, int] | None:
        for n in range(n_max, 0, -1):
            index = table.get(" ".join(seq[i : i + n]))
            if index is None and try_singular:
                last = singular(seq[i + n - 1])
                if last is not None:
                    index = table.get(" ".join([*seq[i : i + n - 1], last]))
            if index is not None:
                return n, index
        return None


#: The order in which ``find`` reports the hits of each match mode.
_FIND_ORDER = ("lower", "symbol", "exact")
#: Texts longer than this are looked up in stretches of about this many characters, cut at a
#: blank line (a paragraph break: no term runs across one) -- 1.6M characters of pieces held at
#: once cost about 55 MB.
WINDOW_CHARS = 100_000


def _windows(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` stretches of ``text``: the whole text, or cuts after blank lines."""
    windows, start = [], 0
    while len(text) - start > WINDOW_CHARS:
        cut = text.find("\n\n", start + WINDOW_CHARS)
        if cut < 0:
            break
        windows.append((start, cut + 2))
        start = cut + 2
    windows.append((start, len(text)))
    return windows


def _first_two(key: str) -> str:
    """``"a b c"`` -> ``"a b"`` (``key`` has a space)."""
    second = key.find(" ", key.find(" ") + 1)
    return key if second < 0 else key[:second]


def longest_by_first(keys) -> dict[str, int]:
    """Pieces in the longest key per first piece (stored in the artefact to keep loading fast)."""
    longest: dict[str, int] = {}
    for key in keys:
        parts = key.split(" ")
        if len(parts) > longest.get(parts[0], 0):
            longest[parts[0]] = len(parts)
    return longest


def parse_lexicon_lines(lines: Iterable[str]) -> Lexicon:
    """Parse the artefact's lines (line ends allowed): ``#`` header lines, then sections opened by ``@<name>`` lines.

    ``@concepts``: ``label<TAB>db<TAB>id<TAB>name``, the row number is the concept's index.
    ``@<mode>``: ``key<TAB>concept index``. ``@longest <mode>``: ``first piece<TAB>pieces``.
    One line at a time, straight from the decompressing stream: holding the whole 14 MB text, or
    all 458,000 lines, while the tables are built made the loading peak twice the tables' own 50
    MB, and the process kept most of that peak as resident memory afterwards (fragmentation).
    Row numbers become ints, one shared object per concept (262,000 keys name 99,000 concepts).
    """
    header: list[str] = []
    concepts: list[str] = []
    tables: dict[str, dict[str, int]] = {}
    rows: list[int] = []
    section: str | None = None
    table: dict[str, int] = {}
    for line in lines:
        line = line.rstrip("\n")
        if line.startswith("@"):
            section = line[1:]
            if section != "concepts":
                if not concepts:
                    raise ValueError(f"lexicon artefact: section @{section} comes before @concepts; rebuild it with `make lexicon`")
                rows = rows or list(range(len(concepts)))
                table = tables[section] = {}
            continue
        if section is None:
            header.append(line)
        elif not line:
            continue
        elif section == "concepts":
            concepts.append(line)
        else:
            key, _, value = line.partition("\t")
            table[key] = rows[int(value)] if not section.startswith("longest ") else int(value)
    entries = {mode: tables[mode] for mode in MODES}
    longest = {mode: tables[f"longest {mode}"] for mode in MODES}
    return Lexicon(concepts, entries, longest, header)


#: Bump when what ``_cache_state`` stores changes.
CACHE_FORMAT = 1


@lru_cache(maxsize=1)
def load_lexicon(path: Path = LEXICON_PATH) -> Lexicon:
    """Load the committed lexicon once per process.

    Parsing the artefact's text takes ~0.65 s, the largest part of a process's start-up after
    importing spaCy; the parsed tables (with the pair sets ``find`` would build on first use) are
    therefore kept in the package's cache (pipeline/_cache.py) as ``marshal`` data, named by the
    artefact's SHA-256, and load from there in ~0.15 s. Same tables either way
    (tests/test_lexicon_cache.py); a missing or damaged entry means parsing again.
    """
    packed = path.read_bytes()
    name = entry_name("lexicon", hashlib.sha256(packed).hexdigest(), CACHE_FORMAT)
    cached = read_entry(name)
    if cached is not None:
        lexicon = _from_cache_state(cached)
        if lexicon is not None:
            return lexicon
    with gzip.open(io.BytesIO(packed), "rt", encoding="utf-8", newline="\n") as handle:
        lexicon = parse_lexicon_lines(handle)
    del packed
    write_entry(name, marshal.dumps(_cache_state(lexicon)))
    return lexicon


def _cache_state(lexicon: Lexicon) -> tuple:
    """What the cache keeps: the parsed tables and every mode's pair set (marshal-able types only)."""
    pairs = {mode: lexicon._pairs_of(mode) for mode in MODES}
    return (lexicon._concept_rows, lexicon.entries, lexicon._longest, lexicon.header, pairs)


def _from_cache_state(data: bytes) -> Lexicon | None:
    """The lexicon a cache entry holds, or None if the entry is damaged or of another shape."""
    try:
        concept_rows, entries, longest, header, pairs = marshal.loads(data)
    except (EOFError, ValueError, TypeError):
        return None
    shapes = (
        isinstance(concept_rows, list) and isinstance(header, list)
        and all(isinstance(table.get(mode), dict) for table in (entries, longest) for mode in MODES)
        and all(isinstance(pairs.get(mode), frozenset) for mode in MODES)
    ) if isinstance(entries, dict) and isinstance(longest, dict) and isinstance(pairs, dict) else False
    if not shapes:
        return None
    lexicon = Lexicon(concept_rows, entries, longest, header)
    lexicon._pairs.update(pairs)
    return lexicon
