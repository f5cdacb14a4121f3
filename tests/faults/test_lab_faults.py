"""Link faults on the simulated network (nftables loss, agents answering late, a site dropped
while a cycle runs): the cycle ends within its deadline, the rest is polled, each failure is
recorded with its reason, and the next cycle recovers once the fault is gone."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from atalaya.jobs.collection import CycleSummary, run_cycle
from atalaya.settings import Settings, load_settings
from cmdb import db
from cmdb.inventory import apply_inventory, read_toml
from cmdb.models import Device, PollRun, Site

pytestmark = [pytest.mark.lab, pytest.mark.slow]

DEADLINE_S = 5.0
# Every loop polls its devices concurrently, so a cycle costs about one device deadline per
# loop (two for the software pass) plus set-up: this is the bound a faulty site may not break.
CYCLE_BOUND_S = DEADLINE_S * 5 + 15


@pytest.fixture
def lab_cmdb(lab_site_fault: Any, tmp_path: Path) -> Iterator[tuple[Engine, Settings]]:
    settings = load_settings(
        environ={
            "ATALAYA_DATA_DIR": str(tmp_path),
            "ATALAYA_SECRETS_DIR": str(lab_site_fault.secrets_dir),
            "ATALAYA_COLLECT_DEVICE_DEADLINE_S": str(DEADLINE_S),
            "ATALAYA_COLLECT_SNMP_TIMEOUT_S": "1.0",
        }
    )
    engine = db.make_engine(f"sqlite:///{tmp_path / 'atalaya.db'}")
    db.upgrade(engine)
    with Session(engine) as session, session.begin():
        inventory = read_toml(Path(lab_site_fault.inventory_path))
        apply_inventory(session, inventory, dt.datetime.now(dt.UTC))
    yield engine, settings
    engine.dispose()


def _sites(lab: Any, count: int) -> list[str]:
    return [
        s["code"]
        for s in lab.truth["sites"]
        if s["kind"] == "establishment" and not s["unreachable"]
    ][:count]


def _failures(engine: Engine, summary: CycleSummary) -> dict[str, set[str]]:
    """Device (or link) -> reasons it failed with, over the cycle's runs."""
    found: dict[str, set[str]] = {}
    with Session(engine) as session:
        for loop in summary.loops:
            run = session.get(PollRun, loop.run_id)
            assert run is not None and run.ended_at is not None
            for error in run.errors:
                reason = error["reason"] if loop.loop != "ssh" else f"ssh {error['reason']}"
                found.setdefault(error["device"], set()).add(reason)
    return found


def _site_of(engine: Engine) -> dict[str, str]:
    with Session(engine) as session:
        return {
            d.hostname: code for d, code in session.execute(select(Device, Site.code).join(Site))
        }


def test_loss_and_slow_answers_on_a_third_of_the_sites(
    lab_site_fault: Any, lab_cmdb: tuple[Engine, Settings]
) -> None:
    engine, settings = lab_cmdb
    sites = _sites(lab_site_fault, 6)
    faulty = sites[:2]  # a third of the sites polled
    for site in faulty:
        lab_site_fault.degrade(site, 30)
        lab_site_fault.slow(site, 2.0)
    started = time.monotonic()
    summary = run_cycle(engine, settings, sites=sites)
    assert time.monotonic() - started < CYCLE_BOUND_S
    site_of = _site_of(engine)
    failures = _failures(engine, summary)
    failed_sites = {site_of.get(name, name.removeprefix("link:")) for name in failures}
    assert failed_sites and failed_sites <= set(faulty), failures  # the rest all polled
    # SNMP and ping see silence; an SSH CLI answering each line 2 s late runs out of the
    # device deadline: a timeout too, never bad_response (a late enable prompt) nor auth.
    silent = {"timeout", "unreachable", "ssh timeout"}
    assert all(reasons <= silent for reasons in failures.values()), failures
    with Session(engine) as session:
        devices = {d.hostname: d for d in session.scalars(select(Device))}
        for name in failures:
            if name in devices:
                assert " timeout: " in devices[name].last_error, devices[name].last_error
        healthy = [d for d in devices.values() if site_of[d.hostname] in sites[2:]]
        assert healthy and all(d.last_error == "" and d.last_seen for d in healthy)

    lab_site_fault.restore()
    recovered = run_cycle(engine, settings, sites=sites)
    assert recovered.failed == 0, [(x.loop, x.by_reason) for x in recovered.loops]
    with Session(engine) as session:
        errors = session.scalars(
            select(Device.hostname).join(Site).where(Site.code.in_(sites), Device.last_error != "")
        ).all()
        assert errors == []


def test_site_going_down_in_the_middle_of_a_cycle(
    lab_site_fault: Any, lab_cmdb: tuple[Engine, Settings]
) -> None:
    engine, settings = lab_cmdb
    sites = _sites(lab_site_fault, 4)
    victim = sites[-1]
    failed_at: list[str] = []

    def fail_once_snmp_started() -> None:
        # wait until the cycle is past reachability and into the SNMP loop, then drop the site
        for _ in range(600):
            with Session(engine) as session:
                started = session.scalar(
                    select(func.count()).select_from(PollRun).where(PollRun.loop == "snmp")
                )
            if started:
                lab_site_fault.fail(victim)
                failed_at.append("snmp")
                return
            time.sleep(0.05)

    thread = threading.Thread(target=fail_once_snmp_started)
    thread.start()
    started = time.monotonic()
    try:
        summary = run_cycle(engine, settings, sites=sites)
    finally:
        thread.join(timeout=60)
    assert failed_at == ["snmp"]
    assert time.monotonic() - started < CYCLE_BOUND_S
    loops = {loop.loop: loop for loop in summary.loops}
    assert loops["reachability"].failed == 0  # the site was up when the cycle began
    site_of = _site_of(engine)
    victims = {name for name, code in site_of.items() if code == victim}
    failures = _failures(engine, summary)
    assert set(failures) == victims, failures  # every device there, and only those
    assert all(reasons <= {"timeout", "ssh timeout"} for reasons in failures.values()), failures
    assert loops["ssh"].ok > 0 and loops["snmp"].ok >= loops["snmp"].total - len(victims)
