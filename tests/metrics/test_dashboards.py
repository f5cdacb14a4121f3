"""The Grafana dashboards use only metrics the real /metrics exposes, in PromQL that a real
Prometheus (scraping that /metrics) accepts."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine

from atalaya.settings import Settings
from tests.metrics.peers import build_app, http_get, running_prometheus, serve

DASHBOARDS = sorted((Path(__file__).resolve().parents[2] / "dashboards").glob("*.json"))
# What Grafana substitutes before the query reaches Prometheus.
VARIABLES = {
    "${datasource}": "",
    "$region": ".*",
    "$site": ".*",
    "$window": "30d",
    "$standard": "2022",
    "$__range": "1h",
}
KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "offset", "bool"}
KEYWORDS |= {"and", "or", "unless", "inf", "nan"}


def expressions(dashboard: dict[str, Any]) -> list[str]:
    exprs = [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]
    for variable in dashboard["templating"]["list"]:
        if variable["type"] == "query":
            match = re.fullmatch(r"label_values\((.+), *\w+\)", variable["definition"])
            assert match, variable["definition"]
            exprs.append(match.group(1))
    return exprs


def substitute(expr: str) -> str:
    for name, value in VARIABLES.items():
        expr = expr.replace(name, value)
    assert "$" not in expr, expr
    return expr


def metric_names(expr: str) -> set[str]:
    """Identifiers that are neither functions, keywords, label names nor durations."""
    text = re.sub(r'"[^"]*"', '""', expr)
    text = re.sub(r"\{[^}]*\}", "", text)
    text = re.sub(r"\[[^\]]*\]", "", text)
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", text)
    names = set()
    for match in re.finditer(r"[A-Za-z_:][A-Za-z0-9_:]*", text):
        rest = text[match.end() :].lstrip()
        if rest.startswith("(") or match.group(0).lower() in KEYWORDS:
            continue
        names.add(match.group(0))
    return names


@pytest.fixture
def exposition_and_prometheus(
    settings: Settings, filled_engine: Engine, tmp_path: Path
) -> Iterator[tuple[set[str], Any]]:
    app, _ = build_app(settings, filled_engine)
    with serve(app) as base:
        status, body = http_get(f"{base}/metrics")
        assert status == 200
        names = {
            sample.name
            for family in text_string_to_metric_families(body.decode())
            for sample in family.samples
        }
        with running_prometheus(tmp_path, base.removeprefix("http://")) as prom:
            prom.wait_for('count(up{job="atalaya"} == 1)', lambda v: v == 1, 30)
            time.sleep(1.5)  # a second scrape, so increase() over the range has two points
            yield names, prom


def test_there_are_three_importable_dashboards() -> None:
    assert [p.name for p in DASHBOARDS] == [
        "compliance.json",
        "lifecycle-software.json",
        "network-availability.json",
    ]
    uids = set()
    for path in DASHBOARDS:
        dashboard = json.loads(path.read_text())
        uids.add(dashboard["uid"])
        assert dashboard["panels"] and dashboard["title"].startswith("Atalaya")
        assert dashboard["templating"]["list"][0]["type"] == "datasource"
        ids = [p["id"] for p in dashboard["panels"]]
        assert len(ids) == len(set(ids))
    assert len(uids) == 3


def test_metric_name_extraction_sees_every_metric() -> None:
    expr = 'sum by (region) (increase(atalaya_outages_total{site=~"a|b"}[1h])) / on (job) x_y'
    assert metric_names(expr) == {"atalaya_outages_total", "x_y"}


def test_dashboards_use_only_exposed_metrics_in_valid_promql(
    exposition_and_prometheus: tuple[set[str], Any],
) -> None:
    exposed, prom = exposition_and_prometheus
    empty = []
    for path in DASHBOARDS:
        for expr in expressions(json.loads(path.read_text())):
            used = metric_names(expr) - {"time", "vector"}
            assert used, expr
            assert used <= exposed, (path.name, expr, used - exposed)
            if not prom.query(substitute(expr)):  # raises unless Prometheus accepts it
                empty.append(expr)
    print(f"{len(empty)} expressions returned no series: {empty}")
    # Filters like "> 0" may rightly return nothing; a wrong label or value would empty many.
    assert len(empty) <= 3, empty
