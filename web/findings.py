"""Findings: filter by severity, status, control, region, site, platform, changed since; CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Blueprint, Response, render_template
from sqlalchemy import Select

from cmdb.models import FINDING_STATUSES
from cmdb.vulnqueries import vulnerability_rule_ids
from cmdb.webqueries import finding_query, paginate, platforms, regions
from compliance import policy_vulns
from compliance.policy import SEVERITIES
from compliance.texts import rule_title
from web.api_params import string_filters
from web.request_context import arg, date_arg, db, lang, page_args, policies

bp = Blueprint("findings", __name__)
CSV_LIMIT = 100_000


def control_rules(control: str) -> list[str]:
    """Rules evidencing a control, given by its 2013 ("A.12.4.1") or 2022 ("8.15") id; for
    A.12.6.1 / 8.8 also the known-vulnerability rules that have findings."""
    ids = [
        r.id for r in policies().rules if control in r.controls_2013 or control in r.controls_2022
    ]
    if control in (*policy_vulns.CONTROLS_2013, *policy_vulns.CONTROLS_2022):
        ids += vulnerability_rule_ids(db())
    return ids


def findings_from_args() -> Select[Any]:
    chosen = string_filters("findings")  # the page and /api/v1/findings take the same filters
    control, rule = chosen["control"], chosen["rule"]
    rule_ids: list[str] | None = None
    if control:
        rule_ids = control_rules(control)
    if rule:
        rule_ids = [rule] if rule_ids is None else [r for r in rule_ids if r == rule]
    return finding_query(
        severity=chosen["severity"],
        status=chosen["status"],
        rule_ids=rule_ids,
        region=chosen["region"],
        site=chosen["site"],
        platform=chosen["platform"],
        changed_since=date_arg("changed_since"),
    )


@bp.get("/findings")
def index() -> str:
    page, per_page = page_args()
    return render_template(
        "findings/index.html",
        findings=paginate(db(), findings_from_args(), page, per_page),
        rules={r.id: r for r in policies().rules},
        severities=SEVERITIES,
        statuses=FINDING_STATUSES,
        regions=regions(db()),
        platforms=platforms(db()),
        selected={
            k: arg(k)
            for k in (
                "severity",
                "status",
                "control",
                "rule",
                "region",
                "site",
                "platform",
                "changed_since",
            )
        },
    )


@bp.get("/findings.csv")
def export() -> Response:
    rules = {r.id: r for r in policies().rules}
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            "rule",
            "title",
            "severity",
            "status",
            "device",
            "site",
            "region",
            "controls_2013",
            "controls_2022",
            "evidence",
            "remediation",
            "first_seen",
            "last_changed",
        ]
    )
    for finding, hostname, _platform, site, region in db().execute(
        findings_from_args().limit(CSV_LIMIT)
    ):
        rule = rules.get(finding.rule_id)
        writer.writerow(
            [
                finding.rule_id,
                rule_title(rule, lang()) if rule else "",
                finding.severity,
                finding.status,
                hostname or f"{finding.ci_type}:{finding.ci_id}",
                site or "",
                region or "",
                " ".join(rule.controls_2013) if rule else "",
                " ".join(rule.controls_2022) if rule else "",
                finding.evidence,
                finding.remediation,
                finding.first_seen.isoformat(),
                finding.last_changed.isoformat(),
            ]
        )
    return Response(
        "\ufeff" + buffer.getvalue(),  # BOM: Excel opens accented Spanish text correctly
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=atalaya-findings.csv"},
    )
