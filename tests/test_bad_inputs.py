"""The bad-input corpus: every hostile or broken input gets a coded error or a record (with a
warning where something was guessed), and nothing else in its batch is affected.

The corpus is generated here, never copied. The whole corpus runs as ONE batch with two workers and
a per-document timeout, the way a user runs a night's conversion; the huge inputs (50 MB of text,
a 10 MB line) either finish or are stopped by the timeout (P120), and the batch goes on either
way. Each case is then checked on its own. Readers still being written (PDF, HTML, JATS) are held
only to "a coded input error or a record", with the rest of the batch unaffected.
Problems of the file system (unreadable files, a file deleted mid-batch, a read-only output folder,
a full disk) are simulated, since the tests run as root.
"""

from __future__ import annotations

import errno
import json
import os
import random
from pathlib import Path

import pytest
from click.testing import CliRunner

import pipeline.record.io as record_io
from pipeline.batch import ERRORS_FILE, BatchOptions, collect_jobs, convert_batch
from pipeline.cli import main
from pipeline.record.integrity import integrity_errors
from pipeline.record.io import dumps_record
from pipeline.record.schema import schema_errors
from pipeline.recipe import convert_file

GOOD = {
    "good-1.md": b"# Ketamine Notes\n\nKetamine blocks NMDA receptors in the prefrontal cortex.\n",
    "good-2.txt": b"Psilocybin Trials\n\nPsilocybin activates 5-HT2A receptors and promotes neuroplasticity.\n",
}
PARAGRAPH = "Ketamine blocks NMDA receptors; psilocybin activates 5-HT2A receptors in the cortex. "


