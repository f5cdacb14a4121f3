"""The Statement of Applicability's edits in the CMDB: read them, and record one with its history.

The CMDB knows nothing of the policy files: it stores, per control and edition, the fields the
security officer changed (plain values) and a `Change` row per field (who, when, old -> new). The
compliance package overlays these edits on the `policies/soa.toml` seed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cmdb.models import Change, SoaEdit

FIELDS = ("applicable", "justification", "status", "owner", "documents", "last_review")
CI_TYPE = "soa"  # the Change rows of SoA edits (the audit trail's "type" filter)


def soa_edits(session: Session) -> list[dict[str, Any]]:
    """Every stored edit: {"edition", "control", and each edited field with its value}."""
    result = []
    for row in session.scalars(select(SoaEdit).order_by(SoaEdit.id)):
        values = {f: getattr(row, f) for f in FIELDS if getattr(row, f) is not None}
        result.append({"edition": row.edition, "control": row.control, **values})
    return result


def soa_history(session: Session, edition: str, control: str, limit: int = 50) -> list[Change]:
    """The Change rows of one control's entry, newest first (none before its first edit)."""
    edit_id = session.scalar(
        select(SoaEdit.id).where(SoaEdit.edition == edition, SoaEdit.control == control)
    )
    if edit_id is None:
        return []
    query = (
        select(Change)
        .where(Change.ci_type == CI_TYPE, Change.ci_id == edit_id)
        .order_by(Change.at.desc(), Change.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Sequence) and not isinstance(value, str):
        return ", ".join(str(v) for v in value)
    return str(value)


def record_soa_edit(
    session: Session,
    edition: str,
    control: str,
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    user: str,
    at: dt.datetime,
) -> list[Change]:
    """Store the fields of `new` that differ from `old` (the entry as it stood); one Change each.

    `user` is the login name; the Change's source reads "user:<name>" like a waiver's creator.
    Returns the Change rows (empty when nothing changed: no row is touched then).
    """
    changed = {f: v for f, v in new.items() if f in FIELDS and _text(v) != _text(old.get(f))}
    if not changed:
        return []
    row = session.scalar(
        select(SoaEdit).where(SoaEdit.edition == edition, SoaEdit.control == control)
    )
    if row is None:
        row = SoaEdit(edition=edition, control=control)
        session.add(row)
    for field, value in changed.items():
        setattr(row, field, list(value) if field == "documents" else value)
    row.updated_at, row.updated_by = at, user
    session.flush()
    changes = [
        Change(
            at=at,
            ci_type=CI_TYPE,
            ci_id=row.id,
            ci_name=f"{control} ({edition})",
            field=field,
            old=_text(old.get(field)),
            new=_text(value),
            source=f"user:{user}",
        )
        for field, value in changed.items()
    ]
    session.add_all(changes)
    return changes
