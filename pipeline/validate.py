"""``pipeline validate``: check records made anywhere, for CI and pre-commit.

Built as a flow in the manner of check-jsonschema, so each step can be tested on its own and a
bad file never stops the check of the others:

1. **find** the files: explicit files as given, folders recursively in sorted order;
2. **load** each file into records (a ``.jsonl`` file holds one record per line); a file or line
   that cannot be read or parsed becomes a :class:`Problem`, not an exception;
3. **check** each record against the JSON Schema and against its own integrity
   (:func:`pipeline.record.integrity.integrity_errors`: spans inside ``text``,
   ``text[start:end]`` equal to the stored text, unique IDs, references that resolve);
4. **collect** everything in one :class:`ValidationResult`;
5. **render** it as text, one JSON document, or GitHub Actions annotations; the exit code is
   derived from the result alone.

Decisions (also in ``pipeline validate --help`` and the README):

* Exit codes: 0 every record is valid; 1 at least one record is invalid; 2 the check itself could
  not be done as asked: a missing or unreadable path, a folder without records, an unusable
  schema. 2 wins over 1, and the check goes on after a missing file so one run reports all.
* A file or JSON Lines line that is **not JSON** (or not UTF-8) counts as an invalid record
  (exit 1, kind ``parse``), not as an I/O error: the file was read, and the fix is in the data,
  exactly as for a schema violation. Like check-jsonschema we keep parse failures apart from
  validation failures by their kind, but unlike it we keep "broken schema" (2) apart from
  "broken data" (1).
* Folder discovery takes ``*.json`` and ``*.jsonl`` and skips hidden files and folders and the
  batch reports ``errors.jsonl`` and ``manifest.jsonl``. An editor's decisions file
  (``*.review.json``) is checked against the decisions schema; a reviewed record
  (``*.reviewed.json``) is a record like any other. A file named explicitly is always
  checked: the skip list is for discovery only (as with linters' excludes).
* Blank lines in JSON Lines files are ignored; line numbers are 1-based physical lines.
* Pointers: the JSON format carries the exact RFC 6901 pointer (``""`` for the whole record);
  the text and GitHub formats print ``/`` for the whole record so every line reads
  ``file[:line]: /pointer: message``. Problems with a file rather than a value (``parse``,
  ``io``, ``usage``) have no pointer: ``file[:line]: message``.
* When the schema already reports a problem at a pointer, the integrity problem at the same
  pointer is not repeated (a negative ``start`` is one error, not two).
* Everything goes to standard output (as check-jsonschema does), so
  ``pipeline validate --format json outputs/ > report.json`` captures the whole report.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from .batch import ERRORS_FILE, REVIEW_SUFFIX
from .errors import SchemaLoadError
from .record.integrity import integrity_errors
from .record.schema import load_schema, schema_errors

RECORD_SUFFIXES = (".json", ".jsonl")
JSON_LINES_SUFFIX = ".jsonl"
# Batch reports that live beside records but are not records. The manifest is written by the
# incremental batch runner (a later issue); it is listed now so `validate outputs/` keeps working.
NOT_RECORD_NAMES = (ERRORS_FILE, "manifest.jsonl")

# Problem kinds. The first three make a record invalid (exit 1); the last two stop the check (exit 2).
SCHEMA, INTEGRITY, PARSE, IO, USAGE = "schema", "integrity", "parse", "io", "usage"
_RECORD_KINDS = (SCHEMA, INTEGRITY, PARSE)

FORMATS = ("text", "json", "github")
GITHUB_TITLE = "pipeline validate"


@dataclass(frozen=True)
class ValidateOptions:
    paths: tuple[str, ...]
    output_format: str = "text"
    schema_path: str | None = None


@dataclass(frozen=True)
class Problem:
    """One error: where (file, line, pointer), what, and which kind of failure it is."""

    file: str
    line: int | None
    pointer: str | None  # RFC 6901; None when the problem is the file itself, not a value in it
    message: str
    kind: str

    def to_dict(self) -> dict:
        return {"file": self.file, "kind": self.kind, "line": self.line, "message": self.message, "pointer": self.pointer}


@dataclass
class ValidationResult:
    files: int = 0
    records: int = 0  # records looked at, including those that could not be parsed
    decisions: int = 0  # editors' decisions files looked at (checked against their own schema)
    invalid_records: int = 0  # records and decisions files with at least one problem
    problems: list[Problem] = field(default_factory=list)

    @property
    def stopped(self) -> bool:
        """Whether something other than the records' content went wrong (usage, I/O, schema)."""
        return any(p.kind not in _RECORD_KINDS for p in self.problems)

    @property
    def status(self) -> str:
        return "error" if self.stopped else "fail" if self.problems else "ok"

    @property
    def exit_code(self) -> int:
        return {"ok": 0, "fail": 1, "error": 2}[self.status]


