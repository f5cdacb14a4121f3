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

from cmdb.users import LOCALES, ROLES, UserError, authenticate, create_user, list_users, set_locale
from web import security
from web.request_context import db

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | str | tuple[str, int]:
    if request.method == "GET":
        return render_template("auth/login.html", next=request.args.get("next", ""))
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    address = request.remote_addr or "?"
    limiter: security.LoginLimiter = current_app.extensions["atalaya_limiter"]
    wait = limiter.retry_after(username, address)
    if wait:
        page = render_template(
            "auth/login.html",
            next=request.form.get("next", ""),
            error=_("Too many failed attempts: try again in %(s)d s.", s=wait),
        )
        return Response(page, status=429, headers={"Retry-After": str(wait)})
    user = authenticate(db(), username, password)
    if user is None:
        limiter.failed(username, address)
        error = _("Wrong user name or password.")
        page = render_template("auth/login.html", next=request.form.get("next", ""), error=error)
        return page, 401
    limiter.succeeded(username)
    security.login(current_app._get_current_object(), user)  # type: ignore[attr-defined]
    g.user = user
    refresh()
    target = security.safe_next(request.form.get("next")) or url_for("overview.index")
    return redirect(target)


@bp.post("/logout")
def logout() -> Response:
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
        create_user(
            db(),
            request.form.get("username", ""),
            request.form.get("password", ""),
            request.form.get("role", ""),
            request.form.get("locale", "es"),
        )
    except UserError as exc:
        db().rollback()
        return render_template(
            "auth/users.html", users=list_users(db()), roles=ROLES, error=str(exc)
        ), 400
    db().commit()
    flash(_("User created."))
    return redirect(url_for("auth.users"))
