"""`atalaya`: the command line. Wiring only: the work is done in cmdb, collectors, compliance…"""

from __future__ import annotations

import datetime as dt
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click
from sqlalchemy.orm import Session

from atalaya.context import AppContext
from atalaya.settings import SecretError, SettingsError
from cmdb import db
from cmdb.inventory import Inventory, InventoryError, apply_inventory, read_csv, read_toml
from cmdb.inventory_export import collect_records, to_toml, write_csv
from cmdb.queries import site_kind_totals, status_by_region

FORMATS = click.Choice(["table", "json"])


class AtalayaGroup(click.Group):
    """Turns the errors a user can fix into one clear line and exit status 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (SettingsError, InventoryError, SecretError) as exc:
            click.echo(f"atalaya: error: {exc}", err=True)
            sys.exit(2)


@click.group(cls=AtalayaGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    envvar="ATALAYA_CONFIG",
    help="Settings file (TOML). Default: built-in settings, data under ./var/.",
)
@click.version_option(package_name="atalaya")
@click.pass_context
def main(ctx: click.Context, config_path: str | None) -> None:
    """Atalaya watches a national network of sites: it keeps the inventory (CMDB) of
    switches, servers and VPN links current, and says per device, site, region and
    ISO/IEC 27001 control what complies, what does not, and why.

    \b
    First steps:
      atalaya init --inventory examples/inventory.toml   create the database, load sites
      atalaya status                                      sites and devices per region
      atalaya lab up                                      start the simulated network
      atalaya collect                                     poll every device once
      atalaya evaluate                                    score against the policies
      atalaya serve                                       web, API and /metrics on 127.0.0.1

    Every setting can be overridden with ATALAYA_<SECTION>_<KEY>, e.g.
    ATALAYA_DATABASE_URL=postgresql://atalaya@localhost/atalaya.
    """
    ctx.obj = AppContext(config_path)


@main.command()
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


@main.group()
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
            summary = apply_inventory(session, item, at=now)
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


@main.command()
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.pass_obj
def status(app: AppContext, fmt: str) -> None:
    """Sites per region and kind, devices and how many answer, links down."""
    with Session(app.engine) as session:
        regions = status_by_region(session)
    totals = site_kind_totals(regions)
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "regions": [asdict(r) for r in regions],
                    "site_kinds": totals,
                    "sites": sum(totals.values()),
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    header = (
        f"{'region':<28} {'HQ':>3} {'DC':>3} {'RO':>3} {'EP':>4} "
        f"{'devices':>8} {'up':>6} {'down':>5} {'links down':>10}"
    )
    click.echo(header)
    click.echo("-" * len(header))
    for r in regions:
        s = r.sites
        click.echo(
            f"{r.code + ' ' + r.name:<28.28} {s.get('headquarters', 0):>3} "
            f"{s.get('data_centre', 0):>3} "
            f"{s.get('regional_office', 0):>3} {s.get('establishment', 0):>4} {r.devices:>8} "
            f"{r.devices_reachable:>6} {r.devices_unreachable:>5} {r.links_down:>10}"
        )
    click.echo("-" * len(header))
    click.echo(
        f"{len(regions)} regions, {sum(totals.values())} sites "
        f"({', '.join(f'{n} {k}' for k, n in totals.items())}), "
        f"{sum(r.devices for r in regions)} devices"
    )


def _safe_url(app: AppContext) -> str:
    """The database URL without its password: it is printed."""
    from sqlalchemy.engine import make_url

    return make_url(app.settings.database_url).render_as_string(hide_password=True)


# Each area registers its commands here (one import and one add_command per area).
from collectors.cli import collect  # noqa: E402

main.add_command(collect)

from compliance.cli import evaluate, report  # noqa: E402

main.add_command(evaluate)
main.add_command(report)

from lab.cli import lab as lab_group  # noqa: E402

main.add_command(lab_group)
from atalaya.backup_cli import backup, restore  # noqa: E402

main.add_command(backup)
main.add_command(restore)

from web.cli import serve, user  # noqa: E402

main.add_command(serve)
main.add_command(user)
