"""A run whose process died (no ended_at) is marked aborted when the next run of its loop and
poller group starts; it stays without an end, so /metrics never counts it as a finished cycle."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from cmdb.ingest import finish_run, start_run
from cmdb.models import PollRun


def test_unfinished_run_is_marked_aborted_by_the_next_start(sqlite_engine: Engine) -> None:
    with Session(sqlite_engine) as session, session.begin():
        killed = start_run(session, "snmp", "norte").id
        other_group = start_run(session, "snmp", "sur").id
    with Session(sqlite_engine) as session, session.begin():
        follower = start_run(session, "snmp", "norte")
        finish_run(session, follower, [], follower.started_at)
    with Session(sqlite_engine) as session:
        run = session.get(PollRun, killed)
        assert run is not None and run.ended_at is None
        assert [e["reason"] for e in run.errors] == ["aborted"]
        untouched = session.get(PollRun, other_group)
        assert untouched is not None and untouched.errors == []  # another poller's live run
    with Session(sqlite_engine) as session, session.begin():
        start_run(session, "snmp", "norte")  # noticed once, not once per later run
    with Session(sqlite_engine) as session:
        run = session.get(PollRun, killed)
        assert run is not None and len(run.errors) == 1
