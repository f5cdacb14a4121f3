"""The compliance engine: facts + policies + a date in, findings out. Pure: no I/O, no clock.

Each rule on each configuration item gives pass, fail, not_applicable, unknown (the fact the rule
reads was never observed: never counted as a pass) or waived (a fail covered by a live waiver).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import cast

from compliance import (
    conditions,
    conditions_facts,
    conditions_licences,
    conditions_lifecycle,
    conditions_vulns,
    lookup,
)
from compliance.conditions import Evaluator
from compliance.facts import CiFacts
from compliance.outcome import Finding, Outcome, Status, Waiver, not_applicable
from compliance.policy import CONDITIONS, PolicySet, Rule

EVALUATORS: dict[str, Evaluator] = {
    **conditions.EXPORTS,
    **conditions_facts.EXPORTS,
    **conditions_lifecycle.EXPORTS,
    **conditions_vulns.EXPORTS,
    **conditions_licences.EXPORTS,
}
assert set(EVALUATORS) == set(CONDITIONS), "every condition type needs an evaluator"


def applies(rule: Rule, facts: CiFacts) -> bool:
    return (
        facts.ci_type in rule.ci_types
        and (not rule.platforms or facts.platform in rule.platforms)
        and (not rule.kinds or facts.kind in rule.kinds)
    )


def _combine(rule: Rule, outcomes: Sequence[Outcome]) -> Outcome:
    """Nothing to judge in any condition: the rule's declared `absent` verdict. Otherwise a
    definite failure decides; then a missing fact (unknown); then a pass; else n/a."""
    if outcomes and all(o.empty for o in outcomes):
        evidence = " | ".join(o.evidence for o in outcomes)
        # say so when the declared verdict is not what the conditions' own words suggest ("no
        # IKE SA established" read as a pass); an unknown's evidence already says what is missing
        if rule.absent != "unknown" and any(o.status != rule.absent for o in outcomes):
            evidence = "nothing to judge: " + evidence
        return Outcome(cast(Status, rule.absent), evidence)
    for status in ("fail", "unknown", "pass"):
        chosen = [o.evidence for o in outcomes if o.status == status]
        if chosen:
            return Outcome(status, " | ".join(chosen))
    return not_applicable(" | ".join(o.evidence for o in outcomes))


def _finding(rule: Rule, facts: CiFacts, outcome: Outcome) -> Finding:
    return Finding(
        rule.id,
        facts.ci_type,
        facts.ci_id,
        facts.name,
        facts.site_code,
        facts.region_code,
        facts.site_id,
        outcome.status,
        rule.severity,
        outcome.evidence,
        rule.remediation,
    )


def _judge(
    rule: Rule, facts: CiFacts, policies: PolicySet, today: dt.date, waiver: Waiver | None
) -> Outcome:
    outcome = _combine(
        rule, [EVALUATORS[c.type](c, facts, policies, today) for c in rule.conditions]
    )
    if outcome.status == "fail" and waiver is not None and waiver.live(today):
        return Outcome(
            "waived",
            f"waived until {waiver.expires.isoformat()} by {waiver.approver} "
            f"({waiver.reason}); {outcome.evidence}",
        )
    return outcome


def evaluate(
    rule: Rule, facts: CiFacts, policies: PolicySet, today: dt.date, waivers: Iterable[Waiver] = ()
) -> Finding:
    """Judge one rule on one CI as of `today`."""
    if not applies(rule, facts):
        scope = ", ".join(rule.platforms + rule.kinds) or ", ".join(rule.ci_types)
        return _finding(rule, facts, not_applicable(f"rule applies to {scope}"))
    waiver = next(
        (
            w
            for w in waivers
            if (w.rule_id, w.ci_type, w.ci_id) == (rule.id, facts.ci_type, facts.ci_id)
            and w.live(today)
        ),
        None,
    )
    return _finding(rule, facts, _judge(rule, facts, policies, today, waiver))


def evaluate_all(
    facts_list: Iterable[CiFacts],
    policies: PolicySet,
    today: dt.date,
    waivers: Iterable[Waiver] = (),
) -> list[Finding]:
    """Every rule on every CI it applies to (rules outside a CI's platform/kind give no finding),
    and on each device the known-vulnerability rule of every advisory naming a product it runs."""
    live = {(w.rule_id, w.ci_type, w.ci_id): w for w in waivers if w.live(today)}
    facts_list = list(facts_list)
    if lookup.rules_with_condition(policies, "licence_seats"):
        # seat use is a fleet-wide count: rank the installs once for every CI
        policies = policies.with_seat_holders(
            conditions_licences.seat_holders(facts_list, policies)
        )
    findings = []
    for facts in facts_list:
        for rule in (*policies.rules, *policies.advisory_rules(facts)):
            if applies(rule, facts):
                waiver = live.get((rule.id, facts.ci_type, facts.ci_id))
                findings.append(_finding(rule, facts, _judge(rule, facts, policies, today, waiver)))
    return findings
