"""JSON API under /api/v1/: the same reads as the pages, filtered and paginated. Read-only."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from flask import Blueprint, abort, jsonify
from sqlalchemy import select
from werkzeug.wrappers import Response

from cmdb.models import Change, Device, Finding, LicenseEntitlement, Waiver
from cmdb.sitequeries import sites_board
from cmdb.webqueries import (
    Page,
    change_query,
    config_history,
    device_by_id,
    device_query,
    paginate,
)
from compliance.lifecycle import forecast, licence_position
from compliance.reports import controls_report
from web.api_params import string_filters, value
from web.findings import findings_from_args
from web.openapi import document
from web.request_context import (
    date_arg,
    db,
    facts,
    from_facts,
    lang,
    now,
    page_args,
    policies,
    scores,
)

bp = Blueprint("api", __name__)


def plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {k: plain(v) for k, v in dataclasses.asdict(value).items()}
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def listing(page: Page[Any], items: list[dict[str, Any]]) -> Response:
    return jsonify(
        {
            "items": plain(items),
            "page": page.page,
            "per_page": page.per_page,
            "total": page.total,
            "pages": page.pages,
        }
    )


def device_json(device: Device, site: str, region: str) -> dict[str, Any]:
    return {
        "id": device.id,
        "hostname": device.hostname,
        "site": site,
        "region": region,
        "kind": device.kind,
        "platform": device.platform,
        "address": device.address,
        "vendor": device.vendor,
        "model": device.model,
        "serial": device.serial,
        "os_name": device.os_name,
        "os_version": device.os_version,
        "lifecycle_status": device.lifecycle_status,
        "purchase_date": device.purchase_date,
        "reachable": device.reachable,
        "last_seen": device.last_seen,
        "last_polled": device.last_polled,
        "last_error": device.last_error,
    }


def finding_json(row: Any) -> dict[str, Any]:
    finding: Finding = row[0]
    return {
        "id": finding.id,
        "rule_id": finding.rule_id,
        "ci_type": finding.ci_type,
        "ci_id": finding.ci_id,
        "device": row[1],
        "platform": row[2],
        "site": row[3],
        "region": row[4],
        "status": finding.status,
        "severity": finding.severity,
        "evidence": finding.evidence,
        "remediation": finding.remediation,
        "first_seen": finding.first_seen,
        "last_changed": finding.last_changed,
    }


def change_json(change: Change) -> dict[str, Any]:
    return {
        "id": change.id,
        "at": change.at,
        "ci_type": change.ci_type,
        "ci_id": change.ci_id,
        "ci_name": change.ci_name,
        "field": change.field,
        "old": change.old,
        "new": change.new,
        "source": change.source,
    }


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(document())


@bp.get("/sites")
def sites() -> Response:
    chosen = string_filters("sites")
    rows = sites_board(db(), now(), region=chosen["region"], kind=chosen["kind"])
    if chosen["state"]:
        rows = [r for r in rows if r.state == chosen["state"]]
    page, per_page = page_args()
    chunk = rows[(page - 1) * per_page : page * per_page]
    return listing(Page(chunk, len(rows), page, per_page), [plain(r) for r in chunk])


@bp.get("/sites/<code>")
def site(code: str) -> Response:
    rows = sites_board(db(), now(), site_code=code)
    if not rows:
        abort(404)
    score = scores().sites.get(code)
    return jsonify({**plain(rows[0]), "score": score.as_dict() if score else None})


@bp.get("/devices")
def devices() -> Response:
    chosen = string_filters("devices")
    page, per_page = page_args()
    result = paginate(
        db(),
        device_query(
            chosen["region"], chosen["site"], chosen["kind"], chosen["platform"], chosen["q"]
        ),
        page,
        per_page,
    )
    return listing(result, [device_json(*row) for row in result.items])


@bp.get("/devices/<int:device_id>")
def device(device_id: int) -> Response:
    found = device_by_id(db(), device_id)
    if found is None:
        abort(404)
    item, site_row, region = found
    return jsonify(
        plain(
            {
                **device_json(item, site_row.code, region.code),
                "interfaces": [
                    {
                        "index": i.index,
                        "name": i.name,
                        "description": i.description,
                        "admin_up": i.admin_up,
                        "oper_up": i.oper_up,
                        "speed_bps": int(i.speed_bps) if i.speed_bps is not None else None,
                        "mac": i.mac,
                    }
                    for i in item.interfaces
                ],
                "software": [
                    {"name": s.name, "version": s.version, "vendor": s.vendor}
                    for s in item.software
                ],
            }
        )
    )


@bp.get("/devices/<int:device_id>/configs")
def device_configs(device_id: int) -> Response:
    if device_by_id(db(), device_id) is None:
        abort(404)
    history = config_history(db(), device_id, limit=int(value("device_configs", "limit")))
    return jsonify(
        {
            "items": plain(
                [
                    {
                        "id": c.id,
                        "taken_at": c.taken_at,
                        "last_confirmed": c.last_confirmed,
                        "sha256": c.sha256,
                        "diff": c.diff,
                        "text": c.text,
                    }
                    for c in history
                ]
            )
        }
    )


@bp.get("/findings")
def findings() -> Response:
    page, per_page = page_args()
    result = paginate(db(), findings_from_args(), page, per_page)
    return listing(result, [finding_json(row) for row in result.items])


@bp.get("/controls")
def controls() -> Response:
    rows = controls_report(policies(), scores(), lang())
    return jsonify({"items": rows, "total": len(rows)})


@bp.get("/lifecycle")
def lifecycle() -> Response:
    years, region = int(value("lifecycle", "years")), value("lifecycle", "region")
    today = now().date()
    rows = from_facts(f"forecast {years}", lambda: forecast(facts(), policies(), today, years))
    if region:
        rows = [r for r in rows if r.region == region]
    seats = [(e.product, e.seats) for e in db().scalars(select(LicenseEntitlement))]
    licences = from_facts(
        f"licences {seats}", lambda: licence_position(facts(), policies(), seats)
    )
    return jsonify({"forecast": plain(rows), "licences": plain(licences)})


@bp.get("/changes")
def changes() -> Response:
    chosen = string_filters("changes")
    page, per_page = page_args()
    query = change_query(
        chosen["ci_type"],
        None,
        chosen["name"],
        chosen["field"],
        chosen["source"],
        date_arg("since"),
        date_arg("until"),
    )
    result = paginate(db(), query, page, per_page)
    return listing(result, [change_json(row[0]) for row in result.items])


@bp.get("/waivers")
def waivers() -> Response:
    rows = db().scalars(select(Waiver).order_by(Waiver.created_at.desc())).all()
    today = now().date()
    return jsonify(
        {
            "items": plain(
                [
                    {
                        "id": w.id,
                        "rule_id": w.rule_id,
                        "ci_type": w.ci_type,
                        "ci_id": w.ci_id,
                        "reason": w.reason,
                        "approver": w.approver,
                        "created_by": w.created_by,
                        "created_at": w.created_at,
                        "expires": w.expires,
                        "revoked_at": w.revoked_at,
                        "live": w.revoked_at is None and w.expires >= today,
                    }
                    for w in rows
                ]
            )
        }
    )
