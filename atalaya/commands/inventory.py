"""`atalaya init` and `atalaya inventory import|export`: the declared inventory in and out."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from atalaya.jobs.context import AppContext
from cmdb import db
from cmdb.inventory import Inventory, apply_inventory, read_csv, read_toml
from cmdb.inventory_export import collect_records, to_toml, write_csv


@click.command()
@click.option(
    "--inventory",
    "inventory_path",
    type=click.Path(exists=True, dir_okay=False),
    help="Also import this inventory (TOML) after creating the database.",
)
@click.pass_obj
def init(app: AppContext, inventory_path: str | None) -> None:
    """Create the database, or upgrade it to the current schema."""
    engine = app.engine
    click.echo(f"database ready at revision {db.current_revision(engine)} ({_safe_url(app)})")
    if inventory_path:
        _import(app, [Path(inventory_path)])


@click.group()
def inventory() -> None:
    """Import or export the declared inventory (TOML, or CSV for bulk edits)."""


@inventory.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.pass_obj
def inventory_import(app: AppContext, paths: tuple[str, ...]) -> None:
    """Import inventory files: a TOML inventory, or sites.csv / devices.csv / links.csv.

    All files are validated first and imported in one transaction: on any error nothing
    is written, and the message names the file, line or row, and field.
    """
    _import(app, [Path(p) for p in paths])


def _import(app: AppContext, paths: list[Path]) -> None:
    inventories: list[Inventory] = [
        read_toml(p) if p.suffix.lower() == ".toml" else read_csv(p) for p in paths
    ]
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with Session(app.engine) as session, session.begin():
        created: dict[str, int] = {}
        changes = 0
        for item in inventories:
            summary = apply_inventory(
                session, item, at=now, widest_prefix=app.settings.collect.discovery_widest_prefix
            )
            for key, count in summary.created.items():
                created[key] = created.get(key, 0) + count
            changes += summary.changes
    made = ", ".join(f"{n} {k}s" for k, n in created.items()) or "nothing new"
    click.echo(
        f"imported {', '.join(map(str, paths))}: created {made}; {changes} attribute changes"
    )


@inventory.command("export")
@click.option(
    "--format", "fmt", type=click.Choice(["toml", "csv"]), default="toml", show_default=True
)
@click.argument("destination", type=click.Path())
@click.pass_obj
def inventory_export(app: AppContext, fmt: str, destination: str) -> None:
    """Export the inventory: a TOML file, or a folder of CSV files (--format csv)."""
    with Session(app.engine) as session:
        records = collect_records(session)
    if fmt == "toml":
        Path(destination).write_text(to_toml(records), encoding="utf-8")
        click.echo(f"wrote {destination}")
    else:
        for path in write_csv(records, Path(destination)):
            click.echo(f"wrote {path}")


def _safe_url(app: AppContext) -> str:
    """The database URL without its password: it is printed."""
    return make_url(app.settings.database_url).render_as_string(hide_password=True)
