"""The audit log of user actions: `record` writes one event, `events` reads them back.

Every user action goes through `record` (logins and failures, waivers, SoA and inventory edits,
user administration, token creation) with who, from which address and what. A detail key that
names a secret is refused outright: the log is read by more people than the secrets are.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cmdb.models import AuditEvent, utcnow

# Substrings of detail keys that would carry a secret; `record` raises rather than store them.
SECRET_WORDS = ("password", "passwd", "token", "secret", "key", "community")
OUTCOMES = ("ok", "refused", "error")


class AuditError(ValueError):
    """An audit event that must not be stored as given; the message says why."""


def _clean(detail: dict[str, Any]) -> dict[str, Any]:
    for name in detail:
        if any(word in name.lower() for word in SECRET_WORDS):
            raise AuditError(f"audit detail {name!r} looks like a secret: never log it")
    return {k: v if isinstance(v, str | int | float | bool | None) else str(v)
            for k, v in detail.items()}  # fmt: skip


def record(
    session: Session,
    action: str,
    actor: str,
    address: str = "",
    target: str = "",
    outcome: str = "ok",
    at: dt.datetime | None = None,
    **detail: Any,
) -> AuditEvent:
    """Add one audit event to `session` (the caller's transaction: the event commits with the
    action it describes, or not at all)."""
    if outcome not in OUTCOMES:
        raise AuditError(f"outcome {outcome!r}: one of {', '.join(OUTCOMES)}")
    event = AuditEvent(
        at=at or utcnow(),
        actor=actor[:120],
        action=action,
        target=target[:200],
        address=address[:64],
        outcome=outcome,
        detail=_clean(detail),
    )
    session.add(event)
    return event


def events(
    session: Session,
    since: dt.datetime | None = None,
    action: str | None = None,
    actor: str | None = None,
    limit: int = 1000,
) -> list[AuditEvent]:
    """Events newest first, optionally since a time (UTC), of one action prefix or actor."""
    query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if since is not None:
        query = query.where(AuditEvent.at >= since)
    if action:
        query = query.where(AuditEvent.action.startswith(action, autoescape=True))
    if actor:
        query = query.where(AuditEvent.actor == actor)
    return list(session.scalars(query.limit(limit)))


def as_dict(event: AuditEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "at": event.at.isoformat(),
        "actor": event.actor,
        "action": event.action,
        "target": event.target,
        "address": event.address,
        "outcome": event.outcome,
        "detail": event.detail,
    }
