"""``pipeline review ...`` commands: the editors' side of the CLI (a thin layer, like cli.py)."""

from __future__ import annotations

import click


@click.group()
def review() -> None:
    """Review extracted drafts: status, diff, approve, and a local review page."""
