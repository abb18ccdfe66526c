"""Batch conversion: many inputs to one output folder, in parallel, resumable, where one bad input
never stops the rest.

The flow is plan, run, record:

* **plan** — expand files and folders into jobs with unique output names (:func:`collect_jobs`),
  keep this shard's share (``--shard i/N``), hash each input and skip those the manifest says are
  up to date (``_batch_manifest``); ``--dry-run`` stops here and says what would be done;
* **run** — convert the rest with one executor: in this process (one job, no timeout), the
  supervised process pool (``_batch_pool``: crash and timeout isolation) or Dask
  (``_batch_dask``). Every executor runs the same ``_batch_work.convert_task``, so the bytes do
  not depend on the executor or the number of workers;
* **record** — this process is the only writer: records atomically and only when their bytes
  change (or one ``records.jsonl`` ordered by record ID), ``manifest.jsonl`` and ``errors.jsonl``,
  sorted and without timestamps. They are written in a ``finally``, so Ctrl-C keeps what was done
  and a re-run resumes where the batch stopped.

A failure is a value (:class:`Failure`) with a stable code, collected in the result and written to
``errors.jsonl``, never a crash of the batch. Files an editor owns (``*.review.json``) are never
written. This module imports nothing heavy, so ``pipeline --help`` stays fast.
"""

from __future__ import annotations

import json
import os
import re
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from .errors import InputOutputError, PipelineError, UnreadableInputError, UsageError
from .readers import SUPPORTED_EXTENSIONS

ERRORS_FILE = "errors.jsonl"
RECORDS_FILE = "records.jsonl"
REVIEW_SUFFIX = ".review.json"
REVIEWED_SUFFIX = ".reviewed.json"
SHARDS_FOLDER = ".shards"  # hidden: `pipeline validate` does not take shard reports for records
OUTPUT_FORMATS = ("json", "jsonl")
EXECUTORS = ("local", "dask")
_MANIFEST_FLUSH_SECONDS = 10.0


@dataclass(frozen=True)
class BatchOptions:
    inputs: tuple[str, ...]
    output_dir: str
    jobs: int = 1  # worker processes; 1 converts in this process unless a timeout asks for isolation
    timeout: float | None = None  # seconds per document
    force: bool = False  # convert even inputs the manifest says are up to date
    dry_run: bool = False  # plan only: write nothing
    output_format: str = "json"  # "json": one pretty file per input; "jsonl": one records.jsonl
    executor: str = "local"  # "local" or "dask"
    scheduler: str | None = None  # Dask scheduler address; None starts a LocalCluster
    shard: tuple[int, int] | None = None  # (i, n), 1 <= i <= n: convert only this share
    chunk_size: int = 16  # documents per message to a worker (and per NER batch: 16 abstracts cost ~10% less NER time than 8)


@dataclass(frozen=True)
class Failure:
    path: str
    code: str
    kind: str
    message: str

    def to_dict(self) -> dict:
        return {"code": self.code, "kind": self.kind, "message": self.message, "path": self.path}


@dataclass
class BatchResult:
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # up to date in the manifest: not converted
    failures: list[Failure] = field(default_factory=list)
    planned: list[tuple[str, str]] = field(default_factory=list)  # (input, "convert" | "skip"), dry runs
    seconds: float = 0.0
    words: int = 0  # words in the records converted in this run
    review_problems: list[str] = field(default_factory=list)  # reviewed records that could not be rebuilt

    @property
    def converted(self) -> int:
        """Inputs that have an up-to-date record after this run (skipped ones included)."""
        return len(self.written) + len(self.unchanged) + len(self.skipped)

    @property
    def processed(self) -> int:
        """Inputs converted (or attempted) in this run."""
        return len(self.written) + len(self.unchanged) + len(self.failures)

    @property
    def has_defects(self) -> bool:
        return any(f.kind == "defect" for f in self.failures)


@dataclass(frozen=True)
class _Job:
    source: Path
    shown: str  # path as the user would write it (relative if they gave a relative path)
    output_name: str


ProgressCallback = Callable[[str, str], None]
PlanCallback = Callable[[int, int], None]  # (inputs to convert, inputs skipped as up to date)


