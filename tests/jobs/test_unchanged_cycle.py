"""A second cycle of an unchanged lab writes no device or interface row (issue 15).

Every statement the cycle sends is counted (SQLAlchemy's ``before_cursor_execute``): the
ingest must compare first and write only differences. What moves on every poll (last seen,
last polled, uptime) has its own narrow table, device_liveness, and is allowed to change.
The same cycles show the lab's own load causes no SNMP timeout.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from atalaya.jobs.collection import CycleSummary, run_cycle
from atalaya.settings import Settings, load_settings
from cmdb import db
from cmdb.inventory import apply_inventory, read_toml

pytestmark = [pytest.mark.lab, pytest.mark.slow]

ROW_WRITE = re.compile(
    r"^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?(device|interface)\"?[\s(]", re.IGNORECASE
)


@pytest.fixture(scope="module")
def cycled(lab: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, Settings]]:
    folder = tmp_path_factory.mktemp("unchanged")
    settings = load_settings(
        environ={"ATALAYA_DATA_DIR": str(folder), "ATALAYA_SECRETS_DIR": str(lab.secrets_dir)}
    )
    engine = db.make_engine(f"sqlite:///{folder / 'atalaya.db'}")
    db.upgrade(engine)
    with Session(engine) as session, session.begin():
        apply_inventory(session, read_toml(Path(lab.inventory_path)), dt.datetime.now(dt.UTC))
    first = run_cycle(engine, settings)
    assert all(loop.failed == 0 for loop in first.loops), first
    yield engine, settings
    engine.dispose()


def _count_writes(engine: Engine, action: Any) -> tuple[Any, list[str]]:
    statements: list[str] = []

    def listen(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        statements.append(statement)
        if ROW_WRITE.match(statement):  # what was written, for the failure message
            statements.append(f"-- {str(parameters)[:300]}")

    event.listen(engine, "before_cursor_execute", listen)
    try:
        result = action()
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    return result, statements


def test_second_cycle_of_an_unchanged_lab_writes_no_device_or_interface_row(
    cycled: tuple[Engine, Settings],
) -> None:
    engine, settings = cycled
    summary: CycleSummary
    summary, statements = _count_writes(engine, lambda: run_cycle(engine, settings))
    writes = [
        s.split("\n")[0] + " " + statements[i + 1]
        for i, s in enumerate(statements)
        if ROW_WRITE.match(s)
    ]
    assert writes == []
    # the counter does see the cycle's work: selects, and the liveness rows that do move
    assert any(s.lstrip().upper().startswith("SELECT") for s in statements)
    assert any(s.lstrip().upper().startswith("UPDATE DEVICE_LIVENESS") for s in statements)
    snmp = next(loop for loop in summary.loops if loop.loop == "snmp")
    assert snmp.ok > 0 and snmp.failed == 0, snmp  # no timeout: the lab is not the bottleneck
