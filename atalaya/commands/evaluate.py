"""`atalaya evaluate`: judge every CI now (or as of a date) and print a summary.

Exit status: 0 done, 1 when --fail-on found a failure that severe, 2 on bad input (policies, dates).
"""

from __future__ import annotations

import datetime as dt
import json

import click
from sqlalchemy.orm import Session

from atalaya.jobs.context import AppContext
from atalaya.jobs.evaluation import Run, run_evaluation, should_fail, summary
from atalaya.jobs.plan import evaluate_plan
from cmdb.models import utcnow
from compliance import reports
from compliance.policy import SEVERITIES, PolicyError

DATE = click.DateTime(formats=["%Y-%m-%d"])


def run_or_exit(ctx: click.Context, as_of: dt.datetime | None, store: bool) -> Run:
    """Evaluate (storing findings and the plan's indicators when `store`); a bad policy file
    ends the command with its message and exit status 2."""
    app: AppContext = ctx.obj
    try:
        with Session(app.engine) as session, session.begin():
            if store:
                # A stored evaluation also stores the plan's indicators for its period, so the
                # follow-up report and the Plan page have a value per evaluation.
                return evaluate_plan(app.settings, session, as_of.date() if as_of else None).run
            return run_evaluation(app.settings, session, as_of.date() if as_of else None, store)
    except PolicyError as exc:
        click.echo(f"error: {exc}", err=True)
        ctx.exit(2)
        raise  # unreachable: ctx.exit raises


@click.command()
@click.option("--as-of", type=DATE, help="Evaluate as of this date (YYYY-MM-DD); default today.")
@click.option("--fail-on", type=click.Choice(SEVERITIES), help="Exit 1 on a failure this severe.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.pass_context
def evaluate(ctx: click.Context, as_of: dt.datetime | None, fail_on: str | None, fmt: str) -> None:
    """Evaluate every rule on every CI, store the findings (for today) and print a summary."""
    stored = as_of is None or as_of.date() == utcnow().date()
    run = run_or_exit(ctx, as_of, store=stored)
    data = {**summary(run), "stored": stored}
    if fmt == "json":
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        click.echo(
            f"as of {data['as_of']}: {data['cis']} CIs, {data['findings']} findings, "
            f"score {data['score']} % ({data['pass']} pass, {data['fail']} fail), "
            f"evidence gaps {data['unknown']} ({data['gap_share']:.1%}), waived {data['waived']}"
            + ("" if stored else " [not stored: hypothetical date]")
        )
        rows = [{"region": k, "score": v} for k, v in data["regions"].items()]
        click.echo(reports.render(rows, "table"))
    if should_fail(run, fail_on):
        ctx.exit(1)
