"""Backup and restore of the CMDB in one portable format, whatever the engine.

A backup is a gzip'd JSON-lines file: a header (format, schema revision, tables, row counts),
then one line per row, table by table in foreign-key order, then a trailer with the SHA-256
of everything before it. The same file restores into SQLite or PostgreSQL, so it also moves
an embedded installation onto a shared PostgreSQL. A restore runs in one transaction: a
truncated, corrupt or foreign file changes nothing.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import gzip
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Table, delete, func, insert, select, text

from cmdb import db
from cmdb.models import Base

FORMAT = "atalaya-backup/1"
BATCH = 1000


class BackupError(ValueError):
    """The backup file cannot be restored; the message says why."""


@dataclass
class BackupSummary:
    path: Path
    revision: str | None
    rows: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$d": value.isoformat()}
    if isinstance(value, decimal.Decimal):
        return {"$n": str(value)}
    if isinstance(value, bytes):
        return {"$b": base64.b64encode(value).decode()}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and len(value) == 1:
        ((key, raw),) = value.items()
        if key == "$dt":
            return dt.datetime.fromisoformat(raw)
        if key == "$d":
            return dt.date.fromisoformat(raw)
        if key == "$n":
            return decimal.Decimal(raw)
        if key == "$b":
            return base64.b64decode(raw)
    return value


class _HashingWriter:
    def __init__(self, handle: gzip.GzipFile) -> None:
        self.handle, self.digest = handle, hashlib.sha256()

    def line(self, record: dict[str, Any]) -> None:
        data = (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
        self.digest.update(data)
        self.handle.write(data)


def backup(
    engine: Engine, path: Path, progress: Callable[[str, int], None] | None = None
) -> BackupSummary:
    """Write a consistent backup of every CMDB table (one read transaction)."""
    tables = list(Base.metadata.sorted_tables)
    tmp = path.with_name(path.name + ".part")
    rows: dict[str, int] = {}
    with engine.connect() as conn, conn.begin():
        if conn.dialect.name == "postgresql":
            conn.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
        revision = db.current_revision(engine)
        counts = {t.name: conn.scalar(select(func.count()).select_from(t)) or 0 for t in tables}
        with gzip.open(tmp, "wb") as handle:
            out = _HashingWriter(handle)
            out.line(
                {
                    "format": FORMAT,
                    "revision": revision,
                    "tables": counts,
                    "created": dt.datetime.now(dt.UTC).isoformat(),
                }
            )
            for table in tables:
                rows[table.name] = 0
                ordered = select(table).order_by(*table.primary_key.columns)
                for row in conn.execution_options(yield_per=BATCH).execute(ordered).mappings():
                    out.line({"t": table.name, "r": {k: _encode(v) for k, v in row.items()}})
                    rows[table.name] += 1
                if progress:
                    progress(table.name, rows[table.name])
            handle.write((json.dumps({"end": out.digest.hexdigest()}) + "\n").encode())
    tmp.replace(path)  # a backup file either is complete or does not exist
    return BackupSummary(path, revision, rows)


def _read(path: Path) -> Iterator[dict[str, Any]]:
    """Yield the header and rows, checking the trailer's digest at the end."""
    digest = hashlib.sha256()
    trailer_seen = False
    try:
        with gzip.open(path, "rb") as handle:
            for number, data in enumerate(handle, 1):
                record = json.loads(data)
                if "end" in record:
                    if record["end"] != digest.hexdigest():
                        raise BackupError(f"{path}: checksum mismatch: the file is corrupt")
                    trailer_seen = True
                    continue
                if trailer_seen:
                    raise BackupError(f"{path}:{number}: data after the end marker")
                digest.update(data)
                yield record
    except (OSError, EOFError, json.JSONDecodeError) as exc:
        raise BackupError(f"{path}: not a readable Atalaya backup ({exc})") from None
    if not trailer_seen:
        raise BackupError(f"{path}: truncated: no end marker (incomplete copy?)")


def _verify(path: Path) -> dict[str, Any]:
    """Read the whole file once before touching the database: a bad file changes nothing."""
    records = _read(path)
    header = next(records, None)
    if not header or header.get("format") != FORMAT:
        raise BackupError(f"{path}: not an Atalaya backup (expected format {FORMAT})")
    for _ in records:  # checks the digest and the end marker
        pass
    return header


def restore(
    engine: Engine, path: Path, progress: Callable[[str, int], None] | None = None
) -> BackupSummary:
    """Replace the CMDB's content with the backup's, in one transaction."""
    if not path.is_file():
        raise BackupError(f"{path}: file not found")
    header = _verify(path)
    if header["revision"] != db.head_revision():
        raise BackupError(
            f"{path}: made with schema revision {header['revision']}, this version has "
            f"{db.head_revision()}: restore it with the Atalaya version that made it, then upgrade"
        )
    db.upgrade(engine)
    tables = {t.name: t for t in Base.metadata.sorted_tables}
    unknown = set(header["tables"]) - set(tables)
    if unknown:
        raise BackupError(f"{path}: tables unknown to this version: {', '.join(sorted(unknown))}")
    records = _read(path)
    next(records)  # the header, already checked
    rows: dict[str, int] = dict.fromkeys(header["tables"], 0)
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(delete(table))
        batch: list[dict[str, Any]] = []
        current: Table | None = None
        for record in records:
            table = tables[record["t"]]
            if table is not current and batch and current is not None:
                conn.execute(insert(current), batch)
                batch = []
            current = table
            batch.append({k: _decode(v) for k, v in record["r"].items()})
            rows[table.name] += 1
            if len(batch) >= BATCH:
                conn.execute(insert(table), batch)
                batch = []
        if batch and current is not None:
            conn.execute(insert(current), batch)
        if rows != header["tables"]:
            raise BackupError(f"{path}: row counts differ from the header: the file is incomplete")
        if conn.dialect.name == "postgresql":
            _reset_sequences(conn, list(tables.values()))
    if progress:
        for name, count in rows.items():
            progress(name, count)
    return BackupSummary(path, header["revision"], rows)


def _reset_sequences(conn: Any, tables: list[Table]) -> None:
    """Rows were inserted with their ids: move each id sequence past the highest one."""
    for table in tables:
        column = table.c.get("id")
        if column is None:
            continue
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
            )
        )
