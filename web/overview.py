"""The first page: sites up and down now, worst links, scores, gaps, what falls due, poll runs."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from flask import Blueprint, render_template

from cmdb.sitequeries import sites_board
from cmdb.webqueries import recent_poll_runs
from compliance.lifecycle import forecast
from compliance.reports import controls_report
from web.request_context import db, facts, lang, now, policies, scores

bp = Blueprint("overview", __name__)
# forecast items end with "(YYYY-MM-DD)": the due date of that item
_DUE = re.compile(r"\((\d{4}-\d{2}-\d{2})\)$")


def due_within(days: int) -> list[dict[str, Any]]:
    """Forecast items (end of support, end of useful life) due from today to `days` ahead."""
    today = now().date()
    horizon = today + dt.timedelta(days=days)
    items = []
    for row in forecast(facts(), policies(), today, years=1):
        for item in row.items:
            match = _DUE.search(item)
            if match and today <= dt.date.fromisoformat(match.group(1)) <= horizon:
                items.append(
                    {
                        "region": row.region,
                        "category": row.category,
                        "item": item,
                        "due": match.group(1),
                    }
                )
    return sorted(items, key=lambda i: i["due"])


@bp.get("/")
def index() -> str:
    board = sites_board(db(), now())
    states = {s: [x for x in board if x.state == s] for s in ("up", "degraded", "down", "unknown")}
    probed = [x for x in board if x.state in ("up", "degraded") and x.rtt_ms is not None]
    worst = sorted(probed, key=lambda x: (-(x.loss_ratio or 0), -(x.rtt_ms or 0)))[:6]
    current = scores()
    gaps = sorted(
        (row for row in controls_report(policies(), current, lang()) if row["fail"] or row["gaps"]),
        key=lambda row: (-row["fail"], -row["gaps"]),
    )[:6]
    due = due_within(365)
    return render_template(
        "overview/index.html",
        states=states,
        down=sorted(states["down"], key=lambda x: x.down_since or now()),
        worst=worst,
        organisation=current.organisation,
        regions=sorted(current.regions.items()),
        gaps=gaps,
        due=due[:10],
        due_total=len(due),
        runs=recent_poll_runs(db()),
        now=now(),
    )
