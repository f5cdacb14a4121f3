"""Controls: the Statement of Applicability, a control's failing devices by region and site,
and waivers (list for everyone, create and expire for the security officer)."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from cmdb.audit import record
from cmdb.models import Device, Waiver
from cmdb.webqueries import failing_by_site, finding_query, paginate
from compliance.reports import controls_report
from web.findings import control_rules
from web.request_context import db, lang, now, page_args, policies, scores
from web.security import address
from web.waivers import create_waiver, expire_waiver

bp = Blueprint("controls", __name__)


@bp.get("/controls")
def index() -> str:
    current = scores()
    return render_template(
        "controls/index.html",
        rows=controls_report(policies(), current, lang()),
        organisation=current.organisation,
    )


@bp.get("/controls/<path:control_id>")
def control(control_id: str) -> str:
    pol = policies()
    title = pol.controls_2013.get(control_id) or pol.controls_2022.get(control_id)
    if title is None:
        abort(404)
    rule_ids = control_rules(control_id)
    by_site: Counter[tuple[str, str]] = Counter()
    by_region: Counter[str] = Counter()
    for region, site, count in failing_by_site(db(), rule_ids):
        by_site[(region, site)] += count
        by_region[region] += count
    page, per_page = page_args()
    current = scores()
    score = current.controls_2013.get(control_id) or current.controls_2022.get(control_id)
    return render_template(
        "controls/control.html",
        control=title,
        rules=[pol.rule(r) for r in rule_ids],
        score=score,
        by_region=sorted(by_region.items()),
        by_site=sorted(by_site.items(), key=lambda kv: (-kv[1], kv[0])),
        findings=paginate(db(), finding_query(rule_ids=rule_ids, status="fail"), page, per_page),
    )


@bp.get("/waivers")
def waivers() -> str:
    rows = (
        db()
        .execute(
            select(Waiver, Device.hostname)
            .outerjoin(Device, (Waiver.ci_type == "device") & (Waiver.ci_id == Device.id))
            .order_by(Waiver.revoked_at.is_not(None), Waiver.expires)
        )
        .all()
    )
    return render_template(
        "controls/waivers.html",
        rows=rows,
        today=now().date(),
        rules={r.id: r for r in policies().rules},
    )


@bp.post("/waivers")
def waiver_create() -> Response:
    form = request.form
    back = form.get("back", "")
    try:
        expires = dt.date.fromisoformat(form.get("expires", ""))
        waiver, status = create_waiver(
            db(),
            policies(),
            form.get("rule_id", ""),
            form.get("ci_type", "device"),
            int(form.get("ci_id", "")),
            form.get("reason", ""),
            form.get("approver", ""),
            expires,
            g.user.username,
            now(),
        )
    except (ValueError, KeyError) as exc:
        db().rollback()
        flash(_("Waiver not created: %(why)s", why=str(exc)), "error")
        return redirect(back if back.startswith("/") else url_for("controls.waivers"))
    record(db(), "waiver.create", g.user.username, address(), f"waiver {waiver.id}",
           rule=waiver.rule_id, ci=f"{waiver.ci_type} {waiver.ci_id}", expires=waiver.expires,
           approver=waiver.approver)  # fmt: skip
    db().commit()
    flash(_("Waiver created; the finding is now %(status)s.", status=status or "—"))
    return redirect(
        back if back.startswith("/") and not back.startswith("//") else url_for("controls.waivers")
    )


@bp.post("/waivers/<int:waiver_id>/expire")
def waiver_expire(waiver_id: int) -> Response:
    try:
        waiver, status = expire_waiver(db(), policies(), waiver_id, now())
    except LookupError:
        abort(404)
    record(db(), "waiver.expire", g.user.username, address(), f"waiver {waiver.id}",
           rule=waiver.rule_id, ci=f"{waiver.ci_type} {waiver.ci_id}")  # fmt: skip
    db().commit()
    flash(_("Waiver expired; the finding is now %(status)s.", status=status or "—"))
    return redirect(url_for("controls.waivers"))
