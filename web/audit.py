"""The audit log page for administrators: who did what, when, from where."""

from __future__ import annotations

from flask import Blueprint, render_template

from cmdb.audit import events
from web.request_context import arg, date_arg, db

bp = Blueprint("audit", __name__)


@bp.get("/audit")
def index() -> str:
    since = date_arg("since")
    chosen = {"since": arg("since"), "action": arg("action"), "actor": arg("actor")}
    rows = events(db(), since=since, action=chosen["action"], actor=chosen["actor"], limit=500)
    return render_template("audit/index.html", rows=rows, selected=chosen)
