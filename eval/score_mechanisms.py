"""Score PATHWAY, PROCESS and ANATOMY mentions against our own development gold.

No public corpus annotates these three labels the way our records use them, so the gold is ours:
``eval/gold/mechanisms-dev.jsonl``, 40 JATS abstracts annotated by the guideline in
``docs/annotation-guideline.md`` (selection and text extraction in ``mechanism_gold.py``). Each
abstract's text is read from ../shared/data and checked against the gold's sha256, then goes through
the whole pipeline as a ``.txt`` input, as a user's text would.

Two measures per label: strict (same start, end and label) and partial (same label, overlapping
spans; each gold and each predicted mention is matched at most once, in text order). Partial shows
how much of the strict loss is only a border disagreement.

Usage:  python eval/score_mechanisms.py [--write] [--errors]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import replace_block, require_shared_data  # noqa: E402
from mechanism_gold import GOLD, LABELS, abstract_text, read_gold, text_sha256  # noqa: E402

from pipeline import layers as L  # noqa: E402
from pipeline.readers import read_bytes  # noqa: E402
from pipeline.recipe import run_stages  # noqa: E402

Mention = tuple[int, int, str]


def predict(text: str) -> list[Mention]:
    """The pipeline's PATHWAY/PROCESS/ANATOMY mentions in ``text``."""
    doc = run_stages(read_bytes(text.encode("utf-8"), "abstract.txt"))
    return sorted((s.start, s.end, s.label) for s in doc.layer(L.ENTITIES) if s.label in LABELS)


def strict_matches(gold: list[Mention], predicted: list[Mention]) -> set[Mention]:
    return set(gold) & set(predicted)


def partial_pairs(gold: list[Mention], predicted: list[Mention]) -> list[tuple[Mention, Mention]]:
    """One-to-one pairs of overlapping same-label mentions: exact matches first, then text order."""
    pairs, used_gold, used_pred = [], set(), set()
    for g in sorted(strict_matches(gold, predicted)):
        pairs.append((g, g))
        used_gold.add(g)
        used_pred.add(g)
    for g in sorted(gold):
        if g in used_gold:
            continue
        for p in sorted(predicted):
            if p not in used_pred and p[2] == g[2] and p[0] < g[1] and g[0] < p[1]:
                pairs.append((g, p))
                used_gold.add(g)
                used_pred.add(p)
                break
    return pairs


def prf(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    p = tp / n_pred if n_pred else (1.0 if not n_gold else 0.0)
    r = tp / n_gold if n_gold else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def score(data: Path, show_errors: bool = False) -> dict[str, Counter]:
    counts = {label: Counter() for label in (*LABELS, "all")}
    for item in read_gold(GOLD):
        text = abstract_text(data, item["ground_truth"], item["id"])
        if text is None or text_sha256(text) != item["sha256"]:
            sys.exit(f"error: the abstract {item['id']} in {item['ground_truth']} changed or is missing; "
                     "the gold offsets no longer apply (re-annotate it)")
        gold = [(s["start"], s["end"], s["label"]) for s in item["spans"]]
        predicted = predict(text)
        strict = strict_matches(gold, predicted)
        partial = partial_pairs(gold, predicted)
        for label in LABELS:
            for key in ("all", label):
                c = counts[key]
                c["gold"] += sum(1 for m in gold if m[2] == label)
                c["pred"] += sum(1 for m in predicted if m[2] == label)
                c["strict"] += sum(1 for m in strict if m[2] == label)
                c["partial"] += sum(1 for g, _ in partial if g[2] == label)
        if show_errors:
            _print_errors(item["id"], text, gold, predicted, strict)
    return counts


def _print_errors(item_id: str, text: str, gold, predicted, strict) -> None:
    missed = [m for m in gold if m not in strict]
    wrong = [m for m in predicted if m not in strict]
    if missed or wrong:
        print(f"== {item_id}")
        for start, end, label in missed:
            print(f"  FN {label:8} {text[start:end]!r}")
        for start, end, label in wrong:
            print(f"  FP {label:8} {text[start:end]!r}")


def table(counts: dict[str, Counter]) -> str:
    rows = ["| label | gold | predicted | strict P | strict R | strict F1 | partial P | partial R | partial F1 |",
            "|---|---|---|---|---|---|---|---|---|"]
    for label in (*LABELS, "all"):
        c = counts[label]
        sp, sr, sf = prf(c["strict"], c["pred"], c["gold"])
        pp, pr, pf = prf(c["partial"], c["pred"], c["gold"])
        rows.append(f"| {label} | {c['gold']} | {c['pred']} | {sp:.3f} | {sr:.3f} | {sf:.3f} | {pp:.3f} | {pr:.3f} | {pf:.3f} |")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="write the table into docs/evaluation.md")
    parser.add_argument("--errors", action="store_true", help="list missed (FN) and spurious (FP) mentions per abstract")
    args = parser.parse_args()
    data = require_shared_data()
    counts = score(data, args.errors)
    result = table(counts)
    print(result)
    if args.write:
        n = len(read_gold(GOLD))
        replace_block("mechanisms-dev", (
            "### PATHWAY, PROCESS, ANATOMY on our dev gold (`eval/score_mechanisms.py`)\n\n"
            f"{n} JATS abstracts annotated by `docs/annotation-guideline.md` (`eval/gold/mechanisms-dev.jsonl`); "
            "whole pipeline; strict = same span and label, partial = overlapping span, same label.\n\n" + result))


if __name__ == "__main__":
    main()
