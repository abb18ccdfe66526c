"""The lexicon's shortcut (skip longer lengths when no longer key starts with the next two pieces)
finds exactly what trying every length finds."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.readers import read_bytes
from pipeline.stages import _lexicon as X

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def _hits(lexicon: X.Lexicon, text: str) -> list:
    return [(h.start, h.end, h.concept, h.mode) for h in lexicon.find(text)]


def test_pair_shortcut_changes_no_hit(monkeypatch) -> None:
    lexicon = X.load_lexicon()
    texts = [read_bytes(p.read_bytes(), p.name).text for p in sorted(SAMPLES.iterdir())]
    texts.append("NMDA receptors and 5-HT2A receptors; mTOR signalling pathways; brain-derived neurotrophic factors.")
    fast = [_hits(lexicon, text) for text in texts]
    monkeypatch.setattr(X.Lexicon, "_pairs_of", lambda self, mode: _EveryPair())  # try every length, as before the shortcut
    assert [_hits(lexicon, text) for text in texts] == fast
    assert sum(len(h) for h in fast) > 200
    assert any(end - start > 12 and " " in texts[-1][start:end] for start, end, _c, _m in fast[-1])  # multi-piece hits


@pytest.mark.parametrize("key, pair", [("a b", "a b"), ("a b c d", "a b")])
def test_first_two_pieces(key, pair) -> None:
    assert X._first_two(key) == pair


class _EveryPair:
    """A pair set that holds every pair: the shortcut never skips a length."""

    def __contains__(self, _pair: str) -> bool:
        return True


def test_shortcut_tries_the_singular_of_the_second_piece() -> None:
    # a two-piece key "nmda receptor" is reached from "NMDA receptors" only through the singular of
    # the second piece: the shortcut must not skip the two-piece length for it
    lexicon = X.Lexicon(["PROTEIN\tTEST\t1\tNMDA receptor"], {"lower": {"nmda receptor": 0}, "symbol": {}, "exact": {}},
                        {"lower": {"nmda": 2}, "symbol": {}, "exact": {}}, [])
    assert [(h.start, h.end, h.mode) for h in lexicon.find("NMDA receptors block")] == [(0, 14, "lower")]
    assert [(h.start, h.end) for h in lexicon.find("NMDA receptor")] == [(0, 13)]
    assert lexicon._pairs_of("lower") == frozenset({"nmda receptor"})


def test_artefact_lines_parse_into_int_rows_shared_per_concept() -> None:
    lines = ["# header", "@concepts", "PROTEIN\tHGNC\tHGNC:1033\tBDNF", "COMPOUND\tMESH\tD007649\tKetamine", "",
             "@lower", "bdnf\t0", "brain derived neurotrophic factor\t0", "ketamine\t1", "",
             "@longest lower", "bdnf\t1", "brain\t4", "ketamine\t1"]
    for mode in ("exact", "symbol"):
        lines += [f"@{mode}", f"@longest {mode}"]
    lexicon = X.parse_lexicon_lines(line + "\n" for line in lines)
    assert lexicon.header == ["# header"]
    assert lexicon.entries["lower"] == {"bdnf": 0, "brain derived neurotrophic factor": 0, "ketamine": 1}
    assert lexicon.entries["lower"]["bdnf"] is lexicon.entries["lower"]["brain derived neurotrophic factor"]
    assert lexicon._longest["lower"] == {"bdnf": 1, "brain": 4, "ketamine": 1}
    assert lexicon.lookup("Ketamine").id == "D007649"
    assert [(h.start, h.end, h.concept.name) for h in lexicon.find("Brain-derived neurotrophic factor rose.")] == [(0, 33, "BDNF")]


def test_artefact_with_a_table_before_its_concepts_is_refused() -> None:
    with pytest.raises(ValueError, match="before @concepts"):
        X.parse_lexicon_lines(["@lower", "bdnf\t0", "@concepts", "PROTEIN\tHGNC\tHGNC:1033\tBDNF"])


def test_lookup_memory_gives_the_same_concepts_and_stays_bounded(monkeypatch) -> None:
    lexicon = X.load_lexicon()
    terms = ["ketamine", "Ketamine", "BDNF", "mTOR", "NMDA receptor", "no such term", "ATP", "atp", "signalling"]
    first = [(lexicon.lookup(t, mode), t, mode) for t in terms for mode in X.MODES]
    again = [(lexicon.lookup(t, mode), t, mode) for t in terms for mode in X.MODES]
    assert first == again
    assert any(c is not None for c, _t, _m in first) and any(c is None for c, _t, _m in first)
    fresh = X.Lexicon(lexicon._concept_rows, lexicon.entries, lexicon._longest, lexicon.header)  # no memory yet
    assert [(fresh.lookup(t, mode), t, mode) for t in terms for mode in X.MODES] == first
    monkeypatch.setattr(X, "LOOKUP_MEMORY", 5)
    small = X.Lexicon(lexicon._concept_rows, lexicon.entries, lexicon._longest, lexicon.header)
    assert [(small.lookup(t, mode), t, mode) for t in terms for mode in X.MODES] == first
    assert 0 < len(small._lookups) <= 5


def _reference_find(lexicon: X.Lexicon, text: str) -> list:
    """``find`` written plainly: at every piece that starts a key, every length from that piece's
    longest key down, no shortcut (a plural is tried for the last piece only, as ``find`` does)."""
    ps = X.pieces(text)
    orth = [p for p, _, _ in ps]
    folded = [X.fold(p) for p in orth]
    hits = []
    for mode, seq in zip(X._FIND_ORDER, (folded, folded, orth)):
        table, longest = lexicon.entries[mode], lexicon._longest[mode]
        for i in range(len(seq)):
            for n in range(min(longest.get(seq[i], 0), len(seq) - i), 0, -1):
                index = table.get(" ".join(seq[i : i + n]))
                if index is None and mode == "lower":
                    one = X.singular(seq[i + n - 1])
                    index = None if one is None else table.get(" ".join([*seq[i : i + n - 1], one]))
                if index is not None:
                    start, end = ps[i][1], ps[i + n - 1][2]
                    if mode != "symbol" or any(c.isupper() for c in text[start:end]):
                        hits.append((start, end, lexicon.concept(index), mode))
                    break
    return hits


def test_find_equals_a_plain_search_of_every_length() -> None:
    lexicon = X.load_lexicon()
    texts = [read_bytes(p.read_bytes(), p.name).text for p in sorted(SAMPLES.iterdir())]
    texts.append("Receptors: NMDA receptors, 5-HT2A receptors, dopamine D2 receptors; mTOR signalling; ATP and atp; TrkB.")
    for text in texts:
        assert _hits(lexicon, text) == _reference_find(lexicon, text)


@pytest.mark.parametrize("text", [
    "Alzheimer\u2019s disease", "\u2018quoted\u2019 and \u02bcokina and plain 's", "no quotes at all", "", "\u2019\u2019\u2018",
])
def test_pieces_fold_quotes_as_the_translate_table_did(text) -> None:
    # _fold_quotes (str.replace, for speed) must equal the str.translate table it replaced, and
    # keep every offset
    table = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})
    assert X._fold_quotes(text) == text.translate(table)
    assert [(p, s, e) for p, s, e in X.pieces(text)] == [
        (m.group(), m.start(), m.end()) for m in X.PIECE_RE.finditer(text.translate(table)) if m.group() not in X._HYPHENS
    ]
