"""The command line: each command over the library, coded errors, exit codes, help, the schema files.

Commands are invoked through click's CliRunner with ``catch_exceptions=False`` so a crash fails
the test with its traceback, and once through ``python -m pipeline`` as a user would run it.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

import click
import pytest
from click.testing import CliRunner

from pipeline import __version__
from pipeline.cli import main
from pipeline.record.integrity import integrity_errors
from pipeline.record.schema import schema_errors

from conftest import PACKAGED_SCHEMA, PUBLISHED_SCHEMA, REPO_ROOT

GOOD = b"# Psilocybin Notes\n\nPsilocybin activates 5-HT2A receptors.\n"


def _invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def _write(folder: Path, files: dict[str, bytes]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


# --- convert --------------------------------------------------------------------------------------


def test_cli_convert_writes_valid_records(tmp_path: Path) -> None:
    src = _write(tmp_path / "in", {"notes.md": GOOD, "other.txt": b"Plain text article.\n"})
    out = tmp_path / "out"
    result = _invoke("convert", str(src), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "2 input(s): 2 written, 0 unchanged, 0 failed" in result.stdout
    for name in ("notes.json", "other.json"):
        record = json.loads((out / name).read_text(encoding="utf-8"))
        assert schema_errors(record) == [] and integrity_errors(record) == []


def test_cli_convert_rerun_reports_unchanged(tmp_path: Path) -> None:
    src = _write(tmp_path / "in", {"notes.md": GOOD})
    _invoke("convert", str(src), "-o", str(tmp_path / "out"))
    result = _invoke("convert", str(src), "-o", str(tmp_path / "out"), "--quiet")
    assert result.exit_code == 0
    assert result.stdout == "1 input(s): 0 written, 1 unchanged, 0 failed\n"


def test_cli_convert_partial_failure_exits_zero_and_reports(tmp_path: Path) -> None:
    src = _write(tmp_path / "in", {"notes.md": GOOD, "empty.txt": b""})
    result = _invoke("convert", str(src), "-o", str(tmp_path / "out"))
    assert result.exit_code == 0
    assert re.search(r"empty\.txt: failed \[P101\] ", result.stderr)
    assert "1 failed" in result.stdout
    assert (tmp_path / "out" / "errors.jsonl").is_file()


def test_cli_convert_fail_on_error_exits_one(tmp_path: Path) -> None:
    src = _write(tmp_path / "in", {"notes.md": GOOD, "empty.txt": b""})
    result = _invoke("convert", str(src), "-o", str(tmp_path / "out"), "--fail-on-error")
    assert result.exit_code == 1


@pytest.mark.parametrize(
    "files, code",
    [({"empty.txt": b""}, "P101"), ({"noise.txt": b"\x00\xff" * 500}, "P102"), ({"paper.txt": b"%PDF-1.7\n"}, "P111")],
    ids=["empty", "binary", "pdf"],
)
def test_cli_convert_nothing_converted_exits_one_with_code(tmp_path: Path, files: dict, code: str) -> None:
    src = _write(tmp_path / "in", files)
    result = _invoke("convert", str(src), "-o", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert f"[{code}]" in result.stderr


def test_cli_convert_missing_input_is_coded_usage_error(tmp_path: Path) -> None:
    result = _invoke("convert", str(tmp_path / "nope.txt"), "-o", str(tmp_path / "out"))
    assert result.exit_code != 0
    assert "[P200]" in result.stderr and "nope.txt" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize("args", [["convert"], ["convert", "x.txt"], ["convert", "-o", "out"], ["no-such-command"]], ids=["nothing", "no-output", "no-input", "unknown"])
def test_cli_usage_errors_exit_two(args: list[str]) -> None:
    result = _invoke(*args)
    assert result.exit_code == 2
    assert "Usage:" in result.stderr


# --- schema, version, help ------------------------------------------------------------------------


def test_cli_schema_prints_packaged_schema() -> None:
    result = _invoke("schema")
    assert result.exit_code == 0
    assert result.stdout == PACKAGED_SCHEMA.read_text(encoding="utf-8")
    assert json.loads(result.stdout) == json.loads(PACKAGED_SCHEMA.read_text(encoding="utf-8"))


def test_cli_version() -> None:
    result = _invoke("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"pipeline, version {__version__}"


def _commands() -> list[str]:
    return sorted(main.commands)


def test_cli_has_the_documented_commands() -> None:
    assert {"convert", "schema", "validate"} <= set(_commands())


@pytest.mark.parametrize("command", [None, *_commands()])
@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_cli_help_of_every_command(command: str | None, flag: str) -> None:
    args = [command, flag] if command else [flag]
    result = _invoke(*args)
    assert result.exit_code == 0
    assert result.stdout.startswith("Usage: ")
    help_text = (main if command is None else main.commands[command]).help
    assert help_text and help_text.strip(), f"{command or 'pipeline'} has no help text"


@pytest.mark.parametrize("command", _commands())
def test_cli_every_option_is_described(command: str) -> None:
    for param in main.commands[command].params:
        if isinstance(param, click.Option):
            assert param.help, f"option {param.opts} of {command} has no help text"


# --- as a user runs it ----------------------------------------------------------------------------


def test_cli_runs_as_python_module(tmp_path: Path) -> None:
    src = _write(tmp_path / "in", {"notes.md": GOOD})
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "convert", str(src / "notes.md"), "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    record = json.loads((out / "notes.json").read_text(encoding="utf-8"))
    assert record["source"]["path"] == str(src / "notes.md")
    failed = subprocess.run([sys.executable, "-m", "pipeline", "convert", "missing.txt", "-o", str(out)], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert failed.returncode != 0 and "[P200]" in failed.stderr


# --- the schema files -----------------------------------------------------------------------------


def test_cli_published_schema_is_the_packaged_schema() -> None:
    assert PUBLISHED_SCHEMA.read_bytes() == PACKAGED_SCHEMA.read_bytes(), "run `make schema` to publish pipeline/schemas/ into schemas/"
    decisions = "decisions.v1.schema.json"
    assert (REPO_ROOT / "schemas" / decisions).read_bytes() == (REPO_ROOT / "pipeline" / "schemas" / decisions).read_bytes(), "run `make schema`"


def test_cli_schema_prints_the_decisions_schema() -> None:
    result = CliRunner().invoke(main, ["schema", "decisions"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert schema["$id"].endswith("/decisions/v1") and "decisions" in schema["required"]


def _property_schemas(node: Any, pointer: str = "") -> Iterator[tuple[str, Any]]:
    """Every subschema that defines a property, anywhere (also inside $defs), with its JSON pointer."""
    if isinstance(node, dict):
        for name, sub in (node.get("properties") or {}).items():
            yield f"{pointer}/properties/{name}", sub
        for key, value in node.items():
            yield from _property_schemas(value, f"{pointer}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _property_schemas(value, f"{pointer}/{index}")


@pytest.mark.parametrize("schema_file", [PACKAGED_SCHEMA, REPO_ROOT / "pipeline" / "schemas" / "decisions.v1.schema.json"], ids=["record", "decisions"])
def test_cli_every_schema_property_is_described(schema_file) -> None:
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    assert schema.get("description")
    found = list(_property_schemas(schema))
    assert len(found) > 10  # the walk reaches nested objects
    # properties inside allOf/if/then only restrict properties described at their definition
    missing = [p for p, sub in found if "/allOf/" not in p and not (isinstance(sub, dict) and str(sub.get("description", "")).strip())]
    assert missing == [], f"properties without a description: {missing}"


def test_cli_schema_id_carries_major_version() -> None:
    schema = json.loads(PACKAGED_SCHEMA.read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].endswith("/v1")
