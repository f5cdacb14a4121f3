"""The lab's cabling, and the neighbour tables (LLDP-MIB, CISCO-CDP-MIB, ARP) it makes agents serve.

At each site every network device (switches, routers, gateways, the video codec, and the
hidden MikroTik or switch) is cabled from its uplink port to a port of the site's first core
switch, as a star of one closet. Servers are not LLDP speakers here (Windows sends nothing,
and lldpd is optional on Linux): they appear only in the core switch's ARP table.

Both ends of a cable serve the other in lldpRemTable; Cisco ends also in cdpCacheTable. A cable
`lab edit --unplug` removes disappears from both ends' tables (truth.json "cables" follows).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass

from lab.model import Device, Interface

LLDP_PLATFORMS = ("cisco_ios", "fortios", "cisco_roomos", "routeros")
CDP_PLATFORMS = ("cisco_ios", "cisco_roomos")

LLDP_LOC_PORT = "1.0.8802.1.1.2.1.3.7.1"
LLDP_REM = "1.0.8802.1.1.2.1.4.1.1"
LLDP_REM_MAN_ADDR = "1.0.8802.1.1.2.1.4.2.1"
CDP_CACHE = "1.3.6.1.4.1.9.9.23.1.2.1.1"
ARP = "1.3.6.1.2.1.4.22.1"

Record = tuple[str, str, str]


@dataclass(frozen=True)
class Cable:
    a: str  # hostname
    a_port: str  # interface name (ifDescr)
    b: str
    b_port: str

    def ends(self) -> tuple[tuple[str, str], tuple[str, str]]:
        return (self.a, self.a_port), (self.b, self.b_port)

    def to_json(self) -> dict[str, str]:
        return asdict(self)


def _physical(device: Device) -> list[Interface]:
    return [i for i in device.interfaces if i.kind == 6 and i.oper_up]


def uplink_port(device: Device) -> str | None:
    ports = _physical(device)
    for alias in ("UPLINK-CORE", "LAN"):
        named = [i for i in ports if i.alias == alias]
        if named:
            return named[0].name
    # a FortiGate's LAN side is its "internal" switch; anything else uplinks on its first port
    preferred = [i for i in ports if i.name.startswith("internal")] or ports
    return preferred[0].name if preferred else None


def cabling(
    devices: list[Device], unplugged: frozenset[tuple[str, str]] = frozenset()
) -> list[Cable]:
    """Every cable between LLDP speakers, site by site; ``unplugged`` (host, port) ends removed."""
    by_site: dict[str, list[Device]] = defaultdict(list)
    for device in devices:
        if device.platform in LLDP_PLATFORMS:
            by_site[device.site].append(device)
    cables: list[Cable] = []
    for site_devices in by_site.values():
        cores = [d for d in site_devices if d.role == "core"]
        if not cores:
            continue
        core = cores[0]
        free = [i.name for i in _physical(core) if i.alias != "UPLINK-CORE"]
        for peer in site_devices:
            port = uplink_port(peer)
            if peer is core or port is None or not free:
                continue
            cable = Cable(core.hostname, free.pop(0), peer.hostname, port)
            if not ({*cable.ends()} & unplugged):
                cables.append(cable)
    return cables


@dataclass(frozen=True)
class Neighbour:
    local_port: Interface
    remote: Device
    remote_port: str


def neighbours(device: Device, cables: list[Cable], by_host: dict[str, Device]) -> list[Neighbour]:
    ports = {i.name: i for i in device.interfaces}
    found = []
    for cable in cables:
        for (host, port), (other, other_port) in (cable.ends(), cable.ends()[::-1]):
            if host == device.hostname and port in ports and other in by_host:
                found.append(Neighbour(ports[port], by_host[other], other_port))
    return found


def _hex(text: str) -> str:
    return text.encode().hex()


def _ip_hex(address: str) -> str:
    return "".join(f"{int(part):02x}" for part in address.split("."))


def _short(name: str) -> str:
    for long, short in (("TenGigabitEthernet", "Te"), ("GigabitEthernet", "Gi"),
                        ("FastEthernet", "Fa")):
        if name.startswith(long):
            return short + name[len(long):]
    return name


def _chassis_mac(device: Device) -> str:
    macs = [i.mac for i in device.interfaces if i.mac]
    return (macs[0] if macs else "00:00:00:00:00:00").replace(":", "")


def neighbour_records(device: Device, found: list[Neighbour],
                      sys_descr: dict[str, str]) -> list[Record]:
    """lldpLocPortTable and lldpRemTable (+ management address) and, on Cisco, cdpCacheTable.
    The LLDP local port number is the ifIndex, as Catalysts number them."""
    recs: list[Record] = []
    if device.platform not in LLDP_PLATFORMS:
        return recs
    for n in found:
        port, remote, index = n.local_port, n.remote, n.local_port.index
        row = f"0.{index}.1"
        recs += [
            (f"{LLDP_LOC_PORT}.2.{index}", "2", "5"), (f"{LLDP_LOC_PORT}.3.{index}", "4x",
                                                       _hex(_short(port.name))),
            (f"{LLDP_LOC_PORT}.4.{index}", "4x", _hex(port.name)),
            (f"{LLDP_REM}.4.{row}", "2", "4"), (f"{LLDP_REM}.5.{row}", "4x", _chassis_mac(remote)),
            (f"{LLDP_REM}.6.{row}", "2", "5"), (f"{LLDP_REM}.7.{row}", "4x",
                                                _hex(_short(n.remote_port))),
            (f"{LLDP_REM}.8.{row}", "4x", _hex(n.remote_port)),
            (f"{LLDP_REM}.9.{row}", "4x", _hex(remote.hostname)),
            (f"{LLDP_REM}.10.{row}", "4x", _hex(sys_descr.get(remote.hostname, ""))),
            (f"{LLDP_REM_MAN_ADDR}.3.{row}.1.4.{remote.address}", "2", "2"),
        ]
        if device.platform in CDP_PLATFORMS and remote.platform in CDP_PLATFORMS:
            cdp = f"{index}.1"
            recs += [
                (f"{CDP_CACHE}.3.{cdp}", "2", "1"), (f"{CDP_CACHE}.4.{cdp}", "4x",
                                                     _ip_hex(remote.address)),
                (f"{CDP_CACHE}.5.{cdp}", "4x", _hex(sys_descr.get(remote.hostname, ""))),
                (f"{CDP_CACHE}.6.{cdp}", "4x", _hex(remote.hostname)),
                (f"{CDP_CACHE}.7.{cdp}", "4x", _hex(n.remote_port)),
                (f"{CDP_CACHE}.8.{cdp}", "4x", _hex(f"cisco {remote.model}")),
            ]
    return recs


def arp_records(device: Device, site_devices: list[Device]) -> list[Record]:
    """The core switch routes its site's management VLAN: ARP entries for every other device
    that has a MAC (declared or not), on the VLAN interface (Vlan10)."""
    if device.role != "core" or device.platform != "cisco_ios":
        return []
    vlan = next((i.index for i in device.interfaces if i.name == "Vlan10"), 1)
    recs: list[Record] = []
    for other in site_devices:
        macs = [i.mac for i in other.interfaces if i.mac]
        if other is device or not macs:
            continue
        row = f"{vlan}.{other.address}"
        recs += [(f"{ARP}.1.{row}", "2", str(vlan)),
                 (f"{ARP}.2.{row}", "4x", macs[0].replace(":", "")),
                 (f"{ARP}.3.{row}", "64", other.address), (f"{ARP}.4.{row}", "2", "3")]
    return recs
