"""The spool (issue 17): runs kept in order, replayed once even across a crash, bounded with the
oldest dropped first, and the loss visible in /metrics and `atalaya status`."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import flask
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from atalaya.jobs.collection import INGESTERS, open_spool
from atalaya.jobs.replay import replay_spool
from atalaya.jobs.spool import Spool
from atalaya.settings import Settings
from cmdb import db
from cmdb.ingest import start_run
from cmdb.inventory import apply_inventory, read_toml
from cmdb.models import Link, LinkSample, Outage, PollRun
from collectors.base import AuthFailed, DeviceFacts, InterfaceFact, ProbeSample
from collectors.facts_json import FactsFormatError, result_from_json, result_to_json
from web.metrics import register_metrics

T0 = dt.datetime(2026, 11, 27, 3, 0, tzinfo=dt.UTC)
ROOT = Path(__file__).resolve().parents[2]
INVENTORY = """
[[region]]
code = "ORI"
name = "Oriente – Pucallpa"
[[site]]
code = "ORI-EP-01"
name = "E.P. de Pucallpa"
kind = "establishment"
region = "ORI"
[[link]]
site = "ORI-EP-01"
kind = "vpn"
probe = "127.50.0.254"
[[device]]
hostname = "ori-ep-01-sw01"
site = "ORI-EP-01"
kind = "switch"
platform = "cisco_ios"
address = "127.50.0.1"
"""


def _samples(at: dt.datetime, up: bool) -> list[ProbeSample]:
    received = 3 if up else 0
    rtt = 21.0 if up else None
    return [
        ProbeSample("link:ORI-EP-01", "127.50.0.254", at, 3, received, rtt, rtt, rtt),
        ProbeSample("ori-ep-01-sw01", "127.50.0.1", at, 3, received, rtt, rtt, rtt),
    ]


def _spool_cycles(spool: Spool, ups: list[bool]) -> None:
    for minute, up in enumerate(ups):
        at = T0 + dt.timedelta(minutes=minute)
        spool.append("reachability", "", None, at, at + dt.timedelta(seconds=2), _samples(at, up))


@pytest.fixture
def inventory_engine(engine: Engine, tmp_path: Path) -> Engine:
    path = tmp_path / "inv.toml"
    path.write_text(INVENTORY, encoding="utf-8")
    with Session(engine) as s, s.begin():
        apply_inventory(s, read_toml(path), (T0 - dt.timedelta(days=1)).replace(tzinfo=None))
    return engine


def test_facts_survive_the_round_trip_with_their_types() -> None:
    facts = DeviceFacts(
        "ori-ep-01-sw01", "snmp", T0, model="C9200-24T",
        interfaces=[InterfaceFact(1, "Gi1/0/1", oper_up=True, speed_bps=10**9)],
        sshd={"permitrootlogin": "no"}, skipped=["sshd -T: no permitrootlogin line"],
    )  # fmt: skip
    failed = DeviceFacts("ori-ep-01-sw02", "ssh", T0, error=AuthFailed("user 'mon' refused"))
    back = [result_from_json(json.loads(json.dumps(result_to_json(x)))) for x in (facts, failed)]
    assert back[0] == facts and back[0].collected_at.tzinfo is not None
    assert isinstance(back[1], DeviceFacts) and isinstance(back[1].error, AuthFailed)
    assert back[1].error.permanent and back[1].error.message == "user 'mon' refused"
    sample = _samples(T0, up=False)[0]
    assert result_from_json(result_to_json(sample)) == sample
    written_by_another_version = {**result_to_json(sample), "rtt_typo": 1}
    with pytest.raises(FactsFormatError, match=r"probe result 'link:ORI-EP-01'.*rtt_typo"):
        result_from_json(written_by_another_version)
    with pytest.raises(FactsFormatError, match=r"probe result 'link:X': KeyError: 'at'"):
        result_from_json({"type": "probe", "target": "link:X"})


def test_spooled_runs_replay_in_order_with_their_own_times(inventory_engine: Engine,
                                                           tmp_path: Path) -> None:  # fmt: skip
    spool = Spool(tmp_path / "spool" / "collector.db", "", 10**6)
    _spool_cycles(spool, [True, False, False, True])  # the link fails and recovers in the gap
    assert replay_spool(inventory_engine, spool, INGESTERS) == 4
    assert spool.is_empty()
    with Session(inventory_engine) as s:
        runs = s.scalars(select(PollRun).order_by(PollRun.id)).all()
        assert [r.started_at for r in runs] == [
            (T0 + dt.timedelta(minutes=m)).replace(tzinfo=None) for m in range(4)
        ]
        assert all(r.ended_at == r.started_at + dt.timedelta(seconds=2) for r in runs)
        link = s.scalars(select(Link)).one()
        outage = s.scalars(select(Outage).where(Outage.target_type == "link")).one()
        assert (outage.start, outage.end) == (
            (T0 + dt.timedelta(minutes=1)).replace(tzinfo=None),
            (T0 + dt.timedelta(minutes=3)).replace(tzinfo=None),
        )
        assert s.scalar(select(func.count()).where(LinkSample.link_id == link.id)) == 4


def test_a_run_stored_before_a_crash_is_not_stored_twice(inventory_engine: Engine,
                                                         tmp_path: Path) -> None:  # fmt: skip
    """The crash between the CMDB's commit and the spool's delete, reproduced: the spooled run
    whose PollRun already ended is removed, not ingested again."""
    spool = Spool(tmp_path / "spool" / "collector.db", "", 10**6)
    with Session(inventory_engine) as s, s.begin():
        run_id = start_run(s, "reachability", at=T0).id
    samples = _samples(T0, up=False)
    spool.append("reachability", "", run_id, T0, T0 + dt.timedelta(seconds=2), samples)
    assert replay_spool(inventory_engine, spool, INGESTERS) == 1
    # ...the process died before its delete reached the spool: the run is still there
    spool.append("reachability", "", run_id, T0, T0 + dt.timedelta(seconds=2), samples)
    assert replay_spool(inventory_engine, spool, INGESTERS) == 0
    assert spool.is_empty()
    with Session(inventory_engine) as s:
        assert s.scalar(select(func.count()).select_from(LinkSample)) == 1
        assert s.scalar(select(func.count()).select_from(Outage)) == 2  # link and device, once
        run = s.get(PollRun, run_id)
        assert run is not None and run.ended_at is not None and run.devices_failed == 2


def _metrics_app(settings: Settings, engine: Engine) -> flask.Flask:
    app = flask.Flask("spool-metrics-test")
    app.config["ATALAYA_SETTINGS"] = settings
    app.config["ATALAYA_ENGINE"] = engine
    register_metrics(app)
    return app


def _spool_series(text: str) -> dict[str, float]:
    return {
        sample.name: sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name.startswith("atalaya_spool_") and sample.labels == {"poller_group": "norte"}
    }


def test_a_full_spool_drops_the_oldest_and_says_so(
    settings: Settings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings.collect.poller_group = "norte"
    probe = Spool(tmp_path / "measure" / "probe.db", "norte", 10**9)  # one run's size, measured
    probe.append("reachability", "", None, T0, T0, _samples(T0, True))
    run_bytes = probe.state().bytes
    settings.collect.spool_max_mb = 3.5 * run_bytes / (1024 * 1024)  # room for three runs
    spool = open_spool(settings)
    assert spool is not None
    with caplog.at_level(logging.WARNING, logger="atalaya.jobs.spool"):
        _spool_cycles(spool, [True, False, False, True, True])
    kept = [run.started_at for run in spool.pending()]
    assert kept == [T0 + dt.timedelta(minutes=m) for m in (2, 3, 4)]  # the newest three
    dropped = [r.getMessage() for r in caplog.records if "dropped the reachability" in r.message]
    assert len(dropped) == 2 and "started 2026-11-27T03:00:00" in dropped[0]
    engine = db.make_engine(settings.database_url)
    db.upgrade(engine)
    series = _spool_series(_metrics_app(settings, engine).test_client().get("/metrics").text)
    engine.dispose()
    assert series["atalaya_spool_runs"] == 3
    assert series["atalaya_spool_dropped_total"] == 2
    age = (dt.datetime.now(dt.UTC) - (T0 + dt.timedelta(minutes=2))).total_seconds()
    assert abs(series["atalaya_spool_oldest_age_seconds"] - age) < 60
    status = _status(settings.data_path)
    assert status.returncode == 0, status.stderr
    spools = {s["poller_group"]: s for s in json.loads(status.stdout)["spool"]}
    assert (spools["norte"]["runs"], spools["norte"]["dropped"]) == (3, 2)
    # the database away (nothing listens on port 1): the spools still show, exit 1
    down = _status(settings.data_path, ATALAYA_DATABASE_URL="postgresql://atalaya@127.0.0.1:1/x")
    assert down.returncode == 1 and "database unreachable" in down.stderr, down.stderr
    assert json.loads(down.stdout)["spool"][0]["runs"] == 3


def _status(data_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "atalaya", "status", "--format", "json"],
        env={**{k: v for k, v in os.environ.items() if not k.startswith("ATALAYA_")},
             "ATALAYA_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT), **env},
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
