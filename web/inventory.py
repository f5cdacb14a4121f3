"""Inventory edits on the web (administrators and network administrators): one site, device or
link per form, validated and recorded as the file import does (cmdb.inventory_edit)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from cmdb.audit import record
from cmdb.inventory_edit import MODELS, EditConflict, declared, edit, fields, key_of
from cmdb.inventory_schema import InventoryError
from web.request_context import db, now
from web.security import address

bp = Blueprint("inventory", __name__)
KINDS = tuple(MODELS)


def _ci(kind: str, ci_id: int) -> Any:
    if kind not in KINDS:
        abort(404)
    ci = db().get(MODELS[kind], ci_id)
    if ci is None:
        abort(404)
    return ci


def _form(kind: str, ci: Any, values: dict[str, Any], revision: int, error: str = "",
          status: int = 200) -> tuple[str, int]:  # fmt: skip
    page = render_template(
        "inventory/edit.html", kind=kind, ci=ci, key=key_of(kind, ci), fields=fields(kind),
        values=values, revision=revision, error=error,
    )  # fmt: skip
    return page, status


def _back(kind: str, ci: Any) -> str:
    if kind == "device":
        return url_for("devices.device", device_id=ci.id)
    code = ci.code if kind == "site" else ci.site.code
    return url_for("sites.site", code=code)


@bp.get("/inventory/<kind>/<int:ci_id>")
def edit_form(kind: str, ci_id: int) -> tuple[str, int]:
    ci = _ci(kind, ci_id)
    return _form(kind, ci, declared(kind, ci), ci.edit_revision)


@bp.post("/inventory/<kind>/<int:ci_id>")
def save(kind: str, ci_id: int) -> Response | tuple[str, int]:
    ci = _ci(kind, ci_id)
    key = key_of(kind, ci)
    try:
        seen = int(request.form.get("revision", ""))
    except ValueError:
        abort(400, description="the form has no revision: reload it")
    form = {k: v for k, v in request.form.items() if k not in ("csrf_token", "revision")}
    try:
        summary = edit(db(), kind, ci_id, seen, form, g.user.username, now())
    except InventoryError as exc:
        db().rollback()
        return _form(kind, _ci(kind, ci_id), form, seen, str(exc), 400)
    except EditConflict as exc:
        db().rollback()
        record(db(), "inventory.conflict", g.user.username, address(), f"{kind} {key}",
               outcome="refused", seen=seen, stored=exc.revision)  # fmt: skip
        db().commit()
        message = _(
            "Someone else saved changes to %(what)s after you opened the form: yours were "
            "not saved. Reload it to see theirs, then edit again.",
            what=f"{_(kind)} {key}",
        )
        fresh = _ci(kind, ci_id)
        return _form(kind, fresh, form, seen, message, 409)
    record(db(), "inventory.edit", g.user.username, address(), f"{kind} {key}",
           changes=summary.changes)  # fmt: skip
    db().commit()
    flash(_("Saved: %(n)d changes recorded.", n=summary.changes))
    return redirect(_back(kind, ci))
