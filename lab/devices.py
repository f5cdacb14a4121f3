"""Per-model details: interfaces as IF-MIB lists them, serials, MACs and installed software."""

from __future__ import annotations

import random
import string

from lab import catalog
from lab.catalog import HardwareModel
from lab.model import Interface, SoftwareItem

_GIGA = 1_000_000_000
_TEN_GIGA = 10_000_000_000


def mac(rng: random.Random, oui: str) -> str:
    return oui + ":" + ":".join(f"{rng.randrange(256):02x}" for _ in range(3))


def serial(rng: random.Random, hw: HardwareModel, year: int) -> str:
    """Cisco LLLYYWWSSSS (year code = year - 1996), FortiGate FGTxxxTKYYWWnnnn."""
    week = rng.randint(1, 52)
    if hw.family == "fortigate":
        return f"{hw.serial_prefix}TK{year % 100:02d}{week:02d}{rng.randrange(10000):04d}"
    tail = "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(4))
    return f"{hw.serial_prefix}{year - 1996:02d}{week:02d}{tail}"


def server_serial(rng: random.Random, hardware: str) -> str:
    alnum = string.ascii_uppercase + string.digits
    if hardware.startswith("PowerEdge"):  # Dell service tag: 7 characters
        return "".join(rng.choice(alnum) for _ in range(7))
    return "CZJ" + "".join(rng.choice(alnum) for _ in range(7))  # HPE: 10 characters


