"""The Discovered page: who may open it, adopting one (a Device with its Change row) and ignoring
one with a reason (its finding goes at the next evaluation)."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from atalaya.jobs.evaluation import run_evaluation
from cmdb.discovery import store_discovery
from cmdb.models import Change, Device, DiscoveredDevice, Finding, utcnow
from collectors.base import DeviceFacts, Sighting
from tests.web.conftest import csrf_of, login

SITE = "NOR-EP-01"


def _discover(app: Flask) -> dict[str, int]:
    """Two addresses answered a sweep of NOR-EP-01: a MikroTik over SNMP, a silent one by ICMP."""
    at = dt.datetime.now(dt.UTC)
    mikrotik = DeviceFacts(
        "127.21.0.77", "snmp", at, sys_name="MikroTik", vendor="MikroTik", os_name="RouterOS",
        os_version="7.20.6", device_class="router", sys_object_id="1.3.6.1.4.1.14988.1",
    )  # fmt: skip
    sightings = [
        Sighting(SITE, "127.21.0.77", at, True, 0.3, mikrotik, "snmp-norte"),
        Sighting(SITE, "127.21.0.78", at, True, 0.4),
        Sighting(SITE, "127.21.0.79", at, False),  # silent: nothing recorded
    ]
    engine = app.extensions["atalaya_engine"]
    with Session(engine) as s, s.begin():
        store_discovery(s, sightings, at)
        run_evaluation(app.config["ATALAYA_SETTINGS"], s)
    with Session(engine) as s:
        return {r.address: r.id for r in s.scalars(select(DiscoveredDevice))}


def _finding_ids(app: Flask) -> set[int]:
    with Session(app.extensions["atalaya_engine"]) as s:
        return set(
            s.scalars(
                select(Finding.ci_id).where(
                    Finding.rule_id == "INV-DISC-01", Finding.status == "fail"
                )
            )
        )


def test_only_network_admins_and_admins_see_discovered_devices(fresh_app: Flask) -> None:
    found = _discover(fresh_app)
    assert set(found) == {"127.21.0.77", "127.21.0.78"}
    for role, status in (("network_admin", 200), ("admin", 200), ("viewer", 403),
                         ("security_officer", 403)):  # fmt: skip
        client = fresh_app.test_client()
        login(client, role)
        response = client.get("/discovered")
        assert response.status_code == status, role
        if status == 200:
            page = response.get_data(as_text=True)
            assert "127.21.0.77" in page and "RouterOS 7.20.6" in page
            assert "Descubiertos" in page  # Spanish by default, in the menu too


def test_adopting_makes_a_device_with_its_change_and_ignoring_drops_the_finding(
    fresh_app: Flask,
) -> None:
    found = _discover(fresh_app)
    assert _finding_ids(fresh_app) == set(found.values())
    client = fresh_app.test_client()
    login(client, "network_admin")
    token = csrf_of(client.get("/discovered").get_data(as_text=True))
    adopted = client.post(
        f"/discovered/{found['127.21.0.77']}/adopt",
        data={"csrf_token": token, "hostname": "nor-ep-01-rt01", "kind": "router",
              "platform": "other"},
    )  # fmt: skip
    assert adopted.status_code == 302 and "/devices/" in adopted.headers["Location"]
    refused = client.post(
        f"/discovered/{found['127.21.0.78']}/ignore", data={"csrf_token": token, "reason": " "}
    )
    assert refused.status_code == 302
    ignored = client.post(
        f"/discovered/{found['127.21.0.78']}/ignore",
        data={"csrf_token": token, "reason": "Laptop del contratista, retirada"},
    )
    assert ignored.status_code == 302
    engine = fresh_app.extensions["atalaya_engine"]
    with Session(engine) as s, s.begin():
        device = s.scalar(select(Device).where(Device.hostname == "nor-ep-01-rt01"))
        assert device is not None and device.os_version == "7.20.6"
        changes = s.scalars(
            select(Change).where(Change.ci_id == device.id, Change.ci_type == "device")
        )
        assert [(c.field, c.source) for c in changes] == [
            ("created", "discovery: adopted by network_admin from 127.21.0.77")
        ]
        record = s.get(DiscoveredDevice, found["127.21.0.78"])
        assert record is not None and record.status == "ignored"
        assert record.reason == "Laptop del contratista, retirada"
        run_evaluation(fresh_app.config["ATALAYA_SETTINGS"], s, as_of=utcnow().date())
    assert _finding_ids(fresh_app) == set()


def test_actions_need_the_csrf_token(fresh_app: Flask) -> None:
    found = _discover(fresh_app)
    client = fresh_app.test_client()
    login(client, "network_admin")
    response = client.post(f"/discovered/{found['127.21.0.78']}/ignore", data={"reason": "x"})
    assert response.status_code == 400


def test_metrics_count_discovered_devices_per_site_and_status(fresh_app: Flask) -> None:
    found = _discover(fresh_app)
    client = fresh_app.test_client()
    login(client, "network_admin")
    token = csrf_of(client.get("/discovered").get_data(as_text=True))
    client.post(
        f"/discovered/{found['127.21.0.78']}/ignore", data={"csrf_token": token, "reason": "ok"}
    )
    text = fresh_app.test_client().get("/metrics").get_data(as_text=True)
    for decision in ("new", "ignored"):
        labels = f'decision="{decision}",region="NOR",site="NOR-EP-01"'
        assert f"atalaya_discovered_devices{{{labels}}} 1.0" in text
