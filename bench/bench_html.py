"""Throughput of the HTML reader on real news pages, beside raw trafilatura in the same run.

Pages: the Scrapinghub article-extraction development pages in ../shared/data/web/scrapinghub
(142 news and science pages, decompressed in memory before timing). Measured, median of --repeat
runs after one warm-up run, in this one process (so on one core):
* the reader alone (``read_html_bytes``: decode, parse, declared metadata, trafilatura, text and
  layers), documents/s;
* the baseline: ``trafilatura.extract(html)`` with its defaults (plain-text output), documents/s.
Both are timed as CPU time of this process (``time.process_time``), which the other jobs on a
shared machine disturb far less than wall-clock time; wall-clock figures are printed beside them.

Usage:  python bench/bench_html.py [--repeat 5] [--limit N] [--write]
``--write`` replaces the block "html" in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import logging
import platform
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "eval"))
BENCHMARKS_DOC = REPO / "docs" / "benchmarks.md"


def timed(fn, pages: list[bytes], repeat: int) -> tuple[float, float]:
    """Median CPU seconds and median wall seconds of ``fn`` over all pages, after a warm-up."""
    for data in pages[:10]:
        fn(data)
    cpu, wall = [], []
    for _ in range(repeat):
        c0, w0 = time.process_time(), time.perf_counter()
        for data in pages:
            fn(data)
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
    return statistics.median(cpu), statistics.median(wall)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--limit", type=int, help="use only the first N pages")
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # trafilatura logs every discarded page

    from common import replace_block, require_shared_data
    from score_web import load_pages
    import trafilatura

    from pipeline.errors import PipelineError
    from pipeline.readers.html import read_html_bytes

    pages = [p["bytes"] for p in load_pages(require_shared_data(), args.limit)]

    def reader(data: bytes) -> None:
        try:
            read_html_bytes(data, path="page.html")
        except PipelineError:
            pass  # a refused page costs time too; it is counted like the others

    reader_cpu, reader_wall = timed(reader, pages, args.repeat)
    base_cpu, base_wall = timed(trafilatura.extract, pages, args.repeat)
    n = len(pages)
    megabytes = sum(len(p) for p in pages) / 1e6
    table = "\n".join(
        [
            f"Machine: {platform.machine()}, {len(__import__('os').sched_getaffinity(0))} cores, Python {platform.python_version()}, trafilatura {trafilatura.__version__}. "
            f"Command: `.venv/bin/python bench/bench_html.py --repeat {args.repeat} --write`.",
            f"Pages: {n} Scrapinghub development pages ({megabytes:.1f} MB of HTML). Medians of {args.repeat} runs after a warm-up, one process (one core).",
            "",
            "| measure | CPU time | docs/s (CPU) | docs/s (wall) |",
            "|---|---|---|---|",
            f"| reader alone (`read_html_bytes`) | {reader_cpu:.2f} s | {n / reader_cpu:.1f} | {n / reader_wall:.1f} |",
            f"| baseline: `trafilatura.extract` (defaults, text output) | {base_cpu:.2f} s | {n / base_cpu:.1f} | {n / base_wall:.1f} |",
            "",
            f"Reader / baseline time: {reader_cpu / base_cpu:.2f}x.",
        ]
    )
    print(table)
    if args.write:
        replace_block("html", table, doc=BENCHMARKS_DOC)


if __name__ == "__main__":
    main()
