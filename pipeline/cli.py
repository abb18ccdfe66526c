"""Command-line interface: parse options, call one library function, report.

Nothing below this module imports click. Domain errors become ``click.ClickException`` with their
coded message; exit codes follow the library's result.
"""

from __future__ import annotations

import os
import sys

import click

from . import __version__
from .errors import PipelineError

# Heavy modules (spaCy, jsonschema, the stages) are imported inside the commands that need them,
# so `pipeline --help` and `pipeline validate --help` start fast.


def _all_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pipeline")
def main() -> None:
    """Turn biomedical and pharmacology articles into validated summary records."""


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path())
@click.option("-o", "--output", "output_dir", required=True, type=click.Path(file_okay=False), help="Folder to write one <name>.json record per input into.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, metavar="N", help="Worker processes (default: all cores). -j 1 converts in this process unless --timeout is set.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=None, metavar="SECONDS", help="Stop converting a document after this long; it is recorded as P120 and the batch goes on.")
@click.option("--format", "output_format", type=click.Choice(["json", "jsonl"]), default="json", show_default=True, help="One pretty JSON file per input, or one records.jsonl ordered by record ID.")
@click.option("--force", is_flag=True, help="Convert every input, even those the manifest says are up to date.")
@click.option("--dry-run", is_flag=True, help="Say what would be converted or skipped; write nothing.")
@click.option("--executor", type=click.Choice(["local", "dask"]), default="local", show_default=True, help="Where documents are converted: local processes, or a Dask cluster (pip install 'pipeline[dask]').")
@click.option("--scheduler", default=None, metavar="ADDRESS", help="Dask scheduler to use (tcp://host:port); implies --executor dask. Default: start a LocalCluster.")
@click.option("--shard", default=None, metavar="I/N", help="Convert only share I of N (deterministic split by output name); merge with `pipeline merge-manifests`.")
@click.option("--fail-on-error", is_flag=True, help="Exit 1 if any input failed (default: only if none could be converted).")
@click.option("-q", "--quiet", is_flag=True, help="Print only the final summary and errors.")
@click.option("-v", "--verbose", is_flag=True, help="Print one line per input.")
def convert(
    inputs: tuple[str, ...],
    output_dir: str,
    jobs: int | None,
    timeout: float | None,
    output_format: str,
    force: bool,
    dry_run: bool,
    executor: str,
    scheduler: str | None,
    shard: str | None,
    fail_on_error: bool,
    quiet: bool,
    verbose: bool,
) -> None:
    """Convert articles (files or folders) into records in OUTPUT, in parallel and incrementally.

    Inputs whose content and pipeline are unchanged since the last run (OUTPUT/manifest.jsonl)
    are skipped. Failures are listed in OUTPUT/errors.jsonl and do not stop the batch. Ctrl-C
    stops cleanly; running the same command again resumes.
    """
    from ._batch_progress import BatchReporter
    from .batch import BatchOptions, convert_batch, parse_shard

    reporter = BatchReporter(quiet=quiet, verbose=verbose)
    try:
        options = BatchOptions(
            tuple(inputs),
            output_dir,
            jobs=jobs or _all_cores(),
            timeout=timeout,
            force=force,
            dry_run=dry_run,
            output_format=output_format,
            executor="dask" if scheduler else executor,
            scheduler=scheduler,
            shard=parse_shard(shard) if shard else None,
        )
        result = convert_batch(options, on_progress=reporter.on_progress, on_plan=reporter.on_plan)
    except PipelineError as exc:
        raise click.ClickException(str(exc)) from None
    except KeyboardInterrupt:
        reporter.close()
        click.echo(f"interrupted after {reporter.done} document(s); finished records and the manifest are saved: run the same command again to resume", err=True)
        sys.exit(130)
    finally:
        reporter.close()
    if dry_run:
        reporter.dry_run(result)
        return
    reporter.summary(result)
    total = result.converted + len(result.failures)
    if result.has_defects or (total and result.converted == 0) or (fail_on_error and result.failures):
        sys.exit(1)


@main.command("merge-manifests")
@click.argument("output_dir", type=click.Path(file_okay=False, exists=True))
def merge_manifests(output_dir: str) -> None:
    """Merge the reports of `convert --shard I/N` runs in OUTPUT_DIR into one manifest and error report."""
    from .batch import merge_shard_reports

    try:
        entries, failures = merge_shard_reports(output_dir)
    except PipelineError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"merged: {entries} manifest entries, {failures} failure(s)")


@main.command()
@click.argument("name", type=click.Choice(["record", "decisions"]), default="record")
def schema(name: str) -> None:
    """Print a JSON Schema (Draft 2020-12): the record's (default) or an editor's decisions file's."""
    if name == "decisions":
        from .review import decisions_schema_text

        click.echo(decisions_schema_text(), nl=False)
        return
    from .record.schema import packaged_schema_text

    click.echo(packaged_schema_text(), nl=False)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--format", "output_format", type=click.Choice(["text", "json", "github"]), default="text", show_default=True, help="Report format: text lines, one JSON document, or GitHub Actions annotations.")
@click.option("--schema", "schema_path", type=click.Path(dir_okay=False), default=None, help="Validate against this schema file instead of the packaged one.")
def validate(paths: tuple[str, ...], output_format: str, schema_path: str | None) -> None:
    """Check records (.json, .jsonl, or folders of them) against the schema and their own integrity.

    Prints one line per error, FILE[:LINE]: /json/pointer: message, then a summary. Folders are
    searched recursively for *.json and *.jsonl, skipping hidden files, errors.jsonl and
    manifest.jsonl; files named explicitly are always checked. Editors' decisions files
    (*.review.json) are checked against the decisions schema (`pipeline schema decisions`).

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
