"""`atalaya report plan`: evaluate, compute the plan's indicators, store them, print the report.

The command runs an evaluation (findings and scores stored as `atalaya evaluate` does), computes
every indicator of `policies/indicators.toml` over the CMDB and the findings, stores one value per
indicator under the follow-up period, and reports that period against the previous one. Asked for
a past period, it reports what was stored then and evaluates nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click
from sqlalchemy.orm import Session

from atalaya.settings import Settings
from cmdb.indicators import load_report, load_units, store_values
from cmdb.models import utcnow
from compliance.indicators import (
    IndicatorResult,
    PlanInputs,
    compute_all,
    load_indicators,
    period_of,
)
from compliance.plan_report import LABELS, PlanReport, render_text
from compliance.policy import PolicyError

if TYPE_CHECKING:
    from compliance.cli import Run

PERIOD = re.compile(r"^\d{4}-H[12]$")


@dataclass
class PlanRun:
    run: Run
    period: str
    results: list[IndicatorResult]


def evaluate_plan(
    settings: Settings, session: Session, as_of: dt.date | None = None, period: str | None = None
) -> PlanRun:
    """Evaluate as of a date, compute every indicator and store the values under `period`
    (default: the period of the evaluation date)."""
    # imported here: compliance.cli registers this module's command at its end
    from compliance.cli import run_evaluation

    run = run_evaluation(settings, session, as_of, store=True)
    indicators = load_indicators(settings.policies_path, [r.id for r in run.policies.rules])
    inputs = PlanInputs(
        load_units(session), run.findings, run.scores, run.facts, run.policies, run.as_of
    )
    results = compute_all(indicators, inputs)
    chosen = period or period_of(run.as_of)
    store_values(session, results, utcnow(), chosen)
    return PlanRun(run, chosen, results)


def plan_report(
    settings: Settings,
    session: Session,
    as_of: dt.date | None = None,
    period: str | None = None,
    lang: str = "es",
) -> PlanReport:
    """Evaluate and store (unless `period` is a past one), then the report of `period`."""
    today = as_of or utcnow().date()
    current = period_of(today)
    if period is None or period >= current:
        done = evaluate_plan(settings, session, as_of, period or current)
        facts, policies, chosen = done.run.facts, done.run.policies, done.period
    else:
        from compliance.cli import run_evaluation

        done_run = run_evaluation(settings, session, as_of, store=False)
        facts, policies, chosen = done_run.facts, done_run.policies, period
    indicators = load_indicators(settings.policies_path, [r.id for r in policies.rules])
    return load_report(session, indicators, policies, facts, today, chosen, lang)


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
    app = ctx.obj
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
        # the web package renders the page's HTML: the PDF is that same document
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
