"""The database locked or restarted while collecting (issue 8): the loop ends within a bound
with the reason (SQLite's "database is locked", PostgreSQL's lost connection) and nothing is
half-written. With the spool (issue 17, the default) the results wait in it and the next run
stores them first, in the PollRun they started; without it (spool_max_mb = 0) they are lost,
the run left open is marked aborted, and the next run succeeds."""

from __future__ import annotations

import contextlib
import datetime as dt
import socket
import sqlite3
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from atalaya.jobs.collection import LoopSummary, run_loop
from atalaya.settings import Settings, load_settings
from cmdb import db
from cmdb.inventory import apply_inventory, read_toml
from cmdb.models import DeviceLiveness, PollRun
from tests.postgres import PostgresServer

pytestmark = [pytest.mark.lab, pytest.mark.slow]
BUSY_S = 0.5  # SQLite busy timeout for these tests (the default is 30 s)


def _settings(lab: Any, folder: Path) -> Settings:
    return load_settings(
        environ={
            "ATALAYA_DATA_DIR": str(folder),
            "ATALAYA_SECRETS_DIR": str(lab.secrets_dir),
            "ATALAYA_COLLECT_DEVICE_DEADLINE_S": "4",
        }
    )


def _load(engine: Engine, lab: Any) -> list[str]:
    db.upgrade(engine)
    with Session(engine) as session, session.begin():
        apply_inventory(session, read_toml(Path(lab.inventory_path)), dt.datetime.now(dt.UTC))
    return [s["code"] for s in lab.truth["sites"] if not s["unreachable"]][:3]


def _open_run(engine: Engine) -> int | None:
    with Session(engine) as session:
        return session.scalar(select(PollRun.id).where(PollRun.ended_at.is_(None)))


class _LoopThread(threading.Thread):
    """run_loop in a thread, keeping its result or the exception that ended it."""

    def __init__(self, engine: Engine, settings: Settings, sites: list[str]) -> None:
        super().__init__()
        self.args = (engine, settings, sites)
        self.result: LoopSummary | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        engine, settings, sites = self.args
        try:
            self.result = run_loop(engine, settings, "snmp", sites=sites)
        except Exception as error:  # the test inspects it
            self.error = error


def _when_collecting(engine: Engine, loop: _LoopThread) -> int:
    for _ in range(400):  # bounded: 20 s
        run_id = _open_run(engine)
        if run_id is not None:
            return run_id
        assert loop.is_alive(), loop.error
        time.sleep(0.05)
    pytest.fail("the loop never started its run")


@pytest.fixture
def sqlite_lab(lab_network: Any, tmp_path: Path) -> Iterator[tuple[Engine, Settings, list[str]]]:
    settings = _settings(lab_network, tmp_path)
    settings.database.busy_timeout_s = BUSY_S  # [database] busy_timeout_s: no 30 s wait here
    engine = db.make_engine(settings.database_url, busy_timeout_s=BUSY_S)
    sites = _load(engine, lab_network)
    yield engine, settings, sites
    engine.dispose()


def test_sqlite_locked_past_the_busy_timeout_fails_the_loop_then_recovers(
    sqlite_lab: tuple[Engine, Settings, list[str]], tmp_path: Path
) -> None:
    engine, settings, sites = sqlite_lab
    loop = _LoopThread(engine, settings, sites)
    loop.start()
    run_id = _when_collecting(engine, loop)
    blocker = sqlite3.connect(tmp_path / "atalaya.db", isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")  # another process's long write
    try:
        loop.join(timeout=60)
        assert not loop.is_alive(), "the loop waited for the lock without bound"
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    # the loop ends (no exception out of it: the cycle goes on), says why, keeps the results
    assert loop.error is None and loop.result is not None, loop.error
    assert loop.result.spooled and loop.result.run_id == run_id, loop.result
    assert "database is locked" in loop.result.error
    with Session(engine) as session:
        run = session.get(PollRun, run_id)
        assert run is not None and run.ended_at is None  # nothing of its ingest was written
        assert not session.scalars(
            select(DeviceLiveness).where(DeviceLiveness.last_polled.is_not(None))
        ).all()
    recovered = run_loop(engine, settings, "snmp", sites=sites)
    assert recovered.ok > 0 and recovered.failed == 0, recovered
    with Session(engine) as session:
        run = session.get(PollRun, run_id)  # replayed before the new run: finished, counted
        assert run is not None and run.ended_at is not None and run.errors == []
        assert run.devices_ok == loop.result.ok == recovered.ok


def _start_again(server: PostgresServer) -> None:
    """Start the stopped postmaster on its existing data folder (start() would initdb)."""
    server.process = subprocess.Popen(
        server._as_user(
            [
                str(server.bindir / "postgres"),
                "-D",
                str(server.datadir),
                "-p",
                str(server.port),
                "-h",
                "127.0.0.1",
                "-k",
                str(server.root),
                "-c",
                "fsync=off",
            ]
        ),
        stdout=subprocess.DEVNULL,
        stderr=(server.root / "server-restart.log").open("ab"),
    )
    for _ in range(300):  # bounded: 30 s
        with (
            contextlib.suppress(OSError),
            socket.create_connection(("127.0.0.1", server.port), 0.2),
        ):
            time.sleep(0.3)
            return
        time.sleep(0.1)
    raise RuntimeError("PostgreSQL did not come back")


def test_postgresql_restarted_between_and_during_cycles(
    lab_network: Any, postgres_server: PostgresServer, tmp_path: Path
) -> None:
    settings = _settings(lab_network, tmp_path)
    settings.collect.spool_max_mb = 0  # no spool: the results of the interrupted run are lost
    url = postgres_server.create_database(f"atalaya_restart_{int(time.time())}")
    engine = db.make_engine(url)
    try:
        sites = _load(engine, lab_network)
        first = run_loop(engine, settings, "snmp", sites=sites)
        assert first.ok > 0
        postgres_server.stop()
        _start_again(postgres_server)
        between = run_loop(engine, settings, "snmp", sites=sites)  # pooled connections are dead
        assert between.ok == first.ok, between

        loop = _LoopThread(engine, settings, sites)
        loop.start()
        run_id = _when_collecting(engine, loop)
        postgres_server.stop()
        try:
            loop.join(timeout=60)
            assert not loop.is_alive()
        finally:
            _start_again(postgres_server)
        # the ingest met the server down: the loop ended with the reason, it did not hang
        assert loop.error is None and loop.result is not None, loop.error
        assert loop.result.by_reason == {"database": 1} and loop.result.error, loop.result
        after = run_loop(engine, settings, "snmp", sites=sites)
        assert after.ok == first.ok, after
        with Session(engine) as session:
            run = session.get(PollRun, run_id)
            assert run is not None
            assert run.ended_at is None and [e["reason"] for e in run.errors] == ["aborted"]
    finally:
        engine.dispose()
        if postgres_server.process is None or postgres_server.process.poll() is not None:
            _start_again(postgres_server)  # the fixture is shared: leave it running
