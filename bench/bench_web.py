"""Web benchmark: p95 of every page and API list call on a full-size CMDB, against peers.

The CMDB: the example inventory's 79 sites with 10 devices each, facts ingested through
`cmdb.ingest`, 90 days of hourly link samples (outages included) through
`ingest_probe_samples`, daily attribute changes, and findings from `run_evaluation`. The app is
served by waitress on loopback, as `atalaya serve` does, and fetched over HTTP with a logged-in
session. Peers measured in the same run on the same server: a static file and /healthz.

    .venv/bin/python bench/bench_web.py [--days 90] [--rounds 30]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session
from waitress.server import create_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from atalaya.jobs.evaluation import run_evaluation  # noqa: E402
from atalaya.settings import load_settings  # noqa: E402
from bench.results import record  # noqa: E402
from bench.web_client import Client, measure, stop  # noqa: E402
from cmdb import db  # noqa: E402
from cmdb.ingest import ingest_device_facts, ingest_probe_samples  # noqa: E402
from cmdb.inventory import Inventory, apply_inventory, read_toml  # noqa: E402
from cmdb.models import Device, Link, Site, utcnow  # noqa: E402
from cmdb.users import create_user  # noqa: E402
from collectors.base import DeviceFacts, InterfaceFact, ProbeSample, SoftwareFact  # noqa: E402
from web.app import create_app  # noqa: E402

PASSWORD = "bench password long enough"
PLAN = (
    [("sw", "switch", "cisco_ios")] * 5
    + [("gw", "vpn_gateway", "cisco_ios")]
    + [("srv", "server", "linux")] * 3
    + [("fw", "firewall", "fortios")]
)
CONFIG = (ROOT / "tests" / "web" / "fixtures" / "cmdb" / "sw-weak.cfg").read_text()


def build(engine: object, settings: object, days: int) -> None:
    rng = random.Random(7)
    now = utcnow()
    start = now - dt.timedelta(days=days)
    devices = _declare_devices(engine, rng, start)
    with Session(engine) as s, s.begin():  # type: ignore[call-overload]
        for d in devices:
            ingest_device_facts(s, facts(d, start, rng))
    _link_history(engine, devices, rng, start, days)
    with Session(engine) as s, s.begin():  # type: ignore[call-overload]
        run_evaluation(settings, s)  # type: ignore[arg-type]
        create_user(s, "bench", PASSWORD, "admin")


def _declare_devices(
    engine: object, rng: random.Random, start: dt.datetime
) -> list[dict[str, object]]:
    """The example inventory plus PLAN's devices at every site, declared at `start`."""
    with Session(engine) as s, s.begin():  # type: ignore[call-overload]
        apply_inventory(s, read_toml(ROOT / "examples" / "inventory.toml"), at=start)
        sites = list(s.scalars(select(Site.code)))
        devices: list[dict[str, object]] = [
            {
                "hostname": f"{code.lower()}-{tag}{i:02d}",
                "site": code,
                "kind": kind,
                "platform": platform,
                "address": f"127.{n % 250}.{i}.{n // 250 + 1}",
                "snmp_credential": "",
                "ssh_credential": "",
                "lifecycle_status": "active",
                "vendor": "Cisco" if platform == "cisco_ios" else "",
                "model": "WS-C2960X-48TS-L",
                "purchase_date": dt.date(2014 + rng.randrange(10), 1 + rng.randrange(12), 1),
            }
            for n, code in enumerate(sites)
            for i, (tag, kind, platform) in enumerate(PLAN)
        ]
        apply_inventory(s, Inventory(devices=devices), at=start)
    return devices


