"""Shared test helpers: where the repository, its samples and goldens, and ../shared/data live.

Tests build documents by hand with the reader (``read_bytes(b"...", "x.md")``) rather than loading
files, so each test shows the input it is about. The fixtures here only locate things that are
outside a test's own control: the repository folders and the optional shared data.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

# The package's derived-data cache (pipeline/_cache.py) goes to a folder of this test session's own,
# never to the user's ~/.cache; subprocesses the tests start inherit it. The first lexicon load of
# the session fills it, later ones (and the CLI subprocesses) read it, so both paths run.
os.environ.setdefault("PIPELINE_CACHE_DIR", tempfile.mkdtemp(prefix="pipeline-test-cache-"))

REPO_ROOT = Path(__file__).resolve().parents[1]
SAMPLES_DIR = REPO_ROOT / "samples"
OUTPUTS_DIR = REPO_ROOT / "outputs"
PACKAGED_SCHEMA = REPO_ROOT / "pipeline" / "schemas" / "record.v1.schema.json"
PUBLISHED_SCHEMA = REPO_ROOT / "schemas" / "record.v1.schema.json"
SHARED_DATA_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture
def shared_data() -> Path:
    """The read-only ``../shared/data`` folder; tests that need it are skipped without it."""
    if not SHARED_DATA_DIR.is_dir():
        pytest.skip(f"../shared/data not found: expected at {SHARED_DATA_DIR} (a checkout with the shared folder beside it)")
    return SHARED_DATA_DIR


def convert_into(out: Path, articles: dict[str, str]) -> Path:
    """Write the articles as files and run the real converter (the CLI, one process) on them into ``out``."""
    from click.testing import CliRunner

    from pipeline.cli import main

    source = out.parent / (out.name + "-sources")
    source.mkdir(parents=True, exist_ok=True)
    for name, text in articles.items():
        (source / name).write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["convert", str(source), "-o", str(out), "-j", "1", "--quiet"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out
