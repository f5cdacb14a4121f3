"""The audit trail of CI attributes (who or what changed which field, when, old → new)."""

from __future__ import annotations

from flask import Blueprint, render_template

from cmdb.webqueries import change_query, paginate
from web.request_context import date_arg, db, filters, page_args

bp = Blueprint("changes", __name__)
CI_TYPES = ("device", "site", "region", "link", "credential", "license", "soa")


@bp.get("/changes")
def index() -> str:
    chosen = filters("ci_type", "name", "field", "source", "since", "until")
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
    return render_template(
        "changes/index.html",
        changes=paginate(db(), query, page, per_page),
        selected=chosen,
        ci_types=CI_TYPES,
    )
