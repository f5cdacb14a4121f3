"""`atalaya advisories import PATH...`: store advisory files (CSAF 2.0, NVD CVE JSON 2.0, OSV).

Exit status: 0 when every file imported (or was already there), 2 when any file was bad; the
bad files are named with the JSON path and what was expected, the good ones import anyway.
"""

from __future__ import annotations

import json
import sys

import click
from sqlalchemy.orm import Session
from tqdm import tqdm

from atalaya.jobs.advisories import ImportSummary, advisory_files, import_advisories
from atalaya.jobs.context import AppContext

# below this many files a bar only flickers
BAR_FROM = 20


@click.group()
def advisories() -> None:
    """Known-vulnerability advisories, imported from files (offline feeds)."""


@advisories.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.pass_context
def import_command(ctx: click.Context, paths: tuple[str, ...], fmt: str) -> None:
    """Import advisory files or folders of them (*.json): CSAF 2.0 documents, NVD CVE JSON 2.0
    records or API pages, OSV records. Re-importing the same content changes nothing; a newer
    revision replaces the stored one (recorded in the change trail)."""
    app: AppContext = ctx.obj
    total = len(advisory_files(paths))
    quiet = fmt == "json" or total < BAR_FROM or not sys.stderr.isatty()
    with tqdm(total=total, unit="file", file=sys.stderr, disable=quiet) as bar:

        def progress(done: int, _total: int) -> None:
            bar.update(done - bar.n)

        with Session(app.engine) as session, session.begin():
            summary = import_advisories(session, paths, progress=progress)
    if fmt == "json":
        click.echo(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2))
    else:
        _print(summary)
    if summary.errors:
        ctx.exit(2)


def _print(summary: ImportSummary) -> None:
    for error in summary.errors:
        click.echo(f"error: {error}", err=True)
    counts = summary.outcomes
    click.echo(
        f"{summary.files} files, {len(summary.errors)} bad: {counts['added']} advisories added, "
        f"{counts['updated']} updated, {counts['unchanged']} unchanged, "
        f"{counts['older']} older than the stored revision (kept the stored one)"
    )
