"""Database engines and schema migrations.

SQLite is the embedded default (WAL so the web can read while a cycle writes, foreign keys on,
a busy timeout so a second process waits instead of failing); PostgreSQL is the same schema
through a URL. The schema is only ever created by Alembic migrations.
"""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# pg_advisory_lock key of the schema migration: "atalaya1" in ASCII, fits a signed bigint and
# will not collide with a key another application on the same server picks by accident.
MIGRATION_LOCK_KEY = 0x6174616C61796131


def make_engine(url: str, echo: bool = False, busy_timeout_s: float = 30.0) -> Engine:
    """Create an engine; for SQLite, make its folder and set the pragmas every connection needs."""
    parsed = make_url(url)
    kwargs: dict[str, Any] = {"echo": echo, "future": True}
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"timeout": busy_timeout_s}
    else:
        kwargs["pool_pre_ping"] = True  # survive a restarted PostgreSQL
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        pragmas = partial(_sqlite_pragmas, busy_ms=int(busy_timeout_s * 1000))
        event.listen(engine, "connect", pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any, busy_ms: int) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
    cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL; a crash loses no committed data
    cursor.close()


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, _other: Any) -> bool:
    """What Alembic compares: APScheduler creates its own job tables (apscheduler_jobs_<group>),
    and autogenerate must not propose dropping them."""
    return not (type_ == "table" and reflected and (name or "").startswith("apscheduler_jobs"))


def _alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Create or upgrade the schema to `revision`, once however many processes start together:
    the others wait for the migration lock, then find the schema there and do nothing."""
    with migration_lock(engine):
        command.upgrade(_alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str) -> None:
    with migration_lock(engine):
        command.downgrade(_alembic_config(engine), revision)


@contextlib.contextmanager
def migration_lock(engine: Engine) -> Iterator[None]:
    """One migrating process at a time. Without it, four processes starting on an empty
    PostgreSQL each see no alembic_version table and each run the first migration: all but one
    fail on tables that already exist (or, worse, interleave DDL).

    PostgreSQL: a session-level advisory lock, held by a connection of its own that does nothing
    else (autocommit, so it holds no transaction open while Alembic works on another), released
    by the server if the process dies. SQLite: an exclusive flock on a file next to the database
    file, released by the kernel if the process dies. In-memory SQLite has one process only."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
            try:
                yield
            finally:
                connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY}
                )
        return
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:":
        yield
        return
    with open(f"{database}.migrate-lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def reachable(engine: Engine) -> bool:
    """Whether the database answers a trivial query now."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except DBAPIError:
        return False
    return True


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    script = ScriptDirectory.from_config(_alembic_config(create_engine("sqlite://")))
    return script.get_current_head()
