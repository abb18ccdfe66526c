"""Score entity recognition against the NER development splits in ../shared/data/ner.

Strict span matching (same start, end and label) per label:
BC5CDR dev (Chemical -> COMPOUND, Disease -> CONDITION), BC2GM devel (GENE -> PROTEIN),
NCBI-disease devel (Disease -> CONDITION). Also MeSH normalisation accuracy on BC5CDR dev: of the
gold mentions we found with the right span and label, how many carry the gold MeSH ID.
Only development splits are read (the test splits are deliberately not available).

Each text goes through the whole pipeline (reader and every stage), as a user's input would.

Usage:  python eval/score_entities.py [--write] [--limit N]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import replace_block, require_shared_data  # noqa: E402

from pipeline.readers import read_bytes  # noqa: E402
from pipeline.recipe import run_stages  # noqa: E402
from pipeline import layers as L  # noqa: E402

CORPORA = (
    # name, path under ner/, gold label -> our label
    ("BC5CDR dev", "bc5cdr/dev.jsonl", {"Chemical": "COMPOUND", "Disease": "CONDITION"}),
    ("BC2GM devel", "iob/BC2GM-IOB/devel.jsonl", {"GENE": "PROTEIN"}),
    ("NCBI-disease devel", "iob/NCBI-disease-IOB/devel.jsonl", {"Disease": "CONDITION"}),
)


def score_corpus(path: Path, mapping: dict[str, str], limit: int) -> tuple[dict, dict, int, float]:
    counts: dict[str, Counter] = {label: Counter() for label in sorted(set(mapping.values()))}
    norm_counts = Counter()
    words = 0
    started = time.perf_counter()
    with path.open(encoding="utf-8") as handle:
        for index, line in enumerate(handle):
            if limit and index >= limit:
                break
            item = json.loads(line)
            text = item["text"]
            words += len(text.split())
            doc = run_stages(read_bytes(text.encode("utf-8"), "eval.txt"))
            predicted = {(s.start, s.end, s.label): s for s in doc.layer(L.ENTITIES) if s.label in counts}
            gold = {}
            for entity in item["entities"]:
                label = mapping.get(entity["label"])
                if label:
                    gold[(entity["start"], entity["end"], label)] = entity.get("norm")
            for label in counts:
                p = {k for k in predicted if k[2] == label}
                g = {k for k in gold if k[2] == label}
                counts[label]["tp"] += len(p & g)
                counts[label]["fp"] += len(p - g)
                counts[label]["fn"] += len(g - p)
            for key, mesh in gold.items():
                if mesh and "|" not in mesh and key in predicted:
                    norm = predicted[key].get("norm")
                    norm_counts["matched"] += 1
                    norm_counts["correct"] += bool(norm and norm.get("db") == "MESH" and norm.get("id") == mesh)
    return counts, norm_counts, words, time.perf_counter() - started


def prf(c: Counter) -> tuple[float, float, float]:
    p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 0.0
    r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="update docs/evaluation.md")
    parser.add_argument("--limit", type=int, default=0, help="documents/sentences per corpus (0 = all)")
    args = parser.parse_args()
    data = require_shared_data() / "ner"
    lines = ["| corpus | label | P | R | F1 | gold mentions |", "|---|---|---|---|---|---|"]
    notes = []
    for name, rel, mapping in CORPORA:
        counts, norm_counts, words, seconds = score_corpus(data / rel, mapping, args.limit)
        for label, c in counts.items():
            p, r, f = prf(c)
            lines.append(f"| {name} | {label} | {p:.3f} | {r:.3f} | {f:.3f} | {c['tp'] + c['fn']} |")
        if norm_counts["matched"]:
            notes.append(f"- {name}: MeSH ID correct for {norm_counts['correct']}/{norm_counts['matched']} = {norm_counts['correct'] / norm_counts['matched']:.3f} of correctly found single-ID mentions.")
        notes.append(f"- {name}: {words} words through the whole pipeline in {seconds:.1f} s (not a benchmark; see docs/benchmarks.md).")
    report = "\n".join(lines) + "\n\n" + "\n".join(notes)
    print(report)
    if args.write:
        replace_block("entities", "Command: `.venv/bin/python eval/score_entities.py --write`\n\n" + report)


if __name__ == "__main__":
    main()
