"""The sites board (every site by region, coloured by state) and one site's page."""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict

from flask import Blueprint, abort, render_template
from sqlalchemy import select

from cmdb.models import SITE_KINDS, Link
from cmdb.sitequeries import SiteStatus, site_devices, site_outages, sites_board
from cmdb.webqueries import finding_query, paginate, regions
from web.request_context import arg, db, now, scores

bp = Blueprint("sites", __name__)
STATES = ("down", "degraded", "unknown", "up")


def by_region(board: list[SiteStatus]) -> OrderedDict[str, list[SiteStatus]]:
    grouped: OrderedDict[str, list[SiteStatus]] = OrderedDict()
    for site in board:
        grouped.setdefault(f"{site.region_code} · {site.region_name}", []).append(site)
    return grouped


@bp.get("/sites")
def board() -> str:
    region, kind = arg("region"), arg("kind")
    state = arg("state")
    rows = sites_board(db(), now(), region=region, kind=kind)
    if state in STATES:
        rows = [r for r in rows if r.state == state]
    counts = {s: sum(1 for r in rows if r.state == s) for s in STATES}
    return render_template(
        "sites/board.html",
        grouped=by_region(rows),
        counts=counts,
        regions=regions(db()),
        kinds=SITE_KINDS,
        states=STATES,
        selected={"region": region, "kind": kind, "state": state},
        now=now(),
    )


@bp.get("/sites/<code>")
def site(code: str) -> str:
    rows = sites_board(db(), now(), site_code=code)
    if not rows:
        abort(404)
    status = rows[0]
    since = now() - dt.timedelta(days=90)
    findings = paginate(db(), finding_query(site=code, status="fail"), 1, 200)
    return render_template(
        "sites/site.html",
        site=status,
        devices=site_devices(db(), status.id),
        outages=site_outages(db(), status.id, since),
        findings=findings,
        score=scores().sites.get(code),
        now=now(),
        link_id=db().scalar(select(Link.id).where(Link.site_id == status.id)),
    )
