"""Reference data the rules consult: controls, lifecycle, hardware, standard, licences.

The control catalogue lives in `compliance.catalogue_controls` and the Statement of Applicability in
`compliance.catalogue_soa`; `Control` and `load_controls` are re-exported here for existing callers.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from compliance.catalogue_controls import Control, load_controls
from compliance.policy_reader import DatedValue, PolicyError, Reader, parse_version


@dataclass(frozen=True)
class Cycle:
    cycle: str
    label: str
    match: re.Pattern[str] | None  # on "<name> <version>"
    version: tuple[int, ...] | None  # numeric prefix of the version
    models: re.Pattern[str] | None  # the cycle's dates hold only for these hardware models
    released: DatedValue | None
    end_of_active_support: DatedValue | None
    end_of_support: DatedValue | None
    end_of_extended_support: DatedValue | None


@dataclass(frozen=True)
class SoftwareProduct:
    id: str
    title: str
    scope: str  # os | installed
    platforms: tuple[str, ...]
    name: re.Pattern[str] | None
    version_pattern: re.Pattern[str] | None
    source: str
    support: str
    unsupported_below: tuple[int, ...] | None
    unsupported_below_source: str
    cycles: tuple[Cycle, ...]


@dataclass(frozen=True)
class HardwareModel:
    model: re.Pattern[str]
    title: str
    end_of_sale: DatedValue | None
    end_of_support: DatedValue | None
    source: str


@dataclass(frozen=True)
class EquipmentClass:
    id: str
    title: str
    kinds: tuple[str, ...]
    useful_life_years: int
    source: str


@dataclass(frozen=True)
class ReplacementCost:
    kind: str
    unit_cost_pen: float
    basis: str


@dataclass(frozen=True)
class ApprovedProduct:
    product: str
    name: re.Pattern[str]
    min_version: tuple[int, ...] | None
    min_text: str


@dataclass(frozen=True)
class Category:
    id: str
    title: str
    detect: re.Pattern[str]
    approved: tuple[ApprovedProduct, ...]


@dataclass(frozen=True)
class NotAllowed:
    product: str
    name: re.Pattern[str]
    reason: str


@dataclass(frozen=True)
class Licensable:
    id: str
    title: str
    installed: re.Pattern[str]
    entitlement: re.Pattern[str]


def _cycle(file: str, product: str, table: Mapping[str, Any]) -> Cycle:
    r = Reader(file, f"software {product} cycle {table.get('cycle', '?')}", table)
    r.check_keys(
        {
            "cycle",
            "label",
            "match",
            "version",
            "models",
            "released",
            "end_of_active_support",
            "end_of_support",
            "end_of_extended_support",
        }
    )
    version = parse_version(r.text("version")) if "version" in table else None
    if version == ():
        raise r.error("version", "a version with digits")
    cycle = r.text("cycle")
    return Cycle(
        cycle,
        r.text("label", cycle),
        r.optional_regex("match"),
        version,
        r.optional_regex("models"),
        r.date("released"),
        r.date("end_of_active_support"),
        r.date("end_of_support"),
        r.date("end_of_extended_support"),
    )


def load_software(file: str, data: Mapping[str, Any]) -> list[SoftwareProduct]:
    top = Reader(file, "top level", data)
    top.check_keys({"software"})
    products = []
    for table in top.tables("software"):
        r = Reader(file, f"software {table.get('id', '?')}", table)
        r.check_keys(
            {
                "id",
                "title",
                "scope",
                "platforms",
                "name",
                "version_pattern",
                "source",
                "support",
                "unsupported_below",
                "unsupported_below_source",
                "extended_support_counts",
                "cycle",
            }
        )
        pid = r.text("id")
        below = r.table.get("unsupported_below")
        cycles = tuple(_cycle(file, pid, c) for c in r.tables("cycle"))
        if r.flag("extended_support_counts"):
            # The extended phase is free security support (Debian LTS): it ends support.
            cycles = tuple(
                replace(c, end_of_support=c.end_of_extended_support or c.end_of_support)
                for c in cycles
            )
        if not cycles:
            raise r.error("cycle", "at least one [[software.cycle]]")
        products.append(
            SoftwareProduct(
                pid,
                r.text("title"),
                r.choice("scope", ("os", "installed")),
                r.str_list("platforms"),
                r.optional_regex("name"),
                r.optional_regex("version_pattern"),
                r.text("source"),
                r.text("support", ""),
                parse_version(r.text("unsupported_below")) if below else None,
                r.text("unsupported_below_source", ""),
                cycles,
            )
        )
    return products


def load_hardware(
    file: str, data: Mapping[str, Any]
) -> tuple[list[HardwareModel], list[EquipmentClass], dict[str, ReplacementCost]]:
    top = Reader(file, "top level", data)
    top.check_keys({"hardware", "equipment_class", "replacement_cost"})
    models = []
    for table in top.tables("hardware"):
        r = Reader(file, f"hardware {table.get('title', '?')}", table)
        r.check_keys({"model", "title", "end_of_sale", "end_of_support", "source"})
        models.append(
            HardwareModel(
                r.regex("model"),
                r.text("title"),
                r.date("end_of_sale"),
                r.date("end_of_support"),
                r.text("source"),
            )
        )
    classes = []
    for table in top.tables("equipment_class"):
        r = Reader(file, f"equipment_class {table.get('id', '?')}", table)
        r.check_keys({"id", "title", "kinds", "useful_life_years", "useful_life_source"})
        years = r.number("useful_life_years")
        if years <= 0 or years != int(years):
            raise r.error("useful_life_years", "a positive whole number of years")
        classes.append(
            EquipmentClass(
                r.text("id"),
                r.text("title"),
                r.str_list("kinds", True),
                int(years),
                r.text("useful_life_source"),
            )
        )
    costs = {}
    for table in top.tables("replacement_cost"):
        r = Reader(file, f"replacement_cost {table.get('kind', '?')}", table)
        r.check_keys({"kind", "unit_cost_pen", "basis"})
        costs[r.text("kind")] = ReplacementCost(
            r.text("kind"), r.number("unit_cost_pen"), r.text("basis")
        )
    return models, classes, costs


def load_standard(file: str, data: Mapping[str, Any]) -> tuple[list[Category], list[NotAllowed]]:
    top = Reader(file, "top level", data)
    top.check_keys({"category", "not_allowed"})
    categories = []
    for table in top.tables("category"):
        r = Reader(file, f"category {table.get('id', '?')}", table)
        r.check_keys({"id", "title", "detect", "approved"})
        approved = []
        for entry in r.tables("approved"):
            a = Reader(file, f"category {r.text('id')} approved {entry.get('product', '?')}", entry)
            a.check_keys({"product", "name", "min_version"})
            minimum = a.text("min_version") if "min_version" in entry else ""
            approved.append(
                ApprovedProduct(
                    a.text("product"),
                    a.regex("name"),
                    parse_version(minimum) if minimum else None,
                    minimum,
                )
            )
        categories.append(
            Category(r.text("id"), r.text("title"), r.regex("detect"), tuple(approved))
        )
    banned = []
    for table in top.tables("not_allowed"):
        r = Reader(file, f"not_allowed {table.get('product', '?')}", table)
        r.check_keys({"product", "name", "reason"})
        banned.append(NotAllowed(r.text("product"), r.regex("name"), r.text("reason")))
    return categories, banned


def load_licensable(file: str, data: Mapping[str, Any]) -> list[Licensable]:
    top = Reader(file, "top level", data)
    top.check_keys({"licensable"})
    result = []
    for table in top.tables("licensable"):
        r = Reader(file, f"licensable {table.get('id', '?')}", table)
        r.check_keys({"id", "title", "installed", "entitlement"})
        installed = r.regex("installed")
        entitlement = r.regex("entitlement") if "entitlement" in table else installed
        result.append(Licensable(r.text("id"), r.text("title"), installed, entitlement))
    return result


def end_date(value: DatedValue | None) -> dt.date | None:
    return None if value is None else value.date


__all__ = ["Control", "PolicyError", "load_controls"]
