"""The service killed with SIGKILL in the middle of an ingest (issue 8): no CI is left
half-updated, the unfinished PollRun is marked aborted by the next run, and the next
`atalaya collect` polls every device.

The kill lands inside the ingest's write transaction, not just somewhere in the loop: while
the collector's run is open, the test tries to take SQLite's write lock every few
milliseconds; the first time it cannot, the collector is writing (its PollRun row is already
committed, so this is the ingest), and it is killed at once."""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from atalaya.jobs.collection import run_loop
from atalaya.settings import load_settings
from cmdb import db
from cmdb.inventory import apply_inventory, read_toml
from cmdb.models import Change, Device, PollRun

pytestmark = [pytest.mark.lab, pytest.mark.slow]
EDITED = 6


def _collect(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "atalaya", "collect", "--only", "snmp", "--format", "json"],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _writing(path: Path) -> bool:
    """True when another connection holds the write lock (we could not take it at once)."""
    connection = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        connection.close()


def _open_run(path: Path) -> int | None:
    connection = sqlite3.connect(path, timeout=5)
    try:
        row = connection.execute(
            "SELECT id FROM poll_run WHERE loop = 'snmp' AND ended_at IS NULL ORDER BY id DESC"
        ).fetchone()
        return int(row[0]) if row else None
    finally:
        connection.close()


def _kill_while_ingesting(process: subprocess.Popen[bytes], path: Path) -> int:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        run_id = _open_run(path) if path.exists() else None
        if run_id is not None and _writing(path):
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=10)
            return run_id
        time.sleep(0.003)
    process.kill()
    process.wait(timeout=10)
    pytest.fail(f"never caught the collector writing (exit {process.returncode})")


def _state(engine: Engine, hostnames: list[str], since: dt.datetime) -> dict[str, Any]:
    with Session(engine) as session:
        state = {}
        for device in session.scalars(select(Device).where(Device.hostname.in_(hostnames))):
            audited = set(
                session.scalars(
                    select(Change.field).where(
                        Change.ci_type == "device", Change.ci_id == device.id, Change.at >= since
                    )
                )
            )
            state[device.hostname] = (device.os_version, device.serial, audited)
        return state


def test_sigkill_mid_ingest_leaves_each_device_old_or_new(
    lab_site_fault: Any, tmp_path: Path
) -> None:
    lab = lab_site_fault
    env = {"ATALAYA_DATA_DIR": str(tmp_path), "ATALAYA_SECRETS_DIR": str(lab.secrets_dir)}
    settings = load_settings(environ=env)
    path = tmp_path / "atalaya.db"
    engine = db.make_engine(settings.database_url)
    db.upgrade(engine)
    with Session(engine) as session, session.begin():
        apply_inventory(session, read_toml(Path(lab.inventory_path)), dt.datetime.now(dt.UTC))
    first = run_loop(engine, settings, "snmp")
    assert first.ok > 100, first
    switches = [
        d
        for d in lab.truth["devices"]
        if d["platform"] == "cisco_ios" and d["kind"] == "switch" and d["serial"]
    ][:EDITED]
    names = [d["hostname"] for d in switches]
    old = {d["hostname"]: (d["os_version"], d["serial"]) for d in switches}
    new = {name: (f"{v}.99", f"KILL{i:04d}X") for i, (name, (v, _)) in enumerate(old.items())}
    before = _state(engine, names, dt.datetime.min)
    assert {n: s[:2] for n, s in before.items()} == old  # the first collection saw the lab
    edited_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    try:
        for name, (version, serial) in new.items():
            lab.edit(name, os_version=version, serial=serial)
        killed = _kill_while_ingesting(_collect(env), path)
        with sqlite3.connect(path) as check:
            assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        after = _state(engine, names, edited_at)
        half = []
        for name in names:
            version, serial, audited = after[name]
            if (version, serial) == old[name]:
                whole = not audited  # untouched: no change recorded either
            else:
                whole = (version, serial) == new[name] and {"os_version", "serial"} <= audited
            if not whole:
                half.append((name, version, serial, sorted(audited)))
        assert not half, f"half-updated CIs after SIGKILL: {half}"

        finisher = _collect(env)
        _out, err = finisher.communicate(timeout=180)
        assert finisher.returncode in (0, 1), err.decode()[-2000:]
        with Session(engine) as session:
            aborted = session.get(PollRun, killed)
            assert aborted is not None and aborted.ended_at is None
            assert [e["reason"] for e in aborted.errors] == ["aborted"]
            last = session.scalars(
                select(PollRun).where(PollRun.loop == "snmp").order_by(PollRun.id.desc())
            ).first()
            assert last is not None and last.id > killed and last.ended_at is not None
            assert last.devices_total == first.total
            assert last.devices_failed == first.failed, last.errors
        assert {n: s[:2] for n, s in _state(engine, names, edited_at).items()} == new
    finally:
        for name, (version, serial) in old.items():
            lab.edit(name, os_version=version, serial=serial)
        engine.dispose()
