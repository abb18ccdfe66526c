"""Regenerate the parts of README.md that are derived from the code: the CLI reference.

The block between ``<!-- cli-reference:start -->`` and ``<!-- cli-reference:end -->`` is the
``--help`` output of every command. tests/test_readme.py fails when it is out of date; run
``python scripts/update_readme.py`` (or ``make readme``) to refresh it.
"""

from __future__ import annotations

import sys
from pathlib import Path

from click.testing import CliRunner

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
START, END = "<!-- cli-reference:start -->", "<!-- cli-reference:end -->"


def cli_reference() -> str:
    from pipeline.cli import main

    runner = CliRunner()
    parts = []
    commands = [[]] + [[name] for name in sorted(main.commands)]
    for args in commands:
        result = runner.invoke(main, [*args, "--help"], prog_name="pipeline", terminal_width=100)
        title = " ".join(["pipeline", *args])
        parts.append(f"### `{title}`\n\n```text\n{result.output.rstrip()}\n```")
    return "\n\n".join(parts)


def rendered_readme() -> str:
    text = README.read_text(encoding="utf-8")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{cli_reference()}\n{END}{tail}"


if __name__ == "__main__":
    new = rendered_readme()
    if README.read_text(encoding="utf-8") != new:
        README.write_text(new, encoding="utf-8")
        print("README.md: CLI reference updated")
    else:
        print("README.md: CLI reference already up to date")
    sys.exit(0)
