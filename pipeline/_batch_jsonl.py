"""``records.jsonl`` for a batch of any size: records are spooled to disk, memory holds offsets.

A batch in ``--format jsonl`` writes one file ordered by record ID (ties broken by source path),
whatever order the workers finish in. Holding every record in memory until the end would not scale
to a night's run, so each new line goes to an anonymous spool file in the output folder, lines kept
from the previous ``records.jsonl`` (inputs skipped as up to date) are read back from that file by
offset, and only ``(record id, path, where, offset, length)`` stays in memory. The final file is
written to a temporary name, fsynced and renamed, and left alone when its bytes did not change.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


class JsonlAssembler:
    def __init__(self, target: Path) -> None:
        self.target = target
        self._old: dict[str, tuple[int, int]] = {}  # line SHA-256 -> (offset, length) in target
        self._items: list[tuple[str, str, str, int, int]] = []
        self._spool = None
        if target.is_file():
            offset = 0
            with target.open("rb") as handle:
                for line in handle:
                    self._old[hashlib.sha256(line).hexdigest()] = (offset, len(line))
                    offset += len(line)

    def has_line(self, sha256: str) -> bool:
        return sha256 in self._old

    def keep(self, record_id: str, path: str, sha256: str) -> None:
        """Keep a line of the previous file (its input was skipped as up to date)."""
        offset, length = self._old[sha256]
        self._items.append((record_id, path, "old", offset, length))

    def add(self, record_id: str, path: str, line: str) -> None:
        if self._spool is None:
            self._spool = tempfile.TemporaryFile(dir=self.target.parent, prefix=".records-spool.")
        data = line.encode("utf-8")
        self._spool.seek(0, os.SEEK_END)
        self._items.append((record_id, path, "new", self._spool.tell(), len(data)))
        self._spool.write(data)

    def write(self) -> None:
        """Write the sorted file atomically; keep the old one if the bytes are the same."""
        fd, tmp_name = tempfile.mkstemp(prefix=f".{self.target.name}.", suffix=".tmp", dir=self.target.parent)
        try:
            mask = os.umask(0)
            os.umask(mask)
            os.fchmod(fd, 0o666 & ~mask)
            digest = hashlib.sha256()
            with os.fdopen(fd, "wb") as out, _open_or_none(self.target) as old:
                for _, _, where, offset, length in sorted(self._items):
                    source = old if where == "old" else self._spool
                    source.seek(offset)
                    data = source.read(length)
                    digest.update(data)
                    out.write(data)
                out.flush()
                os.fsync(out.fileno())
            if self.target.is_file() and _sha256_of(self.target) == digest.hexdigest():
                os.unlink(tmp_name)
            else:
                os.replace(tmp_name, self.target)
        except BaseException:
            if os.path.exists(tmp_name):
                os.unlink(tmp_name)
            raise
        finally:
            if self._spool is not None:
                self._spool.close()
                self._spool = None


class _Nothing:
    def __enter__(self):
        return None

    def __exit__(self, *exc_info) -> None:
        return None


def _open_or_none(path: Path):
    return path.open("rb") if path.is_file() else _Nothing()


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
