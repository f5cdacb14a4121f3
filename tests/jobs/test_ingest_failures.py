"""A device whose answer cannot be stored fails alone, and the run says so."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from atalaya.jobs.loops import _store_facts
from cmdb.ingest import finish_run, start_run
from cmdb.inventory import apply_inventory, read_toml
from cmdb.models import Device, PollRun
from collectors.base import DeviceFacts, InterfaceFact

AT = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)
INVENTORY = """
[[region]]
code = "ORI"
name = "Oriente – Pucallpa"
[[site]]
code = "ORI-EP-01"
name = "E.P. de Pucallpa"
kind = "establishment"
region = "ORI"
[[device]]
hostname = "ori-ep-01-sw01"
site = "ORI-EP-01"
kind = "switch"
platform = "cisco_ios"
address = "127.50.0.1"
[[device]]
hostname = "ori-ep-01-sw02"
site = "ORI-EP-01"
kind = "switch"
platform = "cisco_ios"
address = "127.50.0.2"
"""


def test_unstorable_answer_is_a_recorded_failure_and_others_are_kept(
    engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "inv.toml"
    path.write_text(INVENTORY, encoding="utf-8")
    with Session(engine) as s, s.begin():
        apply_inventory(s, read_toml(path), AT.replace(tzinfo=None))
    # A broken agent repeats an ifIndex: the CMDB keeps one row per index and refuses it.
    twice = [InterfaceFact(1, "Gi1/0/1"), InterfaceFact(1, "Gi1/0/1 again")]
    broken = DeviceFacts("ori-ep-01-sw01", "snmp", AT, model="WS-C2960X-24TS-L", interfaces=twice)
    fine = DeviceFacts(
        "ori-ep-01-sw02", "snmp", AT, model="C9200-24T", interfaces=[InterfaceFact(1, "Gi1/0/1")]
    )
    with Session(engine) as s, s.begin():
        run = start_run(s, "snmp", at=AT)
        results = _store_facts(s, [broken, fine], dt.datetime.now(dt.UTC))
        finish_run(s, run, results, AT)
    with Session(engine) as s:
        devices = {d.hostname: d for d in s.scalars(select(Device))}
        assert devices["ori-ep-01-sw02"].model == "C9200-24T"
        assert devices["ori-ep-01-sw01"].model == ""  # nothing half-stored
        assert "could not store what the device answered" in devices["ori-ep-01-sw01"].last_error
        run = s.scalars(select(PollRun)).one()
        assert (run.devices_ok, run.devices_failed) == (1, 1)
        assert run.errors[0]["device"] == "ori-ep-01-sw01"
        assert run.errors[0]["reason"] == "bad_response"
