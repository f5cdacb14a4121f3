"""Link load against the lab, whose VPN gateways' WAN counters and sysUpTime advance with the
clock at configured rates (lab/traffic.py): utilisation within 5 % of the configuration, and a
counter wrap or a device restart between two polls gives no spike."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from atalaya.jobs.collection import run_loop
from atalaya.settings import Settings, load_settings
from cmdb import db
from cmdb.inventory import apply_inventory, read_toml
from cmdb.metrics_families import families
from cmdb.metricsnapshot import build_snapshot
from cmdb.models import Link, LinkLoadSample, Site
from tests.fixtures_lab import LabNetwork

pytestmark = [pytest.mark.lab, pytest.mark.slow]
GAP_S = 3.0


@pytest.fixture(scope="module")
def polled(
    lab_network: LabNetwork, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Engine, Settings]]:
    folder = tmp_path_factory.mktemp("linkload")
    settings = load_settings(
        environ={
            "ATALAYA_DATA_DIR": str(folder),
            "ATALAYA_SECRETS_DIR": str(lab_network.secrets_dir),
        }
    )
    engine = db.make_engine(f"sqlite:///{folder / 'atalaya.db'}")
    db.upgrade(engine)
    with Session(engine) as session, session.begin():
        apply_inventory(session, read_toml(Path(lab_network.inventory_path)), dt.datetime.now())
    _poll(engine, settings)
    time.sleep(GAP_S)
    _poll(engine, settings)
    yield engine, settings
    engine.dispose()


def _poll(engine: Engine, settings: Settings) -> None:
    summary = run_loop(engine, settings, "linkload")
    assert summary.total > 50 and summary.failed <= summary.total // 20, summary.by_reason


def _traffic(lab: LabNetwork) -> dict[str, Any]:
    gateways: dict[str, Any] = json.loads(lab.lab.traffic_path.read_text())["gateways"]
    return gateways


def _last(engine: Engine) -> dict[str, LinkLoadSample]:
    """site code -> its link's newest sample."""
    with Session(engine) as session:
        rows = session.execute(
            select(Site.code, LinkLoadSample)
            .join(Link, LinkLoadSample.link_id == Link.id)
            .join(Site, Link.site_id == Site.id)
            .order_by(LinkLoadSample.id)
        )
        return {code: sample for code, sample in rows}


def test_utilisation_matches_the_configured_traffic(
    polled: tuple[Engine, Settings], lab_network: LabNetwork
) -> None:
    engine, _ = polled
    last = _last(engine)
    checked = busy = 0
    for gateway in _traffic(lab_network).values():
        sample = last.get(gateway["site"])
        if sample is None or sample.in_bps is None:
            continue  # this gateway's reply was lost to the lab's load: at most 5 %, see _poll
        checked += 1
        assert sample.in_bps == pytest.approx(gateway["in_bps"], rel=0.05)
        assert sample.out_bps == pytest.approx(gateway["out_bps"], rel=0.05)
        assert sample.in_ratio == pytest.approx(
            gateway["in_bps"] / gateway["bandwidth_bps"], rel=0.05
        )
        busy += gateway["busy"]
    assert checked >= 0.9 * len(_traffic(lab_network)) and busy >= 5


def test_a_gauge_per_site_link_and_direction(polled: tuple[Engine, Settings]) -> None:
    engine, _ = polled
    with Session(engine) as session:
        snapshot = build_snapshot(session)
        links = len(session.scalars(select(Link)).all())
    (gauge,) = [f for f in families(snapshot, "test") if f.name == "atalaya_link_utilisation_ratio"]
    series = {(s.labels["site"], s.labels["direction"]): s.value for s in gauge.samples}
    assert 0 < len(series) <= 2 * links  # bounded by the inventory's links
    for code, sample in _last(engine).items():
        if sample.in_ratio is not None:
            assert series[(code, "in")] == pytest.approx(sample.in_ratio)


def _gateway(lab: LabNetwork, n: int) -> tuple[str, dict[str, Any]]:
    return sorted(_traffic(lab).items())[n]


def test_a_counter_wrap_gives_the_right_rate_not_a_spike(
    polled: tuple[Engine, Settings], lab_network: LabNetwork
) -> None:
    engine, settings = polled
    hostname, gateway = _gateway(lab_network, 0)
    lab_network.lab.wrap_soon(hostname, 1.5)
    _poll(engine, settings)  # just below 2^64
    time.sleep(GAP_S)
    _poll(engine, settings)  # past it
    sample = _last(engine)[gateway["site"]]
    assert sample.note == "wrap"
    assert int(sample.in_octets) < 2**40  # it did wrap
    assert sample.in_bps == pytest.approx(gateway["in_bps"], rel=0.05)


def test_a_restart_gives_no_spike_and_the_next_rate_is_right(
    polled: tuple[Engine, Settings], lab_network: LabNetwork
) -> None:
    engine, settings = polled
    hostname, gateway = _gateway(lab_network, 1)
    lab_network.lab.restart(hostname)
    time.sleep(1.0)
    _poll(engine, settings)
    after_restart = _last(engine)[gateway["site"]]
    assert after_restart.note == "restart" and after_restart.in_bps is None
    time.sleep(GAP_S)
    _poll(engine, settings)
    sample = _last(engine)[gateway["site"]]
    assert sample.note == ""
    assert sample.in_bps == pytest.approx(gateway["in_bps"], rel=0.05)
