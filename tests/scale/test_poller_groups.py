"""Two poller groups against one PostgreSQL and the lab, as separate `atalaya serve` processes.

Group "a" runs as two processes on the same regions (the lease must keep them from both
polling), group "b" as one process on the other regions that is stopped with SIGTERM and
started again mid-test (its job table must give it back its schedule), and a `--role web`
process serves pages next to them and must not poll. Only the reachability loop runs, every
INTERVAL seconds; the other loops are turned off (interval 0) to keep the test short.
"""

from __future__ import annotations

import datetime as dt
import http.client
import itertools
import os
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cmdb import db
from cmdb.models import Link, LinkSample, PollRun, Region, Site
from tests.conftest import REPO
from tests.fixtures_lab import LabNetwork
from tests.postgres import PostgresServer, free_port
from tests.scale.conftest import ServeProcess, wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.lab, pytest.mark.slow]

INTERVAL = 5.0
GROUPS = {"a": "CEN,LIM,NOR,SUR", "b": "ALT,NOO,ORI,SOR"}


def _environment(url: str, lab: LabNetwork, tmp_path: Path, web_port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATALAYA_")}
    env.update(
        ATALAYA_DATA_DIR=str(tmp_path / "var"),
        ATALAYA_DATABASE_URL=url,
        ATALAYA_SECRETS_DIR=str(lab.secrets_dir),
        ATALAYA_COLLECT_REACHABILITY_INTERVAL_S=str(int(INTERVAL)),
        ATALAYA_COLLECT_SNMP_INTERVAL_S="0",
        ATALAYA_COLLECT_SOFTWARE_INTERVAL_S="0",
        ATALAYA_COLLECT_SSH_INTERVAL_S="0",
        ATALAYA_COLLECT_DISCOVERY_INTERVAL_S="0",
        ATALAYA_COLLECT_LINKLOAD_INTERVAL_S="0",
        ATALAYA_COLLECT_PING_COUNT="1",
        ATALAYA_COLLECT_PING_TIMEOUT_S="0.5",
        ATALAYA_COLLECT_DEVICE_DEADLINE_S="2",
        ATALAYA_WEB_PORT=str(web_port),
    )
    return env


def _runs(session: Session) -> dict[str, list[PollRun]]:
    by_group: dict[str, list[PollRun]] = defaultdict(list)
    for run in session.scalars(select(PollRun).order_by(PollRun.started_at)):
        by_group[run.poller_group].append(run)
    return by_group


def test_two_groups_poll_every_site_link_once_per_cycle_and_the_web_role_never_polls(
    lab_network: LabNetwork,
    postgres_server: PostgresServer,
    serve_processes: list[ServeProcess],
    tmp_path: Path,
) -> None:
    url = postgres_server.create_database("atalaya_scale")
    web_port = free_port()
    env = _environment(url, lab_network, tmp_path, web_port)
    subprocess.run(
        [sys.executable, "-m", "atalaya", "init", "--inventory", str(lab_network.inventory_path)],
        cwd=REPO,
        env=env,
        check=True,
        capture_output=True,
    )

    def start(name: str, *args: str) -> ServeProcess:
        proc = ServeProcess(name, list(args), env, tmp_path)
        serve_processes.append(proc)
        return proc

    a1 = start("a1", "--role", "collector", "--poller-group", "a", "--regions", GROUPS["a"])
    a2 = start("a2", "--role", "collector", "--poller-group", "a", "--regions", GROUPS["a"])
    b = start("b", "--role", "collector", "--poller-group", "b", "--regions", GROUPS["b"])
    web = start("web", "--role", "web")
    assert wait_until(lambda: _healthz(web_port) == 200, 30), web.stderr

    # Let b run three cycles, then stop it right after a run: its next one is due INTERVAL
    # after that run started, and the restarted process must wait for it, not poll at once.
    assert wait_until(lambda: len(_b_ends(url)) >= 3, 6 * INTERVAL), b.stderr
    ends = _b_ends(url)
    assert wait_until(lambda: len(_b_ends(url)) > len(ends), 2 * INTERVAL), b.stderr
    assert b.stop() == 0, b.stderr
    b_again = start(
        "b-again", "--role", "collector", "--poller-group", "b", "--regions", GROUPS["b"]
    )
    time.sleep(3 * INTERVAL)
    for proc in (a1, a2, b_again, web):
        assert proc.stop() == 0, (proc.name, proc.stderr)

    for proc in (a1, a2, b, b_again):
        assert "warning" not in proc.stderr, proc.stderr  # disjoint groups: no overlap warning
    engine = db.make_engine(url)
    try:
        with Session(engine) as session:
            _check_cycles(session)
    finally:
        engine.dispose()
    assert "collect-reachability: next run" in b_again.stderr
    assert "(resumed)" in b_again.stderr


def _healthz(port: int) -> int | None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", "/healthz")
        return connection.getresponse().status
    except OSError:
        return None
    finally:
        connection.close()


def _b_ends(url: str) -> list[dt.datetime]:
    engine = db.make_engine(url)
    try:
        with Session(engine) as session:
            return [r.ended_at for r in _runs(session)["b"] if r.ended_at is not None]
    finally:
        engine.dispose()


def _check_cycles(session: Session) -> None:
    runs = _runs(session)
    # Only the two collector groups polled: the web process (no group) wrote no PollRun.
    assert set(runs) == {"a", "b"}
    links_of: dict[str, set[int]] = {}
    for group, regions in GROUPS.items():
        codes = regions.split(",")
        links_of[group] = set(
            session.scalars(
                select(Link.id)
                .join(Site, Link.site_id == Site.id)
                .join(Region)
                .where(Region.code.in_(codes))
            )
        )
    assert links_of["a"] and links_of["b"] and not links_of["a"] & links_of["b"]
    samples: dict[int, list[dt.datetime]] = defaultdict(list)
    for link_id, at in session.execute(select(LinkSample.link_id, LinkSample.at)):
        samples[link_id].append(at)
    assert set(samples) == links_of["a"] | links_of["b"]  # no site link left unpolled
    for group, group_runs in runs.items():
        assert len(group_runs) >= 4, group
        for run in group_runs:
            assert run.loop == "reachability" and run.regions == GROUPS[group]
            assert run.ended_at is not None  # SIGTERM let the running loop finish
        starts = [r.started_at for r in group_runs]
        gaps = [(later - earlier).total_seconds() for earlier, later in itertools.pairwise(starts)]
        # Never twice within one interval (two processes of "a"; "b" restarted), and the
        # schedule kept: no cycle skipped, also across b's restart.
        assert min(gaps) >= 0.9 * INTERVAL, (group, gaps)
        assert max(gaps) <= INTERVAL + 1.5, (group, gaps)
        # Each of the group's site links was sampled exactly once in each of its runs.
        for link_id in links_of[group]:
            per_run = [
                sum(1 for at in samples[link_id] if run.started_at <= at <= run.ended_at)
                for run in group_runs
                if run.ended_at is not None
            ]
            assert per_run == [1] * len(group_runs), (group, link_id, per_run)
    expected = sum(len(runs[g]) * len(links_of[g]) for g in GROUPS)
    assert sum(len(v) for v in samples.values()) == expected  # and by no other group
