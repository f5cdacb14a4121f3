"""The known-vulnerability rule family: one rule per imported advisory, "VULN:<advisory id>".

The rules are not written in rules.toml: `PolicySet.with_advisories` gives the set an
`AdvisoryCatalogue`, and a rule id with the VULN: prefix names a rule built here, evidencing
A.12.6.1 / 8.8 (management of technical vulnerabilities) with the severity its CVSS rating
gives. A device is judged only on the advisories that name a product it runs (its OS family or
one of its distribution's packages), so 10,000 advisories do not become 10,000 findings per
device; each device's matches are computed once per evaluation, however many rules read them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from weakref import WeakKeyDictionary

from compliance.advisories import Advisory, AdvisoryIndex, Exposure
from compliance.advisories.records import severity_of
from compliance.facts import CiFacts
from compliance.policy_rules import Condition, Rule

VULN_PREFIX = "VULN:"
CONTROLS_2013 = ("A.12.6.1",)
CONTROLS_2022 = ("8.8",)
REMEDIATION = (
    "Upgrade to the fixed release the evidence names for the device's train; where none is "
    "published, apply the vendor's workaround and plan the move to a supported release."
)


@dataclass(frozen=True)
class DeviceView:
    """What the advisories say about one device."""

    exposures: dict[str, list[Exposure]]  # advisory id -> the components it affects
    concerning: dict[str, str]  # advisory id -> the component it names (affected or not)
    versions: dict[str, str]  # component -> installed version
    unreadable: frozenset[str] = frozenset()  # components whose version is not in its scheme


@dataclass
class AdvisoryCatalogue:
    """The imported advisories, indexed; each device's view computed once per CiFacts."""

    by_id: dict[str, Advisory]
    index: AdvisoryIndex
    _views: WeakKeyDictionary[CiFacts, DeviceView] = field(default_factory=WeakKeyDictionary)
    _rules: dict[str, Rule] = field(default_factory=dict)
    # per device: is its release past end of support? (asked by every failing VULN rule)
    past_end_of_support: WeakKeyDictionary[CiFacts, bool] = field(
        default_factory=WeakKeyDictionary
    )

    @classmethod
    def of(cls, advisories: Iterable[Advisory]) -> AdvisoryCatalogue:
        by_id = {a.id: a for a in advisories}
        return cls(by_id, AdvisoryIndex(by_id.values()))

    def view(self, facts: CiFacts) -> DeviceView:
        known = self._views.get(facts)
        if known is None:
            known = self._views[facts] = self._build(facts)
        return known

    def _build(self, facts: CiFacts) -> DeviceView:
        if facts.ci_type != "device" or not facts.os_name or not facts.os_version:
            return DeviceView({}, {}, {})
        packages = [(s.name, s.version) for s in facts.software or () if s.version]
        found = self.index.affecting(facts.os_name, facts.os_version, packages)
        exposures: dict[str, list[Exposure]] = {}
        for exposure in found.exposures:
            exposures.setdefault(exposure.advisory_id, []).append(exposure)
        versions = {facts.os_name: facts.os_version, **dict(packages)}
        unreadable = frozenset(text.rsplit(" ", 1)[0] for text in found.unreadable)
        concerning = self.index.concerning(facts.os_name, facts.os_version, packages)
        return DeviceView(exposures, concerning, versions, unreadable)

    def rule(self, advisory_id: str) -> Rule:
        if advisory_id not in self._rules:
            self._rules[advisory_id] = vulnerability_rule(advisory_id, self.by_id.get(advisory_id))
        return self._rules[advisory_id]

    def rules_for(self, facts: CiFacts) -> list[Rule]:
        """The rules of the advisories that name a product the device runs, by advisory id."""
        return [self.rule(advisory_id) for advisory_id in sorted(self.view(facts).concerning)]


def vulnerability_rule(advisory_id: str, advisory: Advisory | None) -> Rule:
    """The rule "VULN:<id>"; without the advisory (no longer imported) a rule that still
    places its stored findings under A.12.6.1 / 8.8."""
    title = f"{advisory_id}: {advisory.title}" if advisory is not None else advisory_id
    source = (
        f"{advisory.source.value.upper()} advisory {advisory_id}, revision {advisory.revision}"
        if advisory is not None
        else f"advisory {advisory_id}"
    )
    return Rule(
        id=VULN_PREFIX + advisory_id,
        title=title,
        ci_types=("device",),
        platforms=(),
        kinds=(),
        severity=severity_of(advisory.cvss if advisory is not None else None),
        controls_2013=CONTROLS_2013,
        controls_2022=CONTROLS_2022,
        source=source,
        remediation=REMEDIATION,
        conditions=(Condition(type="advisory", value=advisory_id),),
    )


def is_vulnerability_rule(rule_id: str) -> bool:
    return rule_id.startswith(VULN_PREFIX)
