"""The write path from collectors: facts in, CIs, change trail, snapshots and outages out.

Functions take the caller's session and never commit: one unit of work per call site
(``with Session(engine) as s, s.begin(): ingest_device_facts(s, facts)``), so a crash in the
middle of an ingest leaves no CI half-updated.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from cmdb.changes import apply_changes, record_event
from cmdb.ingest_parts import store_config, sync_interfaces, sync_mapping, sync_software
from cmdb.ingest_probes import ingest_probe_samples
from cmdb.ingest_values import fit, naive_utc
from cmdb.models import Change, Device, Site
from cmdb.pollruns import finish_run, start_run
from collectors.base import DeviceFacts

# Other modules import the whole write path from here.
__all__ = ["finish_run", "ingest_device_facts", "ingest_probe_samples", "start_run"]

IDENTITY = ("vendor", "model", "serial", "os_name", "os_version", "sys_name", "sys_object_id")


def ingest_device_facts(session: Session, facts: DeviceFacts) -> list[Change]:
    """Merge one device's facts. Unknown hostnames are ignored (only inventory CIs are polled)."""
    device = session.scalar(select(Device).where(Device.hostname == facts.hostname))
    if device is None:
        return []
    at = naive_utc(facts.collected_at)
    device.last_polled = at
    device.last_error = _source_errors(device.last_error, facts)
    if facts.error is not None:
        return []
    changes: list[Change] = []
    if device.lifecycle_status == "retired":
        changes += apply_changes(
            session,
            device,
            "device",
            {"lifecycle_status": "active"},
            f"{facts.source}: seen again after retirement",
            at,
        )
    identity = fit(
        Device, {name: getattr(facts, name) for name in IDENTITY if getattr(facts, name)}
    )
    if "serial" in identity and identity["serial"] != device.serial:
        changes += _release_serial(session, device, identity["serial"], facts.source, at)
    changes += apply_changes(session, device, "device", identity, facts.source, at)
    if facts.sys_descr is not None:
        device.sys_descr = facts.sys_descr
    if facts.uptime_s is not None:
        device.uptime_s = facts.uptime_s
    device.last_seen = at
    device.first_seen = device.first_seen or at
    if facts.interfaces is not None:
        changes += sync_interfaces(session, device, facts.interfaces, facts.source, at)
    if facts.software is not None:
        changes += sync_software(session, device, facts, at)
    for attribute in ("sshd", "host_state"):
        observed = getattr(facts, attribute)
        if observed is not None:
            changes += sync_mapping(session, device, attribute, observed, facts.source, at)
    if facts.ike_sas is not None:
        device.ike_sas = [asdict(sa) for sa in facts.ike_sas]
    if facts.running_config is not None:
        changes += store_config(session, device, facts.running_config, facts.source, at)
    return changes


def _source_errors(previous: str, facts: DeviceFacts) -> str:
    """One line per collector source: SSH succeeding must not erase that the SNMP identity
    poll failed (the device would silently lack its OS version). Parts a collector skipped
    (output it could not parse) are reported the same way."""
    prefix = f"{facts.source} "
    lines = [line for line in previous.splitlines() if line and not line.startswith(prefix)]
    if facts.error is not None:
        lines.append(f"{prefix}{facts.error.reason}: {facts.error.message}")
    elif facts.skipped:
        lines.append(f"{prefix}partial: " + "; ".join(facts.skipped))
    return "\n".join(lines)


def _release_serial(
    session: Session, device: Device, serial: str, source: str, at: dt.datetime
) -> list[Change]:
    """A serial seen on this device that the CMDB holds elsewhere has moved: say so on both."""
    changes = []
    for holder in session.scalars(
        select(Device).where(Device.serial == serial, Device.id != device.id)
    ):
        site = session.get(Site, holder.site_id)
        where = f"{holder.hostname} ({site.code if site else '?'})"
        changes.append(
            record_event(session, device, "device", "serial moved from", where, serial, source, at)
        )
        apply_changes(
            session,
            holder,
            "device",
            {"serial": ""},
            f"{source}: serial now on {device.hostname}",
            at,
        )
    return changes
