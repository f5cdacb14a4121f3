"""The ingest write path: facts merged into CIs with a readable change trail."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from cmdb.ingest import finish_run, ingest_device_facts, ingest_probe_samples, start_run
from cmdb.inventory import apply_inventory, read_toml
from cmdb.models import Change, ConfigSnapshot, Device, Outage, PollRun
from collectors.base import DeviceFacts, InterfaceFact, ProbeSample, SoftwareFact, Timeout

T0 = dt.datetime(2026, 11, 27, 10, 0, tzinfo=dt.UTC)
INVENTORY = """
[[region]]
code = "SUR"
name = "Sur – Arequipa"
[[site]]
code = "SUR-OR"
name = "Oficina Regional Sur"
kind = "regional_office"
region = "SUR"
[[site]]
code = "SUR-EP-01"
name = "E.P. de Arequipa"
kind = "establishment"
region = "SUR"
uplink = "SUR-OR"
[[device]]
hostname = "sur-ep-01-sw01"
site = "SUR-EP-01"
kind = "switch"
platform = "cisco_ios"
address = "127.30.0.1"
[[device]]
hostname = "sur-or-sw01"
site = "SUR-OR"
kind = "switch"
platform = "cisco_ios"
address = "127.30.1.1"
[[link]]
site = "SUR-EP-01"
probe = "127.30.0.254"
"""
CONFIG = "hostname sur-ep-01-sw01\n!\nline vty 0 4\n transport input ssh\n!\nend\n"


def _load(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "inv.toml"
    path.write_text(INVENTORY, encoding="utf-8")
    with Session(engine) as s, s.begin():
        apply_inventory(s, read_toml(path), T0.replace(tzinfo=None))


def _facts(at: dt.datetime, **values: object) -> DeviceFacts:
    base: dict[str, object] = {
        "hostname": "sur-ep-01-sw01",
        "source": "snmp",
        "collected_at": at,
        "vendor": "Cisco",
        "model": "WS-C2960X-48TS-L",
        "serial": "FOC1932X0AB",
        "os_name": "IOS",
        "os_version": "15.2(7)E10",
        "sys_name": "sur-ep-01-sw01",
        "interfaces": [InterfaceFact(1, "Gi1/0/1", speed_bps=1_000_000_000, oper_up=True)],
    }
    base.update(values)
    return DeviceFacts(**base)  # type: ignore[arg-type]


def _ingest(engine: Engine, facts: DeviceFacts) -> list[tuple[str, str | None, str | None]]:
    with Session(engine) as s, s.begin():
        return [(c.field, c.old, c.new) for c in ingest_device_facts(s, facts)]


def test_unchanged_facts_write_no_change(engine: Engine, tmp_path: Path) -> None:
    _load(engine, tmp_path)
    first = _ingest(engine, _facts(T0))
    assert ("serial", "", "FOC1932X0AB") in first
    assert _ingest(engine, _facts(T0 + dt.timedelta(minutes=15))) == []


def test_upgrade_and_hostname_change_leave_a_readable_trail(engine: Engine, tmp_path: Path) -> None:
    _load(engine, tmp_path)
    _ingest(engine, _facts(T0))
    later = T0 + dt.timedelta(hours=1)
    changes = _ingest(engine, _facts(later, os_version="15.2(7)E11", sys_name="sur-ep-01-core"))
    assert sorted(changes) == [
        ("os_version", "15.2(7)E10", "15.2(7)E11"),
        ("sys_name", "sur-ep-01-sw01", "sur-ep-01-core"),
    ]
    with Session(engine) as s:
        row = s.scalars(select(Change).where(Change.new == "15.2(7)E11")).one()
        assert (row.ci_name, row.source, row.at) == (
            "sur-ep-01-sw01",
            "snmp",
            later.replace(tzinfo=None),
        )


def test_serial_that_moved_to_another_site_is_released_from_its_old_device(
    engine: Engine, tmp_path: Path
) -> None:
    _load(engine, tmp_path)
    _ingest(engine, _facts(T0))
    moved = _facts(T0 + dt.timedelta(hours=2), hostname="sur-or-sw01", sys_name="sur-or-sw01")
    changes = _ingest(engine, moved)
    assert ("serial moved from", "sur-ep-01-sw01 (SUR-EP-01)", "FOC1932X0AB") in changes
    with Session(engine) as s:
        serials = dict(s.execute(select(Device.hostname, Device.serial)).all())
        assert serials == {"sur-ep-01-sw01": "", "sur-or-sw01": "FOC1932X0AB"}


def test_retired_device_seen_again_becomes_active_with_a_reason(
    engine: Engine, tmp_path: Path
) -> None:
    _load(engine, tmp_path)
    with Session(engine) as s, s.begin():
        s.scalars(
            select(Device).where(Device.hostname == "sur-ep-01-sw01")
        ).one().lifecycle_status = "retired"
    changes = _ingest(engine, _facts(T0))
    assert ("lifecycle_status", "retired", "active") in changes
    with Session(engine) as s:
        change = s.scalars(select(Change).where(Change.field == "lifecycle_status")).one()
        assert "seen again after retirement" in change.source


def test_config_stored_only_when_changed_with_a_diff(engine: Engine, tmp_path: Path) -> None:
    _load(engine, tmp_path)
    ssh = {"source": "ssh", "interfaces": None}
    _ingest(engine, _facts(T0, running_config=CONFIG, **ssh))
    _ingest(engine, _facts(T0 + dt.timedelta(hours=1), running_config=CONFIG, **ssh))
    edited = CONFIG.replace(" transport input ssh", " transport input telnet ssh")
    changes = _ingest(engine, _facts(T0 + dt.timedelta(hours=2), running_config=edited, **ssh))
    assert [c[0] for c in changes] == ["running-config"]
    with Session(engine) as s:
        snapshots = s.scalars(select(ConfigSnapshot).order_by(ConfigSnapshot.id)).all()
        assert len(snapshots) == 2
        assert snapshots[0].last_confirmed == (T0 + dt.timedelta(hours=1)).replace(tzinfo=None)
        assert "- transport input ssh" in snapshots[1].diff
        assert "+ transport input telnet ssh" in snapshots[1].diff


def test_software_installs_and_removals_are_changes(engine: Engine, tmp_path: Path) -> None:
    _load(engine, tmp_path)
    office = SoftwareFact("Microsoft Office Standard 2019", "16.0.10827")
    _ingest(engine, _facts(T0, software=[office]))
    changes = _ingest(
        engine,
        _facts(
            T0 + dt.timedelta(hours=1), software=[SoftwareFact("ESET Endpoint Antivirus", "10.1")]
        ),
    )
    assert sorted(changes) == [
        ("software installed", None, "ESET Endpoint Antivirus 10.1"),
        ("software removed", "Microsoft Office Standard 2019 16.0.10827", None),
    ]


def test_failed_poll_records_the_reason_and_keeps_known_facts(
    engine: Engine, tmp_path: Path
) -> None:
    _load(engine, tmp_path)
    _ingest(engine, _facts(T0))
    failed = DeviceFacts(
        hostname="sur-ep-01-sw01",
        source="snmp",
        collected_at=T0 + dt.timedelta(hours=1),
        error=Timeout("no SNMP answer from 127.30.0.1 within 4 s"),
    )
    with Session(engine) as s, s.begin():
        run = start_run(s, "snmp", at=T0)
        assert ingest_device_facts(s, failed) == []
        finish_run(s, run, [failed, _facts(T0)], at=T0 + dt.timedelta(minutes=1))
    with Session(engine) as s:
        device = s.scalars(select(Device).where(Device.hostname == "sur-ep-01-sw01")).one()
        assert device.serial == "FOC1932X0AB"
        assert device.last_error == "snmp timeout: no SNMP answer from 127.30.0.1 within 4 s"
        run = s.scalars(select(PollRun)).one()
        assert (run.devices_total, run.devices_ok, run.devices_failed) == (2, 1, 1)
        assert run.errors[0]["reason"] == "timeout"


def test_reachability_turns_down_and_up_into_one_closed_outage(
    engine: Engine, tmp_path: Path
) -> None:
    _load(engine, tmp_path)

    def sample(minutes: int, up: bool) -> list[ProbeSample]:
        at = T0 + dt.timedelta(minutes=minutes)
        received = 3 if up else 0
        return [
            ProbeSample("link:SUR-EP-01", "127.30.0.254", at, 3, received, 1.0 if up else None),
            ProbeSample("sur-ep-01-sw01", "127.30.0.1", at, 3, received, 0.5 if up else None),
        ]

    for minutes, up in ((0, True), (1, False), (2, False), (3, True), (4, True)):
        with Session(engine) as s, s.begin():
            ingest_probe_samples(s, sample(minutes, up), T0 + dt.timedelta(minutes=minutes))
    with Session(engine) as s:
        outages = s.scalars(select(Outage).order_by(Outage.target_type)).all()
        assert [
            (o.target_type, o.start.minute, o.end.minute if o.end else None) for o in outages
        ] == [("device", 1, 3), ("link", 1, 3)]
        assert s.scalar(select(func.count()).select_from(Outage).where(Outage.end.is_(None))) == 0
