"""Batch conversion: one bad input never stops the rest, nothing an editor owns is touched,
output names never collide, and re-running on unchanged inputs leaves the folder alone."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from pipeline.batch import ERRORS_FILE, SUPPORTED_EXTENSIONS, BatchOptions, _output_name, collect_jobs, convert_batch
from pipeline.errors import UsageError
from pipeline.record.integrity import integrity_errors
from pipeline.record.schema import schema_errors

GOOD = b"# Ketamine Notes\n\nKetamine blocks NMDA receptors in the prefrontal cortex.\n"
OLD_MTIME = 1_000_000_000  # 2001: any rewrite would move the mtime to now


def _tree(root: Path, files: dict[str, bytes]) -> Path:
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


def _errors(out: Path) -> list[dict]:
    report = out / ERRORS_FILE
    return [json.loads(line) for line in report.read_text(encoding="utf-8").splitlines()] if report.exists() else []


def _age(path: Path) -> None:
    os.utime(path, (OLD_MTIME, OLD_MTIME))


def test_batch_converts_good_and_reports_bad(tmp_path: Path) -> None:
    src = _tree(tmp_path / "in", {"good.md": GOOD, "bad.txt": b"", "noise.txt": b"\x00\x01\x02" * 100})
    out = tmp_path / "out"
    result = convert_batch(BatchOptions((str(src),), str(out)))
    record = json.loads((out / "good.json").read_text(encoding="utf-8"))
    assert schema_errors(record) == [] and integrity_errors(record) == []
    assert record["source"]["path"] == os.path.join(str(src), "good.md")
    assert sorted(p.name for p in out.iterdir()) == ["errors.jsonl", "good.json", "manifest.jsonl"]
    assert [(e["path"], e["code"], e["kind"]) for e in _errors(out)] == [
        (os.path.join(str(src), "bad.txt"), "P101", "input"),
        (os.path.join(str(src), "noise.txt"), "P102", "input"),
    ]
    assert result.converted == 1 and len(result.failures) == 2 and not result.has_defects


def test_batch_error_report_disappears_when_all_succeed(tmp_path: Path) -> None:
    src = _tree(tmp_path / "in", {"good.md": GOOD, "bad.txt": b""})
    out = tmp_path / "out"
    convert_batch(BatchOptions((str(src),), str(out)))
    assert (out / ERRORS_FILE).exists()
    (src / "bad.txt").write_bytes(GOOD)
    convert_batch(BatchOptions((str(src),), str(out)))
    assert not (out / ERRORS_FILE).exists()


def test_batch_never_touches_review_files(tmp_path: Path) -> None:
    src = _tree(tmp_path / "in", {"x.md": GOOD})
    out = tmp_path / "out"
    out.mkdir()
    review = out / "x.review.json"
    review.write_text('{"decisions": ["editor owned"]}\n', encoding="utf-8")
    _age(review)
    convert_batch(BatchOptions((str(src),), str(out)))
    convert_batch(BatchOptions((str(src),), str(out)))
    assert review.read_text(encoding="utf-8") == '{"decisions": ["editor owned"]}\n'
    assert review.stat().st_mtime == OLD_MTIME
    assert (out / "x.json").is_file()


def test_batch_input_named_like_a_review_file_gets_another_name(tmp_path: Path) -> None:
    # "notes.review.md" would naively become "notes.review.json", an editor's file
    src = _tree(tmp_path / "in", {"notes.review.md": GOOD, "notes.md": GOOD + b"More.\n"})
    out = tmp_path / "out"
    out.mkdir()
    review = out / "notes.review.json"
    review.write_text("{}\n", encoding="utf-8")
    result = convert_batch(BatchOptions((str(src),), str(out)))
    assert not result.failures
    assert review.read_text(encoding="utf-8") == "{}\n"
    names = [job.output_name for job in collect_jobs([str(src)])]
    assert all(not name.endswith(".review.json") for name in names), names


def test_batch_output_names_never_collide(tmp_path: Path) -> None:
    files = {"a.txt": b"A as text.\n", "a.md": b"# A as Markdown\n", "sub/a.txt": b"A in a subfolder.\n", "a.txt.md": b"# Tricky name\n"}
    src = _tree(tmp_path / "in", files)
    jobs = collect_jobs([str(src)])
    names = [job.output_name for job in jobs]
    assert len(names) == len(set(names)) == len(files)
    out = tmp_path / "out"
    convert_batch(BatchOptions((str(src),), str(out)))
    written = {p.relative_to(out).as_posix(): json.loads(p.read_text(encoding="utf-8")) for p in out.rglob("*.json")}
    assert len(written) == len(files)
    by_source = {Path(r["source"]["path"]).relative_to(src).as_posix(): r["text"] for r in written.values()}
    assert by_source == {name: data.decode() for name, data in files.items()}


def _jobs_as_paths_list_them(folder: Path, given: str) -> list[tuple[str, str, str]]:
    """The listing collect_jobs gave when it walked with Path objects: the reference for its order."""
    children = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        children += [Path(root) / n for n in files if not n.startswith(".") and Path(n).suffix.lower() in SUPPORTED_EXTENSIONS]
    return [(str(c), os.path.join(given, str(c.relative_to(folder))), str(c.relative_to(folder))) for c in sorted(children)]


def test_collect_jobs_lists_a_folder_in_path_order(tmp_path: Path) -> None:
    # "a-b/x" sorts before "a/x" as a string ('-' < '/') but after it as a path; output names are
    # handed out in this order, so it must never change
    names = ["a/x.txt", "a-b/x.txt", "a/b/y.md", "a.txt", "B.txt", "a b/x.txt", "c/d.TXT", "c/d.txt.md", "c/d.md",
             ".hidden/z.txt", "sub/.z.txt", "notes.docx", "deep/er/est/one.html", "deep/er.txt"]
    src = _tree(tmp_path / "in", {name: b"Text.\n" for name in names})
    for given in (str(src), str(src) + "/"):
        expected = _jobs_as_paths_list_them(src, given)
        taken: set[str] = set()
        expected_names = []
        for _, _, rel in expected:
            expected_names.append(_output_name(rel, taken))
            taken.add(expected_names[-1])
        jobs = collect_jobs([given])
        assert [(str(j.source), j.shown, j.output_name) for j in jobs] == [
            (source, shown, name) for (source, shown, _), name in zip(expected, expected_names)
        ]
    shown = [j.shown[len(str(src)) + 1 :] for j in collect_jobs([str(src)])]
    assert shown.index("a/x.txt") < shown.index("a-b/x.txt") and "notes.docx" not in shown and len(shown) == 11


def test_batch_same_name_from_two_inputs(tmp_path: Path) -> None:
    _tree(tmp_path, {"x/a.txt": b"From x.\n", "y/a.txt": b"From y.\n", "z/a.txt": b"From z.\n"})
    given = [str(tmp_path / d / "a.txt") for d in "xyz"]
    names = [job.output_name for job in collect_jobs(given)]
    assert len(set(names)) == 3
    out = tmp_path / "out"
    convert_batch(BatchOptions(tuple(given), str(out)))
    texts = sorted(json.loads(p.read_text(encoding="utf-8"))["text"] for p in out.glob("*.json"))
    assert texts == ["From x.\n", "From y.\n", "From z.\n"]


def test_batch_output_mirrors_subfolders(tmp_path: Path) -> None:
    src = _tree(tmp_path / "in", {"top.md": GOOD, "deep/er/inner.txt": b"Inner text.\n"})
    out = tmp_path / "out"
    convert_batch(BatchOptions((str(src),), str(out)))
    assert (out / "top.json").is_file() and (out / "deep" / "er" / "inner.json").is_file()


def test_batch_rerun_leaves_unchanged_files_untouched(tmp_path: Path) -> None:
    src = _tree(tmp_path / "in", {"one.md": GOOD, "two.txt": b"Second article.\n", "bad.txt": b""})
    out = tmp_path / "out"
    convert_batch(BatchOptions((str(src),), str(out)))
    outputs = sorted(out.iterdir())
    for path in outputs:
        _age(path)
    result = convert_batch(BatchOptions((str(src),), str(out)))
    assert sorted(out.iterdir()) == outputs  # no stray temporary files either
    assert {path.name: path.stat().st_mtime for path in outputs} == {path.name: OLD_MTIME for path in outputs}
    assert result.written == [] and result.unchanged == [] and len(result.skipped) == 2  # the manifest knew
    assert result.converted == 2 and [f.code for f in result.failures] == ["P101"]  # failures are retried


def test_batch_rerun_rewrites_changed_input_only(tmp_path: Path) -> None:
    src = _tree(tmp_path / "in", {"one.md": GOOD, "two.txt": b"Second article.\n"})
    out = tmp_path / "out"
    convert_batch(BatchOptions((str(src),), str(out)))
    for path in out.iterdir():
        _age(path)
    (src / "two.txt").write_bytes(b"Second article, revised.\n")
    result = convert_batch(BatchOptions((str(src),), str(out)))
    assert (out / "one.json").stat().st_mtime == OLD_MTIME
    assert (out / "two.json").stat().st_mtime != OLD_MTIME
    assert json.loads((out / "two.json").read_text(encoding="utf-8"))["text"] == "Second article, revised.\n"
    assert result.written == [str(out / "two.json")]


def test_batch_replaces_corrupt_existing_output(tmp_path: Path) -> None:
    src = _tree(tmp_path / "in", {"one.md": GOOD})
    out = tmp_path / "out"
    out.mkdir()
    (out / "one.json").write_bytes(b"\xff\xfe not UTF-8, not a record")
    result = convert_batch(BatchOptions((str(src),), str(out)))
    assert not result.failures
    assert json.loads((out / "one.json").read_text(encoding="utf-8"))["text"] == GOOD.decode()


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can read a chmod 000 file, so it cannot be made unreadable")
def test_batch_reports_unreadable_file(tmp_path: Path) -> None:
    src = _tree(tmp_path / "in", {"good.md": GOOD, "locked.txt": b"Secret.\n"})
    (src / "locked.txt").chmod(0)
    try:
        out = tmp_path / "out"
        result = convert_batch(BatchOptions((str(src),), str(out)))
    finally:
        (src / "locked.txt").chmod(0o644)
    assert (out / "good.json").is_file()
    assert [(e["code"], e["kind"]) for e in _errors(out)] == [("P104", "input")]
    assert result.converted == 1


@pytest.mark.parametrize("target", ["missing.txt", "loop.txt"], ids=["dangling", "self-loop"])
def test_batch_reports_broken_symlink(tmp_path: Path, target: str) -> None:
    # works as root too: a dangling or looping link cannot be read by anyone
    src = _tree(tmp_path / "in", {"good.md": GOOD})
    (src / "loop.txt").symlink_to(src / target)
    out = tmp_path / "out"
    result = convert_batch(BatchOptions((str(src),), str(out)))
    assert (out / "good.json").is_file()
    errors = _errors(out)
    assert [(e["path"], e["code"], e["kind"]) for e in errors] == [(os.path.join(str(src), "loop.txt"), "P104", "input")]
    assert result.converted == 1


def test_batch_skips_hidden_and_unsupported_files(tmp_path: Path) -> None:
    src = _tree(tmp_path / "in", {"a.md": GOOD, ".hidden.md": GOOD, ".git/b.md": GOOD, "data.csv": b"a,b\n", "c.json": b"{}"})
    assert [job.output_name for job in collect_jobs([str(src)])] == ["a.json"]


def test_batch_order_and_names_are_stable(tmp_path: Path) -> None:
    src = _tree(tmp_path / "in", {"b.md": GOOD, "a.md": GOOD, "c/a.md": GOOD, "a.txt": GOOD})
    first = [(job.shown, job.output_name) for job in collect_jobs([str(src)])]
    assert first == [(job.shown, job.output_name) for job in collect_jobs([str(src)])]
    assert [shown for shown, _ in first] == sorted(shown for shown, _ in first)


def test_batch_shows_paths_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _tree(tmp_path, {"articles/one.md": GOOD})
    monkeypatch.chdir(tmp_path)
    assert [job.shown for job in collect_jobs(["articles/"])] == ["articles/one.md"]
    assert [job.shown for job in collect_jobs(["articles"])] == ["articles/one.md"]
    assert [job.shown for job in collect_jobs(["articles/one.md"])] == ["articles/one.md"]


def test_batch_missing_input_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as caught:
        convert_batch(BatchOptions((str(tmp_path / "nope"),), str(tmp_path / "out")))
    assert caught.value.code == "P200"


def test_batch_output_folder_that_is_a_file_is_a_usage_error(tmp_path: Path) -> None:
    src = _tree(tmp_path / "in", {"a.md": GOOD})
    blocker = tmp_path / "out"
    blocker.write_text("a file, not a folder")
    with pytest.raises(UsageError):
        convert_batch(BatchOptions((str(src),), str(blocker)))


def test_batch_progress_reports_every_input(tmp_path: Path) -> None:
    src = _tree(tmp_path / "in", {"good.md": GOOD, "bad.txt": b""})
    seen: list[tuple[str, str]] = []
    convert_batch(BatchOptions((str(src),), str(tmp_path / "out")), on_progress=lambda path, status: seen.append((Path(path).name, status.split(" ")[0])))
    assert seen == [("bad.txt", "failed"), ("good.md", "written")]


def test_batch_records_get_ordinary_file_permissions(tmp_path: Path) -> None:
    src = _tree(tmp_path / "in", {"good.md": GOOD, "bad.txt": b""})
    out = tmp_path / "out"
    old_umask = os.umask(0o022)
    try:
        convert_batch(BatchOptions((str(src),), str(out)))
    finally:
        os.umask(old_umask)
    modes = {path.name: oct(path.stat().st_mode & 0o777) for path in out.iterdir()}
    assert modes == {"good.json": "0o644", ERRORS_FILE: "0o644", "manifest.jsonl": "0o644"}  # readable by others, like any file


def test_warm_up_pauses_the_garbage_collector_and_freezes_what_it_loaded(monkeypatch) -> None:
    import gc

    from pipeline import _batch_work, recipe

    def load(data, name):
        gc.enable()  # as srsly does after reading a model: must not end the pause
        during.append(gc.get_threshold()[0])
        loaded.append({"model": ["weights"]})  # a container the collector tracks

    during, loaded = [], []
    monkeypatch.setattr(recipe, "convert_bytes", load)
    monkeypatch.setattr(_batch_work, "_warm", False)
    before = gc.get_threshold()
    try:
        gc.unfreeze()
        _batch_work.warm_up()
        assert during == [0]  # threshold 0: no automatic collection at all
        assert gc.get_threshold() == before
        # frozen: in no generation a collection scans (the permanent one is not listed)
        assert gc.is_tracked(loaded[0]) and not any(o is loaded[0] for o in gc.get_objects())
        _batch_work.warm_up()
        assert during == [0]  # once per process
    finally:
        gc.set_threshold(*before)
