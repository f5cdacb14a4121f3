"""Sessions, failed logins, the audit log and the edit revision on SQLite and PostgreSQL alike:
what lets several web processes share them."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from cmdb import websessions
from cmdb.audit import events, record
from cmdb.inventory import apply_inventory, read_toml
from cmdb.inventory_edit import EditConflict, declared, edit
from cmdb.models import Device, utcnow
from cmdb.users import create_user, set_active
from tests.conftest import REPO

IDLE = dt.timedelta(minutes=30)
WINDOW = dt.timedelta(minutes=15)


def test_a_session_is_found_by_its_id_until_idle_or_disabled(engine: Engine) -> None:
    now = utcnow()
    with Session(engine) as s, s.begin():
        user = create_user(s, "ana", "una clave larga de prueba", "viewer")
        sid = websessions.open_session(s, user.id, now, "127.0.0.1")
    with Session(engine) as s, s.begin():
        found = websessions.session_user(s, sid, now + IDLE / 2, IDLE)
        assert found is not None and found.username == "ana"
        assert websessions.session_user(s, sid + "x", now, IDLE) is None
        assert websessions.session_user(s, sid, now + IDLE / 2 + IDLE * 2, IDLE) is None
        assert websessions.session_user(s, sid, now, IDLE) is None  # the idle one was removed
        other = websessions.open_session(s, found.id, now, "")
        set_active(s, "ana", False)
        assert websessions.session_user(s, other, now, IDLE) is None


def test_failures_count_per_key_within_the_window(engine: Engine) -> None:
    now = utcnow()
    keys = websessions.failure_keys("Ana", "10.0.0.9")
    with Session(engine) as s, s.begin():
        for minutes in (20, 3, 2, 1):  # the first is outside the window
            websessions.login_failed(s, keys, now - dt.timedelta(minutes=minutes), WINDOW)
        assert websessions.login_wait(s, {keys[0]: 3}, now, WINDOW) == 12 * 60 + 1
        assert websessions.login_wait(s, {keys[0]: 4}, now, WINDOW) == 0
        websessions.login_succeeded(s, keys[0])
        assert websessions.login_wait(s, {keys[0]: 1, keys[1]: 4}, now, WINDOW) == 0
        assert websessions.login_wait(s, {keys[1]: 3}, now, WINDOW) > 0


def test_audit_events_read_back_newest_first_since_a_day(engine: Engine) -> None:
    now = utcnow()
    with Session(engine) as s, s.begin():
        record(s, "login", "ana", "10.0.0.9", at=now - dt.timedelta(days=3))
        record(s, "waiver.create", "sofia", "10.0.0.8", "waiver 4", at=now, rule="NET-SVC-01")
    with Session(engine) as s:
        recent = events(s, since=now - dt.timedelta(days=1))
        assert [(e.action, e.detail) for e in recent] == [("waiver.create", {"rule": "NET-SVC-01"})]
        assert [e.action for e in events(s, action="login")] == ["login"]


def test_a_second_save_from_the_same_revision_is_a_conflict(engine: Engine) -> None:
    with Session(engine) as s, s.begin():
        apply_inventory(s, read_toml(REPO / "examples" / "inventory.toml"), at=utcnow())
        apply_inventory(s, read_toml(REPO / "tests/web/fixtures/cmdb/devices.toml"), at=utcnow())
        device = s.scalars(select(Device).order_by(Device.id)).first()
        assert device is not None
        device_id, form = device.id, {k: "" if v is None else str(v)
                                      for k, v in declared("device", device).items()}  # fmt: skip
    with Session(engine) as s, s.begin():
        summary = edit(s, "device", device_id, 0, form | {"owner": "Redes"}, "ana", utcnow())
        assert summary.changes == 1
    with Session(engine) as s, s.begin(), pytest.raises(EditConflict) as conflict:
        edit(s, "device", device_id, 0, form | {"owner": "Soporte"}, "nestor", utcnow())
    assert conflict.value.revision == 1
    with Session(engine) as s:
        assert s.get(Device, device_id).owner == "Redes"  # type: ignore[union-attr]
