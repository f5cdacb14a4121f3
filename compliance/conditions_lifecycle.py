"""Condition types on lifecycle and standard tables.

End of support, useful life, the base-software standard and licences.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from compliance.conditions import Evaluator
from compliance.facts import CiFacts, SoftwareItem
from compliance.lookup import (
    Release,
    add_years,
    equipment_class,
    hardware_model,
    os_release,
    software_release,
)
from compliance.outcome import Outcome, failed, nothing, passed, unknown
from compliance.policy import Condition, PolicySet
from compliance.policy_catalogue import Category
from compliance.policy_reader import parse_version


def release_verdict(release: Release, today: dt.date) -> Outcome:
    product = release.product
    if release.older_than_known:
        below = ".".join(map(str, product.unsupported_below or ()))
        return failed(
            f"{release.shown}: older than {below}, treated as unsupported "
            f"({product.unsupported_below_source})"
        )
    cycle = release.cycle
    if cycle is None:
        return unknown(release.note)
    if cycle.end_of_support is None:
        return passed(f"{release.shown}: no end of support announced ({product.source})")
    end = cycle.end_of_support
    if today > end.date:
        return failed(
            f"{release.shown} ({cycle.label}): end of support {end.text}; source {product.source}"
        )
    return passed(
        f"{release.shown} ({cycle.label}): supported until {end.text}; source {product.source}"
    )


def os_supported(cond: Condition, facts: CiFacts, policies: PolicySet, today: dt.date) -> Outcome:
    if not facts.os_version:
        return unknown("OS version not collected")
    release = os_release(facts, policies)
    if release is None:
        return unknown(f"no lifecycle entry for {facts.os_name} {facts.os_version}".strip())
    return release_verdict(release, today)


def software_supported(
    cond: Condition, facts: CiFacts, policies: PolicySet, today: dt.date
) -> Outcome:
    if facts.software is None:
        return unknown("installed software not collected")
    bad, good, gaps = [], [], []
    for item in facts.software:
        release = software_release(item, policies)
        if release is None:
            continue  # a product the lifecycle tables do not track at all
        outcome = release_verdict(release, today)
        if outcome.status == "fail":
            bad.append(outcome.evidence)
        elif outcome.status == "pass":
            good.append(release.shown)
        else:  # a tracked product whose release is missing from its table: say so
            gaps.append(outcome.evidence)
    if bad:
        return failed("; ".join(bad))
    if gaps:
        return unknown("; ".join(gaps))
    if not good:
        return nothing("pass", "no product with a lifecycle entry")
    return passed("supported: " + ", ".join(good))


def _version(item: SoftwareItem, match_version: str | None) -> tuple[int, ...]:
    return parse_version(match_version or item.version)


def software_required(
    cond: Condition, facts: CiFacts, policies: PolicySet, today: dt.date
) -> Outcome:
    if facts.software is None:
        return unknown("installed software not collected")
    category = policies.category(cond.category)
    if not facts.software:
        return nothing("fail", f"no installed product: no approved {category.title.lower()}")
    too_old = []
    for item in facts.software:
        for approved in category.approved:
            match = approved.name.search(item.name)
            if not match:
                continue
            version = _version(item, match.groupdict().get("v"))
            shown = f"{item.name} {item.version}".strip()
            if approved.min_version is None or version >= approved.min_version:
                return passed(shown)
            too_old.append(f"{shown}: below the minimum {approved.min_text}")
    if too_old:
        return failed("; ".join(too_old))
    return failed(f"no approved {category.title.lower()} installed")


MARKS = ("standard", "non_standard", "outdated", "not_allowed", "other")
PROBLEMS = ("non_standard", "outdated", "not_allowed")


def standard_mark(
    item: SoftwareItem, policies: PolicySet, categories: Iterable[Category]
) -> tuple[str, str]:
    """(mark, why) of one installed product against the base-software standard: one of MARKS.
    The rule `software_standard` and the device page both judge with this function."""
    shown = f"{item.name} {item.version}".strip()
    for banned in policies.not_allowed:
        if banned.name.search(item.name):
            return "not_allowed", f"{shown}: not allowed ({banned.reason})"
    for category in categories:
        if not category.detect.search(item.name):
            continue
        for approved in category.approved:
            match = approved.name.search(item.name)
            if not match:
                continue
            version = _version(item, match.groupdict().get("v"))
            if approved.min_version is not None and version and version < approved.min_version:
                return "outdated", f"{shown}: below the standard's minimum {approved.min_text}"
            return "standard", f"{category.title}: {approved.product}"
        return "non_standard", f"{shown}: not an approved product ({category.title})"
    return "other", ""


def software_mark(item: SoftwareItem, policies: PolicySet, today: dt.date) -> tuple[str, str]:
    """(mark, why) of one installed product against the whole standard and the lifecycle
    tables: banned first, then past its end of support, then the standard's categories."""
    mark = standard_mark(item, policies, policies.categories)
    if mark[0] == "not_allowed":
        return mark
    release = software_release(item, policies)
    if release is not None:
        verdict = release_verdict(release, today)
        if verdict.status == "fail":
            return "outdated", verdict.evidence
    return mark


