"""The batch manifest: what each output was made from, so unchanged inputs are skipped next time.

``<output>/manifest.jsonl`` has one line per successfully converted input, sorted by output name,
keys sorted, no timestamps: the same batch gives the same bytes, and a diff shows what changed.
An input is skipped when its entry has the same input SHA-256, the same pipeline fingerprint and
output format, and the output it wrote is still there with the bytes recorded (``record_sha256``),
so a deleted or hand-edited record is rebuilt. Failed inputs have no entry: they are retried.

The fingerprint covers everything that can change a record besides the input: the package
version, the record schema version, the packaged data files (lexicon, schemas) and the package's
own source code (a development install changes code without changing the version), plus the
spaCy version. Any change redoes the whole batch, which is what correctness asks for.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from .record import io as record_io

MANIFEST_FILE = "manifest.jsonl"
_PACKAGE_ROOT = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Entry:
    output: str  # output name relative to the output folder (unique per batch)
    path: str  # the input as shown in the record
    input_sha256: str
    record_sha256: str
    record_id: str
    fingerprint: str
    format: str

    def to_dict(self) -> dict:
        return {
            "fingerprint": self.fingerprint,
            "format": self.format,
            "input_sha256": self.input_sha256,
            "output": self.output,
            "path": self.path,
            "record_id": self.record_id,
            "record_sha256": self.record_sha256,
        }


@lru_cache(maxsize=1)
def pipeline_fingerprint() -> str:
    """``fp-`` + 16 hex digits over everything besides the input that shapes a record."""
    from . import __version__
    from .record.assemble import SCHEMA_VERSION

    digest = hashlib.sha256()
    parts = {"package": __version__, "schema": SCHEMA_VERSION, "spacy": _version_of("spacy")}
    digest.update(json.dumps(parts, sort_keys=True).encode())
    for path in sorted(_fingerprinted_files()):
        digest.update(path.relative_to(_PACKAGE_ROOT).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return "fp-" + digest.hexdigest()[:16]


def _fingerprinted_files() -> list[Path]:
    files = [p for p in _PACKAGE_ROOT.rglob("*.py") if "__pycache__" not in p.parts]
    for folder in ("data", "schemas"):
        files += [p for p in (_PACKAGE_ROOT / folder).rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    return files


def _version_of(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "absent"


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def load_manifest(path: Path) -> dict[str, Entry]:
    """Entries by output name; a missing or damaged manifest only means more work, never an error."""
    entries: dict[str, Entry] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return entries
    for line in lines:
        try:
            raw = json.loads(line)
            entry = Entry(**{name: str(raw[name]) for name in Entry.__dataclass_fields__})
        except (ValueError, KeyError, TypeError):
            continue  # a damaged line: that input is simply converted again
        entries[entry.output] = entry
    return entries


def manifest_text(entries: dict[str, Entry]) -> str:
    return "".join(record_io.dumps_record(entries[name].to_dict(), indent=None) for name in sorted(entries))


def write_manifest(path: Path, entries: dict[str, Entry]) -> None:
    content = manifest_text(entries)
    if path.is_file() and path.read_bytes() == content.encode("utf-8"):
        return
    record_io.write_text_atomic(path, content)
