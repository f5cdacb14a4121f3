"""Shared fixtures: settings in a scratch folder, SQLite and PostgreSQL databases, the lab."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from atalaya.settings import Settings, load_settings
from cmdb import db
from tests.postgres import PostgresServer, running_postgres

pytest_plugins = (
    ["tests.fixtures_lab"] if (Path(__file__).parent / "fixtures_lab.py").exists() else []
)

REPO = Path(__file__).resolve().parent.parent
EXAMPLE_INVENTORY = REPO / "examples" / "inventory.toml"
_counter = itertools.count()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One real PostgreSQL for the whole run (Debian's package), on a loopback port."""
    with running_postgres() as server:
        yield server


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database of each engine the CMDB supports."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'atalaya.db'}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.create_database(f"atalaya_test_{os.getpid()}_{next(_counter)}")


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """A migrated database (SQLite and PostgreSQL in turn)."""
    engine = db.make_engine(db_url)
    db.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'atalaya.db'}")
    db.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings whose data folder is this test's scratch folder."""
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith("ATALAYA_"):
            monkeypatch.delenv(name)
    return load_settings(environ={"ATALAYA_DATA_DIR": str(tmp_path / "var")})
