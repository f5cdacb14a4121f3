"""Done-when of issue 17, sessions: a logged-in Chromium session survives a restart of a real
`atalaya serve` process; sessions end after the idle timeout and when their user is disabled;
the login limit is kept in the database, so two web apps on one CMDB count failures together."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from atalaya.settings import load_settings
from cmdb import db
from cmdb.models import utcnow
from cmdb.users import create_user, set_active
from tests.conftest import REPO
from tests.postgres import free_port
from tests.web.conftest import PASSWORD, login
from web.app import create_app


class Serve:
    """`atalaya serve --role web` as its own process, restartable on the same port and data."""

    def __init__(self, tmp_path: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("ATALAYA_")}
        self.env.update(ATALAYA_DATA_DIR=str(tmp_path / "var"), ATALAYA_WEB_PORT=str(self.port),
                        PYTHONPATH=str(REPO))  # fmt: skip
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "atalaya", "serve", "--role", "web"],
            cwd=REPO, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.process.stderr.read().decode()[-2000:]  # type: ignore[union-attr]
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2):
                    return
            except OSError:
                time.sleep(0.2)
        raise AssertionError("atalaya serve did not answer within 60 s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # SIGTERM by PID, as systemd would
            self.process.wait(30)


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Serve]:
    settings = load_settings(environ={"ATALAYA_DATA_DIR": str(tmp_path / "var")})
    engine = db.make_engine(settings.database_url)
    db.upgrade(engine)
    with Session(engine) as s, s.begin():
        create_user(s, "oficial", PASSWORD, "security_officer")
    engine.dispose()
    server = Serve(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.mark.browser
@pytest.mark.slow
def test_a_logged_in_browser_stays_logged_in_across_a_restart_of_serve(
    page: Page, serve: Serve
) -> None:
    page.goto(f"{serve.url}/login")
    page.fill("input[name=username]", "oficial")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page).not_to_have_url(f"{serve.url}/login")
    serve.stop()
    serve.start()  # a new process: nothing of the old one's memory is left
    page.goto(f"{serve.url}/controls")
    expect(page).to_have_url(f"{serve.url}/controls")
    expect(page.locator("h1")).to_be_visible()
    assert "oficial" in page.content()


class Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> dt.datetime:
        return self.now


def _app(fresh_app: Flask, clock: Clock | None = None) -> Flask:
    """A second app (as a second web process would be) on the same CMDB file."""
    settings = fresh_app.extensions["atalaya_settings"]
    return create_app(settings, fresh_app.extensions["atalaya_engine"], clock=clock)


def test_a_session_ends_after_the_idle_timeout(fresh_app: Flask) -> None:
    clock = Clock()
    app = _app(fresh_app, clock)
    idle = app.extensions["atalaya_settings"].auth.session_idle_minutes
    client = app.test_client()
    login(client, "viewer")
    clock.now += dt.timedelta(minutes=idle - 1)
    assert client.get("/sites").status_code == 200  # in use: the idle time starts again
    clock.now += dt.timedelta(minutes=idle - 1)
    assert client.get("/sites").status_code == 200
    clock.now += dt.timedelta(minutes=idle + 1)
    assert client.get("/sites").status_code == 302


def test_disabling_a_user_ends_their_session_and_api_token(fresh_app: Flask) -> None:
    client = fresh_app.test_client()
    login(client, "network_admin")
    assert client.get("/sites").status_code == 200
    with Session(fresh_app.extensions["atalaya_engine"]) as s, s.begin():
        set_active(s, "network_admin", False)
    assert client.get("/sites").status_code == 302
    assert login(fresh_app.test_client(), "network_admin").status_code == 401


def test_the_login_limit_holds_across_two_web_apps_on_one_cmdb(fresh_app: Flask) -> None:
    other = _app(fresh_app)
    limit = fresh_app.extensions["atalaya_settings"].auth.failures_per_user
    for attempt in range(limit):
        app = fresh_app if attempt % 2 else other  # failures spread over both processes
        assert login(app.test_client(), "admin", "wrong password!").status_code == 401
    for app in (fresh_app, other):
        refused = login(app.test_client(), "admin")  # even the right password waits now
        assert refused.status_code == 429
        assert int(refused.headers["Retry-After"]) > 0
