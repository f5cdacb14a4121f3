"""An evaluation run: facts from the CMDB, judged by the engine, findings and scores stored.

The job reads the settings (where the policies are) and opens nothing itself: the caller gives
the session, so a command, the periodic evaluation and the tests choose the transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from atalaya.jobs.advisories import stored_advisories
from atalaya.jobs.metrics import store_metrics
from atalaya.settings import Settings
from cmdb.factset import entitlement_products, load_facts
from cmdb.findings import live_waivers, store_findings
from cmdb.models import utcnow
from cmdb.soa import soa_edits
from compliance.engine import evaluate_all
from compliance.facts import CiFacts
from compliance.outcome import Finding
from compliance.policy import SEVERITIES, PolicySet, load_policies
from compliance.scoring import Scores, score_findings
from compliance.soa import apply_edits


@dataclass
class Run:
    as_of: dt.date
    facts: list[CiFacts]
    policies: PolicySet
    findings: list[Finding]
    scores: Scores


def effective_policies(policies: PolicySet, session: Session) -> PolicySet:
    """The policies as the CMDB completes them: licence entitlements, and the Statement of
    Applicability with the security officer's edits over the soa.toml seed."""
    seeded = policies.with_entitlements(entitlement_products(session))
    return seeded.with_soa(apply_edits(policies.soa, soa_edits(session)))


def run_evaluation(
    settings: Settings, session: Session, as_of: dt.date | None = None, store: bool = True
) -> Run:
    """Load facts and policies, evaluate as of a date, and (for today) store findings and scores."""
    now = utcnow()
    day = as_of or now.date()
    policies = effective_policies(load_policies(settings.policies_path), session).with_advisories(
        stored_advisories(session)
    )
    facts = load_facts(session, now)
    findings = evaluate_all(facts, policies, day, live_waivers(session, day))
    scores = score_findings(findings, policies)
    if store:
        store_findings(session, findings, now, day, scores.as_dict(), complete=True)
        store_metrics(session, settings)
    return Run(day, facts, policies, findings, scores)


def summary(run: Run) -> dict[str, Any]:
    """What `atalaya evaluate` prints: counts, the organisation's score, scores per region."""
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
    """True when a failure at least as severe as `threshold` was found (`--fail-on`)."""
    if threshold is None:
        return False
    worst = SEVERITIES[: SEVERITIES.index(threshold) + 1]
    return any(f.status == "fail" and f.severity in worst for f in run.findings)
