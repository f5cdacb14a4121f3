"""Done-when of issue 4, against the simulated network: collect, then compare with the truth."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, MetaData, select
from sqlalchemy.orm import Session

from atalaya.jobs.collection import CycleSummary, run_cycle
from atalaya.settings import Settings
from cmdb.inventory import apply_inventory, read_toml
from cmdb.models import Device

pytestmark = [pytest.mark.lab, pytest.mark.slow]

# Interface.name is ifName, what operators type ("Gi1/0/1"); ifDescr goes to
# Interface.description. truth.json names interfaces by ifDescr, so the expected ifName is
# IOS's abbreviation of it (other platforms report the same text in both).
IOS_ABBREVIATIONS = (
    ("TenGigabitEthernet", "Te"),
    ("GigabitEthernet", "Gi"),
    ("FastEthernet", "Fa"),
    ("Tunnel", "Tu"),
    ("Null", "Nu"),
)


def if_name(descr: str) -> str:
    for long, short in IOS_ABBREVIATIONS:
        if descr.startswith(long):
            return short + descr[len(long) :]
    return descr


@pytest.fixture(scope="module")
def lab_cmdb(
    lab: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Engine, Settings, CycleSummary]]:
    from atalaya.settings import load_settings
    from cmdb import db

    folder = tmp_path_factory.mktemp("labcmdb")
    settings = load_settings(
        environ={"ATALAYA_DATA_DIR": str(folder), "ATALAYA_SECRETS_DIR": str(lab.secrets_dir)}
    )
    engine = db.make_engine(f"sqlite:///{folder / 'atalaya.db'}")
    db.upgrade(engine)
    with Session(engine) as session, session.begin():
        apply_inventory(session, read_toml(Path(lab.inventory_path)), dt.datetime.now(dt.UTC))
    summary = run_cycle(engine, settings)
    yield engine, settings, summary
    engine.dispose()


def test_cycle_polls_every_device_without_failures(
    lab_cmdb: tuple[Engine, Settings, CycleSummary], lab: Any
) -> None:
    _, _, summary = lab_cmdb
    loops = {loop.loop: loop for loop in summary.loops}
    links = Path(lab.inventory_path).read_text().count("[[link]]")
    assert loops["reachability"].total == len(lab.truth["devices"]) + links
    for loop in summary.loops:
        assert loop.failed == 0, (loop.loop, loop.by_reason)


def test_cmdb_matches_the_truth_file(
    lab_cmdb: tuple[Engine, Settings, CycleSummary], lab: Any
) -> None:
    engine, _, _ = lab_cmdb
    mismatches: list[str] = []
    with Session(engine) as session:
        devices = {d.hostname: d for d in session.scalars(select(Device))}
        for truth in lab.truth["devices"]:
            device = devices[truth["hostname"]]
            for attribute in ("model", "os_version"):
                if getattr(device, attribute) != truth[attribute]:
                    mismatches.append(
                        f"{truth['hostname']} {attribute}: "
                        f"{getattr(device, attribute)!r} != {truth[attribute]!r}"
                    )
            serial = truth["serial"] or truth["declared_serial"]
            if device.serial != serial:
                mismatches.append(f"{truth['hostname']} serial: {device.serial!r} != {serial!r}")
            seen = [
                (i.index, i.name, i.description, i.oper_up, int(i.speed_bps or 0), i.mac)
                for i in sorted(device.interfaces, key=lambda i: i.index)
            ]
            expected = [
                (
                    i["index"],
                    if_name(i["name"]),
                    i["description"] or i["name"],
                    i["oper_up"],
                    i["speed"],
                    i["mac"],
                )
                for i in truth["interfaces"]
            ]
            if seen != expected:
                diff = [(a, b) for a, b in zip(seen, expected, strict=False) if a != b]
                mismatches.append(
                    f"{truth['hostname']} interfaces differ ({len(seen)} vs {len(expected)}): "
                    f"{diff[:2]}"
                )
            software = {(s.name, s.version) for s in device.software}
            want = {(s["name"], s["version"]) for s in truth["software"]}
            if software != want:
                mismatches.append(
                    f"{truth['hostname']} software: extra {sorted(software - want)[:3]} "
                    f"missing {sorted(want - software)[:3]}"
                )
    assert not mismatches, "\n".join(mismatches[:60])


def test_no_lab_secret_lands_in_the_database(
    lab_cmdb: tuple[Engine, Settings, CycleSummary], lab: Any
) -> None:
    engine, _, _ = lab_cmdb
    secrets = {
        path.name: path.read_text().strip()
        for path in Path(lab.secrets_dir).iterdir()
        if path.is_file() and path.read_text().strip()
    }
    assert {"ssh-net-password", "ssh-net-enable", "ssh-linux-password"} <= set(secrets)
    found: list[str] = []
    rows = 0
    with engine.connect() as connection:
        tables = MetaData()
        tables.reflect(connection)
        for table in tables.sorted_tables:
            for row in connection.execute(table.select()):
                rows += 1
                for column, value in row._mapping.items():
                    text = (
                        value.decode(errors="replace") if isinstance(value, bytes) else str(value)
                    )
                    found += [
                        f"{table.name}.{column}: {name}"
                        for name, secret in secrets.items()
                        if secret in text
                    ]
    assert rows > 1000  # the dump really covers a polled CMDB (configs, software, interfaces)
    assert found == []
    engine.dispose()  # checkpoint the WAL so the file holds everything written
    database = Path(str(engine.url.database))
    for path in (database, database.with_name(database.name + "-wal")):
        if path.exists():
            content = path.read_bytes()
            leaked = [name for name, secret in secrets.items() if secret.encode() in content]
            assert leaked == [], f"{path.name} holds {leaked}"
