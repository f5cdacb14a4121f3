"""Storing a run's results in the CMDB: now, or later from the spool, each run exactly once.

A live run and a replayed one take the same path (`store_run`): its ingest and the PollRun's
finish in one transaction, with the run's own start and end, so samples polled during an outage
of the database drive outage intervals with their true times (cmdb/ingest_probes.py).

Exactly once across a crash: the CMDB and the spool are two databases, so no single commit can
both store a run and remove it from the spool. The PollRun is the idempotency key instead: a
spooled run first gets its PollRun (opened, committed, its id written back to the spool), and its
ingest runs only while that PollRun has no end, checked under a row lock in the ingest's own
transaction. A crash after the ingest's commit and before the spool's delete leaves a run whose
PollRun has ended: the next replay removes it without storing it twice.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import fcntl
import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm import Session

from atalaya.jobs.spool import Result, Spool, SpooledRun
from cmdb.ingest import finish_run
from cmdb.ingest_values import naive_utc
from cmdb.models import PollRun

log = logging.getLogger(__name__)
Ingest = Callable[[Session, list[Result], dt.datetime], list[Result]]


@dataclass(frozen=True)
class RunRecord:
    """One run's results and where they belong, whether stored now or replayed."""

    loop: str
    poller_group: str
    regions: str
    run_id: int | None  # its PollRun, if one could be opened
    started_at: dt.datetime
    ended_at: dt.datetime
    results: Sequence[Result]


@dataclass(frozen=True)
class StoredRun:
    run_id: int
    total: int
    ok: int
    failed: int
    reasons: list[str]


def store_run(engine: Engine, ingest: Ingest, record: RunRecord) -> StoredRun | None:
    """Ingest and finish one run in one transaction; None if its PollRun had already ended
    (stored by an earlier replay). Raises DBAPIError while the database cannot be written."""
    with Session(engine) as session, session.begin():
        run = None
        if record.run_id is not None:
            # FOR UPDATE: a second replayer of the same run waits here, then sees it ended.
            run = session.get(PollRun, record.run_id, with_for_update=True)
            if run is not None and run.ended_at is not None:
                return None
        if run is None:  # never opened (database down at the start), or lost with a restore
            run = open_run(session, record)
        results = ingest(session, list(record.results), record.ended_at)
        finish_run(session, run, results, record.ended_at)
        return StoredRun(
            run.id, run.devices_total, run.devices_ok, run.devices_failed,
            [error["reason"] for error in run.errors],
        )  # fmt: skip


def open_run(session: Session, record: RunRecord) -> PollRun:
    """A PollRun with the run's original start (not now): the run happened then."""
    run = PollRun(
        loop=record.loop,
        poller_group=record.poller_group,
        regions=record.regions,
        started_at=naive_utc(record.started_at),
        errors=[],
    )
    session.add(run)
    session.flush()
    return run


def replay_spool(engine: Engine, spool: Spool | None, ingesters: Mapping[str, Ingest]) -> int:
    """Send the spooled runs to the CMDB, oldest first; returns how many were stored.

    Stops at the first database error (DBAPIError, raised): the rest stays, in order, for the
    next attempt. Holds the spool's replay lock, so two threads or processes of one poller group
    never interleave, and a new run's ingest waits until the runs before it are in."""
    if spool is None or spool.is_empty():
        return 0
    stored = 0
    with _replay_lock(spool):
        for spooled in spool.pending():
            ingest = ingesters.get(spooled.loop)
            if ingest is None:
                log.error("spool: run %d of unknown loop %r dropped", spooled.seq, spooled.loop)
                spool.remove(spooled.seq)
                continue
            try:
                stored += _replay_one(engine, spool, spooled, ingest)
            except DBAPIError as error:
                if database_unavailable(error):
                    raise  # the rest waits, in order, for the next attempt
                # The database is there and refuses this run's data (a constraint, a value):
                # retrying cannot help, and it must not hold back the runs behind it.
                spool.discard(spooled.seq, f"the CMDB refuses it: {error.orig or error}")
    if stored:
        log.info("spool: %d runs replayed into the CMDB", stored)
    return stored


def database_unavailable(error: DBAPIError) -> bool:
    """The database is away or busy (gone, restarted, locked): worth spooling and retrying.
    Other DBAPIErrors (a constraint, a bad value) would fail the same way on every retry."""
    return error.connection_invalidated or isinstance(error, (OperationalError, InterfaceError))


def _replay_one(engine: Engine, spool: Spool, spooled: SpooledRun, ingest: Ingest) -> bool:
    record = RunRecord(
        spooled.loop, spooled.poller_group, spooled.regions, spooled.run_id,
        spooled.started_at, spooled.ended_at, spooled.results,
    )  # fmt: skip
    if record.run_id is None:
        # The idempotency key first: a PollRun of its own, committed, remembered by the spool.
        with Session(engine) as session, session.begin():
            run_id = open_run(session, record).id
        spool.set_run_id(spooled.seq, run_id)
        record = dataclasses.replace(record, run_id=run_id)
    done = store_run(engine, ingest, record)
    if done is None:
        log.warning("spool: run %d (PollRun %s) was already stored", spooled.seq, record.run_id)
    spool.remove(spooled.seq)
    return done is not None


@contextlib.contextmanager
def _replay_lock(spool: Spool) -> Iterator[None]:
    # flock locks belong to an open file: two opens in one process exclude each other too.
    spool.path.parent.mkdir(parents=True, exist_ok=True)
    with open(spool.path.with_suffix(".replay.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
