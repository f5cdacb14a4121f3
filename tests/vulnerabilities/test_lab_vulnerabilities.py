"""Done-when of issue 14 against the simulated network: import the test advisories, collect and
evaluate the lab, and the failing (device, advisory) pairs are exactly those truth.json names,
with the fixed release in the evidence; a device upgraded with `lab edit` to that release
passes after the next collection and evaluation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from atalaya.jobs.advisories import import_advisories
from atalaya.jobs.collection import run_cycle
from atalaya.jobs.evaluation import run_evaluation
from atalaya.settings import Settings, load_settings
from cmdb import db
from cmdb.inventory import apply_inventory, read_toml
from cmdb.models import Finding
from compliance.conditions_vulns import NO_FIX
from lab.advisories import UPGRADES
from tests.vulnerabilities.conftest import FIXTURES

pytestmark = [pytest.mark.lab, pytest.mark.slow]


@pytest.fixture(scope="module")
def lab_cmdb(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Any, Engine, Settings]]:
    lab = request.getfixturevalue("lab_network")
    folder = tmp_path_factory.mktemp("labvulns")
    settings = load_settings(
        environ={"ATALAYA_DATA_DIR": str(folder), "ATALAYA_SECRETS_DIR": str(lab.secrets_dir)}
    )
    engine = db.make_engine(f"sqlite:///{folder / 'atalaya.db'}")
    db.upgrade(engine)
    with Session(engine) as session, session.begin():
        apply_inventory(session, read_toml(Path(lab.inventory_path)), dt.datetime.now(dt.UTC))
        summary = import_advisories(session, [FIXTURES])
    assert summary.errors == [] and summary.outcomes["added"] == 12
    assert run_cycle(engine, settings).loops
    yield lab, engine, settings
    engine.dispose()


def _evaluate(engine: Engine, settings: Settings) -> dict[tuple[str, str], Finding]:
    """Evaluate and store as the periodic job does; the stored VULN findings by (host, id)."""
    with Session(engine) as session, session.begin():
        run = run_evaluation(settings, session)
        names = {f.ci_id: f.name for f in run.facts if f.ci_type == "device"}
    with Session(engine) as session:
        rows = session.scalars(select(Finding).where(Finding.rule_id.like("VULN:%"))).all()
        return {(names[r.ci_id], r.rule_id.removeprefix("VULN:")): r for r in rows}


def _truth_pairs(truth: dict[str, Any]) -> dict[tuple[str, str], str | None]:
    dark = {s["code"] for s in truth["sites"] if s["unreachable"]}
    return {
        (d["hostname"], a["id"]): a["fixed"]
        for d in truth["devices"]
        if d["site"] not in dark
        for a in d["advisories"]
    }


def test_failing_device_advisory_pairs_are_exactly_the_truth(lab_cmdb: Any) -> None:
    lab, engine, settings = lab_cmdb
    findings = _evaluate(engine, settings)
    expected = _truth_pairs(lab.truth)
    assert len(expected) > 20  # the lab really runs affected releases
    failing = {key for key, row in findings.items() if row.status == "fail"}
    missed = sorted(set(expected) - failing)
    extra = sorted(failing - set(expected))
    assert missed == [], f"recall below 100 %: {missed[:20]}"
    assert extra == [], f"precision below 100 %: {extra[:20]}"
    for key, fixed in expected.items():
        evidence = findings[key].evidence
        assert (f"fixed in {fixed}" if fixed else NO_FIX) in evidence, (key, evidence)
        assert "CVSS" in evidence


def test_device_upgraded_to_the_fixed_release_passes_at_the_next_collection(
    lab_cmdb: Any,
) -> None:
    lab, engine, settings = lab_cmdb
    host, advisory, os_name, before, fixed = next(
        (d["hostname"], a["id"], d["os_name"], d["os_version"], a["fixed"])
        for d in lab.truth["devices"]
        for a in d["advisories"]
        if a["id"] not in UPGRADES.get((d["os_name"], a["fixed"]), {a["id"]: None})
    )
    site = lab.device(host)["site"]
    assert _evaluate(engine, settings)[(host, advisory)].status == "fail"
    truth = lab.edit(host, os_version=fixed)
    try:
        assert advisory not in {a["id"] for a in lab.device(host)["advisories"]}
        run_cycle(engine, settings, sites=[site])
        after = _evaluate(engine, settings)
        assert after[(host, advisory)].status == "pass", after[(host, advisory)].evidence
        assert after[(host, advisory)].evidence.startswith(f"{os_name} ")
        # the truth file and the findings still agree for every device
        failing = {k for k, row in after.items() if row.status == "fail"}
        assert failing == set(_truth_pairs(truth))
    finally:
        lab.edit(host, os_version=before)  # the lab is shared by the session's other tests

