"""The role matrix over every route of the app, pages and API alike, generated from url_map."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from cmdb.models import Device
from tests.web.conftest import ROLES, csrf_of
from web.roles import ENDPOINTS, PUBLIC, allowed

# Side effects on the client itself (logout ends the session): checked on their own below.
LAST = ("auth.logout",)


def _url(app: Flask, rule: object, device_id: int) -> str:
    values = {
        "code": "NOR-EP-01",
        "device_id": device_id,
        "control_id": "A.9.4.2",
        "edition": "2013",
        "fmt": "xlsx",
        "waiver_id": 999999,
        "record_id": 999999,
        "filename": "atalaya.css",
        "advisory_id": "CVE-2023-20198",
        "username": "nobody",
        "kind": "device",
        "ci_id": device_id,
    }
    with app.test_request_context():
        from flask import url_for

        endpoint = rule.endpoint  # type: ignore[attr-defined]
        args = {k: values[k] for k in rule.arguments}  # type: ignore[attr-defined]
        return url_for(endpoint, **args)


def routes(app: Flask) -> list[tuple[str, str, str]]:
    engine = app.extensions["atalaya_engine"]
    with Session(engine) as s:
        device_id = s.scalar(select(Device.id).where(Device.hostname == "nor-ep-01-sw01"))
    assert device_id is not None
    found = []
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, _url(app, rule, device_id)))
    return sorted(found, key=lambda r: r[0] in LAST)


def test_every_route_has_a_rule_in_the_matrix(app: Flask) -> None:
    missing = {endpoint for endpoint, _, _ in routes(app)} - set(ENDPOINTS)
    assert not missing, f"routes without a role rule in web/roles.py: {sorted(missing)}"
    stale = set(ENDPOINTS) - {endpoint for endpoint, _, _ in routes(app)}
    assert not stale, f"rules for routes that do not exist: {sorted(stale)}"


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_exactly_what_it_should(
    app: Flask, clients: dict[str, FlaskClient], role: str
) -> None:
    client = clients[role]
    token = csrf_of(client.get("/sites").get_data(as_text=True))
    wrong = []
    for endpoint, method, url in routes(app):
        if method == "GET":
            response = client.get(url)
        else:
            response = client.open(url, method=method, data={"csrf_token": token})
        may = allowed(role, ENDPOINTS[endpoint])
        # the client is logged in: a refusal is a 403, nothing else (a 401 from POST /login is
        # "wrong password", a redirect to /login after POST /logout is the logout itself)
        denied = response.status_code == 403
        if may == denied or response.status_code >= 500:
            wrong.append((endpoint, method, url, response.status_code))
    assert not wrong, f"{role}: {wrong}"


def test_anonymous_reaches_only_public_routes(app: Flask) -> None:
    client = app.test_client()
    for endpoint, method, url in routes(app):
        response = client.open(url, method=method)
        if ENDPOINTS[endpoint] == PUBLIC:
            assert response.status_code not in (401, 403), url
        elif url.startswith("/api/"):
            assert response.status_code == 401, url
            assert response.is_json
        elif method == "GET":
            assert response.status_code == 302 and "/login" in response.headers["Location"], url
        else:
            assert response.status_code in (302, 400), url  # login redirect, or CSRF refused
