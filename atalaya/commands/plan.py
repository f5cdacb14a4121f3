"""`atalaya report plan`: evaluate, compute the plan's indicators, store them, print the report.

The command runs an evaluation (findings and scores stored as `atalaya evaluate` does), computes
every indicator of `policies/indicators.toml` over the CMDB and the findings, stores one value per
indicator under the follow-up period, and reports that period against the previous one. Asked for
a past period, it reports what was stored then and evaluates nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import click
from sqlalchemy.orm import Session

from atalaya.jobs.context import AppContext
from atalaya.jobs.plan import plan_report
from compliance.plan_report import LABELS, render_text
from compliance.policy import PolicyError

PERIOD = re.compile(r"^\d{4}-H[12]$")


def _period(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not PERIOD.match(value):
        raise click.BadParameter("a follow-up period: YYYY-H1 or YYYY-H2, e.g. 2026-H2")
    return value


@click.command("plan")
@click.option("--period", callback=_period, help="Follow-up period (e.g. 2026-H2); default: now.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json", "pdf"]),
    default="table",
    show_default=True,
)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here.")
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), help="Evaluate as of a date.")
@click.option("--lang", type=click.Choice(sorted(LABELS)), default="es", show_default=True)
@click.pass_context
def report_plan(
    ctx: click.Context,
    period: str | None,
    fmt: str,
    output: Path | None,
    as_of: dt.datetime | None,
    lang: str,
) -> None:
    """E-government plan follow-up: indicators, targets, progress, change, units missing."""
    app: AppContext = ctx.obj
    try:
        with Session(app.engine) as session, session.begin():
            report = plan_report(
                app.settings, session, as_of.date() if as_of else None, period, lang
            )
    except PolicyError as exc:
        click.echo(f"error: {exc}", err=True)
        ctx.exit(2)
        return
    if fmt == "pdf":
        # the web layer renders the page's HTML: the PDF is that same document
        from web.plan import pdf_bytes

        target = output or Path(f"atalaya-plan-{report.period}.pdf")
        target.write_bytes(pdf_bytes(report))
        click.echo(f"wrote {target}")
        return
    text = render_text(report, fmt)
    if output is not None:
        output.write_text(text + "\n", encoding="utf-8")
    else:
        click.echo(text)
