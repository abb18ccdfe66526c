"""Throughput and memory of the text/Markdown path, each figure beside a baseline from the same run.

Measures (median of --repeat runs, after one warm-up):
* per-document latency and documents/s on every file in samples/;
* words/s on a long text (the JATS development articles rendered as text, ~1 MB, when ../shared is
  present; otherwise the samples repeated);
* peak resident memory of a fresh process converting that long text.
Baselines, measured in the same run on the same text: the reader alone (decode + lines layer), and
spaCy's blank English tokenizer over the whole text (the cheapest NLP pass any spaCy-based tool makes).
Start-up (import + lexicon load) is reported separately, because a batch pays it once per process.

Usage:  python bench/bench_convert.py [--repeat 5] [--write]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "eval"))
BENCHMARKS_DOC = REPO / "docs" / "benchmarks.md"


def long_text() -> tuple[str, str]:
    shared = REPO.parent / "shared" / "data" / "jats"
    if shared.is_dir():
        from jats_text import render

        parts = []
        for folder in ("elife", "pmc", "plos"):
            for xml in sorted((shared / folder / "xml").iterdir()):
                parts.append(render(xml.read_bytes()))
                if sum(map(len, parts)) > 1_000_000:
                    break
            if sum(map(len, parts)) > 1_000_000:
                break
        return "\n\n".join(parts)[:1_000_000], "JATS development articles rendered as text, first 1,000,000 characters"
    samples = "\n\n".join(p.read_text(encoding="utf-8", errors="replace") for p in sorted((REPO / "samples").iterdir()) if p.suffix in (".txt", ".md"))
    return (samples * (1_000_000 // len(samples) + 1))[:1_000_000], "samples/ repeated to 1,000,000 characters (../shared absent)"


def median_seconds(fn, repeat: int, clock=time.perf_counter) -> float:
    """Median seconds of ``repeat`` calls of ``fn`` after one warm-up call, read on ``clock``
    (wall clock by default; ``time.process_time`` for CPU seconds of this process)."""
    fn()  # warm-up: caches, lexicon load
    times = []
    for _ in range(repeat):
        started = clock()
        fn()
        times.append(clock() - started)
    return statistics.median(times)


def peak_rss_mb(code: str) -> float:
    """Peak RSS (MB) of a fresh interpreter running ``code``.

    Read from /proc/self/status (VmHWM), which belongs to the new process image; getrusage's
    ru_maxrss would report this (large) parent's peak, because it survives fork.
    """
    probe = code + "\nprint([l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')][0])"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=REPO)
    return int(out.stdout.strip().splitlines()[-1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    args = parser.parse_args()

    started = time.perf_counter()
    import spacy

    from pipeline import convert_bytes
    from pipeline.readers import read_bytes

    convert_bytes(b"Ketamine blocks NMDA receptors.", "warm.txt")
    startup = time.perf_counter() - started

    samples = [p for p in sorted((REPO / "samples").iterdir()) if p.is_file()]
    sample_bytes = [(p.read_bytes(), p.name) for p in samples]
    per_doc = median_seconds(lambda: [convert_bytes(data, name) for data, name in sample_bytes], args.repeat) / len(sample_bytes)

    text, text_origin = long_text()
    data = text.encode("utf-8")
    words = len(text.split())
    tokenizer = spacy.blank("en").tokenizer
    t_pipeline = median_seconds(lambda: convert_bytes(data, "long.txt"), args.repeat)
    t_reader = median_seconds(lambda: read_bytes(data, "long.txt"), args.repeat)
    t_tokenizer = median_seconds(lambda: tokenizer(text), args.repeat)

    tmp = Path("/tmp/pipeline-bench-long.txt")
    tmp.write_bytes(data)
    rss_pipeline = peak_rss_mb(f"from pipeline import convert_file; convert_file({str(tmp)!r})")
    rss_baseline = peak_rss_mb(f"import spacy; spacy.blank('en').tokenizer(open({str(tmp)!r}).read())")

    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()} {platform.release()}"
    rows = [
        ("start-up: import + first conversion (lexicon load)", f"{startup:.2f} s", "once per process"),
        (f"samples/ ({len(samples)} files): per document", f"{per_doc * 1000:.1f} ms", f"{1 / per_doc:.1f} docs/s"),
        (f"long text ({words:,} words): whole pipeline", f"{t_pipeline:.2f} s", f"{words / t_pipeline:,.0f} words/s"),
        ("baseline: reader only (decode + lines layer)", f"{t_reader:.3f} s", f"pipeline/reader = {t_pipeline / t_reader:.0f}x"),
        ("baseline: spaCy blank English tokenizer", f"{t_tokenizer:.2f} s", f"pipeline/tokenizer = {t_pipeline / t_tokenizer:.1f}x"),
        ("peak RSS: convert the long text in a fresh process", f"{rss_pipeline:.0f} MB", f"baseline tokenizer process {rss_baseline:.0f} MB"),
    ]
    table = "| measure | median | note |\n|---|---|---|\n" + "\n".join(f"| {a} | {b} | {c} |" for a, b, c in rows)
    report = (
        f"Machine: {machine}. Command: `.venv/bin/python bench/bench_convert.py --repeat {args.repeat} --write`.\n"
        f"Long text: {text_origin}. Medians of {args.repeat} runs after a warm-up.\n\n{table}"
    )
    print(report)
    if args.write:
        from common import replace_block

        replace_block("text-path", report, doc=BENCHMARKS_DOC)


if __name__ == "__main__":
    main()
