"""One cycle end to end: inventory → targets → real snmpd and ICMP → ingest → PollRun rows."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from atalaya.jobs.collection import run_cycle
from atalaya.jobs.schedule import build_scheduler
from atalaya.settings import Settings
from cmdb.inventory import apply_inventory, read_toml
from cmdb.models import Device, Link, Outage, PollRun
from tests.collectors.snmpd_peer import COMMUNITY, Snmpd
from tests.collectors.test_reachability import dropped_subnet  # noqa: F401 - fixture

INVENTORY = """
[[region]]
code = "TST"
name = "Pruebas"

[[site]]
code = "TST-OR"
name = "Oficina de pruebas"
kind = "regional_office"
region = "TST"

[[site]]
code = "TST-EP-01"
name = "Establecimiento caído"
kind = "establishment"
region = "TST"
uplink = "TST-OR"

[[credential]]
name = "snmp-test"
type = "snmp"
version = "2c"
community = "snmp-test-community"

[[device]]
hostname = "tst-or-srv01"
site = "TST-OR"
kind = "server"
platform = "linux"
address = "127.200.0.1"
snmp_port = {port}
snmp_credential = "snmp-test"

[[device]]
hostname = "tst-ep-01-sw01"
site = "TST-EP-01"
kind = "switch"
platform = "cisco_ios"
address = "127.200.9.1"
snmp_port = {port}
snmp_credential = "snmp-test"

[[link]]
site = "TST-EP-01"
peer = "TST-OR"
probe = "127.200.9.254"
"""


@pytest.fixture
def cmdb(
    sqlite_engine: Engine, settings: Settings, snmpd: Snmpd, tmp_path: Path
) -> Iterator[Engine]:
    settings.collect.snmp_timeout_s = 0.3
    settings.collect.device_deadline_s = 2.0
    settings.collect.ping_timeout_s = 0.3
    settings.secrets_dir.mkdir(parents=True, exist_ok=True)
    secret = settings.secrets_dir / "snmp-test-community"
    secret.write_text(COMMUNITY)
    os.chmod(secret, 0o600)
    path = tmp_path / "inventory.toml"
    path.write_text(INVENTORY.format(port=snmpd.port))
    with Session(sqlite_engine) as session, session.begin():
        apply_inventory(session, read_toml(path), dt.datetime.now(dt.UTC))
    yield sqlite_engine


def test_snmp_cycle_fills_the_cmdb_and_records_the_dead_site_as_data(
    cmdb: Engine, settings: Settings
) -> None:
    summary = run_cycle(cmdb, settings, only="snmp")
    [loop] = summary.loops
    assert (loop.total, loop.ok, loop.failed, loop.by_reason) == (2, 1, 0 + 1, {"timeout": 1})
    with Session(cmdb) as session:
        server = session.scalars(select(Device).where(Device.hostname == "tst-or-srv01")).one()
        assert server.sys_descr.startswith("Linux") and server.interfaces
        assert server.last_error == ""
        dead = session.scalars(select(Device).where(Device.hostname == "tst-ep-01-sw01")).one()
        assert dead.last_error.startswith("snmp timeout")
        assert COMMUNITY not in dead.last_error
        run = session.get(PollRun, loop.run_id)
        assert run is not None and run.ended_at is not None
        assert [e["device"] for e in run.errors] == ["tst-ep-01-sw01"]


def test_failed_site_opens_an_outage_that_recovery_closes(
    cmdb: Engine, settings: Settings, request: pytest.FixtureRequest
) -> None:
    request.getfixturevalue("dropped_subnet")
    run_cycle(cmdb, settings, only="reachability")
    with Session(cmdb) as session:
        [outage] = session.scalars(select(Outage).where(Outage.target_type == "link")).all()
        assert outage.end is None
        link = session.scalars(select(Link)).one()
        assert link.up is False and link.loss_ratio == 1.0
    # end the fault (what `lab restore` does), then the next sweep closes the outage
    subprocess.run(["nft", "delete", "table", "inet", "atalaya_test_reachability"], check=False)
    run_cycle(cmdb, settings, only="reachability")
    with Session(cmdb) as session:
        outages = session.scalars(select(Outage)).all()
        assert outages and all(o.end is not None and o.end >= o.start for o in outages)
        assert session.scalars(select(Link)).one().up is True


def test_collect_command_prints_a_json_summary(cmdb: Engine, settings: Settings) -> None:
    from atalaya.commands.collect import collect

    class App:
        engine = cmdb

    App.settings = settings  # type: ignore[attr-defined]
    result = CliRunner().invoke(
        collect, ["--only", "snmp", "--site", "TST-OR", "--format", "json"], obj=App()
    )
    assert result.exit_code == 0, result.output
    assert '"ok": 1' in result.output and '"failed": 0' in result.output


def test_scheduler_runs_each_loop_once_at_a_time_and_coalesces(
    settings: Settings, sqlite_engine: Engine
) -> None:
    scheduler = build_scheduler(sqlite_engine, settings)
    scheduler.start(paused=True)  # job options are resolved on start; paused: nothing runs
    jobs = {job.id: job for job in scheduler.get_jobs("default")}
    # the in-memory twins that poll into the spool while the CMDB (and this job store) is away
    offline = {job.id: job for job in scheduler.get_jobs("offline")}
    scheduler.shutdown(wait=False)
    assert set(jobs) == {
        "collect-reachability", "collect-snmp", "collect-software", "collect-ssh",
        "collect-discovery", "collect-linkload",
    }  # fmt: skip
    assert set(offline) == {name.replace("collect-", "offline-") for name in jobs}
    for job in [*jobs.values(), *offline.values()]:
        assert job.max_instances == 1 and job.coalesce is True
    assert jobs["collect-reachability"].trigger.interval == dt.timedelta(
        seconds=settings.collect.reachability_interval_s
    )


def test_a_new_schedule_starts_one_interval_after_the_last_collection(
    settings: Settings, sqlite_engine: Engine
) -> None:
    """`make demo` collects, then serves: the server must not poll everything again at once."""
    ended = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(minutes=5)
    with Session(sqlite_engine) as s, s.begin():
        s.add(
            PollRun(
                loop="snmp",
                started_at=ended.replace(tzinfo=None) - dt.timedelta(minutes=1),
                ended_at=ended.replace(tzinfo=None),
                errors=[],
            )
        )
    scheduler = build_scheduler(sqlite_engine, settings)
    scheduler.start(paused=True)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    scheduler.shutdown(wait=False)
    snmp_next = jobs["collect-snmp"].next_run_time
    assert snmp_next == ended + dt.timedelta(seconds=settings.collect.snmp_interval_s)
    # a loop that never ran starts now
    assert jobs["collect-ssh"].next_run_time <= dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
