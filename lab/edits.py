"""`lab edit`: change a running device, for change-detection tests.

Each edit is applied to the device's record in truth.json (which the SSH agent re-reads and
from which the device's .snmprec is rewritten) and appended to edits.json, so the next `lab up`
with the same seed and scale replays it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from lab.advisories import advisories_of
from lab.cabling import Cable
from lab.inventory import write_atomic
from lab.model import Device, SoftwareItem
from lab.procs import LabError

KEYS = ("add_lines", "remove_lines", "os_version", "install", "uninstall", "serial")


def apply(device: Device, change: dict[str, Any]) -> None:
    """Apply one change: add_lines/remove_lines (running-config lines), os_version,
    install ({name: version}), uninstall ([names]), serial (what the device now reports)."""
    unknown = set(change) - set(KEYS)
    if unknown:
        raise LabError(f"unknown edit(s): {', '.join(sorted(unknown))}")
    for line in change.get("add_lines") or []:
        if line in device.config_removed:
            device.config_removed.remove(line)
        else:
            device.config_added.append(line)
    for line in change.get("remove_lines") or []:
        if line in device.config_added:
            device.config_added.remove(line)
        else:
            device.config_removed.append(line)
    if change.get("os_version"):
        device.os_version = str(change["os_version"])
    for name, version in (change.get("install") or {}).items():
        device.software = [s for s in device.software if s.name != name]
        device.software.append(SoftwareItem(name, str(version)))
    for name in change.get("uninstall") or []:
        if not any(s.name == name for s in device.software):
            raise LabError(f"{device.hostname}: {name!r} is not installed")
        device.software = [s for s in device.software if s.name != name]
    if change.get("serial") is not None:
        device.serial = str(change["serial"])
    device.advisories = advisories_of(device)  # a new release or package changes them


def edit(state_dir: Path, truth_path: Path, hostname: str, change: dict[str, Any]) -> Device:
    truth = json.loads(truth_path.read_text())
    for n, raw in enumerate(truth["devices"]):
        if raw["hostname"] == hostname:
            device = Device.from_json(raw)
            if (change.get("add_lines") or change.get("remove_lines")) and \
                    device.platform != "cisco_ios":
                raise LabError(f"{hostname} is {device.platform}: only cisco_ios has a "
                               "running-config to edit")
            apply(device, change)
            truth["devices"][n] = device.to_json()
            break
    else:
        raise LabError(f"no device {hostname!r} in {truth_path}")
    write_atomic(truth_path, json.dumps(truth, indent=1))
    _log(state_dir, {"hostname": hostname, **change})
    return device


def unplug(state_dir: Path, truth_path: Path, hostname: str, port: str) -> Cable:
    """Remove the cable at (hostname, port) from truth.json and log it for the next `up`."""
    truth = json.loads(truth_path.read_text())
    cables = [Cable(**c) for c in truth.get("cables", [])]
    found = [c for c in cables if (hostname, port) in c.ends()]
    if not found:
        raise LabError(f"no cable on {hostname} port {port!r} (see 'cables' in {truth_path})")
    truth["cables"] = [c.to_json() for c in cables if c not in found]
    write_atomic(truth_path, json.dumps(truth, indent=1))
    _log(state_dir, {"hostname": hostname, "unplug": port})
    return found[0]


def unplugged(state_dir: Path) -> frozenset[tuple[str, str]]:
    """The (hostname, port) ends `lab edit --unplug` removed, for the next `up` to keep out."""
    log_path = state_dir / "edits.json"
    if not log_path.exists():
        return frozenset()
    return frozenset((e["hostname"], e["unplug"]) for e in json.loads(log_path.read_text())
                     if e.get("unplug"))


def _log(state_dir: Path, entry: dict[str, Any]) -> None:
    log_path = state_dir / "edits.json"
    log = json.loads(log_path.read_text()) if log_path.exists() else []
    log.append(entry)
    write_atomic(log_path, json.dumps(log, indent=1))


def replay(state_dir: Path, devices: list[Device]) -> None:
    log_path = state_dir / "edits.json"
    if not log_path.exists():
        return
    by_name = {d.hostname: d for d in devices}
    for entry in json.loads(log_path.read_text()):
        device = by_name.get(entry["hostname"])
        if device is not None:
            apply(device, {k: v for k, v in entry.items() if k in KEYS})


def update_site_states(truth_path: Path, data: dict[str, Any]) -> None:
    """Keep truth.json's per-site unreachable/loss/delay in step with faults.json."""
    if not truth_path.exists():
        return
    truth = json.loads(truth_path.read_text())
    for site in truth["sites"]:
        site["unreachable"] = site["code"] in data["failed"]
        site["loss_percent"] = int(data["degraded"].get(site["code"], 0))
        site["delay_s"] = float(data["slow"].get(site["code"], 0.0))
    write_atomic(truth_path, json.dumps(truth, indent=1))
