"""`atalaya backup` / `atalaya restore`: the CMDB to one portable file and back."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from atalaya.jobs.context import AppContext
from cmdb.backup import BackupError
from cmdb.backup import backup as write_backup
from cmdb.backup import restore as read_backup


@click.command()
@click.argument("path", type=click.Path(dir_okay=False))
@click.pass_obj
def backup(app: AppContext, path: str) -> None:
    """Write a consistent backup of the CMDB to PATH (gzip'd JSON lines, any engine).

    The file restores into SQLite or PostgreSQL alike, so it also moves an embedded
    installation onto a shared PostgreSQL. It holds no secret: the CMDB has none.
    """
    summary = write_backup(app.engine, Path(path))
    click.echo(
        f"wrote {summary.path}: {summary.total} rows in {len(summary.rows)} tables "
        f"(schema {summary.revision})"
    )


@click.command()
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask before replacing the CMDB's content.")
@click.pass_obj
def restore(app: AppContext, path: str, yes: bool) -> None:
    """Replace the CMDB's content with the backup in PATH, in one transaction.

    The file is checked whole (format, checksum, end marker) before anything is touched:
    a truncated or corrupt file changes nothing.
    """
    if not yes and sys.stdin.isatty():
        click.confirm(f"Replace everything in the CMDB with {path}?", abort=True)
    try:
        summary = read_backup(app.engine, Path(path))
    except BackupError as exc:
        click.echo(f"atalaya: error: {exc}", err=True)
        sys.exit(2)
    click.echo(f"restored {summary.total} rows in {len(summary.rows)} tables from {path}")
