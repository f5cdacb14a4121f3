"""A device's parts, synchronised with what a collector observed: interfaces (by ifIndex),
installed software, key/value state (sshd, host_state) and configuration snapshots. Each
returns the audited changes; none commits."""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cmdb.changes import record_event
from cmdb.ingest_values import fit
from cmdb.models import Change, ConfigSnapshot, Device, InstalledSoftware, Interface
from collectors.base import DeviceFacts, InterfaceFact


def sync_interfaces(
    session: Session,
    device: Device,
    observed: Sequence[InterfaceFact],
    source: str,
    at: dt.datetime,
) -> list[Change]:
    """Interfaces by ifIndex. Status flaps are state, not change: only names/speeds are audited."""

    def event(field: str, old: str | None, new: str | None) -> Change:
        return record_event(session, device, "device", field, old, new, source, at)

    changes = []
    current = {i.index: i for i in device.interfaces}
    for fact in observed:
        values = _interface_values(fact)
        row = current.get(fact.index)
        if row is None:
            device.interfaces.append(Interface(index=fact.index, **values))
            if current:  # the first discovery of a device is not a change of it
                changes.append(event("interface added", None, values["name"]))
            continue
        if row.name != values["name"] or (row.speed_bps or 0) != (fact.speed_bps or 0):
            old, new = f"{row.name} {row.speed_bps}", f"{values['name']} {fact.speed_bps}"
            changes.append(event(f"interface {fact.index}", old, new))
        for key, value in values.items():
            setattr(row, key, value)
    seen = {fact.index for fact in observed}
    for index, row in current.items():
        if index not in seen:
            device.interfaces.remove(row)
            changes.append(event("interface removed", row.name, None))
    return changes


def _interface_values(fact: InterfaceFact) -> dict[str, Any]:
    """The columns of one observed interface, fitted to the table's lengths."""
    return fit(
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


def sync_software(
    session: Session, device: Device, facts: DeviceFacts, at: dt.datetime
) -> list[Change]:
    assert facts.software is not None
    current = {(s.name, s.version): s for s in device.software}
    observed: dict[tuple[str, str], dict[str, Any]] = {}
    for item in facts.software:
        fitted = fit(InstalledSoftware, asdict(item))
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


def sync_mapping(
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


def store_config(
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
