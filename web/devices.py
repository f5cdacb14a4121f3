"""Devices: the list, one device's page, and its configuration history (network admins)."""

from __future__ import annotations

import difflib

from flask import Blueprint, abort, render_template
from sqlalchemy import select

from cmdb.models import DEVICE_KINDS, ConfigSnapshot, Waiver
from cmdb.vulnqueries import vulnerability_view
from cmdb.webqueries import (
    change_query,
    config_history,
    device_by_id,
    device_query,
    finding_query,
    paginate,
    platforms,
    regions,
    snapshot_count,
)
from compliance.conditions_lifecycle import software_mark
from compliance.facts import SoftwareItem
from web.request_context import db, filters, int_arg, now, page_args, policies

bp = Blueprint("devices", __name__)


@bp.get("/devices")
def index() -> str:
    chosen = filters("region", "site", "kind", "platform", "q")
    page, per_page = page_args()
    query = device_query(
        chosen["region"], chosen["site"], chosen["kind"], chosen["platform"], chosen["q"]
    )
    return render_template(
        "devices/index.html",
        devices=paginate(db(), query, page, per_page),
        selected=chosen,
        regions=regions(db()),
        kinds=DEVICE_KINDS,
        platforms=platforms(db()),
    )


@bp.get("/devices/<int:device_id>")
def device(device_id: int) -> str:
    found = device_by_id(db(), device_id)
    if found is None:
        abort(404)
    item, site, region = found
    today, rules = now().date(), policies()
    software = [
        (sw, *software_mark(SoftwareItem(sw.name, sw.version or "", sw.vendor or ""), rules, today))
        for sw in sorted(item.software, key=lambda s: s.name.lower())
    ]
    findings = paginate(db(), finding_query(ci_type="device", ci_id=device_id), 1, 500).items
    order = {"fail": 0, "unknown": 1, "waived": 2, "pass": 3, "not_applicable": 4}
    findings.sort(key=lambda row: (order.get(row[0].status, 9), row[0].rule_id))
    waivers = (
        db()
        .scalars(
            select(Waiver)
            .where(Waiver.ci_type == "device", Waiver.ci_id == device_id)
            .order_by(Waiver.created_at.desc())
        )
        .all()
    )
    return render_template(
        "devices/device.html",
        device=item,
        site=site,
        region=region,
        software=software,
        findings=findings,
        rules={r.id: r for r in policies().rules},
        waivers=waivers,
        changes=paginate(db(), change_query(ci_type="device", ci_id=device_id), 1, 100),
        snapshots=snapshot_count(db(), device_id),
        vulnerabilities=vulnerability_view(db(), device_id=device_id).advisories,
        now=now(),
    )


@bp.get("/devices/<int:device_id>/configs")
def configs(device_id: int) -> str:
    found = device_by_id(db(), device_id)
    if found is None:
        abort(404)
    history = config_history(db(), device_id)
    chosen: tuple[ConfigSnapshot, ConfigSnapshot] | None = None
    diff = ""
    a, b = int_arg("a", 0, minimum=0), int_arg("b", 0, minimum=0)
    if a and b:
        older, newer = db().get(ConfigSnapshot, a), db().get(ConfigSnapshot, b)
        if older is None or newer is None or {older.device_id, newer.device_id} != {device_id}:
            abort(404)
        chosen = (older, newer)
        diff = "".join(
            difflib.unified_diff(
                older.text.splitlines(keepends=True),
                newer.text.splitlines(keepends=True),
                fromfile=f"#{older.id} {older.taken_at:%Y-%m-%d %H:%M} UTC",
                tofile=f"#{newer.id} {newer.taken_at:%Y-%m-%d %H:%M} UTC",
            )
        )
    return render_template(
        "devices/configs.html",
        device=found[0],
        site=found[1],
        history=history,
        chosen=chosen,
        diff=diff,
    )
