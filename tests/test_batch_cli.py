"""`pipeline convert` as a batch tool: per-input lines with -v, a summary with counts and rates,
plain output when not on a terminal, JSON Lines output, and a clean stop on Ctrl-C."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import pipeline.batch as batch_module
from pipeline.cli import main

ARTICLES = {
    "ketamine.md": b"# Ketamine Notes\n\nKetamine blocks NMDA receptors in the prefrontal cortex.\n",
    "psilocybin.txt": b"Psilocybin Trials\n\nPsilocybin activates 5-HT2A receptors.\n",
    "empty.txt": b"",
}


def _src(tmp_path: Path) -> Path:
    src = tmp_path / "in"
    src.mkdir()
    for name, data in ARTICLES.items():
        (src / name).write_bytes(data)
    return src


def _invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_convert_verbose_lists_every_input_and_summarises(tmp_path: Path) -> None:
    src = _src(tmp_path)
    result = _invoke("convert", str(src), "-o", str(tmp_path / "out"), "-j", "1", "-v")
    assert result.exit_code == 0
    assert f"{src / 'ketamine.md'}: written\n" in result.stdout and f"{src / 'psilocybin.txt'}: written\n" in result.stdout
    assert f"{src / 'empty.txt'}: failed [P101]" in result.stderr
    assert "3 input(s): 2 written, 0 unchanged, 1 failed\n" in result.stdout
    assert "converted 2, skipped 0 (up to date), failed 1 in " in result.stderr and " docs/s" in result.stderr


def test_convert_rerun_says_what_was_skipped(tmp_path: Path) -> None:
    src = _src(tmp_path)
    _invoke("convert", str(src), "-o", str(tmp_path / "out"), "-j", "1")
    result = _invoke("convert", str(src), "-o", str(tmp_path / "out"), "-j", "1")
    assert "2 input(s) up to date (skipped), 1 to convert" in result.stderr
    assert "converted 0, skipped 2 (up to date), failed 1" in result.stderr


def test_convert_off_a_terminal_prints_no_progress_bar(tmp_path: Path) -> None:
    result = _invoke("convert", str(_src(tmp_path)), "-o", str(tmp_path / "out"), "-j", "1")
    assert "\x1b[" not in result.stderr and "\r" not in result.stderr  # no terminal control codes in CI logs
    assert "ketamine.md: written" not in result.stdout  # one line per input only with -v


def test_convert_jsonl_format(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = _invoke("convert", str(_src(tmp_path)), "-o", str(out), "-j", "1", "--format", "jsonl")
    assert result.exit_code == 0
    lines = (out / "records.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and all(json.loads(line)["schema_version"] for line in lines)


def test_convert_ctrl_c_exits_130_and_says_how_to_resume(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(batch_module, "convert_batch", interrupted)
    result = _invoke("convert", str(_src(tmp_path)), "-o", str(tmp_path / "out"))
    assert result.exit_code == 130
    assert "run the same command again to resume" in result.stderr


def test_convert_timeout_must_be_positive(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["convert", str(_src(tmp_path)), "-o", str(tmp_path / "out"), "--timeout", "0"])
    assert result.exit_code == 2 and "--timeout" in result.output
