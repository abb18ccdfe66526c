"""Score the JATS reader against ../shared/data/jats/{plos,elife,pmc} ground truth (development data).

Each article's XML is read by the JATS reader and its record assembled exactly as `pipeline convert`
assembles it (the reader supplies the metadata, sections and citations layers, so the stages that
would guess them are skipped; entities, relations and summary do not affect these fields and are
not run, which keeps the scorer fast). Measures, each the share of articles that are exactly right:

* title, journal, DOI: exact string equality with the ground truth (DOI: case kept, as written);
* authors: the list of family names equals the ground truth's, in byline order (a group author
  has no family name on either side);
* sections: the body's top-level section headings, in order, as the text shows them (a number
  the XML gives in the title is part of the heading line), equal the ground truth's
  ``section_headings``; the body's sections are told from the abstract and back matter by the
  ``part`` attribute of the reader's section spans;
* references: the number of reference citations equals ``n_references`` (the ``<ref>``s).

The bar (issue 5) is 99% for each. Reader speed (documents/s of CPU time, reader alone) is printed, not written.

Usage:  python eval/score_jats.py [--write] [--show-failures]
``--write`` replaces the ``jats`` block in docs/evaluation.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import replace_block, require_shared_data  # noqa: E402

from pipeline import layers as L  # noqa: E402
from pipeline.readers.jats import read_jats_bytes  # noqa: E402
from pipeline.record import assemble_record  # noqa: E402

CORPORA = ("plos", "elife", "pmc")
MEASURES = ("title", "authors", "journal", "doi", "sections", "references")
BAR = 0.99


def body_headings(doc, record: dict) -> list[str]:
    """Top-level body section headings as shown in the text (heading line, number included)."""
    text = record["text"]
    out = []
    for span in doc.layer(L.SECTIONS):
        if span.get("level") == 1 and span.get("part") == "body":
            line_start = text.rfind("\n", 0, span.get("heading_start")) + 1
            out.append(text[line_start : span.get("heading_end")])
    return out


def score_article(gold: dict, doc, record: dict) -> dict[str, bool]:
    article = record["article"]
    references = [c for c in record["citations"] if c["role"] == "reference"]
    return {
        "title": article["title"] == gold["title"],
        "authors": [a["family"] for a in article["authors"]] == [a.get("family") for a in gold.get("authors") or []],
        "journal": article["journal"] == gold["journal"],
        "doi": article["doi"] == gold.get("doi"),
        "sections": body_headings(doc, record) == (gold.get("section_headings") or []),
        "references": len(references) == (gold.get("n_references") or 0),
    }


def score_corpus(folder: Path) -> dict:
    """Per-measure counts of exactly right articles, the failures, and the reader's time."""
    golds = [json.loads(line) for line in (folder / "ground_truth.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    correct = dict.fromkeys(MEASURES, 0)
    failures: list[tuple[str, str, object, object]] = []
    reader_seconds = 0.0
    for gold in golds:
        data = (folder / gold["xml"]).read_bytes()
        started = time.process_time()  # CPU time: the machine may be shared
        doc = read_jats_bytes(data, path=gold["xml"])
        reader_seconds += time.process_time() - started
        record = assemble_record(doc)
        for measure, ok in score_article(gold, doc, record).items():
            correct[measure] += ok
            if not ok:
                failures.append((gold["id"], measure, _predicted(measure, doc, record), _expected(measure, gold)))
    return {"n": len(golds), "correct": correct, "failures": failures, "reader_seconds": reader_seconds, "bytes": sum((folder / g["xml"]).stat().st_size for g in golds)}


def _predicted(measure: str, doc, record: dict) -> object:
    article = record["article"]
    return {
        "title": article["title"],
        "authors": [a["family"] for a in article["authors"]],
        "journal": article["journal"],
        "doi": article["doi"],
        "sections": body_headings(doc, record),
        "references": sum(c["role"] == "reference" for c in record["citations"]),
    }[measure]


def _expected(measure: str, gold: dict) -> object:
    return {
        "title": gold["title"],
        "authors": [a.get("family") for a in gold.get("authors") or []],
        "journal": gold["journal"],
        "doi": gold.get("doi"),
        "sections": gold.get("section_headings") or [],
        "references": gold.get("n_references") or 0,
    }[measure]


def table(results: dict[str, dict], *, speed: bool) -> str:
    """The per-corpus table; reader speed only on the terminal (timings belong in docs/benchmarks.md)."""
    head = "| corpus | articles | " + " | ".join(MEASURES) + " |" + (" reader docs/s (CPU) |" if speed else "")
    rows = [head, "|" + "---|" * (len(MEASURES) + 2 + speed)]
    total_n = sum(r["n"] for r in results.values())
    for name, r in results.items():
        cells = [f"{r['correct'][m] / r['n']:.1%}" for m in MEASURES]
        rows.append(f"| {name} | {r['n']} | " + " | ".join(cells) + " |" + (f" {r['n'] / r['reader_seconds']:.0f} |" if speed else ""))
    cells = [f"{sum(r['correct'][m] for r in results.values()) / total_n:.1%}" for m in MEASURES]
    seconds = sum(r["reader_seconds"] for r in results.values())
    rows.append(f"| **all** | {total_n} | " + " | ".join(cells) + " |" + (f" {total_n / seconds:.0f} |" if speed else ""))
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="update the jats block of docs/evaluation.md")
    parser.add_argument("--show-failures", action="store_true", help="print every wrong field with the expected value")
    args = parser.parse_args()
    data = require_shared_data() / "jats"
    results = {name: score_corpus(data / name) for name in CORPORA}
    if args.show_failures:
        for name, r in results.items():
            for article_id, measure, predicted, expected in r["failures"]:
                print(f"{name}/{article_id} {measure}:\n  got      {predicted!r}\n  expected {expected!r}")
    print(table(results, speed=True))
    megabytes = sum(r["bytes"] for r in results.values()) / 1e6
    seconds = sum(r["reader_seconds"] for r in results.values())
    print(f"reader alone: {megabytes:.1f} MB in {seconds:.2f} s of CPU ({megabytes / seconds:.1f} MB/s)")
    if args.write:
        replace_block(
            "jats",
            "Command: `.venv/bin/python eval/score_jats.py --write`\n\n"
            "JATS reader against `../shared/data/jats/*/ground_truth.jsonl`: share of articles whose field is exactly "
            f"right (title, journal, DOI as written; author family names as an ordered list; the body's top-level "
            f"section headings in order; reference count equal to the `<ref>`s). Bar: {BAR:.0%} each.\n\n" + table(results, speed=False),
        )


if __name__ == "__main__":
    main()
