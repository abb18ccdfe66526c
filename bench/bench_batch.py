"""End-to-end batch throughput, scaling from one to two workers, memory per worker, CLI start-up.

Measures whole CLI runs, as a user starts them (`pipeline convert FOLDER -o OUT --force -q -j N`),
over the MEDLINE citations of ../shared/data/jats/medline that have an abstract (439 of the 500),
written as .txt files (title, blank line, abstract) to a temporary folder:
* words/s and docs/s with -j 1 and -j 2 (median of --repeat runs), and their ratio (scaling);
* peak resident memory (VmHWM) of every process the run starts, the largest worker reported: read
  from /proc while the run goes, so it is a lower bound for very short-lived processes;
* CPU seconds of the whole run, all its processes (parent, fork server, workers), read from /proc
  the same way (a slight lower bound): words per CPU second hardly moves when other jobs share the
  machine, so it is the figure to compare between versions measured at different times; wall-clock
  figures are only comparable on a quiet machine (the load average before each run is shown);
* the wall time of `pipeline --help` (median of 7), and of `python -c "import pipeline"`, its floor.
`--force` makes every run convert every input (the manifest would otherwise skip them all).

With ``--baseline DIR`` (a checkout of another version, e.g. ``git worktree add /tmp/base <commit>``)
it instead compares the two versions: whole CLI runs of each, alternating, the same inputs, and
reports the medians of their CPU seconds (all processes) and wall seconds, and the ratio: the way
to measure a speed change on a shared machine.

Usage:  python bench/bench_batch.py [--repeat 3] [--docs 500] [--copies N] [--write]
        (``--copies 4`` writes every abstract four times: a run long enough that the ~2.5 s start-up no
        longer decides the scaling figure; its table goes to its own block, "batch-x4")
        python bench/bench_batch.py --baseline DIR [--jobs 2] [--repeat 5] [--write]
        python bench/bench_batch.py --baseline-python OTHER_VENV/bin/python [--jobs 2] [--repeat 5] [--write]
        (the same checkout under two interpreters: the block "batch-vs-python-jN")
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


def write_abstracts(folder: Path, limit: int, copies: int = 1) -> int:
    """Write up to ``limit`` abstracts as .txt files, each ``copies`` times (under other names: a
    longer run, so start-up weighs less in the scaling figure); returns their total word count.

    Copies go in groups (``copy1-pmid-N.txt`` ...), so a batch, which converts files in name
    order, meets every copy of a text in another chunk of 16: each chunk holds distinct texts, as
    real folders do. (Until the seventh session the copies of a text sat side by side, in one
    chunk, and the NER model ran alone on all but the first; the x4 figures of that time measured that.)"""
    words = 0
    count = 0
    for line in MEDLINE.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        if item.get("format") != "medline" or not item.get("abstract"):
            continue
        text = f"{item['title']}\n\n{item['abstract']}\n"
        for copy in range(copies):
            name = f"pmid-{item['pmid']}.txt" if copy == 0 else f"copy{copy}-pmid-{item['pmid']}.txt"
            (folder / name).write_text(text, encoding="utf-8")
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


_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of ``pid`` so far (fields 14 and 15 of /proc/PID/stat)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / _TICKS


def _peak_kb(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def timed_convert(src: Path, out: Path, jobs: int, *, code: Path = REPO, python: str = sys.executable) -> tuple[float, dict[int, int], float]:
    """Wall seconds of one CLI run, the peak RSS (kB) seen for each of its processes, and the CPU
    seconds of all of them (the last value seen for each: a slight lower bound)."""
    started = time.perf_counter()
    env = {**os.environ, "PYTHONPATH": str(code)}  # which checkout runs
    # ...and run from it: `python -m` puts the working directory first on sys.path, ahead of PYTHONPATH
    process = subprocess.Popen([python, "-m", "pipeline", "convert", str(src), "-o", str(out), "--force", "-q", "-j", str(jobs)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=code)
    peaks: dict[int, int] = {}
    cpu: dict[int, float] = {}

    def watch() -> None:
        while process.poll() is None:
            for pid in [process.pid, *_descendants(process.pid)]:
                peak = _peak_kb(pid)
                if peak:
                    peaks[pid] = max(peaks.get(pid, 0), peak)
                seconds = _cpu_seconds(pid)
                if seconds is not None:
                    cpu[pid] = max(cpu.get(pid, 0.0), seconds)
            time.sleep(0.1)

    watcher = threading.Thread(target=watch)
    watcher.start()
    _, stderr = process.communicate()
    seconds = time.perf_counter() - started
    watcher.join()
    if process.returncode != 0:
        raise SystemExit(f"convert -j {jobs} failed ({process.returncode}): {stderr.decode()[-2000:]}")
    return seconds, peaks, sum(cpu.values())


#: Iterations of ``speed_probe``'s loop: ~0.3 s of pure Python on this machine at a fast moment.
PROBE_ITERATIONS = 3_000_000


def speed_probe() -> float:
    """Seconds a fixed pure-Python loop takes now: the machine's speed at the moment of a run.

    Why: this shared machine's speed moves by up to 2x within minutes (the same loop took 2.3 s
    and 4.7 s a minute apart), so each run's time is shown with the probe taken just before it.
    """
    started = time.perf_counter()
    total = 0
    for i in range(PROBE_ITERATIONS):
        total += i
    return time.perf_counter() - started


def wall(command: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def compare(baseline: Path, src: Path, tmp: Path, words: int, docs: int, jobs: int, repeat: int, baseline_python: str | None = None) -> str:
    """Whole runs of ``baseline`` and this checkout, alternating; a table of their medians.

    With ``baseline_python``, the baseline is this checkout run by that interpreter (its own
    virtual environment, e.g. Python 3.11 against this one's 3.12).
    """
    runs: dict[str, list[tuple[float, float]]] = {"baseline": [], "this": []}
    versions = {"baseline": (baseline, baseline_python or sys.executable), "this": (REPO, sys.executable)}
    for _ in range(repeat):
        for name, (code, python) in versions.items():
            seconds, _peaks, cpu = timed_convert(src, tmp / f"out-{name}", jobs, code=code, python=python)
            runs[name].append((seconds, cpu))
            print(f"{name}: {seconds:.2f} s wall, {cpu:.2f} s CPU; load average {os.getloadavg()[0]:.1f}", flush=True)
    same = all(
        (tmp / "out-baseline" / p.name).read_bytes() == p.read_bytes() for p in sorted((tmp / "out-this").glob("*.json"))
    )
    wall_b, wall_t = (statistics.median(s for s, _ in runs[n]) for n in ("baseline", "this"))
    cpu_b, cpu_t = (statistics.median(c for _, c in runs[n]) for n in ("baseline", "this"))
    head = subprocess.run(["git", "-C", str(baseline), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    command = f"--baseline <checkout of {head or baseline}>" if baseline != REPO else ""
    if baseline_python:
        version = _python_version(baseline_python)
        head = f"{head or baseline} on Python {version}; this checkout on Python {platform.python_version()}"
        command = f"{command} --baseline-python <a Python {version} venv's python>".strip()
    return "\n".join([
        f"Command: `.venv/bin/python bench/bench_batch.py {command} --jobs {jobs} --repeat {repeat} --write`.",
        f"Input: {docs} MEDLINE abstracts as .txt ({words:,} words). Whole CLI runs (`convert -j {jobs} --force -q`), the two versions alternating; medians of {repeat}.",
        f"Records of the two versions byte-identical: {'yes' if same else 'NO'}. Load average at the end: {os.getloadavg()[0]:.1f} (2 cores).",
        "",
        f"| version | CPU s, all processes | words per CPU s | wall s{' (under load)' if os.getloadavg()[0] > 0.5 else ''} | words/s (wall) |",
        "|---|---|---|---|---|",
        f"| baseline ({head or baseline}) | {cpu_b:.2f} | {words / cpu_b:,.0f} | {wall_b:.2f} | {words / wall_b:,.0f} |",
        f"| this checkout | {cpu_t:.2f} | {words / cpu_t:,.0f} | {wall_t:.2f} | {words / wall_t:,.0f} |",
        f"| ratio baseline / this | {cpu_b / cpu_t:.2f}x | | {wall_b / wall_t:.2f}x | |",
    ])


def _python_version(python: str) -> str:
    return subprocess.run([python, "-c", "import platform; print(platform.python_version())"], capture_output=True, text=True, check=True).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--docs", type=int, default=500)
    parser.add_argument("--write", action="store_true", help="write the results into docs/benchmarks.md")
    parser.add_argument("--baseline", type=Path, help="compare with this checkout of another version instead")
    parser.add_argument("--baseline-python", help="compare this checkout run by another interpreter (a venv's python with the package installed) instead")
    parser.add_argument("--jobs", type=int, default=2, help="workers for --baseline runs")
    parser.add_argument("--copies", type=int, default=1, help="write every abstract this many times (steady-state scaling; own block)")
    args = parser.parse_args()
    if not MEDLINE.is_file():
        raise SystemExit(f"needs {MEDLINE} (the shared data folder beside the repository)")
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "abstracts"
        src.mkdir()
        words = write_abstracts(src, args.docs, args.copies)
        docs = len(list(src.iterdir()))
        if args.baseline is not None or args.baseline_python:
            baseline = args.baseline.resolve() if args.baseline is not None else REPO
            table = compare(baseline, src, Path(tmp), words, docs, args.jobs, args.repeat, args.baseline_python)
            print(table)
            if args.write:
                from common import replace_block

                # another checkout (maybe under another interpreter too), or this checkout under another interpreter
                block = f"batch-vs-baseline-j{args.jobs}" if args.baseline is not None else f"batch-vs-python-j{args.jobs}"
                replace_block(block, table, doc=BENCHMARKS_DOC)
            return
        results = {}
        load = {1: os.getloadavg()[0], 2: os.getloadavg()[0]}  # other jobs on a shared machine skew scaling: say so
        runs_of: dict[int, list] = {1: [], 2: []}
        probes: dict[int, list[float]] = {1: [], 2: []}
        for _ in range(args.repeat):  # alternating, so a drift in the machine's speed hits both alike
            for jobs in (1, 2):
                probes[jobs].append(speed_probe())
                runs_of[jobs].append(timed_convert(src, Path(tmp) / f"out-{jobs}", jobs))
                print(f"-j {jobs}: {runs_of[jobs][-1][0]:.2f} s (speed probe {probes[jobs][-1]:.2f} s)", flush=True)
        walls = {jobs: ", ".join(f"{s:.1f} ({p:.2f})" for (s, _, _), p in zip(runs_of[jobs], probes[jobs])) for jobs in (1, 2)}
        all_probes = probes[1] + probes[2]
        for jobs in (1, 2):
            runs = runs_of[jobs]
            seconds = statistics.median(s for s, _, _ in runs)
            worker_peaks = [kb for _, peaks, _ in runs for pid, kb in peaks.items()]
            cpu = statistics.median(c for _, _, c in runs)
            results[jobs] = (seconds, max(worker_peaks) / 1024 if worker_peaks else float("nan"), cpu)
            print(f"-j {jobs}: {seconds:.2f} s, {words / seconds:,.0f} words/s, {docs / seconds:.1f} docs/s, "
                  f"CPU {cpu:.2f} s ({words / cpu:,.0f} words per CPU second), peak RSS of any process {results[jobs][1]:.0f} MB", flush=True)
    help_seconds = wall([*PIPELINE, "--help"], 7)
    import_seconds = wall([sys.executable, "-c", "import pipeline"], 7)
    bare_seconds = wall([sys.executable, "-c", "pass"], 7)
    print(f"pipeline --help {help_seconds:.2f} s; import pipeline {import_seconds:.2f} s; bare python {bare_seconds:.2f} s")
    (s1, rss1, cpu1), (s2, rss2, cpu2) = results[1], results[2]
    copies_flag = f" --copies {args.copies}" if args.copies > 1 else ""
    table = "\n".join([
        f"Machine: {platform.machine()}, {os.cpu_count()} cores (shared with other jobs while measured), Python {platform.python_version()}, {platform.system()} {platform.release()}.",
        f"Command: `.venv/bin/python bench/bench_batch.py --repeat {args.repeat}{copies_flag} --write`. Input: {docs} MEDLINE abstracts as .txt ({words:,} words; the citations with an abstract"
        + (f", each written {args.copies} times under other names" if args.copies > 1 else "") + ").",
        f"Whole CLI runs (`pipeline convert DIR -o OUT --force -q -j N`, start-up included), -j 1 and -j 2 alternating; medians of {args.repeat} runs.",
        "",
        "| measure | median | note |",
        "|---|---|---|",
        f"| -j 1: whole run | {s1:.2f} s | {words / s1:,.0f} words/s, {docs / s1:.1f} docs/s; runs (speed probe before each) {walls[1]} s; load average before: {load[1]:.1f} |",
        f"| -j 2: whole run | {s2:.2f} s | {words / s2:,.0f} words/s, {docs / s2:.1f} docs/s (bar: 20,000 words/s); runs (speed probe before each) {walls[2]} s; load average before: {load[2]:.1f} |",
        f"| speed probe | {statistics.median(all_probes):.2f} s | a fixed pure-Python loop timed before each run ({min(all_probes):.2f}-{max(all_probes):.2f} s): the machine's speed of the moment; lower is faster |",
        f"| scaling 1 -> 2 workers | {s1 / s2:.2f}x | bar: 1.8x; meaningless when the load average is above 0 before a run (2 cores) |",
        f"| CPU time, all processes, -j 1 | {cpu1:.2f} s | {words / cpu1:,.0f} words per CPU second (start-up included) |",
        f"| CPU time, all processes, -j 2 | {cpu2:.2f} s | {words / cpu2:,.0f} words per CPU second (fork server and parent included) |",
        f"| peak RSS, largest process, -j 1 | {rss1:.0f} MB | the one process converts |",
        f"| peak RSS, largest process, -j 2 | {rss2:.0f} MB | a worker or the fork server (bar: 400 MB per worker) |",
        f"| `pipeline --help` | {help_seconds:.2f} s | bar: 0.3 s; `import pipeline` alone {import_seconds:.2f} s, bare Python {bare_seconds:.2f} s |",
    ])
    print(table)
    if args.write:
        from common import replace_block

        replace_block("batch" if args.copies == 1 else f"batch-x{args.copies}", table, doc=BENCHMARKS_DOC)


if __name__ == "__main__":
    main()
