"""What a person (or a CI log) sees while a batch runs: progress, failures, and a final summary.

On a terminal: a rich progress bar with rate and ETA, failures printed above it. Elsewhere (CI,
a pipe): a plain line every few seconds, so logs stay short and readable. Failures are always shown
on standard error; ``verbose`` adds one line per document; ``quiet`` keeps only failures and the
summary. The summary's first line (standard output) has no timings, so it is the same on every
run; timings and rates go to standard error.

This is the CLI's view of :func:`pipeline.batch.convert_batch`'s callbacks; it does not import
click (nothing below the CLI does).
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

_PLAIN_EVERY_SECONDS = 10.0


class BatchReporter:
    def __init__(self, *, quiet: bool = False, verbose: bool = False, terminal: bool | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None) -> None:
        self.quiet = quiet
        self.verbose = verbose and not quiet
        self.out = stdout or sys.stdout
        self.err = stderr or sys.stderr
        self.terminal = self.err.isatty() if terminal is None else terminal
        self.total = 0
        self.done = 0
        self.started = time.monotonic()
        self._last_line = self.started
        self._progress = None
        self._task = None

    # --- callbacks of convert_batch --------------------------------------------------------------

    def on_plan(self, to_convert: int, skipped: int) -> None:
        self.total = to_convert
        self.started = self._last_line = time.monotonic()
        if skipped and not self.quiet:
            self._say(f"{skipped} input(s) up to date (skipped), {to_convert} to convert", err=True)
        if self.terminal and not self.quiet and to_convert:
            self._start_bar()

    def on_progress(self, path: str, status: str) -> None:
        failed = status.startswith("failed")
        if not status.startswith("skipped"):
            self.done += 1
        if failed:
            self._say(f"{path}: {status}", err=True)
        elif self.verbose:
            self._say(f"{path}: {status}")
        if self._progress is not None:
            elapsed = time.monotonic() - self.started
            rate = f"{self.done / elapsed:.1f} docs/s" if elapsed > 0 else ""
            self._progress.update(self._task, completed=self.done, rate=rate)
        elif not self.quiet and not self.verbose:
            self._plain_line_now_and_then()

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    # --- summary ---------------------------------------------------------------------------------

    def summary(self, result) -> None:
        unchanged = len(result.unchanged) + len(result.skipped)
        total = result.converted + len(result.failures)
        self.out.write(f"{total} input(s): {len(result.written)} written, {unchanged} unchanged, {len(result.failures)} failed\n")
        rate = result.processed / result.seconds if result.seconds > 0 else 0.0
        words = result.words / result.seconds if result.seconds > 0 else 0.0
        self.err.write(
            f"converted {len(result.written) + len(result.unchanged)}, skipped {len(result.skipped)} (up to date), "
            f"failed {len(result.failures)} in {result.seconds:.1f} s ({rate:.1f} docs/s, {words:,.0f} words/s)\n"
        )
        for problem in getattr(result, "review_problems", ()):
            self.err.write(f"warning: {problem}\n")

    def dry_run(self, result) -> None:
        for path, action in result.planned:
            self.out.write(f"{action} {path}\n")
        to_convert = sum(1 for _, action in result.planned if action == "convert")
        self.out.write(f"dry run: {to_convert} to convert, {len(result.planned) - to_convert} up to date; nothing written\n")

    # --- internals -------------------------------------------------------------------------------

    def _start_bar(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

        self._progress = Progress(
            TextColumn("converting"),
            BarColumn(),
            MofNCompleteColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeRemainingColumn(),
            console=Console(file=self.err),
            transient=False,
        )
        self._task = self._progress.add_task("convert", total=self.total, rate="")
        self._progress.start()

    def _say(self, line: str, *, err: bool = False) -> None:
        if self._progress is not None:
            self._progress.console.print(line, markup=False, highlight=False, soft_wrap=True)
        else:
            (self.err if err else self.out).write(line + "\n")

    def _plain_line_now_and_then(self) -> None:
        now = time.monotonic()
        if now - self._last_line < _PLAIN_EVERY_SECONDS and self.done < self.total:
            return
        if self.done >= self.total and now - self.started < _PLAIN_EVERY_SECONDS:
            return  # a short batch: the summary says it all
        self._last_line = now
        rate = self.done / (now - self.started) if now > self.started else 0.0
        eta = (self.total - self.done) / rate if rate > 0 else 0.0
        self.err.write(f"converted {self.done}/{self.total} ({100 * self.done / max(1, self.total):.0f}%), {rate:.1f} docs/s, ETA {eta:.0f} s\n")
        self.err.flush()
