"""``pipeline review ...`` commands: the editors' side of the CLI (a thin layer, like cli.py).

Each command calls one function of :mod:`pipeline.review`; decisions files are written only
through that package, which validates them and rebuilds the reviewed record with every save.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .errors import PipelineError

_EDITOR_HELP = "Who is deciding (default: $PIPELINE_EDITOR, else your login name)."


@click.group()
def review() -> None:
    """Review extracted drafts: status, diff, approve, and a local review page.

    Decisions go to <name>.review.json beside each record and are applied to every later
    conversion; the result is <name>.reviewed.json. See docs/review.md.
    """


def _record_path(file: str) -> Path:
    """Accept the draft, its decisions file or its reviewed record; return the draft's path."""
    path = Path(file)
    for suffix in (".review.json", ".reviewed.json"):
        if path.name.endswith(suffix):
            return path.with_name(path.name[: -len(suffix)] + ".json")
    return path


@review.command()
@click.argument("directory", type=click.Path(file_okay=False, exists=True))
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True, help="A table for people or one JSON document for tools.")
def status(directory: str, output_format: str) -> None:
    """Review status of every record in DIRECTORY, in the order to take them.

    Conflicts first, then records in review, drafts, approved and rejected ones; within each, the
    lowest machine confidence first. Exit 1 if any record has conflicts or cannot be read.
    """
    from .review import scan

    try:
        rows = scan(directory)
    except (PipelineError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    if output_format == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2, sort_keys=True))
    else:
        for row in rows:
            if row["status"] == "error":
                click.echo(f"error      {row['record']}: {row['error']}")
                continue
            c = row["counts"]
            low = f"{row['min_score']:.2f}" if row["min_score"] is not None else "-"
            click.echo(
                f"{row['status']:<10} {row['record']}: {c['conflicts']} conflict(s), {c['pending']} pending, "
                f"{c['accepted']} accepted, {c['rejected']} rejected, {c['edited']} edited, {c['added']} added; lowest confidence {low}"
            )
        totals: dict[str, int] = {}
        for row in rows:
            totals[row["status"]] = totals.get(row["status"], 0) + 1
        click.echo(f"{len(rows)} record(s): " + (", ".join(f"{n} {s}" for s, n in sorted(totals.items())) or "none"))
    if any(row["status"] == "error" or (row["counts"] or {}).get("conflicts") for row in rows):
        sys.exit(1)


@review.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True, help="Lines for people or one JSON document for tools.")
def diff(file: str, output_format: str) -> None:
    """Machine -> human changes to one record (FILE: the record or its .review.json).

    \b
    One line per effective decision:
      !  conflict (the decision no longer fits this extraction)
      -  rejected    ~  edited    +  added    =  accepted
    Exit 1 if any decision is in conflict.
    """
    from .review import build_reviewed, format_change, load_decisions, load_draft, review_changes

    path = _record_path(file)
    try:
        draft = load_draft(path)
        decisions = load_decisions(path, draft)
        changes = review_changes(build_reviewed(draft, decisions), decisions)
    except PipelineError as exc:
        raise click.ClickException(str(exc)) from None
    if output_format == "json":
        click.echo(json.dumps(changes, ensure_ascii=False, indent=2, sort_keys=True))
    else:
        for change in changes:
            click.echo(format_change(change))
        if not changes:
            click.echo("no decisions: the record is the machine's draft")
    if any(c["change"] == "conflict" for c in changes):
        sys.exit(1)


@review.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--editor", default=None, help=_EDITOR_HELP)
@click.option("--note", default=None, help="A note kept with the decision.")
@click.option("--accept-pending", is_flag=True, help="Accept the pending low-confidence items first (one decision each).")
@click.option("--reject", "reject_record", is_flag=True, help="Reject the record instead of approving it.")
def approve(file: str, editor: str | None, note: str | None, accept_pending: bool, reject_record: bool) -> None:
    """Approve (or --reject) a record (FILE: the record or its .review.json).

    Refused, with nothing written, while items are pending or decisions are in conflict.
    """
    from .review import approve as approve_record
    from .review import default_editor

    path = _record_path(file)
    try:
        result = approve_record(path, by=default_editor(editor), note=note, accept_pending=accept_pending, reject=reject_record)
    except PipelineError as exc:
        raise click.ClickException(str(exc)) from None
    review_block = result["reviewed"]["review"]
    click.echo(f"{path.name}: {review_block['status']} ({review_block['counts']['accepted']} accepted, {review_block['counts']['rejected']} rejected, {review_block['counts']['edited']} edited, {review_block['counts']['added']} added)")


@review.command()
@click.argument("directory", type=click.Path(file_okay=False, exists=True))
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind; keep the default unless you know why.")
@click.option("--port", type=click.IntRange(0, 65535), default=0, show_default=True, help="Port to listen on; 0 picks a free one.")
@click.option("--editor", default=None, help=_EDITOR_HELP)
@click.option("--open/--no-open", "open_browser", default=False, show_default=True, help="Open the page in your web browser.")
def serve(directory: str, host: str, port: int, editor: str | None, open_browser: bool) -> None:
    """Serve the review page for the records in DIRECTORY (prints the URL; Ctrl-C stops).

    Only files inside DIRECTORY are read or written. Saving writes <name>.review.json and
    rebuilds <name>.reviewed.json; a save is refused if the draft changed since the page loaded it.
    """
    from .review import default_editor
    from .review.server import serve as serve_directory

    try:
        serve_directory(directory, host=host, port=port, editor=default_editor(editor), open_browser=open_browser)
    except PipelineError as exc:
        raise click.ClickException(str(exc)) from None
    except KeyboardInterrupt:
        click.echo("stopped", err=True)