def collect_jobs(inputs: Iterable[str]) -> list[_Job]:
    """Expand files and folders into jobs with unique output names, in a stable order."""
    found: list[tuple[Path, str, str]] = []
    for given in inputs:
        path = Path(given)
        if path.is_dir():
            for rel in sorted(_walk(str(path)), key=_path_order):
                found.append((path / rel, os.path.join(given, rel), rel))
        elif path.exists() or path.is_symlink():
            found.append((path, given, path.name))
        else:
            raise UsageError(f"input {given!r} does not exist; check the path", path=given)
    jobs: list[_Job] = []
    taken: set[str] = set()
    for source, shown, rel in found:
        name = _output_name(rel, taken)
        taken.add(name)
        jobs.append(_Job(source, shown, name))
    return jobs


def _path_order(rel: str) -> list[str]:
    """Sort key: folder by folder, as paths compare ("a/x" before "a-b/x", unlike plain strings)."""
    return rel.split("/")


def _output_name(rel: str, taken: set[str]) -> str:
    """``foo.json`` for ``foo.txt``, unless that name is taken or belongs to an editor.

    foo.md beside foo.txt keeps its extension to tell them apart (``foo.md.json``); an input named
    ``foo.review.md`` must not become ``foo.review.json``, which is an editor's decisions file (nor
    ``foo.reviewed.md`` the reviewed record ``foo.reviewed.json``).
    """
    base = str(Path(rel).with_suffix(""))
    candidates = [f"{base}.json", f"{rel}.json"]
    counter = 2
    while True:
        for name in candidates:
            if name not in taken and not name.endswith((REVIEW_SUFFIX, REVIEWED_SUFFIX)):
                return name
        candidates, counter = [f"{base}.{counter}.json"], counter + 1


def _walk(folder: str) -> Iterable[str]:
    """Supported files below ``folder``, as paths relative to it; symlinked folders are not
    followed (no loops). Plain strings, not Path objects: a folder of 100,000 papers is listed in
    a fraction of the time (Path objects cost ~20 constructions per file to walk, relate and sort)."""
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        below = root[len(folder) :].lstrip("/")  # "" for the folder itself, else "sub/dir"
        for name in files:
            if not name.startswith(".") and os.path.splitext(name)[1].lower() in SUPPORTED_EXTENSIONS:
                yield f"{below}/{name}" if below else name


def in_shard(output_name: str, shard: tuple[int, int] | None) -> bool:
    """Deterministic split by output name (CRC-32: the same on every machine and Python)."""
    if shard is None:
        return True
    index, count = shard
    return zlib.crc32(output_name.encode("utf-8")) % count == index - 1


def parse_shard(text: str) -> tuple[int, int]:
    """``"2/4"`` -> ``(2, 4)``; a usage error says what is expected."""
    try:
        index, count = (int(part) for part in text.split("/"))
    except ValueError:
        raise UsageError(f"--shard {text!r} is not I/N (for example 1/4)") from None
    if not 1 <= index <= count:
        raise UsageError(f"--shard {text!r}: I must be between 1 and N")
    return index, count


# --- plan ----------------------------------------------------------------------------------------


@dataclass
class _Plan:
    jobs: list[_Job]
    out_dir: Path
    to_convert: list[int] = field(default_factory=list)  # job indexes
    skipped: dict[int, object] = field(default_factory=dict)  # job index -> manifest Entry
    failed: dict[int, Failure] = field(default_factory=dict)  # unreadable before conversion


def _plan(options: BatchOptions, out_dir: Path, previous: dict, old_lines) -> _Plan:
    from ._batch_manifest import pipeline_fingerprint, sha256_hex

    jobs = [job for job in collect_jobs(options.inputs) if in_shard(job.output_name, options.shard)]
    if not options.dry_run and _uses_pool(options, len(jobs)):
        from ._batch_pool import start_server_early

        start_server_early()  # the workers' fork server loads the pipeline while we hash the inputs
    plan = _Plan(jobs, out_dir)
    fingerprint = pipeline_fingerprint()
    for index, job in enumerate(jobs):
        try:
            digest = sha256_hex(job.source.read_bytes())
        except OSError as exc:
            error = UnreadableInputError(f"cannot read the file ({exc.strerror or exc}); check the path and its permissions")
            plan.failed[index] = Failure(job.shown, error.code, error.kind, error.message)
            continue
        entry = previous.get(job.output_name)
        if not options.force and entry is not None and _up_to_date(entry, digest, fingerprint, options, out_dir, old_lines):
            plan.skipped[index] = entry
        else:
            plan.to_convert.append(index)
    return plan


