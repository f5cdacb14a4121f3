"""Small value shaping shared by the ingest modules: column-fitted text, naive UTC times."""

from __future__ import annotations

import datetime as dt
from typing import Any


def fit(model: type[Any], values: dict[str, Any]) -> dict[str, Any]:
    """Clip text to its column's length. A broken agent's 300-character ifName must not make
    PostgreSQL refuse the whole device's ingest (SQLite would store it, PostgreSQL raises)."""
    columns = model.__table__.columns
    fitted = {}
    for key, value in values.items():
        length = getattr(columns[key].type, "length", None) if key in columns else None
        fitted[key] = value[:length] if isinstance(value, str) and length else value
    return fitted


def naive_utc(at: dt.datetime) -> dt.datetime:
    return at.astimezone(dt.UTC).replace(tzinfo=None) if at.tzinfo else at
