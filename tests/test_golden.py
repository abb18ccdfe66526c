"""Golden records: every sample's record in outputs/ is exactly what the pipeline makes today.

``outputs/`` is what ``pipeline convert samples/ -o outputs/`` writes when run from the repository
root (``make goldens``), so each sample is converted here the same way: the batch's own job list
for ``samples/`` gives the display path and the output name. A changed byte fails; so does a
missing golden (it is never skipped) and a golden whose sample is gone. Regenerating is a
deliberate act: run ``make goldens`` and review the diff.
"""

from __future__ import annotations

import difflib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import convert_file
from pipeline._batch_manifest import MANIFEST_FILE
from pipeline.batch import ERRORS_FILE, REVIEW_SUFFIX, collect_jobs
from pipeline.record.io import dumps_record

from conftest import OUTPUTS_DIR, REPO_ROOT, SAMPLES_DIR

REGENERATE = "run `make goldens` (pipeline convert samples/ -o outputs/) and review the diff"


def _sample_names() -> list[str]:
    return sorted(p.relative_to(SAMPLES_DIR).as_posix() for p in SAMPLES_DIR.rglob("*") if p.is_file() and not p.name.startswith("."))


def _jobs_by_sample() -> dict[str, object]:
    """The batch's jobs for ``samples/`` as given from the repository root, keyed by sample name."""
    here = os.getcwd()
    os.chdir(REPO_ROOT)  # collect_jobs shows paths as given, relative to the working folder
    try:
        jobs = collect_jobs(["samples/"])
    finally:
        os.chdir(here)
    return {job.source.relative_to("samples").as_posix(): job for job in jobs}


SAMPLES = _sample_names()
JOBS = _jobs_by_sample()


def _convert(name: str) -> tuple[str, Path]:
    job = JOBS.get(name)
    assert job is not None, f"samples/{name} is not a supported input, so `pipeline convert samples/` skips it; remove it or add a reader"
    record = convert_file(REPO_ROOT / job.source, display_path=job.shown)
    return dumps_record(record), OUTPUTS_DIR / job.output_name


def _diff(expected: str, actual: str, name: str) -> str:
    lines = difflib.unified_diff(expected.splitlines(), actual.splitlines(), f"golden outputs/{name}", "converted now", lineterm="", n=2)
    return "\n".join(list(lines)[:60])


def test_golden_samples_exist() -> None:
    assert len(SAMPLES) >= 5, "samples/ should hold the seed and the hand-written layouts"
    assert "ketamine-psychedelics-explainer.txt" in SAMPLES


@pytest.mark.parametrize("name", SAMPLES)
def test_golden_record_matches_byte_for_byte(name: str) -> None:
    actual, golden = _convert(name)
    assert golden.is_file(), f"golden record {golden.relative_to(REPO_ROOT)} is missing for samples/{name}; {REGENERATE}"
    expected = golden.read_bytes().decode("utf-8")
    assert actual == expected, f"samples/{name} no longer converts to {golden.relative_to(REPO_ROOT)}; if the change is intended, {REGENERATE}\n{_diff(expected, actual, golden.name)}"


@pytest.mark.parametrize("name", SAMPLES)
def test_golden_conversion_is_deterministic_in_process(name: str) -> None:
    first, _ = _convert(name)
    second, _ = _convert(name)
    assert first == second


def test_golden_conversion_is_deterministic_across_processes(tmp_path: Path) -> None:
    # string hashing is salted per process, so an iteration over a set that leaks into the output
    # shows up only when two processes with different seeds are compared
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"seed-{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-m", "pipeline", "convert", "samples/", "-o", str(out), "--quiet"],
            cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=600,
        )
        assert done.returncode == 0, done.stderr
        outputs.append({p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()})
    assert outputs[0].keys() == outputs[1].keys()
    differing = [name for name in outputs[0] if outputs[0][name] != outputs[1][name]]
    assert differing == [], f"records differ between PYTHONHASHSEED=1 and 2: {differing}"
    assert ERRORS_FILE not in outputs[0], f"a sample failed to convert: {outputs[0].get(ERRORS_FILE, b'').decode()}"


def test_golden_outputs_have_no_stale_records() -> None:
    expected = {job.output_name for job in JOBS.values()}
    present = {
        p.relative_to(OUTPUTS_DIR).as_posix()
        for p in OUTPUTS_DIR.rglob("*")
        if p.is_file() and not p.name.startswith(".") and not p.name.endswith(REVIEW_SUFFIX) and p.name != MANIFEST_FILE
    } if OUTPUTS_DIR.is_dir() else set()  # the manifest is `make run`'s bookkeeping (git-ignored), not a record
    stale = sorted(present - expected)
    assert stale == [], f"outputs/ holds files no sample produces (a renamed or deleted sample, or a failed run's {ERRORS_FILE}): {stale}; delete them and {REGENERATE}"


def test_golden_records_are_pretty_sorted_json() -> None:
    for job in JOBS.values():
        golden = OUTPUTS_DIR / job.output_name
        if golden.is_file():  # a missing golden fails in test_golden_record_matches_byte_for_byte
            text = golden.read_text(encoding="utf-8")
            assert text == dumps_record(json.loads(text)), f"{golden.name} is not in the canonical serialisation"
