"""/metrics for the full lab (79 sites, ~870 devices, the 45+ shipped rules): time and size.

Run: python -m bench.bench_metrics [--scale 1.0] [--repeat 50]

Three figures: a warm scrape (snapshot cached: what Prometheus sees between cycles), a cold
scrape (the first after a cycle: CMDB queries + families + text), and the text size. The peer,
measured in the same run, is prometheus_client's own generate_latest over a plain registry
holding a labelled Gauge with the same number of series (what any exporter of that size costs).
Targets of issue 7: under 50 ms and under 2 MB.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # run as a script: this checkout's packages first

import flask  # noqa: E402
from prometheus_client import CollectorRegistry, Gauge, generate_latest  # noqa: E402
from prometheus_client.parser import text_string_to_metric_families  # noqa: E402
from sqlalchemy import Engine, delete, select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from atalaya.jobs.evaluation import run_evaluation  # noqa: E402
from atalaya.jobs.metrics import store_metrics  # noqa: E402
from atalaya.settings import Settings, load_settings  # noqa: E402
from bench.results import record  # noqa: E402
from cmdb import db  # noqa: E402
from cmdb.ingest import finish_run, ingest_probe_samples, start_run  # noqa: E402
from cmdb.inventory import apply_inventory, read_toml  # noqa: E402
from cmdb.models import Device, Link, MetricsExposition, Site  # noqa: E402
from collectors.base import ProbeSample  # noqa: E402
from lab.credentials import credentials  # noqa: E402
from lab.generate import generate  # noqa: E402
from lab.inventory import render_inventory  # noqa: E402
from lab.sites import load_network  # noqa: E402
from web.metrics import SnapshotCollector, register_metrics  # noqa: E402


def fill(settings: Settings, engine: Engine, scale: float) -> int:
    network = load_network()
    devices = generate(network, 7, scale, net=20)
    path = settings.data_path / "inventory.toml"
    creds = credentials([r.code for r in network.regions])
    text = render_inventory(network, creds, devices, 161, 22)
    path.write_text(text, encoding="utf-8")
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with Session(engine) as session, session.begin():
        apply_inventory(session, read_toml(path), now - dt.timedelta(days=2))
    sites = sorted(s.code for s in network.sites)
    # a day of hourly cycles with a few sites failing now and then: outages to integrate
    for hour in range(24, 0, -1):
        down = {sites[(hour * 7 + k) % len(sites)] for k in range(3)}
        cycle(engine, now - dt.timedelta(hours=hour), down)
    with Session(engine) as session, session.begin():
        run_evaluation(settings, session)
    return len(devices)


def cycle(engine: Engine, at: dt.datetime, down: set[str]) -> None:
    with Session(engine) as session, session.begin():
        run = start_run(session, "reachability", at=at)
        rows = session.execute(select(Device.hostname, Device.address, Site.code).join(Site))
        targets: list[tuple[str, str, str]] = [(h, a, s) for h, a, s in rows]
        targets += [
            (f"link:{site}", address, site)
            for address, site in session.execute(
                select(Link.probe_address, Site.code).join(Site, Link.site_id == Site.id)
            )
        ]
        samples = [
            ProbeSample(t, a, at, 3, 0 if s in down else 3, None if s in down else 8.0)
            for t, a, s in targets
        ]
        ingest_probe_samples(session, samples, at)
        finish_run(session, run, samples, at + dt.timedelta(seconds=3))


def median_ms(
    action: Callable[[], object], repeat: int, clock: Callable[[], float] = time.perf_counter
) -> float:
    times = []
    for _ in range(repeat):
        started = clock()
        action()
        times.append(clock() - started)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="atalaya-bench-metrics-") as tmp:
        settings = load_settings(environ={"ATALAYA_DATA_DIR": str(Path(tmp) / "var")})
        engine = db.make_engine(settings.database_url)
        db.upgrade(engine)
        started = time.perf_counter()
        n_devices = fill(settings, engine, args.scale)
        print(f"CMDB filled in {time.perf_counter() - started:.1f} s: {n_devices} devices")
        figures = measure(settings, engine, args.repeat)
        engine.dispose()
    report(figures | {"devices": n_devices})


def measure(settings: Settings, engine: Engine, repeat: int) -> dict[str, float]:
    app = flask.Flask("bench")
    app.config["ATALAYA_SETTINGS"] = settings
    app.config["ATALAYA_ENGINE"] = engine
    register_metrics(app)
    collector: SnapshotCollector = app.extensions["atalaya_metrics"]
    client = app.test_client()

    def scrape() -> bytes:
        return client.get("/metrics").data

    def cold_scrape() -> bytes:
        collector._text = None  # as after a cycle: new key, the text the job stored
        return scrape()

    def unstored_scrape() -> bytes:
        # no job rendered it (e.g. an inventory edit since): the web process builds it
        collector._text = None
        with Session(engine) as session, session.begin():
            session.execute(delete(MetricsExposition))
        return scrape()

    def job_render() -> None:
        with Session(engine) as session, session.begin():
            store_metrics(session, settings)

    job_render()
    body = scrape()
    series = sum(len(f.samples) for f in text_string_to_metric_families(body.decode()))
    few = max(5, repeat // 5)
    figures = {
        "series": series,
        "size_kib": len(body) / 1024,
        "warm_ms": median_ms(scrape, repeat),
        "cold_ms": median_ms(cold_scrape, few),
        # CPU time as well: on a shared machine the wall time also counts other processes
        "cold_cpu_ms": median_ms(cold_scrape, few, time.process_time),
        "job_render_ms": median_ms(job_render, few),
        "unstored_ms": median_ms(unstored_scrape, max(5, repeat // 10)),
    }
    peer_registry = CollectorRegistry()
    gauge = Gauge("node_like_value", "peer", ["site", "region", "kind"], registry=peer_registry)
    for i in range(series):
        gauge.labels(f"SITE-{i % 79:02d}", f"R{i % 8}", f"k{i}").set(i)
    figures["peer_generate_latest_ms"] = median_ms(lambda: generate_latest(peer_registry), repeat)
    return figures


def report(f: dict[str, float]) -> None:
    print(f"series: {f['series']:.0f}, size: {f['size_kib']:.1f} KiB")
    print(f"warm scrape (cached snapshot, full HTTP request): {f['warm_ms']:.2f} ms")
    print(f"cold scrape, first after a cycle (stored text):   {f['cold_ms']:.2f} ms")
    print(f"cold scrape, CPU time of this process:            {f['cold_cpu_ms']:.2f} ms")
    print(f"render at the end of the cycle (job side):        {f['job_render_ms']:.2f} ms")
    print(f"scrape with no stored text (built in the web):    {f['unstored_ms']:.2f} ms")
    print(f"peer generate_latest, same series count:         {f['peer_generate_latest_ms']:.2f} ms")
    ok = f["cold_ms"] < 20 and f["size_kib"] < 2048
    print(f"target (cold < 20 ms, < 2 MB): {'met' if ok else 'NOT met'}")
    record("metrics", {k: round(v, 2) for k, v in f.items()})


if __name__ == "__main__":
    main()
