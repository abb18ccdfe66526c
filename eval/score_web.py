"""Score the HTML reader's article body against the Scrapinghub Article Extraction Benchmark pages.

For each page of ../shared/data/web/scrapinghub (development portion, 142 pages) the reader turns
the gzipped HTML into a Document; the part of ``text`` after the front-matter header the reader
renders (title, byline, date, site, URL: not body text) is compared with the gold ``articleBody``.

The measure is the benchmark's own (its ``evaluate.py``, ``string_shingle_matching``): text is
tokenised as the runs of word characters (``\\w+``, Unicode, case kept; punctuation and whitespace
separate tokens and are dropped), tokens are grouped into overlapping 4-token shingles, and per page
TP/FP/FN are the multiset overlaps of predicted and gold shingles, normalised by their sum so long
pages weigh no more than short ones. Precision and recall are averaged over pages (precision over
pages with any predicted or matched shingle, recall over pages with any gold or matched one), and F1
is the harmonic mean of the two averages. The published table (readability 0.922, newspaper 0.912)
uses this measure. A second row family uses single tokens instead of shingles (bag of words).

The same run scores raw ``trafilatura.extract`` with its defaults (plain-text output) as a baseline.

Usage:  python eval/score_web.py [--write] [--limit N] [--show-worst K] [--no-baseline]
``--write`` replaces the block "web" in docs/evaluation.md.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import replace_block, require_shared_data  # noqa: E402

from pipeline.errors import PipelineError  # noqa: E402
from pipeline.readers.html import read_page  # noqa: E402

_TOKEN = re.compile(r"\w+", re.UNICODE)
SHINGLE = 4


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text or "")


def shingles(text: str, n: int) -> Counter:
    toks = tokens(text)
    return Counter(tuple(toks[i : i + n]) for i in range(max(1, len(toks) - n + 1)) if toks[i : i + n])


def page_counts(gold: str, predicted: str, n: int) -> tuple[float, float, float]:
    """Normalised (tp, fp, fn) of one page, as the benchmark computes them."""
    g, p = shingles(gold, n), shingles(predicted, n)
    tp = sum((g & p).values())
    fp = sum(p.values()) - tp
    fn = sum(g.values()) - tp
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def _precision(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fp == 0 else tp / (tp + fp)


def _recall(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fn == 0 else tp / (tp + fn)


def averaged(counts: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    precisions = [_precision(*c) for c in counts if c[0] + c[1] > 0]
    recalls = [_recall(*c) for c in counts if c[0] + c[2] > 0]
    p = sum(precisions) / len(precisions) if precisions else 0.0
    r = sum(recalls) / len(recalls) if recalls else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def load_pages(data: Path, limit: int | None) -> list[dict]:
    folder = data / "web" / "scrapinghub"
    rows = [json.loads(line) for line in (folder / "ground_truth.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    for row in rows:
        row["bytes"] = gzip.decompress((folder / row["html"]).read_bytes())
    return rows[:limit] if limit else rows


def reader_body(page: dict) -> tuple[str, str | None]:
    """The body part of the reader's text, and the error code if the page was refused."""
    try:
        read = read_page(page["bytes"], path=f"{page['id'][:16]}.html")
    except PipelineError as exc:
        return "", exc.code
    return read.document.text[read.body_start :], None


def trafilatura_body(page: dict) -> str:
    import trafilatura

    return trafilatura.extract(page["bytes"]) or ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="update docs/evaluation.md")
    parser.add_argument("--limit", type=int, help="score only the first N pages")
    parser.add_argument("--show-worst", type=int, default=0, metavar="K", help="print the K pages with the lowest F1")
    parser.add_argument("--no-baseline", action="store_true", help="skip raw trafilatura.extract")
    args = parser.parse_args()
    pages = load_pages(require_shared_data(), args.limit)

    systems: dict[str, list[str]] = {"pipeline HTML reader": []}
    failures: Counter = Counter()
    for page in pages:
        body, code = reader_body(page)
        systems["pipeline HTML reader"].append(body)
        if code:
            failures[code] += 1
    if not args.no_baseline:
        systems["trafilatura.extract (defaults, baseline)"] = [trafilatura_body(p) for p in pages]

    rows = []
    for name, bodies in systems.items():
        for n, unit in ((SHINGLE, "4-token shingles (benchmark)"), (1, "tokens")):
            p, r, f = averaged([page_counts(page["articleBody"], body, n) for page, body in zip(pages, bodies)])
            rows.append(f"| {name} | {unit} | {p:.3f} | {r:.3f} | {f:.3f} |")
    if args.show_worst:
        scored = sorted((averaged([page_counts(pg["articleBody"], b, SHINGLE)])[2], pg["url"]) for pg, b in zip(pages, systems["pipeline HTML reader"]))
        for f, url in scored[: args.show_worst]:
            print(f"{f:.3f}  {url}")

    failed = ", ".join(f"{code} x{count}" for code, count in sorted(failures.items())) or "none"
    table = "\n".join(
        [
            "Command: `.venv/bin/python eval/score_web.py --write`",
            "",
            f"{len(pages)} pages; pages the reader refused (scored as empty): {failed}.",
            "",
            "| system | unit | P | R | F1 |",
            "|---|---|---|---|---|",
            *rows,
        ]
    )
    print(table)
    if args.write:
        replace_block("web", table)


if __name__ == "__main__":
    main()
