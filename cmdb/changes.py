"""The audit trail: every attribute change of a CI becomes one Change row (old → new)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from cmdb.models import Change


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def apply_changes(
    session: Session,
    ci: Any,
    ci_type: str,
    values: Mapping[str, Any],
    source: str,
    at: dt.datetime,
    record: bool = True,
) -> list[Change]:
    """Set `values` on `ci`; add a Change for each attribute whose value really changed.

    A new CI (``record=False``) gets its attributes without a Change per field: its creation
    is recorded once by the caller, so a fresh import does not flood the trail.
    """
    changes: list[Change] = []
    for field, new in values.items():
        old = getattr(ci, field)
        if _same(old, new):
            continue
        setattr(ci, field, new)
        if record:
            changes.append(record_event(session, ci, ci_type, field, old, new, source, at))
    return changes


def record_event(
    session: Session,
    ci: Any,
    ci_type: str,
    field: str,
    old: Any,
    new: Any,
    source: str,
    at: dt.datetime,
) -> Change:
    """Record a change that is not a plain attribute (created, software installed, …)."""
    change = Change(
        at=at,
        ci_type=ci_type,
        ci_id=ci.id,
        ci_name=_ci_name(ci),
        field=field,
        old=_as_text(old),
        new=_as_text(new),
        source=source,
    )
    session.add(change)
    return change


def _same(old: Any, new: Any) -> bool:
    if isinstance(old, float) or isinstance(new, float):
        return old == new or (old is not None and new is not None and abs(old - new) < 1e-9)
    return bool(old == new)


def _ci_name(ci: Any) -> str:
    for attribute in ("hostname", "code", "name", "product", "advisory_id"):
        value = getattr(ci, attribute, None)
        if value:
            return str(value)
    return f"#{ci.id}"
