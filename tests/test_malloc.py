"""The converting processes fix glibc's mmap threshold (pipeline/_malloc.py)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from pipeline import _malloc


def _glibc() -> bool:
    try:
        return bool(os.confstr("CS_GNU_LIBC_VERSION"))
    except (ValueError, OSError, AttributeError):
        return False


def test_steady_heap_reports_whether_it_could_set_the_threshold():
    # in a child process: the test process keeps its allocator as it was
    code = "from pipeline._malloc import steady_heap; print(steady_heap(), steady_heap())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == (["True", "True"] if _glibc() else ["False", "False"])


def test_nothing_is_set_outside_glibc(monkeypatch):
    def no_glibc(name):
        raise ValueError(name)

    monkeypatch.setattr(_malloc.os, "confstr", no_glibc)
    assert _malloc.steady_heap() is False


@pytest.mark.skipif(not _glibc(), reason="glibc only: the mmap threshold is a glibc malloc setting")
def test_large_blocks_come_from_mmap_after_steady_heap():
    # with the threshold fixed, a freed 8 MiB block is returned to the system at once: resident
    # memory falls back after the free (with glibc's dynamic threshold, the second block would be
    # served from the heap and kept)
    code = (
        "import re\n"
        "from pipeline._malloc import steady_heap\n"
        "def rss(): return int(re.search(r'VmRSS:\\s+(\\d+)', open('/proc/self/status').read()).group(1))\n"
        "steady_heap()\n"
        "for _ in range(3):\n"
        "    block = bytearray(8 * 1024 * 1024); del block\n"
        "before = rss(); block = bytearray(8 * 1024 * 1024); during = rss(); del block; after = rss()\n"
        "print(during - before > 6000, after - before < 2000)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["True", "True"]


def test_batch_fixes_the_threshold_only_for_long_documents(tmp_path, monkeypatch):
    from pipeline import _batch_work as W

    calls = []
    monkeypatch.setattr(W, "steady_heap", lambda: calls.append(True) or True)
    short, long = tmp_path / "short.txt", tmp_path / "long.txt"
    short.write_text("Ketamine blocks NMDA receptors.\n", encoding="utf-8")
    long.write_text("Ketamine blocks NMDA receptors.\n" * 20, encoding="utf-8")
    monkeypatch.setattr(W, "LONG_DOCUMENT_CHARS", 300)
    assert W.convert_task(W.Task(0, str(short), "short.txt", "json")).failure is None
    assert calls == []
    assert W.convert_task(W.Task(1, str(long), "long.txt", "json")).failure is None
    assert calls == [True]
