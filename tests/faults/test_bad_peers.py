"""Agents that answer wrongly: garbage BER, tooBig on every request, a table that stops half-way,
an SSH CLI that hangs mid-config or drops the session. Through `run_loop` and the CMDB: each
failure is recorded with its reason on the PollRun and the device, the deadline holds, the
healthy device beside them is polled, and nothing partial is stored."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from atalaya.jobs.collection import run_loop
from atalaya.settings import Settings, load_settings
from cmdb import db
from cmdb.inventory import apply_inventory, read_toml
from cmdb.models import ConfigSnapshot, Device, Interface, PollRun
from tests.collectors.snmpd_peer import COMMUNITY, start_snmpd
from tests.faults.peers import StallingCli, bad_agents

DEADLINE_S = 4.0


def _inventory(devices: list[dict[str, object]]) -> str:
    head = """
[[region]]
code = "NOR"
name = "Norte"
seat = "Chiclayo"

[[site]]
code = "NOR-EP-01"
name = "EP 1"
kind = "establishment"
region = "NOR"

[[credential]]
name = "snmp-test"
type = "snmp"
version = "2c"
community = "snmp-test-community"

[[credential]]
name = "ssh-test"
type = "ssh"
username = "atalaya"
password = "ssh-test-password"
"""
    blocks = []
    for device in devices:
        lines = ["[[device]]", 'site = "NOR-EP-01"', 'kind = "switch"', 'platform = "cisco_ios"']
        lines += [f"{key} = {value!r}".replace("'", '"') for key, value in device.items()]
        blocks.append("\n".join(lines))
    return head + "\n\n" + "\n\n".join(blocks) + "\n"


@pytest.fixture
def cmdb(tmp_path: Path) -> Iterator[tuple[Engine, Settings, Path]]:
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    for name, value in (("snmp-test-community", COMMUNITY), ("ssh-test-password", "pw")):
        (secrets / name).write_text(value)
        os.chmod(secrets / name, 0o600)
    settings = load_settings(
        environ={
            "ATALAYA_DATA_DIR": str(tmp_path),
            "ATALAYA_SECRETS_DIR": str(secrets),
            "ATALAYA_COLLECT_DEVICE_DEADLINE_S": str(DEADLINE_S),
            "ATALAYA_COLLECT_SNMP_TIMEOUT_S": "0.5",
            "ATALAYA_COLLECT_SNMP_RETRIES": "1",
        }
    )
    engine = db.make_engine(f"sqlite:///{tmp_path / 'atalaya.db'}")
    db.upgrade(engine)
    yield engine, settings, tmp_path
    engine.dispose()


def _load(engine: Engine, path: Path, text: str) -> None:
    path.write_text(text)
    with Session(engine) as session, session.begin():
        apply_inventory(session, read_toml(path), dt.datetime.now(dt.UTC))


def test_garbage_toobig_and_half_tables_are_recorded_and_the_good_agent_is_polled(
    cmdb: tuple[Engine, Settings, Path],
) -> None:
    engine, settings, folder = cmdb
    snmpd = start_snmpd(folder / "snmpd", ["127.201.0.9"])
    modes = {"127.201.0.1": "garbage", "127.201.0.2": "toobig", "127.201.0.3": "partial"}
    try:
        with bad_agents(modes) as agents:
            devices: list[dict[str, object]] = [
                {
                    "hostname": mode,
                    "address": address,
                    "snmp_port": agents[address].port,
                    "snmp_credential": "snmp-test",
                }
                for address, mode in modes.items()
            ]
            devices.append(
                {
                    "hostname": "good",
                    "address": "127.201.0.9",
                    "snmp_port": snmpd.port,
                    "snmp_credential": "snmp-test",
                }
            )
            _load(engine, folder / "inventory.toml", _inventory(devices))
            summary = run_loop(engine, settings, "snmp")
            assert all(agent.requests > 0 for agent in agents.values())  # really asked
    finally:
        snmpd.stop()
    assert (summary.total, summary.ok, summary.failed) == (4, 1, 3)
    assert summary.duration_s < DEADLINE_S + 3  # concurrent: one deadline, not three
    with Session(engine) as session:
        run = session.get(PollRun, summary.run_id)
        assert run is not None and run.ended_at is not None
        reasons = {error["device"]: error["reason"] for error in run.errors}
        assert reasons["garbage"] in ("bad_response", "timeout")
        assert reasons["toobig"] == "bad_response"
        assert reasons["partial"] == "timeout"  # the table walk stopped answering
        found = {d.hostname: d for d in session.scalars(select(Device))}
        for name in modes.values():
            assert found[name].last_error.startswith(f"snmp {reasons[name]}:"), found[
                name
            ].last_error
        # the half-walked table is not stored as the device's interfaces
        partial_rows = session.scalars(
            select(Interface).where(Interface.device_id == found["partial"].id)
        ).all()
        assert partial_rows == []
        assert found["good"].last_error == ""
        assert found["good"].interfaces and found["good"].sys_descr


def test_ssh_cli_that_hangs_or_drops_mid_config_stores_nothing(
    cmdb: tuple[Engine, Settings, Path],
) -> None:
    engine, settings, folder = cmdb
    modes = {"127.201.1.1": "hang", "127.201.1.2": "drop", "127.201.1.3": "ok"}
    cli = StallingCli(modes)
    try:
        devices: list[dict[str, object]] = [
            {
                "hostname": mode,
                "address": address,
                "ssh_port": cli.port,
                "ssh_credential": "ssh-test",
            }
            for address, mode in modes.items()
        ]
        _load(engine, folder / "inventory.toml", _inventory(devices))
        summary = run_loop(engine, settings, "ssh")
    finally:
        cli.stop()
    assert (summary.total, summary.ok, summary.failed) == (3, 1, 2)
    # the hung session is cut at the device deadline (plus connection set-up), not after 600 s
    assert summary.duration_s < DEADLINE_S + 6
    with Session(engine) as session:
        run = session.get(PollRun, summary.run_id)
        assert run is not None
        reasons = {error["device"]: error for error in run.errors}
        assert reasons["hang"]["reason"] == "timeout"
        assert reasons["drop"]["reason"] in ("bad_response", "timeout")
        found = {d.hostname: d for d in session.scalars(select(Device))}
        snapshots = {
            d.hostname: session.scalars(
                select(ConfigSnapshot).where(ConfigSnapshot.device_id == d.id)
            ).all()
            for d in found.values()
        }
        assert snapshots["hang"] == [] and snapshots["drop"] == []
        assert len(snapshots["ok"]) == 1 and snapshots["ok"][0].text.rstrip().endswith("end")
        assert found["hang"].last_error.startswith("ssh timeout:")
        assert found["drop"].last_error.startswith("ssh ")
