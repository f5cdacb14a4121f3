"""Login sessions, the role check on every request, CSRF, login rate limits and headers.

Sessions are server-side: the signed cookie carries only a random session id (and the CSRF token),
the id is replaced at every login (no session fixation) and forgotten at logout, so a copied cookie
dies with the logout. The store lives in the process: a restart logs everyone out, which is the
price of not adding a table for it. CSRF is a per-session random token compared in constant time;
twenty lines here instead of flask-wtf, because the app has no other use for WTForms.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from flask import Flask, abort, g, jsonify, redirect, request, session, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response

from cmdb.models import User
from web.roles import PUBLIC, allowed, permission_of

IDLE = dt.timedelta(hours=8)
TOKEN_MAX_AGE_S = 90 * 86400
UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


@dataclass
class LiveSession:
    user_id: int
    last_seen: float


class SessionStore:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sessions: dict[str, LiveSession] = {}

    def open(self, user_id: int) -> str:
        sid = secrets.token_urlsafe(32)
        with self._lock:
            self._sessions[sid] = LiveSession(user_id, time.monotonic())
        return sid

    def user_id(self, sid: str) -> int | None:
        with self._lock:
            live = self._sessions.get(sid)
            if live is None:
                return None
            now = time.monotonic()
            if now - live.last_seen > IDLE.total_seconds():
                del self._sessions[sid]
                return None
            live.last_seen = now
            return live.user_id

    def close(self, sid: str) -> None:
        with self._lock:
            self._sessions.pop(sid, None)


class LoginLimiter:
    """Failed logins per user name and per address within a sliding window."""

    def __init__(self, per_user: int = 5, per_address: int = 20, window_s: float = 900) -> None:
        self.limits = {"user": per_user, "address": per_address}
        self.window_s = window_s
        self._lock = threading.Lock()
        self._failures: dict[tuple[str, str], deque[float]] = {}

    def retry_after(self, username: str, address: str) -> int:
        """Seconds to wait before another attempt; 0 when one is allowed now."""
        now = time.monotonic()
        wait = 0.0
        with self._lock:
            for key in (("user", username.lower()), ("address", address)):
                times = self._failures.get(key)
                if not times:
                    continue
                while times and now - times[0] > self.window_s:
                    times.popleft()
                if len(times) >= self.limits[key[0]]:
                    wait = max(wait, self.window_s - (now - times[0]))
        return int(wait) + 1 if wait else 0

    def failed(self, username: str, address: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in (("user", username.lower()), ("address", address)):
                self._failures.setdefault(key, deque()).append(now)

    def succeeded(self, username: str) -> None:
        with self._lock:
            self._failures.pop(("user", username.lower()), None)


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
    """Start a fresh session for `user`: a new id and a new CSRF token, nothing carried over."""
    store: SessionStore = app.extensions["atalaya_sessions"]
    old = session.get("sid")
    if old:
        store.close(old)
    session.clear()
    session["sid"] = store.open(user.id)
    session["csrf"] = secrets.token_urlsafe(32)
    session.permanent = True


def logout(app: Flask) -> None:
    store: SessionStore = app.extensions["atalaya_sessions"]
    sid = session.get("sid")
    if sid:
        store.close(sid)
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
    user_id = app.extensions["atalaya_sessions"].user_id(sid)
    return None if user_id is None else g.db.get(User, user_id)


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