def _up_to_date(entry, digest: str, fingerprint: str, options: BatchOptions, out_dir: Path, old_lines) -> bool:
    from ._batch_manifest import sha256_hex

    if (entry.input_sha256, entry.fingerprint, entry.format) != (digest, fingerprint, options.output_format):
        return False
    if options.output_format == "jsonl":
        return old_lines is not None and old_lines.has_line(entry.record_sha256)
    try:
        return sha256_hex((out_dir / entry.output).read_bytes()) == entry.record_sha256
    except OSError:
        return False


# --- run -----------------------------------------------------------------------------------------


def _pool_likely(options: BatchOptions) -> bool:
    """Whether the pool will be needed, judged before the inputs are listed: more than one input
    path, or a folder with at least two entries. Starting the fork server that early takes the
    ~0.3 s this process spends listing, hashing and reading the manifest off the batch's wall time;
    ``_plan`` still decides on the exact count (a wrong guess costs one idle warm-up, never a result).
    """
    if options.dry_run or not (options.executor == "local" and (options.jobs > 1 or options.timeout is not None)):
        return False
    if len(options.inputs) > 1:
        return True
    try:
        with os.scandir(options.inputs[0]) as entries:
            return sum(1 for _ in zip(range(2), entries)) == 2
    except (OSError, IndexError):
        return False


def _uses_pool(options: BatchOptions, tasks: int) -> bool:
    """Whether ``tasks`` documents are converted by the local process pool (else in this process or by Dask)."""
    return options.executor == "local" and not (min(options.jobs, tasks) <= 1 and options.timeout is None)


def _outcomes(options: BatchOptions, tasks: list) -> Iterator:
    """Outcomes of ``tasks`` (any order) from the executor the options ask for."""
    if options.executor == "dask":
        from ._batch_dask import run_dask

        yield from run_dask(tasks, scheduler=options.scheduler, workers=options.jobs, chunk_size=options.chunk_size)
        return
    workers = min(options.jobs, len(tasks))
    if not _uses_pool(options, len(tasks)):
        from ._batch_work import convert_tasks, warm_up_if_possible

        if tasks:
            warm_up_if_possible()  # loads everything the first document would, with the collector paused
        for start in range(0, len(tasks), options.chunk_size):  # chunks: the NER model runs on each at once
            yield from convert_tasks(tasks[start : start + options.chunk_size])
        return
    from ._batch_pool import SupervisedPool

    with SupervisedPool(max(1, workers), timeout=options.timeout, chunk_size=options.chunk_size) as pool:
        yield from pool.run(tasks)


