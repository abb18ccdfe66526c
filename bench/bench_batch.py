"""End-to-end batch throughput, scaling from one to two workers, memory per worker, CLI start-up.

Measures whole CLI runs, as a user starts them (`pipeline convert FOLDER -o OUT --force -q -j N`),
over the MEDLINE citations of ../shared/data/jats/medline that have an abstract (439 of the 500),
written as .txt files (title, blank line, abstract) to a temporary folder:
* words/s and docs/s with -j 1 and -j 2 (median of --repeat runs), and their ratio (scaling);
* peak resident memory (VmHWM) of every process the run starts, the largest worker reported: read
  from /proc while the run goes, so it is a lower bound for very short-lived processes;
* the wall time of `pipeline --help` (median of 7), and of `python -c "import pipeline"`, its floor.
`--force` makes every run convert every input (the manifest would otherwise skip them all).

Usage:  python bench/bench_batch.py [--repeat 3] [--docs 500] [--write]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "eval"))
BENCHMARKS_DOC = REPO / "docs" / "benchmarks.md"
MEDLINE = REPO.parent / "shared" / "data" / "jats" / "medline" / "ground_truth.jsonl"
PIPELINE = [sys.executable, "-m", "pipeline"]


def write_abstracts(folder: Path, limit: int) -> int:
    """Write up to ``limit`` abstracts as .txt files; returns their total word count."""
    words = 0
    count = 0
    for line in MEDLINE.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        if item.get("format") != "medline" or not item.get("abstract"):
            continue
        text = f"{item['title']}\n\n{item['abstract']}\n"
        (folder / f"pmid-{item['pmid']}.txt").write_text(text, encoding="utf-8")
        words += len(text.split())
        count += 1
        if count == limit:
            break
    return words


def _descendants(root: int) -> list[int]:
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = [], [root]
    while frontier:
        pid = frontier.pop()
        children = [child for child, parent in parents.items() if parent == pid]
        found += children
        frontier += children
    return found


def _peak_kb(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def timed_convert(src: Path, out: Path, jobs: int) -> tuple[float, dict[int, int]]:
    """Wall seconds of one CLI run, and the peak RSS (kB) seen for each of its processes."""
    started = time.perf_counter()
    process = subprocess.Popen([*PIPELINE, "convert", str(src), "-o", str(out), "--force", "-q", "-j", str(jobs)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peaks: dict[int, int] = {}

    def watch() -> None:
        while process.poll() is None:
            for pid in [process.pid, *_descendants(process.pid)]:
                peak = _peak_kb(pid)
                if peak:
                    peaks[pid] = max(peaks.get(pid, 0), peak)
            time.sleep(0.1)

    watcher = threading.Thread(target=watch)
    watcher.start()
    _, stderr = process.communicate()
    seconds = time.perf_counter() - started
    watcher.join()
    if process.returncode != 0:
        raise SystemExit(f"convert -j {jobs} failed ({process.returncode}): {stderr.decode()[-2000:]}")
    return seconds, peaks


def wall(command: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--docs", type=int, default=500)
    parser.add_argument("--write", action="store_true", help="write the results into docs/benchmarks.md")
    args = parser.parse_args()
    if not MEDLINE.is_file():
        raise SystemExit(f"needs {MEDLINE} (the shared data folder beside the repository)")
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "abstracts"
        src.mkdir()
        words = write_abstracts(src, args.docs)
        docs = len(list(src.iterdir()))
        results = {}
        load = {}
        for jobs in (1, 2):
            load[jobs] = os.getloadavg()[0]  # other jobs on a shared machine skew scaling: say so
            runs = [timed_convert(src, Path(tmp) / f"out-{jobs}", jobs) for _ in range(args.repeat)]
            seconds = statistics.median(s for s, _ in runs)
            worker_peaks = [kb for _, peaks in runs for pid, kb in peaks.items()]
            results[jobs] = (seconds, max(worker_peaks) / 1024 if worker_peaks else float("nan"))
            print(f"-j {jobs}: {seconds:.2f} s, {words / seconds:,.0f} words/s, {docs / seconds:.1f} docs/s, peak RSS of any process {results[jobs][1]:.0f} MB", flush=True)
    help_seconds = wall([*PIPELINE, "--help"], 7)
    import_seconds = wall([sys.executable, "-c", "import pipeline"], 7)
    bare_seconds = wall([sys.executable, "-c", "pass"], 7)
    print(f"pipeline --help {help_seconds:.2f} s; import pipeline {import_seconds:.2f} s; bare python {bare_seconds:.2f} s")
    (s1, rss1), (s2, rss2) = results[1], results[2]
    table = "\n".join([
        f"Machine: {platform.machine()}, {os.cpu_count()} cores (shared with other jobs while measured), Python {platform.python_version()}, {platform.system()} {platform.release()}.",
        f"Command: `.venv/bin/python bench/bench_batch.py --repeat {args.repeat} --write`. Input: {docs} MEDLINE abstracts as .txt ({words:,} words; the citations with an abstract).",
        f"Whole CLI runs (`pipeline convert DIR -o OUT --force -q -j N`, start-up included); medians of {args.repeat} runs.",
        "",
        "| measure | median | note |",
        "|---|---|---|",
        f"| -j 1: whole run | {s1:.2f} s | {words / s1:,.0f} words/s, {docs / s1:.1f} docs/s (bar: 20,000 words/s); load average before: {load[1]:.1f} |",
        f"| -j 2: whole run | {s2:.2f} s | {words / s2:,.0f} words/s, {docs / s2:.1f} docs/s; load average before: {load[2]:.1f} |",
        f"| scaling 1 -> 2 workers | {s1 / s2:.2f}x | bar: 1.8x; meaningless when the load average is above 0 before a run (2 cores) |",
        f"| peak RSS, largest process, -j 1 | {rss1:.0f} MB | the one process converts |",
        f"| peak RSS, largest process, -j 2 | {rss2:.0f} MB | a worker or the fork server (bar: 400 MB per worker) |",
        f"| `pipeline --help` | {help_seconds:.2f} s | bar: 0.3 s; `import pipeline` alone {import_seconds:.2f} s, bare Python {bare_seconds:.2f} s |",
    ])
    print(table)
    if args.write:
        from common import replace_block

        replace_block("batch", table, doc=BENCHMARKS_DOC)


if __name__ == "__main__":
    main()
