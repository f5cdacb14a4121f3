"""Who did what from where: user actions (the audit log), live web sessions and failed logins.

Live sessions and failed logins are tables, not process memory, so a restart of `serve` logs
no one out and several web processes share one login rate limit.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from cmdb.models.base import Base, utcnow


class AuditEvent(Base):
    """One user action. `detail` never holds a password or a token (cmdb.audit refuses them)."""

    __tablename__ = "audit_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(120))  # user name, or "cli:<os user>"
    action: Mapped[str] = mapped_column(String(64), index=True)  # login.failed, waiver.create, …
    target: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(64), default="")
    outcome: Mapped[str] = mapped_column(String(16), default="ok")  # ok | refused | error
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class WebSession(Base):
    """A logged-in browser. The key is the SHA-256 of the cookie's session id: a copy of the
    table (a backup) opens no session."""

    __tablename__ = "web_session"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_seen: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    address: Mapped[str] = mapped_column(String(64), default="")


class LoginFailure(Base):
    """A failed login, counted per user name and per address within the limiter's window."""

    __tablename__ = "login_failure"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), index=True)  # "user:<name>" or "address:<ip>"
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
