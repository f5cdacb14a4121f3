"""The Vulnerabilities page, `atalaya report vulnerabilities`, /api/v1/vulnerabilities and
/metrics on one CMDB: the real test advisories imported, evaluated, and the same counts in all."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from atalaya.jobs.advisories import import_advisories
from atalaya.jobs.evaluation import run_evaluation
from atalaya.settings import load_settings
from tests.vulnerabilities.conftest import FIXTURES
from tests.web.conftest import REPO, login

ROW = re.compile(r'data-advisory="([^"]+)" data-devices="(\d+)"')


@pytest.fixture
def vulnerable_app(fresh_app: Flask, tmp_path: Any) -> Flask:
    engine = fresh_app.extensions["atalaya_engine"]
    settings = load_settings(environ={"ATALAYA_DATA_DIR": str(tmp_path / "var")})
    with Session(engine) as session, session.begin():
        assert import_advisories(session, [FIXTURES]).errors == []
        run_evaluation(settings, session)
    return fresh_app


def _report(app: Flask, *args: str) -> list[dict[str, Any]]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("ATALAYA_")}
    environ["ATALAYA_DATABASE_URL"] = str(app.extensions["atalaya_engine"].url)
    done = subprocess.run(
        [sys.executable, "-m", "atalaya", "report", "vulnerabilities", "--format", "json", *args],
        env=environ, capture_output=True, text=True, timeout=120, cwd=REPO,
    )
    assert done.returncode == 0, done.stderr
    rows: list[dict[str, Any]] = json.loads(done.stdout)
    return rows


def _client(app: Flask) -> FlaskClient:
    client = app.test_client()
    login(client, "viewer")
    return client


@pytest.mark.parametrize("query", ["", "region=NOR", "severity=critical"])
def test_page_report_and_api_show_the_same_counts(vulnerable_app: Flask, query: str) -> None:
    client = _client(vulnerable_app)
    api = client.get(f"/api/v1/vulnerabilities?{query}").get_json()
    api_counts = {a["advisory_id"]: a["devices"] for a in api["items"]}
    page = client.get(f"/vulnerabilities?{query}").get_data(as_text=True)
    page_counts = {a: int(n) for a, n in ROW.findall(page)}
    flags = [f"--{k}={v}" for k, v in (p.split("=") for p in query.split("&") if p)]
    report_counts = {r["advisory"]: r["affected_devices"] for r in _report(vulnerable_app, *flags)}
    assert api_counts == page_counts == report_counts
    # nor-ep-01-sw01 runs IOS 12.2(55)SE12 (Smart Install); lim-hq-sw01 IOS XE 17.9.4 (web UI)
    assert api_counts["cisco-sa-20180328-smi2"] == 1
    if query != "region=NOR":
        assert api_counts["CVE-2023-20198"] == 1
    devices = client.get(f"/api/v1/vulnerabilities/devices?{query}").get_json()
    by_device = {r["device"]: r["advisories"] for r in _report(vulnerable_app, "--by=device",
                                                              *flags)}
    assert {d["device"]: len(d["advisories"]) for d in devices["items"]} == by_device
    shown = re.search(r'id="vulnerable-devices">(\d+)<', page)
    assert shown and int(shown.group(1)) == api["totals"]["vulnerable_devices"] == len(by_device)


def test_advisory_page_lists_affected_devices_by_region_and_site(vulnerable_app: Flask) -> None:
    client = _client(vulnerable_app)
    html = client.get("/vulnerabilities/CVE-2023-20198").get_data(as_text=True)
    assert 'id="affected-devices">1<' in html and "lim-hq-sw01" in html
    assert "fixed in 17.9.4a" in html
    assert client.get("/vulnerabilities/NO-SUCH-ADVISORY").status_code == 404
    spanish = client.get("/vulnerabilities").get_data(as_text=True)
    assert "Vulnerabilidades" in spanish and "Equipos afectados" in spanish


def test_device_page_and_metrics_show_the_vulnerabilities(vulnerable_app: Flask) -> None:
    client = _client(vulnerable_app)
    api = client.get("/api/v1/vulnerabilities/devices").get_json()
    device = next(d for d in api["items"] if d["device"] == "nor-ep-01-sw01")
    html = client.get(f"/devices/{device['device_id']}").get_data(as_text=True)
    assert 'id="vulnerabilities"' in html and "cisco-sa-20180328-smi2" in html
    text = vulnerable_app.test_client().get("/metrics").get_data(as_text=True)
    series = dict(re.findall(r'^(atalaya_vulnerable_devices\{[^}]*\}) (\S+)$', text, re.M))
    total = sum(float(v) for v in series.values())
    assert total == api["totals"]["vulnerable_devices"] > 0
    assert all(set(re.findall(r'(\w+)=', k)) == {"severity", "region"} for k in series)


def test_openapi_lists_the_vulnerability_filters(app: Flask) -> None:
    client = _client(app)
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    names = {p["name"] for p in paths["/vulnerabilities"]["get"]["parameters"]}
    assert names == {"region", "site", "severity"}


def test_controls_count_the_vulnerability_findings_under_a_12_6_1_and_8_8(
    app: Flask, vulnerable_app: Flask
) -> None:
    def control(application: Flask, cid: str) -> dict[str, Any]:
        rows = _client(application).get("/api/v1/controls").get_json()["items"]
        return next(r for r in rows if r["iso27001_2013"] == cid)

    client = _client(vulnerable_app)
    listed = client.get("/api/v1/findings?control=8.8&status=fail&per_page=500").get_json()
    failing = [f for f in listed["items"] if f["rule_id"].startswith("VULN:")]
    per_advisory = client.get("/api/v1/vulnerabilities").get_json()["items"]
    assert len(failing) == sum(a["devices"] for a in per_advisory) > 0
    before, after = control(app, "A.12.6.1"), control(vulnerable_app, "A.12.6.1")
    assert after["fail"] - before["fail"] == len(failing)
