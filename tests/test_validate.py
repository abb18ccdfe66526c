"""Tests of ``pipeline validate``: exit codes, one pointer-addressed line per error, formats.

Two kinds of cases, as in check-jsonschema:

* every file in ``fixtures/validate/valid/`` must pass and every file in
  ``fixtures/validate/invalid/`` must fail (discovered, so adding a file adds a case);
* invalid records made here by breaking one thing in a freshly converted record, so the cases
  do not depend on what the stages currently extract. The fresh record is given a known section,
  two entities, a relation and a summary item first, and a test checks that this base is valid,
  so each broken variant fails for the reason it is named after.
"""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Callable

import pytest
from click.testing import CliRunner

from pipeline import convert_bytes
from pipeline.cli import main
from pipeline.record import dumps_record
from pipeline.validate import NOT_RECORD_NAMES, ValidateOptions, run_validate

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "validate"
VALID_FILES = sorted(p for p in (FIXTURES / "valid").iterdir() if p.suffix in (".json", ".jsonl"))
INVALID_FILES = sorted(p for p in (FIXTURES / "invalid").iterdir() if p.suffix in (".json", ".jsonl"))

ARTICLE = b"Lithium and the Brain\n\nLithium inhibits GSK-3 in neurons, which may protect them.\n"
# IDs chosen to be well-formed (prefix-10 hex) and not ones the pipeline would derive
SECTION_ID, COMPOUND_ID, PROTEIN_ID, RELATION_ID = "sec-00000000a1", "ent-00000000b1", "ent-00000000b2", "rel-00000000c1"


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["validate", *args], catch_exceptions=False)
    return result.exit_code, result.output


def error_lines(output: str) -> list[str]:
    """The report without its summary line."""
    return output.splitlines()[:-1]


# --- a known-good record to break ----------------------------------------------------------------


def _base_record() -> dict:
    """A fresh record plus one item of each kind that references others, all consistent."""
    record = convert_bytes(ARTICLE, "lithium.txt")
    text = record["text"]
    heading_end = text.index("\n")
    body_start = text.index("Lithium inhibits")
    sentence_end = text.index("them.") + len("them.")
    gsk = text.index("GSK-3")
    record["sections"].append({
        "id": SECTION_ID, "heading": text[:heading_end], "level": 1, "number": None, "kind": "other",
        "start": heading_end + 1, "end": len(text), "heading_start": 0, "heading_end": heading_end, "parent": None,
    })
    for eid, label, start, end in ((COMPOUND_ID, "COMPOUND", body_start, body_start + 7), (PROTEIN_ID, "PROTEIN", gsk, gsk + 5)):
        record["entities"].append({
            "id": eid, "text": text[start:end], "label": label, "start": start, "end": end,
            "section": SECTION_ID, "norm": None, "method": "lexicon", "score": 1.0,
        })
    record["relations"].append({
        "id": RELATION_ID, "subject": COMPOUND_ID, "action": "inhibitor", "object": PROTEIN_ID,
        "start": body_start, "end": sentence_end, "method": "pattern", "score": 0.9,
    })
    record["summary"]["key_points"].append(
        {"text": text[body_start:sentence_end], "start": body_start, "end": sentence_end, "section": SECTION_ID}
    )
    return record


@pytest.fixture(scope="module")
def base_record() -> dict:
    return _base_record()


def _index(record: dict, key: str, item_id: str) -> int:
    return next(i for i, item in enumerate(record[key]) if item.get("id") == item_id)


def _entity(record: dict) -> tuple[int, dict]:
    i = _index(record, "entities", COMPOUND_ID)
    return i, record["entities"][i]


def break_entity_text(r: dict) -> str:
    i, e = _entity(r)
    e["text"] = "Sodium"
    return f"/entities/{i}/text"


def break_span_past_end(r: dict) -> str:
    i, e = _entity(r)
    e["end"] = len(r["text"]) + 10
    return f"/entities/{i}/start"


def break_span_reversed(r: dict) -> str:
    i, e = _entity(r)
    e["start"], e["end"] = e["end"], e["start"]
    return f"/entities/{i}/start"


def break_heading_span(r: dict) -> str:
    i = _index(r, "sections", SECTION_ID)
    r["sections"][i]["heading_end"] = len(r["text"]) + 1
    return f"/sections/{i}/heading_start"


def break_summary_text(r: dict) -> str:
    item = r["summary"]["key_points"][-1]
    item["text"] = item["text"].upper()
    return f"/summary/key_points/{len(r['summary']['key_points']) - 1}/text"


