"""The `atalaya` command group: settings once, errors a user can fix as one line and exit 2."""

from __future__ import annotations

import sys
from typing import Any

import click

from atalaya.jobs.context import AppContext
from atalaya.settings import SecretError, SettingsError
from cmdb.inventory import InventoryError


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
