"""Done-when of issue 9, against the simulated network: collect once, compute the plan indicators,
and compare each with what the lab's truth file (and the inventory it declared) implies.

The expected values are counted from truth.json (tests/plan/support.py), never from the CMDB:
sites, their kinds, their devices' kinds and seeded violations, which sites the lab made dark.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from atalaya.jobs.collection import run_cycle
from atalaya.jobs.evaluation import run_evaluation
from atalaya.jobs.plan import evaluate_plan
from atalaya.settings import load_settings
from cmdb import db
from cmdb.inventory import apply_inventory, read_toml
from cmdb.models import IndicatorValue
from cmdb.plan_values import stored_plan
from compliance.indicators import IndicatorResult, load_indicators
from compliance.plan_report import build_report
from tests.plan.support import UNITS, PlanLab, Truth, compute_now, retry_failed
from web.plan import pdf_bytes, render_document

pytestmark = [pytest.mark.lab, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]
VPN_AND_INTERCONNECTION = ("1.7", "1.7.1", "1.7.4")


@pytest.fixture(scope="module")
def plan_lab(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PlanLab]:
    lab = request.getfixturevalue("lab_network")
    lab.restore()
    lab.reload_truth()
    folder = tmp_path_factory.mktemp("plan")
    settings = load_settings(
        environ={"ATALAYA_DATA_DIR": str(folder), "ATALAYA_SECRETS_DIR": str(lab.secrets_dir)}
    )
    engine = db.make_engine(settings.database_url)
    db.upgrade(engine)
    inventory = folder / "inventory.toml"
    inventory.write_text(Path(lab.inventory_path).read_text("utf-8"), "utf-8")
    with Session(engine) as session, session.begin():
        apply_inventory(session, read_toml(inventory), dt.datetime.now(dt.UTC))
    plan = PlanLab(lab, settings, engine, dt.date.fromisoformat(lab.truth["reference_date"]))
    summary = run_cycle(engine, settings)
    retry_failed(plan, [loop.run_id for loop in summary.loops if loop.failed])
    yield plan
    engine.dispose()


def test_each_indicator_equals_what_the_truth_implies(plan_lab: PlanLab) -> None:
    truth = Truth(plan_lab.lab)
    results = compute_now(plan_lab)
    wrong = []
    expected = truth.expected()
    for indicator_id, members in expected.items():
        result = results[indicator_id]
        population = result.numerator + len(result.missing)
        got = population - len(result.missing)
        if got != len(members) or (
            population - len(members) != len(result.missing) or set(result.missing) & members
        ):
            wrong.append(
                f"{indicator_id}: {got}/{population}, truth {len(members)}; "
                f"missing {result.missing[:8]}"
            )
    # 1.1.3: equipment is due when the lab seeded it past its useful life (HW-LIFE-01); no model
    # it uses is past end of support at the reference date
    due = sorted(d["hostname"] for d in truth.all_devices if "HW-LIFE-01" in d["violations"])
    renewal = results["1.1.3"]
    if renewal.missing != due or renewal.denominator != len(truth.all_devices):
        wrong.append(f"1.1.3: missing {renewal.missing[:8]} vs due {due[:8]}")
    assert wrong == [], "\n".join(wrong)
    # units counted over the 69 + 8 units, and the values are the shares of them
    assert results["1.7"].denominator == len(truth.codes(*UNITS)) == 77
    expected_17 = round(100 * len(truth.expected()["1.7"]) / 77, 2)
    assert results["1.7"].value == expected_17
    assert results["1.7.2"].numerator > 0 and results["1.1.6"].numerator > 0
    assert results["1.3.1"].value == 2 and results["1.3.3"].value == 1


def test_control_indicators_count_the_statement_of_applicability(plan_lab: PlanLab) -> None:
    with Session(plan_lab.engine) as session:
        run = run_evaluation(plan_lab.settings, session, plan_lab.today, store=False)
    results = compute_now(plan_lab)
    soa = run.policies.soa.entries_2013
    applicable = [cid for cid, entry in soa.items() if entry.applicable]

    def implemented(cid: str) -> bool:
        """Declared implemented, and the rules' findings (if any judged it) agree."""
        score = run.scores.controls_2013.get(cid)
        if soa[cid].status != "implemented":
            return False
        if score is None or score.passed + score.failed + score.unknown == 0:
            return True
        return score.score is not None and score.score >= 90 and score.unknown == 0

    # the denominator is every applicable Annex A control, not the few that rules evidence
    assert results["1.2.1"].denominator == len(applicable) == 113
    assert results["1.2.1"].numerator == sum(1 for cid in applicable if implemented(cid))
    # the lab seeds failures: controls the SoA declares implemented that the findings contradict
    assert any(soa[cid].status == "implemented" and not implemented(cid) for cid in applicable)


def _fail_and_probe(plan: PlanLab, site: str) -> dict[str, IndicatorResult]:
    plan.lab.fail(site)
    run_cycle(plan.engine, plan.settings, only="reachability")
    return compute_now(plan)


@pytest.fixture
def restored(plan_lab: PlanLab) -> Iterator[PlanLab]:
    yield plan_lab
    plan_lab.lab.restore()
    run_cycle(plan_lab.engine, plan_lab.settings, only="reachability")


