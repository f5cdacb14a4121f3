"""snmpsim data files (.snmprec) for each device: system, IF-MIB, ENTITY-MIB, HOST-RESOURCES.

Installed software in hrSWInstalledName carries its version the way each agent shows it:
Windows ``<DisplayName> <version>`` (the DisplayName alone when it already holds the version),
net-snmp on Debian ``<package>_<version>_amd64``, on RHEL ``<package>-<version>.x86_64``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

from lab import cabling, catalog, ios, linux
from lab.generate import release_of
from lab.model import Device, SoftwareItem

Record = tuple[str, str, str]  # oid, tag, value

SYS = "1.3.6.1.2.1.1"
IF = "1.3.6.1.2.1.2.2.1"
IFX = "1.3.6.1.2.1.31.1.1.1"
ENT = "1.3.6.1.2.1.47.1.1.1.1"
HR = "1.3.6.1.2.1.25"


def text(value: str) -> tuple[str, str]:
    """Tag and value for an OCTET STRING; hex when it holds CR/LF, '|', or non-ASCII."""
    if value.isascii() and value.isprintable() and "|" not in value:
        return "4", value
    return "4x", value.encode("utf-8").hex()


def _str(oid: str, value: str) -> Record:
    tag, encoded = text(value)
    return oid, tag, encoded


def sys_descr(device: Device) -> str:
    if device.sys_descr_text:
        return device.sys_descr_text
    if device.platform == "cisco_ios":
        return ios.sys_descr(device)
    if device.platform == "linux":
        return linux.sys_descr(device)
    if device.platform == "windows":
        release = release_of(device)
        kernel = release.kernel if release else "6.3 (Build 20348"
        return ("Hardware: Intel64 Family 6 Model 85 Stepping 7 AT/AT COMPATIBLE - "
                f"Software: Windows Version {kernel} Multiprocessor Free)")
    if device.platform == "fortios":
        return device.model.replace("FGT", "FortiGate-")
    return (f"Cisco Codec\r\nSoftwareID: {device.os_name} {device.os_version}\r\n"
            f"MCU: Cisco Webex Room Kit\r\nS/N: {device.serial}")


def installed_name(device: Device, item: SoftwareItem) -> str:
    if device.platform == "windows":
        return item.name if item.version in item.name else f"{item.name} {item.version}"
    if linux.release(device).family == "rhel":
        return f"{item.name}-{item.version}.x86_64"
    return f"{item.name}_{item.version}_amd64"


@dataclass(frozen=True)
class Wiring:
    """What a device sees around it: its cabled neighbours and, on a core switch, its ARP."""

    neighbours: list[cabling.Neighbour] = field(default_factory=list)
    site_devices: list[Device] = field(default_factory=list)
    sys_descr: dict[str, str] = field(default_factory=dict)  # hostname -> sysDescr


def wirings(devices: list[Device], cables: list[cabling.Cable]) -> dict[str, Wiring]:
    """Each device's wiring from the whole lab's devices (declared and hidden) and cables."""
    by_host = {d.hostname: d for d in devices}
    by_site: dict[str, list[Device]] = {}
    for device in devices:
        by_site.setdefault(device.site, []).append(device)
    descr = {d.hostname: sys_descr(d).split("\r\n")[0] for d in devices}
    return {d.hostname: Wiring(cabling.neighbours(d, cables, by_host), by_site[d.site], descr)
            for d in devices}


def records(device: Device, wiring: Wiring | None = None) -> list[Record]:
    rng = random.Random(f"{device.hostname}:counters")
    uptime = 100 * (86400 * (3 + device.variant % 300) + device.variant * 37)
    recs: list[Record] = [
        _str(f"{SYS}.1.0", sys_descr(device)), (f"{SYS}.2.0", "6", device.sys_object_id),
        (f"{SYS}.3.0", "67", str(uptime)), _str(f"{SYS}.4.0", "noc@red.gob.pe"),
        _str(f"{SYS}.5.0", device.hostname), _str(f"{SYS}.6.0", device.site),
        (f"{SYS}.7.0", "2", "72" if device.platform in ("linux", "windows") else "6"),
        ("1.3.6.1.2.1.2.1.0", "2", str(len(device.interfaces))),
    ]
    for i in device.interfaces:
        n = i.index
        octets_in, octets_out = rng.randrange(10**9, 10**12), rng.randrange(10**9, 10**12)
        recs += [
            (f"{IF}.1.{n}", "2", str(n)), _str(f"{IF}.2.{n}", i.description or i.name),
            (f"{IF}.3.{n}", "2", str(i.kind)), (f"{IF}.4.{n}", "2", str(i.mtu)),
            (f"{IF}.5.{n}", "66", str(min(i.speed, 4294967295))),
            (f"{IF}.6.{n}", "4x", i.mac.replace(":", "")),
            (f"{IF}.7.{n}", "2", "1" if i.admin_up else "2"),
            (f"{IF}.8.{n}", "2", "1" if i.oper_up else "2"),
            (f"{IF}.9.{n}", "67", str(rng.randrange(uptime))),
            (f"{IF}.10.{n}", "65", str(octets_in % 2**32)), (f"{IF}.14.{n}", "65", "0"),
            (f"{IF}.16.{n}", "65", str(octets_out % 2**32)), (f"{IF}.20.{n}", "65", "0"),
            _str(f"{IFX}.1.{n}", _short_name(i.name)),
            (f"{IFX}.6.{n}", "70", str(octets_in)), (f"{IFX}.10.{n}", "70", str(octets_out)),
            (f"{IFX}.15.{n}", "66", str(i.speed // 1_000_000)), _str(f"{IFX}.18.{n}", i.alias),
        ]
    if device.platform not in ("linux", "windows", "routeros"):  # RouterOS has no ENTITY-MIB
        recs += _entity(device)
    else:
        recs += _host_resources(device, uptime, rng)
    if device.platform == "fortios":
        recs += [_str("1.3.6.1.4.1.12356.101.4.1.1.0", _forti_version(device)),
                 _str("1.3.6.1.4.1.12356.100.1.1.1.0", device.serial)]
    recs += [_str(oid, value) for oid, value in device.extra_values.items()]
    if wiring is not None:
        recs += cabling.neighbour_records(device, wiring.neighbours, wiring.sys_descr)
        recs += cabling.arp_records(device, wiring.site_devices)
    return recs


def _short_name(name: str) -> str:
    for long, short in (("TenGigabitEthernet", "Te"), ("GigabitEthernet", "Gi"),
                        ("FastEthernet", "Fa"), ("Tunnel", "Tu"), ("Null", "Nu")):
        if name.startswith(long):
            return short + name[len(long):]
    return name


def _forti_version(device: Device) -> str:
    return f"v{device.os_version},build{2000 + device.variant},250523 (GA.M)"


def _entity(device: Device) -> list[Record]:
    """One chassis entry (entPhysicalClass 3): what `show inventory` also reports."""
    software = _forti_version(device) if device.platform == "fortios" else device.os_version
    descr = {**catalog.SWITCHES, **catalog.ROUTERS, **catalog.FORTIGATES}
    found = [hw.description for hw in descr.values() if hw.model == device.model]
    return [
        _str(f"{ENT}.2.1", found[0] if found else catalog.VIDEO.description),
        (f"{ENT}.3.1", "6", device.sys_object_id), (f"{ENT}.4.1", "2", "0"),
        (f"{ENT}.5.1", "2", "3"), _str(f"{ENT}.7.1", "Chassis"), _str(f"{ENT}.8.1", "V02"),
        _str(f"{ENT}.9.1", ""), _str(f"{ENT}.10.1", software),
        _str(f"{ENT}.11.1", device.serial), _str(f"{ENT}.12.1", device.vendor or "Cisco"),
        _str(f"{ENT}.13.1", device.model),
    ]


def _host_resources(device: Device, uptime: int, rng: random.Random) -> list[Record]:
    recs: list[Record] = [(f"{HR}.1.1.0", "67", str(uptime)), (f"{HR}.2.2.0", "2", "16777216")]
    windows = device.platform == "windows"
    disks = [("C:\\ Label:  Serial Number 3c2a1f0e", 4096, 120 * 2**30),
             ("D:\\ Label:DATOS  Serial Number 5e6f7a8b", 4096, 500 * 2**30)] if windows else \
        [("/", 4096, 80 * 2**30), ("/var", 4096, 200 * 2**30), ("/boot", 1024, 2**30)]
    storage = [("Physical Memory", "1.3.6.1.2.1.25.2.1.2", 1024, 32 * 2**30), *(
        (name, "1.3.6.1.2.1.25.2.1.4", unit, size) for name, unit, size in disks)]
    for n, (name, typ, unit, size) in enumerate(storage, start=1):
        units = size // unit
        recs += [(f"{HR}.2.3.1.1.{n}", "2", str(n)), (f"{HR}.2.3.1.2.{n}", "6", typ),
                 _str(f"{HR}.2.3.1.3.{n}", name), (f"{HR}.2.3.1.4.{n}", "2", str(unit)),
                 (f"{HR}.2.3.1.5.{n}", "2", str(units)),
                 (f"{HR}.2.3.1.6.{n}", "2", str(int(units * rng.uniform(0.2, 0.85))))]
    recs += [(f"{HR}.6.1.0", "67", str(uptime // 2))]
    if windows:
        for pid, name in windows_processes(device):
            recs += [_str(f"{HR}.4.2.1.2.{pid}", name)]
    for n, item in enumerate(device.software, start=1):
        recs += [(f"{HR}.6.3.1.1.{n}", "2", str(n)),
                 _str(f"{HR}.6.3.1.2.{n}", installed_name(device, item)),
                 (f"{HR}.6.3.1.3.{n}", "6", "0.0"), (f"{HR}.6.3.1.4.{n}", "2", "4"),
                 (f"{HR}.6.3.1.5.{n}", "4x", "07e8060f0c000000")]  # 2024-06-15 12:00
    return recs


# the engine process of each antivirus the lab installs (hrSWRunName as Windows reports it)
AV_ENGINES = {"Kaspersky": "avp.exe", "ESET": "ekrn.exe", "Defender": "MsMpEng.exe"}
BASE_PROCESSES = ("System", "smss.exe", "csrss.exe", "wininit.exe", "services.exe", "lsass.exe",
                  "svchost.exe", "svchost.exe", "spoolsv.exe", "snmp.exe", "explorer.exe")


def windows_processes(device: Device) -> list[tuple[int, str]]:
    """(pid, name) of the running processes; the antivirus engine stops when SW-AV-02 is seeded."""
    names = list(BASE_PROCESSES)
    if "SW-AV-02" not in device.violations:
        names += [engine for vendor, engine in AV_ENGINES.items()
                  if any(vendor in item.name for item in device.software)]
    return [(4 + 4 * n, name) for n, name in enumerate(names)]


def render(device: Device, wiring: Wiring | None = None) -> str:
    ordered = sorted(records(device, wiring), key=lambda r: tuple(int(p) for p in r[0].split(".")))
    return "".join(f"{oid}|{tag}|{value}\n" for oid, tag, value in ordered)


def write(device: Device, directory: Path, wiring: Wiring | None = None) -> Path:
    path = directory / f"{device.hostname}.snmprec"
    path.write_text(render(device, wiring), encoding="utf-8")
    return path
