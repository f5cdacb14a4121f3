"""Discovered devices: what answered on a site's management network and is not in the inventory.

A network administrator (or an admin) adopts one (it becomes a Device CI of its site, with its
Change row) or ignores it with a reason (its INV-DISC-01 finding is no longer raised: the next
evaluation leaves it out).
"""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from cmdb.discovery_actions import (
    Adoption,
    DiscoveryActionError,
    adopt,
    discovered_rows,
    ignore,
    suggested_kind,
)
from cmdb.inventory_schema import PLATFORMS
from cmdb.models import DEVICE_KINDS, DISCOVERY_STATUSES
from web.request_context import db, now

bp = Blueprint("discovered", __name__)


@bp.get("/discovered")
def index() -> str:
    status = request.args.get("status", "new")
    status = status if status in DISCOVERY_STATUSES else "new"
    return render_template(
        "discovered/index.html",
        rows=discovered_rows(db(), status),
        status=status,
        statuses=DISCOVERY_STATUSES,
        kinds=DEVICE_KINDS,
        platforms=PLATFORMS,
        suggested_kind=suggested_kind,
    )


@bp.post("/discovered/<int:record_id>/adopt")
def adopt_record(record_id: int) -> Response:
    form = request.form
    adoption = Adoption(
        form.get("hostname", ""), form.get("kind", ""), form.get("platform", "other")
    )
    try:
        device = adopt(db(), record_id, adoption, g.user.username, now())
    except DiscoveryActionError as exc:
        db().rollback()
        flash(_("Not adopted: %(why)s", why=str(exc)), "error")
        return redirect(url_for("discovered.index"))
    db().commit()
    flash(_("%(host)s is now a device of the inventory.", host=device.hostname))
    return redirect(url_for("devices.device", device_id=device.id))


@bp.post("/discovered/<int:record_id>/ignore")
def ignore_record(record_id: int) -> Response:
    try:
        ignore(db(), record_id, request.form.get("reason", ""), g.user.username, now())
    except DiscoveryActionError as exc:
        db().rollback()
        flash(_("Not ignored: %(why)s", why=str(exc)), "error")
        return redirect(url_for("discovered.index"))
    db().commit()
    flash(_("Ignored; its finding goes away at the next evaluation."))
    return redirect(url_for("discovered.index"))
