"""Report rows (lists of flat dicts) and their rendering as a table, CSV or JSON."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from compliance import policy_vulns
from compliance.engine import Finding
from compliance.facts import CiFacts
from compliance.lifecycle import forecast, licence_position
from compliance.policy import PolicySet
from compliance.scoring import Score, Scores
from compliance.texts import rule_title

Row = dict[str, Any]


def _gap(score: Score | None) -> Row:
    if score is None:
        return {
            "score": None,
            "pass": 0,
            "fail": 0,
            "gaps": 0,
            "gap_share": 0.0,
        }
    return {
        "score": score.score,
        "pass": score.passed,
        "fail": score.failed,
        "waived": score.waived,
        "gaps": score.unknown,
        "gap_share": score.gap_share,
    }


def _declared(policies: PolicySet, control_id: str) -> Row:
    """What the Statement of Applicability says of a control: applicable and its status."""
    entry = policies.soa.entry(control_id)
    return {
        "applicable": entry is not None and entry.applicable,
        "status": entry.status if entry is not None else "",
    }


def controls_report(policies: PolicySet, scores: Scores, lang: str = "es") -> list[Row]:
    """The controls the rules evidence, with their 2013 and 2022 ids, titles in `lang`, the
    SoA's applicability and status, and their scores (the whole SoA: `compliance.soa_report`)."""
    evidenced_13 = {c for rule in policies.rules for c in rule.controls_2013}
    evidenced_22 = {c for rule in policies.rules for c in rule.controls_2022}
    rows = []
    covered_22: set[str] = set()
    for cid in sorted(evidenced_13, key=_order):
        control = policies.controls_2013[cid]
        covered_22.update(control.maps_to)
        rows.append(
            {
                "control": control.title_in(lang),
                "iso27001_2013": cid,
                "iso27001_2022": ", ".join(control.maps_to),
                "rules": _rule_ids(policies, cid, "2013"),
                **_declared(policies, cid),
                **_gap(scores.controls_2013.get(cid)),
            }
        )
    for cid in sorted(evidenced_22 - covered_22, key=_order):
        control = policies.controls_2022[cid]
        rows.append(
            {
                "control": control.title_in(lang),
                "iso27001_2013": "",
                "iso27001_2022": cid,
                "rules": _rule_ids(policies, cid, "2022"),
                **_declared(policies, cid),
                **_gap(scores.controls_2022.get(cid)),
            }
        )
    return rows


def _rule_ids(policies: PolicySet, cid: str, standard: str) -> str:
    """The rules evidencing a control; the known-vulnerability family as one "VULN:*"."""
    family = policy_vulns.CONTROLS_2013 if standard == "2013" else policy_vulns.CONTROLS_2022
    ids = [
        r.id
        for r in policies.rules
        if cid in (r.controls_2013 if standard == "2013" else r.controls_2022)
    ]
    if policies.advisories is not None and cid in family:
        ids.append(f"{policy_vulns.VULN_PREFIX}* ({len(policies.advisories.by_id)} advisories)")
    return ", ".join(ids)


def _order(cid: str) -> list[int]:
    return [int(part) for part in cid.replace("A.", "").split(".")]


def findings_report(
    findings: Iterable[Finding],
    statuses: Sequence[str] = ("fail",),
    policies: PolicySet | None = None,
    lang: str = "es",
) -> list[Row]:
    """Findings of the given statuses; with `policies`, each rule's title in `lang` beside it."""
    titles = {r.id: rule_title(r, lang) for r in policies.rules} if policies else {}
    return [
        {
            "rule": f.rule_id,
            **({"title": titles.get(f.rule_id, "")} if policies else {}),
            "ci": f.ci_name,
            "site": f.site_code,
            "region": f.region_code,
            "status": f.status,
            "severity": f.severity,
            "evidence": f.evidence,
            "remediation": f.remediation,
        }
        for f in findings
        if not statuses or f.status in statuses
    ]


def lifecycle_report(
    facts: Sequence[CiFacts], policies: PolicySet, today: dt.date, years: int = 5
) -> list[Row]:
    return [
        {
            "year": r.year,
            "region": r.region,
            "category": r.category,
            "count": r.count,
            "replacement_cost_pen": r.replacement_cost_pen,
        }
        for r in forecast(facts, policies, today, years)
    ]


def software_report(
    facts: Sequence[CiFacts], policies: PolicySet, entitlements: Sequence[tuple[str, int]]
) -> list[Row]:
    return [
        {
            "product": p.product,
            "region": p.region or "(total)",
            "installs": p.installs,
            "seats": p.seats,
            "over": (p.installs - p.seats) if p.seats is not None else None,
        }
        for p in licence_position(facts, policies, entitlements)
    ]


def render(rows: Sequence[Mapping[str, Any]], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(list(rows), ensure_ascii=False, indent=2, default=str)
    if not rows:
        return "" if fmt == "csv" else "(nothing to report)"
    columns = list(rows[0])
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return out.getvalue()
    cells = [[_cell(row.get(c)) for c in columns] for row in rows]
    widths = [min(60, max(len(c), *(len(r[i]) for r in cells))) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))]
    lines += ["  ".join(v[:w].ljust(w) for v, w in zip(r, widths, strict=True)) for r in cells]
    return "\n".join(line.rstrip() for line in lines)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
