"""Lifecycle: what falls due per year and region, the replacement budget, the software standard
and the licence position — from the compliance package's forecast."""

from __future__ import annotations

from collections import defaultdict

from flask import Blueprint, render_template
from markupsafe import Markup
from sqlalchemy import select

from cmdb.models import LicenseEntitlement
from compliance.lifecycle import forecast, licence_position
from web.charts import stacked_bars
from web.request_context import arg, db, facts, from_facts, int_arg, now, policies

bp = Blueprint("lifecycle", __name__)


@bp.get("/lifecycle")
def index() -> str:
    today = now().date()
    years = int_arg("years", 5, minimum=1, maximum=15)
    rows = from_facts(f"forecast {years}", lambda: forecast(facts(), policies(), today, years))
    region = arg("region")
    all_regions = sorted({r.region for r in rows})
    if region:
        rows = [r for r in rows if r.region == region]
    columns = [str(y) for y in range(today.year, today.year + years + 1)]
    budget: dict[str, list[float]] = defaultdict(lambda: [0.0] * len(columns))
    for row in rows:
        budget[row.region][row.year - today.year] += row.replacement_cost_pen
    by_year = {c: sum(v[i] for v in budget.values()) for i, c in enumerate(columns)}
    chart = stacked_bars(columns, dict(sorted(budget.items())), "Replacement budget (PEN)")
    seats = [(e.product, e.seats) for e in db().scalars(select(LicenseEntitlement))]
    return render_template(
        "lifecycle/index.html",
        rows=rows,
        chart=Markup(chart),  # built from escaped parts in web.charts
        by_year=by_year,
        total=sum(by_year.values()),
        regions=all_regions,
        selected={"region": region, "years": years},
        categories=policies().categories,
        not_allowed=policies().not_allowed,
        licences=from_facts(
            f"licences {seats}", lambda: licence_position(facts(), policies(), seats)
        ),
    )
