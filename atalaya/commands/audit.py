"""`atalaya audit --since DATE`: the audit log of user actions, as a table or JSON."""

from __future__ import annotations

import datetime as dt
import json

import click
from sqlalchemy.orm import Session

from atalaya.jobs.context import AppContext
from cmdb.audit import as_dict, events


def _since(_ctx: click.Context, _param: click.Parameter, value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    try:
        return dt.datetime.fromisoformat(value).replace(tzinfo=None)
    except ValueError:
        raise click.BadParameter(f"expected a date YYYY-MM-DD (UTC), got {value!r}") from None


@click.command()
@click.option("--since", callback=_since, help="Only events since this date (YYYY-MM-DD, UTC).")
@click.option("--action", help="Only actions starting with this, e.g. login, waiver, user.")
@click.option("--user", "actor", help="Only this user's actions.")
@click.option("--limit", type=click.IntRange(1, 1_000_000), default=10_000, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.pass_obj
def audit(
    app_ctx: AppContext,
    since: dt.datetime | None,
    action: str | None,
    actor: str | None,
    limit: int,
    fmt: str,
) -> None:
    """Who did what, when and from where: logins and failures, waivers, SoA and inventory
    edits, user administration, token creation. Newest first; never a password or token."""
    with Session(app_ctx.engine) as s:
        rows = [as_dict(e) for e in events(s, since, action, actor, limit)]
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for row in rows:
        detail = "; ".join(f"{k}={v}" for k, v in row["detail"].items())
        click.echo(
            f"{row['at'][:19]}  {row['actor']:<20} {row['action']:<16} {row['outcome']:<8} "
            f"{row['address']:<15} {row['target']}  {detail}".rstrip()
        )
