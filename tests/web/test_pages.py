"""Every page and API endpoint on the CMDB built in conftest: what each shows could be false."""

from __future__ import annotations

import csv
import io

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from cmdb.models import Device
from tests.web.conftest import DOWN_SITE


def _device_id(app: Flask, hostname: str) -> int:
    with Session(app.extensions["atalaya_engine"]) as s:
        found = s.scalar(select(Device.id).where(Device.hostname == hostname))
    assert found is not None
    return found


def test_healthz_needs_no_login(app: Flask) -> None:
    response = app.test_client().get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_overview_counts_the_down_site(clients: dict[str, FlaskClient]) -> None:
    page = clients["viewer"].get("/").get_data(as_text=True)
    assert DOWN_SITE in page  # listed under "sites down now"
    assert "Sedes caídas ahora" in page  # Spanish by default


def test_sites_board_colours_the_failed_site_red(clients: dict[str, FlaskClient]) -> None:
    page = clients["viewer"].get("/sites").get_data(as_text=True)
    assert f'class="site state-down" id="site-{DOWN_SITE}"' in page
    assert 'class="site state-up" id="site-NOR-EP-01"' in page
    # sites never probed (none of the example inventory's 79 lacks a link except HQ) are unknown
    assert 'class="site state-unknown" id="site-LIM-HQ"' in page


def test_sites_board_filters_by_region_and_kind(clients: dict[str, FlaskClient]) -> None:
    page = clients["viewer"].get("/sites?region=NOR&kind=regional_office").get_data(as_text=True)
    assert 'id="site-NOR-OR"' in page
    assert 'id="site-NOR-EP-01"' not in page and 'id="site-SUR-OR"' not in page


def test_site_page_shows_the_open_outage_and_devices(clients: dict[str, FlaskClient]) -> None:
    page = clients["viewer"].get(f"/sites/{DOWN_SITE}").get_data(as_text=True)
    assert "en curso" in page  # the outage is ongoing
    assert "nor-ep-02-sw01" in page
    assert clients["viewer"].get("/sites/NO-SUCH").status_code == 404


def test_device_page_shows_failing_rule_with_evidence(
    app: Flask, clients: dict[str, FlaskClient]
) -> None:
    device_id = _device_id(app, "nor-ep-01-sw01")
    page = clients["viewer"].get(f"/devices/{device_id}").get_data(as_text=True)
    assert 'id="finding-NET-SVC-01"' in page  # "ip http server" in the weak config
    assert "ip http server" in page  # the evidence line itself
    assert "status-fail" in page
    assert "Gi1/0/1" in page  # interfaces
    assert "Crear excepción" not in page  # a viewer may not waive


def test_server_software_is_marked_against_the_standard(
    app: Flask, clients: dict[str, FlaskClient]
) -> None:
    page = (
        clients["viewer"]
        .get(f"/devices/{_device_id(app, 'nor-ep-01-srv01')}")
        .get_data(as_text=True)
    )
    assert "Microsoft Office 2010" in page
    assert "sw-outdated" in page or "sw-non_standard" in page


def test_config_history_diffs_for_network_admin(
    app: Flask, clients: dict[str, FlaskClient]
) -> None:
    device_id = _device_id(app, "nor-ep-01-sw01")
    page = clients["network_admin"].get(f"/devices/{device_id}/configs")
    assert page.status_code == 200
    assert "snmp-server community" in page.get_data(as_text=True)
    assert clients["viewer"].get(f"/devices/{device_id}/configs").status_code == 403


def test_controls_soa_lists_2013_and_2022_ids(clients: dict[str, FlaskClient]) -> None:
    page = clients["viewer"].get("/controls").get_data(as_text=True)
    assert "A.9.4.2" in page and "8.5" in page
    assert "Declaración de aplicabilidad" in page
    drill = clients["viewer"].get("/controls/A.13.1.1").get_data(as_text=True)
    assert "NOR" in drill


def test_findings_filters_and_csv(clients: dict[str, FlaskClient]) -> None:
    client = clients["security_officer"]
    page = client.get("/findings?status=fail&site=NOR-EP-01").get_data(as_text=True)
    assert "nor-ep-01-sw01" in page and "lim-hq-sw01" not in page
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get("/findings.csv?status=fail&severity=high")
                .get_data(as_text=True)
                .lstrip("\ufeff")
            )
        )
    )
    assert rows and {r["status"] for r in rows} == {"fail"}
    assert {r["severity"] for r in rows} == {"high"}
    none = client.get("/findings?changed_since=2999-01-01").get_data(as_text=True)
    assert "Ningún hallazgo coincide." in none


def test_lifecycle_renders_an_svg_chart_and_budget(clients: dict[str, FlaskClient]) -> None:
    page = clients["viewer"].get("/lifecycle").get_data(as_text=True)
    assert "<svg" in page and "<rect" in page
    assert "S/ " in page


def test_changes_filter_by_field(clients: dict[str, FlaskClient]) -> None:
    page = clients["viewer"].get("/changes?field=running-config").get_data(as_text=True)
    assert "Ningún cambio coincide." in page  # one snapshot each: no config change yet
    page = clients["viewer"].get("/changes?ci_type=device").get_data(as_text=True)
    assert "nor-ep-01-sw01" in page


def test_api_lists_are_paginated_and_filtered(clients: dict[str, FlaskClient]) -> None:
    client = clients["viewer"]
    sites = client.get("/api/v1/sites?per_page=10&page=2").json
    assert sites["total"] == 79 and len(sites["items"]) == 10 and sites["page"] == 2
    down = client.get("/api/v1/sites?state=down").json
    assert [s["code"] for s in down["items"]] == [DOWN_SITE]
    assert down["items"][0]["down_since"] is not None
    devices = client.get("/api/v1/devices?region=NOR").json
    assert {d["region"] for d in devices["items"]} == {"NOR"} and devices["total"] == 3
    findings = client.get("/api/v1/findings?status=fail&per_page=5").json
    assert len(findings["items"]) == 5 and findings["total"] > 5
    assert all(f["evidence"] for f in findings["items"])
    controls = client.get("/api/v1/controls").json
    assert any(c["iso27001_2013"] == "A.9.4.2" for c in controls["items"])
    lifecycle = client.get("/api/v1/lifecycle").json
    assert "forecast" in lifecycle and "licences" in lifecycle
    changes = client.get("/api/v1/changes?ci_type=site").json
    assert {c["ci_type"] for c in changes["items"]} <= {"site"}


def test_openapi_describes_every_api_route(app: Flask, clients: dict[str, FlaskClient]) -> None:
    doc = clients["viewer"].get("/api/v1/openapi.json").json
    assert doc["openapi"].startswith("3.")
    described = {
        "/api/v1" + p.replace("{id}", "<int:device_id>").replace("{code}", "<code>")
        for p in doc["paths"]
    }
    routed = {r.rule for r in app.url_map.iter_rules() if r.rule.startswith("/api/v1")}
    assert routed == described


def test_paginated_pages_link_to_the_next_page(clients: dict[str, FlaskClient]) -> None:
    """The pager keeps the path's own arguments (a control id) and the filters."""
    page = clients["viewer"].get("/controls/A.8.1.1?per_page=1").get_data(as_text=True)
    assert "/controls/A.8.1.1?per_page=1&amp;page=2" in page
    listing = clients["viewer"].get("/findings?status=fail&per_page=2").get_data(as_text=True)
    assert "status=fail" in listing and "page=2" in listing
