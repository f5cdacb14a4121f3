"""Load and validate `policies/`; a `PolicySet` is the frozen, checked form the engine reads.

A bad file raises `PolicyError` naming the file, the rule (or entry) and the field, and what was
expected. `PolicyStore` keeps the last good set when a reload fails, so a running service goes on
evaluating with the policies it had.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from compliance.policy_catalogue import (
    Category,
    Control,
    EquipmentClass,
    HardwareModel,
    Licensable,
    NotAllowed,
    ReplacementCost,
    SoftwareProduct,
    load_controls,
    load_hardware,
    load_licensable,
    load_software,
    load_standard,
)
from compliance.policy_reader import PolicyError, Reader

SEVERITIES = ("critical", "high", "medium", "low")
CI_TYPES = ("device", "link")
SCOPES = ("global", "any")
# The closed set of condition types: required fields, optional fields.
CONDITIONS: dict[str, tuple[set[str], set[str]]] = {
    "config_has": ({"patterns"}, {"scope", "ignore_case"}),
    "config_lacks": ({"patterns"}, {"scope", "ignore_case"}),
    "config_count": ({"pattern", "min"}, {"scope", "ignore_case"}),
    "config_lines_match": ({"select", "require"}, {"scope", "none", "ignore_case"}),
    "config_numbers": ({"select"}, {"scope", "min", "max", "none"}),
    "every_block": ({"block", "require"}, {"near", "number_min", "number_max", "none"}),
    "fact_equals": ({"fact", "value"}, set()),
    "fact_min": ({"fact", "min"}, set()),
    "fact_max": ({"fact", "max"}, set()),
    "fact_excludes": ({"fact", "patterns"}, set()),
    "fact_nonempty": ({"fact"}, {"requires_seen"}),
    "max_age_days": ({"fact", "days"}, set()),
    "sa_all": ({"field"}, {"require", "min"}),
    "sa_any": ({"field", "require"}, set()),
    "os_supported": (set(), set()),
    "software_supported": (set(), set()),
    "software_standard": (set(), {"categories"}),
    "software_required": ({"category"}, set()),
    "software_licensed": (set(), set()),
    "hardware_supported": (set(), set()),
    "useful_life": (set(), set()),
}
FACTS = {
    "config.last_confirmed",
    "device.last_seen",
    "device.owner",
    "device.serial",
    "device.model",
    "link.availability_30d",
}
FACT_PREFIXES = ("sshd.", "host_state.")
SA_FIELDS = ("ike_version", "status", "encryption", "integrity", "dh_group", "lifetime_s", "pfs")
_LEADING_WORD = re.compile(r"^\^([A-Za-z0-9][A-Za-z0-9_-]*)(?:$|\$| |\\s)")


def leading_word(pattern: re.Pattern[str]) -> str | None:
    """The literal first word an anchored pattern needs ("^ntp server " -> "ntp"), if any."""
    # IOS prints its keywords in lower case, so a case-blind pattern keeps its (lower-case) word.
    depth = 0
    for char in pattern.pattern:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "|" and depth == 0:
            return None  # a top-level alternation may start with another word
    match = _LEADING_WORD.match(pattern.pattern)
    return match.group(1) if match else None


@dataclass(frozen=True)
class Condition:
    type: str
    fact: str = ""
    scope: str = "global"
    patterns: tuple[re.Pattern[str], ...] = ()
    keys: tuple[str | None, ...] = ()  # leading word of each pattern, for the line index
    select: re.Pattern[str] | None = None
    require: re.Pattern[str] | None = None
    near: re.Pattern[str] | None = None
    block: re.Pattern[str] | None = None
    value: str = ""
    minimum: float | None = None
    maximum: float | None = None
    days: int = 0
    none: str = "fail"  # what a condition with nothing to inspect gives
    requires_seen: bool = False
    categories: tuple[str, ...] = ()
    category: str = ""
    sa_field: str = ""


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    ci_types: tuple[str, ...]
    platforms: tuple[str, ...]
    kinds: tuple[str, ...]
    severity: str
    controls_2013: tuple[str, ...]
    controls_2022: tuple[str, ...]
    source: str
    remediation: str
    conditions: tuple[Condition, ...]


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
    entitlements: tuple[str, ...] = ()  # product names of licence entitlements, from the CMDB
    source: str = ""
    _by_id: Mapping[str, Rule] = field(default_factory=dict, repr=False, compare=False)

    def rule(self, rule_id: str) -> Rule:
        return self._by_id[rule_id]

    def with_entitlements(self, products: Iterable[str]) -> PolicySet:
        """The same policies plus the licence entitlements recorded in the CMDB."""
        return dataclasses.replace(self, entitlements=tuple(products))

    def category(self, category_id: str) -> Category:
        return next(c for c in self.categories if c.id == category_id)


def _condition(r: Reader, known_categories: set[str]) -> Condition:
    ctype = r.choice("type", tuple(CONDITIONS))
    required, optional = CONDITIONS[ctype]
    r.check_keys(required | optional | {"type"})
    for key in sorted(required):
        if key not in r.table:
            raise r.error(key, f"a value (required by condition type {ctype})")
    icase = r.flag("ignore_case")
    values: dict[str, Any] = {"type": ctype, "scope": r.choice("scope", SCOPES, "global")}
    if "fact" in r.table:
        fact = r.text("fact")
        if fact not in FACTS and not fact.startswith(FACT_PREFIXES):
            raise r.error(
                "fact", "one of " + ", ".join(sorted(FACTS)) + ", sshd.<key>, host_state.<key>"
            )
        values["fact"] = fact
    if "patterns" in r.table:
        values["patterns"] = r.regex_list("patterns", icase)
    if "pattern" in r.table:
        values["patterns"] = (r.regex("pattern", icase),)
    values["keys"] = tuple(leading_word(p) for p in values.get("patterns", ()))
    for key in ("select", "require", "near", "block"):
        if key in r.table:
            values[key] = r.regex(key, icase)
    if "value" in r.table:
        values["value"] = r.text("value")
    values["minimum"] = (
        r.optional_number("min") if ctype != "every_block" else r.optional_number("number_min")
    )
    values["maximum"] = (
        r.optional_number("max") if ctype != "every_block" else r.optional_number("number_max")
    )
    if "days" in r.table:
        values["days"] = int(r.number("days"))
    values["none"] = r.choice("none", ("fail", "pass", "not_applicable"), "fail")
    values["requires_seen"] = r.flag("requires_seen")
    values["categories"] = r.str_list("categories")
    if "category" in r.table:
        values["category"] = r.text("category")
    for name in (*values["categories"], *([values["category"]] if "category" in values else [])):
        if name not in known_categories:
            raise r.error(
                "categories" if "categories" in r.table else "category",
                "categories defined in software-standard.toml",
            )
    if "field" in r.table:
        values["sa_field"] = r.choice("field", SA_FIELDS)
    return Condition(**values)


def _rule(
    file: str,
    table: Mapping[str, Any],
    controls: tuple[Mapping[str, Control], Mapping[str, Control]],
    known_categories: set[str],
) -> Rule:
    r = Reader(file, f"rule {table.get('id', '?')}", table)
    r.check_keys(
        {
            "id",
            "title",
            "ci_types",
            "platforms",
            "kinds",
            "severity",
            "controls_2013",
            "controls_2022",
            "source",
            "remediation",
            "condition",
        }
    )
    for key, catalogue in (("controls_2013", controls[0]), ("controls_2022", controls[1])):
        for control in r.str_list(key, required=True):
            if control not in catalogue:
                raise r.error(key, f"control ids of controls.toml ({control!r} is unknown)")
    ci_types = r.str_list("ci_types") or ("device",)
    for ci_type in ci_types:
        if ci_type not in CI_TYPES:
            raise r.error("ci_types", "a list of " + ", ".join(CI_TYPES))
    conditions = []
    for index, table_c in enumerate(r.tables("condition"), start=1):
        where = f"{r.where} condition {index}"
        conditions.append(_condition(Reader(file, where, table_c), known_categories))
    if not conditions:
        raise r.error("condition", "at least one [[rule.condition]]")
    return Rule(
        r.text("id"),
        r.text("title"),
        ci_types,
        r.str_list("platforms"),
        r.str_list("kinds"),
        r.choice("severity", SEVERITIES),
        r.str_list("controls_2013", True),
        r.str_list("controls_2022", True),
        r.text("source"),
        r.text("remediation"),
        tuple(conditions),
    )


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PolicyError(f"{path}: policy file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{path}: not valid TOML: {exc}") from None


def load_policies(directory: str | Path) -> PolicySet:
    """Read and check every policy file under `directory` (settings.policies_path)."""
    root = Path(directory)
    controls = load_controls(str(root / "controls.toml"), _read_toml(root / "controls.toml"))
    categories, banned = load_standard(
        str(root / "software-standard.toml"), _read_toml(root / "software-standard.toml")
    )
    software, hardware, classes, costs = [], [], [], {}
    for path in sorted((root / "lifecycle").glob("*.toml")):
        data = _read_toml(path)
        if "software" in data:
            software += load_software(str(path), data)
        else:
            models, more_classes, more_costs = load_hardware(str(path), data)
            hardware += models
            classes += more_classes
            costs.update(more_costs)
    licensable = load_licensable(str(root / "licenses.toml"), _read_toml(root / "licenses.toml"))
    rules_file = str(root / "rules.toml")
    data = _read_toml(root / "rules.toml")
    top = Reader(rules_file, "top level", data)
    top.check_keys({"rule", "severity_weights"})
    weights_r = Reader(rules_file, "severity_weights", data.get("severity_weights", {}))
    weights_r.check_keys(set(SEVERITIES))
    weights = {s: weights_r.number(s) for s in SEVERITIES}
    known = {c.id for c in categories}
    rules = tuple(_rule(rules_file, t, controls, known) for t in top.tables("rule"))
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
        source=str(root),
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


__all__ = ["Condition", "PolicyError", "PolicySet", "PolicyStore", "Rule", "load_policies"]
