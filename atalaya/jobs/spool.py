"""The collector's local spool: runs polled while the CMDB could not be written, waiting in order.

As a Zabbix proxy buffers, a collector that loses its database keeps polling and appends each
run here: an SQLite file per poller group under ``<data_dir>/spool/`` (WAL, one transaction per
run), holding the run's loop, group, regions, original start and end, the PollRun it had opened
if the database was still up at its start, and its results (collectors/facts_json.py, zlib).
`atalaya.jobs.replay` sends them to the CMDB in order when it returns.

Bounded by ``[collect] spool_max_mb``: appending past it drops the oldest runs first, counts them
(``dropped``, kept in the file so a restart does not forget the loss) and logs each one.
The web process reads the same files (web/metrics_spool.py) for /metrics: keep the two in step.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sqlite3
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from atalaya.jobs.scope import Result  # only device facts and probe samples are kept
from collectors.base import DeviceFacts, ProbeSample
from collectors.facts_json import FactsFormatError, result_from_json, result_to_json

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS spooled_run (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,  -- replay order
    loop TEXT NOT NULL,
    poller_group TEXT NOT NULL,
    regions TEXT NOT NULL,
    run_id INTEGER,          -- the PollRun opened before the database went away, if any
    started_at TEXT NOT NULL,
    ended_at TEXT NOT NULL,
    size INTEGER NOT NULL,   -- bytes of payload, what spool_max_mb bounds
    payload BLOB NOT NULL    -- zlib(JSON list of results)
);
CREATE TABLE IF NOT EXISTS spool_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def spool_path(data_dir: Path, poller_group: str) -> Path:
    """One file per poller group, so two groups sharing a data directory never mix runs."""
    name = f"collector-{poller_group}.db" if poller_group else "collector.db"
    return data_dir / "spool" / name


@dataclass(frozen=True)
class SpooledRun:
    seq: int
    loop: str
    poller_group: str
    regions: str
    run_id: int | None
    started_at: dt.datetime
    ended_at: dt.datetime
    results: list[Result]


@dataclass(frozen=True)
class SpoolState:
    """What `atalaya status` and /metrics say about a spool."""

    poller_group: str
    runs: int
    bytes: int
    oldest_started_at: dt.datetime | None
    dropped: int

    def oldest_age_s(self, now: dt.datetime) -> float:
        return (now - self.oldest_started_at).total_seconds() if self.oldest_started_at else 0.0


class Spool:
    """The spool file of one poller group. Opened per call: collector threads share nothing."""

    def __init__(self, path: Path, poller_group: str, max_bytes: int) -> None:
        self.path, self.poller_group, self.max_bytes = path, poller_group, max_bytes

    def _connect(self) -> sqlite3.Connection:
        """Open the file, creating it (owner-only: it holds configurations, redacted or not,
        and the network's state) with its tables the first time."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        new = not self.path.exists()
        # isolation_level=None: transactions are the explicit BEGIN IMMEDIATE below.
        connection = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=FULL")  # the CMDB is away: this copy is the only one
        if new:
            os.chmod(self.path, 0o600)  # SQLite gives its -wal and -shm files the same mode
        connection.executescript(SCHEMA)  # IF NOT EXISTS: reads only, once the tables are there
        return connection

    def append(
        self,
        loop: str,
        regions: str,
        run_id: int | None,
        started_at: dt.datetime,
        ended_at: dt.datetime,
        results: Sequence[Result],
    ) -> int:
        """Keep one run (one transaction); drop the oldest runs past the bound. Returns its seq."""
        kept = [result_to_json(r) for r in results if isinstance(r, DeviceFacts | ProbeSample)]
        payload = zlib.compress(json.dumps(kept).encode(), 6)
        connection = self._connect()
        try:
            connection.execute("BEGIN IMMEDIATE")
            connection.execute(
                "INSERT OR IGNORE INTO spool_meta VALUES ('poller_group', ?)", (self.poller_group,)
            )
            seq = connection.execute(
                "INSERT INTO spooled_run (loop, poller_group, regions, run_id, started_at, "
                "ended_at, size, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (loop, self.poller_group, regions, run_id, started_at.isoformat(),
                 ended_at.isoformat(), len(payload), payload),
            ).lastrowid  # fmt: skip
            self._drop_oldest(connection)
            connection.execute("COMMIT")
        finally:
            connection.close()
        assert seq is not None
        return seq

    def _drop_oldest(self, connection: sqlite3.Connection) -> None:
        """Past the bound the oldest runs go first: the newest say what the network is now."""
        total = connection.execute("SELECT COALESCE(SUM(size), 0) FROM spooled_run").fetchone()[0]
        rows = connection.execute(
            "SELECT seq, loop, started_at, size FROM spooled_run ORDER BY seq"
        )
        dropped = 0
        for seq, loop, started_at, size in rows.fetchall():
            if total <= self.max_bytes:
                break
            connection.execute("DELETE FROM spooled_run WHERE seq = ?", (seq,))
            total -= size
            dropped += 1
            log.warning(
                "spool %s full (%d bytes max): dropped the %s run started %s, lost for good",
                self.path, self.max_bytes, loop, started_at,
            )  # fmt: skip
        if dropped:
            _count_dropped(connection, dropped)

    def pending(self) -> Iterator[SpooledRun]:
        """The spooled runs, oldest first, read one at a time (a long outage can be large)."""
        if not self.path.exists():
            return
        after = 0
        while True:
            connection = self._connect()
            try:
                row = connection.execute(
                    "SELECT seq, loop, poller_group, regions, run_id, started_at, ended_at, "
                    "payload FROM spooled_run WHERE seq > ? ORDER BY seq LIMIT 1",
                    (after,),
                ).fetchone()
            finally:
                connection.close()
            if row is None:
                return
            after = row[0]
            try:
                run = _spooled_run(row)
            except FactsFormatError as error:
                # Written by a version that typed its facts otherwise: it can never be replayed,
                # and it must not block the runs behind it. A loss, counted as one.
                self.discard(after, f"unreadable: {error}")
                continue
            yield run

    def set_run_id(self, seq: int, run_id: int) -> None:
        """Remember the PollRun a replay opened for this run: the replay's idempotency key."""
        self._write("UPDATE spooled_run SET run_id = ? WHERE seq = ?", (run_id, seq))

    def discard(self, seq: int, why: str) -> None:
        """Drop one run that can never be stored, as a counted loss."""
        log.error("spool %s: run %d dropped, lost for good: %s", self.path, seq, why)
        connection = self._connect()
        try:
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("DELETE FROM spooled_run WHERE seq = ?", (seq,))
            _count_dropped(connection, 1)
            connection.execute("COMMIT")
        finally:
            connection.close()

    def remove(self, seq: int) -> None:
        self._write("DELETE FROM spooled_run WHERE seq = ?", (seq,))

    def _write(self, statement: str, values: tuple[object, ...]) -> None:
        connection = self._connect()
        try:
            connection.execute(statement, values)  # autocommit: one statement, one transaction
        finally:
            connection.close()

    def is_empty(self) -> bool:
        return self.state().runs == 0

    def state(self) -> SpoolState:
        if not self.path.exists():
            return SpoolState(self.poller_group, 0, 0, None, 0)
        connection = self._connect()
        try:
            return read_state(connection, self.poller_group)
        finally:
            connection.close()


