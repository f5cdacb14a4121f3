"""Login, logout, language, and the user list for administrators."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import refresh
from werkzeug.wrappers import Response

from cmdb.audit import record
from cmdb.users import LOCALES, ROLES, UserError, create_user, list_users, set_active, set_locale
from web import security
from web.login import attempt
from web.request_context import db

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | str | tuple[str, int]:
    if request.method == "GET":
        return render_template("auth/login.html", next=request.args.get("next", ""))
    username = request.form.get("username", "").strip()[:200]
    result = attempt(current_app._get_current_object(), username,  # type: ignore[attr-defined]
                     request.form.get("password", ""))  # fmt: skip
    if result.user is None:
        page = render_template(
            "auth/login.html", next=request.form.get("next", ""), error=result.error
        )
        headers = {"Retry-After": str(result.retry_after)} if result.retry_after else {}
        return Response(page, status=result.status, headers=headers)
    g.user = result.user
    refresh()
    target = security.safe_next(request.form.get("next")) or url_for("overview.index")
    return redirect(target)


@bp.post("/logout")
def logout() -> Response:
    record(db(), "logout", g.user.username, security.address())
    security.logout(current_app._get_current_object())  # type: ignore[attr-defined]
    return redirect(url_for("auth.login"))


@bp.post("/language")
def language() -> Response:
    """Stored in the user's row: the choice follows the user to any browser."""
    locale = request.form.get("locale", "")
    if locale not in LOCALES:
        abort(400)
    set_locale(db(), g.user.id, locale)
    db().commit()
    refresh()
    target = security.safe_next(request.form.get("next")) or url_for("overview.index")
    return redirect(target)


@bp.get("/users")
def users() -> str:
    return render_template("auth/users.html", users=list_users(db()), roles=ROLES)


@bp.post("/users")
def user_create() -> Response | tuple[str, int]:
    try:
        created = create_user(
            db(),
            request.form.get("username", ""),
            request.form.get("password", ""),
            request.form.get("role", ""),
            request.form.get("locale", "es"),
        )
        record(db(), "user.create", g.user.username, security.address(), created.username,
               role=created.role)  # fmt: skip
    except UserError as exc:
        db().rollback()
        return render_template(
            "auth/users.html", users=list_users(db()), roles=ROLES, error=str(exc)
        ), 400
    db().commit()
    flash(_("User created."))
    return redirect(url_for("auth.users"))


@bp.post("/users/<username>/active")
def user_active(username: str) -> Response | tuple[str, int]:
    """Enable or disable a user; disabling ends the user's sessions and API tokens at once."""
    active = request.form.get("active") == "1"
    if username == g.user.username and not active:
        abort(400, description="you cannot disable your own account")
    try:
        set_active(db(), username, active)
    except UserError:
        abort(404)
    action = "user.enable" if active else "user.disable"
    record(db(), action, g.user.username, security.address(), username)
    db().commit()
    flash(_("User enabled.") if active else _("User disabled; their sessions ended."))
    return redirect(url_for("auth.users"))
