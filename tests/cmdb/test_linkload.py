"""Link load from counter readings: rates over the uptime, wraps, restarts, daily 95th percentile,
and the link-saturated finding when it stays over 80 % for 3 days."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from atalaya.jobs.evaluation import run_evaluation
from atalaya.settings import Settings
from cmdb.inventory import apply_inventory, read_toml
from cmdb.linkload import daily_p95, percentile
from cmdb.linkload_ingest import store_link_load
from cmdb.models import Finding, Link, LinkLoadSample
from collectors.base import LinkCounters
from tests.cmdb.test_inventory import SMALL, _write

GATEWAY = """
[[device]]
hostname = "nor-ep-01-vpn01"
site = "NOR-EP-01"
kind = "vpn_gateway"
platform = "cisco_ios"
address = "127.21.0.2"
"""
BANDWIDTH = 20_000_000  # bandwidth_mbps = 20
START = dt.datetime(2026, 11, 27, 0, 0, tzinfo=dt.UTC)


@pytest.fixture
def linked(engine: Engine, tmp_path: Path) -> Engine:
    text = SMALL.replace('probe = "127.21.0.254"', 'probe = "127.21.0.254"\nbandwidth_mbps = 20')
    with Session(engine) as s, s.begin():
        apply_inventory(s, read_toml(_write(tmp_path, text + GATEWAY)), START)
    return engine


class Gateway:
    """Readings of a gateway carrying ``bps`` both ways, as its counters would show them."""

    def __init__(self, octets: int = 10**12) -> None:
        self.uptime, self.octets, self.at = 10_000_00, octets, START

    def reading(self, seconds: float, bps: float) -> LinkCounters:
        self.at += dt.timedelta(seconds=seconds)
        self.uptime += round(seconds * 100)
        self.octets = (self.octets + round(bps / 8 * seconds)) % 2**64
        return LinkCounters(
            "nor-ep-01-vpn01", "NOR-EP-01", self.at, self.uptime, "Gi0/0/0", self.octets,
            self.octets,
        )  # fmt: skip


def _samples(engine: Engine) -> list[LinkLoadSample]:
    with Session(engine) as s:
        return list(s.scalars(select(LinkLoadSample).order_by(LinkLoadSample.id)))


def _store(engine: Engine, *readings: LinkCounters) -> None:
    for reading in readings:
        with Session(engine) as s, s.begin():
            store_link_load(s, [reading], reading.at)


def test_rate_is_octets_over_uptime_and_a_wrap_is_no_spike(linked: Engine) -> None:
    gateway = Gateway(octets=2**64 - 10_000_000)
    _store(linked, gateway.reading(0, 0), gateway.reading(300, 5_000_000))
    _store(linked, gateway.reading(300, 12_000_000))
    first, wrapped, after = _samples(linked)
    assert first.note == "first" and first.in_bps is None
    assert wrapped.note == "wrap" and wrapped.in_bps == pytest.approx(5_000_000)
    assert after.in_ratio == pytest.approx(12_000_000 / BANDWIDTH)


def test_a_restart_leaves_a_gap_not_a_spike(linked: Engine) -> None:
    gateway = Gateway()
    _store(linked, gateway.reading(0, 0), gateway.reading(300, 8_000_000))
    gateway.uptime, gateway.octets = 0, 0  # rebooted: uptime and counters from zero
    _store(linked, gateway.reading(60, 8_000_000), gateway.reading(300, 8_000_000))
    notes = [(s.note, s.in_bps) for s in _samples(linked)]
    assert notes[2] == ("restart", None)
    assert notes[3][1] == pytest.approx(8_000_000)


def test_a_counter_reset_without_restart_is_implausible_not_load(linked: Engine) -> None:
    gateway = Gateway()
    _store(linked, gateway.reading(0, 0))
    gateway.octets = 5  # `clear counters`: the uptime goes on, the counter starts again
    _store(linked, gateway.reading(300, 0))
    assert _samples(linked)[-1].note == "implausible"
    assert _samples(linked)[-1].in_bps is None


def test_percentile_is_nearest_rank() -> None:
    assert percentile(list(range(1, 101))) == 95
    assert percentile([0.5]) == 0.5
    assert percentile([]) is None


def _days(engine: Engine, busy_bps: float, days: int) -> None:
    gateway = Gateway()
    readings = [gateway.reading(0, 0)]
    for _ in range(days * 24 * 12):  # 5-minute samples
        readings.append(gateway.reading(300, busy_bps))
    with Session(engine) as s, s.begin():
        for reading in readings:
            store_link_load(s, [reading], reading.at)


def _saturation(engine: Engine, settings: Settings) -> Finding:
    with Session(engine) as s, s.begin():
        run_evaluation(settings, s, as_of=dt.date(2026, 11, 29))
    with Session(engine) as s:
        finding = s.scalar(select(Finding).where(Finding.rule_id == "LINK-SAT-01"))
        assert finding is not None
        s.expunge(finding)
        return finding


def test_three_days_over_80_percent_is_a_saturated_link(linked: Engine, settings: Settings) -> None:
    _days(linked, 0.9 * BANDWIDTH, 3)
    with Session(linked) as s:
        link_id = s.scalar(select(Link.id))
        assert link_id is not None
        p95 = daily_p95(s, 3, dt.date(2026, 11, 29))[link_id]
    assert p95 == pytest.approx((0.9, 0.9, 0.9))
    finding = _saturation(linked, settings)
    assert finding.status == "fail"
    assert "90 %, 90 %, 90 %" in finding.evidence


def test_a_quiet_link_is_not_saturated(linked: Engine, settings: Settings) -> None:
    _days(linked, 0.3 * BANDWIDTH, 3)
    assert _saturation(linked, settings).status == "pass"
