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
    monkeypatch.setattr(X, "_may_continue", lambda *_args: True)  # try every length, as before the shortcut
    assert [_hits(lexicon, text) for text in texts] == fast
    assert sum(len(h) for h in fast) > 200
    assert any(end - start > 12 and " " in texts[-1][start:end] for start, end, _c, _m in fast[-1])  # multi-piece hits


@pytest.mark.parametrize("key, pair", [("a b", "a b"), ("a b c d", "a b")])
def test_first_two_pieces(key, pair) -> None:
    assert X._first_two(key) == pair


def test_may_continue_tries_the_singular_of_the_second_piece() -> None:
    pairs = frozenset({"nmda receptor"})
    assert X._may_continue(pairs, "nmda", "receptors", True)
    assert not X._may_continue(pairs, "nmda", "receptors", False)
    assert not X._may_continue(pairs, "ampa", "receptor", True)
