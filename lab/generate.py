"""Seeded generation of the simulated network: same seed and scale, same devices, byte for byte.

Address scheme: ``127.<net>.<site number>.<device number>`` where ``net`` is the lab instance
octet (20 for `lab up`, another value for a parallel test lab), the site number is the site's
position in the site list (1..79) and the device number its position in the site's full device
plan. `scale` keeps every site and drops devices from the end of each site's plan (the core
switch, VPN gateway and one server always stay), so addresses do not move with the scale.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from lab import catalog, devices
from lab.advisories import advisories_of
from lab.model import Device
from lab.plan_units import kept_slots
from lab.sites import Network, Site
from lab.violations import describe_cases, seed_violations

REFERENCE_DATE = dt.date(2026, 12, 1)
V3_REGION = "SUR"  # the region polled with SNMPv3 authPriv, so both versions are exercised
OWNERS = ("Unidad de Infraestructura Tecnológica", "Oficina de Tecnologías de la Información",
          "Unidad de Redes y Comunicaciones", "Área de Soporte Técnico")


@dataclass(frozen=True)
class Slot:
    """One planned device of a site: its role and number, before details are drawn."""

    role: str  # core | access | wan | linux | windows | voice | video
    number: int  # device number inside the site (last address octet)
    ordinal: int  # 1-based count within the role, for the hostname


_PREFIX = {"core": "cs", "access": "as", "wan": "vpn", "linux": "lnx", "windows": "win",
           "voice": "vgw", "video": "vc"}


def site_plan(site: Site, rng: random.Random) -> list[Slot]:
    """The full device plan of a site, most important first (what scale keeps)."""
    counts = {
        "headquarters": [("core", 2), ("wan", 2), ("linux", 10), ("windows", 10), ("access", 10),
                         ("voice", 1), ("video", 2)],
        "data_centre": [("core", 2), ("wan", 1), ("linux", 8), ("windows", 6), ("access", 4)],
        "regional_office": [("core", 1), ("wan", 1), ("linux", 3), ("windows", 3), ("access", 4),
                            ("voice", 1), ("video", 1)],
    }.get(site.kind)
    if counts is None:  # establishment: about 10 devices
        counts = [("core", 1), ("wan", 1), ("linux", 2), ("windows", 2), ("access", 3)]
        counts += [("voice", 1)] if rng.random() < 0.6 else []
        counts += [("video", 1)] if rng.random() < 0.4 else []
    # interleave servers so a reduced plan keeps one of each kind where it can
    order = {"core": 0, "wan": 1, "linux": 2, "windows": 3}
    slots: list[tuple[int, int, str, int]] = []
    for role, count in counts:
        for k in range(1, count + 1):
            rank = order.get(role, 4) + (10 * (k - 1) if role in order else 40)
            slots.append((rank, len(slots), role, k))
    slots.sort()
    return [Slot(role, n + 1, k) for n, (_, _, role, k) in enumerate(slots)]


def keep_count(total: int, scale: float) -> int:
    return min(total, max(3, round(total * scale)))


def generate(network: Network, seed: int, scale: float = 1.0, net: int = 20) -> list[Device]:
    """Every device of the lab, violations seeded; deterministic for (network, seed, scale, net)."""
    rng = random.Random(seed)
    skeletons: list[tuple[Device, Slot, Site]] = []
    for site in network.sites:
        plan = site_plan(site, rng)
        site_rng = random.Random(f"{seed}:{site.code}")
        for slot in kept_slots(plan, keep_count(len(plan), scale)):
            skeletons.append((_skeleton(site, slot, site_rng, net), slot, site))
    devices_ = [d for d, _, _ in skeletons]
    seed_violations(devices_, rng)
    for device, slot, site in skeletons:
        _fill(device, slot, site, random.Random(f"{seed}:{device.hostname}"))
        device.advisories = advisories_of(device)
    return devices_


def _skeleton(site: Site, slot: Slot, rng: random.Random, net: int) -> Device:
    kind, platform, vendor = {
        "core": ("switch", "cisco_ios", "Cisco"), "access": ("switch", "cisco_ios", "Cisco"),
        "wan": ("vpn_gateway", "cisco_ios", "Cisco"), "linux": ("server", "linux", ""),
        "windows": ("server", "windows", "Microsoft"),
        "voice": ("ip_phone_gateway", "cisco_ios", "Cisco"),
        "video": ("video_endpoint", "cisco_roomos", "Cisco"),
    }[slot.role]
    if slot.role == "wan" and rng.random() < (0.25 if site.kind == "establishment" else 0.15):
        platform, vendor = "fortios", "Fortinet"
    v3 = site.region == V3_REGION and platform != "windows"  # Windows' SNMP service is v2c only
    snmp_cred = f"snmp-v3-{site.region.lower()}" if v3 else f"snmp-{site.region.lower()}"
    ssh_cred = {"cisco_ios": "ssh-net", "linux": "ssh-linux"}.get(platform, "")
    return Device(
        hostname=f"{site.code.lower()}-{_PREFIX[slot.role]}{slot.ordinal:02d}", site=site.code,
        region=site.region, kind=kind, platform=platform,
        address=f"127.{net}.{site.number}.{slot.number}", vendor=vendor, model="", serial="",
        declared_serial="", owner="", os_name="", os_version="", sys_object_id="",
        purchase_date="", snmp_credential=snmp_cred, ssh_credential=ssh_cred, role=slot.role,
        variant=rng.randrange(1000))


def _fill(device: Device, slot: Slot, site: Site, rng: random.Random) -> None:
    bad = device.violations
    years = rng.uniform(6.0, 9.0) if "HW-LIFE-01" in bad else rng.uniform(0.5, 2.5)
    bought = REFERENCE_DATE - dt.timedelta(days=int(years * 365.25))
    device.purchase_date = bought.isoformat()
    device.owner = "" if "INV-OWN-01" in bad else rng.choice(OWNERS)
    if device.platform in ("cisco_ios", "fortios", "cisco_roomos"):
        _fill_network(device, site, rng, bought.year)
    else:
        _fill_server(device, rng, bought.year)
    if "INV-SER-01" in bad:
        device.serial = ""
    device.declared_serial = device.serial if rng.random() < 0.7 else ""
    if device.platform in ("linux", "windows"):  # servers report no ENTITY-MIB: the inventory must
        device.declared_serial = device.serial
    describe_cases(device)


def _pick_hw(device: Device, site: Site, rng: random.Random) -> catalog.HardwareModel:
    eol = "NET-VER-01" in device.violations
    if device.role == "core":
        key = "9300-48" if site.kind != "establishment" else rng.choice(("9300-24", "2960X-48"))
        return catalog.SWITCHES[key]
    if device.role == "access":
        if eol and rng.random() < 0.6:
            return catalog.SWITCHES["2960"]
        key = rng.choices(("2960X-24", "2960X-48", "9200"), weights=(25, 40, 35))[0]
        return catalog.SWITCHES[key]
    if device.role == "voice":  # an ISR 4321 running CUBE/SRST is the usual voice gateway
        return catalog.ROUTERS["ISR4321"]
    if device.role == "video":
        return catalog.VIDEO
    if device.platform == "fortios":
        return catalog.FORTIGATES["FG-60F" if site.kind == "establishment" else "FG-100F"]
    return catalog.ROUTERS["ISR4321" if site.kind == "establishment" else "ISR4331"]


def _fill_network(device: Device, site: Site, rng: random.Random, year: int) -> None:
    hw = _pick_hw(device, site, rng)
    eol = "NET-VER-01" in device.violations
    device.model, device.sys_object_id = hw.model, hw.sys_object_id
    device.serial = devices.serial(rng, hw, year)
    if hw.family == "fortigate":
        device.os_name = "FortiOS"
        device.os_version = rng.choice(catalog.FORTIOS_EOL if eol else catalog.FORTIOS_OK)
    elif hw.family == "roomkit":
        device.os_name, device.os_version = "RoomOS", catalog.ROOMOS_OK[0]
    elif hw.family in ("catalyst2960", "catalyst2960x"):
        device.os_name = "IOS"
        classic_eol = eol and hw.family == "catalyst2960"
        device.os_version = rng.choice(catalog.IOS_CLASSIC_EOL if classic_eol
                                       else catalog.IOS_CLASSIC_OK)
        if eol and not classic_eol:  # a 2960-X cannot run 12.2(55)SE: an old 15.0 instead
            device.os_version = "15.0(2)EX5"
    else:
        device.os_name = "IOS-XE"
        device.os_version = rng.choice(catalog.IOS_XE_EOL if eol else catalog.IOS_XE_OK)
    if hw.family in ("fortigate", "isr4000", "roomkit"):
        device.interfaces = devices.router_interfaces(rng, hw)
    else:
        device.interfaces = devices.switch_interfaces(rng, hw)


def _fill_server(device: Device, rng: random.Random, year: int) -> None:
    windows = device.platform == "windows"
    pool = catalog.WINDOWS if windows else catalog.LINUX
    eol = "OS-EOL-01" in device.violations
    release = rng.choice([r for r in pool if r.supported != eol])
    hardware = rng.choice(catalog.SERVER_HW)
    device.vendor = "Dell Inc." if hardware.startswith("PowerEdge") else "HPE"
    device.model = hardware
    device.os_name, device.os_version = release.os_name, release.version
    device.serial = devices.server_serial(rng, hardware)
    device.interfaces = devices.host_interfaces(rng, windows, hardware)
    if windows:
        device.sys_object_id = "1.3.6.1.4.1.311.1.1.3.1.2"
        device.software = devices.windows_software(rng, device.violations, device.variant)
        if "SW-AV-01" in device.violations and device.variant % 2:
            device.violations = sorted({*device.violations, "SW-STD-01"})  # old AV: below minimum
        elif "SW-AV-01" in device.violations:  # no antivirus at all: no engine runs either
            device.violations = sorted({*device.violations, "SW-AV-02"})
    else:
        device.sys_object_id = "1.3.6.1.4.1.8072.3.2.10"
        device.software = devices.linux_software(release.family, release.kernel)


def release_of(device: Device) -> catalog.OsRelease | None:
    """The catalogue entry of a server's OS (None for network devices or edited versions)."""
    for release in (*catalog.LINUX, *catalog.WINDOWS):
        if (release.os_name, release.version) == (device.os_name, device.os_version):
            return release
    return None
