"""Safe first start (issue 17): processes started together on an empty database migrate it once.

Real `atalaya` processes, released at the same instant, against a real PostgreSQL and the
embedded SQLite: each must come up (exit 0, no traceback) and the schema must be there once, at
head. Without the migration lock two of them both create the first tables and fail.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import inspect, text

from cmdb import db
from tests.postgres import PostgresServer

ROOT = Path(__file__).resolve().parents[2]
COMMANDS = (("init",), ("status",), ("init",), ("status", "--format", "json"))


def _start_together(cwd: Path, env: dict[str, str]) -> list[subprocess.CompletedProcess[str]]:
    """Four CLI processes that wait on one file's appearance, so their migrations overlap."""
    go = cwd / "go"
    environ = {k: v for k, v in os.environ.items() if not k.startswith("ATALAYA_")}
    environ.update(env, PYTHONPATH=str(ROOT))  # this checkout's code, not an installed one
    wait = (
        "import os, sys, time, runpy\n"
        f"while not os.path.exists({str(go)!r}): time.sleep(0.005)\n"
        "sys.argv = ['atalaya', *sys.argv[1:]]\n"
        "runpy.run_module('atalaya', run_name='__main__')\n"
    )
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", wait, *args],
            cwd=cwd,
            env=environ,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for args in COMMANDS
    ]
    time.sleep(1.5)  # every interpreter has imported what it needs and is polling for `go`
    go.touch()
    results = []
    for process, args in zip(processes, COMMANDS, strict=True):
        out, err = process.communicate(timeout=120)
        results.append(subprocess.CompletedProcess(args, process.returncode, out, err))
    return results


def _assert_one_schema_at_head(url: str, results: list[subprocess.CompletedProcess[str]]) -> None:
    for result in results:
        assert result.returncode == 0, f"{result.args}: {result.stderr[-2000:]}"
        assert "Traceback" not in result.stderr, result.stderr
    engine = db.make_engine(url)
    try:
        with engine.connect() as connection:
            versions = connection.execute(text("SELECT version_num FROM alembic_version")).all()
        assert [v for (v,) in versions] == [db.head_revision()]
        tables = set(inspect(engine).get_table_names())
        assert {"device", "poll_run", "site", "finding"} <= tables
    finally:
        engine.dispose()


def test_four_processes_on_an_empty_postgresql_migrate_once(
    tmp_path: Path, postgres_server: PostgresServer
) -> None:
    url = postgres_server.create_database(f"atalaya_first_start_{os.getpid()}")
    results = _start_together(tmp_path, {"ATALAYA_DATABASE_URL": url})
    _assert_one_schema_at_head(url, results)
    assert sum("database ready at revision" in r.stdout for r in results) == 2


def test_four_processes_on_an_empty_sqlite_migrate_once(tmp_path: Path) -> None:
    results = _start_together(tmp_path, {"ATALAYA_DATA_DIR": str(tmp_path / "var")})
    _assert_one_schema_at_head(f"sqlite:///{tmp_path / 'var' / 'atalaya.db'}", results)
    assert (tmp_path / "var" / "atalaya.db.migrate-lock").exists()


def test_the_advisory_lock_is_released_after_the_upgrade(postgres_server: PostgresServer) -> None:
    engine = db.make_engine(postgres_server.create_database(f"atalaya_lock_{os.getpid()}"))
    try:
        db.upgrade(engine)
        with engine.connect() as connection:
            held = connection.execute(
                text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = :k"),
                {"k": db.MIGRATION_LOCK_KEY & 0xFFFFFFFF},
            ).scalar_one()
        assert held == 0  # a lock left behind would stall the next process's start for ever
    finally:
        engine.dispose()
