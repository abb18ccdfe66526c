"""The PATHWAY/PROCESS/ANATOMY dev gold is well-formed and still matches the texts it annotates.

The gold (eval/gold/mechanisms-dev.jsonl) stores our spans and a hash of each abstract, never the
text: these tests read the abstracts from ../shared/data and check every offset against them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
sys.path.insert(0, str(REPO / "eval"))

from mechanism_gold import GOLD, LABELS, abstract_text, read_gold, select_abstracts, text_sha256  # noqa: E402

needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data not found: the gold's abstracts live there")


def test_mechanism_gold_lines_have_the_documented_fields():
    items = read_gold(GOLD)
    assert len(items) >= 30
    for item in items:
        assert set(item) == {"source", "ground_truth", "id", "pool", "sha256", "spans"}
        assert len(item["sha256"]) == 64
        assert "text" not in item and "abstract" not in item  # the text itself is never committed
        for span in item["spans"]:
            assert set(span) == {"start", "end", "label", "text"}
            assert span["label"] in LABELS
            assert 0 <= span["start"] < span["end"]


def test_mechanism_gold_spans_do_not_overlap_and_are_sorted():
    for item in read_gold(GOLD):
        spans = [(s["start"], s["end"]) for s in item["spans"]]
        assert spans == sorted(spans)
        assert all(a_end <= b_start for (_, a_end), (b_start, _) in zip(spans, spans[1:])), item["id"]


def test_mechanism_gold_lines_are_canonical_json():
    for line in GOLD.read_text(encoding="utf-8").splitlines():
        assert line == json.dumps(json.loads(line), ensure_ascii=False, sort_keys=True)


@needs_shared
def test_mechanism_gold_hashes_and_offsets_match_the_shared_abstracts():
    for item in read_gold(GOLD):
        assert (SHARED / item["source"]).is_file(), item["source"]
        text = abstract_text(SHARED, item["ground_truth"], item["id"])
        assert text is not None, f"{item['id']} has no abstract in {item['ground_truth']}"
        assert text_sha256(text) == item["sha256"], f"the abstract of {item['id']} changed: re-annotate it"
        for span in item["spans"]:
            assert span["end"] <= len(text)
            assert text[span["start"] : span["end"]] == span["text"]


@needs_shared
def test_mechanism_gold_is_the_documented_selection():
    selected = [(p["ground_truth"], p["id"], p["pool"]) for p in select_abstracts(SHARED)]
    annotated = [(i["ground_truth"], i["id"], i["pool"]) for i in read_gold(GOLD)]
    assert annotated == selected