def _standard_problem(item: SoftwareItem, cond: Condition, policies: PolicySet) -> str | None:
    mark, why = standard_mark(item, policies, (policies.category(c) for c in cond.categories))
    return why if mark in PROBLEMS else None


def software_standard(
    cond: Condition, facts: CiFacts, policies: PolicySet, today: dt.date
) -> Outcome:
    if facts.software is None:
        return unknown("installed software not collected")
    if not facts.software:
        return nothing("pass", "no installed product to check against the standard")
    problems = [p for item in facts.software if (p := _standard_problem(item, cond, policies))]
    if problems:
        return failed("; ".join(problems))
    return passed(f"{len(facts.software)} installed products checked against the standard")


def os_standard(cond: Condition, facts: CiFacts, policies: PolicySet, today: dt.date) -> Outcome:
    """The device's operating system against the standard's `operating_system` category (the
    OS is not in the installed-software list, so `software_standard` never sees it)."""
    if not facts.os_name or not facts.os_version:
        return unknown("OS name or version not collected")
    item = SoftwareItem(f"{facts.os_name} {facts.os_version}", facts.os_version)
    category = policies.category("operating_system")
    mark, why = standard_mark(item, policies, (category,))
    if mark in PROBLEMS:
        return failed(why)
    if mark == "other":
        return failed(f"{item.name}: not an approved product ({category.title})")
    return passed(f"{item.name}: {why}")


def hardware_supported(
    cond: Condition, facts: CiFacts, policies: PolicySet, today: dt.date
) -> Outcome:
    if not facts.model:
        return unknown("model unknown")
    entry = hardware_model(facts.model, policies)
    if entry is None:
        return unknown(f"no lifecycle entry for model {facts.model}")
    if entry.end_of_support is None:
        return passed(f"{facts.model}: no end of support announced ({entry.source})")
    end = entry.end_of_support
    text = f"{facts.model} ({entry.title}): end of support {end.text}; source {entry.source}"
    return failed(text) if today > end.date else passed(text)


def useful_life(cond: Condition, facts: CiFacts, policies: PolicySet, today: dt.date) -> Outcome:
    if facts.purchase_date is None:
        return nothing("unknown", "no purchase date in the inventory")
    klass = equipment_class(facts.kind, policies)
    if klass is None:
        return unknown(f"no equipment class (useful life) for kind {facts.kind}")
    end = add_years(facts.purchase_date, klass.useful_life_years)
    text = (
        f"purchased {facts.purchase_date.isoformat()}, useful life {klass.useful_life_years} years "
        f"until {end.isoformat()} ({klass.source})"
    )
    return failed(text) if today >= end else passed(text)


EXPORTS: dict[str, Evaluator] = {
    "os_supported": os_supported,
    "software_supported": software_supported,
    "software_required": software_required,
    "software_standard": software_standard,
    "os_standard": os_standard,
    "hardware_supported": hardware_supported,
    "useful_life": useful_life,
}
