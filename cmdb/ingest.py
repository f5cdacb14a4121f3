"""The write path from collectors: facts in, CIs, change trail, snapshots and outages out.

Functions take the caller's session and never commit: one unit of work per call site
(``with Session(engine) as s, s.begin(): ingest_device_facts(s, facts)``), so a crash in the
middle of an ingest leaves no CI half-updated.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cmdb.changes import apply_changes, record_event
from cmdb.models import (
    Change,
    ConfigSnapshot,
    Device,
    InstalledSoftware,
    Interface,
    Link,
    LinkSample,
    Outage,
    PollRun,
    Site,
)
from collectors.base import DeviceFacts, InterfaceFact, ProbeSample


def _fit(model: type[Any], values: dict[str, Any]) -> dict[str, Any]:
    """Clip text to its column's length. A broken agent's 300-character ifName must not make
    PostgreSQL refuse the whole device's ingest (SQLite would store it, PostgreSQL raises)."""
    columns = model.__table__.columns
    fitted = {}
    for key, value in values.items():
        length = getattr(columns[key].type, "length", None) if key in columns else None
        fitted[key] = value[:length] if isinstance(value, str) and length else value
    return fitted


IDENTITY = ("vendor", "model", "serial", "os_name", "os_version", "sys_name", "sys_object_id")


def _naive_utc(at: dt.datetime) -> dt.datetime:
    return at.astimezone(dt.UTC).replace(tzinfo=None) if at.tzinfo else at


def start_run(
    session: Session, loop: str, poller_group: str = "", at: dt.datetime | None = None
) -> PollRun:
    started = _naive_utc(at or dt.datetime.now(dt.UTC))
    _mark_abandoned(session, loop, poller_group, started)
    run = PollRun(loop=loop, poller_group=poller_group, started_at=started, errors=[])
    session.add(run)
    session.flush()
    return run


def _mark_abandoned(session: Session, loop: str, poller_group: str, now: dt.datetime) -> None:
    """Earlier runs of this loop and poller group that never finished (the process was killed
    or crashed mid-cycle) get an ``aborted`` error, so `status` and the PollRun list say why
    they have no end. ended_at stays empty: when they stopped is unknown, and /metrics counts
    only ended runs as completed cycles. A run still alive in another process of the same
    group (a misconfiguration) overwrites the mark with its real errors when it finishes."""
    for run in session.scalars(
        select(PollRun).where(
            PollRun.loop == loop,
            PollRun.poller_group == poller_group,
            PollRun.ended_at.is_(None),
        )
    ):
        if any(error.get("reason") == "aborted" for error in run.errors or []):
            continue
        run.errors = [
            *(run.errors or []),
            {
                "device": "",
                "reason": "aborted",
                "message": f"run never finished (process killed or crashed); noticed at "
                f"{now:%Y-%m-%d %H:%M:%S} UTC when the next {loop} run started",
            },
        ]


def finish_run(
    session: Session, run: PollRun, facts: Sequence[DeviceFacts | ProbeSample], at: dt.datetime
) -> None:
    """Close a run with its counts and each failure's reason (failures are data)."""
    errors: list[dict[str, str]] = []
    for item in facts:
        if isinstance(item, DeviceFacts) and item.error is not None:
            errors.append(
                {
                    "device": item.hostname,
                    "reason": item.error.reason,
                    "message": item.error.message,
                }
            )
        elif isinstance(item, ProbeSample) and not item.up:
            errors.append(
                {
                    "device": item.target,
                    "reason": "unreachable",
                    "message": item.error or f"no answer from {item.address}",
                }
            )
    run.devices_total = len(facts)
    run.devices_failed = len(errors)
    run.devices_ok = len(facts) - len(errors)
    run.errors = errors
    run.ended_at = _naive_utc(at)


