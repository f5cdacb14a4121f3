"""CSRF, login rate limits, session rotation, headers, cookies, bearer tokens, safe redirects."""

from __future__ import annotations

from flask import Flask
from sqlalchemy.orm import Session

from cmdb.users import get_user, set_password
from tests.web.conftest import PASSWORD, csrf_of, login
from web.app import secret_key
from web.security import api_token


def test_post_without_or_with_a_wrong_csrf_token_is_refused(fresh_app: Flask) -> None:
    client = fresh_app.test_client()
    assert login(client, "admin").status_code == 302
    form = {"username": "nuevo", "password": "otra clave larga", "role": "viewer"}
    assert client.post("/users", data=form).status_code == 400
    assert client.post("/users", data={**form, "csrf_token": "forged"}).status_code == 400
    token = csrf_of(client.get("/users").get_data(as_text=True))
    assert client.post("/users", data={**form, "csrf_token": token}).status_code == 302
    assert "nuevo" in client.get("/users").get_data(as_text=True)


def test_login_form_itself_needs_the_csrf_token(fresh_app: Flask) -> None:
    client = fresh_app.test_client()
    client.get("/login")
    response = client.post("/login", data={"username": "admin", "password": PASSWORD})
    assert response.status_code == 400


def test_failed_logins_are_rate_limited_per_user(fresh_app: Flask) -> None:
    client = fresh_app.test_client()
    statuses = [login(client, "viewer", "wrong password!").status_code for _ in range(6)]
    assert statuses[:5] == [401] * 5
    assert statuses[5] == 429
    # even the right password waits now: the limit is on attempts, not on guesses
    blocked = login(client, "viewer")
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    # another user from the same address is not locked out by someone else's failures
    assert login(fresh_app.test_client(), "admin").status_code == 302


def test_failed_logins_are_rate_limited_per_address(fresh_app: Flask) -> None:
    client = fresh_app.test_client()
    for i in range(20):
        assert login(client, f"nobody{i}", "wrong password!").status_code == 401
    assert login(client, "admin").status_code == 429


def test_session_id_changes_at_login_and_dies_at_logout(fresh_app: Flask) -> None:
    client = fresh_app.test_client()
    client.get("/login")
    before = client.get_cookie("atalaya_session")
    assert before is not None
    assert login(client, "viewer").status_code == 302
    after = client.get_cookie("atalaya_session")
    assert after is not None and after.value != before.value
    # the pre-login cookie (what an attacker could have planted) is not logged in
    planted = fresh_app.test_client()
    planted.set_cookie("atalaya_session", before.value)
    assert planted.get("/sites").status_code == 302
    stolen = fresh_app.test_client()
    stolen.set_cookie("atalaya_session", after.value)
    assert stolen.get("/sites").status_code == 200
    token = csrf_of(client.get("/sites").get_data(as_text=True))
    client.post("/logout", data={"csrf_token": token})
    # a copy of the logged-in cookie is worthless after logout: the session is server-side
    assert stolen.get("/sites").status_code == 302


def test_cookie_flags_and_security_headers(fresh_app: Flask) -> None:
    client = fresh_app.test_client()
    response = login(client, "viewer")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # no TLS configured in tests
    page = client.get("/sites")
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Referrer-Policy"] == "same-origin"
    assert "<script>" not in page.get_data(as_text=True)
    assert " style=" not in page.get_data(as_text=True)


def test_login_redirects_only_to_local_paths(fresh_app: Flask) -> None:
    client = fresh_app.test_client()
    token = csrf_of(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login",
        data={
            "username": "viewer",
            "password": PASSWORD,
            "csrf_token": token,
            "next": "//evil.example/x",
        },
    )
    assert response.headers["Location"] == "/"


def test_bearer_token_reads_the_api_until_the_password_changes(fresh_app: Flask) -> None:
    engine = fresh_app.extensions["atalaya_engine"]
    settings = fresh_app.extensions["atalaya_settings"]
    with Session(engine) as s:
        user = get_user(s, "viewer")
        assert user is not None
        token = api_token(secret_key(settings), user)
    client = fresh_app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/sites", headers=headers).status_code == 200
    assert client.get("/api/v1/devices/1/configs", headers=headers).status_code == 403
    assert client.get("/api/v1/sites", headers={"Authorization": "Bearer x"}).status_code == 401
    with Session(engine) as s, s.begin():
        set_password(s, "viewer", "una clave completamente nueva")
    assert client.get("/api/v1/sites", headers=headers).status_code == 401


def test_no_secret_reaches_a_page(app: Flask) -> None:
    """The config page shows redacted text; the user list shows no password hash."""
    from tests.web.conftest import login as do_login

    client = app.test_client()
    do_login(client, "admin")
    users = client.get("/users").get_data(as_text=True)
    assert "scrypt$" not in users
    api = client.get("/api/v1/devices?per_page=500").get_data(as_text=True)
    assert "credential" not in api
