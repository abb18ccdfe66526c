"""The README's CLI reference must match the commands' real --help output."""

from __future__ import annotations

from pathlib import Path
from repo_scripts import load_repo_module

REPO = Path(__file__).resolve().parents[1]


def _load_updater():
    return load_repo_module("scripts/update_readme.py")


def test_readme_cli_reference_matches_help_output():
    updater = _load_updater()
    assert (REPO / "README.md").read_text(encoding="utf-8") == updater.rendered_readme(), (
        "README.md's CLI reference is out of date: run `python scripts/update_readme.py`"
    )


def test_readme_documents_every_command():
    from pipeline.cli import main

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name, command in main.commands.items():
        assert f"`pipeline {name}`" in readme, f"README does not mention `pipeline {name}`"
        assert command.help, f"command {name} has no help text"


def test_readme_mentions_the_two_commands():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "make run" in readme and "make test" in readme
