"""`atalaya report ...`: controls, findings, lifecycle, software and the plan's follow-up."""

from __future__ import annotations

import datetime as dt

import click
from sqlalchemy.orm import Session

from atalaya.commands.evaluate import DATE, run_or_exit
from atalaya.commands.plan import report_plan
from atalaya.commands.soa import report_soa
from cmdb.models import LicenseEntitlement
from cmdb.vulnqueries import advisory_rows, device_rows, vulnerability_view
from compliance import reports
from compliance.policy import SEVERITIES


@click.group()
def report() -> None:
    """Reports: soa (Statement of Applicability), controls, findings, lifecycle, software,
    vulnerabilities, plan."""


FORMAT = click.option(
    "--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table"
)
AS_OF = click.option("--as-of", type=DATE, help="Report as of this date (YYYY-MM-DD).")
LANG = click.option(
    "--lang", type=click.Choice(["es", "en"]), default="es", show_default=True, help="Titles in."
)


@report.command("controls")
@FORMAT
@AS_OF
@LANG
@click.pass_context
def report_controls(ctx: click.Context, fmt: str, as_of: dt.datetime | None, lang: str) -> None:
    """Controls the rules evidence: title, 2013 id, 2022 id, SoA applicability, score, gaps."""
    run = run_or_exit(ctx, as_of, store=False)
    click.echo(reports.render(reports.controls_report(run.policies, run.scores, lang), fmt))


@report.command("findings")
@FORMAT
@AS_OF
@LANG
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
    ctx: click.Context, fmt: str, as_of: dt.datetime | None, lang: str, statuses: tuple[str, ...]
) -> None:
    """Findings with the rule's title, evidence and remediation (failures by default)."""
    run = run_or_exit(ctx, as_of, store=False)
    rows = reports.findings_report(run.findings, statuses, run.policies, lang)
    click.echo(reports.render(rows, fmt))


@report.command("lifecycle")
@FORMAT
@AS_OF
@click.option("--years", type=click.IntRange(0, 20), default=5, show_default=True)
@click.pass_context
def report_lifecycle(ctx: click.Context, fmt: str, as_of: dt.datetime | None, years: int) -> None:
    """Obsolescence forecast per year and region, with replacement cost (PEN, agency estimate)."""
    run = run_or_exit(ctx, as_of, store=False)
    click.echo(
        reports.render(reports.lifecycle_report(run.facts, run.policies, run.as_of, years), fmt)
    )


@report.command("software")
@FORMAT
@click.pass_context
def report_software(ctx: click.Context, fmt: str) -> None:
    """Licence position: installs per licensable product and region against seats."""
    run = run_or_exit(ctx, None, store=False)
    with Session(ctx.obj.engine) as session:
        seats = [(e.product, e.seats) for e in session.query(LicenseEntitlement)]
    click.echo(reports.render(reports.software_report(run.facts, run.policies, seats), fmt))


@report.command("vulnerabilities")
@FORMAT
@click.option("--by", type=click.Choice(["advisory", "device"]), default="advisory",
              show_default=True, help="One row per advisory or per affected device.")
@click.option("--region", help="Only devices of this region (code).")
@click.option("--site", help="Only devices of this site (code).")
@click.option("--severity", type=click.Choice(SEVERITIES))
@click.pass_context
def report_vulnerabilities(
    ctx: click.Context, fmt: str, by: str, region: str | None, site: str | None,
    severity: str | None,
) -> None:
    """Known vulnerabilities of the latest stored evaluation: affected devices per advisory
    (by region) or advisories per device; the same counts as the page and the API."""
    with Session(ctx.obj.engine) as session:
        view = vulnerability_view(session, region, site, severity)
    rows = advisory_rows(view) if by == "advisory" else device_rows(view)
    click.echo(reports.render(rows, fmt))


report.add_command(report_plan)
report.add_command(report_soa)
