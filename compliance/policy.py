"""Load and validate `policies/`; a `PolicySet` is the frozen, checked form the engine reads.

A bad file raises `PolicyError` naming the file, the rule (or entry) and the field, and what was
expected. `PolicyStore` keeps the last good set when a reload fails, so a running service goes on
evaluating with the policies it had. Rules and their conditions are read by
`compliance.policy_rules`, the catalogues by `compliance.policy_catalogue`; the names other
modules use (`Rule`, `Condition`, `SEVERITIES`, …) are importable from here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from compliance.catalogue_controls import Source
from compliance.catalogue_files import load_catalogue, read_toml
from compliance.catalogue_soa import StatementOfApplicability
from compliance.facts import Entitlement
from compliance.platform_defaults import PlatformDefault, load_platform_defaults
from compliance.policy_catalogue import (
    Category,
    Control,
    EquipmentClass,
    HardwareModel,
    Licensable,
    NotAllowed,
    ReplacementCost,
    SoftwareProduct,
    load_hardware,
    load_licensable,
    load_software,
    load_standard,
)
from compliance.policy_reader import PolicyError, Reader
from compliance.policy_rules import CONDITIONS, SEVERITIES, Condition, Rule, leading_word, read_rule
from compliance.policy_vulns import AdvisoryCatalogue, is_vulnerability_rule, vulnerability_rule

if TYPE_CHECKING:
    from compliance.advisories import Advisory
    from compliance.facts import CiFacts


@dataclass(frozen=True)
class PolicySet:
    rules: tuple[Rule, ...]
    controls_2013: Mapping[str, Control]
    controls_2022: Mapping[str, Control]
    severity_weights: Mapping[str, float]
    software: tuple[SoftwareProduct, ...]
    hardware: tuple[HardwareModel, ...]
    equipment_classes: tuple[EquipmentClass, ...]
    replacement_costs: Mapping[str, ReplacementCost]
    categories: tuple[Category, ...]
    not_allowed: tuple[NotAllowed, ...]
    licensable: tuple[Licensable, ...]
    # The agency's Statement of Applicability: the policies/soa.toml seed as loaded; the jobs and
    # the web overlay the security officer's edits from the CMDB (`with_soa`).
    soa: StatementOfApplicability
    control_sources: Mapping[str, Source] = field(default_factory=dict)
    entitlements: tuple[Entitlement, ...] = ()  # licence contracts, from the CMDB
    source: str = ""
    platform_defaults: tuple[PlatformDefault, ...] = ()
    # per licensable product id, the CIs installing it by name (set by evaluate_all)
    seat_holders: Mapping[str, tuple[str, ...]] = field(default_factory=dict, compare=False)
    _by_id: Mapping[str, Rule] = field(default_factory=dict, repr=False, compare=False)
    # the imported advisories: one VULN:<id> rule each (compliance.policy_vulns)
    advisories: AdvisoryCatalogue | None = field(default=None, repr=False, compare=False)

    def rule(self, rule_id: str) -> Rule:
        if rule_id not in self._by_id and is_vulnerability_rule(rule_id):
            advisory_id = rule_id.removeprefix("VULN:")
            if self.advisories is not None:
                return self.advisories.rule(advisory_id)
            return vulnerability_rule(advisory_id, None)
        return self._by_id[rule_id]

    def with_advisories(self, advisories: Iterable[Advisory]) -> PolicySet:
        """The same policies plus one known-vulnerability rule per advisory."""
        return dataclasses.replace(self, advisories=AdvisoryCatalogue.of(advisories))

    def advisory_rules(self, facts: CiFacts) -> list[Rule]:
        """The VULN: rules a device is judged on: advisories naming a product it runs."""
        return [] if self.advisories is None else self.advisories.rules_for(facts)

    def with_entitlements(self, products: Iterable[str | Entitlement]) -> PolicySet:
        """The same policies plus the licence entitlements recorded in the CMDB (a bare product
        name: an entitlement without seat count or expiry)."""
        return dataclasses.replace(
            self,
            entitlements=tuple(
                p if isinstance(p, Entitlement) else Entitlement(p) for p in products
            ),
        )

    def with_seat_holders(self, holders: Mapping[str, tuple[str, ...]]) -> PolicySet:
        return dataclasses.replace(self, seat_holders=holders)

    def with_soa(self, soa: StatementOfApplicability) -> PolicySet:
        """The same policies with another Statement of Applicability (the seed plus edits)."""
        return dataclasses.replace(self, soa=soa)

    def control(self, control_id: str) -> Control | None:
        """A 2013 ("A.12.4.4") or 2022 ("8.17") control of the catalogue."""
        return self.controls_2013.get(control_id) or self.controls_2022.get(control_id)

    def category(self, category_id: str) -> Category:
        return next(c for c in self.categories if c.id == category_id)


def load_policies(directory: str | Path) -> PolicySet:
    """Read and check every policy file under `directory` (settings.policies_path)."""
    root = Path(directory)
    catalogue = load_catalogue(root)
    controls = (dict(catalogue.controls.controls_2013), dict(catalogue.controls.controls_2022))
    categories, banned = load_standard(
        str(root / "software-standard.toml"), read_toml(root / "software-standard.toml")
    )
    software, hardware, classes, costs = [], [], [], {}
    for path in sorted((root / "lifecycle").glob("*.toml")):
        data = read_toml(path)
        if "software" in data:
            software += load_software(str(path), data)
        else:
            models, more_classes, more_costs = load_hardware(str(path), data)
            hardware += models
            classes += more_classes
            costs.update(more_costs)
    licensable = load_licensable(str(root / "licenses.toml"), read_toml(root / "licenses.toml"))
    defaults_file = root / "platform-defaults.toml"
    defaults = load_platform_defaults(str(defaults_file), read_toml(defaults_file))
    rules_file = str(root / "rules.toml")
    data = read_toml(root / "rules.toml")
    top = Reader(rules_file, "top level", data)
    top.check_keys({"rule", "severity_weights"})
    weights_r = Reader(rules_file, "severity_weights", data.get("severity_weights", {}))
    weights_r.check_keys(set(SEVERITIES))
    weights = {s: weights_r.number(s) for s in SEVERITIES}
    known = {c.id for c in categories}
    rules = tuple(read_rule(rules_file, t, controls, known) for t in top.tables("rule"))
    by_id: dict[str, Rule] = {}
    for rule in rules:
        if rule.id in by_id:
            raise PolicyError(
                f"{rules_file}: rule {rule.id}: field 'id': expected a unique id, got a duplicate"
            )
        by_id[rule.id] = rule
    return PolicySet(
        rules,
        controls[0],
        controls[1],
        weights,
        tuple(software),
        tuple(hardware),
        tuple(classes),
        costs,
        tuple(categories),
        tuple(banned),
        tuple(licensable),
        catalogue.soa,
        catalogue.controls.sources,
        source=str(root),
        platform_defaults=defaults,
        _by_id=by_id,
    )


class PolicyStore:
    """The policies a running service evaluates with; a failed reload keeps the last good set."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self.current: PolicySet = load_policies(self.directory)
        self.last_error: str = ""

    def reload(self) -> bool:
        """Re-read the files; on error keep the current set, remember why, and return False."""
        try:
            self.current = load_policies(self.directory)
        except PolicyError as exc:
            self.last_error = str(exc)
            return False
        self.last_error = ""
        return True


__all__ = [
    "CONDITIONS",
    "SEVERITIES",
    "Condition",
    "PolicyError",
    "PolicySet",
    "PolicyStore",
    "Rule",
    "leading_word",
    "load_policies",
]