def convert_batch(
    options: BatchOptions,
    *,
    on_progress: ProgressCallback | None = None,
    on_plan: PlanCallback | None = None,
) -> BatchResult:
    """Convert every input into ``options.output_dir``; failures are collected, not raised."""
    _check_options(options)
    started = time.monotonic()
    if _pool_likely(options):
        from ._batch_pool import start_server_early

        start_server_early()  # loads the pipeline (seconds) while this process plans the batch
    out_dir = Path(options.output_dir)
    if not options.dry_run:
        _make_output_dir(out_dir, options.output_dir)
        if options.shard is None:  # shards may share the folder and be writing right now
            _remove_stale_temporaries(out_dir)
    writer = _Writer(out_dir, options)
    plan = _plan(options, out_dir, writer.previous, writer.old_lines)
    result = BatchResult()
    if on_plan is not None:
        on_plan(len(plan.to_convert) + len(plan.failed), len(plan.skipped))
    if options.dry_run:
        result.planned = sorted(
            [(plan.jobs[i].shown, "convert") for i in plan.to_convert] + [(plan.jobs[i].shown, "skip") for i in plan.skipped]
        )
        result.skipped = [plan.jobs[i].shown for i in sorted(plan.skipped)]
        return result
    from ._batch_work import Task

    report = _Report(plan, on_progress)
    tasks = [Task(i, str(plan.jobs[i].source), plan.jobs[i].shown, options.output_format) for i in plan.to_convert]
    outcomes = _outcomes(options, tasks)
    try:
        for index, failure in plan.failed.items():
            report.fail(index, failure)
        for index, entry in plan.skipped.items():
            writer.keep(entry)
            report.status(index, "skipped", f"skipped (up to date: {entry.output})")
        for outcome in outcomes:
            job = plan.jobs[outcome.index]
            if outcome.failure is not None:
                report.fail(outcome.index, Failure(job.shown, outcome.failure["code"], outcome.failure["kind"], outcome.failure["message"]))
                continue
            try:
                status = writer.add(job, outcome)
            except OSError as exc:
                error = InputOutputError(f"cannot write the record ({exc.strerror or exc}); check permissions and free disk space in the output folder")
                report.fail(outcome.index, Failure(job.shown, error.code, error.kind, error.message))
                continue
            result.words += outcome.words
            report.status(outcome.index, status, status)
            writer.flush_manifest_now_and_then()
        if options.output_format == "json":
            result.review_problems = _refresh_reviewed_records(out_dir, [plan.jobs[i] for i in (*plan.to_convert, *plan.skipped)])
    finally:  # also on Ctrl-C: what finished is recorded, so the same command resumes
        outcomes.close()  # stops the workers
        writer.finish(report.failures_in_order())
        report.fill(result)
        result.seconds = time.monotonic() - started
    return result


def _refresh_reviewed_records(out_dir: Path, jobs: list[_Job]) -> list[str]:
    """Rebuild ``<name>.reviewed.json`` (draft + decisions) for every record an editor has decisions on.

    Runs after every convert, so the reviewed records follow both re-extraction and new decisions.
    The decisions files themselves are only read. A problem here (say, a decisions file an editor
    broke by hand) is reported and leaves that reviewed record as it was; it never fails the batch.
    """
    problems = []
    editor_files = _editor_files(out_dir, {os.path.dirname(job.output_name) for job in jobs})
    for job in sorted(jobs, key=lambda j: j.output_name):
        stem = job.output_name[: -len(".json")]
        if stem + REVIEW_SUFFIX not in editor_files and stem + REVIEWED_SUFFIX not in editor_files:
            continue  # the common case, decided without touching the disk
        if not ((out_dir / (stem + REVIEW_SUFFIX)).exists() or (out_dir / (stem + REVIEWED_SUFFIX)).exists()):
            continue  # listed, but a broken link
        record_path = out_dir / job.output_name
        if not record_path.is_file():
            continue
        from .review import write_reviewed  # only when an editor has decisions: the review package costs ~0.15 s to import

        try:
            write_reviewed(record_path)
        except (PipelineError, OSError) as exc:
            problems.append(f"{job.output_name}: reviewed record not rebuilt: {exc}")
    return problems


def _editor_files(out_dir: Path, folders: set[str]) -> set[str]:
    """Decisions files and reviewed records in ``folders`` of ``out_dir`` (paths relative to it).

    One listing per folder instead of two existence checks per record: most batches have no
    editor files at all, and a batch of thousands of records should not pay thousands of stats.
    """
    found = set()
    for folder in folders:
        try:
            names = os.listdir(out_dir / folder)
        except OSError:
            continue
        found.update(os.path.join(folder, name) for name in names if name.endswith((REVIEW_SUFFIX, REVIEWED_SUFFIX)))
    return found


def _check_options(options: BatchOptions) -> None:
    if options.output_format not in OUTPUT_FORMATS:
        raise UsageError(f"unknown output format {options.output_format!r}; use one of {', '.join(OUTPUT_FORMATS)}")
    if options.executor not in EXECUTORS:
        raise UsageError(f"unknown executor {options.executor!r}; use one of {', '.join(EXECUTORS)}")
    if options.jobs < 1:
        raise UsageError("-j/--jobs must be at least 1")
    if options.timeout is not None and options.timeout <= 0:
        raise UsageError("--timeout must be a positive number of seconds")
    if options.timeout is not None and options.executor == "dask":
        raise UsageError("--timeout is enforced by the local executor only; drop it or use --executor local")


