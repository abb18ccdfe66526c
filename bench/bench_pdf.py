"""PDF reader throughput against raw pypdfium2 and raw pdfplumber text extraction, in one run.

Why: the issue's speed bar is for the reader (layout + text), and the choice of PDFium over pdfminer
rests on these numbers, so both baselines are measured on the same PDFs in the same process, each
figure the median of ``--repeat`` runs (pages per second on one core). Peak memory of the process
(VmHWM) is reported after all runs.

Usage: ``.venv/bin/python bench/bench_pdf.py [--write] [--limit N] [--repeat 3]``
(``--write`` puts the table in docs/benchmarks.md, block "pdf").
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "eval"))
from common import replace_block, require_shared_data  # noqa: E402

from pipeline.readers.pdf import read_pdf_bytes  # noqa: E402

BENCHMARKS_DOC = REPO / "docs" / "benchmarks.md"
COMMAND = ".venv/bin/python bench/bench_pdf.py --write"


def raw_pypdfium2(data: bytes) -> int:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(data)
    try:
        for index in range(len(document)):
            page = document[index]
            textpage = page.get_textpage()
            textpage.get_text_range()
            textpage.close()
            page.close()
        return len(document)
    finally:
        document.close()


def raw_pdfplumber(data: bytes) -> int:
    import io

    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            page.extract_text()
            page.close()
        return len(pdf.pages)


def reader(data: bytes) -> int:
    return read_pdf_bytes(data, path="bench.pdf").source.pages


def pages_per_second(function, blobs: list[bytes], repeat: int) -> float:
    rates = []
    for _ in range(repeat):
        started = time.perf_counter()
        pages = sum(function(blob) for blob in blobs)
        rates.append(pages / (time.perf_counter() - started))
    return statistics.median(rates)


def peak_rss_mb() -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--limit", type=int, default=20, help="PDFs per corpus (default 20)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    data = require_shared_data() / "pdf"
    paths = []
    for corpus in ("hindawi", "multipub"):
        paths += sorted((data / corpus).glob("*/fulltext.pdf"))[: args.limit]
    blobs = [p.read_bytes() for p in paths]
    pages = sum(raw_pypdfium2(b) for b in blobs)
    rows = [
        ("pipeline PDF reader (layout + text)", pages_per_second(reader, blobs, args.repeat)),
        ("raw pypdfium2 text (baseline)", pages_per_second(raw_pypdfium2, blobs, args.repeat)),
        ("raw pdfplumber extract_text (baseline)", pages_per_second(raw_pdfplumber, blobs, max(1, args.repeat // 3))),
    ]
    peak = peak_rss_mb()
    table = ["| what | pages/s (median) |", "|---|---|"] + [f"| {name} | {rate:.1f} |" for name, rate in rows]
    body = "\n".join(table) + f"\n\n{len(blobs)} PDFs, {pages} pages (hindawi + multipub), one process on one core; peak RSS {peak:.0f} MB." if peak else "\n".join(table)
    print(body)
    if args.write:
        note = f"PDF reading, measured in one run (pdfplumber once: it is slow). Command:\n\n```sh\n{COMMAND}\n```\n\n"
        replace_block("pdf", note + body, doc=BENCHMARKS_DOC)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
