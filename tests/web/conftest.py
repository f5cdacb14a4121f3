"""A CMDB filled through the real write paths, the app on it, and logged-in test clients.

Inventory: examples/inventory.toml plus a few declared devices (fixtures/cmdb/devices.toml);
facts: `collectors.base` types ingested by `cmdb.ingest`; findings: the compliance package's
`run_evaluation`. Built once per session into a SQLite file; tests that write get a copy.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from atalaya.jobs.evaluation import run_evaluation
from atalaya.settings import Settings, load_settings
from cmdb import db
from cmdb.ingest import ingest_device_facts, ingest_probe_samples
from cmdb.inventory import apply_inventory, read_toml
from cmdb.models import Link, Site, utcnow
from cmdb.users import create_user
from collectors.base import DeviceFacts, InterfaceFact, ProbeSample, SoftwareFact
from web.app import create_app

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "cmdb"
PASSWORD = "una clave de prueba larga"
ROLES = ("admin", "network_admin", "security_officer", "viewer")
DOWN_SITE = "NOR-EP-02"


def _facts(at: dt.datetime) -> list[DeviceFacts]:
    ports = [
        InterfaceFact(i, f"Gi1/0/{i}", admin_up=True, oper_up=i < 5, speed_bps=10**9)
        for i in range(1, 9)
    ]
    return [
        DeviceFacts(
            "nor-ep-01-sw01",
            "ssh",
            at,
            vendor="Cisco",
            model="WS-C2960X-48TS-L",
            serial="FOC1932X0AB",
            os_name="IOS",
            os_version="12.2(55)SE12",
            sys_name="nor-ep-01-sw01",
            interfaces=ports,
            running_config=(FIXTURES / "sw-weak.cfg").read_text(),
        ),
        DeviceFacts(
            "lim-hq-sw01",
            "ssh",
            at,
            vendor="Cisco",
            model="C9300-48P",
            serial="FCW2233L0AA",
            os_name="IOS-XE",
            os_version="17.9.4",
            interfaces=ports,
            running_config=(FIXTURES / "sw-hardened.cfg").read_text(),
        ),
        DeviceFacts(
            "nor-ep-01-srv01",
            "ssh",
            at,
            os_name="Ubuntu",
            os_version="16.04",
            software=[
                SoftwareFact("openssh-server", "7.2p2"),
                SoftwareFact("Microsoft Office 2010", "14.0"),
                SoftwareFact("Mozilla Firefox", "128.3"),
            ],
            sshd={"permitrootlogin": "yes", "passwordauthentication": "yes"},
            host_state={"firewall": "inactive"},
        ),
    ]


def probe_sample(target: str, address: str, at: dt.datetime, up: bool) -> ProbeSample:
    return ProbeSample(
        target,
        address,
        at,
        sent=3,
        received=3 if up else 0,
        rtt_avg_ms=42.0 if up else None,
        error="" if up else "timeout",
    )


def build_cmdb(engine: Engine, settings: Settings) -> None:
    now = utcnow()
    with Session(engine) as s, s.begin():
        apply_inventory(s, read_toml(REPO / "examples" / "inventory.toml"), at=now)
        apply_inventory(s, read_toml(FIXTURES / "devices.toml"), at=now)
    with Session(engine) as s, s.begin():
        for facts in _facts(now - dt.timedelta(hours=1)):
            ingest_device_facts(s, facts)
        links = s.execute(
            Link.__table__.select()
            .join(Site, Site.id == Link.site_id)
            .with_only_columns(Site.code, Link.probe_address)
        ).all()
        for hours_ago, down in ((6, False), (2, True), (0, True)):
            at = now - dt.timedelta(hours=hours_ago)
            ingest_probe_samples(
                s,
                [
                    probe_sample(f"link:{code}", addr, at, not (down and code == DOWN_SITE))
                    for code, addr in links
                ],
                at,
            )
    with Session(engine) as s, s.begin():
        run_evaluation(settings, s)
        for role in ROLES:
            create_user(s, role, PASSWORD, role)


@dataclass
class Built:
    path: Path
    settings: Settings


@pytest.fixture(scope="session")
def built_cmdb(tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = tmp_path_factory.mktemp("web-cmdb")
    settings = load_settings(environ={"ATALAYA_DATA_DIR": str(root / "var")})
    path = root / "template.db"
    engine = db.make_engine(f"sqlite:///{path}")
    db.upgrade(engine)
    build_cmdb(engine, settings)
    engine.dispose()
    return Built(path, settings)


def _app_on(path: Path, settings: Settings) -> tuple[Flask, Engine]:
    settings.database.url = f"sqlite:///{path}"
    engine = db.make_engine(settings.database.url)
    return create_app(settings, engine), engine


@pytest.fixture(scope="session")
def app(built_cmdb: Built) -> Iterator[Flask]:
    """Shared by tests that only read."""
    application, engine = _app_on(built_cmdb.path, built_cmdb.settings)
    yield application
    engine.dispose()


@pytest.fixture
def fresh_app(built_cmdb: Built, tmp_path: Path) -> Iterator[Flask]:
    """An app on a private copy of the CMDB, for tests that write (waivers, users, logins)."""
    copy = tmp_path / "cmdb.db"
    shutil.copy(built_cmdb.path, copy)
    settings = load_settings(environ={"ATALAYA_DATA_DIR": str(tmp_path / "var")})
    application, engine = _app_on(copy, settings)
    yield application
    engine.dispose()


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, "page has no CSRF field"
    return match.group(1)


def login(client: FlaskClient, username: str, password: str = PASSWORD) -> Any:
    token = csrf_of(client.get("/login").get_data(as_text=True))
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )


@pytest.fixture
def clients(app: Flask) -> dict[str, FlaskClient]:
    """One logged-in client per role."""
    result = {}
    for role in ROLES:
        client = app.test_client()
        assert login(client, role).status_code == 302
        result[role] = client
    return result


@pytest.fixture(autouse=True)
def _no_atalaya_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("ATALAYA_"):
            monkeypatch.delenv(name)


# --- browser: Debian's Chromium, never a downloaded one (LAB-NOTES "Browsers") -------------
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # without it Chromium still resolves Google hosts off the machine
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    scratch = tmp_path_factory.mktemp("chromium-home")
    env = {**os.environ, "HOME": str(scratch), "TMPDIR": str(scratch)}
    for name in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_RUNTIME_DIR"):
        env[name] = str(scratch)
    return {
        "executable_path": "/usr/bin/chromium",
        "headless": True,
        "args": CHROMIUM_ARGS,
        "env": env,
    }


def pytest_configure(config: pytest.Config) -> None:
    # pytest 9 warns about pytest-playwright's base_url fixture (LAB-NOTES)
    config.addinivalue_line(
        "filterwarnings", "ignore:Session-scoped fixtures defined as instance methods"
    )
