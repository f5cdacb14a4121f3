"""The e-government plan's indicators as `policies/indicators.toml` defines them: each one's
population, unit, target and criteria, checked on load. `compliance.indicators` computes them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from compliance.policy_reader import Reader, read_toml

FILE = "indicators.toml"
UNITS = ("count", "percentage")
SITE_POPULATIONS: dict[str, tuple[str, ...]] = {
    "establishments": ("establishment",),
    "regional_offices": ("regional_office",),
    "all_units": ("establishment", "regional_office"),
    "all_sites": ("headquarters", "data_centre", "regional_office", "establishment"),
    # the headquarters hosts the main data centre ("Sede Central y Centro de Datos Principal")
    "data_centres": ("headquarters", "data_centre"),
    "contingency_data_centres": ("data_centre",),
}
POPULATIONS = (*SITE_POPULATIONS, "devices", "controls_2013", "controls_2022")
# criterion type -> (population family, required fields, optional fields)
CRITERIA: dict[str, tuple[str, set[str], set[str]]] = {
    "site_flag": ("sites", {"flag"}, set()),
    "devices_present": ("sites", {"kinds"}, {"min", "reachable"}),
    "link_up": ("sites", set(), set()),
    "path_to_headquarters": ("sites", set(), set()),
    "downstream_up": ("sites", {"kinds"}, set()),
    "rules_pass": ("sites", {"rules", "kinds"}, set()),
    "hardware_current": ("devices", set(), set()),
    "control_implemented": ("controls", {"min_score"}, {"max_gap_share"}),
}
SITE_FLAGS = ("has_lan", "in_continuity_plan")
OK_STATUSES = ("pass", "waived", "not_applicable")  # waived: an accepted, recorded deviation


@dataclass(frozen=True)
class Criterion:
    type: str
    flag: str = ""
    kinds: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()
    minimum: int = 1
    reachable: bool = False
    min_score: float = 0.0
    max_gap_share: float = 0.0


@dataclass(frozen=True)
class Indicator:
    id: str
    name: str
    unit: str
    target: float
    target_year: int
    population: str
    criteria: tuple[Criterion, ...]


def _criterion(r: Reader, population: str) -> Criterion:
    ctype = r.choice("type", tuple(CRITERIA))
    family, required, optional = CRITERIA[ctype]
    wanted = "sites" if population in SITE_POPULATIONS else population.split("_")[0]
    if family != wanted:
        raise r.error(
            "type", f"a criterion for population {population!r} ({ctype} is for {family})"
        )
    r.check_keys(required | optional | {"type"})
    for key in sorted(required):
        if key not in r.table:
            raise r.error(key, f"a value (required by criterion type {ctype})")
    return Criterion(
        ctype,
        flag=r.choice("flag", SITE_FLAGS) if "flag" in r.table else "",
        kinds=r.str_list("kinds"),
        rules=r.str_list("rules"),
        minimum=int(r.number("min", 1)),
        reachable=r.flag("reachable"),
        min_score=r.number("min_score", 0.0),
        max_gap_share=r.number("max_gap_share", 0.0),
    )


def load_indicators(directory: str | Path, rule_ids: Iterable[str] = ()) -> list[Indicator]:
    """Read and check `indicators.toml`; `rule_ids`, when given, are the rules criteria may name."""
    path = Path(directory) / FILE
    data = read_toml(path)
    Reader(str(path), "top level", data).check_keys({"indicator"})
    known_rules = set(rule_ids)
    indicators: list[Indicator] = []
    for table in Reader(str(path), "top level", data).tables("indicator"):
        r = Reader(str(path), f"indicator {table.get('id', '?')}", table)
        r.check_keys({"id", "name", "unit", "target", "target_year", "population", "criterion"})
        population = r.choice("population", POPULATIONS)
        criteria = tuple(
            _criterion(Reader(str(path), f"{r.where} criterion {i}", t), population)
            for i, t in enumerate(r.tables("criterion"), start=1)
        )
        if not criteria:
            raise r.error("criterion", "at least one [[indicator.criterion]]")
        unknown = [x for c in criteria for x in c.rules if known_rules and x not in known_rules]
        if unknown:
            raise r.error("criterion", f"rule ids of rules.toml ({', '.join(unknown)} unknown)")
        indicator = Indicator(
            r.text("id"),
            r.text("name"),
            r.choice("unit", UNITS),
            r.number("target"),
            int(r.number("target_year")),
            population,
            criteria,
        )
        if any(i.id == indicator.id for i in indicators):
            raise r.error("id", "a unique id, got a duplicate")
        indicators.append(indicator)
    return indicators
