"""The table of collection loops: each names its targets, its collection and its ingest.

A loop is an entry of `LOOPS`, as nornir registers tasks: adding a protocol adds an entry, no
branch elsewhere. `atalaya.jobs.collection` runs them.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from atalaya.jobs import discovery, linkload
from atalaya.jobs.scope import Advance, Result, Scope, Work
from atalaya.settings import CollectSettings
from cmdb.ingest import ingest_device_facts, ingest_probe_samples
from cmdb.targets import SecretResolver, load_link_probes, load_targets
from collectors.base import BadResponse, DeviceFacts, ProbeSample, Target
from collectors.reachability import ReachabilityCollector
from collectors.snmp import INVENTORY_PARTS, SOFTWARE_PARTS, SnmpCollector
from collectors.ssh import SshCollector

log = logging.getLogger(__name__)

SSH_PLATFORMS = ("cisco_ios", "linux")
# ICMP probes share one raw socket and cost ~20 µs of CPU each: the reachability loop can
# afford many more in flight than the SNMP loop (one UDP socket per device).
REACHABILITY_FANOUT = 8
# The software pass walks hundreds of hrSWInstalledTable rows: give it twice the deadline.
SOFTWARE_DEADLINE_FACTOR = 2.0

@dataclass(frozen=True)
class Loop:
    """One collection loop: where its targets come from, how it polls, how it stores."""

    name: str
    targets: Callable[[Session, Scope, SecretResolver, CollectSettings], list[Work]]
    collect: Callable[[CollectSettings, list[Work], Advance], list[Result]]
    ingest: Callable[[Session, list[Result], dt.datetime], list[Result]]


# -- targets -----------------------------------------------------------------------------
def _reachability_targets(
    s: Session, scope: Scope, secret: SecretResolver, _conf: CollectSettings
) -> list[Work]:
    devices = load_targets(s, secret, scope.regions, scope.sites)
    return [*devices, *load_link_probes(s, scope.regions, scope.sites)]


def _snmp_targets(
    s: Session, scope: Scope, secret: SecretResolver, _conf: CollectSettings
) -> list[Work]:
    targets = load_targets(s, secret, scope.regions, scope.sites)
    return [t for t in targets if t.snmp is not None or t.credential_error]


def _ssh_targets(
    s: Session, scope: Scope, secret: SecretResolver, _conf: CollectSettings
) -> list[Work]:
    targets = load_targets(s, secret, scope.regions, scope.sites, SSH_PLATFORMS)
    return [t for t in targets if t.ssh is not None or t.credential_error]


# -- collection --------------------------------------------------------------------------
def _targets(work: list[Work]) -> list[Target]:
    return [t for t in work if isinstance(t, Target)]


def _probe(conf: CollectSettings, work: list[Work], advance: Advance) -> list[Result]:
    targets = _targets(work)
    prober = ReachabilityCollector(
        count=conf.ping_count,
        timeout_s=conf.ping_timeout_s,
        concurrency=conf.concurrency * REACHABILITY_FANOUT,
    )
    return list(prober.probe(targets, conf.device_deadline_s, advance))


def _snmp(conf: CollectSettings) -> SnmpCollector:
    return SnmpCollector(
        timeout_s=conf.snmp_timeout_s,
        retries=conf.snmp_retries,
        max_repetitions=conf.snmp_max_repetitions,
        concurrency=conf.concurrency,
    )


def _poll_inventory(conf: CollectSettings, work: list[Work], advance: Advance) -> list[Result]:
    targets = _targets(work)
    return list(_snmp(conf).collect(targets, conf.device_deadline_s, INVENTORY_PARTS, advance))


def _poll_software(conf: CollectSettings, work: list[Work], advance: Advance) -> list[Result]:
    targets = _targets(work)
    deadline = conf.device_deadline_s * SOFTWARE_DEADLINE_FACTOR
    return list(_snmp(conf).collect(targets, deadline, SOFTWARE_PARTS, advance))


def _read_configs(conf: CollectSettings, work: list[Work], advance: Advance) -> list[Result]:
    targets = _targets(work)
    ssh = SshCollector(concurrency=conf.ssh_concurrency)
    return list(ssh.collect(targets, conf.device_deadline_s, advance))


# -- ingest ------------------------------------------------------------------------------
def _store_samples(session: Session, results: list[Result], at: dt.datetime) -> list[Result]:
    ingest_probe_samples(session, [r for r in results if isinstance(r, ProbeSample)], at)
    return results


def _store_facts(session: Session, results: list[Result], _at: dt.datetime) -> list[Result]:
    """Ingest each device in its own savepoint; a device whose facts cannot be stored becomes a
    failure of the run, recorded on the PollRun and on the device, never only a log line."""
    kept: list[Result] = []
    for item in results:
        if not isinstance(item, DeviceFacts):
            kept.append(item)
            continue
        try:
            # A savepoint per device: one device's bad data must not undo the others' ingest.
            with session.begin_nested():
                ingest_device_facts(session, item)
        except OperationalError:
            raise  # the database itself (locked, gone): not this device's fault, see run_loop
        except Exception as exc:
            log.exception("ingest of %s from %s failed", item.hostname, item.source)
            error = BadResponse(f"could not store what the device answered: {short_error(exc)}")
            item = DeviceFacts(item.hostname, item.source, item.collected_at, error=error)
            # The savepoint is gone; this write is in the run's transaction, so it stays.
            with session.begin_nested():
                ingest_device_facts(session, item)
        kept.append(item)
    return kept


LOOPS: dict[str, Loop] = {
    loop.name: loop
    for loop in (
        Loop("reachability", _reachability_targets, _probe, _store_samples),
        Loop("snmp", _snmp_targets, _poll_inventory, _store_facts),
        Loop("software", _snmp_targets, _poll_software, _store_facts),
        Loop("ssh", _ssh_targets, _read_configs, _store_facts),
        Loop("discovery", discovery.discovery_targets, discovery.discover, discovery.store),
        Loop("linkload", linkload.gateway_targets, linkload.read_counters, linkload.store),
    )
}
LOOP_NAMES = tuple(LOOPS)
# Each loop has its interval setting ([collect] <loop>_interval_s), and nothing else does.
assert set(LOOPS) == set(CollectSettings().loop_intervals()), "a loop without its interval"
# Loops whose results the spool can keep while the CMDB is away (collectors/facts_json.py);
# discovery and link load are not kept: a later sweep or counter read sees the same again.
SPOOLED = ("reachability", "snmp", "software", "ssh")


def short_error(exc: Exception) -> str:
    """The first line of what the database or the device said, cut to fit a record."""
    text = (
        str(getattr(exc, "orig", None) or exc).splitlines()[0] if str(exc) else type(exc).__name__
    )
    return text[:200]
