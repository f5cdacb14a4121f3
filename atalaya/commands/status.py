"""`atalaya status`: sites per region and kind, devices and how many answer, links down, and
the collectors' spools (runs waiting for the CMDB, read from the data directory's spool files,
so they show even while the database is unreachable)."""

from __future__ import annotations

import datetime as dt
import json
import sys
from dataclasses import asdict
from typing import Any

import click
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from atalaya.jobs.context import AppContext
from atalaya.jobs.spool import SpoolState, spool_states
from cmdb.queries import site_kind_totals, status_by_region

FORMATS = click.Choice(["table", "json"])


@click.command()
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.pass_obj
def status(app: AppContext, fmt: str) -> None:
    """Sites per region and kind, devices and how many answer, links down, spooled runs.

    Exit status 1 when the database cannot be read (the spools are still shown)."""
    spools = [_spool_dict(state) for state in spool_states(app.settings.data_path)]
    try:
        with Session(app.engine) as session:
            regions = status_by_region(session)
    except DBAPIError as error:
        reason = str(error.orig or error).splitlines()[0]
        if fmt == "json":
            click.echo(json.dumps({"database_error": reason, "spool": spools}, indent=2))
        else:
            click.echo("\n".join(_spool_lines(spools)))
        click.echo(f"database unreachable: {reason}", err=True)
        sys.exit(1)
    totals = site_kind_totals(regions)
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "regions": [asdict(r) for r in regions],
                    "site_kinds": totals,
                    "sites": sum(totals.values()),
                    "spool": spools,
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
    for line in _spool_lines(spools):
        click.echo(line)


def _spool_dict(state: SpoolState) -> dict[str, Any]:
    now = dt.datetime.now(dt.UTC)
    return {
        "poller_group": state.poller_group,
        "runs": state.runs,
        "bytes": state.bytes,
        "oldest_age_s": round(state.oldest_age_s(now), 1),
        "dropped": state.dropped,
    }


def _spool_lines(spools: list[dict[str, Any]]) -> list[str]:
    """Only spools with something to say: runs waiting, or runs lost."""
    return [
        f"spool of poller group {s['poller_group'] or '(default)'}: {s['runs']} runs waiting for "
        f"the database, oldest {s['oldest_age_s']:.0f} s old, {s['dropped']} dropped when full"
        for s in spools
        if s["runs"] or s["dropped"]
    ]
