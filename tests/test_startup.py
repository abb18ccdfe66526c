"""What keeps a process's start-up short: spaCy without its CLI, and the lexicon from the cache.

Speed itself is measured in bench/ (never timed here); these tests check that each short cut
changes nothing else: spaCy's CLI still works when asked for, and the cached lexicon holds exactly
the tables the artefact parses to, with a damaged, missing or unwritable cache costing only time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from pipeline import _cache
from pipeline.stages import _lexicon as X


def _python(code: str, **env: str) -> str:
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ, **env}, timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_import_spacy_leaves_the_cli_out_but_importable() -> None:
    out = _python(
        "import json, sys\n"
        "from pipeline._spacy import import_spacy\n"
        "spacy = import_spacy()\n"
        "heavy = sorted(m for m in ('typer', 'weasel', 'requests', 'httpx', 'jinja2', 'spacy.cli') if m in sys.modules)\n"
        "stand_in_left = hasattr(spacy, 'cli')\n"
        "nlp = spacy.blank('en')\n"
        "words = [t.text for t in nlp('Ketamine blocks NMDA receptors.')]\n"
        "import spacy.cli\n"
        "real = hasattr(spacy.cli, 'setup_cli') and sys.modules['spacy.cli'] is spacy.cli\n"
        "info = spacy.info(silent=True)\n"
        "print(json.dumps({'heavy': heavy, 'stand_in_left': stand_in_left, 'words': words, 'real': real,\n"
        "                  'info': sorted(info)[:3], 'same': import_spacy() is spacy}))\n"
    )
    found = json.loads(out)
    assert found["heavy"] == []  # nothing of the CLI was imported by import_spacy
    assert found["stand_in_left"] is False
    assert found["words"] == ["Ketamine", "blocks", "NMDA", "receptors", "."]
    assert found["real"] is True  # a later `import spacy.cli` gets the real CLI
    assert found["info"]  # spacy.info() reaches the real implementation
    assert found["same"] is True


def test_spacys_registries_find_the_same_entry_points_once_grouped() -> None:
    # import_spacy indexes the entry points by group for catalogue (speed): every group must list
    # exactly the entry points importlib.metadata selects for it, and the registries still resolve
    out = _python(
        "import json, importlib.metadata as md\n"
        "from pipeline._spacy import import_spacy\n"
        "spacy = import_spacy()\n"
        "import catalogue\n"
        "grouped = catalogue.AVAILABLE_ENTRY_POINTS\n"
        "everything = md.entry_points()\n"
        "same = all(sorted(map(str, grouped.get(g, []))) == sorted(map(str, everything.select(group=g))) for g in everything.groups)\n"
        "found = spacy.registry.architectures.get('spacy-legacy.TransitionBasedParser.v1') is not None  # an entry point\n"
        "print(json.dumps({'dict': isinstance(grouped, dict), 'groups': len(grouped), 'same': same, 'found': found}))\n"
    )
    found = json.loads(out)
    assert found == {"dict": True, "groups": found["groups"], "same": True, "found": True}
    assert found["groups"] > 3


def test_import_spacy_returns_an_already_imported_spacy_untouched() -> None:
    out = _python(
        "import sys, spacy\n"
        "from pipeline._spacy import import_spacy\n"
        "print(import_spacy() is spacy, 'spacy.cli' in sys.modules)\n"
    )
    assert out.split() == ["True", "True"]


def _tables(lexicon: X.Lexicon) -> tuple:
    return (lexicon._concept_rows, lexicon.entries, lexicon._longest, lexicon.header,
            {mode: lexicon._pairs_of(mode) for mode in X.MODES})


@pytest.fixture
def own_cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv(_cache.ENV_VAR, str(folder))
    return folder


def _load() -> X.Lexicon:
    return X.load_lexicon.__wrapped__(X.LEXICON_PATH)  # past the per-process lru_cache


def test_the_cached_lexicon_equals_the_parsed_one(own_cache) -> None:
    parsed = _load()  # no entry yet: parses the artefact and writes the entry
    entries = list(own_cache.iterdir())
    assert len(entries) == 1 and entries[0].name.startswith("lexicon-") and entries[0].stat().st_size > 1_000_000
    cached = _load()
    assert cached._pairs  # came from the entry (a parsed lexicon builds its pair sets on first use)
    assert _tables(cached) == _tables(parsed)
    text = "Ketamine, an NMDA receptor antagonist, activates mTOR signalling and BDNF-TrkB in the prefrontal cortex."
    assert [(h.start, h.end, h.concept, h.mode) for h in cached.find(text)] == [(h.start, h.end, h.concept, h.mode) for h in parsed.find(text)]


def test_a_damaged_entry_is_parsed_again_and_replaced(own_cache) -> None:
    parsed = _load()
    (entry,) = own_cache.iterdir()
    for damage in (b"", b"not marshal data", entry.read_bytes()[: entry.stat().st_size // 2], b"\xe9\x03\x00\x00\x00"):
        entry.write_bytes(damage)
        assert _tables(_load()) == _tables(parsed)
        assert entry.read_bytes() != damage  # rewritten whole
    assert [p.name for p in own_cache.iterdir()] == [entry.name]  # no temporary files left


def test_caching_can_be_turned_off(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv(_cache.ENV_VAR, "")
    assert _cache.cache_dir() is None
    assert _cache.write_entry("x.bin", b"data") is False
    assert _cache.read_entry("x.bin") is None
    assert len(_load()) > 200_000


def test_an_unwritable_cache_folder_costs_only_time(tmp_path, monkeypatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(_cache.ENV_VAR, str(blocker / "cache"))
    assert _cache.write_entry("x.bin", b"data") is False
    assert len(_load()) > 200_000


def test_cache_location_follows_the_environment(monkeypatch, tmp_path) -> None:
    monkeypatch.delenv(_cache.ENV_VAR, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert _cache.cache_dir() == tmp_path / "pipeline"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert _cache.cache_dir() == _cache.Path.home() / ".cache" / "pipeline"
    monkeypatch.setenv(_cache.ENV_VAR, "off")
    assert _cache.cache_dir() is None


def test_entry_names_change_with_source_and_format() -> None:
    a = _cache.entry_name("lexicon", "ab" * 32, 1)
    assert a != _cache.entry_name("lexicon", "cd" * 32, 1)
    assert a != _cache.entry_name("lexicon", "ab" * 32, 2)
    assert f"py{sys.version_info[0]}{sys.version_info[1]}" in a