def run_validate(options: ValidateOptions) -> tuple[str, int]:
    """Validate ``options.paths`` and return the rendered report and the exit code."""
    renderer = _RENDERERS.get(options.output_format)
    if renderer is None:
        return f"error: unknown format {options.output_format!r}; use one of {', '.join(FORMATS)}\n", 2
    result = validate_paths(options.paths, options.schema_path)
    return renderer(result), result.exit_code


def validate_paths(paths: Iterable[str], schema_path: str | None = None) -> ValidationResult:
    """Check every record in ``paths``; problems are collected in the result, never raised."""
    result = ValidationResult()
    paths = tuple(paths)
    if not paths:
        result.problems.append(Problem("", None, None, "no paths given; name record files or folders to check", USAGE))
        return result
    try:
        load_schema(schema_path)
    except SchemaLoadError as exc:
        # nothing can be checked against a broken schema: say so once and stop
        result.problems.append(Problem(exc.path or str(schema_path), None, None, f"{exc.message} [{exc.code}]", USAGE))
        return result
    for found in find_record_files(paths):
        if isinstance(found, Problem):
            result.problems.append(found)
            continue
        source, shown = found
        result.files += 1
        for entry in load_records(source, shown):
            if isinstance(entry, Problem) and entry.kind not in _RECORD_KINDS:
                result.problems.append(entry)  # the file could not be read: no record was seen
                continue
            if shown.lower().endswith(REVIEW_SUFFIX):
                result.decisions += 1
            else:
                result.records += 1
            problems = [entry] if isinstance(entry, Problem) else check_record(entry, schema_path)
            if problems:
                result.invalid_records += 1
            result.problems.extend(problems)
    return result


# --- find --------------------------------------------------------------------------------------


def find_record_files(paths: Iterable[str]) -> list[tuple[Path, str] | Problem]:
    """``(path, shown name)`` of every file to check, each once, in the order given; or a Problem.

    Problems with a path (missing, a folder without records) stay in their place in that order,
    so the report follows the command line.
    """
    found: list[tuple[Path, str] | Problem] = []
    seen: set[Path] = set()

    def add(source: Path, shown: str) -> None:
        key = source.resolve()
        if key not in seen:  # `validate outputs outputs/a.json` checks a.json once
            seen.add(key)
            found.append((source, shown))

    for given in paths:
        path = Path(given)
        if path.is_dir():
            children = sorted(_walk_records(path))
            if not children:
                found.append(Problem(given, None, None, f"no {' or '.join('*' + s for s in RECORD_SUFFIXES)} records found in this folder; check the path", USAGE))
            for child in children:
                add(child, os.path.join(given, str(child.relative_to(path))))
        elif path.exists():
            add(path, given)
        else:
            found.append(Problem(given, None, None, "does not exist; check the path", IO))
    return found


def _walk_records(folder: Path) -> Iterator[Path]:
    """Record files below ``folder``; hidden entries and non-record reports are skipped."""
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in files:
            if _looks_like_record_file(name):
                yield Path(root) / name


def _looks_like_record_file(name: str) -> bool:
    lower = name.lower()
    return (
        not name.startswith(".")
        and lower.endswith(RECORD_SUFFIXES)
        and lower not in NOT_RECORD_NAMES
    )


# --- load --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoadedRecord:
    file: str
    line: int | None
    value: Any


def load_records(source: Path, shown: str) -> Iterator[LoadedRecord | Problem]:
    """The records of one file, or Problems for what cannot be read or parsed."""
    try:
        data = source.read_bytes()
    except OSError as exc:
        yield Problem(shown, None, None, f"cannot read ({exc.strerror or exc}); check the path and its permissions", IO)
        return
    try:
        text = data.decode("utf-8-sig")  # JSON is UTF-8; a BOM is tolerated, as RFC 8259 allows
    except UnicodeDecodeError as exc:
        yield Problem(shown, None, None, f"not UTF-8 (byte {exc.start}: {exc.reason}); records are UTF-8 JSON", PARSE)
        return
    if source.name.lower().endswith(JSON_LINES_SUFFIX):
        yield from _load_json_lines(text, shown)
    else:
        yield _load_json_document(text, shown)


def _load_json_document(text: str, shown: str) -> LoadedRecord | Problem:
    try:
        return LoadedRecord(shown, None, _parse_json(text))
    except json.JSONDecodeError as exc:
        return Problem(shown, exc.lineno, None, _decode_message(exc), PARSE)
    except ValueError as exc:
        return Problem(shown, None, None, f"not valid JSON ({exc})", PARSE)


