"""The semi-annual follow-up report of the plan: indicator rows, largest control gaps, equipment
falling due, and their rendering as a table, CSV or JSON (the PDF is the web page's HTML).

Pure: stored indicator values, scores and facts in, rows out. Labels are Spanish by default, as the
plan is; English for the web page's other language.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from compliance.facts import CiFacts
from compliance.indicators import Indicator, not_applicable, progress
from compliance.lifecycle import forecast
from compliance.policy import PolicySet
from compliance.reports import render

HARDWARE_DUE = ("hardware_end_of_support", "end_of_useful_life")
GAPS_SHOWN = 8
DUE_SHOWN = 10
Row = dict[str, Any]

LABELS: dict[str, dict[str, str]] = {
    "es": {
        "title": "Plan de Gobierno Digital: informe de seguimiento semestral",
        "period": "Periodo",
        "previous": "Periodo anterior",
        "as_of": "Datos al",
        "indicators": "Indicadores",
        "id": "Código",
        "name": "Indicador",
        "value": "Valor",
        "fraction": "Logrado / total",
        "target": "Meta",
        "year": "Año",
        "progress": "Avance",
        "change": "Variación",
        "trend": "Tendencia",
        "missing": "Unidades pendientes",
        "none": "ninguna",
        "gaps": "Controles ISO/IEC 27001 con mayores brechas",
        "control": "Control",
        "score": "Puntaje",
        "fail": "Incumplimientos",
        "unknown": "Sin evidencia",
        "due": "Equipamiento que vence (renovación por obsolescencia)",
        "region": "Región",
        "category": "Motivo",
        "count": "Equipos",
        "cost": "Costo de reposición (S/)",
        "hardware_end_of_support": "fin de soporte del hardware",
        "end_of_useful_life": "fin de vida útil",
        "no_values": "Aún no hay valores: ejecute `atalaya report plan` tras una colección.",
        "not_applicable": "no aplica",
    },
    "en": {
        "title": "E-government plan: semi-annual follow-up report",
        "period": "Period",
        "previous": "Previous period",
        "as_of": "Data as of",
        "indicators": "Indicators",
        "id": "Id",
        "name": "Indicator",
        "value": "Value",
        "fraction": "Met / total",
        "target": "Target",
        "year": "Year",
        "progress": "Progress",
        "change": "Change",
        "trend": "Trend",
        "missing": "Units missing",
        "none": "none",
        "gaps": "ISO/IEC 27001 controls with the largest gaps",
        "control": "Control",
        "score": "Score",
        "fail": "Failures",
        "unknown": "No evidence",
        "due": "Equipment falling due (renewal by obsolescence)",
        "region": "Region",
        "category": "Reason",
        "count": "Devices",
        "cost": "Replacement cost (PEN)",
        "hardware_end_of_support": "hardware end of support",
        "end_of_useful_life": "end of useful life",
        "no_values": "No values yet: run `atalaya report plan` after a collection.",
        "not_applicable": "not applicable",
    },
}


class StoredValue(Protocol):
    """What the report reads of a stored value (`cmdb.models.IndicatorValue`)."""

    value: float
    numerator: int
    denominator: int
    missing: list[Any]


@dataclass
class PlanReport:
    period: str
    previous_period: str | None
    as_of: dt.date
    lang: str
    indicators: list[Row]
    control_gaps: list[Row] = field(default_factory=list)
    falling_due: list[Row] = field(default_factory=list)
    history: dict[str, list[float]] = field(default_factory=dict)

    @property
    def labels(self) -> dict[str, str]:
        return LABELS.get(self.lang, LABELS["es"])

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "as_of": self.as_of.isoformat()}


class StoredPlan(Protocol):
    """What the CMDB holds for a follow-up period (`cmdb.plan_values.StoredPlan`)."""

    @property
    def period(self) -> str: ...
    @property
    def previous_period(self) -> str | None: ...
    @property
    def values(self) -> Mapping[str, StoredValue]: ...
    @property
    def previous_values(self) -> Mapping[str, StoredValue]: ...
    @property
    def scores(self) -> Mapping[str, Any]: ...
    @property
    def history(self) -> dict[str, list[float]]: ...


def build_report(
    stored: StoredPlan,
    indicators: Sequence[Indicator],
    policies: PolicySet,
    facts: Sequence[CiFacts],
    today: dt.date,
    lang: str = "es",
) -> PlanReport:
    """The follow-up report of the stored period: indicators against the period before,
    control gaps of the latest scores, and the hardware falling due."""
    return PlanReport(
        period=stored.period,
        previous_period=stored.previous_period,
        as_of=today,
        lang=lang,
        indicators=indicator_rows(indicators, stored.values, stored.previous_values),
        control_gaps=control_gaps(stored.scores, policies, lang),
        falling_due=falling_due(facts, policies, today),
        history=stored.history,
    )


def indicator_rows(
    indicators: Sequence[Indicator],
    current: Mapping[str, StoredValue],
    previous: Mapping[str, StoredValue],
) -> list[Row]:
    """One row per indicator, in the plan's order; value None when it was never computed, or when
    it does not apply (`not_applicable`: a percentage of nothing, 0/0)."""
    rows = []
    for indicator in indicators:
        now, before = current.get(indicator.id), previous.get(indicator.id)
        absent = now is None or not_applicable(indicator.unit, now.denominator)
        value = None if now is None or absent else now.value
        if before is not None and not_applicable(indicator.unit, before.denominator):
            before = None
        rows.append(
            {
                "id": indicator.id,
                "name": indicator.name,
                "unit": indicator.unit,
                "value": value,
                "not_applicable": now is not None and absent,
                "numerator": None if now is None else now.numerator,
                "denominator": None if now is None else now.denominator,
                "target": indicator.target,
                "target_year": indicator.target_year,
                "progress": None if value is None else progress(value, indicator.target),
                "previous": None if before is None else before.value,
                "change": None
                if value is None or before is None
                else round(value - before.value, 2),
                "missing": [] if now is None else list(now.missing),
            }
        )
    return rows


def control_gaps(scores: Mapping[str, Any], policies: PolicySet, lang: str = "es") -> list[Row]:
    """The controls (2013 numbering, the national standard's) with most failing findings,
    titled in `lang`."""
    table: Mapping[str, Any] = scores.get("controls_2013", {})
    rows = [
        {
            "control": cid,
            "iso27001_2022": ", ".join(policies.controls_2013[cid].maps_to)
            if cid in policies.controls_2013
            else "",
            "title": policies.controls_2013[cid].title_in(lang)
            if cid in policies.controls_2013
            else "",
            "score": s.get("score"),
            "fail": int(s.get("failed", 0)),
            "unknown": int(s.get("unknown", 0)),
        }
        for cid, s in table.items()
        if s.get("failed", 0) or s.get("unknown", 0)
    ]
    rows.sort(key=lambda r: (-r["fail"], -r["unknown"], r["control"]))
    return rows[:GAPS_SHOWN]


def falling_due(
    facts: Sequence[CiFacts], policies: PolicySet, today: dt.date, years: int = 1
) -> list[Row]:
    """Hardware that falls due this year and next (overdue counts now), by region and reason."""
    due = [r for r in forecast(facts, policies, today, years) if r.category in HARDWARE_DUE]
    due.sort(key=lambda r: (r.year, -r.count, r.region))
    return [
        {
            "year": r.year,
            "region": r.region,
            "category": r.category,
            "count": r.count,
            "replacement_cost_pen": r.replacement_cost_pen,
        }
        for r in due[:DUE_SHOWN]
    ]


def flat_rows(report: PlanReport) -> list[Row]:
    """The indicator rows for a table or CSV: the missing units joined, the breakdown left out."""
    na = report.labels["not_applicable"]
    return [
        {
            "id": r["id"],
            "name": r["name"],
            "value": na if r.get("not_applicable") else r["value"],
            "unit": "%" if r["unit"] == "percentage" else "n",
            "met": None if r["numerator"] is None else f"{r['numerator']}/{r['denominator']}",
            "target": r["target"],
            "year": r["target_year"],
            "progress": r["progress"],
            "change": r["change"],
            "missing": " ".join(r["missing"]),
        }
        for r in report.indicators
    ]


def render_text(report: PlanReport, fmt: str) -> str:
    """table, csv or json (json carries everything, the sections and the history included)."""
    if fmt == "json":
        return json.dumps(report.as_dict(), ensure_ascii=False, indent=2, default=str)
    rows = flat_rows(report)
    if fmt == "csv":
        return render(rows, "csv")
    labels = report.labels
    head = (
        f"{labels['title']}\n{labels['period']} {report.period}"
        f" · {labels['previous']} {report.previous_period or '-'}"
        f" · {labels['as_of']} {report.as_of.isoformat()}"
    )
    parts = [head, "", render(rows, "table")]
    if report.control_gaps:
        parts += ["", labels["gaps"], render(report.control_gaps, "table")]
    if report.falling_due:
        parts += ["", labels["due"], render(report.falling_due, "table")]
    return "\n".join(parts)
