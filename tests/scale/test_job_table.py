"""Processes of one poller group starting together both get the group's job table."""

from __future__ import annotations

import threading

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from sqlalchemy import Engine, inspect

from atalaya.jobs.schedule import _create_job_table
from cmdb import db
from tests.postgres import PostgresServer


def _start_together(engine: Engine, table: str, processes: int) -> list[BaseException]:
    barrier = threading.Barrier(processes)
    errors: list[BaseException] = []

    def start() -> None:
        store = SQLAlchemyJobStore(engine=engine, tablename=table)
        barrier.wait()
        try:
            _create_job_table(engine, store)
        except BaseException as error:  # the test reports whatever escaped
            errors.append(error)

    threads = [threading.Thread(target=start) for _ in range(processes)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return errors


def test_concurrent_starts_of_one_group_share_the_job_table(
    postgres_server: PostgresServer,
) -> None:
    # Without the tolerance, APScheduler's checkfirst CREATE races on PostgreSQL (seen in CI:
    # a second collector of group "a" died at start); it fails here within a few attempts.
    engine = db.make_engine(postgres_server.create_database("atalaya_jobtable"))
    try:
        for attempt in range(5):  # the race is timing-dependent: give it several chances
            name = f"apscheduler_jobs_race{attempt}"
            assert _start_together(engine, name, 6) == []
            assert inspect(engine).has_table(name)
    finally:
        engine.dispose()
