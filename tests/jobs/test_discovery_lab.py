"""Done-when of issue 16 (discovery and topology) against the lab, which hides undeclared devices
at some sites and knows its own cabling (truth.json "undeclared" and "cables")."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from atalaya.jobs.collection import run_loop
from atalaya.jobs.evaluation import run_evaluation
from atalaya.settings import Settings, load_settings
from cmdb import db
from cmdb.discovery_actions import Adoption, adopt, ignore
from cmdb.inventory import apply_inventory, read_toml
from cmdb.models import Change, Device, DiscoveredDevice, Finding, NeighbourLink
from tests.fixtures_lab import LabNetwork

pytestmark = [pytest.mark.lab, pytest.mark.slow]
AT = dt.datetime(2026, 12, 1, 12, 0)


@pytest.fixture(scope="module")
def discovered(
    lab_network: LabNetwork, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Engine, Settings]]:
    # Without nftables every 127.x address answers ping, so "nothing else found" could not be
    # judged: as for the lab's faults, a refused nftables ruleset is a failure, not a skip.
    mode = lab_network.lab.status()["faults"]["mode"]
    assert mode == "nftables", (
        f"lab faults run in {mode!r} mode: discovery needs nftables to silence unused addresses "
        "(run the suite as root through scripts/run-tests)"
    )
    folder = tmp_path_factory.mktemp("discovery")
    settings = load_settings(
        environ={
            "ATALAYA_DATA_DIR": str(folder),
            "ATALAYA_SECRETS_DIR": str(lab_network.secrets_dir),
        }
    )
    engine = db.make_engine(f"sqlite:///{folder / 'atalaya.db'}")
    db.upgrade(engine)
    with Session(engine) as session, session.begin():
        apply_inventory(session, read_toml(Path(lab_network.inventory_path)), AT)
    summary = run_loop(engine, settings, "discovery")
    assert summary.failed == 0, summary.by_reason
    yield engine, settings
    engine.dispose()


def _cabling(truth: dict[str, Any]) -> set[frozenset[tuple[str, str]]]:
    declared = {d["hostname"] for d in truth["devices"]}
    return {
        frozenset({(c["a"], c["a_port"]), (c["b"], c["b_port"])})
        for c in truth["cables"]
        if c["a"] in declared and c["b"] in declared
    }


def _topology(session: Session) -> set[frozenset[tuple[str, str]]]:
    names = {id_: name for id_, name in session.execute(select(Device.id, Device.hostname))}
    return {
        frozenset(
            {(names[link.device_id], link.port), (names[link.peer_device_id], link.peer_port)}
        )
        for link in session.scalars(select(NeighbourLink).where(NeighbourLink.gone_at.is_(None)))
    }


def test_discovery_finds_every_undeclared_device_and_nothing_else(
    discovered: tuple[Engine, Settings], lab_network: LabNetwork
) -> None:
    engine, _ = discovered
    hidden = {d["address"]: d for d in lab_network.truth["undeclared"]}
    assert len(hidden) >= 4
    with Session(engine) as session:
        found = {r.address: r for r in session.scalars(select(DiscoveredDevice))}
    assert set(found) == set(hidden)
    for address, truth in hidden.items():
        record = found[address]
        assert "icmp" in record.seen_by and any(s.startswith("snmp") for s in record.seen_by)
        assert record.sys_name == truth["hostname"]
        if truth["platform"] == "routeros":
            assert (record.vendor, record.os_name, record.os_version) == (
                "MikroTik", "RouterOS", truth["os_version"]
            )  # fmt: skip
            assert any(s.startswith("lldp: ") for s in record.seen_by)
        if truth["platform"] == "cisco_ios":
            assert record.serial == truth["serial"]  # ENTITY-MIB chassis serial
            assert record.os_version == truth["os_version"]
        if truth["platform"] == "linux":
            assert record.device_class == "server"
            assert any(s.startswith("arp: ") for s in record.seen_by)


def test_topology_equals_the_lab_cabling(
    discovered: tuple[Engine, Settings], lab_network: LabNetwork
) -> None:
    engine, _ = discovered
    with Session(engine) as session:
        topology = _topology(session)
    expected = _cabling(lab_network.truth)
    assert len(expected) > 100
    assert topology == expected


def test_each_undeclared_device_is_a_finding_until_ignored_or_adopted(
    discovered: tuple[Engine, Settings], lab_network: LabNetwork
) -> None:
    engine, settings = discovered
    with Session(engine) as session, session.begin():
        run_evaluation(settings, session)
    with Session(engine) as session, session.begin():
        failing = set(
            session.scalars(
                select(Finding.ci_id).where(
                    Finding.rule_id == "INV-DISC-01", Finding.status == "fail"
                )
            )
        )
        rows = list(session.scalars(select(DiscoveredDevice).order_by(DiscoveredDevice.id)))
        assert failing == {r.id for r in rows}
        # adopt one that speaks LLDP (its cable becomes a link), ignore one that does not
        rows.sort(key=lambda r: not any(s.startswith("lldp") for s in r.seen_by))
        rows[1:] = sorted(rows[1:], key=lambda r: any(s.startswith("lldp") for s in r.seen_by))
        records = [(r.id, r.address) for r in rows]
        (adopted, address), (ignored, _) = records[0], records[1]
        ignore(session, ignored, "contractor's test router, removed on 2026-12-02", "ana", AT)
        adopt(session, adopted, Adoption("new-switch-01", "switch", "cisco_ios"), "ana", AT)
    with Session(engine) as session, session.begin():
        run_evaluation(settings, session)
    with Session(engine) as session:
        failing = set(
            session.scalars(select(Finding.ci_id).where(Finding.rule_id == "INV-DISC-01"))
        )
        assert ignored not in failing and adopted not in failing
        assert failing == {id_ for id_, _ in records[2:]}
        device = session.scalar(select(Device).where(Device.hostname == "new-switch-01"))
        assert device is not None and device.address == address
        created = session.scalars(
            select(Change).where(Change.ci_type == "device", Change.ci_id == device.id)
        ).all()
        assert [c.field for c in created] == ["created"]
        assert "adopted by ana" in created[0].source


def test_removing_a_cable_is_recorded_as_a_change(
    discovered: tuple[Engine, Settings], lab_network: LabNetwork
) -> None:
    engine, settings = discovered
    cable = next(c for c in lab_network.truth["cables"] if c["b"].endswith("-vpn01"))
    lab_network.lab.unplug(cable["b"], cable["b_port"])
    lab_network.reload_truth()
    summary = run_loop(engine, settings, "discovery")
    assert summary.failed == 0, summary.by_reason
    with Session(engine) as session:
        topology = _topology(session)
        # the device adopted above is now known: its cable to the core switch is a link too
        adopted = {link for link in topology if any(h == "new-switch-01" for h, _ in link)}
        assert len(adopted) == 1
        assert topology - adopted == _cabling(lab_network.truth)
        changes = session.scalars(
            select(Change).where(Change.source == "discovery", Change.new == "disconnected")
        ).all()
        text = f"link {cable['a']} {cable['a_port']} <-> {cable['b']} {cable['b_port']}"
        assert sorted(c.ci_name for c in changes) == sorted([cable["a"], cable["b"]])
        assert {c.field for c in changes} == {text}