def duplicate_entity_id(r: dict) -> str:
    i, e = _entity(r)
    r["entities"].append(copy.deepcopy(e))
    return f"/entities/{len(r['entities']) - 1}/id"


def dangle_section_reference(r: dict) -> str:
    i, e = _entity(r)
    e["section"] = "sec-ffffffffff"
    return f"/entities/{i}/section"


def dangle_section_parent(r: dict) -> str:
    i = _index(r, "sections", SECTION_ID)
    r["sections"][i]["parent"] = "sec-eeeeeeeeee"
    return f"/sections/{i}/parent"


def dangle_relation_object(r: dict) -> str:
    i = _index(r, "relations", RELATION_ID)
    r["relations"][i]["object"] = "ent-dddddddddd"
    return f"/relations/{i}/object"


def add_unknown_field(r: dict) -> str:
    r["colour"] = "blue"
    return ""


def add_unknown_entity_field(r: dict) -> str:
    i, e = _entity(r)
    e["confidence"] = "high"
    return f"/entities/{i}"


def wrong_type_level(r: dict) -> str:
    i = _index(r, "sections", SECTION_ID)
    r["sections"][i]["level"] = "one"
    return f"/sections/{i}/level"


def wrong_enum_label(r: dict) -> str:
    i, e = _entity(r)
    e["label"] = "DRUG"
    return f"/entities/{i}/label"


def negative_start(r: dict) -> str:
    i, e = _entity(r)
    e["start"] = -1
    return f"/entities/{i}/start"


def remove_required_schema_version(r: dict) -> str:
    del r["schema_version"]
    return ""


def remove_required_entity_text(r: dict) -> str:
    i, e = _entity(r)
    del e["text"]
    return f"/entities/{i}"


INTEGRITY_BREAKS = [
    break_entity_text, break_span_past_end, break_span_reversed, break_heading_span, break_summary_text,
    duplicate_entity_id, dangle_section_reference, dangle_section_parent, dangle_relation_object,
]
SCHEMA_BREAKS = [
    add_unknown_field, add_unknown_entity_field, wrong_type_level, wrong_enum_label, negative_start,
    remove_required_schema_version, remove_required_entity_text,
]


def write_broken(tmp_path: Path, base: dict, breaker: Callable[[dict], str]) -> tuple[Path, str]:
    record = copy.deepcopy(base)
    pointer = breaker(record)
    path = tmp_path / f"{breaker.__name__}.json"
    path.write_text(dumps_record(record), encoding="utf-8")
    return path, pointer


# --- discovered fixture folders ----------------------------------------------------------------


def test_validate_fixture_folders_are_not_empty():
    assert len(VALID_FILES) >= 3 and len(INVALID_FILES) >= 3


@pytest.mark.parametrize("path", VALID_FILES, ids=lambda p: p.name)
def test_validate_valid_fixture_passes(path):
    code, output = invoke(str(path))
    assert code == 0, f"{output}\n(if the schema changed, run tests/fixtures/validate/make_fixtures.py)"
    assert output.startswith("ok: ") and len(output.splitlines()) == 1


@pytest.mark.parametrize("path", INVALID_FILES, ids=lambda p: p.name)
def test_validate_invalid_fixture_fails_with_located_lines(path):
    code, output = invoke(str(path))
    assert code == 1, output
    lines = error_lines(output)
    assert lines, output
    for line in lines:
        assert re.match(rf"^{re.escape(str(path))}(:\d+)?: \S", line), line
    assert output.splitlines()[-1].startswith("invalid: ")


def test_validate_base_record_is_valid(tmp_path, base_record):
    path = tmp_path / "base.json"
    path.write_text(dumps_record(base_record), encoding="utf-8")
    assert invoke(str(path)) == (0, "ok: 1 record in 1 file\n")


# --- broken records ------------------------------------------------------------------------------


@pytest.mark.parametrize("breaker", INTEGRITY_BREAKS, ids=lambda f: f.__name__)
def test_validate_integrity_break_is_one_pointer_line(tmp_path, base_record, breaker):
    path, pointer = write_broken(tmp_path, base_record, breaker)
    code, output = invoke(str(path))
    assert code == 1
    assert len(error_lines(output)) == 1, output
    assert error_lines(output)[0].startswith(f"{path}: {pointer}: "), output


