"""Incremental batches: the manifest skips what is up to date and nothing else; --force, --dry-run,
JSON Lines output, shards and their merge, and resuming after an interruption."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import pipeline._batch_manifest as manifest_module
from pipeline.batch import RECORDS_FILE, BatchOptions, convert_batch
from pipeline.cli import main

ARTICLES = {
    "b-ketamine.md": b"# Ketamine Notes\n\nKetamine blocks NMDA receptors in the prefrontal cortex.\n",
    "a-psilocybin.txt": b"Psilocybin Trials\n\nPsilocybin activates 5-HT2A receptors.\n",
    "sub/c-rapamycin.txt": b"Rapamycin inhibits mTOR signalling in neurons.\n",
    "sub/d-lithium.txt": b"Lithium needs monitoring of kidney function.\n",
    "e-same-bytes.txt": b"Rapamycin inhibits mTOR signalling in neurons.\n",  # same id as c-rapamycin
}


def _tree(root: Path, files: dict[str, bytes]) -> Path:
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


def _run(src: Path, out: Path, **options) -> object:
    return convert_batch(BatchOptions((str(src),), str(out), **options))


def _manifest(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_manifest_lists_each_output_sorted_with_hashes(tmp_path: Path) -> None:
    src, out = _tree(tmp_path / "in", ARTICLES), tmp_path / "out"
    _run(src, out)
    entries = _manifest(out)
    assert [e["output"] for e in entries] == sorted(e["output"] for e in entries) and len(entries) == 5
    entry = next(e for e in entries if e["output"] == "b-ketamine.json")
    import hashlib

    assert entry["input_sha256"] == hashlib.sha256(ARTICLES["b-ketamine.md"]).hexdigest()
    assert entry["record_sha256"] == hashlib.sha256((out / "b-ketamine.json").read_bytes()).hexdigest()
    assert entry["fingerprint"].startswith("fp-") and entry["format"] == "json"


def test_rerun_skips_only_what_is_up_to_date(tmp_path: Path) -> None:
    src, out = _tree(tmp_path / "in", ARTICLES), tmp_path / "out"
    _run(src, out)
    (src / "a-psilocybin.txt").write_bytes(b"Psilocybin Trials, revised\n\nPsilocybin activates 5-HT2A receptors.\n")
    (out / "sub" / "c-rapamycin.json").unlink()  # a lost record is rebuilt
    (out / "sub" / "d-lithium.json").write_text("{}\n")  # so is a hand-edited one
    result = _run(src, out)
    assert sorted(result.skipped) == [str(src / "b-ketamine.md"), str(src / "e-same-bytes.txt")]
    assert sorted(Path(p).name for p in result.written) == ["a-psilocybin.json", "c-rapamycin.json", "d-lithium.json"]


def test_force_converts_everything_again(tmp_path: Path) -> None:
    src, out = _tree(tmp_path / "in", ARTICLES), tmp_path / "out"
    _run(src, out)
    result = _run(src, out, force=True)
    assert result.skipped == [] and len(result.unchanged) == 5  # same bytes, so nothing rewritten


def test_pipeline_change_invalidates_every_entry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src, out = _tree(tmp_path / "in", ARTICLES), tmp_path / "out"
    _run(src, out)
    monkeypatch.setattr(manifest_module, "pipeline_fingerprint", lambda: "fp-another-version")
    result = _run(src, out)
    assert result.skipped == [] and len(result.unchanged) == 5
    assert {e["fingerprint"] for e in _manifest(out)} == {"fp-another-version"}


def test_fingerprint_covers_packaged_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = manifest_module.pipeline_fingerprint()
    fake_root = tmp_path / "pkg"
    (fake_root / "data").mkdir(parents=True)
    (fake_root / "data" / "lexicon.tsv").write_text("ketamine\tCOMPOUND\n")
    monkeypatch.setattr(manifest_module, "_PACKAGE_ROOT", fake_root)
    manifest_module.pipeline_fingerprint.cache_clear()
    try:
        first = manifest_module.pipeline_fingerprint()
        manifest_module.pipeline_fingerprint.cache_clear()
        (fake_root / "data" / "lexicon.tsv").write_text("ketamine\tCOMPOUND\nlsd\tCOMPOUND\n")
        assert manifest_module.pipeline_fingerprint() != first != before
    finally:
        manifest_module.pipeline_fingerprint.cache_clear()


def test_dry_run_writes_nothing_and_says_what_it_would_do(tmp_path: Path) -> None:
    src, out = _tree(tmp_path / "in", ARTICLES), tmp_path / "out"
    result = _run(src, out, dry_run=True)
    assert not out.exists()
    assert [action for _, action in result.planned] == ["convert"] * 5
    _run(src, out)
    (src / "b-ketamine.md").write_bytes(b"# Changed\n\nKetamine.\n")
    before = _snapshot(out)
    cli = CliRunner().invoke(main, ["convert", str(src), "-o", str(out), "--dry-run"], catch_exceptions=False)
    assert cli.exit_code == 0
    assert f"convert {src / 'b-ketamine.md'}\n" in cli.stdout and f"skip {src / 'a-psilocybin.txt'}\n" in cli.stdout
    assert cli.stdout.endswith("dry run: 1 to convert, 4 up to date; nothing written\n")
    assert _snapshot(out) == before


def test_jsonl_output_is_one_file_ordered_by_record_id(tmp_path: Path) -> None:
    src, out = _tree(tmp_path / "in", ARTICLES), tmp_path / "out"
    _run(src, out, output_format="jsonl")
    assert sorted(p.name for p in out.iterdir()) == ["manifest.jsonl", RECORDS_FILE]
    records = [json.loads(line) for line in (out / RECORDS_FILE).read_text(encoding="utf-8").splitlines()]
    assert [(r["id"], r["source"]["path"]) for r in records] == sorted((r["id"], r["source"]["path"]) for r in records)
    assert len(records) == 5
    first = (out / RECORDS_FILE).read_bytes()
    result = _run(src, out, output_format="jsonl")
    assert len(result.skipped) == 5 and (out / RECORDS_FILE).read_bytes() == first
    (src / "sub" / "d-lithium.txt").write_bytes(b"Lithium levels need monitoring.\n")
    result = _run(src, out, output_format="jsonl")
    assert len(result.skipped) == 4
    texts = [json.loads(line)["text"] for line in (out / RECORDS_FILE).read_text(encoding="utf-8").splitlines()]
    assert "Lithium levels need monitoring.\n" in texts and len(texts) == 5


def test_shards_split_the_batch_and_merge_into_one_run(tmp_path: Path) -> None:
    src = _tree(tmp_path / "in", ARTICLES | {"bad.txt": b""})
    whole, sharded = tmp_path / "whole", tmp_path / "sharded"
    _run(src, whole)
    shares = [_run(src, sharded, shard=(i, 3)) for i in (1, 2, 3)]
    names = [sorted(r.written + [f.path for f in r.failures]) for r in shares]
    assert sum(len(n) for n in names) == 6 and len({x for n in names for x in n}) == 6  # a partition
    assert not (sharded / "manifest.jsonl").exists()
    cli = CliRunner().invoke(main, ["merge-manifests", str(sharded)], catch_exceptions=False)
    assert cli.exit_code == 0, cli.output
    assert _snapshot(sharded) == _snapshot(whole)


def test_interrupted_batch_keeps_its_work_and_resumes(tmp_path: Path) -> None:
    src, out = _tree(tmp_path / "in", ARTICLES), tmp_path / "out"
    seen: list[str] = []

    def interrupt_after_two(path: str, status: str) -> None:
        seen.append(path)
        if len(seen) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        convert_batch(BatchOptions((str(src),), str(out)), on_progress=interrupt_after_two)
    assert len(_manifest(out)) == 2 and not [p for p in out.rglob(".*.tmp")]
    result = _run(src, out)
    assert len(result.skipped) == 2 and len(result.written) == 3


def test_lost_manifest_loses_no_record(tmp_path: Path) -> None:
    # a run killed before its manifest was saved: records on disk are rechecked, not lost
    src, out = _tree(tmp_path / "in", ARTICLES), tmp_path / "out"
    _run(src, out)
    records = {k: v for k, v in _snapshot(out).items() if k != "manifest.jsonl"}
    (out / "manifest.jsonl").unlink()
    result = _run(src, out)
    assert len(result.unchanged) == 5 and result.written == []
    assert {k: v for k, v in _snapshot(out).items() if k != "manifest.jsonl"} == records


def test_damaged_manifest_lines_only_mean_more_work(tmp_path: Path) -> None:
    src, out = _tree(tmp_path / "in", ARTICLES), tmp_path / "out"
    _run(src, out)
    lines = (out / "manifest.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    (out / "manifest.jsonl").write_text("not json\n" + "".join(lines[1:]) + '{"output": 1}\n', encoding="utf-8")
    result = _run(src, out)
    assert len(result.skipped) == 4 and len(result.unchanged) == 1
    assert (out / "manifest.jsonl").read_text(encoding="utf-8") == "".join(lines)


def test_cli_shard_must_be_i_of_n(tmp_path: Path) -> None:
    src = _tree(tmp_path / "in", ARTICLES)
    for bad in ("0/2", "3/2", "x"):
        cli = CliRunner().invoke(main, ["convert", str(src), "-o", str(tmp_path / "out"), "--shard", bad], catch_exceptions=False)
        assert cli.exit_code == 1 and "[P200]" in cli.output


def test_killed_run_loses_nothing_and_the_rerun_completes(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys
    import time

    src = _tree(tmp_path / "in", {f"doc-{i:02d}.txt": f"Article {i}: ketamine blocks NMDA receptors.\n".encode() for i in range(30)})
    out = tmp_path / "out"
    command = [sys.executable, "-m", "pipeline", "convert", str(src), "-o", str(out), "-j", "2", "-q"]
    run = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while run.poll() is None and len(list(out.glob("*.json"))) < 3:
        time.sleep(0.05)
    run.send_signal(signal.SIGKILL)  # no chance to clean up: the worst case
    run.wait()
    before = {p.name: p.read_bytes() for p in out.glob("*.json")}
    assert before and all(json.loads(data)["text"] for data in before.values())  # whole records only
    rerun = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    after = {p.name: p.read_bytes() for p in out.glob("*.json")}
    assert len(after) == 30 and all(after[name] == data for name, data in before.items())
    assert len(_manifest(out)) == 30 and not list(out.glob(".*.tmp"))
