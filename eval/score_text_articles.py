"""Score the text/Markdown path on real JATS articles rendered as text (see eval/jats_text.py).

For each article in ../shared/data/jats/{plos,elife,pmc} (development data) the article is rendered
as plain text (.txt) and as Markdown (.md), converted by the pipeline, and compared with
ground_truth.jsonl: title (normalised exact), author family names F1, DOI (case-insensitive exact),
top-level section headings F1 (normalised), reference count within 10%.

Usage:  python eval/score_text_articles.py [--write] [--limit N] [--show-failures]
``--write`` replaces the block for this scorer in docs/evaluation.md.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import f1, norm, replace_block, require_shared_data  # noqa: E402
from jats_text import render  # noqa: E402

from pipeline import convert_bytes  # noqa: E402

CORPORA = ("plos", "elife", "pmc")


def score_article(gold: dict, record: dict) -> dict:
    article = record["article"]
    top = [s["heading"] for s in record["sections"] if s["level"] == 1 and s["kind"] != "references" and norm(s["heading"]) != "abstract"]
    gold_top = [h for h in (gold.get("section_headings") or [])]
    predicted_family = [norm(a.get("family") or a["name"].split()[-1]) for a in article["authors"]]
    gold_family = [norm(a.get("family") or a.get("collab")) for a in gold.get("authors") or []]
    refs = [c for c in record["citations"] if c["role"] == "reference"]
    n_gold_refs = gold.get("n_references")
    return {
        "title": norm(article["title"]) == norm(gold["title"]),
        "authors_f1": f1(predicted_family, gold_family)[2],
        "doi": (article["doi"] or "").lower() == (gold.get("doi") or "").lower() if gold.get("doi") else None,
        "sections_f1": f1([norm(h) for h in top], [norm(h) for h in gold_top])[2] if gold.get("section_headings") is not None else None,
        "refs_within_10pct": (abs(len(refs) - n_gold_refs) <= 0.1 * n_gold_refs) if n_gold_refs else None,
        "predicted_sections": top,
        "gold_sections": gold_top,
        "predicted_title": article["title"],
    }


def mean(values: list) -> float | None:
    values = [float(v) for v in values if v is not None]
    return statistics.fmean(values) if values else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="update docs/evaluation.md")
    parser.add_argument("--limit", type=int, default=0, help="articles per corpus (0 = all)")
    parser.add_argument("--show-failures", action="store_true")
    args = parser.parse_args()
    data = require_shared_data()
    rows = []
    for corpus in CORPORA:
        folder = data / "jats" / corpus
        golds = [json.loads(line) for line in (folder / "ground_truth.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
        if args.limit:
            golds = golds[: args.limit]
        for flavour, suffix in (("text", ".txt"), ("markdown", ".md")):
            results = []
            failures = 0
            for gold in golds:
                text = render((folder / gold["xml"]).read_bytes(), markdown=flavour == "markdown")
                try:
                    record = convert_bytes(text.encode("utf-8"), f"{gold['id']}{suffix}")
                except Exception as exc:  # a failure counts as all-wrong, and is listed
                    failures += 1
                    print(f"FAILED {corpus}/{gold['id']}{suffix}: {exc}", file=sys.stderr)
                    continue
                result = score_article(gold, record)
                results.append(result)
                if args.show_failures and (not result["title"] or (result["sections_f1"] is not None and result["sections_f1"] < 1)):
                    print(f"{corpus}/{gold['id']}{suffix}: title={result['predicted_title']!r}\n  pred={result['predicted_sections']}\n  gold={result['gold_sections']}", file=sys.stderr)
            n = len(golds)
            rows.append(
                {
                    "corpus": corpus,
                    "flavour": flavour,
                    "n": n,
                    "failed": failures,
                    "title": mean([r["title"] for r in results] + [False] * failures),
                    "authors_f1": mean([r["authors_f1"] for r in results] + [0.0] * failures),
                    "doi": mean([r["doi"] for r in results]),
                    "sections_f1": mean([r["sections_f1"] for r in results]),
                    "refs": mean([r["refs_within_10pct"] for r in results]),
                }
            )
    fmt = lambda v: "–" if v is None else f"{v:.3f}"  # noqa: E731
    lines = [
        "| corpus | as | articles | failed | title (norm. exact) | authors F1 | DOI | top-level sections F1 | refs within 10% |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['corpus']} | {row['flavour']} | {row['n']} | {row['failed']} | {fmt(row['title'])} | {fmt(row['authors_f1'])} | {fmt(row['doi'])} | {fmt(row['sections_f1'])} | {fmt(row['refs'])} |"
        )
    table = "\n".join(lines)
    print(table)
    if args.write:
        replace_block("text-articles", "Command: `.venv/bin/python eval/score_text_articles.py --write`\n\n" + table)


if __name__ == "__main__":
    main()
