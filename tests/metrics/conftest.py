"""A CMDB filled the way a cycle fills it: the example inventory, reachability samples ingested
through `cmdb.ingest`, and a stored compliance evaluation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from atalaya.jobs.evaluation import run_evaluation
from atalaya.settings import Settings
from cmdb import db
from cmdb.discovery import store_discovery
from cmdb.ingest import finish_run, ingest_probe_samples, start_run
from cmdb.inventory import apply_inventory, read_toml
from cmdb.linkload_ingest import store_link_load
from cmdb.models import Device, Link, Site
from collectors.base import LinkCounters, ProbeSample, Sighting
from lab.credentials import credentials
from lab.generate import generate
from lab.inventory import render_inventory
from lab.sites import load_network

REPO = Path(__file__).resolve().parents[2]
EXAMPLE_INVENTORY = REPO / "examples" / "inventory.toml"
DOWN_SITE = "NOR-EP-01"
LOSSY_SITE = "CEN-EP-03"


def reachability_cycle(
    engine: Engine, at: dt.datetime, down: set[str], lossy: dict[str, float] | None = None
) -> None:
    """One reachability PollRun of every device and link, from real `ProbeSample`s: the sites in
    `down` answer nothing, the `lossy` ones lose that share of 10 packets."""
    lossy = lossy or {}
    with Session(engine) as session, session.begin():
        run = start_run(session, "reachability", at=at)
        rows = session.execute(select(Device.hostname, Device.address, Site.code).join(Site))
        targets = [(host, address, site) for host, address, site in rows]
        links = session.execute(
            select(Link.probe_address, Site.code).join(Site, Link.site_id == Site.id)
        )
        targets += [(f"link:{site}", address, site) for address, site in links]
        samples = []
        for target, address, site in targets:
            received = 0 if site in down else round(10 * (1 - lossy.get(site, 0.0)))
            rtt = 12.5 if received else None
            samples.append(ProbeSample(target, address, at, 10, received, rtt, rtt, rtt))
        ingest_probe_samples(session, samples, at)
        finish_run(session, run, samples, at + dt.timedelta(seconds=2))


def link_load_and_discovery(engine: Engine, at: dt.datetime) -> None:
    """Two WAN counter readings of every VPN gateway, 300 s of uptime apart at 4 Mbit/s, and one
    undeclared address answering a sweep, through the real write paths."""
    with Session(engine) as session, session.begin():
        gateways = session.execute(
            select(Device.hostname, Site.code).join(Site).where(Device.kind == "vpn_gateway")
        ).all()
        for seconds, octets in ((0, 10**9), (300, 10**9 + 4_000_000 // 8 * 300)):
            readings = [
                LinkCounters(host, site, at + dt.timedelta(seconds=seconds), 10**6 + seconds * 100,
                             "Gi0/0/0", octets, octets)
                for host, site in gateways
            ]  # fmt: skip
            store_link_load(session, readings, at)
        store_discovery(session, [Sighting("NOR-EP-02", "127.20.4.99", at, True, 0.5)], at)


def lab_inventory(path: Path, scale: float = 0.15, seed: int = 7) -> Path:
    """The inventory `atalaya lab up` would write (every site, devices with models), without
    starting the lab's agents: enough for what /metrics reads."""
    network = load_network()
    devices = generate(network, seed, scale, net=20)
    creds = credentials([region.code for region in network.regions])
    path.write_text(render_inventory(network, creds, devices, 161, 22), "utf-8")
    return path


def fill_cmdb(settings: Settings, engine: Engine, inventory: Path) -> None:
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    with Session(engine) as session, session.begin():
        apply_inventory(session, read_toml(inventory), now - dt.timedelta(hours=2))
    reachability_cycle(engine, now - dt.timedelta(hours=1), set())
    reachability_cycle(engine, now - dt.timedelta(minutes=1), {DOWN_SITE}, {LOSSY_SITE: 0.3})
    link_load_and_discovery(engine, now - dt.timedelta(minutes=10))
    with Session(engine) as session, session.begin():
        run_evaluation(settings, session)


@pytest.fixture
def filled_engine(settings: Settings) -> Iterator[Engine]:
    engine = db.make_engine(settings.database_url)
    db.upgrade(engine)
    fill_cmdb(settings, engine, lab_inventory(settings.data_path / "inventory.toml"))
    yield engine
    engine.dispose()