def ingest_device_facts(session: Session, facts: DeviceFacts) -> list[Change]:
    """Merge one device's facts. Unknown hostnames are ignored (only inventory CIs are polled)."""
    device = session.scalar(select(Device).where(Device.hostname == facts.hostname))
    if device is None:
        return []
    at = _naive_utc(facts.collected_at)
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
    identity = _fit(
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
        changes += _sync_interfaces(session, device, facts.interfaces, facts.source, at)
    if facts.software is not None:
        changes += _sync_software(session, device, facts, at)
    for attribute in ("sshd", "host_state"):
        observed = getattr(facts, attribute)
        if observed is not None:
            changes += _sync_mapping(session, device, attribute, observed, facts.source, at)
    if facts.ike_sas is not None:
        device.ike_sas = [asdict(sa) for sa in facts.ike_sas]
    if facts.running_config is not None:
        changes += _store_config(session, device, facts.running_config, facts.source, at)
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


def _sync_interfaces(
    session: Session,
    device: Device,
    observed: Sequence[InterfaceFact],
    source: str,
    at: dt.datetime,
) -> list[Change]:
    """Interfaces by ifIndex. Status flaps are state, not change: only names/speeds are audited."""
    changes = []
    current = {i.index: i for i in device.interfaces}
    seen = set()
    for fact in observed:
        seen.add(fact.index)
        values = _fit(
            Interface,
            {
                "name": fact.name,
                "description": fact.description,
                "alias": fact.alias,
                "kind": fact.kind,
                "admin_up": fact.admin_up,
                "oper_up": fact.oper_up,
                "speed_bps": fact.speed_bps,
                "mac": fact.mac,
                "mtu": fact.mtu,
            },
        )
        row = current.get(fact.index)
        if row is None:
            device.interfaces.append(Interface(index=fact.index, **values))
            if current:  # the first discovery of a device is not a change of it
                changes.append(
                    record_event(
                        session,
                        device,
                        "device",
                        "interface added",
                        None,
                        values["name"],
                        source,
                        at,
                    )
                )
            continue
        if row.name != values["name"] or (row.speed_bps or 0) != (fact.speed_bps or 0):
            changes.append(
                record_event(
                    session,
                    device,
                    "device",
                    f"interface {fact.index}",
                    f"{row.name} {row.speed_bps}",
                    f"{values['name']} {fact.speed_bps}",
                    source,
                    at,
                )
            )
        for key, value in values.items():
            setattr(row, key, value)
    for index, row in current.items():
        if index not in seen:
            device.interfaces.remove(row)
            changes.append(
                record_event(
                    session, device, "device", "interface removed", row.name, None, source, at
                )
            )
    return changes


def _sync_software(
    session: Session, device: Device, facts: DeviceFacts, at: dt.datetime
) -> list[Change]:
    assert facts.software is not None
    current = {(s.name, s.version): s for s in device.software}
    observed: dict[tuple[str, str], dict[str, Any]] = {}
    for item in facts.software:
        fitted = _fit(InstalledSoftware, asdict(item))
        observed[(fitted["name"], fitted["version"])] = fitted
    changes = []
    first = not current
    for key, fact in observed.items():
        if key not in current:
            device.software.append(InstalledSoftware(**fact, first_seen=at))
            if not first:
                changes.append(
                    record_event(
                        session,
                        device,
                        "device",
                        "software installed",
                        None,
                        f"{fact['name']} {fact['version']}".strip(),
                        facts.source,
                        at,
                    )
                )
    for key, row in current.items():
        if key not in observed:
            device.software.remove(row)
            changes.append(
                record_event(
                    session,
                    device,
                    "device",
                    "software removed",
                    f"{row.name} {row.version}".strip(),
                    None,
                    facts.source,
                    at,
                )
            )
    return changes


def _sync_mapping(
    session: Session,
    device: Device,
    attribute: str,
    observed: dict[str, str],
    source: str,
    at: dt.datetime,
) -> list[Change]:
    old: dict[str, Any] = dict(getattr(device, attribute) or {})
    changes = []
    if old:
        for key in sorted(set(old) | set(observed)):
            if old.get(key) != observed.get(key):
                changes.append(
                    record_event(
                        session,
                        device,
                        "device",
                        f"{attribute}.{key}",
                        old.get(key),
                        observed.get(key),
                        source,
                        at,
                    )
                )
    setattr(device, attribute, dict(observed))
    return changes


def _store_config(
    session: Session, device: Device, text: str, source: str, at: dt.datetime
) -> list[Change]:
    """Store a (redacted) configuration only when its hash changed, with a diff to the last one."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    last = session.scalar(
        select(ConfigSnapshot)
        .where(ConfigSnapshot.device_id == device.id)
        .order_by(ConfigSnapshot.taken_at.desc(), ConfigSnapshot.id.desc())
        .limit(1)
    )
    if last is not None and last.sha256 == digest:
        last.last_confirmed = at
        return []
    diff = ""
    if last is not None:
        diff = "".join(
            difflib.unified_diff(
                last.text.splitlines(keepends=True),
                text.splitlines(keepends=True),
                fromfile=f"{device.hostname} {last.taken_at:%Y-%m-%d %H:%M}",
                tofile=f"{device.hostname} {at:%Y-%m-%d %H:%M}",
            )
        )
    session.add(
        ConfigSnapshot(
            device_id=device.id, taken_at=at, sha256=digest, text=text, diff=diff, last_confirmed=at
        )
    )
    if last is None:
        return []
    return [
        record_event(
            session, device, "device", "running-config", last.sha256[:12], digest[:12], source, at
        )
    ]


def ingest_probe_samples(session: Session, samples: Sequence[ProbeSample], at: dt.datetime) -> None:
    """Reachability samples → device/link state, link RTT history, outage intervals."""
    at = _naive_utc(at)
    devices = {d.hostname: d for d in session.scalars(select(Device))}
    links = {link.site.code: link for link in session.scalars(select(Link).join(Link.site))}
    open_outages = {
        (o.target_type, o.target_id): o
        for o in session.scalars(select(Outage).where(Outage.end.is_(None)))
    }
    for sample in samples:
        when = _naive_utc(sample.at)
        if sample.target.startswith("link:"):
            link = links.get(sample.target[5:])
            if link is None:
                continue
            link.up, link.last_probe = sample.up, when
            link.rtt_ms, link.loss_ratio = sample.rtt_avg_ms, sample.loss_ratio
            session.add(
                LinkSample(
                    link_id=link.id,
                    at=when,
                    up=sample.up,
                    rtt_ms=sample.rtt_avg_ms,
                    loss_ratio=sample.loss_ratio,
                )
            )
            _track_outage(session, open_outages, "link", link.id, link.site_id, sample, when)
            continue
        device = devices.get(sample.target)
        if device is None:
            continue
        device.reachable = sample.up
        if sample.up:
            device.last_seen = when
            device.first_seen = device.first_seen or when
        _track_outage(session, open_outages, "device", device.id, device.site_id, sample, when)


def _track_outage(
    session: Session,
    open_outages: dict[tuple[str, int], Outage],
    target_type: str,
    target_id: int,
    site_id: int,
    sample: ProbeSample,
    when: dt.datetime,
) -> None:
    current = open_outages.get((target_type, target_id))
    if not sample.up and current is None:
        outage = Outage(
            target_type=target_type,
            target_id=target_id,
            site_id=site_id,
            start=when,
            reason=sample.error or f"no answer to {sample.sent} probes",
        )
        session.add(outage)
        open_outages[(target_type, target_id)] = outage
    elif sample.up and current is not None:
        current.end = when
        del open_outages[(target_type, target_id)]
