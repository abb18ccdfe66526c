"""How much faster two processes work than one on this machine, with no pool at all: the ceiling
for the batch's scaling from one to two workers.

Why: ``convert -j 2`` runs two workers that share nothing but the machine. If two independent
processes already slow each other down when both run (a virtual machine's two vCPUs that are
hyper-threads of one host core, a host CPU quota, shared caches), no pool design can scale better
than they do. This measures that directly, for two kinds of work:

* conversions: two child processes warm the pipeline up and convert every abstract once (so their
  vocabularies are warm and later rounds are steady-state work), then, round after round, convert
  a slice of 24 abstracts with the code a batch worker runs (``_batch_work.convert_tasks``, records
  not written): alone (one child works while the other waits) or as a pair (both at once, released
  together), alternating round by round;
* a control: a fixed pure-Python loop (tiny working set, no memory traffic), alone and paired the
  same way.

Rounds are short (about half a second) and alternate tightly, because this machine's speed drifts
by up to 2x within minutes: comparing runs taken minutes apart measures the drift, not the pairing.
Each figure is the CPU seconds a process spent on one round (median over rounds); the ceiling is
``2 x alone / pair``, the throughput two processes give over one for the same work.

Usage:  python bench/bench_parallel_ceiling.py [--rounds 40] [--write]
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
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
sys.path.insert(0, str(REPO / "eval"))
BENCHMARKS_DOC = REPO / "docs" / "benchmarks.md"
SLICE = 24  # abstracts per round: ~0.3-0.5 s of work
LOOP_ITERATIONS = 4_000_000  # ~0.2-0.3 s


def _child(folder: str) -> None:
    """Warm up; then, for each line "convert I" or "loop" on stdin, do that and print its CPU seconds."""
    from pipeline._batch_work import Task, convert_tasks, warm_up

    warm_up()
    files = sorted(Path(folder).iterdir())
    tasks = [Task(i, str(path), path.name, "json") for i, path in enumerate(files)]

    def convert(chunk: list) -> None:
        for start in range(0, len(chunk), 16):
            for _outcome in convert_tasks(chunk[start : start + 16]):
                pass

    convert(tasks)  # every word seen once: later rounds measure steady-state work
    print("ready", flush=True)
    for line in sys.stdin:
        command = line.split()
        started = time.process_time()
        if command[0] == "convert":
            first = int(command[1]) * SLICE % max(1, len(tasks) - SLICE)
            convert(tasks[first : first + SLICE])
        else:
            total = 0
            for i in range(LOOP_ITERATIONS):
                total += i
        print(json.dumps(time.process_time() - started), flush=True)


class _Children:
    def __init__(self, folder: Path) -> None:
        command = [sys.executable, __file__, "--child", str(folder)]
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        self.procs = [subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env, cwd=REPO) for _ in range(2)]
        for proc in self.procs:
            if proc.stdout.readline().strip() != "ready":
                raise SystemExit("a child failed to warm up")

    def run(self, command: str, count: int) -> list[float]:
        """``command`` in the first ``count`` children at once; their CPU seconds."""
        active = self.procs[:count]
        for proc in active:
            proc.stdin.write(command + "\n")
            proc.stdin.flush()
        return [float(json.loads(proc.stdout.readline())) for proc in active]

    def close(self) -> None:
        for proc in self.procs:
            proc.stdin.close()
            proc.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--write", action="store_true", help="write the table into docs/benchmarks.md")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        _child(args.child)
        return
    from bench_batch import MEDLINE, write_abstracts

    if not MEDLINE.is_file():
        raise SystemExit(f"needs {MEDLINE} (../shared/data beside the checkout)")
    runs: dict[str, dict[str, list[float]]] = {kind: {"alone": [], "pair": []} for kind in ("convert", "loop")}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_abstracts(folder, 500)
        children = _Children(folder)
        try:
            for round_ in range(args.rounds):
                # alone then pair, or pair then alone: the order flips every round
                for count in (1, 2) if round_ % 2 == 0 else (2, 1):
                    runs["convert"]["alone" if count == 1 else "pair"] += children.run(f"convert {round_}", count)
                    runs["loop"]["alone" if count == 1 else "pair"] += children.run("loop", count)
        finally:
            children.close()
    rows = []
    for kind, name in (("convert", f"conversions: {SLICE} abstracts per round"), ("loop", f"control: pure-Python loop ({LOOP_ITERATIONS:,} additions)")):
        alone, pair = statistics.median(runs[kind]["alone"]), statistics.median(runs[kind]["pair"])
        rows.append(f"| {name} | {alone:.3f} s | {pair:.3f} s | {pair / alone:.2f}x | {2 * alone / pair:.2f}x |")
        print(f"{kind}: alone {alone:.3f} s, pair {pair:.3f} s per round", flush=True)
    table = "\n".join([
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()} {platform.release()}.",
        f"Command: `.venv/bin/python bench/bench_parallel_ceiling.py --rounds {args.rounds} --write`. "
        f"{args.rounds} rounds, each kind of work once alone and once as a pair, alternating; CPU seconds per process and round, medians. "
        f"Load average at the end: {os.getloadavg()[0]:.1f}.",
        "",
        "| work | alone | each of a pair | pair / alone | ceiling: 2 x alone / pair |",
        "|---|---|---|---|---|",
        *rows,
    ])
    print(table)
    if args.write:
        from common import replace_block

        replace_block("parallel-ceiling", table, doc=BENCHMARKS_DOC)


if __name__ == "__main__":
    main()