@pytest.mark.parametrize("breaker", SCHEMA_BREAKS, ids=lambda f: f.__name__)
def test_validate_schema_break_is_reported_at_its_pointer(tmp_path, base_record, breaker):
    path, pointer = write_broken(tmp_path, base_record, breaker)
    code, output = invoke(str(path), "--format", "json")
    assert code == 1
    errors = json.loads(output)["errors"]
    assert {(e["pointer"], e["kind"]) for e in errors} == {(pointer, "schema")}, output


def test_validate_text_prints_slash_for_the_whole_record(tmp_path, base_record):
    path, _ = write_broken(tmp_path, base_record, add_unknown_field)
    code, output = invoke(str(path))
    assert code == 1
    assert error_lines(output) == [f"{path}: /: Additional properties are not allowed ('colour' was unexpected)"]


def test_validate_negative_start_is_one_error_not_two(tmp_path, base_record):
    path, pointer = write_broken(tmp_path, base_record, negative_start)
    lines = error_lines(invoke(str(path))[1])
    assert len(lines) == 1 and lines[0].startswith(f"{path}: {pointer}: ")


def test_validate_survives_shapes_the_integrity_check_cannot_walk(tmp_path, base_record):
    record = copy.deepcopy(base_record)
    record["citations"] = [{"evidence": 5}]
    record["article"]["evidence"] = 7
    path = tmp_path / "odd.json"
    path.write_text(dumps_record(record), encoding="utf-8")
    code, output = invoke(str(path))
    assert code == 1
    assert any(line.startswith(f"{path}: /citations/0") for line in error_lines(output)), output
    assert any(line.startswith(f"{path}: /article/evidence") for line in error_lines(output)), output


def test_validate_reports_every_error_of_a_record(tmp_path, base_record):
    record = copy.deepcopy(base_record)
    pointers = sorted([break_entity_text(record), dangle_relation_object(record), wrong_type_level(record)])
    path = tmp_path / "three.json"
    path.write_text(dumps_record(record), encoding="utf-8")
    code, output = invoke(str(path))
    assert code == 1
    assert sorted(line.split(": ")[1] for line in error_lines(output)) == pointers
    assert output.splitlines()[-1] == "invalid: 3 errors in 1 of 1 record in 1 file"


# --- inputs: JSON Lines, folders, encodings ------------------------------------------------------


def test_validate_json_lines_reports_line_numbers(tmp_path, base_record):
    broken = copy.deepcopy(base_record)
    pointer = dangle_section_reference(broken)
    lines = [dumps_record(base_record, indent=None), "\n", dumps_record(broken, indent=None), "{not json\n", dumps_record(base_record, indent=None)]
    path = tmp_path / "batch.jsonl"
    path.write_text("".join(lines), encoding="utf-8")
    code, output = invoke(str(path))
    assert code == 1
    assert error_lines(output)[0].startswith(f"{path}:3: {pointer}: ")
    assert error_lines(output)[1].startswith(f"{path}:4: not valid JSON")
    assert output.splitlines()[-1] == "invalid: 2 errors in 2 of 4 records in 1 file"


def test_validate_json_lines_accepts_crlf_and_blank_lines(tmp_path, base_record):
    line = dumps_record(base_record, indent=None).rstrip("\n")
    path = tmp_path / "crlf.jsonl"
    path.write_bytes(f"{line}\r\n\r\n{line}\r\n".encode())
    assert invoke(str(path)) == (0, "ok: 2 records in 1 file\n")


def test_validate_folder_recurses_and_skips_non_records(tmp_path, base_record):
    good = dumps_record(base_record)
    broken_record = copy.deepcopy(base_record)
    pointer = break_entity_text(broken_record)
    (tmp_path / "b" / "deep").mkdir(parents=True)
    (tmp_path / "a.json").write_text(good, encoding="utf-8")
    (tmp_path / "b" / "deep" / "c.json").write_text(dumps_record(broken_record), encoding="utf-8")
    (tmp_path / "b" / "lines.jsonl").write_text(dumps_record(base_record, indent=None) * 2, encoding="utf-8")
    # not records: batch reports, hidden files, other extensions (decisions files have their own schema: tests/test_review_core.py)
    for skipped in (*NOT_RECORD_NAMES, ".draft.json", "notes.txt"):
        (tmp_path / skipped).write_text("{not a record\n", encoding="utf-8")
    (tmp_path / ".cache").mkdir()
    (tmp_path / ".cache" / "x.json").write_text("{}", encoding="utf-8")
    code, output = invoke(str(tmp_path))
    assert code == 1
    shown = os.path.join(str(tmp_path), "b", "deep", "c.json")
    assert error_lines(output) == [line for line in error_lines(output) if line.startswith(f"{shown}: {pointer}: ")]
    assert len(error_lines(output)) == 1
    assert output.splitlines()[-1] == "invalid: 1 error in 1 of 4 records in 3 files"


