"""The rules of `policies/rules.toml`, checked one by one: each `Rule` and its `Condition`s in
the frozen form the engine reads. A bad rule raises `PolicyError` naming the file, the rule,
the field and what was expected; `compliance.policy` loads the whole set.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from compliance.policy_catalogue import Control
from compliance.policy_reader import Reader

SEVERITIES = ("critical", "high", "medium", "low")
CI_TYPES = ("device", "link", "discovered")
SCOPES = ("global", "any")
# What a rule gives when none of its conditions finds anything to judge (docs/rules-contract.md)
ABSENT = ("pass", "fail", "unknown", "not_applicable")
# The closed set of condition types: required fields, optional fields.
CONDITIONS: dict[str, tuple[set[str], set[str]]] = {
    "config_has": ({"patterns"}, {"scope", "ignore_case"}),
    "config_lacks": ({"patterns"}, {"scope", "ignore_case"}),
    "config_count": ({"pattern", "min"}, {"scope", "ignore_case"}),
    "config_lines_match": ({"select", "require"}, {"scope", "none", "ignore_case"}),
    "config_numbers": ({"select"}, {"scope", "min", "max", "none"}),
    "every_block": (
        {"block", "require"},
        {"near", "number_min", "number_max", "none", "where", "override"},
    ),
    "fact_equals": ({"fact", "value"}, set()),
    "fact_min": ({"fact", "min"}, set()),
    "fact_max": ({"fact", "max"}, set()),
    "fact_excludes": ({"fact", "patterns"}, set()),
    "fact_includes": ({"fact", "patterns"}, set()),
    "fact_nonempty": ({"fact"}, {"requires_seen"}),
    "max_age_days": ({"fact", "days"}, set()),
    "sustained_max": ({"fact", "max", "days"}, set()),
    "sa_all": ({"field"}, {"require", "min"}),
    "sa_any": ({"field", "require"}, set()),
    "os_supported": (set(), set()),
    "software_supported": (set(), set()),
    "software_standard": (set(), {"categories"}),
    "software_required": ({"category"}, set()),
    "software_licensed": (set(), set()),
    "licence_seats": (set(), set()),
    "os_standard": (set(), set()),
    "hardware_supported": (set(), set()),
    "useful_life": (set(), set()),
    "advisory": ({"value"}, set()),  # value: an advisory id; see compliance.policy_vulns
}
FACTS = {
    "config.last_confirmed",
    "device.last_seen",
    "device.owner",
    "device.serial",
    "device.model",
    "link.availability_30d",
    "discovered.inventory",
    "link.p95_utilisation",
}
FACT_PREFIXES = ("sshd.", "host_state.")
SA_FIELDS = ("ike_version", "status", "encryption", "integrity", "dh_group", "lifetime_s", "pfs")
_LEADING_WORD = re.compile(r"^\^([A-Za-z0-9][A-Za-z0-9_-]*)(?:$|\$| |\\s)")


@functools.lru_cache(maxsize=1024)  # asked once per line-selecting condition per CI
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
    where: re.Pattern[str] | None = None  # every_block: only blocks with a child matching it
    override: re.Pattern[str] | None = None  # every_block: a global line that covers all
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
    """One rule. `title` and `remediation` are the English texts (title_en, remediation_en)
    that existing callers read; `text(field, language)` gives either language."""

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
    absent: str = "unknown"  # the verdict when no condition finds anything to judge
    title_es: str = ""
    remediation_es: str = ""
    benchmark: tuple[str, ...] = ()  # CIS / STIG ids
    hardening: bool = False  # a configuration-hardening check: maps to 2022 8.9

    def text(self, field: str, language: str = "es") -> str:
        """`title` or `remediation` in `language` ("es" or "en"); English when Spanish lacks it."""
        english = str(getattr(self, field))
        if language.lower().startswith("es"):
            return str(getattr(self, f"{field}_es")) or english
        return english


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
    for key in ("select", "require", "near", "block", "where", "override"):
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


_RULE_KEYS = {
    "id",
    "title_en",
    "title_es",
    "ci_types",
    "platforms",
    "kinds",
    "severity",
    "controls_2013",
    "controls_2022",
    "source",
    "benchmark",
    "hardening",
    "absent",
    "remediation_en",
    "remediation_es",
    "condition",
}


def _checked_controls(
    r: Reader, controls: tuple[Mapping[str, Control], Mapping[str, Control]]
) -> None:
    for key, catalogue in (("controls_2013", controls[0]), ("controls_2022", controls[1])):
        for control in r.str_list(key, required=True):
            if control not in catalogue:
                raise r.error(key, f"control ids of controls.toml ({control!r} is unknown)")
    if r.flag("hardening") and "8.9" not in r.str_list("controls_2022", True):
        raise r.error(
            "controls_2022", "8.9 (configuration management) among them: a hardening rule"
        )
    if r.flag("hardening") and not r.str_list("benchmark"):
        raise r.error("benchmark", "the CIS / STIG ids of a hardening rule")


def read_rule(
    file: str,
    table: Mapping[str, Any],
    controls: tuple[Mapping[str, Control], Mapping[str, Control]],
    known_categories: set[str],
) -> Rule:
    """One `[[rule]]` table, its controls checked against both catalogues."""
    r = Reader(file, f"rule {table.get('id', '?')}", table)
    r.check_keys(_RULE_KEYS)
    _checked_controls(r, controls)
    ci_types = r.str_list("ci_types") or ("device",)
    for ci_type in ci_types:
        if ci_type not in CI_TYPES:
            raise r.error("ci_types", "a list of " + ", ".join(CI_TYPES))
    if "absent" not in r.table:
        raise r.error("absent", "what absence means for this rule: one of " + ", ".join(ABSENT))
    conditions = []
    for index, table_c in enumerate(r.tables("condition"), start=1):
        where = f"{r.where} condition {index}"
        conditions.append(_condition(Reader(file, where, table_c), known_categories))
    if not conditions:
        raise r.error("condition", "at least one [[rule.condition]]")
    return Rule(
        r.text("id"),
        r.text("title_en"),
        ci_types,
        r.str_list("platforms"),
        r.str_list("kinds"),
        r.choice("severity", SEVERITIES),
        r.str_list("controls_2013", True),
        r.str_list("controls_2022", True),
        r.text("source"),
        r.text("remediation_en"),
        tuple(conditions),
        absent=r.choice("absent", ABSENT),
        title_es=r.text("title_es"),
        remediation_es=r.text("remediation_es"),
        benchmark=r.str_list("benchmark"),
        hardening=r.flag("hardening"),
    )
