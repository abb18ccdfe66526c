"""Command-line interface: parse options, call one library function, report.

Nothing below this module imports click. Domain errors become ``click.ClickException`` with their
coded message; exit codes follow the library's result.
"""

from __future__ import annotations

import json
import sys

import click

from . import __version__
from .batch import BatchOptions, convert_batch
from .errors import PipelineError
from .record.schema import packaged_schema_text


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pipeline")
def main() -> None:
    """Turn biomedical and pharmacology articles into validated summary records."""


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path())
@click.option("-o", "--output", "output_dir", required=True, type=click.Path(file_okay=False), help="Folder to write one <name>.json record per input into.")
@click.option("--fail-on-error", is_flag=True, help="Exit 1 if any input failed (default: only if none could be converted).")
@click.option("-q", "--quiet", is_flag=True, help="Print only the final summary and errors.")
def convert(inputs: tuple[str, ...], output_dir: str, fail_on_error: bool, quiet: bool) -> None:
    """Convert text and Markdown articles (files or folders) into records in OUTPUT.

    Failures are listed in OUTPUT/errors.jsonl and do not stop the batch.
    """

    def progress(path: str, status: str) -> None:
        if not quiet or status.startswith("failed"):
            click.echo(f"{path}: {status}", err=status.startswith("failed"))

    try:
        result = convert_batch(BatchOptions(tuple(inputs), output_dir), on_progress=progress)
    except PipelineError as exc:
        raise click.ClickException(str(exc)) from None
    total = result.converted + len(result.failures)
    click.echo(
        f"{total} input(s): {len(result.written)} written, {len(result.unchanged)} unchanged, {len(result.failures)} failed",
        err=False,
    )
    if result.has_defects or (total and result.converted == 0) or (fail_on_error and result.failures):
        sys.exit(1)


@main.command()
def schema() -> None:
    """Print the record JSON Schema (Draft 2020-12) to standard output."""
    click.echo(packaged_schema_text(), nl=False)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--format", "output_format", type=click.Choice(["text", "json", "github"]), default="text", show_default=True, help="Report format: text lines, one JSON document, or GitHub Actions annotations.")
@click.option("--schema", "schema_path", type=click.Path(dir_okay=False), default=None, help="Validate against this schema file instead of the packaged one.")
def validate(paths: tuple[str, ...], output_format: str, schema_path: str | None) -> None:
    """Check records (.json, .jsonl, or folders of them) against the schema and their own integrity.

    Prints one line per error, FILE[:LINE]: /json/pointer: message, then a summary. Folders are
    searched recursively for *.json and *.jsonl, skipping hidden files, *.review.json, errors.jsonl
    and manifest.jsonl; files named explicitly are always checked.

    \b
    Exit codes:
      0  every record is valid
      1  a record is invalid: schema violation, broken span or reference, or not JSON
      2  usage, I/O or schema error: missing or unreadable path, folder without records,
         unusable --schema
    """
    from .validate import ValidateOptions, run_validate

    report, exit_code = run_validate(ValidateOptions(tuple(paths), output_format, schema_path))
    if report:
        click.echo(report, nl=not report.endswith("\n"))
    sys.exit(exit_code)


from .cli_review import review  # noqa: E402  (the editors' commands live in their own module)

main.add_command(review)

if __name__ == "__main__":  # pragma: no cover
    main()