def _pdf(objects: list[str], *, trailer_extra: str = "") -> bytes:
    """A PDF from object bodies (object i+1 is objects[i]) with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R {trailer_extra}>>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _text_pdf() -> bytes:
    stream = "BT /F1 12 Tf 72 720 Td (Ketamine blocks NMDA receptors in the prefrontal cortex.) Tj ET"
    return _pdf([
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ])


def _corpus() -> dict[str, bytes]:
    noise = random.Random(6).randbytes(4096)
    text_pdf = _text_pdf()
    return {
        "empty.txt": b"",
        "whitespace.txt": b" \n\t\r\n   \n",
        "binary-noise.txt": noise,
        "nul-bytes.txt": b"Ketamine blocks\x00 NMDA receptors.\x00\n",
        "latin-1.txt": "Caféine et kétamine : effets sur le récepteur NMDA.\n".encode("latin-1"),
        "utf-16.txt": "Ketamine blocks NMDA receptors in the cortex.\n".encode("utf-16"),
        "mixed-endings.txt": b"Title Line\r\n\r\nKetamine blocks NMDA receptors.\rPsilocybin activates 5-HT2A.\n",
        "huge-50mb.txt": (PARAGRAPH + "\n\n").encode() * (50_000_000 // (len(PARAGRAPH) + 2)),
        "one-10mb-line.txt": PARAGRAPH.encode() * (10_000_000 // len(PARAGRAPH)),
        "truncated.pdf": text_pdf[: len(text_pdf) // 2],
        "encrypted.pdf": _pdf(
            ["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [] /Count 0 >>",
             "<< /Filter /Standard /V 1 /R 2 /O <" + "00" * 32 + "> /U <" + "00" * 32 + "> /P -4 >>"],
            trailer_extra="/Encrypt 3 0 R /ID [<00112233445566778899aabbccddeeff> <00112233445566778899aabbccddeeff>] ",
        ),
        "zero-pages.pdf": _pdf(["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [] /Count 0 >>"]),
        "image-only.pdf": _pdf([
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
            "<< /Length 22 >>\nstream\n0 0 1 rg 0 0 100 100 re f\nendstream",
        ]),
        "page-tree-loop.pdf": _pdf([
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Pages /Parent 2 0 R /Kids [2 0 R] /Count 1 >>",
        ]),
        "scripts-only.html": b"<!doctype html><html><head><script>var a = 1;</script></head><body><script>alert(1)</script></body></html>",
        "deeply-nested.html": b"<!doctype html><html><body>" + b"<div>" * 20_000 + b"Ketamine." + b"</div>" * 20_000 + b"</body></html>",
        "invalid.xml": b'<?xml version="1.0"?>\n<!DOCTYPE article>\n<article><front><title>Unclosed',
        "jats-no-body.xml": (
            b'<?xml version="1.0"?>\n<!DOCTYPE article PUBLIC "-//NLM//DTD JATS (Z39.96) Journal Publishing DTD v1.2 20190208//EN" "JATS.dtd">\n'
            b"<article><front><article-meta><title-group><article-title>Ketamine and NMDA receptors</article-title>"
            b"</title-group></article-meta></front></article>\n"
        ),
        "dup/a/same-name.txt": b"Same name, first folder: ketamine.\n",
        "dup/b/same-name.txt": b"Same name, second folder: psilocybin.\n",
    } | GOOD


EXPECTED_CODE = {  # inputs whose outcome is settled: the text reader's refusals
    "empty.txt": "P101",
    "whitespace.txt": "P101",
    "binary-noise.txt": "P102",
}
EXPECTED_RECORD = ("latin-1.txt", "utf-16.txt", "mixed-endings.txt", "dup/a/same-name.txt", "dup/b/same-name.txt") + tuple(GOOD)
HUGE = ("huge-50mb.txt", "one-10mb-line.txt")


@pytest.fixture(scope="module")
def corpus_batch(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("bad-inputs")
    src, out = root / "in", root / "out"
    for name, data in _corpus().items():
        path = src / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    (src / "loop").mkdir()
    (src / "loop" / "again").symlink_to(src / "loop", target_is_directory=True)  # a folder loop
    result = convert_batch(BatchOptions((str(src),), str(out), jobs=2, timeout=10, chunk_size=1))
    records = {}
    for path in out.rglob("*.json"):
        record = json.loads(path.read_text(encoding="utf-8"))
        records[str(Path(record["source"]["path"]).relative_to(src).as_posix())] = record
    errors = {str(Path(e["path"]).relative_to(src).as_posix()): e for e in _errors(out)}
    return {"src": src, "out": out, "result": result, "records": records, "errors": errors}


def _errors(out: Path) -> list[dict]:
    report = out / ERRORS_FILE
    return [json.loads(line) for line in report.read_text(encoding="utf-8").splitlines()] if report.exists() else []


def _valid(record: dict) -> bool:
    return schema_errors(record) == [] and integrity_errors(record) == []


def test_every_input_has_exactly_one_outcome(corpus_batch: dict) -> None:
    records, errors = corpus_batch["records"], corpus_batch["errors"]
    assert set(records).isdisjoint(errors)
    assert set(records) | set(errors) == set(_corpus())  # the folder loop was not followed, nothing lost
    assert all(e["code"].startswith("P1") and e["message"] for e in errors.values()), errors  # input errors, never defects


@pytest.mark.parametrize("name", sorted(EXPECTED_CODE))
def test_refused_inputs_get_their_code(corpus_batch: dict, name: str) -> None:
    assert corpus_batch["errors"][name]["code"] == EXPECTED_CODE[name]


@pytest.mark.parametrize("name", EXPECTED_RECORD)
def test_readable_inputs_give_valid_records(corpus_batch: dict, name: str) -> None:
    assert _valid(corpus_batch["records"][name])


def test_guessed_encoding_is_flagged(corpus_batch: dict) -> None:
    record = corpus_batch["records"]["latin-1.txt"]
    assert "kétamine" in record["text"]
    assert "encoding-guessed" in {w["code"] for w in record["warnings"]}


def test_mixed_line_endings_become_newlines(corpus_batch: dict) -> None:
    text = corpus_batch["records"]["mixed-endings.txt"]["text"]
    assert "\r" not in text and text.count("\n") == 4


def test_nul_bytes_are_refused_or_flagged(corpus_batch: dict) -> None:
    if "nul-bytes.txt" in corpus_batch["errors"]:
        assert corpus_batch["errors"]["nul-bytes.txt"]["code"] == "P102"
    else:
        assert corpus_batch["records"]["nul-bytes.txt"]["warnings"]


@pytest.mark.parametrize("name", HUGE)
def test_huge_inputs_finish_or_time_out(corpus_batch: dict, name: str) -> None:
    if name in corpus_batch["errors"]:
        assert corpus_batch["errors"][name]["code"] == "P120"
    else:
        assert _valid(corpus_batch["records"][name])


@pytest.mark.parametrize("name", ["truncated.pdf", "encrypted.pdf", "zero-pages.pdf", "image-only.pdf",
                                  "page-tree-loop.pdf",
                                  "scripts-only.html", "deeply-nested.html", "invalid.xml", "jats-no-body.xml"])
def test_formats_in_progress_give_a_coded_error_or_a_record(corpus_batch: dict, name: str) -> None:
    if name in corpus_batch["errors"]:
        assert corpus_batch["errors"][name]["code"].startswith("P1")
    else:
        assert _valid(corpus_batch["records"][name])


def test_good_inputs_are_unaffected_by_their_neighbours(corpus_batch: dict) -> None:
    src, out = corpus_batch["src"], corpus_batch["out"]
    for name in GOOD:
        alone = dumps_record(convert_file(src / name, display_path=os.path.join(str(src), name)))
        assert (out / Path(name).with_suffix(".json")).read_text(encoding="utf-8") == alone


def test_duplicate_names_get_separate_records(corpus_batch: dict) -> None:
    records = corpus_batch["records"]
    assert "first folder" in records["dup/a/same-name.txt"]["text"] and "second folder" in records["dup/b/same-name.txt"]["text"]


# --- file-system trouble, simulated (the tests run as root) ---------------------------------------


def _tree(root: Path, files: dict[str, bytes]) -> Path:
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return root


def test_unreadable_file_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = _tree(tmp_path / "in", GOOD | {"locked.txt": b"Secret.\n"})
    real_read = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.name == "locked.txt":
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_read(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    result = convert_batch(BatchOptions((str(src),), str(tmp_path / "out")))
    assert [(Path(f.path).name, f.code) for f in result.failures] == [("locked.txt", "P104")]
    assert "Permission denied" in result.failures[0].message and result.converted == 2


def test_file_deleted_mid_batch_is_reported(tmp_path: Path) -> None:
    src = _tree(tmp_path / "in", GOOD | {"zz-vanishing.txt": b"Here now, gone soon.\n"})
    assert collect_jobs([str(src)])[-1].source.name == "zz-vanishing.txt"  # converted last

    def delete_on_first(path: str, status: str) -> None:
        (src / "zz-vanishing.txt").unlink(missing_ok=True)

    # chunks of one: a chunk is read as a whole before its first record (prefetch), and a file
    # read before it vanished is simply converted; here it vanishes before it is read
    result = convert_batch(BatchOptions((str(src),), str(tmp_path / "out"), chunk_size=1), on_progress=delete_on_first)
    assert [(Path(f.path).name, f.code) for f in result.failures] == [("zz-vanishing.txt", "P104")]
    assert result.converted == 2


def test_full_disk_costs_one_record_and_leaves_no_partial_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src, out = _tree(tmp_path / "in", GOOD), tmp_path / "out"
    real_fsync, calls = record_io.os.fsync, []

    def fsync(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 1:  # the first record written: the disk is full just then
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(record_io.os, "fsync", fsync)
    result = convert_batch(BatchOptions((str(src),), str(out)))
    assert [(Path(f.path).name, f.code) for f in result.failures] == [("good-1.md", "P106")]
    assert "No space left on device" in result.failures[0].message
    assert sorted(p.name for p in out.iterdir()) == ["errors.jsonl", "good-2.json", "manifest.jsonl"]  # no temp file, no half record


def test_read_only_output_folder_is_a_coded_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src, out = _tree(tmp_path / "in", GOOD), tmp_path / "out"
    out.mkdir()

    def refuse(path, content) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", str(path))

    monkeypatch.setattr(record_io, "write_text_atomic", refuse)
    cli = CliRunner().invoke(main, ["convert", str(src), "-o", str(out), "-j", "1"], catch_exceptions=False)
    assert cli.exit_code == 1
    assert cli.stderr.count("[P106]") == 3  # each record, then the reports: all said, none silent
    assert list(out.iterdir()) == []
