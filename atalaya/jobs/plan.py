"""The e-government plan's runs: evaluate, compute every indicator, store the values under the
follow-up period, and build the period's report from what is stored.

Asked for a past period, `plan_report` reports what was stored then and stores nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from atalaya.jobs.evaluation import Run, run_evaluation
from atalaya.settings import Settings
from cmdb.models import utcnow
from cmdb.plan_values import load_units, store_values, stored_plan
from compliance.indicators import PlanInputs, compute_all, load_indicators, period_of
from compliance.outcome import IndicatorResult
from compliance.plan_report import PlanReport, build_report


@dataclass
class PlanRun:
    run: Run
    period: str
    results: list[IndicatorResult]


def evaluate_plan(
    settings: Settings, session: Session, as_of: dt.date | None = None, period: str | None = None
) -> PlanRun:
    """Evaluate as of a date, compute every indicator and store the values under `period`
    (default: the period of the evaluation date)."""
    run = run_evaluation(settings, session, as_of, store=True)
    indicators = load_indicators(settings.policies_path, [r.id for r in run.policies.rules])
    inputs = PlanInputs(
        load_units(session), run.findings, run.scores, run.facts, run.policies, run.as_of
    )
    results = compute_all(indicators, inputs)
    chosen = period or period_of(run.as_of)
    store_values(session, results, utcnow(), chosen)
    return PlanRun(run, chosen, results)


def plan_report(
    settings: Settings,
    session: Session,
    as_of: dt.date | None = None,
    period: str | None = None,
    lang: str = "es",
) -> PlanReport:
    """Evaluate and store (unless `period` is a past one), then the report of `period`."""
    today = as_of or utcnow().date()
    current = period_of(today)
    if period is None or period >= current:
        run = evaluate_plan(settings, session, as_of, period or current).run
        chosen = period or current
    else:
        run = run_evaluation(settings, session, as_of, store=False)
        chosen = period
    indicators = load_indicators(settings.policies_path, [r.id for r in run.policies.rules])
    stored = stored_plan(session, [i.id for i in indicators], chosen, current)
    return build_report(stored, indicators, run.policies, run.facts, today, lang)