def _make_output_dir(out_dir: Path, shown: str) -> None:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create the output folder ({exc.strerror or exc}); choose another with -o", path=shown) from None


#: The temporary names of ``record.io.write_text_atomic`` (``.NAME.XXXXXXXX.tmp``): our own files only.
_TEMPORARY_NAME = re.compile(r"^\..+\.[A-Za-z0-9_]{8}\.tmp$")


def _remove_stale_temporaries(out_dir: Path) -> None:
    """Temporary files a killed run left behind (its final files are whole: writes are atomic)."""
    for root, dirs, files in os.walk(out_dir):
        for name in files:
            if _TEMPORARY_NAME.match(name):
                try:
                    (Path(root) / name).unlink()
                except OSError:
                    pass


# --- record --------------------------------------------------------------------------------------


class _Report:
    """Per-job statuses and failures, in job order however the executor ordered its results."""

    def __init__(self, plan: _Plan, on_progress: ProgressCallback | None) -> None:
        self._plan = plan
        self._on_progress = on_progress
        self._statuses: dict[int, str] = {}
        self._failures: dict[int, Failure] = {}

    def status(self, index: int, status: str, shown_status: str) -> None:
        self._statuses[index] = status
        if self._on_progress is not None:
            self._on_progress(self._plan.jobs[index].shown, shown_status)

    def fail(self, index: int, failure: Failure) -> None:
        self._failures[index] = failure
        self.status(index, "failed", f"failed [{failure.code}] {failure.message}")

    def failures_in_order(self) -> list[Failure]:
        return [self._failures[i] for i in sorted(self._failures)]

    def fill(self, result: BatchResult) -> None:
        out_names = {i: str(self._plan.out_dir / job.output_name) for i, job in enumerate(self._plan.jobs)}
        for index in sorted(self._statuses):
            status = self._statuses[index]
            if status == "skipped":
                result.skipped.append(self._plan.jobs[index].shown)
            elif status in ("written", "unchanged"):
                getattr(result, status).append(out_names[index])
        result.failures = self.failures_in_order()


class _Writer:
    """The one writer of the output folder: records, records.jsonl, the manifest, the error report."""

    def __init__(self, out_dir: Path, options: BatchOptions) -> None:
        from ._batch_manifest import MANIFEST_FILE, load_manifest

        self.out_dir = out_dir
        self.options = options
        self.jsonl = options.output_format == "jsonl"
        suffix = f"-{options.shard[0]}-of-{options.shard[1]}" if options.shard else ""
        reports = out_dir / SHARDS_FOLDER if options.shard else out_dir
        self.manifest_path = reports / (f"manifest{suffix}.jsonl" if options.shard else MANIFEST_FILE)
        self.errors_path = reports / (f"errors{suffix}.jsonl" if options.shard else ERRORS_FILE)
        self.records_path = out_dir / (f"records{suffix}.jsonl" if options.shard else RECORDS_FILE)
        self.previous = {**load_manifest(out_dir / MANIFEST_FILE), **load_manifest(self.manifest_path)}
        self.old_lines = None  # for jsonl: the previous records.jsonl indexed, and the spool of new lines
        if self.jsonl:
            from ._batch_jsonl import JsonlAssembler

            self.old_lines = JsonlAssembler(self.records_path)
        # json: entries of inputs outside this run still describe files that exist; jsonl: the
        # file is rebuilt from this run's inputs only, so only their entries stay true
        self.entries = {} if (self.jsonl or options.shard) else dict(self.previous)
        self._last_flush = time.monotonic()

    def keep(self, entry) -> None:
        self.entries[entry.output] = entry
        if self.jsonl:
            self.old_lines.keep(entry.record_id, entry.path, entry.record_sha256)

    def add(self, job: _Job, outcome) -> str:
        """Write (or stage, for jsonl) one record; returns "written" or "unchanged"."""
        from ._batch_manifest import Entry, pipeline_fingerprint, sha256_hex

        status = "written"
        if self.jsonl:
            self.old_lines.add(outcome.record_id, job.shown, outcome.content)
        else:
            status = self._write_record(self.out_dir / job.output_name, outcome.content)
        record_sha = sha256_hex(outcome.content.encode("utf-8"))
        self.entries[job.output_name] = Entry(
            job.output_name, job.shown, outcome.input_sha256, record_sha, outcome.record_id, pipeline_fingerprint(), self.options.output_format
        )
        return status

    def _write_record(self, target: Path, content: str) -> str:
        from .record.io import write_text_atomic

        target.parent.mkdir(parents=True, exist_ok=True)
        # bytes, not text: an existing file that is not UTF-8 is simply replaced
        if target.is_file() and target.read_bytes() == content.encode("utf-8"):
            return "unchanged"
        write_text_atomic(target, content)
        return "written"

    def flush_manifest_now_and_then(self) -> None:
        """A killed run (SIGKILL, power cut) still resumes from the last flush."""
        if not self.jsonl and time.monotonic() - self._last_flush > _MANIFEST_FLUSH_SECONDS:
            self._write_manifest()
            self._last_flush = time.monotonic()

    def _write_manifest(self) -> None:
        from ._batch_manifest import write_manifest

        self.manifest_path.parent.mkdir(parents=True, exist_ok=True)
        write_manifest(self.manifest_path, self.entries)

    def finish(self, failures: list[Failure]) -> None:
        try:
            if self.jsonl:
                self.old_lines.write()
            self._write_manifest()
            _write_error_report(self.errors_path, failures)
        except OSError as exc:
            raise InputOutputError(
                f"cannot write the batch reports in {self.out_dir} ({exc.strerror or exc}); check permissions and free disk space",
            ) from None


