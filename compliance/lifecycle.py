"""Obsolescence forecast and licence position: what falls due per year and region, at what cost.

Pure like the engine: CiFacts, policies and a date in, rows out. A device's replacement is budgeted
once, in the year of the earliest of its hardware end of support and its end of useful life.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from compliance.facts import CiFacts
from compliance.lookup import (
    add_years,
    equipment_class,
    hardware_model,
    os_release,
    software_release,
)
from compliance.policy import PolicySet


@dataclass
class ForecastRow:
    year: int
    region: str
    category: str  # hardware_end_of_support, end_of_useful_life, os_ or software_end_of_support
    count: int = 0
    replacement_cost_pen: float = 0.0
    items: list[str] = field(default_factory=list)


def _due_dates(facts: CiFacts, policies: PolicySet) -> list[tuple[str, dt.date, str]]:
    due = []
    model = hardware_model(facts.model, policies)
    if model is not None and model.end_of_support is not None:
        due.append(("hardware_end_of_support", model.end_of_support.date, facts.model))
    klass = equipment_class(facts.kind, policies)
    if facts.purchase_date is not None and klass is not None:
        end = add_years(facts.purchase_date, klass.useful_life_years)
        due.append(("end_of_useful_life", end, f"purchased {facts.purchase_date.isoformat()}"))
    if facts.os_version:
        release = os_release(facts, policies)
        if release is not None and release.end_of_support() is not None:
            due.append(("os_end_of_support", release.end_of_support(), release.shown))  # type: ignore[arg-type]
    for item in facts.software or ():
        release = software_release(item, policies)
        if release is not None and release.end_of_support() is not None:
            due.append(("software_end_of_support", release.end_of_support(), release.shown))  # type: ignore[arg-type]
    return due


def forecast(
    facts_list: Iterable[CiFacts], policies: PolicySet, today: dt.date, years: int = 5
) -> list[ForecastRow]:
    """Rows per (year, region, category) from today's year to `years` ahead; earlier dues count in
    today's year (overdue: still to be replaced)."""
    rows: dict[tuple[int, str, str], ForecastRow] = {}
    last_year = today.year + years
    for facts in facts_list:
        if facts.ci_type != "device":
            continue
        due = _due_dates(facts, policies)
        hardware = [d for d in due if d[0] in ("hardware_end_of_support", "end_of_useful_life")]
        budget_category = min(hardware, key=lambda d: d[1])[0] if hardware else None
        cost = policies.replacement_costs.get(facts.kind)
        for category, day, what in due:
            year = max(day.year, today.year)
            if year > last_year:
                continue
            key = (year, facts.region_code, category)
            row = rows.setdefault(key, ForecastRow(year, facts.region_code, category))
            row.count += 1
            row.items.append(f"{facts.name}: {what} ({day.isoformat()})")
            if category == budget_category and cost is not None:
                row.replacement_cost_pen += cost.unit_cost_pen
    return sorted(rows.values(), key=lambda r: (r.year, r.region, r.category))


@dataclass(frozen=True)
class LicencePosition:
    product: str
    region: str  # "" for the organisation-wide total
    installs: int
    seats: int | None  # entitlements are organisation-wide: only on the total row


def licence_position(
    facts_list: Iterable[CiFacts], policies: PolicySet, entitlements: Sequence[tuple[str, int]]
) -> list[LicencePosition]:
    """Installs per licensable product and region, and the organisation total against seats."""
    installs: dict[tuple[str, str], int] = defaultdict(int)
    for facts in facts_list:
        for product in policies.licensable:
            if any(product.installed.search(item.name) for item in facts.software or ()):
                installs[(product.title, facts.region_code)] += 1
    rows = []
    for product in policies.licensable:
        regional = {region: n for (title, region), n in installs.items() if title == product.title}
        seats = sum(n for name, n in entitlements if product.entitlement.search(name))
        entitled = any(product.entitlement.search(name) for name, _ in entitlements)
        if not regional and not entitled:
            continue
        rows += [
            LicencePosition(product.title, region, n, None)
            for region, n in sorted(regional.items())
        ]
        rows.append(
            LicencePosition(product.title, "", sum(regional.values()), seats if entitled else 0)
        )
    return rows