def test_failing_a_site_lowers_vpn_and_interconnection_by_exactly_that_site(
    restored: PlanLab,
) -> None:
    before = compute_now(restored)
    truth = Truth(restored.lab)
    site = next(
        c
        for c in truth.codes("establishment")
        if truth.up(c)
        and c not in before["1.7"].missing
        and truth.uplink[c] not in before["1.7.5"].missing
    )
    after = _fail_and_probe(restored, site)
    for indicator_id in VPN_AND_INTERCONNECTION:
        assert after[indicator_id].numerator == before[indicator_id].numerator - 1, indicator_id
        assert set(after[indicator_id].missing) - set(before[indicator_id].missing) == {site}
    # the regional office no longer reaches all of its establishments: exactly that office drops
    assert set(after["1.7.5"].missing) - set(before["1.7.5"].missing) == {truth.uplink[site]}
    region = truth.sites[site]["region"]
    assert (
        after["1.7"].breakdown[region]["numerator"]
        == before["1.7"].breakdown[region]["numerator"] - 1
    )


def test_failing_the_contingency_data_centre_shows_in_1_3_1_and_1_3_3(restored: PlanLab) -> None:
    after = _fail_and_probe(restored, "LIM-DC2")
    assert (after["1.3.3"].value, after["1.3.3"].missing) == (0, ["LIM-DC2"])
    assert (after["1.3.1"].value, after["1.3.1"].missing) == (1, ["LIM-DC2"])


def test_two_evaluations_give_the_change_since_the_previous_period(restored: PlanLab) -> None:
    plan = restored
    with Session(plan.engine) as session, session.begin():
        first = evaluate_plan(plan.settings, session, plan.today, "2026-H1")
    site = next(
        c
        for c in Truth(plan.lab).codes("establishment")
        if c not in {r.indicator_id: r for r in first.results}["1.7"].missing
    )
    plan.lab.fail(site)
    run_cycle(plan.engine, plan.settings, only="reachability")
    with Session(plan.engine) as session, session.begin():
        second = evaluate_plan(plan.settings, session, plan.today, "2026-H2")
    with Session(plan.engine) as session:
        indicators = load_indicators(plan.settings.policies_path)
        stored = stored_plan(session, [i.id for i in indicators], "2026-H2", "2026-H2")
        report = build_report(
            stored, indicators, second.run.policies, second.run.facts, plan.today
        )
    rows = {r["id"]: r for r in report.indicators}
    before = {r.indicator_id: r.value for r in first.results}
    after = {r.indicator_id: r.value for r in second.results}
    assert report.previous_period == "2026-H1"
    assert rows["1.7"]["change"] == round(after["1.7"] - before["1.7"], 2) == round(-100 / 77, 2)
    assert all(rows[i]["change"] == round(after[i] - before[i], 2) for i in after)
    assert report.history["1.7"][-2:] == [before["1.7"], after["1.7"]]
    # the PDF from these stored values: one row per indicator, every id readable by pdftotext
    html = render_document(report)
    assert html.count('<tr class="indicator"') == len(indicators)
    pdf = plan.settings.data_path / "plan.pdf"
    pdf.write_bytes(pdf_bytes(report))
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    for indicator in indicators:
        starts = re.findall(rf"^\s*{re.escape(indicator.id)}\s", text, re.MULTILINE)
        assert len(starts) == 1, (indicator.id, len(starts))
    assert "Unidades pendientes" in text and site in text


def test_report_plan_command_prints_every_indicator_as_json(restored: PlanLab) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATALAYA_")}
    env |= {
        "ATALAYA_DATA_DIR": str(restored.settings.data_path),
        "ATALAYA_SECRETS_DIR": str(restored.lab.secrets_dir),
    }
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "atalaya",
            "report",
            "plan",
            "--format",
            "json",
            "--as-of",
            restored.today.isoformat(),
        ],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    ids = re.findall(r'^      "id": "([0-9.]+)"', out, re.MULTILINE)
    assert ids == [i.id for i in load_indicators(restored.settings.policies_path)]
    assert '"period": "2026-H2"' in out and '"previous_period": "2026-H1"' in out


def test_evaluate_stores_one_value_per_indicator(restored: PlanLab) -> None:
    """`atalaya evaluate` (as the demo and operators run it) feeds the Plan page too."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATALAYA_")}
    env |= {
        "ATALAYA_DATA_DIR": str(restored.settings.data_path),
        "ATALAYA_SECRETS_DIR": str(restored.lab.secrets_dir),
    }
    with Session(restored.engine) as session:
        before = session.scalar(select(func.count()).select_from(IndicatorValue)) or 0
    subprocess.run(
        [sys.executable, "-m", "atalaya", "evaluate", "--format", "json"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    with Session(restored.engine) as session:
        after = session.scalar(select(func.count()).select_from(IndicatorValue)) or 0
    assert after - before == len(load_indicators(restored.settings.policies_path))


def test_plan_page_shows_every_indicator_with_a_sparkline_and_serves_the_pdf(
    plan_lab: PlanLab,
) -> None:
    from cmdb.users import create_user
    from web.app import create_app

    with Session(plan_lab.engine) as session, session.begin():
        evaluate_plan(plan_lab.settings, session, plan_lab.today, "2026-H2")
        create_user(session, "lector", "una clave larga 123", "viewer")
    app = create_app(plan_lab.settings, plan_lab.engine)
    client = app.test_client()
    assert client.get("/plan").status_code == 302  # login first
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    client.post(
        "/login",
        data={
            "username": "lector",
            "password": "una clave larga 123",
            "csrf_token": token.group(1),
        },
    )
    html = client.get("/plan?period=2026-H2").get_data(as_text=True)
    indicators = load_indicators(plan_lab.settings.policies_path)
    assert html.count('<tr class="indicator"') == len(indicators)
    assert html.count('class="sparkline"') == len(indicators)
    assert "Unidades pendientes" in html  # Spanish by default
    pdf = client.get("/plan.pdf?period=2026-H2")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
