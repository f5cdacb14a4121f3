"""Done-when of issue 7: a real Prometheus scrapes a running Atalaya over loopback.

The lab (`lab_network`, every one of the 79 sites) is polled by the collectors' own
`run_cycle`; Atalaya is served by a WSGI server thread; Debian's prometheus scrapes it every
second; the assertions read Prometheus' HTTP API, not Atalaya.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from atalaya.jobs.collection import run_cycle
from atalaya.jobs.evaluation import run_evaluation
from atalaya.settings import Settings
from cmdb import db
from cmdb.inventory import apply_inventory, read_toml
from tests.fixtures_lab import LabNetwork
from tests.metrics.conftest import EXAMPLE_INVENTORY
from tests.metrics.peers import PrometheusPeer, build_app, running_prometheus, serve

pytestmark = [pytest.mark.lab, pytest.mark.slow]

SCRAPE_S = 1
FAILED_SITE = "SUR-EP-02"


@pytest.fixture
def atalaya(
    settings: Settings, lab_site_fault: LabNetwork, tmp_path: Path
) -> Iterator[tuple[Engine, PrometheusPeer]]:
    settings.secrets.dir = str(lab_site_fault.secrets_dir)
    settings.collect.ping_count = 2
    settings.collect.ping_timeout_s = 0.5
    settings.collect.device_deadline_s = 4.0
    settings.collect.snmp_timeout_s = 1.0
    engine = db.make_engine(settings.database_url)
    db.upgrade(engine)
    inventory = tmp_path / "inventory.toml"
    inventory.write_text(lab_site_fault.inventory_path.read_text(), "utf-8")
    with Session(engine) as session, session.begin():
        apply_inventory(session, read_toml(inventory), dt.datetime.now(dt.UTC))
    run_cycle(engine, settings, only="reachability")
    run_cycle(engine, settings, only="snmp")
    with Session(engine) as session, session.begin():
        run_evaluation(settings, session)
    app, how = build_app(settings, engine)
    print(f"serving {how}")
    with (
        serve(app) as base,
        running_prometheus(tmp_path, base.removeprefix("http://"), SCRAPE_S) as prom,
    ):
        yield engine, prom
    engine.dispose()


def report_controls(settings: Settings) -> list[dict[str, object]]:
    """`atalaya report controls --format json`, run as a user would, on the same database."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("ATALAYA_")},
        "ATALAYA_DATA_DIR": settings.data_dir,
        "ATALAYA_DATABASE_URL": settings.database_url,
        "ATALAYA_SECRETS_DIR": settings.secrets.dir,
    }
    command = [sys.executable, "-c", "from atalaya.commands import main; main()"]
    result = subprocess.run(
        [*command, "report", "controls", "--format", "json"],
        env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    rows: list[dict[str, object]] = json.loads(result.stdout)
    return rows


def test_prometheus_sees_sites_a_failed_site_and_control_scores(
    atalaya: tuple[Engine, PrometheusPeer], settings: Settings, lab_site_fault: LabNetwork
) -> None:
    engine, prom = atalaya
    inventory_sites = len(read_toml(EXAMPLE_INVENTORY).sites)
    prom.wait_for('sum(atalaya_sites{job="atalaya"})', lambda v: v == inventory_sites, 30)
    assert prom.scalar('count(atalaya_site_up{job="atalaya"})') == inventory_sites
    assert prom.scalar(f'atalaya_site_up{{site="{FAILED_SITE}"}}') == 1.0

    # compliance: every control score Prometheus holds equals the one the report prints
    rows = [r for r in report_controls(settings) if r["score"] is not None]
    assert rows, "the lab evaluation judged no control"
    print(f"{len(rows)} control scores compared with `atalaya report controls`")
    for row in rows:
        standard, control = (
            ("2013", row["iso27001_2013"])
            if row["iso27001_2013"]
            else ("2022", row["iso27001_2022"])
        )
        query = (
            f'atalaya_compliance_control_score_ratio{{standard="{standard}",control="{control}"}}'
        )
        assert prom.scalar(query) == pytest.approx(float(row["score"]) / 100.0, abs=1e-6), query  # type: ignore[arg-type]

    # a site taken down in the lab reads as down within two scrape intervals of the cycle
    lab_site_fault.fail(FAILED_SITE)
    run_cycle(engine, settings, only="reachability")
    cycle_done = time.monotonic()
    prom.wait_for(f'atalaya_site_up{{site="{FAILED_SITE}"}}', lambda v: v == 0.0, 10)
    seen_after = time.monotonic() - cycle_done
    print(f"site down visible in Prometheus {seen_after:.2f} s after the cycle")
    # 0.2 s: the polling step of wait_for, not Prometheus
    assert seen_after <= 2 * SCRAPE_S + 0.2
    assert (
        prom.scalar(f'count(atalaya_site_up{{site!="{FAILED_SITE}"}} == 1)') == inventory_sites - 1
    )
