"""A lease per (poller group, loop) in the CMDB: the lock APScheduler 3 does not have.

APScheduler 3 keeps jobs in a shared SQLAlchemyJobStore but never locks them: two live
schedulers reading one job table both see a job due and both run it (its documentation says
sharing a job store between processes is unsupported). So each scheduled run first takes the
row of its (group, loop) with one conditional UPDATE, which is atomic on both engines:
PostgreSQL re-checks the WHERE clause on the row a concurrent writer just committed, and
SQLite lets one writer in at a time. The run goes ahead only if the UPDATE changed the row:

- nobody holds it (released, or its holder stopped renewing: crashed), and
- the loop did not start within the last interval (a second process of the group whose
  clock fires a little later must not poll the same devices again).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Iterator

from sqlalchemy import ColumnElement, Engine, and_, or_, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from cmdb.models import PollLease

log = logging.getLogger(__name__)

# A holder renews every TTL/3 while its loop runs; a crashed holder blocks its group's loop for
# at most TTL. 60 s: longer than a renewal stalled by a busy database, short next to the loops.
TTL = dt.timedelta(seconds=60)
# Clocks of collector hosts drift apart (NTP keeps them within milliseconds); a run that fires
# this early relative to the last start is still the next run, not a duplicate.
EARLY_TOLERANCE = 0.1  # of the interval

Clock = Callable[[], dt.datetime]


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def holder_name() -> str:
    """This process, as a lease holder: host, PID, and a nonce against PID reuse."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def try_take(
    engine: Engine,
    group: str,
    loop: str,
    holder: str,
    interval_s: float,
    clock: Clock = utcnow,
) -> bool:
    """Take the lease of `loop` for `group` if it is free and the loop is due; True if taken."""
    now = clock()
    earliest_last_start = now - dt.timedelta(seconds=interval_s * (1 - EARLY_TOLERANCE))
    _ensure_row(engine, group, loop)
    statement = (
        update(PollLease)
        .where(
            PollLease.poller_group == group,
            PollLease.loop == loop,
            or_(PollLease.expires_at.is_(None), PollLease.expires_at < now),
            or_(
                PollLease.last_started_at.is_(None),
                PollLease.last_started_at <= earliest_last_start,
            ),
        )
        .values(holder=holder, expires_at=now + TTL, last_started_at=now)
        .execution_options(synchronize_session=False)
    )
    try:
        with Session(engine) as session, session.begin():
            taken = session.execute(statement).rowcount == 1  # type: ignore[attr-defined]
    except OperationalError as exc:
        # SQLite refuses a writer whose snapshot went stale: another process just wrote the row.
        log.warning("lease %s/%s not taken: %s", group or "-", loop, exc.orig)
        return False
    return taken


def renew(engine: Engine, group: str, loop: str, holder: str, clock: Clock = utcnow) -> bool:
    """Extend a lease this holder still has; False if it lost it (expired and taken)."""
    with Session(engine) as session, session.begin():
        result = session.execute(
            update(PollLease)
            .where(_held_by(group, loop, holder))
            .values(expires_at=clock() + TTL)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1  # type: ignore[attr-defined]


def release(engine: Engine, group: str, loop: str, holder: str) -> None:
    """Free the lease (the loop's last start stays: it decides when the loop is due again)."""
    with Session(engine) as session, session.begin():
        session.execute(
            update(PollLease)
            .where(_held_by(group, loop, holder))
            .values(expires_at=None)
            .execution_options(synchronize_session=False)
        )


@contextlib.contextmanager
def held(engine: Engine, group: str, loop: str, holder: str, interval_s: float) -> Iterator[bool]:
    """Yield whether the lease was taken; while inside, renew it; on exit, release it."""
    if not try_take(engine, group, loop, holder, interval_s):
        yield False
        return
    stop = threading.Event()

    def keep_renewing() -> None:
        while not stop.wait(TTL.total_seconds() / 3):
            try:
                if not renew(engine, group, loop, holder):
                    log.error("lease %s/%s lost while running", group or "-", loop)
                    return
            except Exception:  # a database hiccup: try again at the next tick
                log.exception("lease %s/%s: renewal failed", group or "-", loop)

    renewer = threading.Thread(target=keep_renewing, name=f"lease-{loop}", daemon=True)
    renewer.start()
    try:
        yield True
    finally:
        stop.set()
        renewer.join()
        release(engine, group, loop, holder)


def _held_by(group: str, loop: str, holder: str) -> ColumnElement[bool]:
    return and_(PollLease.poller_group == group, PollLease.loop == loop, PollLease.holder == holder)


def _ensure_row(engine: Engine, group: str, loop: str) -> None:
    with Session(engine) as session:
        if session.get(PollLease, (group, loop)) is not None:
            return
        session.add(PollLease(poller_group=group, loop=loop, holder=""))
        try:
            session.commit()
        except IntegrityError:
            session.rollback()  # another process created it first: same row, same outcome
