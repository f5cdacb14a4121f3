"""`serve` keeps findings current: the periodic evaluation runs once per interval across
processes, and stores findings, scores and plan indicators."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from atalaya.jobs import leases
from atalaya.jobs.periodic import evaluate_once, first_run
from atalaya.settings import Settings
from cmdb.ingest import ingest_device_facts
from cmdb.inventory import apply_inventory, read_toml
from cmdb.models import Evaluation, Finding, IndicatorValue
from collectors.base import DeviceFacts
from tests.conftest import EXAMPLE_INVENTORY

DEVICE = """
[[device]]
hostname = "lim-hq-sw01"
site = "LIM-HQ"
kind = "switch"
platform = "cisco_ios"
address = "127.60.0.1"
owner = "Oficina de Infraestructura"
"""


def _count(engine: Engine, model: type) -> int:
    with Session(engine) as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def test_one_evaluation_per_interval_whoever_asks(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    now = dt.datetime.now(dt.UTC)
    (tmp_path / "dev.toml").write_text(DEVICE, encoding="utf-8")
    with Session(engine) as s, s.begin():
        apply_inventory(s, read_toml(EXAMPLE_INVENTORY), now.replace(tzinfo=None))
        apply_inventory(s, read_toml(tmp_path / "dev.toml"), now.replace(tzinfo=None))
        ingest_device_facts(
            s,
            DeviceFacts(
                "lim-hq-sw01",
                "ssh",
                now,
                running_config=("hostname lim-hq-sw01\nip http server\nend\n"),
            ),
        )
    settings.compliance.evaluate_interval_s = 600
    first, second = leases.holder_name(), leases.holder_name()
    assert evaluate_once(engine, settings, first) is True
    # another web process asking within the interval does not evaluate again
    assert evaluate_once(engine, settings, second) is False
    assert _count(engine, Evaluation) == 1
    assert _count(engine, IndicatorValue) > 0
    with Session(engine) as s:
        status = s.scalar(select(Finding.status).where(Finding.rule_id == "NET-SVC-01"))
    assert status == "fail"


def test_first_periodic_evaluation_follows_the_last_one_or_waits_a_minute(
    engine: Engine,
) -> None:
    now = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)
    # nothing evaluated yet: not at once (start-up stays quick), a minute later
    assert first_run(engine, 900, now) == now + dt.timedelta(seconds=60)
    with Session(engine) as s, s.begin():
        s.add(
            Evaluation(
                at=(now - dt.timedelta(minutes=5)).replace(tzinfo=None), as_of=now.date(), scores={}
            )
        )
    # `make demo` evaluated 5 minutes ago: the next one is due one interval after it
    assert first_run(engine, 900, now) == now + dt.timedelta(minutes=10)
