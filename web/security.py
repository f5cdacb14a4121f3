"""Login sessions, the role check on every request, CSRF, login rate limits and headers.

Sessions are server-side, in the CMDB (cmdb.websessions): the signed cookie carries only a random
session id (and the CSRF token), the id is replaced at every login (no session fixation) and
forgotten at logout, so a copied cookie dies with the logout; a restart of `serve` keeps them
(the signing key persists), a disabled user's end at once. Failed logins are rows too, so the
limit holds across several web processes.

Not Flask-Login: it would keep the user id in the cookie and has no store to revoke from; the
store and the user lookup here are what it would leave to us. Not Flask-Session: its SQL backend
needs Flask-SQLAlchemy, a second way to reach the CMDB beside cmdb's own sessions, and stores
the whole session (CSRF token included) where one id and a hash suffice. Not Flask-Limiter:
none of its storages is shared through SQLite or PostgreSQL. Not Flask-WTF: CSRF is a per-session
random token compared in constant time, twenty lines, and the app has no other use for WTForms.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from typing import Any

from flask import Flask, abort, g, jsonify, redirect, request, session, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response

from atalaya.settings import Settings
from cmdb import websessions
from cmdb.models import User
from web.roles import PUBLIC, allowed, permission_of

TOKEN_MAX_AGE_S = 90 * 86400
UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def _settings(app: Flask) -> Settings:
    return app.extensions["atalaya_settings"]


def idle_timeout(settings: Settings) -> dt.timedelta:
    return dt.timedelta(minutes=settings.auth.session_idle_minutes)


def address() -> str:
    return request.remote_addr or "?"


def login_wait(app: Flask, username: str) -> int:
    """Seconds before `username` may try again from this address (0: now)."""
    conf = _settings(app).auth
    user_key, address_key = websessions.failure_keys(username, address())
    limits = {user_key: conf.failures_per_user, address_key: conf.failures_per_address}
    window = dt.timedelta(seconds=conf.failure_window_s)
    return websessions.login_wait(g.db, limits, g.now, window)


def login_failed(app: Flask, username: str) -> None:
    window = dt.timedelta(seconds=_settings(app).auth.failure_window_s)
    websessions.login_failed(g.db, websessions.failure_keys(username, address()), g.now, window)


def csrf_token() -> str:
    token = session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return str(token)


def _csrf_ok() -> bool:
    expected = session.get("csrf")
    sent = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token") or ""
    return bool(expected) and hmac.compare_digest(str(expected), sent)


def login(app: Flask, user: User) -> None:
    """Start a fresh session for `user`: a new id and a new CSRF token, nothing carried over.
    The caller commits (with the login's audit event)."""
    old = session.get("sid")
    if old:
        websessions.close_session(g.db, old)
    websessions.login_succeeded(g.db, websessions.failure_keys(user.username, "")[0])
    websessions.prune_sessions(g.db, g.now, idle_timeout(_settings(app)))
    session.clear()
    session["sid"] = websessions.open_session(g.db, user.id, g.now, address())
    session["csrf"] = secrets.token_urlsafe(32)
    session.permanent = True


def logout(app: Flask) -> None:
    sid = session.get("sid")
    if sid:
        websessions.close_session(g.db, sid)
        g.db.commit()
    session.clear()


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt="atalaya-api-token")


def api_token(secret_key: str, user: User) -> str:
    """A bearer token for scripts (90 days); changing the user's password revokes it."""
    return _serializer(secret_key).dumps({"u": user.id, "h": user.password_hash[-12:]})


def _token_user(app: Flask, token: str) -> User | None:
    try:
        data: Any = _serializer(str(app.secret_key)).loads(token, max_age=TOKEN_MAX_AGE_S)
        user = g.db.get(User, int(data["u"]))
    except (BadSignature, KeyError, TypeError, ValueError):
        return None
    if user is None or not hmac.compare_digest(user.password_hash[-12:], str(data.get("h"))):
        return None
    return user


def _current_user(app: Flask) -> User | None:
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        g.by_token = True
        return _token_user(app, header[7:].strip())
    sid = session.get("sid")
    if not sid:
        return None
    user = websessions.session_user(g.db, str(sid), g.now, idle_timeout(_settings(app)))
    g.db.commit()  # the touch of last_seen, or the removal of an idle session
    return user


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def authorize(app: Flask) -> Response | None:
    """Before every request: resolve the user, then the endpoint's permission, then CSRF."""
    g.by_token = False
    user = _current_user(app)
    g.user = user if user is not None and user.active else None
    permission = permission_of(request.endpoint)
    if request.endpoint is None:
        return None  # no route: Flask answers 404 / 405 itself
    if permission is None:
        abort(403)  # not in the matrix: deny by default
    if permission != PUBLIC:
        if g.user is None:
            if _wants_json():
                return _json_error(401, "authentication required")
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        if not allowed(g.user.role, permission):
            if _wants_json():
                return _json_error(403, "your role may not do this")
            abort(403)
    if request.method in UNSAFE_METHODS and not g.by_token and not _csrf_ok():
        abort(400, description="CSRF token missing or wrong")
    return None


def _json_error(status: int, message: str) -> Response:
    response = jsonify({"error": message})
    response.status_code = status
    return response


def secure_headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    if request.endpoint != "static":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: an open redirect after login would help phishing."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None
