"""Done-when of issue 4, against the simulated network: collect, then compare with the truth."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from atalaya.settings import Settings
from cmdb.inventory import apply_inventory, read_toml
from cmdb.models import Device
from collectors.scheduler import CycleSummary, run_cycle

pytestmark = [pytest.mark.lab, pytest.mark.slow]


@pytest.fixture(scope="module")
def lab_cmdb(
    lab: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Engine, Settings, CycleSummary]]:
    from atalaya.settings import load_settings
    from cmdb import db

    folder = tmp_path_factory.mktemp("labcmdb")
    settings = load_settings(
        environ={"ATALAYA_DATA_DIR": str(folder), "ATALAYA_SECRETS_DIR": str(lab.secrets_dir)}
    )
    engine = db.make_engine(f"sqlite:///{folder / 'atalaya.db'}")
    db.upgrade(engine)
    with Session(engine) as session, session.begin():
        apply_inventory(session, read_toml(Path(lab.inventory_path)), dt.datetime.now(dt.UTC))
    summary = run_cycle(engine, settings)
    yield engine, settings, summary
    engine.dispose()


def test_cycle_polls_every_device_without_failures(
    lab_cmdb: tuple[Engine, Settings, CycleSummary], lab: Any
) -> None:
    _, _, summary = lab_cmdb
    loops = {loop.loop: loop for loop in summary.loops}
    links = Path(lab.inventory_path).read_text().count("[[link]]")
    assert loops["reachability"].total == len(lab.truth["devices"]) + links
    for loop in summary.loops:
        assert loop.failed == 0, (loop.loop, loop.by_reason)


def test_cmdb_matches_the_truth_file(
    lab_cmdb: tuple[Engine, Settings, CycleSummary], lab: Any
) -> None:
    engine, _, _ = lab_cmdb
    mismatches: list[str] = []
    with Session(engine) as session:
        devices = {d.hostname: d for d in session.scalars(select(Device))}
        for truth in lab.truth["devices"]:
            device = devices[truth["hostname"]]
            for attribute in ("model", "os_version"):
                if getattr(device, attribute) != truth[attribute]:
                    mismatches.append(
                        f"{truth['hostname']} {attribute}: "
                        f"{getattr(device, attribute)!r} != {truth[attribute]!r}"
                    )
            serial = truth["serial"] or truth["declared_serial"]
            if device.serial != serial:
                mismatches.append(f"{truth['hostname']} serial: {device.serial!r} != {serial!r}")
            seen = [
                (i.index, i.name, i.oper_up, int(i.speed_bps or 0), i.mac)
                for i in device.interfaces
            ]
            expected = [
                (i["index"], i["name"], i["oper_up"], i["speed"], i["mac"])
                for i in truth["interfaces"]
            ]
            if seen != expected:
                mismatches.append(
                    f"{truth['hostname']} interfaces differ: {seen[:2]} vs {expected[:2]}"
                )
            software = {(s.name, s.version) for s in device.software}
            want = {(s["name"], s["version"]) for s in truth["software"]}
            if software != want:
                mismatches.append(
                    f"{truth['hostname']} software: extra {sorted(software - want)[:3]} "
                    f"missing {sorted(want - software)[:3]}"
                )
    assert not mismatches, "\n".join(mismatches[:60])