def switch_interfaces(rng: random.Random, hw: HardwareModel) -> list[Interface]:
    """Catalyst numbering: 2960 classic uses ifIndex 10001+ (Fa) / 10101+ (Gi); 9x00 counts up."""
    oui = "00:1e:bd"
    ifaces = [Interface(1, "Vlan1", _GIGA, "Vlan1", kind=53, admin_up=False, oper_up=False,
                        mac=mac(rng, oui))]
    ifaces.append(Interface(10, "Vlan10", _GIGA, "Vlan10", alias="GESTION", kind=53,
                            mac=mac(rng, oui)))
    if hw.family == "catalyst2960":
        ports = [(10000 + n, f"FastEthernet0/{n}", 100_000_000) for n in range(1, hw.ports + 1)]
        ports += [(10100 + n, f"GigabitEthernet0/{n}", _GIGA) for n in range(1, hw.uplinks + 1)]
    elif hw.family == "catalyst2960x":
        ports = [(10100 + n, f"GigabitEthernet1/0/{n}", _GIGA)
                 for n in range(1, hw.ports + hw.uplinks + 1)]
    else:
        base = 11 if hw.family == "catalyst9300" else 12  # past Vlan10's ifIndex
        up = "TenGigabitEthernet1/1/" if hw.family == "catalyst9300" else "GigabitEthernet1/1/"
        speed = _TEN_GIGA if hw.family == "catalyst9300" else _GIGA
        ports = [(base + n, f"GigabitEthernet1/0/{n + 1}", _GIGA) for n in range(hw.ports)]
        ports += [(base + hw.ports + n, f"{up}{n + 1}", speed) for n in range(hw.uplinks)]
    used = rng.randint(len(ports) // 3, len(ports) - 1)
    for position, (index, name, speed) in enumerate(ports):
        uplink = position >= len(ports) - hw.uplinks
        alias = "UPLINK-CORE" if uplink and position == len(ports) - hw.uplinks else ""
        linked = position < used or bool(alias)
        ifaces.append(Interface(index, name, speed, name, alias=alias, oper_up=linked,
                                mac=mac(rng, oui)))
    return ifaces


def router_interfaces(rng: random.Random, hw: HardwareModel) -> list[Interface]:
    oui = "70:e4:22"
    if hw.family == "fortigate":
        names = ["wan1", "wan2", "dmz"] + [f"internal{n}" for n in range(1, hw.ports - 1)]
        ifaces = [Interface(n + 1, name, _GIGA, name, oper_up=n != 1, mac=mac(rng, "00:09:0f"))
                  for n, name in enumerate(names)]
        ifaces.append(Interface(len(names) + 1, "vpn-hq", 0, "vpn-hq", kind=131, mtu=1420))
        return ifaces
    names = [f"GigabitEthernet0/0/{n}" for n in range(hw.uplinks)]
    ifaces = [Interface(n + 1, name, _GIGA, name, alias="WAN-OPERADOR" if n == 0 else "LAN",
                        mac=mac(rng, oui)) for n, name in enumerate(names)]
    ifaces.append(Interface(len(names) + 1, "GigabitEthernet0", _GIGA, "GigabitEthernet0",
                            alias="OOB", admin_up=False, oper_up=False, mac=mac(rng, oui)))
    ifaces.append(Interface(len(names) + 2, "Null0", 10_000_000_000 // 10, "Null0", kind=1))
    if hw.family == "isr4000":
        ifaces.append(Interface(len(names) + 3, "Tunnel1", 100_000, "Tunnel1",
                                alias="VPN-UPLINK", kind=131, mtu=1400))
    return ifaces


def host_interfaces(rng: random.Random, windows: bool, hardware: str) -> list[Interface]:
    if windows:
        nic = ("Intel(R) Ethernet Server Adapter I350-T2" if "PowerEdge" in hardware
               else "HPE Ethernet 1Gb 4-port 331i Adapter")
        return [
            Interface(1, "Software Loopback Interface 1", 1_073_741_824, kind=24, mtu=1500),
            Interface(12, nic, _GIGA, nic, mac=mac(rng, "b8:ca:3a")),
            Interface(13, f"{nic} #2", _GIGA, f"{nic} #2", oper_up=False,
                      mac=mac(rng, "b8:ca:3a")),
        ]
    return [
        Interface(1, "lo", 10_000_000, "lo", kind=24, mtu=65536),
        Interface(2, "eno1", _GIGA, "eno1", mac=mac(rng, "b8:ca:3a")),
        Interface(3, "eno2", _GIGA, "eno2", oper_up=False, mac=mac(rng, "b8:ca:3a")),
    ]


def windows_software(rng: random.Random, violations: list[str], variant: int) -> list[SoftwareItem]:
    """A Windows server's installed products; seeded violations pick the faulty variants."""
    items: list[catalog.Software] = list(catalog.WIN_COMMON)
    if "SW-AV-01" not in violations:
        items.append(rng.choice(catalog.WIN_AV_OK))
    elif variant % 2:
        items.append(catalog.WIN_AV_OLD)
    eol = "SW-EOL-01" in violations
    items.append(catalog.WIN_OFFICE_EOL if eol and variant % 2 == 0 else catalog.WIN_OFFICE_OK)
    if eol and variant % 2:
        items.append(catalog.WIN_DB_EOL)
    elif rng.random() < 0.3:
        items.append(catalog.WIN_DB_OK)
    std = "SW-STD-01" in violations
    old_browser = std and variant % 3 == 0
    items.append(catalog.WIN_BROWSER_OLD if old_browser else catalog.WIN_BROWSERS_OK[0])
    if rng.random() < 0.5:
        items.append(catalog.WIN_BROWSERS_OK[1])
    if std and not old_browser:
        items.append(catalog.WIN_NONSTANDARD[0])
    if "LIC-01" in violations:  # one that expired, and (even variants) one with none at all
        items.append(catalog.WIN_EXPIRED)
        if variant % 2 == 0:
            items.append(catalog.WIN_UNLICENSED)
    if "LIC-02" in violations:
        items.append(catalog.WIN_OVER_SEATS)
    return [SoftwareItem(*item) for item in items]


def linux_software(family: str, kernel: str) -> list[SoftwareItem]:
    if family == "rhel":
        packages = [*catalog.LINUX_PACKAGES_RPM, ("kernel", kernel.removesuffix(".x86_64"))]
    else:
        image = (f"linux-image-{kernel}", "-".join(kernel.split("-")[:2]))
        packages = [*catalog.LINUX_PACKAGES_DEB, image]
    return [SoftwareItem(name, version) for name, version in sorted(packages)]