def test_validate_explicit_file_is_checked_even_if_discovery_skips_it(tmp_path):
    report = tmp_path / "errors.jsonl"
    report.write_text('{"code": "P101", "kind": "input"}\n', encoding="utf-8")
    code, output = invoke(str(report))
    assert code == 1 and error_lines(output)[0].startswith(f"{report}:1: /: ")


def test_validate_checks_a_file_named_twice_once(tmp_path, base_record):
    (tmp_path / "a.json").write_text(dumps_record(base_record), encoding="utf-8")
    assert invoke(str(tmp_path), str(tmp_path / "a.json")) == (0, "ok: 1 record in 1 file\n")


def test_validate_rejects_nan_which_the_schema_would_let_through(tmp_path, base_record):
    # NaN compares false with every bound, so `"score": NaN` passes minimum/maximum checks
    record = copy.deepcopy(base_record)
    record["entities"][0]["score"] = 0.123456
    path = tmp_path / "nan.json"
    path.write_text(dumps_record(record).replace("0.123456", "NaN"), encoding="utf-8")
    code, output = invoke(str(path))
    assert code == 1 and error_lines(output) == [f"{path}: not valid JSON (NaN is not a JSON value)"]


def test_validate_not_utf8_is_an_invalid_record(tmp_path):
    path = tmp_path / "latin1.json"
    path.write_bytes('{"text": "café"}'.encode("latin-1"))
    code, output = invoke(str(path))
    assert code == 1 and error_lines(output)[0].startswith(f"{path}: not UTF-8")


# --- exit 2: usage, I/O and schema errors --------------------------------------------------------


def test_validate_missing_file_exits_2_and_still_checks_the_rest(tmp_path, base_record):
    broken, pointer = write_broken(tmp_path, base_record, dangle_section_reference)
    missing = tmp_path / "nowhere.json"
    code, output = invoke(str(missing), str(broken))
    assert code == 2
    assert error_lines(output)[0] == f"{missing}: does not exist; check the path"
    assert error_lines(output)[1].startswith(f"{broken}: {pointer}: ")
    assert output.splitlines()[-1].startswith("error: 1 usage, I/O or schema error; 1 error in 1 of 1 record")


def test_validate_folder_without_records_exits_2(tmp_path):
    (tmp_path / "errors.jsonl").write_text("{}\n", encoding="utf-8")
    code, output = invoke(str(tmp_path))
    assert code == 2 and "no *.json or *.jsonl records found" in output


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads files whatever their mode")
def test_validate_unreadable_file_exits_2(tmp_path):
    path = tmp_path / "secret.json"
    path.write_text("{}", encoding="utf-8")
    path.chmod(0)
    try:
        code, output = invoke(str(path))
    finally:
        path.chmod(0o600)
    assert code == 2 and error_lines(output)[0].startswith(f"{path}: cannot read")


def test_validate_read_error_exits_2(tmp_path, monkeypatch):
    # the same failure as above, for runs as root, where file modes do not stop reading
    path = tmp_path / "locked.json"
    path.write_text("{}", encoding="utf-8")
    real_read_bytes = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.name == path.name:
            raise PermissionError(13, "Permission denied")
        return real_read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    code, output = invoke(str(path))
    assert code == 2
    assert error_lines(output) == [f"{path}: cannot read (Permission denied); check the path and its permissions"]
    assert output.splitlines()[-1] == "error: 1 usage, I/O or schema error; 0 errors in 0 of 0 records in 1 file"


@pytest.mark.parametrize(
    "schema_text, expected",
    [
        ("{not json", "not valid JSON"),
        ('{"type": 12}', "not a valid JSON Schema"),
        (None, "cannot read the schema"),
    ],
    ids=["schema-not-json", "schema-invalid", "schema-missing"],
)
def test_validate_broken_schema_exits_2(tmp_path, schema_text, expected):
    schema = tmp_path / "schema.json"
    if schema_text is not None:
        schema.write_text(schema_text, encoding="utf-8")
    code, output = invoke(str(VALID_FILES[0]), "--schema", str(schema))
    assert code == 2
    assert error_lines(output) and expected in error_lines(output)[0] and "[P201]" in output


