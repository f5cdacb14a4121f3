"""Web sessions and failed logins kept in the CMDB, so they hold across restarts and processes.

A session is found by the SHA-256 of the id its cookie carries; it ends at logout, after the idle
timeout, or when its user is disabled (the row goes, and a disabled user's rows are never read).
`last_seen` is written at most once a minute: a write per page view would serialise readers on
SQLite for nothing the idle timeout needs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from cmdb.models import LoginFailure, User, WebSession

TOUCH_EVERY = dt.timedelta(minutes=1)


def _key(sid: str) -> str:
    return hashlib.sha256(sid.encode("utf-8")).hexdigest()


def open_session(session: Session, user_id: int, now: dt.datetime, address: str = "") -> str:
    """A new session for `user_id`; returns the id for the cookie (stored only as a hash)."""
    sid = secrets.token_urlsafe(32)
    session.add(
        WebSession(key=_key(sid), user_id=user_id, created_at=now, last_seen=now,
                   address=address[:64])
    )  # fmt: skip
    return sid


def session_user(session: Session, sid: str, now: dt.datetime, idle: dt.timedelta) -> User | None:
    """The active user of a live session, or None (unknown, idle too long, user disabled)."""
    row = session.execute(
        select(WebSession, User).join(User, User.id == WebSession.user_id)
        .where(WebSession.key == _key(sid))
    ).first()  # fmt: skip
    if row is None:
        return None
    live, user = row
    if not user.active or now - live.last_seen > idle:
        session.execute(delete(WebSession).where(WebSession.key == live.key))
        return None
    if now - live.last_seen > TOUCH_EVERY:
        session.execute(
            update(WebSession).where(WebSession.key == live.key).values(last_seen=now)
        )
    return user


def close_session(session: Session, sid: str) -> None:
    session.execute(delete(WebSession).where(WebSession.key == _key(sid)))


def close_user_sessions(session: Session, user_id: int) -> int:
    """End every session of a user (disabled, or role changed); returns how many ended."""
    result = session.execute(delete(WebSession).where(WebSession.user_id == user_id))
    return int(getattr(result, "rowcount", 0) or 0)


def prune_sessions(session: Session, now: dt.datetime, idle: dt.timedelta) -> None:
    session.execute(delete(WebSession).where(WebSession.last_seen < now - idle))


def failure_keys(username: str, address: str) -> tuple[str, str]:
    return f"user:{username.lower()[:120]}", f"address:{address[:64]}"


def login_wait(
    session: Session, keys: dict[str, int], now: dt.datetime, window: dt.timedelta
) -> int:
    """Seconds before another login attempt is allowed (0: now). `keys` maps each failure key
    to the number of failures it may have within `window`."""
    wait = dt.timedelta(0)
    for key, limit in keys.items():
        count, oldest = session.execute(
            select(func.count(), func.min(LoginFailure.at)).where(
                LoginFailure.key == key, LoginFailure.at > now - window
            )
        ).one()
        if count >= limit and oldest is not None:
            wait = max(wait, window - (now - oldest))
    return int(wait.total_seconds()) + 1 if wait else 0


def login_failed(
    session: Session, keys: tuple[str, ...], now: dt.datetime, window: dt.timedelta
) -> None:
    session.execute(delete(LoginFailure).where(LoginFailure.at <= now - window))
    session.add_all(LoginFailure(key=key, at=now) for key in keys)


def login_succeeded(session: Session, user_key: str) -> None:
    session.execute(delete(LoginFailure).where(LoginFailure.key == user_key))
