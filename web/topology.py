"""The network drawn in the browser: the national map of Peru (sites coloured by state or by
compliance score), the national view (establishment -> regional office -> headquarters with each
link's state) and a site's devices and cables. Each graphic has a table of the same data beside
it; the data reach the page as JSON in the HTML (the scripts are vendored: no CDN)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template

from cmdb.models import Site
from cmdb.topologyqueries import national_sites, site_topology
from web.request_context import db, now, scores

bp = Blueprint("topology", __name__)


@bp.get("/map")
def national() -> str:
    sites = national_sites(db(), now())
    current = scores().sites
    for site in sites:
        score = current.get(site["code"])
        site["score"] = None if score is None else score.score
    return render_template("topology/map.html", sites=sites)


@bp.get("/sites/<code>/topology")
def site(code: str) -> str:
    row = db().query(Site).filter(Site.code == code).one_or_none()
    if row is None:
        abort(404)
    devices, cables = site_topology(db(), row.id)
    graph: dict[str, Any] = {
        "nodes": [{"id": d["hostname"], "kind": d["kind"], "reachable": d["reachable"]}
                  for d in devices],
        "edges": [{"source": c.a, "target": c.b, "label": f"{c.a_port} – {c.b_port}"}
                  for c in cables],
    }  # fmt: skip
    known = {d["hostname"] for d in devices}
    graph["nodes"] += [
        {"id": host, "kind": "other site", "reachable": None}
        for host in sorted(({c.a for c in cables} | {c.b for c in cables}) - known)
    ]
    return render_template(
        "topology/site.html", site=row, devices=devices, cables=cables, graph=graph
    )
