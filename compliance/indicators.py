"""The e-government plan's indicators, computed. Their definitions (`policies/indicators.toml`)
are read by `compliance.indicator_definitions`; `load_indicators` is importable from here too.

Pure like the engine: units (sites with their devices and link state), findings, scores, facts and
a date in; one `IndicatorResult` per indicator out (value, numerator, denominator, per-region
breakdown, the members missing from the numerator). `cmdb.plan_values` loads the units and stores
the results; nothing here opens a session or reads the clock.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from compliance.catalogue_soa import SoaEntry
from compliance.facts import CiFacts, Unit
from compliance.indicator_definitions import (
    SITE_POPULATIONS,
    Criterion,
    Indicator,
    load_indicators,
)
from compliance.lookup import add_years, equipment_class, hardware_model
from compliance.outcome import Finding, IndicatorResult
from compliance.policy import PolicySet
from compliance.scoring import Score, Scores

__all__ = [
    "Indicator",
    "IndicatorResult",
    "PlanInputs",
    "compute_all",
    "load_indicators",
    "not_applicable",
    "period_of",
    "progress",
    "renewal_date",
]

OK_STATUSES = ("pass", "waived", "not_applicable")  # waived: an accepted, recorded deviation


@dataclass(frozen=True)
class PlanInputs:
    units: Sequence[Unit]
    findings: Sequence[Finding]
    scores: Scores
    facts: Sequence[CiFacts]
    policies: PolicySet
    today: dt.date


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
    # 0 of 0 is stored as 0.0 (the column holds a number); readers say "not applicable" for it
    # (`not_applicable`), never 0 %
    return 0.0 if denominator == 0 else round(100.0 * numerator / denominator, 2)


def not_applicable(unit: str, denominator: int | None) -> bool:
    """A percentage over nothing (no site of that kind, no applicable control) does not apply."""
    return unit == "percentage" and denominator == 0


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
        (cid, "", lambda c, e=entry, s=score: _implemented(c, e, s))  # type: ignore[misc]
        for cid, (entry, score) in sorted(_controls(indicator.population, inputs).items())
    ]


def _controls(population: str, inputs: PlanInputs) -> dict[str, tuple[SoaEntry, Score]]:
    """The controls the SoA declares applicable (all of Annex A but the exclusions, not only those
    some rule evidences), each with its SoA entry and its automated score (empty: no rule)."""
    edition = "2013" if population == "controls_2013" else "2022"
    table = (
        inputs.scores.controls_2013 if edition == "2013" else inputs.scores.controls_2022
    )
    return {
        cid: (entry, table.get(cid) or Score())
        for cid, entry in inputs.policies.soa.entries(edition).items()
        if entry.applicable
    }


def _implemented(c: Criterion, entry: SoaEntry, score: Score) -> bool:
    """Declared implemented in the SoA and, where rules evidence the control, their findings agree:
    score >= min_score with no more evidence gaps than allowed. A control no rule judged (nothing
    passed, failed or unknown) rests on the SoA's word and its documents."""
    if entry.status != "implemented":
        return False
    if score.passed + score.failed + score.unknown == 0:
        return True
    value = score.score
    automated = value is not None and value >= c.min_score
    return automated and score.gap_share <= c.max_gap_share


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
