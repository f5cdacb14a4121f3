"""The discovery loop's parts, as `atalaya.jobs.collection.LOOPS` names them: its targets (the
declared prefixes' unknown addresses and the known network devices), its collection (paced ICMP
sweep, SNMP identification, neighbour tables) and its ingest (`cmdb.discovery`)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from atalaya.jobs.scope import Advance, Result, Scope, Work
from atalaya.settings import CollectSettings
from cmdb.discovery import store_discovery
from cmdb.targets import SecretResolver, load_sweep_targets, load_targets
from collectors.discovery import DiscoveryCollector
from collectors.snmp import SnmpCollector

# Devices whose neighbour tables are read: servers and endpoints have none worth asking.
NEIGHBOUR_KINDS = ("switch", "router", "firewall", "vpn_gateway", "ip_phone_gateway")


def discovery_targets(
    s: Session, scope: Scope, secret: SecretResolver, conf: CollectSettings
) -> list[Work]:
    """The declared prefixes' unknown addresses, then the known network devices whose
    LLDP/CDP/ARP tables name what is plugged in around them."""
    regions, sites = scope.regions, scope.sites
    sweep = load_sweep_targets(s, secret, regions, sites, conf.discovery_widest_prefix)
    known = load_targets(s, secret, regions, sites)
    return [*sweep, *(t for t in known if t.kind in NEIGHBOUR_KINDS and t.snmp is not None)]


def discover(conf: CollectSettings, work: list[Work], advance: Advance) -> list[Result]:
    snmp = SnmpCollector(
        timeout_s=conf.snmp_timeout_s,
        retries=conf.snmp_retries,
        max_repetitions=conf.snmp_max_repetitions,
        concurrency=conf.concurrency,
    )
    collector = DiscoveryCollector(
        snmp, rate_pps=conf.discovery_rate_pps, ping_timeout_s=conf.ping_timeout_s
    )
    return list(collector.run(work, conf.device_deadline_s, advance))


def store(session: Session, results: list[Result], at: dt.datetime) -> list[Result]:
    store_discovery(session, results, at)
    return results
