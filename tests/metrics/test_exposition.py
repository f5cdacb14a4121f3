"""The /metrics text: parseable, bounded, secret-free, cached, and guarded as configured."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import flask
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from atalaya.jobs.metrics import store_metrics
from atalaya.settings import Settings, SettingsError
from cmdb.models import FINDING_STATUSES, MetricsExposition, Region, Site
from compliance.policy import SEVERITIES, load_policies
from tests.metrics.conftest import DOWN_SITE, LOSSY_SITE, reachability_cycle
from web.metrics import SnapshotCollector, register_metrics

ALLOWED_LABELS = {
    "site", "region", "kind", "control", "standard", "severity", "status", "state", "window",
    "target", "component", "horizon", "loop", "poller_group", "result", "version",
    "direction",  # in | out (link utilisation)
    "decision",  # new | adopted | ignored (discovered devices)
}  # fmt: skip


def app_for(settings: Settings, engine: Engine) -> flask.Flask:
    app = flask.Flask("metrics-test")
    app.config["ATALAYA_SETTINGS"] = settings
    app.config["ATALAYA_ENGINE"] = engine
    register_metrics(app)
    return app


def scrape(app: flask.Flask, **headers: str) -> str:
    response = app.test_client().get("/metrics", headers=headers)
    assert response.status_code == 200, response.data
    assert response.content_type.startswith("text/plain; version=0.0.4")
    return response.get_data(as_text=True)


def samples(text: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    result: dict[str, list[tuple[dict[str, str], float]]] = defaultdict(list)
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            result[sample.name].append((sample.labels, sample.value))
    return result


def value(text: str, name: str, **labels: str) -> float:
    hits = [v for lab, v in samples(text)[name] if all(lab.get(k) == x for k, x in labels.items())]
    assert len(hits) == 1, (name, labels, hits)
    return hits[0]


def test_exposition_parses_and_reflects_the_cmdb(settings: Settings, filled_engine: Engine) -> None:
    text = scrape(app_for(settings, filled_engine))
    parsed = samples(text)
    with Session(filled_engine) as s:
        site_count = s.scalar(select(func.count(Site.id)))
    assert sum(v for _, v in parsed["atalaya_sites"]) == site_count == 79
    assert len(parsed["atalaya_site_up"]) == 79  # linked sites by their link, HQ by its devices
    assert value(text, "atalaya_site_up", site=DOWN_SITE) == 0.0
    assert value(text, "atalaya_site_up", site=LOSSY_SITE) == 1.0
    assert value(text, "atalaya_link_loss_ratio", site=LOSSY_SITE) == pytest.approx(0.3)
    assert value(text, "atalaya_link_rtt_seconds", site=LOSSY_SITE) == pytest.approx(0.0125)
    # up for the first hour of the observed hour and a minute, down for the last minute
    down_avail = value(text, "atalaya_link_availability_ratio", site=DOWN_SITE, window="24h")
    assert 0.95 < down_avail < 1.0
    assert value(text, "atalaya_link_availability_ratio", site=LOSSY_SITE, window="30d") == 1.0
    assert value(text, "atalaya_outages_total", site=DOWN_SITE, target="link") == 1.0
    assert value(text, "atalaya_site_devices", site=DOWN_SITE, state="down") > 0
    assert value(text, "atalaya_site_devices", site=DOWN_SITE, state="up") == 0
    reach = {"loop": "reachability"}
    assert value(text, "atalaya_collector_runs_total", **reach) == 2.0
    assert value(text, "atalaya_collector_last_run_duration_seconds", **reach) == 2.0
    assert value(text, "atalaya_collector_last_run_errors", **reach) > 0  # the down site
    org = value(text, "atalaya_compliance_organisation_score_ratio")
    assert 0.0 <= org <= 1.0
    assert sum(v for _, v in parsed["atalaya_findings"]) > 0
    assert value(text, "atalaya_info", version=value_label(text, "atalaya_info", "version")) == 1.0


def value_label(text: str, name: str, label: str) -> str:
    return samples(text)[name][0][0][label]


def test_label_values_are_bounded_by_inventory_and_catalogue(
    settings: Settings, filled_engine: Engine
) -> None:
    text = scrape(app_for(settings, filled_engine))
    values: dict[str, set[str]] = defaultdict(set)
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            assert set(sample.labels) <= ALLOWED_LABELS, (sample.name, sample.labels)
            for label, v in sample.labels.items():
                values[label].add(v)
    policies = load_policies(settings.policies_path)
    with Session(filled_engine) as s:
        sites = set(s.scalars(select(Site.code)))
        regions = set(s.scalars(select(Region.code)))
    assert values["site"] == sites
    assert values["region"] <= regions
    assert values["control"] <= set(policies.controls_2013) | set(policies.controls_2022)
    assert values["severity"] <= set(SEVERITIES)
    assert values["status"] <= set(FINDING_STATUSES)
    assert values["standard"] == {"2013", "2022"}
    assert values["decision"] <= {"new", "adopted", "ignored"}
    assert values["direction"] <= {"in", "out"}
    # no hostname, address or interface can hide in any label
    assert all(
        "." not in v or v.startswith(("A.", "0.")) or v[0].isdigit() for v in values["control"]
    )
    series = sum(1 for f in text_string_to_metric_families(text) for _ in f.samples)
    assert series < 40 * len(sites) + 10 * len(values["control"]) + 200


def test_secrets_never_appear(
    settings: Settings, filled_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = "tok-5f0c2e9a7d1b4c3e"
    community = "comm-93b1d7e2a4f6c8"
    monkeypatch.setenv("ATALAYA_SECRET_METRICS_TOKEN", token)
    monkeypatch.setenv("ATALAYA_SECRET_SNMP_NORTE", community)
    settings.web.metrics, settings.web.metrics_token = "token", "metrics-token"
    text = scrape(app_for(settings, filled_engine), Authorization=f"Bearer {token}")
    assert "atalaya_site_up" in text
    assert token not in text and community not in text


def test_token_mode_refuses_missing_and_wrong_tokens(
    settings: Settings, filled_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ATALAYA_SECRET_METRICS_TOKEN", "right-token")
    settings.web.metrics, settings.web.metrics_token = "token", "metrics-token"
    client = app_for(settings, filled_engine).test_client()
    refused = [
        client.get("/metrics"),
        client.get("/metrics", headers={"Authorization": "Bearer wrong-token"}),
        client.get("/metrics", headers={"Authorization": "Bearer right-tokenX"}),
        client.get("/metrics", headers={"Authorization": "Basic right-token"}),
    ]
    assert [r.status_code for r in refused] == [401] * 4
    assert all(b"atalaya_" not in r.data for r in refused)
    ok = client.get("/metrics", headers={"Authorization": "Bearer right-token"})
    assert ok.status_code == 200 and b"atalaya_site_up" in ok.data


def test_token_mode_without_the_secret_stops_the_start(
    settings: Settings, filled_engine: Engine
) -> None:
    settings.web.metrics, settings.web.metrics_token = "token", "absent-token"
    with pytest.raises(Exception, match="absent-token"):
        app_for(settings, filled_engine)
    settings.web.metrics_token = ""
    with pytest.raises(SettingsError):
        app_for(settings, filled_engine)


def test_off_mode_answers_404(settings: Settings, filled_engine: Engine) -> None:
    settings.web.metrics = "off"
    assert app_for(settings, filled_engine).test_client().get("/metrics").status_code == 404


def test_scrapes_reuse_the_snapshot_until_a_cycle_completes(
    settings: Settings, filled_engine: Engine
) -> None:
    app = app_for(settings, filled_engine)
    collector: SnapshotCollector = app.extensions["atalaya_metrics"]
    first = scrape(app)
    assert scrape(app) == first
    assert collector.builds == 0  # the evaluation that filled the CMDB rendered the text
    at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    reachability_cycle(filled_engine, at, {LOSSY_SITE})  # stored without a job: no text
    after = scrape(app)
    assert collector.builds == 1
    # what a job renders at the end of a run is what a scrape would have built
    with Session(filled_engine) as session, session.begin():
        session.execute(delete(MetricsExposition))
        store_metrics(session, settings)
    collector._text = None
    assert scrape(app) == after
    assert collector.builds == 1
    assert value(after, "atalaya_site_up", site=LOSSY_SITE) == 0.0
    assert value(after, "atalaya_site_up", site=DOWN_SITE) == 1.0
