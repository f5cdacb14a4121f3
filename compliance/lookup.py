"""Find what the lifecycle tables say about an OS, an installed product or a hardware model."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from compliance.facts import CiFacts, SoftwareItem
from compliance.policy import PolicySet
from compliance.policy_catalogue import Cycle, EquipmentClass, HardwareModel, SoftwareProduct
from compliance.policy_reader import parse_version


@dataclass(frozen=True)
class Release:
    """What the tables say about one release: its cycle, or why there is none."""

    product: SoftwareProduct
    shown: str  # "Ubuntu 16.04", "Cisco IOS (classic) 12.2(55)SE"
    cycle: Cycle | None
    older_than_known: bool = False  # below the product's `unsupported_below`
    note: str = ""

    def end_of_support(self) -> dt.date | None:
        if self.cycle is None or self.cycle.end_of_support is None:
            return None
        return self.cycle.end_of_support.date


def _prefix(version: tuple[int, ...], cycle: tuple[int, ...]) -> bool:
    return len(version) >= len(cycle) and version[: len(cycle)] == cycle


def _release(product: SoftwareProduct, text: str, version: str, model: str, shown: str) -> Release:
    numbers = parse_version(version) or parse_version(text)
    for cycle in product.cycles:
        hit = (cycle.match is not None and cycle.match.search(text)) or (
            cycle.version is not None and _prefix(numbers, cycle.version)
        )
        if not hit:
            continue
        if cycle.models is not None and not cycle.models.search(model):
            return Release(
                product,
                shown,
                None,
                note=f"{product.title} {cycle.label}: dates known only for other models",
            )
        return Release(product, shown, cycle)
    below = product.unsupported_below
    if below is not None and numbers and numbers[: len(below)] < below:
        return Release(product, shown, None, older_than_known=True)
    return Release(product, shown, None, note=f"no lifecycle entry for {shown}")


def os_release(facts: CiFacts, policies: PolicySet) -> Release | None:
    """The device OS in the lifecycle tables; None when no product there describes it."""
    text = f"{facts.os_name} {facts.os_version}".strip()
    for product in policies.software:
        if product.scope != "os" or (product.platforms and facts.platform not in product.platforms):
            continue
        if product.name is not None and not product.name.search(facts.os_name):
            continue
        if product.version_pattern is not None and not product.version_pattern.search(
            facts.os_version
        ):
            continue
        return _release(
            product,
            text,
            facts.os_version,
            facts.model,
            f"{facts.os_name or product.title} {facts.os_version}",
        )
    return None


def software_release(item: SoftwareItem, policies: PolicySet) -> Release | None:
    """An installed product in the lifecycle tables; None when none describes it."""
    for product in policies.software:
        if (
            product.scope == "installed"
            and product.name is not None
            and product.name.search(item.name)
        ):
            shown = f"{item.name} {item.version}".strip()
            return _release(product, item.name, item.version, "", shown)
    return None


def hardware_model(model: str, policies: PolicySet) -> HardwareModel | None:
    return next((h for h in policies.hardware if h.model.search(model)), None) if model else None


def equipment_class(kind: str, policies: PolicySet) -> EquipmentClass | None:
    return next((c for c in policies.equipment_classes if kind in c.kinds), None)


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a non-leap year
        return day.replace(year=day.year + years, day=28)


def end_of_support_dates(
    policies: PolicySet, platform: str, model: str, os_name: str, os_version: str
) -> tuple[dt.date | None, dt.date | None]:
    """(hardware, OS) end of support of a device as the lifecycle rules read them."""
    hardware = hardware_model(model, policies)
    hw_end = hardware.end_of_support.date if hardware and hardware.end_of_support else None
    facts = CiFacts(
        ci_type="device",
        ci_id=0,
        name="",
        site_code="",
        region_code="",
        kind="",
        platform=platform,
        model=model,
        os_name=os_name,
        os_version=os_version,
    )
    release = os_release(facts, policies) if os_version else None  # as compliance.lifecycle
    return hw_end, release.end_of_support() if release else None


def rules_with_condition(policies: PolicySet, condition_type: str) -> list[str]:
    """Ids of the rules that judge with a condition of this type."""
    return [
        rule.id
        for rule in policies.rules
        if any(cond.type == condition_type for cond in rule.conditions)
    ]


def metrics_policy(
    policies: PolicySet,
) -> tuple[Callable[[str, str, str, str], tuple[dt.date | None, dt.date | None]], list[str]]:
    """What `/metrics` reads of the policies: end-of-support dates by (platform, model, OS,
    version), and the software standard's rules. Shared by the web process and the jobs
    that render `/metrics` at the end of a cycle (cmdb.metricsnapshot.PolicyView)."""

    def end_of_support(
        platform: str, model: str, os_name: str, os_version: str
    ) -> tuple[dt.date | None, dt.date | None]:
        return end_of_support_dates(policies, platform, model, os_name, os_version)

    return end_of_support, rules_with_condition(policies, "software_standard")
