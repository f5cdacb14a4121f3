"""Accounts of the web interface: create, change password, verify, list. Functions take a session.

Passwords are hashed with scrypt (hashlib, n=2**15, r=8, p=1: ~50 ms and 32 MiB per check,
OWASP's minimum for scrypt) and a random 16-byte salt; the stored form names its parameters so
they can be raised later without invalidating existing hashes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from cmdb.models import User
from cmdb.websessions import close_user_sessions

ROLES = ("admin", "network_admin", "security_officer", "viewer")
LOCALES = ("es", "en")
MIN_PASSWORD = 10
_N, _R, _P = 2**15, 8, 1


class UserError(ValueError):
    """A user action that cannot be done; the message says why."""


def hash_password(password: str, n: int = _N) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=_R, p=_P, maxmem=128 * n * _R * 2, dklen=32
    )
    encoded = (base64.b64encode(salt).decode(), base64.b64encode(digest).decode())
    return f"scrypt${n}${_R}${_P}${encoded[0]}${encoded[1]}"


def check_password(stored: str, password: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(
            password.encode("utf-8"),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            maxmem=128 * int(n) * int(r) * 2,
            dklen=len(expected),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


# A hash to check against when the user does not exist, so a login for an unknown name costs
# the same time as one for a known name (no user enumeration by timing).
_DUMMY = hash_password(secrets.token_hex(8))


def _check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"the password needs at least {MIN_PASSWORD} characters")


def create_user(
    session: Session, username: str, password: str, role: str, locale: str = "es"
) -> User:
    username = username.strip()
    if not username or len(username) > 64:
        raise UserError("a user name needs 1 to 64 characters")
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}: one of {', '.join(ROLES)}")
    if locale not in LOCALES:
        raise UserError(f"unknown language {locale!r}: one of {', '.join(LOCALES)}")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise UserError(f"user {username!r} already exists")
    _check_new_password(password)
    user = User(username=username, password_hash=hash_password(password), role=role, locale=locale)
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, username: str, password: str) -> User:
    user = get_user(session, username)
    if user is None:
        raise UserError(f"no user {username!r}")
    _check_new_password(password)
    user.password_hash = hash_password(password)
    return user


def set_locale(session: Session, user_id: int, locale: str) -> None:
    if locale not in LOCALES:
        raise UserError(f"unknown language {locale!r}")
    user = session.get(User, user_id)
    if user is not None:
        user.locale = locale


def get_user(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username))


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active local user with this name and password, or None (same cost either way)."""
    user = get_user(session, username)
    if user is None or not user.active or user.source != "local":
        check_password(_DUMMY, password)
        return None
    return user if check_password(user.password_hash, password) else None


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.username)))


# A directory user's stored hash: no password matches it (check_password needs "scrypt$...")
DIRECTORY_HASH = "!directory"


def set_active(session: Session, username: str, active: bool) -> User:
    """Enable or disable a user; disabling ends the user's sessions at once."""
    user = get_user(session, username)
    if user is None:
        raise UserError(f"no user {username!r}")
    user.active = active
    if not active:
        close_user_sessions(session, user.id)
    return user


def directory_user(session: Session, username: str, role: str) -> User:
    """The row of a user the directory accepted, created at first login; the role follows the
    directory's groups at each login. A disabled row stays disabled (UserError): Atalaya's own
    switch wins over the directory's. A local account of the same name is never taken over."""
    user = get_user(session, username)
    if user is None:
        user = User(username=username[:64], password_hash=DIRECTORY_HASH, role=role,
                    locale="es", source="directory")  # fmt: skip
        session.add(user)
        session.flush()
        return user
    if user.source != "directory":
        raise UserError(f"{username!r} is a local account, not a directory one")
    if not user.active:
        raise UserError(f"{username!r} is disabled in Atalaya")
    if user.role != role:
        user.role = role
        close_user_sessions(session, user.id)  # sessions of the old role end
    return user
