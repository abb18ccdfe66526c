"""The dev gold for PATHWAY, PROCESS and ANATOMY: which abstracts, their text, and the gold file.

The gold (``eval/gold/mechanisms-dev.jsonl``) holds our own annotations only; the abstract text is
read from ../shared/data at scoring time, and a sha256 of it in each gold line detects drift.

The text of an abstract is :func:`abstract_text`: the ``abstract`` field of the article's record in
the ``ground_truth.jsonl`` of its JATS set (whitespace-normalised, block elements joined by one
space; see ../shared/data/README.md). Offsets of the gold spans are character offsets into it.

The selection (:func:`select_abstracts`) is deterministic: every JATS abstract in ../shared/data
(PLOS, eLife, PMC, MEDLINE; the README marks all of them as development data) is put in one of two
pools by whether it uses pathway/process/anatomy vocabulary (``MECHANISM_VOCABULARY``), each pool
is shuffled with a fixed seed, and the first ``KEYWORD_PICKS`` and ``OTHER_PICKS`` are taken; then,
as named pathways are rare even there, the next ``PATHWAY_PICKS`` of the shuffled keyword pool
whose text has a word before *signalling/pathway/cascade* (``PATHWAY_VOCABULARY``). The
keyword pool makes sure there are enough mentions to measure recall on; the other pool keeps the
measure honest about what the rules find outside that vocabulary and about false positives in
ordinary clinical and psychology abstracts.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
GOLD = REPO / "eval" / "gold" / "mechanisms-dev.jsonl"
LABELS = ("PATHWAY", "PROCESS", "ANATOMY")
JATS_SETS = ("plos", "elife", "pmc", "medline")
SEED = 4
KEYWORD_PICKS = 20
OTHER_PICKS = 12
PATHWAY_PICKS = 8
MECHANISM_VOCABULARY = re.compile(
    r"(?i)\b(signal(l)?ing|pathways?|cascades?|axis|kinase|plasticity|apoptosis|neurogenesis|synap\w+"
    r"|cortex|hippocamp\w*|amygdala|striatum)\b"
)
#: The narrower vocabulary of the third pool: named pathways are rarer than processes and anatomy.
PATHWAY_VOCABULARY = re.compile(r"(?i)\b(?:\w+[ -])(signal(l)?ing|pathways?|cascades?)\b")


def abstract_text(data: Path, ground_truth: str, article_id: str) -> str | None:
    """The abstract of ``article_id`` in ``data/ground_truth`` (a ground_truth.jsonl), or None."""
    for record in _records(data / ground_truth):
        if record["id"] == article_id:
            return record.get("abstract")
    return None


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def select_abstracts(data: Path) -> list[dict]:
    """The selected abstracts: ``{"source", "ground_truth", "id", "pool"}`` in selection order."""
    keyword, other = [], []
    for name in JATS_SETS:
        ground_truth = f"jats/{name}/ground_truth.jsonl"
        for record in _records(data / ground_truth):
            if not record.get("abstract"):
                continue
            source = f"jats/{name}/{record['xml']}"
            item = {"source": source, "ground_truth": ground_truth, "id": record["id"], "abstract": record["abstract"]}
            (keyword if MECHANISM_VOCABULARY.search(record["abstract"]) else other).append(item)
    picks = []
    for pool, items, count in (("keyword", keyword, KEYWORD_PICKS), ("other", other, OTHER_PICKS)):
        items = sorted(items, key=lambda i: (i["ground_truth"], i["id"]))
        random.Random(SEED).shuffle(items)
        picks += [{**item, "pool": pool} for item in items[:count]]
        if pool == "keyword":  # then more pathway abstracts, the next ones in the same shuffled order
            more = [i for i in items[count:] if PATHWAY_VOCABULARY.search(i.pop("abstract"))]
            pathway_picks = [{**item, "pool": "pathway"} for item in more[:PATHWAY_PICKS]]
    for item in picks:
        item.pop("abstract", None)
    return picks + pathway_picks


def read_gold(path: Path = GOLD) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _records(path: Path):
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            yield json.loads(line)
