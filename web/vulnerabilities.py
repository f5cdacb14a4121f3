"""Vulnerabilities: which devices published advisories affect, per advisory (by region and site)
and per device, as a page and under /api/v1/ — both from `cmdb.vulnqueries`, like
`atalaya report vulnerabilities`, so the three always show the same counts."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import Blueprint, abort, jsonify, render_template
from werkzeug.wrappers import Response

from cmdb.vulnqueries import SEVERITY_ORDER, VulnerabilityView, vulnerability_view
from cmdb.webqueries import regions
from web.api_params import string_filters
from web.request_context import db

bp = Blueprint("vulnerabilities", __name__)
api_bp = Blueprint("api_vulnerabilities", __name__)


def _view() -> tuple[VulnerabilityView, dict[str, str | None]]:
    chosen = string_filters("vulnerabilities")
    if chosen["severity"] and chosen["severity"] not in SEVERITY_ORDER:
        abort(400, f"severity: expected one of {', '.join(SEVERITY_ORDER)}")
    return vulnerability_view(db(), chosen["region"], chosen["site"], chosen["severity"]), chosen


@bp.get("/vulnerabilities")
def index() -> str:
    view, chosen = _view()
    return render_template(
        "vulnerabilities/index.html", view=view, totals=view.totals(), selected=chosen,
        kept={k: v for k, v in chosen.items() if v},  # the advisory page keeps the filters
        regions=regions(db()), severities=SEVERITY_ORDER,
    )


@bp.get("/vulnerabilities/<path:advisory_id>")
def advisory(advisory_id: str) -> str:
    view, chosen = _view()
    found = next((a for a in view.advisories if a.advisory_id == advisory_id), None)
    if found is None:
        abort(404)
    by_region: dict[str, dict[str, list[Any]]] = {}
    for row in found.exposed:
        by_region.setdefault(row.region, {}).setdefault(row.site, []).append(row)
    return render_template(
        "vulnerabilities/advisory.html", advisory=found, by_region=by_region, selected=chosen
    )


def _advisory_json(view: VulnerabilityView) -> list[dict[str, Any]]:
    return [
        {**{k: v for k, v in asdict(a).items() if k != "exposed"},
         "exposed": [{"device_id": e.device_id, "device": e.hostname, "site": e.site,
                      "region": e.region, "status": e.status, "evidence": e.evidence}
                     for e in a.exposed]}
        for a in view.advisories
    ]


@api_bp.get("/vulnerabilities")
def api_advisories() -> Response:
    view, _ = _view()
    return jsonify({"totals": view.totals(), "items": _advisory_json(view),
                    "total": len(view.advisories)})


@api_bp.get("/vulnerabilities/devices")
def api_devices() -> Response:
    view, _ = _view()
    items = [
        {"device_id": d.device_id, "device": d.hostname, "site": d.site, "region": d.region,
         "worst": d.worst,
         "advisories": [{"advisory_id": e.advisory_id, "status": e.status,
                         "severity": e.severity, "evidence": e.evidence} for e in d.advisories]}
        for d in view.devices
    ]
    return jsonify({"totals": view.totals(), "items": items, "total": len(items)})
