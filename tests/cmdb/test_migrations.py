from __future__ import annotations

from sqlalchemy import Engine, inspect, text

from cmdb import db
from cmdb.models import Base


def test_migrations_create_every_table_of_the_models(engine: Engine) -> None:
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert db.current_revision(engine) == db.head_revision()


def test_migrations_go_down_and_up_again(engine: Engine) -> None:
    db.downgrade(engine, "base")
    assert "device" not in inspect(engine).get_table_names()
    db.upgrade(engine)
    assert "device" in inspect(engine).get_table_names()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(sqlite_engine: Engine) -> None:
    with sqlite_engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_models_and_migrations_agree(engine: Engine) -> None:
    """A model edited without a new migration is caught here."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore

    # a collector group's job table exists beside the CMDB's own tables
    SQLAlchemyJobStore(engine=engine, tablename="apscheduler_jobs_norte").start(None, "x")  # type: ignore[arg-type]
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": db.include_object})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []
