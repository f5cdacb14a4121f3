"""Condition types on licences (ISO/IEC 27001:2013 A.18.1.2 -> 2022 5.32).

`software_licensed`: every licensable product installed has an entitlement that has not expired.
`licence_seats`: installs beyond the seats bought fail, for the excess only. Which installs are
the excess needs the whole fleet: `evaluate_all` ranks the CIs holding each product by name
(`PolicySet.seat_holders`), so the first `seats` pass and the rest fail, the same on every run.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from compliance.conditions import Evaluator
from compliance.facts import CiFacts, Entitlement
from compliance.outcome import Outcome, failed, nothing, passed, unknown
from compliance.policy import Condition, PolicySet
from compliance.policy_catalogue import Licensable


def _installed(facts: CiFacts, policies: PolicySet) -> list[tuple[Licensable, str]]:
    """(licensable product, installed name as shown) for each licensable product on the CI."""
    found = []
    for product in policies.licensable:
        for item in facts.software or ():
            if product.installed.search(item.name):
                found.append((product, f"{item.name} {item.version}".strip()))
                break
    return found


def _entitlements(product: Licensable, policies: PolicySet) -> list[Entitlement]:
    return [e for e in policies.entitlements if product.entitlement.search(e.product)]


def software_licensed(
    cond: Condition, facts: CiFacts, policies: PolicySet, today: dt.date
) -> Outcome:
    if facts.software is None:
        return unknown("installed software not collected")
    installed = _installed(facts, policies)
    if not installed:
        return nothing("pass", "no licensable product installed")
    missing, covered = [], []
    for product, shown in installed:
        entitled = _entitlements(product, policies)
        live = [e for e in entitled if e.expires is None or e.expires >= today]
        if live:
            until = f" until {live[0].expires.isoformat()}" if live[0].expires else ""
            covered.append(f"{shown}: {live[0].product}{until}")
        elif entitled:
            ended = max(e.expires for e in entitled if e.expires is not None)
            missing.append(f"{shown}: licence entitlement expired on {ended.isoformat()}")
        else:
            missing.append(f"{shown}: no licence entitlement ({product.title})")
    return failed("; ".join(missing)) if missing else passed("; ".join(covered))


def seat_holders(facts_list: Iterable[CiFacts], policies: PolicySet) -> dict[str, tuple[str, ...]]:
    """Per licensable product id, the names of the CIs that install it, sorted by name."""
    holders: dict[str, list[str]] = defaultdict(list)
    for facts in facts_list:
        for product, _ in _installed(facts, policies):
            holders[product.id].append(facts.name)
    return {product: tuple(sorted(names)) for product, names in holders.items()}


def licence_seats(cond: Condition, facts: CiFacts, policies: PolicySet, today: dt.date) -> Outcome:
    if facts.software is None:
        return unknown("installed software not collected")
    installed = _installed(facts, policies)
    if not installed:
        return nothing("pass", "no licensable product installed")
    over: list[str] = []
    within: list[str] = []
    uncounted: list[str] = []
    for product, shown in installed:
        counted = [e for e in _entitlements(product, policies) if e.seats is not None]
        if not counted:
            uncounted.append(f"{shown}: no seat count recorded")
            continue
        holders = policies.seat_holders.get(product.id)
        if holders is None or facts.name not in holders:
            return unknown(f"{shown}: seat use needs the whole fleet's installs")
        seats = sum(e.seats or 0 for e in counted)
        rank = holders.index(facts.name) + 1
        text = f"{shown}: install {rank} of {len(holders)} on {seats} seat(s)"
        (over if rank > seats else within).append(text)
    if over:
        return failed("; ".join(over) + " (over the entitlement)")
    if within:
        return passed("; ".join(within))
    return nothing("pass", "; ".join(uncounted))


EXPORTS: dict[str, Evaluator] = {
    "software_licensed": software_licensed,
    "licence_seats": licence_seats,
}
