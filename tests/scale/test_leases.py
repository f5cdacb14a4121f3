"""The lease per (poller group, loop) on both engines: what APScheduler 3 does not lock."""

from __future__ import annotations

import datetime as dt
import threading

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from atalaya.jobs import leases
from atalaya.jobs.groups import overlapping_groups
from cmdb.models import PollRun

T0 = dt.datetime(2026, 11, 27, 12, 0, 0)


def at(seconds: float) -> leases.Clock:
    return lambda: T0 + dt.timedelta(seconds=seconds)


def test_of_many_processes_taking_one_lease_at_once_exactly_one_gets_it(engine: Engine) -> None:
    takers = 8
    barrier = threading.Barrier(takers)
    won: list[str] = []

    def take(holder: str) -> None:
        barrier.wait()
        if leases.try_take(engine, "a", "reachability", holder, 60):
            won.append(holder)

    threads = [threading.Thread(target=take, args=(f"p{n}",)) for n in range(takers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(won) == 1


def test_a_released_loop_is_not_run_again_before_its_interval(engine: Engine) -> None:
    assert leases.try_take(engine, "a", "reachability", "p1", 10, at(0))
    leases.release(engine, "a", "reachability", "p1")
    assert not leases.try_take(engine, "a", "reachability", "p2", 10, at(5))
    assert leases.try_take(engine, "a", "reachability", "p2", 10, at(10))


def test_a_held_lease_blocks_past_the_interval_until_its_holder_stops_renewing(
    engine: Engine,
) -> None:
    assert leases.try_take(engine, "a", "ssh", "p1", 10, at(0))
    assert not leases.try_take(engine, "a", "ssh", "p2", 10, at(30))  # p1 still running
    assert leases.renew(engine, "a", "ssh", "p1", at(30))
    expired = 30 + leases.TTL.total_seconds() + 1
    assert leases.try_take(engine, "a", "ssh", "p2", 10, at(expired))  # p1 crashed
    assert not leases.renew(engine, "a", "ssh", "p1", at(expired + 1))  # and knows it lost it


def test_groups_and_loops_have_leases_of_their_own(engine: Engine) -> None:
    assert leases.try_take(engine, "a", "reachability", "p1", 10, at(0))
    assert leases.try_take(engine, "b", "reachability", "p2", 10, at(0))
    assert leases.try_take(engine, "a", "snmp", "p1", 10, at(0))


def test_a_group_is_warned_of_another_group_polling_its_regions(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        session.add(
            PollRun(
                loop="reachability", poller_group="b", regions="NOR,SUR", started_at=T0, errors=[]
            )
        )
        session.add(
            PollRun(loop="reachability", poller_group="c", regions="ALT", started_at=T0, errors=[])
        )
        session.add(
            PollRun(
                loop="reachability",
                poller_group="d",
                regions="NOR",
                started_at=T0 - dt.timedelta(days=3),
                errors=[],
            )
        )
    with Session(engine) as session:
        [warning] = overlapping_groups(session, "a", ["nor", "LIM"], T0)
        assert "'b' polled NOR in the last 24 h" in warning
        assert overlapping_groups(session, "a", ["LIM"], T0) == []
        every = overlapping_groups(session, "a", [], T0)  # no regions: every region
        assert len(every) == 2 and "NOR, SUR" in every[0] and "ALT" in every[1]
