"""Store imported advisories and read them back. Functions take a session.

An advisory arrives as the plain record `compliance.advisories.records.to_record` makes (this
layer does not import the parsers) with the hash of its content. The same content again changes
nothing; a newer revision replaces the stored one and leaves Change rows (field, old -> new) in
the audit trail; an older revision than the stored one is refused, so replaying an old feed
never undoes an update.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from cmdb.changes import apply_changes
from cmdb.models import Advisory

Outcome = Literal["added", "unchanged", "updated", "older"]
SOURCE = "advisories import"


def _naive_utc(stamp: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(stamp)
    return moment.astimezone(dt.UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _values(record: Mapping[str, Any]) -> dict[str, Any]:
    cvss = record.get("cvss") or {}
    return {
        "source_format": record["source"],
        "revision": str(record["revision"])[:64],
        "modified": _naive_utc(record["modified"]),
        "title": record["title"],
        "cvss_version": cvss.get("version"),
        "cvss_score": cvss.get("base_score"),
        "cvss_vector": cvss.get("vector"),
        "cvss_severity": cvss.get("severity"),
        "cvss_published_score": cvss.get("published_score"),
    }


def store_advisory(
    session: Session,
    record: Mapping[str, Any],
    sha256: str,
    source_file: str,
    at: dt.datetime,
) -> Outcome:
    """Insert, replace or keep the advisory `record["id"]`; say which happened."""
    row = session.scalar(select(Advisory).where(Advisory.advisory_id == record["id"]))
    values = _values(record)
    if row is not None and row.content_sha256 == sha256:
        return "unchanged"
    if row is not None and values["modified"] < row.modified:
        return "older"
    outcome: Outcome = "added" if row is None else "updated"
    if row is None:
        row = Advisory(advisory_id=record["id"], **values)
        session.add(row)
    else:
        # scalar fields one Change each (revision, modified, title, score…); the product list
        # and CVE ids are replaced whole, their difference is the revision's
        apply_changes(session, row, "advisory", values, SOURCE, at)
    row.cve_ids = list(record.get("cve_ids") or [])
    row.affected = list(record.get("affected") or [])
    row.content_sha256 = sha256
    row.source_file = source_file[-500:]
    row.imported_at = at
    session.flush()
    return outcome


def advisory_records(session: Session) -> list[dict[str, Any]]:
    """Every stored advisory as the record it was imported from (for from_record)."""
    records = []
    for row in session.scalars(select(Advisory).order_by(Advisory.advisory_id)):
        cvss = None
        if row.cvss_vector is not None and row.cvss_score is not None:
            cvss = {
                "version": row.cvss_version,
                "vector": row.cvss_vector,
                "base_score": row.cvss_score,
                "severity": row.cvss_severity,
                "published_score": row.cvss_published_score,
            }
        records.append(
            {
                "id": row.advisory_id,
                "source": row.source_format,
                "revision": row.revision,
                "modified": row.modified.replace(tzinfo=dt.UTC).isoformat(),
                "title": row.title,
                "cve_ids": list(row.cve_ids or []),
                "cvss": cvss,
                "affected": list(row.affected or []),
            }
        )
    return records
