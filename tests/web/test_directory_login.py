"""Done-when of issue 17, directory login: a real OpenLDAP `slapd` (started here, StartTLS with a
certificate made here) authenticates users whose groups map to each role, refuses a wrong
password, an unknown user, a locked account and a user in no mapped group with the same words,
and a stopped or hung directory gives a clear error within the timeout while local accounts
keep working."""

from __future__ import annotations

import os
import re
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from atalaya.settings import SettingsError
from atalaya.settings_auth import AuthSettings
from cmdb.models import AuditEvent, User
from cmdb.users import set_active
from tests.web.conftest import PASSWORD, login
from tests.web.slapd import BASE, USER_PASSWORD, Slapd, start_slapd
from web.directory import check

pytestmark = [pytest.mark.slow]
ROLE_OF = {"ana": "admin", "nestor": "network_admin", "sofia": "security_officer",
           "victor": "viewer"}  # fmt: skip
TIMEOUT_S = 2.0
CSRF_VALUE = re.compile(r'name="csrf_token" value="[^"]+"')


@pytest.fixture
def slapd(tmp_path: Path) -> Iterator[Slapd]:
    folder = tmp_path / "slapd"
    folder.mkdir()
    server = start_slapd(folder)
    yield server
    if server.process.poll() is None:
        os.kill(server.process.pid, signal.SIGCONT)
    server.stop()


@pytest.fixture
def directory_app(fresh_app: Flask, slapd: Slapd) -> Flask:
    conf = fresh_app.extensions["atalaya_settings"].auth
    conf.directory_url = slapd.url  # ldap://, so StartTLS
    conf.ca_file = str(slapd.ca_file)
    conf.bind_template = f"uid={{username}},ou=people,{BASE}"
    conf.admin_groups = ["atalaya-admins"]
    conf.network_admin_groups = ["atalaya-red"]
    conf.security_officer_groups = ["cn=atalaya-seguridad,ou=groups,dc=inpe,dc=test"]  # a DN
    conf.viewer_groups = ["atalaya-lectores"]
    conf.timeout_s = TIMEOUT_S
    return fresh_app


def _user(app: Flask, name: str) -> User | None:
    with Session(app.extensions["atalaya_engine"]) as s:
        return s.scalar(select(User).where(User.username == name))


def _reasons(app: Flask, name: str) -> list[str]:
    with Session(app.extensions["atalaya_engine"]) as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.actor == name,
                                                    AuditEvent.action == "login.failed"))
        return [str(e.detail.get("reason")) for e in events]  # fmt: skip


@pytest.mark.parametrize("name", sorted(ROLE_OF))
def test_directory_users_get_the_role_of_their_group(directory_app: Flask, name: str) -> None:
    client = directory_app.test_client()
    assert login(client, name, USER_PASSWORD).status_code == 302
    user = _user(directory_app, name)
    assert user is not None and user.role == ROLE_OF[name] and user.source == "directory"
    assert client.get("/users").status_code == (200 if ROLE_OF[name] == "admin" else 403)


def test_wrong_password_unknown_user_locked_and_groupless_look_the_same(
    directory_app: Flask,
) -> None:
    pages = {}
    for name, password in (("ana", "not-the-password"), ("nadie", USER_PASSWORD),
                           ("bloqueado", USER_PASSWORD), ("sin-grupo", USER_PASSWORD)):  # fmt: skip
        response = login(directory_app.test_client(), name, password)
        assert response.status_code == 401, name
        page = CSRF_VALUE.sub("", response.get_data(as_text=True))  # random per session
        pages[name] = page.replace(name, "NAME")
    assert len(set(pages.values())) == 1, "a refusal tells one case from another"
    assert _user(directory_app, "bloqueado") is None
    # the audit log, for administrators, keeps the reason
    assert "directory: in no group mapped to a role" in _reasons(directory_app, "sin-grupo")
    assert any("invalidCredentials" in r for r in _reasons(directory_app, "bloqueado"))


def test_a_user_disabled_in_atalaya_is_refused_despite_the_directory(
    directory_app: Flask,
) -> None:
    client = directory_app.test_client()
    assert login(client, "victor", USER_PASSWORD).status_code == 302
    assert client.get("/sites").status_code == 200
    with Session(directory_app.extensions["atalaya_engine"]) as s, s.begin():
        set_active(s, "victor", False)
    assert client.get("/sites").status_code == 302  # the open session ended
    assert login(directory_app.test_client(), "victor", USER_PASSWORD).status_code == 401


@pytest.mark.parametrize("how", ["stopped", "hung"])
def test_a_dead_directory_is_a_clear_error_within_the_timeout_and_local_admin_works(
    directory_app: Flask, slapd: Slapd, how: str
) -> None:
    if how == "stopped":
        slapd.stop()
    else:
        os.kill(slapd.process.pid, signal.SIGSTOP)  # accepts connections, never answers
    started = time.monotonic()
    response = login(directory_app.test_client(), "ana", USER_PASSWORD)
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert "El directorio no responde" in response.get_data(as_text=True)
    assert elapsed < TIMEOUT_S * 2 + 1, elapsed  # StartTLS and bind each wait at most once
    assert login(directory_app.test_client(), "admin", PASSWORD).status_code == 302


def test_an_untrusted_directory_certificate_is_refused(directory_app: Flask) -> None:
    directory_app.extensions["atalaya_settings"].auth.ca_file = ""  # the system's CAs only
    response = login(directory_app.test_client(), "ana", USER_PASSWORD)
    assert response.status_code == 503
    assert _user(directory_app, "ana") is None


def test_a_directory_user_logs_in_after_a_search_by_the_service_account(
    directory_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    conf = directory_app.extensions["atalaya_settings"].auth
    conf.bind_template, conf.search_base = "", f"ou=people,{BASE}"
    conf.service_dn, conf.service_password = f"cn=admin,{BASE}", "ldap-service"
    monkeypatch.setenv("ATALAYA_SECRET_LDAP_SERVICE", "slapd-admin-Pw-7731")
    assert login(directory_app.test_client(), "nestor", USER_PASSWORD).status_code == 302
    assert login(directory_app.test_client(), "nadie", USER_PASSWORD).status_code == 401


def test_no_client_reaches_a_role_without_logging_in(directory_app: Flask) -> None:
    client: FlaskClient = directory_app.test_client()
    assert login(client, "ana", "").status_code == 401  # an empty password is no bind


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("directory_url", "http://dc1", "expected ldaps://HOST or ldap://HOST"),
        ("bind_template", "uid=x,ou=people", "must contain {username}"),
        ("admin_groups", [], None),
    ],
)
def test_a_directory_setting_that_cannot_work_stops_the_start(
    setting: str, value: object, message: str | None
) -> None:
    conf = AuthSettings(directory_url="ldaps://127.0.0.1", bind_template="uid={username},o=x",
                        admin_groups=["atalaya-admins"])  # fmt: skip
    setattr(conf, setting, value)
    with pytest.raises(SettingsError, match=re.escape(message or "no *_groups maps")):
        check(conf)
