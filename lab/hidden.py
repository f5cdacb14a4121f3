"""Devices plugged in at a site that nobody declared: what discovery must find.

Some sites declare a management prefix (`discovery_sites`); at some of those (`hiding_sites`),
one or two devices answer ICMP and SNMP (with the site's own credential, as a technician who
copied a switch's configuration would leave them) on addresses inside the prefix but outside
the lab's inventory.toml. The others declare a prefix and hide nothing, so "discovery finds
nothing else" is tested too. Their sysObjectID, sysDescr and vendor MIB values are real devices'
as LibreNMS recorded them (librenms/librenms tests/snmpsim/, commit 490710c6, the same
recordings tests/collectors/fixtures/sysdescr/devices.json cites).
"""

from __future__ import annotations

import random

from lab import catalog, devices
from lab.model import Device, Interface
from lab.sites import Network, Site

PREFIX_LENGTH = 26  # .0-.63: every planned device of a site below the headquarters fits
HIDDEN_FROM = 50  # hidden devices' last octet: past any establishment's or office's plan


def discovery_sites(network: Network) -> list[Site]:
    """The sites whose inventory declares a management prefix (one in ten, no headquarters:
    its 37 planned devices would overflow a /26)."""
    return [s for s in network.sites if s.number % 10 == 3]


def hiding_sites(network: Network) -> list[Site]:
    return [s for s in network.sites if s.number % 20 == 3]


def prefix(site: Site, net: int) -> str:
    return f"127.{net}.{site.number}.0/{PREFIX_LENGTH}"


def _mikrotik(site: Site, rng: random.Random) -> Device:
    # routeros_rb5009upr+s+.snmprec: sysDescr and mtxrLicVersion
    device = _base(site, "router", "routeros", "MikroTik", "RB5009UPr+S+",
                   "1.3.6.1.4.1.14988.1", rng)
    device.sys_descr_text = "RouterOS RB5009UPr+S+"
    device.extra_values = {"1.3.6.1.4.1.14988.1.1.4.4.0": "7.20.6"}  # mtxrLicVersion
    device.os_name, device.os_version = "RouterOS", "7.20.6"
    device.interfaces = [Interface(n, f"ether{n}", 100_000_000, f"ether{n}",
                                   mac=devices.mac(rng, "4c:5e:0c")) for n in range(1, 6)]
    return device


def _linux_box(site: Site, rng: random.Random) -> Device:
    # linux_raspberrypi.snmprec: a Raspberry Pi running net-snmp
    device = _base(site, "server", "linux", "", "", "1.3.6.1.4.1.8072.3.2.10", rng)
    device.sys_descr_text = "Linux mso 4.19.97+ #1294 Thu Jan 30 13:10:54 GMT 2020 armv6l"
    device.os_name, device.os_version = "Linux", ""
    device.interfaces = [Interface(1, "lo", 10_000_000, "lo", kind=24, mtu=65536),
                         Interface(2, "eth0", 1_000_000_000, "eth0",
                                   mac=devices.mac(rng, "dc:a6:32"))]
    return device


def _cisco_switch(site: Site, rng: random.Random) -> Device:
    hw = catalog.SWITCHES["2960X-24"]
    device = _base(site, "switch", "cisco_ios", "Cisco", hw.model, hw.sys_object_id, rng)
    device.os_name, device.os_version = "IOS", catalog.IOS_CLASSIC_OK[0]
    device.serial = devices.serial(rng, hw, 2021)
    device.interfaces = devices.switch_interfaces(rng, hw)
    return device


_KINDS = ((_mikrotik, _linux_box), (_cisco_switch,), (_linux_box,), (_mikrotik, _cisco_switch))


def _base(site: Site, kind: str, platform: str, vendor: str, model: str, oid: str,
          rng: random.Random) -> Device:
    return Device(hostname="", site=site.code, region=site.region, kind=kind, platform=platform,
                  address="", vendor=vendor, model=model, serial="", declared_serial="",
                  owner="", os_name="", os_version="", sys_object_id=oid, purchase_date="",
                  snmp_credential="", ssh_credential="", role="hidden",
                  variant=rng.randrange(1000), declared=False)


def undeclared(network: Network, planned: list[Device], seed: int, net: int) -> list[Device]:
    """The hidden devices, each with the SNMP credential of its site's first planned device."""
    credential: dict[str, str] = {}
    for device in planned:
        credential.setdefault(device.site, device.snmp_credential)
    found: list[Device] = []
    for n, site in enumerate(hiding_sites(network)):
        rng = random.Random(f"{seed}:{site.code}:hidden")
        for k, make in enumerate(_KINDS[n % len(_KINDS)]):
            device = make(site, rng)
            device.hostname = f"{site.code.lower()}-unknown{k + 1:02d}"
            device.address = f"127.{net}.{site.number}.{HIDDEN_FROM + k}"
            device.snmp_credential = credential.get(site.code, f"snmp-{site.region.lower()}")
            found.append(device)
    return found
