"""Peak memory of one long PDF through the whole pipeline, against a one-page PDF in the same run.

Why: issue 3 bounds memory at 300 MB for a 300-page PDF, and a batch worker's RSS is what decides how
many workers a machine can run. The long PDF is written here (fpdf2, the test extra) from real prose:
the body text of the PLOS JATS articles in ../shared/data, repeated until it fills ``--pages`` pages,
with a heading every few paragraphs, so the entity stage sees realistic text. The one-page PDF is the
baseline: its peak is what the process costs before any document (interpreter, spaCy, models, lexicon).

Each figure is the peak RSS (``ru_maxrss`` from ``wait4``, which covers the process and any worker it
waited for) of a fresh ``python -m pipeline convert FILE -o TMP -j 1 --force -q``, median of
``--repeat`` runs, alternating long and short.

Usage: ``.venv/bin/python bench/bench_memory.py [--write] [--pages 300] [--repeat 3]``
(``--write`` puts the table in docs/benchmarks.md, block "memory").
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "eval"))
from common import replace_block, require_shared_data  # noqa: E402
from jats_text import render  # noqa: E402

BENCHMARKS_DOC = REPO / "docs" / "benchmarks.md"
COMMAND = ".venv/bin/python bench/bench_memory.py --write"
BAR_MB = 300


def prose_paragraphs(limit_articles: int = 40) -> list[str]:
    """Body paragraphs of real articles, reduced to the Latin-1 the PDF core fonts can draw."""
    paragraphs = []
    for path in sorted((require_shared_data() / "jats" / "plos" / "xml").glob("*.xml"))[:limit_articles]:
        for line in render(path.read_bytes()).splitlines():
            if len(line.split()) >= 40:  # paragraphs, not headings or bylines
                ascii_line = unicodedata.normalize("NFKD", line).encode("latin-1", "ignore").decode("latin-1")
                paragraphs.append(ascii_line)
    return paragraphs


def write_pdf(path: Path, pages: int, paragraphs: list[str]) -> int:
    """A one-column article of ``pages`` pages; returns the number of words drawn."""
    import fpdf

    pdf = fpdf.FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 8, "A long article for the memory benchmark", new_x="LMARGIN", new_y="NEXT")
    words, index, section = 0, 0, 0
    while pdf.page_no() < pages or pdf.get_y() < 200:
        if index % 6 == 0:
            section += 1
            pdf.set_font("Helvetica", "B", 12)
            pdf.ln(3)
            pdf.multi_cell(0, 6, f"{section}. Section {section}", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 10)
        paragraph = paragraphs[index % len(paragraphs)]
        pdf.multi_cell(0, 5, paragraph, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        words += len(paragraph.split())
        index += 1
        if pdf.page_no() >= pages and pdf.get_y() > 200:
            break
    pdf.output(str(path))
    return words


def peak_rss_mb(pdf: Path, out: Path) -> tuple[float, float]:
    """Peak RSS (MB) and wall seconds of one fresh conversion of ``pdf``."""
    command = [sys.executable, "-m", "pipeline", "convert", str(pdf), "-o", str(out), "-j", "1", "--force", "-q"]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"error: conversion of {pdf.name} failed: {process.stderr.read().decode(errors='replace')[-500:]}")
    return usage.ru_maxrss / 1024, seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    paragraphs = prose_paragraphs()
    with tempfile.TemporaryDirectory() as tmp:
        long_pdf, short_pdf = Path(tmp) / "long.pdf", Path(tmp) / "short.pdf"
        words = write_pdf(long_pdf, args.pages, paragraphs)
        write_pdf(short_pdf, 1, paragraphs)
        runs: dict[str, list[tuple[float, float]]] = {"long": [], "short": []}
        for _ in range(args.repeat):
            runs["long"].append(peak_rss_mb(long_pdf, Path(tmp) / "out-long"))
            runs["short"].append(peak_rss_mb(short_pdf, Path(tmp) / "out-short"))
    long_mb = statistics.median(mb for mb, _ in runs["long"])
    short_mb = statistics.median(mb for mb, _ in runs["short"])
    long_s = statistics.median(s for _, s in runs["long"])
    rows = [
        "| PDF | peak RSS, MB (median) | runs, MB | wall s (median) |",
        "|---|---|---|---|",
        f"| {args.pages} pages, {words:,} words | **{long_mb:.0f}** | {', '.join(f'{mb:.0f}' for mb, _ in runs['long'])} | {long_s:.1f} |",
        f"| 1 page (baseline: interpreter, models, lexicon) | {short_mb:.0f} | {', '.join(f'{mb:.0f}' for mb, _ in runs['short'])} | "
        f"{statistics.median(s for _, s in runs['short']):.1f} |",
    ]
    verdict = "met" if long_mb <= BAR_MB else "missed"
    body = "\n".join(rows) + (
        f"\n\nThe long PDF costs {long_mb - short_mb:.0f} MB above the baseline ({long_mb / short_mb:.2f}x of it);"
        f" bar {BAR_MB} MB for a 300-page PDF: {verdict}. Load average before: {os.getloadavg()[0]:.1f} (2 cores, shared)."
    )
    print(body)
    if args.write:
        note = f"Peak memory of one long PDF, measured in one run. Command:\n\n```sh\n{COMMAND}\n```\n\n"
        replace_block("memory", note + body, doc=BENCHMARKS_DOC)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
