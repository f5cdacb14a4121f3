"""Severity-weighted scores per control, device, site, region and organisation.

score = weighted passes / weighted (passes + fails), as a percentage. Unknown findings are an
evidence gap reported beside the score (count and share), never inside it; not-applicable and
waived findings stay outside the denominator (waived counted apart: accepted risk stays visible).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from compliance.engine import Finding
from compliance.policy import PolicySet, Rule


@dataclass
class Score:
    passed: int = 0
    failed: int = 0
    unknown: int = 0
    waived: int = 0
    not_applicable: int = 0
    weight_passed: float = 0.0
    weight_failed: float = 0.0
    failed_by_severity: dict[str, int] = field(default_factory=dict)

    def add(self, status: str, severity: str, weight: float) -> None:
        if status == "pass":
            self.passed += 1
            self.weight_passed += weight
        elif status == "fail":
            self.failed += 1
            self.weight_failed += weight
            self.failed_by_severity[severity] = self.failed_by_severity.get(severity, 0) + 1
        elif status == "unknown":
            self.unknown += 1
        elif status == "waived":
            self.waived += 1
        else:
            self.not_applicable += 1

    @property
    def score(self) -> float | None:
        """Percentage of weighted passes; None when nothing was judged pass or fail."""
        judged = self.weight_passed + self.weight_failed
        return None if judged == 0 else round(100.0 * self.weight_passed / judged, 2)

    @property
    def gap_share(self) -> float:
        """Share of the applicable findings that lack evidence (unknown)."""
        total = self.passed + self.failed + self.unknown
        return 0.0 if total == 0 else round(self.unknown / total, 4)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "score": self.score, "gap_share": self.gap_share}


@dataclass
class Scores:
    organisation: Score
    regions: dict[str, Score]
    sites: dict[str, Score]
    devices: dict[str, Score]
    controls_2013: dict[str, Score]
    controls_2022: dict[str, Score]

    def as_dict(self, with_devices: bool = False) -> dict[str, Any]:
        def table(scores: Mapping[str, Score]) -> dict[str, Any]:
            return {key: value.as_dict() for key, value in sorted(scores.items())}

        result = {
            "organisation": self.organisation.as_dict(),
            "regions": table(self.regions),
            "sites": table(self.sites),
            "controls_2013": table(self.controls_2013),
            "controls_2022": table(self.controls_2022),
        }
        if with_devices:
            result["devices"] = table(self.devices)
        return result


def _ci_key(f: Finding) -> str:
    return f"{f.ci_type}:{f.ci_name}"


class _RuleLookup(dict[str, Rule]):
    """Rules by id, the VULN: family included (built by the policies on first use)."""

    def __init__(self, policies: PolicySet) -> None:
        super().__init__((rule.id, rule) for rule in policies.rules)
        self.policies = policies

    def __missing__(self, rule_id: str) -> Rule:
        rule = self[rule_id] = self.policies.rule(rule_id)
        return rule


def score_findings(findings: Iterable[Finding], policies: PolicySet) -> Scores:
    scores = Scores(Score(), {}, {}, {}, {}, {})
    rules = _RuleLookup(policies)
    groups: list[tuple[dict[str, Score], Callable[[Finding], Iterable[str]]]] = [
        (scores.regions, lambda f: [f.region_code]),
        (scores.sites, lambda f: [f.site_code]),
        (scores.devices, lambda f: [_ci_key(f)]),
        (scores.controls_2013, lambda f: rules[f.rule_id].controls_2013),
        (scores.controls_2022, lambda f: rules[f.rule_id].controls_2022),
    ]
    for finding in findings:
        weight = policies.severity_weights[finding.severity]
        scores.organisation.add(finding.status, finding.severity, weight)
        for table, keys in groups:
            for key in keys(finding):
                table.setdefault(key, Score()).add(finding.status, finding.severity, weight)
    return scores
