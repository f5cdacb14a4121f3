"""The Statement of Applicability: every Annex A control of both editions as the security officer
keeps it (applicability, justification, status, owner, documentary and automated evidence), the
officer's edit form, and the exports (XLSX, PDF, CSV) in the user's language.

Reading is for every role; editing is for `security_officer` and `admin` (web.roles "soa"), with
CSRF like every form. An edit is checked by `compliance.soa.check_edit`, stored by
`cmdb.soa.record_soa_edit` with a Change row per field, and shows in /changes.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as WerkzeugResponse

from cmdb.audit import record
from cmdb.soa import record_soa_edit, soa_history
from compliance.reports import render
from compliance.soa import EDITIONS, SoaEditError, check_edit, entry_values
from compliance.soa_report import soa_rows, xlsx_bytes
from compliance.texts import rule_title
from web.request_context import arg, db, lang, now, policies, scores
from web.scores import rule_scores
from web.security import address
from web.soa_document import pdf_bytes

bp = Blueprint("soa", __name__)
EXPORTS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "csv": "text/csv",
}


def _editions() -> tuple[str, ...]:
    chosen = arg("edition")
    return (chosen,) if chosen in EDITIONS else EDITIONS


def _problems() -> dict[tuple[str, str], str]:
    """The form's error messages, in the user's language."""
    return {
        ("justification", "required"): _(
            "A justification is required: say why the control is included or excluded."
        ),
        ("status", "unknown"): _("Choose an implementation status."),
        ("status", "excluded"): _("A control that does not apply is “not implemented”."),
        ("owner", "unknown"): _("Choose the responsible unit."),
        ("documents", "unknown"): _("Choose documents of the SoA's list."),
        ("documents", "required"): _(
            "An implemented or partial organisational, people or physical control needs a "
            "document as evidence."
        ),
        ("last_review", "date"): _("The review date must be a date (YYYY-MM-DD)."),
    }


@bp.get("/soa")
def index() -> str:
    editions = _editions()
    rows = soa_rows(policies(), scores(), lang(), editions)
    return render_template(
        "soa/index.html",
        rows=rows,
        edition=arg("edition") or "both",
        applicable=sum(1 for r in rows if r["applicable"]),
        implemented=sum(1 for r in rows if r["applicable"] and r["status"] == "implemented"),
    )


def _entry_context(edition: str, control_id: str) -> dict[str, Any]:
    pol = policies()
    entry = pol.soa.entries(edition).get(control_id) if edition in EDITIONS else None
    control = pol.control(control_id)
    if entry is None or control is None:
        abort(404)
    key = "controls_2013" if edition == "2013" else "controls_2022"
    rules = [r for r in pol.rules if control_id in getattr(r, key)]
    table = scores().controls_2013 if edition == "2013" else scores().controls_2022
    return {
        "edition": edition,
        "control": control,
        "title": control.title_in(lang()),
        "entry": entry,
        "rules": [(r, rule_title(r, lang())) for r in rules],
        "rule_scores": rule_scores(db(), pol, [r.id for r in rules]),
        "score": table.get(control_id),
        "units": pol.soa.units,
        "documents": sorted(pol.soa.documents.values(), key=lambda d: d.id),
        "history": soa_history(db(), edition, control_id),
        "today": now().date().isoformat(),
    }


@bp.get("/soa/<edition>/<path:control_id>")
def entry(edition: str, control_id: str) -> str:
    return render_template(
        "soa/entry.html", form=None, error=None, **_entry_context(edition, control_id)
    )


@bp.post("/soa/<edition>/<path:control_id>")
def edit(edition: str, control_id: str) -> WerkzeugResponse | tuple[str, int]:
    context = _entry_context(edition, control_id)
    form = {**request.form.to_dict(), "documents": request.form.getlist("documents")}
    try:
        values = check_edit(policies(), edition, control_id, form, now().date())
    except SoaEditError as exc:
        message = _problems().get((exc.field, exc.problem), str(exc))
        page = render_template(
            "soa/entry.html", form=form, error={"field": exc.field, "message": message}, **context
        )
        return page, 400
    changes = record_soa_edit(
        db(), edition, control_id, entry_values(context["entry"]), values, g.user.username, now()
    )
    if changes:  # the audit log names what changed; the Change rows hold old -> new
        record(db(), "soa.edit", g.user.username, address(), f"soa {edition} {control_id}",
               fields=", ".join(sorted({c.field for c in changes})))  # fmt: skip
    db().commit()
    if changes:
        flash(_("Statement of Applicability updated: %(n)d fields changed.", n=len(changes)))
    else:
        flash(_("Nothing changed."))
    return redirect(url_for("soa.entry", edition=edition, control_id=control_id))


@bp.get("/soa.<fmt>")
def export(fmt: str) -> Response:
    if fmt not in EXPORTS:
        abort(404)
    rows = soa_rows(policies(), scores(), lang(), _editions())
    if fmt == "xlsx":
        body: bytes | str = xlsx_bytes(rows, lang())
    elif fmt == "pdf":
        body = pdf_bytes(rows, lang(), now().date())
    else:
        body = "\ufeff" + render(rows, "csv")  # BOM: Excel opens accented Spanish text correctly
    name = f"atalaya-soa-{now().date().isoformat()}.{fmt}"
    return Response(
        body,
        mimetype=EXPORTS[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
