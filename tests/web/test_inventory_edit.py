"""Done-when of issue 17, inventory edits on the web: administrators and network administrators
edit a site, a device or a link through the file import's validation and change history; two
concurrent saves of one device, made as two real HTTP requests against the served app, give one
success and one clear conflict, never a silent overwrite."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from waitress.server import create_server

from cmdb.models import AuditEvent, Change, Device, Link, Site
from tests.postgres import free_port
from tests.web.conftest import PASSWORD, csrf_of, login

HOST = "nor-ep-01-sw01"
FIELD = re.compile(r'<input name="([a-z_]+)" value="([^"]*)"')
SELECT = re.compile(r'<select name="([a-z_]+)"><option value="true" (selected)?')


def _ids(app: Flask) -> dict[str, int]:
    with Session(app.extensions["atalaya_engine"]) as s:
        device = s.scalar(select(Device).where(Device.hostname == HOST))
        assert device is not None
        link = s.scalar(select(Link.id).where(Link.site_id == device.site_id))
        return {"device": device.id, "site": device.site_id, "link": int(link or 0)}


def form_of(html: str) -> dict[str, str]:
    """The form as a browser would send it: every field as shown, the revision, the token."""
    values = {name: value for name, value in FIELD.findall(html)}
    values |= {name: "true" if chosen else "false" for name, chosen in SELECT.findall(html)}
    values["revision"] = re.search(r'name="revision" value="(\d+)"', html).group(1)  # type: ignore[union-attr]
    values["csrf_token"] = csrf_of(html)
    return values


def _edit(client: FlaskClient, kind: str, ci_id: int, **changes: str) -> Any:
    form = form_of(client.get(f"/inventory/{kind}/{ci_id}").get_data(as_text=True))
    return client.post(f"/inventory/{kind}/{ci_id}", data=form | changes)


@pytest.mark.parametrize("role", ["admin", "network_admin"])
def test_a_device_edit_is_validated_and_recorded_like_an_import(
    fresh_app: Flask, role: str
) -> None:
    client = fresh_app.test_client()
    login(client, role)
    device_id = _ids(fresh_app)["device"]
    bad = _edit(client, "device", device_id, address="10.999.0.1")
    assert bad.status_code == 400
    assert "field &#39;address&#39;: expected an IPv4 or IPv6 address" in bad.get_data(as_text=True)
    assert _edit(client, "device", device_id, owner="Oficina de TI Norte",
                 lifecycle_status="maintenance").status_code == 302  # fmt: skip
    with Session(fresh_app.extensions["atalaya_engine"]) as s:
        device = s.get(Device, device_id)
        assert device is not None and device.lifecycle_status == "maintenance"
        changes = s.scalars(select(Change).where(Change.ci_id == device_id,
                                                 Change.source == f"web:{role}")).all()  # fmt: skip
        assert {c.field for c in changes} == {"owner", "lifecycle_status"}
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "inventory.edit")).one()
        assert (event.actor, event.target, event.detail["changes"]) == (role, f"device {HOST}", 2)


def test_sites_and_links_are_edited_too_and_viewers_may_not(
    fresh_app: Flask, clients: dict[str, FlaskClient]
) -> None:
    client = fresh_app.test_client()
    login(client, "admin")
    ids = _ids(fresh_app)
    assert _edit(client, "site", ids["site"], city="Piura Centro").status_code == 302
    assert _edit(client, "link", ids["link"], provider="Otro Operador").status_code == 302
    with Session(fresh_app.extensions["atalaya_engine"]) as s:
        assert s.get(Site, ids["site"]).city == "Piura Centro"  # type: ignore[union-attr]
        assert s.get(Link, ids["link"]).provider == "Otro Operador"  # type: ignore[union-attr]
    viewer = fresh_app.test_client()
    login(viewer, "viewer")
    assert viewer.get(f"/inventory/device/{ids['device']}").status_code == 403


@pytest.fixture
def served(fresh_app: Flask) -> Iterator[str]:
    port = free_port()
    server = create_server(fresh_app, host="127.0.0.1", port=port, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.close()
    thread.join(timeout=5)


def _browser(url: str, username: str) -> requests.Session:
    browser = requests.Session()
    token = csrf_of(browser.get(f"{url}/login", timeout=10).text)
    data = {"username": username, "password": PASSWORD, "csrf_token": token}
    answer = browser.post(f"{url}/login", data=data, allow_redirects=False, timeout=10)
    assert answer.status_code == 302
    return browser


def test_two_concurrent_edits_of_one_device_give_one_success_and_one_conflict(
    fresh_app: Flask, served: str
) -> None:
    device_id = _ids(fresh_app)["device"]
    page = f"{served}/inventory/device/{device_id}"
    people = {"admin": "Equipo de redes", "network_admin": "Mesa de ayuda"}
    forms = {}
    for name, owner in people.items():
        browser = _browser(served, name)
        forms[name] = (browser, form_of(browser.get(page, timeout=10).text) | {"owner": owner})
    assert forms["admin"][1]["revision"] == forms["network_admin"][1]["revision"]
    start, answers = threading.Barrier(2), {}

    def save(name: str) -> None:
        browser, form = forms[name]
        start.wait()
        answers[name] = browser.post(page, data=form, allow_redirects=False, timeout=30)

    threads = [threading.Thread(target=save, args=(name,)) for name in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(a.status_code for a in answers.values())
    assert statuses == [302, 409], statuses
    loser = next(name for name, a in answers.items() if a.status_code == 409)
    winner = next(name for name in people if name != loser)
    assert f"Otra persona guardó cambios en equipo {HOST}" in answers[loser].text
    with Session(fresh_app.extensions["atalaya_engine"]) as s:
        device = s.get(Device, device_id)
        assert device is not None and device.owner == people[winner]
        assert device.edit_revision == int(forms[winner][1]["revision"]) + 1
        owners = s.scalars(select(Change.new).where(Change.ci_id == device_id,
                                                    Change.field == "owner")).all()  # fmt: skip
        assert people[loser] not in owners
