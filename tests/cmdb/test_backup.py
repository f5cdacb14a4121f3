"""Backup and restore on both engines, and what a bad file must not do."""

from __future__ import annotations

import datetime as dt
import gzip
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from cmdb import db
from cmdb.backup import BackupError, backup, restore
from cmdb.ingest import ingest_device_facts
from cmdb.inventory import apply_inventory, read_toml
from cmdb.models import Change, ConfigSnapshot, Device, Site
from collectors.base import DeviceFacts
from tests.conftest import EXAMPLE_INVENTORY
from tests.postgres import PostgresServer

NOW = dt.datetime(2026, 11, 27, 12, 0)
CONFIG = "hostname alt-ep-03-sw01\nbanner login ^C Acceso restringido – INPE ^C\nend\n"


def _fill(engine: Engine) -> None:
    with Session(engine) as s, s.begin():
        apply_inventory(s, read_toml(EXAMPLE_INVENTORY), NOW)
        site = s.scalars(select(Site).where(Site.code == "ALT-EP-03")).one()
        s.add(
            Device(
                hostname="alt-ep-03-sw01",
                site_id=site.id,
                kind="switch",
                platform="cisco_ios",
                address="127.40.0.1",
                purchase_date=dt.date(2020, 5, 4),
            )
        )
    with Session(engine) as s, s.begin():
        ingest_device_facts(
            s,
            DeviceFacts(
                hostname="alt-ep-03-sw01",
                source="ssh",
                collected_at=NOW,
                serial="FOC2020X1",
                running_config=CONFIG,
            ),
        )


def _snapshot(engine: Engine) -> tuple[int, int, str, str]:
    with Session(engine) as s:
        return (
            s.scalar(select(func.count()).select_from(Site)) or 0,
            s.scalar(select(func.count()).select_from(Change)) or 0,
            s.scalars(select(ConfigSnapshot.text)).one(),
            s.scalars(select(Device.serial)).one(),
        )


def test_round_trip_restores_every_row(engine: Engine, tmp_path: Path) -> None:
    _fill(engine)
    before = _snapshot(engine)
    summary = backup(engine, tmp_path / "cmdb.atalaya.gz")
    assert summary.rows["site"] == 79 and summary.rows["config_snapshot"] == 1
    with Session(engine) as s, s.begin():
        s.execute(Site.__table__.update().values(name="borrado"))
    restored = restore(engine, tmp_path / "cmdb.atalaya.gz")
    assert restored.rows == summary.rows
    assert _snapshot(engine) == before
    with Session(engine) as s, s.begin():  # ids continue after the restored ones
        s.add(Change(at=NOW, ci_type="site", ci_id=1, ci_name="x", field="f", source="test"))


@pytest.mark.parametrize("damage", ["truncate", "flip", "foreign"])
def test_a_bad_file_changes_nothing(engine: Engine, tmp_path: Path, damage: str) -> None:
    _fill(engine)
    path = tmp_path / "cmdb.atalaya.gz"
    backup(engine, path)
    raw = gzip.decompress(path.read_bytes())
    if damage == "truncate":
        raw = raw[: len(raw) // 2]
    elif damage == "flip":
        raw = raw.replace(b"Acceso restringido", b"Acceso permitido!!")
    else:
        raw = b'{"format": "something-else"}\n'
    path.write_bytes(gzip.compress(raw))
    with Session(engine) as s, s.begin():
        s.execute(Site.__table__.update().where(Site.code == "LIM-HQ").values(name="Sede nueva"))
    with pytest.raises(BackupError) as info:
        restore(engine, path)
    assert str(path) in str(info.value)
    with Session(engine) as s:
        assert s.scalar(select(Site.name).where(Site.code == "LIM-HQ")) == "Sede nueva"


def test_sqlite_backup_moves_onto_postgresql(
    sqlite_engine: Engine, postgres_server: PostgresServer, tmp_path: Path
) -> None:
    _fill(sqlite_engine)
    path = tmp_path / "move.atalaya.gz"
    backup(sqlite_engine, path)
    target = db.make_engine(postgres_server.create_database("atalaya_move"))
    restore(target, path)
    assert _snapshot(target) == _snapshot(sqlite_engine)
    target.dispose()
