"""Done-when of issue 17, audit: each user action (logins and failures, waivers, inventory edits,
user administration, token creation) is recorded with who, when and from which address, read
back by the admin page and `atalaya audit --since`, and no password or token is in it."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import MetaData, select
from sqlalchemy.orm import Session

from atalaya.commands import main
from cmdb.audit import AuditError, record
from cmdb.models import Device
from tests.web.conftest import csrf_of, login
from tests.web.test_inventory_edit import form_of

WRONG = "Clave-Equivocada-Pw-4417"
NEW_PASSWORD = "nueva-clave-del-operador-88"


def _cli(app: Flask, *args: str) -> str:
    settings = app.extensions["atalaya_settings"]
    env = {"ATALAYA_DATA_DIR": str(settings.data_dir),
           "ATALAYA_DATABASE_URL": settings.database_url}  # fmt: skip
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def _act(app: Flask) -> str:
    """Every kind of audited action, through the real routes and commands; returns the token."""
    engine = app.extensions["atalaya_engine"]
    with Session(engine) as s:
        device_id = s.scalar(select(Device.id).where(Device.hostname == "nor-ep-01-sw01"))
    assert login(app.test_client(), "admin", WRONG).status_code == 401
    admin = app.test_client()
    login(admin, "admin")
    token = csrf_of(admin.get("/users").get_data(as_text=True))
    new = {"username": "operador", "password": NEW_PASSWORD, "role": "viewer", "locale": "es"}
    assert admin.post("/users", data=new | {"csrf_token": token}).status_code == 302
    assert admin.post("/users/operador/active",
                      data={"active": "0", "csrf_token": token}).status_code == 302  # fmt: skip
    form = form_of(admin.get(f"/inventory/device/{device_id}").get_data(as_text=True))
    assert admin.post(f"/inventory/device/{device_id}",
                      data=form | {"owner": "Redes Norte"}).status_code == 302  # fmt: skip
    officer = app.test_client()
    login(officer, "security_officer")
    waiver = {"csrf_token": token, "rule_id": "NET-SVC-01", "ci_type": "device", "ci_id": device_id,
              "reason": "Reemplazo programado", "approver": "Jefe de TI",
              "expires": (dt.date.today() + dt.timedelta(days=30)).isoformat()}  # fmt: skip
    waiver["csrf_token"] = csrf_of(officer.get("/waivers").get_data(as_text=True))
    assert officer.post("/waivers", data=waiver).status_code == 302
    waiver_id = officer.get("/api/v1/waivers").json["items"][0]["id"]
    assert officer.post(f"/waivers/{waiver_id}/expire",
                        data={"csrf_token": waiver["csrf_token"]}).status_code == 302  # fmt: skip
    assert officer.post("/logout", data={"csrf_token": waiver["csrf_token"]}).status_code == 302
    return _cli(app, "user", "token", "viewer").strip()


def test_every_action_is_in_the_audit_log_with_who_and_where_and_no_secret(
    fresh_app: Flask,
) -> None:
    api_token = _act(fresh_app)
    rows = json.loads(_cli(fresh_app, "audit", "--since", dt.date.today().isoformat(),
                           "--format", "json"))  # fmt: skip
    seen = {(r["action"], r["actor"], r["target"], r["outcome"]) for r in rows}
    assert ("login.failed", "admin", "", "refused") in seen
    assert ("login", "admin", "", "ok") in seen
    assert ("user.create", "admin", "operador", "ok") in seen
    assert ("user.disable", "admin", "operador", "ok") in seen
    assert ("inventory.edit", "admin", "device nor-ep-01-sw01", "ok") in seen
    assert {"waiver.create", "waiver.expire", "logout"} <= {r["action"] for r in rows}
    assert any(r["action"] == "token.create" and r["target"] == "viewer"
               and r["actor"].startswith("cli:") for r in rows)  # fmt: skip
    web_rows = [r for r in rows if not r["actor"].startswith("cli:")]
    assert all(r["address"] == "127.0.0.1" for r in web_rows)
    # no password or token in any column of the table
    engine = fresh_app.extensions["atalaya_engine"]
    metadata = MetaData()
    metadata.reflect(engine, only=["audit_event"])
    with engine.connect() as connection:
        stored = repr(connection.execute(select(metadata.tables["audit_event"])).all())
    for secret in (WRONG, NEW_PASSWORD, api_token, "una clave de prueba larga"):
        assert secret not in stored
    assert "operador" in stored  # the search reads what was written


def test_the_admin_page_lists_the_events_and_only_admins_open_it(
    fresh_app: Flask,
) -> None:
    assert login(fresh_app.test_client(), "viewer", WRONG).status_code == 401
    admin = fresh_app.test_client()
    login(admin, "admin")
    page = admin.get("/audit?action=login.failed").get_data(as_text=True)
    assert "login.failed" in page and "viewer" in page and "wrong user name or password" in page
    assert "<td>login</td>" not in page  # the filter applied
    assert admin.get("/audit?since=ayer").status_code == 400
    viewer = fresh_app.test_client()
    login(viewer, "viewer")
    assert viewer.get("/audit").status_code == 403


def test_a_detail_named_like_a_secret_is_refused(fresh_app: Flask) -> None:
    with Session(fresh_app.extensions["atalaya_engine"]) as s, pytest.raises(AuditError):
        record(s, "user.password", "admin", new_password="x")
