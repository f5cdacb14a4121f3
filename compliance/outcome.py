"""The verdict vocabulary: what the engine returns (Finding) and what it honours (Waiver).

A contract module: the CMDB stores these, so it imports them from here, never the engine.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

Status = Literal["pass", "fail", "not_applicable", "unknown", "waived"]
STATUSES: tuple[Status, ...] = ("pass", "fail", "not_applicable", "unknown", "waived")


@dataclass(frozen=True)
class Outcome:
    """One condition's verdict. `empty`: the condition found nothing to judge (no crypto line,
    no vty block, no installed product); its status is then only the condition's own default,
    and when every condition of a rule is empty the rule's declared `absent` decides."""

    status: Status
    evidence: str
    empty: bool = False


def passed(evidence: str) -> Outcome:
    return Outcome("pass", evidence)


def failed(evidence: str) -> Outcome:
    return Outcome("fail", evidence)


def unknown(evidence: str) -> Outcome:
    return Outcome("unknown", evidence)


def not_applicable(evidence: str) -> Outcome:
    return Outcome("not_applicable", evidence)


def nothing(status: Status, evidence: str) -> Outcome:
    """Nothing to judge: `status` is the condition's own default (see `Outcome.empty`)."""
    return Outcome(status, evidence, empty=True)


@dataclass(frozen=True)
class Waiver:
    """An accepted deviation of one rule on one CI, until `expires` (inclusive) unless revoked."""

    rule_id: str
    ci_type: str
    ci_id: int
    reason: str
    approver: str
    expires: dt.date
    revoked: bool = False

    def live(self, today: dt.date) -> bool:
        return not self.revoked and today <= self.expires


@dataclass(frozen=True)
class Finding:
    rule_id: str
    ci_type: str
    ci_id: int
    ci_name: str
    site_code: str
    region_code: str
    site_id: int | None
    status: Status
    severity: str
    evidence: str
    remediation: str


@dataclass
class IndicatorResult:
    indicator_id: str
    value: float
    numerator: int
    denominator: int
    breakdown: dict[str, dict[str, float]] = field(default_factory=dict)  # region -> n, d, value
    missing: list[str] = field(default_factory=list)