def _link_history(
    engine: object,
    devices: list[dict[str, object]],
    rng: random.Random,
    start: dt.datetime,
    days: int,
) -> None:
    """Hourly link samples with random outages, and each day some devices changed."""
    with Session(engine) as s:  # type: ignore[call-overload]
        links = [
            (c, a)
            for c, a in s.execute(
                select(Site.code, Link.probe_address).join(Link, Link.site_id == Site.id)
            )
        ]
    down: dict[str, int] = {}
    for hour in range(days * 24):
        at = start + dt.timedelta(hours=hour)
        samples = []
        for code, address in links:
            if code not in down and rng.random() < 0.004:
                down[code] = rng.randrange(1, 12)
            up = code not in down
            if not up:
                down[code] -= 1
                if down[code] <= 0:
                    del down[code]
            samples.append(
                ProbeSample(
                    f"link:{code}",
                    address,
                    at,
                    3,
                    3 if up else 0,
                    rtt_avg_ms=rng.uniform(20, 180) if up else None,
                )
            )
        with Session(engine) as s, s.begin():  # type: ignore[call-overload]
            ingest_probe_samples(s, samples, at)
            if hour % 24 == 0:  # a day's changes: some devices upgraded or re-configured
                for d in rng.sample(devices, 15):
                    ingest_device_facts(s, facts(d, at, rng, changed=True))


def facts(
    d: dict[str, object], at: dt.datetime, rng: random.Random, changed: bool = False
) -> DeviceFacts:
    ports = [
        InterfaceFact(i, f"Gi1/0/{i}", admin_up=True, oper_up=rng.random() < 0.7, speed_bps=10**9)
        for i in range(1, 25)
    ]
    name = str(d["hostname"])
    if d["platform"] == "linux":
        return DeviceFacts(
            name,
            "ssh",
            at,
            os_name="Ubuntu",
            os_version=rng.choice(["16.04", "20.04", "22.04"]),
            software=[SoftwareFact(f"pkg{i}", f"1.{rng.randrange(9)}") for i in range(60)],
            sshd={"permitrootlogin": rng.choice(["yes", "no"])},
        )
    version = rng.choice(["12.2(55)SE12", "15.2(7)E7", "15.2(7)E9"])
    config = CONFIG + (f"! rev {rng.randrange(10**6)}\n" if changed else "")
    return DeviceFacts(
        name,
        "ssh",
        at,
        vendor="Cisco",
        model="WS-C2960X-48TS-L",
        os_name="IOS",
        os_version=version,
        interfaces=ports,
        running_config=config if d["platform"] == "cisco_ios" else None,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="atalaya-bench-web-"))
    settings = load_settings(
        environ={"ATALAYA_DATA_DIR": str(tmp), "ATALAYA_DATABASE_URL": f"sqlite:///{tmp / 'a.db'}"}
    )
    engine = db.make_engine(settings.database_url)
    db.upgrade(engine)
    started = time.perf_counter()
    build(engine, settings, args.days)
    with Session(engine) as s:
        device = s.scalar(select(Device.id).where(Device.platform == "cisco_ios"))
        n_devices = len(s.scalars(select(Device.id)).all())
    print(f"built the CMDB in {time.perf_counter() - started:.0f} s ({args.days} days)")
    app = create_app(settings, engine)
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    port = server.effective_port  # type: ignore[union-attr]
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    client = Client(port)
    client.login(PASSWORD)
    results = measure(client, _paths(device), args.rounds)
    stop(server, thread)
    engine.dispose()
    record("web", results | {"days": args.days, "rounds": args.rounds, "devices": n_devices})


def _paths(device: int | None) -> list[str]:
    """Every page and API list call, `device` a Cisco IOS device's id."""
    return [
        "/",
        "/sites",
        "/sites/NOR-EP-01",
        "/devices",
        f"/devices/{device}",
        f"/devices/{device}/configs",
        "/controls",
        "/controls/A.9.4.2",
        "/findings",
        "/findings?status=fail&region=NOR",
        "/lifecycle",
        "/changes",
        "/waivers",
        "/api/v1/sites",
        "/api/v1/devices",
        "/api/v1/findings",
        "/api/v1/controls",
        "/api/v1/lifecycle",
        "/api/v1/changes",
        "/api/v1/waivers",
    ]




if __name__ == "__main__":
    main()
