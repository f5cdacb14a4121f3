"""The link load loop's parts for `atalaya.jobs.collection.LOOPS`: each linked site's VPN
gateway, its WAN counters read over SNMP, and the samples stored with their rates."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from atalaya.jobs.scope import Advance, Result, Scope, Work
from atalaya.settings import CollectSettings
from cmdb.linkload_ingest import store_link_load
from cmdb.targets import SecretResolver, load_targets
from collectors.base import Target
from collectors.linkload import LinkLoadCollector
from collectors.snmp import SnmpCollector


def gateway_targets(
    s: Session, scope: Scope, secret: SecretResolver, _conf: CollectSettings
) -> list[Work]:
    """The VPN gateways in scope that SNMP can reach (the WAN side of each site link)."""
    targets = load_targets(s, secret, scope.regions, scope.sites)
    return [t for t in targets if t.kind == "vpn_gateway" and (t.snmp or t.credential_error)]


def read_counters(conf: CollectSettings, work: list[Work], advance: Advance) -> list[Result]:
    snmp = SnmpCollector(
        timeout_s=conf.snmp_timeout_s,
        retries=conf.snmp_retries,
        max_repetitions=conf.snmp_max_repetitions,
        concurrency=conf.concurrency,
    )
    targets = [t for t in work if isinstance(t, Target)]
    return list(LinkLoadCollector(snmp).collect(targets, conf.device_deadline_s, advance))


def store(session: Session, results: list[Result], at: dt.datetime) -> list[Result]:
    store_link_load(session, results, at)
    return results
