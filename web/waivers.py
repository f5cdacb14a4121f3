"""Waiver actions from the web: record the waiver, then re-judge the finding it covers.

The finding is re-evaluated with the compliance engine (`evaluate` with the live waivers), stored
with `store_findings` like `atalaya evaluate` does (status change recorded, an Evaluation row
written), and the Evaluation's scores are those of all stored findings, so `/metrics` and the
pages move together.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from cmdb.advisories import advisory_records
from cmdb.factset import entitlement_products, load_facts
from cmdb.findings import add_waiver, live_waivers, revoke_waiver, store_findings
from cmdb.models import Waiver
from compliance.advisories.records import from_record
from compliance.engine import evaluate
from compliance.policy import PolicySet
from web.scores import stored_scores


def rejudge(
    session: Session, policies: PolicySet, rule_id: str, ci_type: str, ci_id: int, now: dt.datetime
) -> str | None:
    """Re-evaluate one rule on one CI as of `now`; returns the new status (None: CI not judged)."""
    facts = next(
        (f for f in load_facts(session, now) if (f.ci_type, f.ci_id) == (ci_type, ci_id)), None
    )
    if facts is None:
        return None
    today = now.date()
    # a VULN:<advisory> rule is judged with the advisories of the CMDB, as the evaluation does
    judged = policies.with_entitlements(entitlement_products(session)).with_advisories(
        from_record(record) for record in advisory_records(session)
    )
    finding = evaluate(judged.rule(rule_id), facts, judged, today, live_waivers(session, today))
    evaluation = store_findings(session, [finding], now, today)
    session.flush()
    evaluation.scores = stored_scores(session, policies).as_dict()
    return finding.status


def create_waiver(
    session: Session,
    policies: PolicySet,
    rule_id: str,
    ci_type: str,
    ci_id: int,
    reason: str,
    approver: str,
    expires: dt.date,
    user: str,
    now: dt.datetime,
) -> tuple[Waiver, str | None]:
    if expires < now.date():
        raise ValueError("the expiry date is in the past")
    policies.rule(rule_id)  # KeyError for an unknown rule
    waiver = add_waiver(
        session,
        rule_id,
        ci_type,
        ci_id,
        reason,
        approver,
        expires,
        created_by=f"user:{user}",
        at=now,
    )
    return waiver, rejudge(session, policies, rule_id, ci_type, ci_id, now)


def expire_waiver(
    session: Session, policies: PolicySet, waiver_id: int, now: dt.datetime
) -> tuple[Waiver, str | None]:
    waiver = revoke_waiver(session, waiver_id, now)
    session.flush()
    return waiver, rejudge(session, policies, waiver.rule_id, waiver.ci_type, waiver.ci_id, now)
