"""Store the engine's findings and their state changes; waivers. Functions take a session.

`store_findings` upserts one Finding row per rule x CI, records a FindingChange whenever the status
moves (a new finding counts as a move from nothing), and writes an Evaluation row with the scores,
so "what became non-compliant since DATE" is one query on FindingChange.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cmdb.models import Evaluation, FindingChange, Waiver
from cmdb.models import Finding as FindingRow
from compliance.outcome import Finding
from compliance.outcome import Waiver as EngineWaiver


def store_findings(
    session: Session,
    findings: Iterable[Finding],
    at: dt.datetime,
    as_of: dt.date | None = None,
    scores: dict[str, Any] | None = None,
    complete: bool = False,
) -> Evaluation:
    """Upsert findings as of `at` (naive UTC), record each status change, write the Evaluation.

    `complete`: these are ALL the findings of a full evaluation, so a stored finding that is not
    among them (its device retired or deleted, its rule removed or no longer applicable to the
    platform) is deleted instead of lingering on pages and metrics as a current verdict. A partial
    store (one re-judged finding after a waiver) leaves every other finding alone.
    """
    existing = {(r.rule_id, r.ci_type, r.ci_id): r for r in session.scalars(select(FindingRow))}
    new_changes: list[tuple[FindingRow, str | None, str]] = []
    seen: set[tuple[str, str, int]] = set()
    for finding in findings:
        key = (finding.rule_id, finding.ci_type, finding.ci_id)
        seen.add(key)
        row = existing.get(key)
        if row is None:
            row = FindingRow(
                rule_id=finding.rule_id,
                ci_type=finding.ci_type,
                ci_id=finding.ci_id,
                first_seen=at,
                last_changed=at,
                status=finding.status,
            )
            session.add(row)
            existing[key] = row
            new_changes.append((row, None, finding.status))
        elif row.status != finding.status:
            new_changes.append((row, row.status, finding.status))
            row.status = finding.status
            row.last_changed = at
        row.site_id = finding.site_id
        row.severity = finding.severity
        row.evidence = finding.evidence
        row.remediation = finding.remediation
        row.last_evaluated = at
    if complete:
        for key, row in existing.items():
            if key not in seen:
                session.delete(row)  # its FindingChange rows go with it (ON DELETE CASCADE)
    session.flush()  # new rows get their ids before their first change refers to them
    for row, old, new in new_changes:
        session.add(FindingChange(finding_id=row.id, at=at, old_status=old, new_status=new))
    evaluation = Evaluation(at=at, as_of=as_of or at.date(), scores=scores or {})
    session.add(evaluation)
    session.flush()
    return evaluation


def changed_since(session: Session, since: dt.datetime, status: str = "fail") -> list[FindingRow]:
    """Findings that moved into `status` at or after `since` and are still in it."""
    moved = select(FindingChange.finding_id).where(
        FindingChange.at >= since, FindingChange.new_status == status
    )
    query = (
        select(FindingRow)
        .where(FindingRow.id.in_(moved), FindingRow.status == status)
        .order_by(FindingRow.last_changed.desc(), FindingRow.rule_id)
    )
    return list(session.scalars(query))


def add_waiver(
    session: Session,
    rule_id: str,
    ci_type: str,
    ci_id: int,
    reason: str,
    approver: str,
    expires: dt.date,
    created_by: str = "",
    at: dt.datetime | None = None,
) -> Waiver:
    if not reason.strip() or not approver.strip():
        raise ValueError("a waiver needs a reason and an approver")
    waiver = Waiver(
        rule_id=rule_id,
        ci_type=ci_type,
        ci_id=ci_id,
        reason=reason,
        approver=approver,
        expires=expires,
        created_by=created_by,
    )
    if at is not None:
        waiver.created_at = at
    session.add(waiver)
    session.flush()
    return waiver


def revoke_waiver(session: Session, waiver_id: int, at: dt.datetime) -> Waiver:
    waiver = session.get(Waiver, waiver_id)
    if waiver is None:
        raise LookupError(f"no waiver with id {waiver_id}")
    waiver.revoked_at = waiver.revoked_at or at
    return waiver


def live_waivers(session: Session, today: dt.date) -> list[EngineWaiver]:
    """Unexpired, unrevoked waivers, in the engine's form."""
    rows: Sequence[Waiver] = session.scalars(
        select(Waiver).where(Waiver.revoked_at.is_(None), Waiver.expires >= today)
    ).all()
    return [
        EngineWaiver(w.rule_id, w.ci_type, w.ci_id, w.reason, w.approver, w.expires) for w in rows
    ]