def _write_error_report(report: Path, failures: list[Failure]) -> None:
    from .record.io import dumps_record, write_text_atomic

    if failures:
        content = "".join(dumps_record(f.to_dict(), indent=None) for f in failures)
        if not (report.is_file() and report.read_bytes() == content.encode("utf-8")):
            write_text_atomic(report, content)  # unchanged failures leave the report untouched too
    elif report.exists():
        report.unlink()


def merge_shard_reports(output_dir: str) -> tuple[int, int]:
    """Fold every shard's manifest and error report into ``manifest.jsonl`` / ``errors.jsonl``.

    Returns (manifest entries, failures). Shard files are removed once merged, so merging twice
    is harmless. For ``--format jsonl`` the shards' ``records-I-of-N.jsonl`` files are merged into
    ``records.jsonl``, ordered by record ID as a single run would write it.
    """
    from ._batch_manifest import MANIFEST_FILE, load_manifest, write_manifest
    from .record.io import write_text_atomic

    out_dir = Path(output_dir)
    shards = out_dir / SHARDS_FOLDER
    if not shards.is_dir():
        raise UsageError(f"no shard reports in {output_dir}/{SHARDS_FOLDER}; run `pipeline convert --shard I/N` first", path=output_dir)
    entries = load_manifest(out_dir / MANIFEST_FILE)
    for path in sorted(shards.glob("manifest-*.jsonl")):
        entries.update(load_manifest(path))
    failures: list[str] = []
    for path in sorted(shards.glob("errors-*.jsonl")):
        failures += path.read_text(encoding="utf-8").splitlines(keepends=True)
    shard_records = sorted(out_dir.glob("records-*-of-*.jsonl"))
    if shard_records:
        lines = [line for path in shard_records for line in path.read_text(encoding="utf-8").splitlines(keepends=True)]
        write_text_atomic(out_dir / RECORDS_FILE, "".join(sorted(lines, key=_record_sort_key)))
    write_manifest(out_dir / MANIFEST_FILE, entries)
    failures = sorted(failures, key=lambda line: json.loads(line)["path"])
    if failures:
        write_text_atomic(out_dir / ERRORS_FILE, "".join(failures))
    elif (out_dir / ERRORS_FILE).exists():
        (out_dir / ERRORS_FILE).unlink()
    for path in list(shards.iterdir()) + shard_records:
        path.unlink()
    shards.rmdir()
    return len(entries), len(failures)


def _record_sort_key(line: str) -> tuple[str, str]:
    record = json.loads(line)
    return record["id"], record["source"]["path"]
