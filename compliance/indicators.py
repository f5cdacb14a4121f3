"""The e-government plan's indicators: definitions from `policies/indicators.toml`, values computed.

Pure like the engine: units (sites with their devices and link state), findings, scores, facts and
a date in; one `IndicatorResult` per indicator out (value, numerator, denominator, per-region
breakdown, the members missing from the numerator). `cmdb.plan_values` loads the units and stores
the results; nothing here opens a session or reads the clock.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from compliance.facts import CiFacts, Unit
from compliance.lookup import add_years, equipment_class, hardware_model
from compliance.outcome import Finding, IndicatorResult
from compliance.policy import PolicySet
from compliance.policy_reader import PolicyError, Reader
from compliance.scoring import Score, Scores

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


@dataclass(frozen=True)
class PlanInputs:
    units: Sequence[Unit]
    findings: Sequence[Finding]
    scores: Scores
    facts: Sequence[CiFacts]
    policies: PolicySet
    today: dt.date


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
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PolicyError(f"{path}: indicator file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{path}: not valid TOML: {exc}") from None
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


class _Context:
    """Lookups shared by every criterion of one computation, built once."""

    def __init__(self, inputs: PlanInputs) -> None:
        self.inputs = inputs
        self.by_code = {u.code: u for u in inputs.units}
        self.kind_of = {d.id: d.kind for u in inputs.units for d in u.devices}
        self.findings: dict[tuple[str, str], list[Finding]] = defaultdict(list)
        for f in inputs.findings:
            if f.ci_type == "device":
                self.findings[(f.site_code, f.rule_id)].append(f)

    def path_up(self, unit: Unit) -> bool:
        seen: set[str] = set()
        while unit.uplink is not None:
            if unit.link_up is not True or unit.code in seen:
                return False
            seen.add(unit.code)
            nxt = self.by_code.get(unit.uplink)
            if nxt is None:
                return False
            unit = nxt
        return unit.kind == "headquarters"


def _site_holds(c: Criterion, unit: Unit, ctx: _Context) -> bool:
    if c.type == "site_flag":
        return bool(getattr(unit, c.flag))
    if c.type == "devices_present":
        found = [d for d in unit.devices if d.kind in c.kinds and (d.reachable or not c.reachable)]
        return len(found) >= c.minimum
    if c.type == "link_up":
        return unit.link_up is True
    if c.type == "path_to_headquarters":
        return ctx.path_up(unit)
    if c.type == "downstream_up":
        below = [u for u in ctx.inputs.units if u.uplink == unit.code and u.kind in c.kinds]
        return all(u.link_up is True for u in below)
    # rules_pass
    judged = [
        f
        for rule in c.rules
        for f in ctx.findings.get((unit.code, rule), ())
        if ctx.kind_of.get(f.ci_id) in c.kinds
    ]
    return any(f.status == "pass" for f in judged) and all(f.status in OK_STATUSES for f in judged)


def renewal_date(facts: CiFacts, policies: PolicySet) -> dt.date | None:
    """When the equipment falls due: the earlier of its hardware end of support and end of useful
    life (the date `compliance.lifecycle.forecast` budgets it in); None when neither is known."""
    dates = []
    model = hardware_model(facts.model, policies)
    if model is not None and model.end_of_support is not None:
        dates.append(model.end_of_support.date)
    klass = equipment_class(facts.kind, policies)
    if facts.purchase_date is not None and klass is not None:
        dates.append(add_years(facts.purchase_date, klass.useful_life_years))
    return min(dates, default=None)


def _ratio(numerator: int, denominator: int, unit: str) -> float:
    if unit == "count":
        return float(numerator)
    return 0.0 if denominator == 0 else round(100.0 * numerator / denominator, 2)


Member = tuple[str, str, Callable[[Criterion], bool]]  # name, region, does it meet a criterion


def _members(indicator: Indicator, ctx: _Context) -> list[Member]:
    inputs = ctx.inputs
    if indicator.population in SITE_POPULATIONS:
        kinds = SITE_POPULATIONS[indicator.population]
        return [
            (u.code, u.region, lambda c, u=u: _site_holds(c, u, ctx))  # type: ignore[misc]
            for u in inputs.units
            if u.kind in kinds
        ]
    if indicator.population == "devices":

        def current(facts: CiFacts) -> bool:
            due = renewal_date(facts, inputs.policies)
            return due is not None and due > inputs.today

        return [
            (f.name, f.region_code, lambda c, f=f: current(f))  # type: ignore[misc]
            for f in inputs.facts
            if f.ci_type == "device"
        ]
    return [
        (cid, "", lambda c, s=score: _implemented(c, s))  # type: ignore[misc]
        for cid, score in sorted(_controls(indicator.population, inputs).items())
    ]


def _controls(population: str, inputs: PlanInputs) -> dict[str, Score]:
    """Applicable controls (some finding judged or waived) with their score."""
    table = (
        inputs.scores.controls_2013
        if population == "controls_2013"
        else inputs.scores.controls_2022
    )
    return {
        cid: score
        for cid, score in table.items()
        if score.passed + score.failed + score.unknown + score.waived > 0
    }


def _implemented(c: Criterion, score: Score) -> bool:
    value = score.score
    return value is not None and value >= c.min_score and score.gap_share <= c.max_gap_share


def _compute(indicator: Indicator, ctx: _Context) -> IndicatorResult:
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    missing: list[str] = []
    members = _members(indicator, ctx)
    for name, region, meets in members:
        ok = all(meets(c) for c in indicator.criteria)
        if region:
            counts[region][1] += 1
            counts[region][0] += ok
        if not ok:
            missing.append(name)
    denominator = len(members)
    numerator = denominator - len(missing)
    breakdown = {
        region: {"numerator": n, "denominator": d, "value": _ratio(n, d, indicator.unit)}
        for region, (n, d) in sorted(counts.items())
    }
    return IndicatorResult(
        indicator.id,
        _ratio(numerator, denominator, indicator.unit),
        numerator,
        denominator,
        breakdown,
        sorted(missing),
    )


def compute_all(indicators: Sequence[Indicator], inputs: PlanInputs) -> list[IndicatorResult]:
    """Every indicator over the same inputs (the lookups are built once)."""
    ctx = _Context(inputs)
    return [_compute(indicator, ctx) for indicator in indicators]


def period_of(day: dt.date) -> str:
    """The plan's follow-up period of a date: "2026-H1" (January-June) or "2026-H2"."""
    return f"{day.year}-H{1 if day.month <= 6 else 2}"


def progress(value: float, target: float) -> float | None:
    """Share of the target reached, in percent, capped at 100; None for a zero target."""
    return None if target == 0 else round(min(100.0, 100.0 * value / target), 1)
