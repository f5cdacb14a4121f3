"""`atalaya status`: sites per region and kind, devices and how many answer, links down."""

from __future__ import annotations

import json
from dataclasses import asdict

import click
from sqlalchemy.orm import Session

from atalaya.jobs.context import AppContext
from cmdb.queries import site_kind_totals, status_by_region

FORMATS = click.Choice(["table", "json"])


@click.command()
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