def _load_json_lines(text: str, shown: str) -> Iterator[LoadedRecord | Problem]:
    # split on "\n" only: JSON Lines separates records with \n, and \r\n endings leave a \r
    # that json.loads treats as whitespace
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            yield LoadedRecord(shown, number, _parse_json(line))
        except json.JSONDecodeError as exc:
            yield Problem(shown, number, None, _decode_message(exc), PARSE)
        except ValueError as exc:
            yield Problem(shown, number, None, f"not valid JSON ({exc})", PARSE)


def _decode_message(exc: json.JSONDecodeError) -> str:
    # the decoder's own wording ends some messages in " at" before the position it appended
    return f"not valid JSON (column {exc.colno}: {exc.msg.removesuffix(' at')})"


def _parse_json(text: str) -> Any:
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        raise ValueError("nested too deeply") from None


def _reject_constant(name: str) -> Any:
    # Python's json accepts NaN and Infinity; they are not JSON, and another reader would choke
    raise ValueError(f"{name} is not a JSON value")


# --- check -------------------------------------------------------------------------------------


def check_record(loaded: LoadedRecord, schema_path: str | None = None) -> list[Problem]:
    """Schema problems, then integrity problems not already reported at the same pointer.

    An editor's decisions file (``*.review.json``) is checked against the decisions schema instead.
    """
    if loaded.file.lower().endswith(REVIEW_SUFFIX):
        from .review import decisions_errors

        return [Problem(loaded.file, loaded.line, pointer, message, SCHEMA) for pointer, message in decisions_errors(loaded.value)]
    from_schema = schema_errors(loaded.value, schema_path)
    from_integrity = integrity_errors(loaded.value)
    schema_pointers = {pointer for pointer, _ in from_schema}
    problems = [Problem(loaded.file, loaded.line, pointer, message, SCHEMA) for pointer, message in from_schema]
    problems += [
        Problem(loaded.file, loaded.line, pointer, message, INTEGRITY)
        for pointer, message in from_integrity
        if pointer not in schema_pointers
    ]
    return problems


# --- render ------------------------------------------------------------------------------------


def render_text(result: ValidationResult) -> str:
    """One ``file[:line]: /pointer: message`` line per problem, then a summary line."""
    lines = [_location(p) + ": " + _one_line(_pointer_and_message(p)) for p in result.problems]
    lines.append(summary_line(result))
    return "\n".join(lines) + "\n"


def render_json(result: ValidationResult) -> str:
    """One JSON document with sorted keys; pointers are exact (``""`` is the whole record)."""
    document = {
        "status": result.status,
        "checked": result.records + result.decisions,
        "decisions": result.decisions,
        "files": result.files,
        "invalid": result.invalid_records,
        "errors": [p.to_dict() for p in result.problems],
    }
    return json.dumps(document, sort_keys=True, ensure_ascii=False, indent=2) + "\n"


def render_github(result: ValidationResult) -> str:
    """GitHub Actions ``::error`` workflow commands, then the summary as a plain log line."""
    lines = []
    for p in result.problems:
        properties = [f"file={_escape_property(p.file)}"]
        if p.line is not None:
            properties.append(f"line={p.line}")
        properties.append(f"title={_escape_property(GITHUB_TITLE)}")
        lines.append(f"::error {','.join(properties)}::{_escape_data(_pointer_and_message(p))}")
    lines.append(summary_line(result))
    return "\n".join(lines) + "\n"


def summary_line(result: ValidationResult) -> str:
    looked_at = _count(result.records, "record")
    if result.decisions:
        looked_at += f" and {_count(result.decisions, 'decisions file')}"
    checked = f"{looked_at} in {_count(result.files, 'file')}"
    record_problems = sum(1 for p in result.problems if p.kind in _RECORD_KINDS)
    if result.status == "ok":
        return f"ok: {checked}"
    invalid = f"{_count(record_problems, 'error')} in {result.invalid_records} of {checked}"
    if result.status == "fail":
        return f"invalid: {invalid}"
    stopping = f"error: {_count(len(result.problems) - record_problems, 'usage, I/O or schema error')}"
    return f"{stopping}; {invalid}" if result.files else stopping


_RENDERERS: dict[str, Callable[[ValidationResult], str]] = {"text": render_text, "json": render_json, "github": render_github}


def _location(p: Problem) -> str:
    if not p.file:
        return "error"  # a problem with the command line itself, not with a file
    return f"{p.file}:{p.line}" if p.line is not None else p.file


def _pointer_and_message(p: Problem) -> str:
    if p.pointer is None:
        return p.message
    return f"{p.pointer or '/'}: {p.message}"


def _one_line(message: str) -> str:
    # one line per error, always: a stray newline in a message would split the report
    return message.replace("\r", "\\r").replace("\n", "\\n")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _escape_data(value: str) -> str:
    # GitHub workflow commands: % and line breaks are escaped in the message
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    # ... and additionally ':' and ',' in property values, which would end the property
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")
