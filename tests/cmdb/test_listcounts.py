"""A paginated list counts its rows once per change of the data, not on every request."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from cmdb.inventory import Inventory, apply_inventory, read_toml
from cmdb.webqueries import device_query, paginate
from tests.conftest import EXAMPLE_INVENTORY

NOW = dt.datetime(2026, 11, 27, 12, 0)


def _device(n: int) -> dict[str, Any]:
    return {
        "hostname": f"nor-sw{n:02d}",
        "site": "NOR-OR",
        "kind": "switch",
        "platform": "cisco_ios",
        "address": f"127.9.0.{n}",
        "snmp_credential": "",
        "ssh_credential": "",
        "lifecycle_status": "active",
    }


def test_the_total_is_counted_once_and_again_after_a_write(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        apply_inventory(session, read_toml(EXAMPLE_INVENTORY), NOW)
        apply_inventory(session, Inventory(devices=[_device(n) for n in (1, 2)]), NOW)
    counts: list[str] = []

    def listen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "count(*)" in statement.lower() and "FROM (SELECT" in statement:
            counts.append(statement)

    event.listen(engine, "before_cursor_execute", listen)
    try:
        with Session(engine) as session:
            first = paginate(session, device_query(site="NOR-OR"), 1, 1)
            again = paginate(session, device_query(site="NOR-OR"), 2, 1)
            other = paginate(session, device_query(site="NOR-EP-01"), 1, 1)
        assert (first.total, again.total) == (2, 2)
        assert len(counts) == 2  # NOR-OR once for both pages, NOR-EP-01 once
        with Session(engine) as session, session.begin():
            apply_inventory(session, Inventory(devices=[_device(3)]), NOW)
        with Session(engine) as session:
            after = paginate(session, device_query(site="NOR-OR"), 1, 1)
        assert after.total == 3 and len(counts) == 3  # the write made it count again
        assert other.total >= 0
    finally:
        event.remove(engine, "before_cursor_execute", listen)
