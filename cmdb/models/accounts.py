"""Who may sign in to the web interface, with which role and language."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from cmdb.models.base import Base, utcnow


class User(Base):
    __tablename__ = "app_user"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(32))  # admin, network_admin, security_officer, viewer
    locale: Mapped[str] = mapped_column(String(8), default="es")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # "local" (password hash here) or "directory" (LDAP bind; role synced at each login)
    source: Mapped[str] = mapped_column(String(16), default="local", server_default="local")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