def test_validate_uses_the_schema_given(tmp_path):
    schema = tmp_path / "loose.json"
    schema.write_text('{"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object"}', encoding="utf-8")
    record = tmp_path / "empty.json"
    record.write_text("{}", encoding="utf-8")
    assert invoke(str(record))[0] == 1
    assert invoke(str(record), "--schema", str(schema)) == (0, "ok: 1 record in 1 file\n")


def test_validate_library_rejects_an_unknown_format():
    report, code = run_validate(ValidateOptions((str(VALID_FILES[0]),), "xml", None))
    assert code == 2 and "unknown format" in report


def test_validate_library_without_paths_is_a_usage_error():
    report, code = run_validate(ValidateOptions((), "text", None))
    assert code == 2 and report.startswith("error: no paths given")


# --- formats -------------------------------------------------------------------------------------


def test_validate_json_format_is_one_sorted_document(tmp_path, base_record):
    broken, pointer = write_broken(tmp_path, base_record, break_entity_text)
    missing = tmp_path / "missing.json"
    code, output = invoke("--format", "json", str(broken), str(missing), str(INVALID_FILES[0]))
    assert code == 2
    document = json.loads(output)
    assert output == json.dumps(document, sort_keys=True, ensure_ascii=False, indent=2) + "\n"
    assert (document["status"], document["checked"], document["files"], document["invalid"]) == ("error", 2, 2, 2)
    first, second = document["errors"][:2]
    assert first == {"file": str(broken), "kind": "integrity", "line": None, "message": first["message"], "pointer": pointer}
    assert second == {"file": str(missing), "kind": "io", "line": None, "message": "does not exist; check the path", "pointer": None}


@pytest.mark.parametrize("path, status", [(VALID_FILES[0], "ok"), (INVALID_FILES[0], "fail")], ids=["ok", "fail"])
def test_validate_json_format_status(path, status):
    code, output = invoke("--format", "json", str(path))
    assert json.loads(output)["status"] == status and code == {"ok": 0, "fail": 1}[status]


def test_validate_github_format_annotates_each_error(tmp_path, base_record):
    folder = tmp_path / "odd, name: here"
    folder.mkdir()
    record = copy.deepcopy(base_record)
    pointer = break_span_past_end(record)
    (folder / "r.jsonl").write_text(dumps_record(base_record, indent=None) + dumps_record(record, indent=None), encoding="utf-8")
    code, output = invoke("--format", "github", str(folder))
    assert code == 1
    escaped = os.path.join(str(folder), "r.jsonl").replace(",", "%2C").replace(":", "%3A")
    assert error_lines(output) == [
        f"::error file={escaped},line=2,title=pipeline validate::{pointer}: " + error_lines(output)[0].split(f"{pointer}: ", 1)[1]
    ]
    assert output.splitlines()[-1].startswith("invalid: ")


def test_validate_github_format_escapes_message_breaks():
    from pipeline.validate import _escape_data, _escape_property

    assert _escape_data("100%\r\nnext") == "100%25%0D%0Anext"
    assert _escape_property("a,b:c%") == "a%2Cb%3Ac%25"


# --- as users run it -----------------------------------------------------------------------------


def test_validate_runs_as_python_module():
    folder = FIXTURES / "valid"
    completed = subprocess.run(
        [sys.executable, "-m", "pipeline", "validate", str(folder)], capture_output=True, text=True, cwd=REPO, timeout=120
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert completed.stdout.startswith("ok: ")


def test_validate_precommit_hook_matches_discovery_rules():
    hooks = (REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    assert re.search(r"^- id: pipeline-validate$", hooks, re.M)
    assert re.search(r"^  entry: pipeline validate$", hooks, re.M)
    files = re.compile(re.search(r"^  files: (.+)$", hooks, re.M).group(1).strip("'\""))
    exclude = re.compile(re.search(r"^  exclude: (.+)$", hooks, re.M).group(1).strip("'\""))

    def hooked(name: str) -> bool:
        return bool(files.search(name)) and not exclude.search(name)

    for name in ("outputs/a.json", "b.jsonl", "deep/errors.jsonl.json"):
        assert hooked(name), name
    for name in ("outputs/a.review.json", *(f"outputs/{n}" for n in NOT_RECORD_NAMES), *NOT_RECORD_NAMES, "a.txt"):
        assert not hooked(name), name
