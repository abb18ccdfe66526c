"""Batch conversion: many inputs to one output folder, where one bad input never stops the rest.

Each input becomes ``<output>/<relative name>.json``. A failure is a value (:class:`Failure`)
collected in the result and written to ``errors.jsonl``; it is never a crash of the batch. Records
are written atomically and only when their bytes changed, so re-running on unchanged inputs
leaves the folder untouched. Files an editor owns (``*.review.json``) are never written here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from .errors import DefectError, InputOutputError, PipelineError, UsageError
from .readers import SUPPORTED_EXTENSIONS
from .recipe import convert_file
from .record.io import dumps_record, write_text_atomic

ERRORS_FILE = "errors.jsonl"
REVIEW_SUFFIX = ".review.json"


@dataclass(frozen=True)
class BatchOptions:
    inputs: tuple[str, ...]
    output_dir: str


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
    failures: list[Failure] = field(default_factory=list)

    @property
    def converted(self) -> int:
        return len(self.written) + len(self.unchanged)

    @property
    def has_defects(self) -> bool:
        return any(f.kind == "defect" for f in self.failures)


@dataclass(frozen=True)
class _Job:
    source: Path
    shown: str  # path as the user would write it (relative if they gave a relative path)
    output_name: str


def collect_jobs(inputs: Iterable[str]) -> list[_Job]:
    """Expand files and folders into jobs with unique output names, in a stable order."""
    found: list[tuple[Path, str, str]] = []
    for given in inputs:
        path = Path(given)
        if path.is_dir():
            for child in sorted(_walk(path)):
                rel = child.relative_to(path)
                found.append((child, os.path.join(given, str(rel)), str(rel)))
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


def _output_name(rel: str, taken: set[str]) -> str:
    """``foo.json`` for ``foo.txt``, unless that name is taken or belongs to an editor.

    foo.md beside foo.txt keeps its extension to tell them apart (``foo.md.json``); an input named
    ``foo.review.md`` must not become ``foo.review.json``, which is an editor's decisions file.
    """
    base = str(Path(rel).with_suffix(""))
    candidates = [f"{base}.json", f"{rel}.json"]
    counter = 2
    while True:
        for name in candidates:
            if name not in taken and not name.endswith(REVIEW_SUFFIX):
                return name
        candidates, counter = [f"{base}.{counter}.json"], counter + 1


def _walk(folder: Path) -> Iterable[Path]:
    """Supported files below ``folder``; symlinked folders are not followed (no loops)."""
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in files:
            if not name.startswith(".") and Path(name).suffix.lower() in SUPPORTED_EXTENSIONS:
                yield Path(root) / name


def convert_batch(options: BatchOptions, *, on_progress: Callable[[str, str], None] | None = None) -> BatchResult:
    """Convert every input into ``options.output_dir``; failures are collected, not raised."""
    out_dir = Path(options.output_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create the output folder ({exc.strerror or exc}); choose another with -o", path=options.output_dir) from None
    result = BatchResult()
    for job in collect_jobs(options.inputs):
        target = out_dir / job.output_name
        try:
            record = convert_file(job.source, display_path=job.shown)
            content = dumps_record(record)
            target.parent.mkdir(parents=True, exist_ok=True)
            # bytes, not text: an existing file that is not UTF-8 is simply replaced
            if target.is_file() and target.read_bytes() == content.encode("utf-8"):
                result.unchanged.append(str(target))
                status = "unchanged"
            else:
                write_text_atomic(target, content)
                result.written.append(str(target))
                status = "written"
        except PipelineError as exc:
            result.failures.append(Failure(job.shown, exc.code, exc.kind, exc.message))
            status = f"failed [{exc.code}] {exc.message}"
        except OSError as exc:
            failure = InputOutputError(f"cannot read the input or write its record ({exc.strerror or exc}); check permissions and free disk space")
            result.failures.append(Failure(job.shown, failure.code, failure.kind, failure.message))
            status = f"failed [{failure.code}] {failure.message}"
        except Exception as exc:  # a bug in a stage: record it loudly, keep the batch going
            defect = DefectError(f"unexpected {type(exc).__name__}: {exc}; this is a bug in pipeline, please report it with the input file")
            result.failures.append(Failure(job.shown, defect.code, "defect", defect.message))
            status = f"failed [{defect.code}] {defect.message}"
        if on_progress is not None:
            on_progress(job.shown, status)
    _write_error_report(out_dir, result.failures)
    return result


def _write_error_report(out_dir: Path, failures: list[Failure]) -> None:
    report = out_dir / ERRORS_FILE
    if failures:
        content = "".join(dumps_record(f.to_dict(), indent=None) for f in failures)
        if not (report.is_file() and report.read_bytes() == content.encode("utf-8")):
            write_text_atomic(report, content)  # unchanged failures leave the report untouched too
    elif report.exists():
        report.unlink()