def _count_dropped(connection: sqlite3.Connection, dropped: int) -> None:
    connection.execute(
        "INSERT INTO spool_meta VALUES ('dropped', ?) ON CONFLICT (key) DO UPDATE "
        "SET value = CAST(value AS INTEGER) + ?",
        (str(dropped), dropped),
    )


def read_state(connection: sqlite3.Connection, poller_group: str) -> SpoolState:
    runs, size, oldest = connection.execute(
        "SELECT COUNT(*), COALESCE(SUM(size), 0), MIN(started_at) FROM spooled_run"
    ).fetchone()
    dropped = connection.execute("SELECT value FROM spool_meta WHERE key = 'dropped'").fetchone()
    return SpoolState(
        poller_group,
        runs,
        size,
        dt.datetime.fromisoformat(oldest) if oldest else None,
        int(dropped[0]) if dropped else 0,
    )


def spool_states(data_dir: Path) -> list[SpoolState]:
    """Every poller group's spool under the data directory, for `atalaya status`."""
    states = []
    for path in sorted((data_dir / "spool").glob("collector*.db")):
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            group = connection.execute(
                "SELECT value FROM spool_meta WHERE key = 'poller_group'"
            ).fetchone()
            states.append(read_state(connection, group[0] if group else ""))
        except sqlite3.Error as error:
            log.warning("spool %s unreadable: %s", path, error)
        finally:
            connection.close()
    return states


def _spooled_run(row: tuple[object, ...]) -> SpooledRun:
    seq, loop, group, regions, run_id, started, ended, payload = row
    assert isinstance(payload, bytes)
    results: list[Result] = [
        result_from_json(item) for item in json.loads(zlib.decompress(payload))
    ]
    return SpooledRun(
        int(str(seq)), str(loop), str(group), str(regions),
        None if run_id is None else int(str(run_id)),
        dt.datetime.fromisoformat(str(started)), dt.datetime.fromisoformat(str(ended)), results,
    )  # fmt: skip
