"""Done-when of issue 4 against the simulated network: outages, config snapshots, no flip of
software naming between the SNMP and SSH loops."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from atalaya.jobs.collection import run_loop
from atalaya.settings import Settings, load_settings
from cmdb import db
from cmdb.ingest import ingest_device_facts
from cmdb.inventory import apply_inventory, read_toml
from cmdb.models import Change, ConfigSnapshot, Device, Link, Outage
from cmdb.targets import load_targets
from collectors.snmp import INVENTORY_PARTS, SOFTWARE_PARTS, SnmpCollector
from collectors.ssh import SshCollector

pytestmark = [pytest.mark.lab, pytest.mark.slow]


@pytest.fixture
def lab_db(lab: Any, tmp_path: Path) -> Iterator[tuple[Engine, Settings]]:
    """A fresh CMDB holding the lab's inventory, nothing polled yet."""
    settings = load_settings(
        environ={"ATALAYA_DATA_DIR": str(tmp_path), "ATALAYA_SECRETS_DIR": str(lab.secrets_dir)}
    )
    engine = db.make_engine(f"sqlite:///{tmp_path / 'atalaya.db'}")
    db.upgrade(engine)
    with Session(engine) as session, session.begin():
        apply_inventory(session, read_toml(Path(lab.inventory_path)), dt.datetime.now(dt.UTC))
    yield engine, settings
    engine.dispose()


def _reachable_establishment(lab: Any) -> str:
    return next(
        s["code"]
        for s in reversed(lab.truth["sites"])
        if s["kind"] == "establishment" and not s["unreachable"]
    )


def _outages(engine: Engine, site_code: str) -> list[tuple[str, str, bool]]:
    """(target type, target name, still open) of every outage at the site."""
    with Session(engine) as session:
        names = {("device", d.id): d.hostname for d in session.scalars(select(Device))}
        names |= {
            ("link", link.id): f"link:{link.site.code}" for link in session.scalars(select(Link))
        }
        return sorted(
            (o.target_type, names[(o.target_type, o.target_id)], o.end is None)
            for o in session.scalars(select(Outage))
            if names[(o.target_type, o.target_id)].startswith(
                ("link:" + site_code, site_code.lower())
            )
        )


def test_failed_site_opens_outages_that_restore_closes(
    lab_site_fault: Any, lab_db: tuple[Engine, Settings]
) -> None:
    engine, settings = lab_db
    site = _reachable_establishment(lab_site_fault)
    devices = sorted(d["hostname"] for d in lab_site_fault.truth["devices"] if d["site"] == site)
    run_loop(engine, settings, "reachability", sites=[site])
    assert _outages(engine, site) == []  # healthy first: nothing is down

    lab_site_fault.fail(site)
    down = run_loop(engine, settings, "reachability", sites=[site])
    assert down.failed == down.total == len(devices) + 1
    expected_open = [("device", name, True) for name in devices] + [("link", f"link:{site}", True)]
    assert _outages(engine, site) == expected_open

    lab_site_fault.restore(site)
    up = run_loop(engine, settings, "reachability", sites=[site])
    assert up.failed == 0
    assert _outages(engine, site) == [(kind, name, False) for kind, name, _ in expected_open]


def test_changed_running_config_gives_exactly_one_snapshot_with_its_diff(
    lab: Any, lab_db: tuple[Engine, Settings]
) -> None:
    engine, settings = lab_db
    device = next(
        d
        for d in lab.truth["devices"]
        if d["platform"] == "cisco_ios"
        and d["kind"] == "switch"
        and not any(s["unreachable"] for s in lab.truth["sites"] if s["code"] == d["site"])
    )
    line = f"snmp-server location Atalaya test {device['hostname']}"

    def snapshots() -> list[ConfigSnapshot]:
        with Session(engine) as session:
            found = session.scalars(
                select(ConfigSnapshot)
                .join(Device)
                .where(Device.hostname == device["hostname"])
                .order_by(ConfigSnapshot.id)
            )
            return list(found)

    for _ in range(2):  # the second poll of an unchanged config stores nothing new
        assert run_loop(engine, settings, "ssh", sites=[device["site"]]).failed == 0
    assert len(snapshots()) == 1
    assert line not in snapshots()[0].text

    lab.edit(device["hostname"], add_lines=[line])
    for _ in range(2):
        assert run_loop(engine, settings, "ssh", sites=[device["site"]]).failed == 0
    first, second = snapshots()
    assert line in second.text and line not in first.text
    assert f"+{line}" in second.diff.splitlines()
    changed = [
        ln for ln in second.diff.splitlines() if ln[:1] in "+-" and ln[:3] not in ("+++", "---")
    ]
    assert changed == [f"+{line}"]


def _linux_servers(lab: Any) -> list[dict[str, Any]]:
    """One reachable Linux server of each package family the lab has (dpkg and rpm)."""
    dark = {s["code"] for s in lab.truth["sites"] if s["unreachable"]}
    picked: dict[str, dict[str, Any]] = {}
    for device in lab.truth["devices"]:
        if device["platform"] == "linux" and device["site"] not in dark:
            rpm = any(item["name"] == "kernel" for item in device["software"])
            family = "rpm" if rpm else "dpkg"
            picked.setdefault(family, device)
    return list(picked.values())


def test_linux_software_does_not_flip_between_snmp_and_ssh_naming(
    lab: Any, lab_db: tuple[Engine, Settings]
) -> None:
    engine, settings = lab_db
    servers = _linux_servers(lab)
    assert servers
    with Session(engine) as session:
        targets = [
            t
            for t in load_targets(session, settings.secret)
            if t.hostname in {s["hostname"] for s in servers}
        ]
    snmp, ssh = SnmpCollector(), SshCollector()
    polls = [
        lambda: snmp.collect(targets, 20.0, INVENTORY_PARTS | SOFTWARE_PARTS),
        lambda: ssh.collect(targets, 30.0),
        lambda: snmp.collect(targets, 20.0, INVENTORY_PARTS | SOFTWARE_PARTS),
        lambda: ssh.collect(targets, 30.0),
    ]
    after_first = 0
    for number, poll in enumerate(polls):
        facts = poll()
        assert all(f.ok and f.software for f in facts), [str(f.error) for f in facts]
        with Session(engine) as session, session.begin():
            for item in facts:
                ingest_device_facts(session, item)
        if number == 0:  # the first discovery may fill in what the inventory left blank
            with Session(engine) as session:
                after_first = max(session.scalars(select(Change.id)), default=0)
    names = {t.hostname for t in targets}
    with Session(engine) as session:
        changes = [
            (c.ci_name, c.field, c.old, c.new, c.source)
            for c in session.scalars(select(Change).where(Change.id > after_first))
            if c.ci_name in names
        ]
        stored = {
            d.hostname: {(s.name, s.version) for s in d.software}
            for d in session.scalars(select(Device).where(Device.hostname.in_(names)))
        }
    assert [c for c in changes if c[1].startswith("software")] == []
    assert changes == []  # nor does the OS name/version flip between sysDescr and os-release
    for server in servers:
        assert stored[server["hostname"]] == {(s["name"], s["version"]) for s in server["software"]}
