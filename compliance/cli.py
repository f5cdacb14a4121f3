"""`atalaya evaluate` and `atalaya report ...`: click wrappers around (settings, session) functions.

The click context object is `atalaya.cli.AppContext` (attributes `.settings` and `.engine`).
Exit status: 0 done, 1 when --fail-on found a failure that severe, 2 on bad input (policies, dates).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import click
from sqlalchemy.orm import Session

from atalaya.settings import Settings
from cmdb.factset import entitlement_products, load_facts
from cmdb.findings import live_waivers, store_findings
from cmdb.models import LicenseEntitlement, utcnow
from compliance import reports
from compliance.engine import Finding, evaluate_all
from compliance.facts import CiFacts
from compliance.policy import SEVERITIES, PolicyError, PolicySet, load_policies
from compliance.scoring import Scores, score_findings


@dataclass
class Run:
    as_of: dt.date
    facts: list[CiFacts]
    policies: PolicySet
    findings: list[Finding]
    scores: Scores


def run_evaluation(
    settings: Settings, session: Session, as_of: dt.date | None = None, store: bool = True
) -> Run:
    """Load facts and policies, evaluate as of a date, and (for today) store findings and scores."""
    now = utcnow()
    day = as_of or now.date()
    policies = load_policies(settings.policies_path).with_entitlements(
        entitlement_products(session)
    )
    facts = load_facts(session, now)
    findings = evaluate_all(facts, policies, day, live_waivers(session, day))
    scores = score_findings(findings, policies)
    if store:
        store_findings(session, findings, now, day, scores.as_dict(), complete=True)
    return Run(day, facts, policies, findings, scores)


def summary(run: Run) -> dict[str, Any]:
    org = run.scores.organisation
    return {
        "as_of": run.as_of.isoformat(),
        "cis": len(run.facts),
        "findings": len(run.findings),
        "score": org.score,
        "pass": org.passed,
        "fail": org.failed,
        "unknown": org.unknown,
        "gap_share": org.gap_share,
        "waived": org.waived,
        "fail_by_severity": org.failed_by_severity,
        "regions": {k: v.score for k, v in sorted(run.scores.regions.items())},
    }


def should_fail(run: Run, threshold: str | None) -> bool:
    if threshold is None:
        return False
    worst = SEVERITIES[: SEVERITIES.index(threshold) + 1]
    return any(f.status == "fail" and f.severity in worst for f in run.findings)


def _run(ctx: click.Context, as_of: dt.datetime | None, store: bool) -> Run:
    app = ctx.obj
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


DATE = click.DateTime(formats=["%Y-%m-%d"])


@click.command()
@click.option("--as-of", type=DATE, help="Evaluate as of this date (YYYY-MM-DD); default today.")
@click.option("--fail-on", type=click.Choice(SEVERITIES), help="Exit 1 on a failure this severe.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.pass_context
def evaluate(ctx: click.Context, as_of: dt.datetime | None, fail_on: str | None, fmt: str) -> None:
    """Evaluate every rule on every CI, store the findings (for today) and print a summary."""
    stored = as_of is None or as_of.date() == utcnow().date()
    run = _run(ctx, as_of, store=stored)
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


@click.group()
def report() -> None:
    """Reports: controls (Statement of Applicability), findings, lifecycle, software."""


FORMAT = click.option(
    "--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table"
)
AS_OF = click.option("--as-of", type=DATE, help="Report as of this date (YYYY-MM-DD).")


@report.command("controls")
@FORMAT
@AS_OF
@click.pass_context
def report_controls(ctx: click.Context, fmt: str, as_of: dt.datetime | None) -> None:
    """Statement of Applicability: control, 2013 id, 2022 id, applicable, score, gaps."""
    run = _run(ctx, as_of, store=False)
    click.echo(reports.render(reports.controls_report(run.policies, run.scores), fmt))


@report.command("findings")
@FORMAT
@AS_OF
@click.option(
    "--status",
    "statuses",
    multiple=True,
    default=("fail",),
    show_default=True,
    type=click.Choice(["pass", "fail", "not_applicable", "unknown", "waived"]),
)
@click.pass_context
def report_findings(
    ctx: click.Context, fmt: str, as_of: dt.datetime | None, statuses: tuple[str, ...]
) -> None:
    """Findings with their evidence and remediation (failures by default)."""
    run = _run(ctx, as_of, store=False)
    click.echo(reports.render(reports.findings_report(run.findings, statuses), fmt))


@report.command("lifecycle")
@FORMAT
@AS_OF
@click.option("--years", type=click.IntRange(0, 20), default=5, show_default=True)
@click.pass_context
def report_lifecycle(ctx: click.Context, fmt: str, as_of: dt.datetime | None, years: int) -> None:
    """Obsolescence forecast per year and region, with replacement cost (PEN, agency estimate)."""
    run = _run(ctx, as_of, store=False)
    click.echo(
        reports.render(reports.lifecycle_report(run.facts, run.policies, run.as_of, years), fmt)
    )


@report.command("software")
@FORMAT
@click.pass_context
def report_software(ctx: click.Context, fmt: str) -> None:
    """Licence position: installs per licensable product and region against seats."""
    run = _run(ctx, None, store=False)
    with Session(ctx.obj.engine) as session:
        seats = [(e.product, e.seats) for e in session.query(LicenseEntitlement)]
    click.echo(reports.render(reports.software_report(run.facts, run.policies, seats), fmt))


# Imported last: the plan command builds on run_evaluation above (compliance.plan_cli imports it).
from compliance.plan_cli import evaluate_plan, report_plan  # noqa: E402

report.add_command(report_plan)
