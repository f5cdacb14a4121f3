"""One login attempt: the rate limit, local accounts, then the directory, and the audit event.

Local accounts are tried first and keep working when the directory is down (the local admin is
the fallback). Every refusal says the same words whatever the reason; the reason goes to the
audit log, which only administrators read.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, g
from flask_babel import gettext as _

from atalaya.settings import SecretError, Settings
from cmdb.audit import record
from cmdb.models import User
from cmdb.users import UserError, authenticate, directory_user
from web import directory, security


@dataclass(frozen=True)
class Attempt:
    user: User | None
    status: int = 200  # 401 refused, 429 throttled, 503 directory unavailable
    error: str = ""
    retry_after: int = 0


def _refused(username: str, reason: str) -> Attempt:
    record(g.db, "login.failed", username, security.address(), outcome="refused", reason=reason)
    return Attempt(None, 401, _("Wrong user name or password."))


def _directory(settings: Settings, username: str, password: str) -> Attempt:
    conf = settings.auth
    try:
        service = settings.secret(conf.service_password) if conf.service_password else ""
    except SecretError as exc:
        outcome: directory.Outcome = directory.Unavailable(str(exc))
    else:
        outcome = directory.authenticate(conf, username, password, service)
    if isinstance(outcome, directory.Unavailable):
        record(g.db, "login.failed", username, security.address(), outcome="error",
               reason=f"directory unavailable: {outcome.reason}")  # fmt: skip
        message = _("The directory does not answer; try again in a few minutes, or log in "
                    "with a local account.")  # fmt: skip
        return Attempt(None, 503, message)
    if isinstance(outcome, directory.Refused):
        return _refused(username, f"directory: {outcome.reason}")
    try:
        return Attempt(directory_user(g.db, username, outcome.role))
    except UserError as exc:
        return _refused(username, str(exc))


def attempt(app: Flask, username: str, password: str) -> Attempt:
    """Try to log in; on success the session is open. Commits either way (the audit event and
    the failure count must outlive a refused request)."""
    settings: Settings = app.extensions["atalaya_settings"]
    wait = security.login_wait(app, username)
    if wait:
        record(g.db, "login.failed", username, security.address(), outcome="refused",
               reason="too many failed attempts")  # fmt: skip
        g.db.commit()
        return Attempt(None, 429, _("Too many failed attempts: try again in %(s)d s.", s=wait),
                       retry_after=wait)  # fmt: skip
    user = authenticate(g.db, username, password)
    if user is not None:
        result = Attempt(user)
    elif settings.auth.directory_url:
        result = _directory(settings, username, password)
    else:
        result = _refused(username, "wrong user name or password")
    if result.user is None:
        if result.status == 401:
            security.login_failed(app, username)
        g.db.commit()
        return result
    security.login(app, result.user)
    record(g.db, "login", result.user.username, security.address(), source=result.user.source,
           role=result.user.role)  # fmt: skip
    g.db.commit()
    return result
