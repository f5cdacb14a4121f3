"""Operating system identification from SNMP ``sysDescr`` (and from `show version`, which
starts with the same banner on Cisco IOS).

Table-driven: each rule names a pattern and the reader that turns its match into an identity.
The names are the ones the lifecycle tables and the SSH collector use ("IOS", "IOS-XE",
"FortiOS", "Ubuntu", "Windows Server"), so SNMP and SSH never flip a device's OS name back and
forth. sysDescr alone cannot tell a Linux server from an appliance that runs a Linux kernel:
collectors/identity.py decides that with the sysObjectID.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from collectors import sysdescr_cisco as cisco
from collectors import sysdescr_vendors as vendors
from collectors.os_identity import OsIdentity, Reader

__all__ = ["RULES", "OsIdentity", "SysDescrRule", "identify"]

# Windows reports the NT build, not the product name; servers are what we inventory, so
# builds map to Windows Server releases (build 9600 is also Windows 8.1 on a desktop).
WINDOWS_SERVER_BUILDS = {
    3790: "2003",
    6001: "2008",
    6002: "2008",
    6003: "2008",
    7600: "2008 R2",
    7601: "2008 R2",
    9200: "2012",
    9600: "2012 R2",
    14393: "2016",
    17763: "2019",
    20348: "2022",
    26100: "2025",
}

# Kernel release families each distribution shipped with its releases. sysDescr carries
# only the kernel, so this is a best guess that the SSH collector's os-release confirms.
LINUX_KERNELS: tuple[tuple[str, str, str], ...] = (
    # (regex on the kernel release and build string, distribution, version); names as
    # os-release's NAME, except Debian whose NAME carries "GNU/Linux"
    (r"\.el7[._]", "CentOS Linux", "7"),
    (r"\.el(?P<major>[89])_(?P<minor>\d+)", "Red Hat Enterprise Linux", "{major}.{minor}"),
    (r"\.el(?P<major>[89])\.", "Red Hat Enterprise Linux", "{major}"),
    (r"^4\.4\.0-\d+-generic.*Ubuntu", "Ubuntu", "16.04"),
    (r"^4\.15\.0-\d+-generic.*Ubuntu", "Ubuntu", "18.04"),
    (r"^5\.4\.0-\d+-generic.*Ubuntu", "Ubuntu", "20.04"),
    (r"^5\.15\.0-\d+-generic.*Ubuntu", "Ubuntu", "22.04"),
    (r"^6\.8\.0-\d+-generic.*Ubuntu", "Ubuntu", "24.04"),
    (r"^4\.9\.0-\d+-amd64", "Debian", "9"),
    (r"^4\.19\.0-\d+-amd64", "Debian", "10"),
    (r"^5\.10\.0-\d+-amd64", "Debian", "11"),
    (r"^6\.1\.0-\d+-amd64", "Debian", "12"),
    (r"\+deb13-amd64|^6\.12\.\d+.*Debian", "Debian", "13"),
)

MAX_SYS_DESCR = 4096
MAX_EVIDENCE = 240
WINDOWS = re.compile(r"Windows Version (?P<nt>[\d.]{1,20}) \(Build (?P<build>\d{1,9})\b")
# "Linux <host> <kernel> <build>"; some appliances leave the host name out
LINUX = re.compile(r"^Linux (?:\S+ )?(?P<kernel>\d+\.\d+\S*)(?P<build>.*)$", re.S)


def read_windows(match: re.Match[str], text: str) -> OsIdentity:
    release = WINDOWS_SERVER_BUILDS.get(int(match.group("build")))
    if release is None:
        return OsIdentity("Microsoft", "Windows", match.group("nt"))
    return OsIdentity("Microsoft", "Windows Server", release, device_class="server")


def read_linux(match: re.Match[str], text: str) -> OsIdentity:
    kernel = match.group("kernel")
    release = kernel + match.group("build")
    for pattern, distro, version in LINUX_KERNELS:
        if found := re.search(pattern, release):
            distro_version = version.format(**found.groupdict())
            return OsIdentity(None, distro, distro_version, kernel, device_class="server")
    return OsIdentity(None, "Linux", None, kernel, device_class="server")


@dataclass(frozen=True)
class SysDescrRule:
    name: str  # shown as evidence: "which rule said this is IOS-XE"
    pattern: re.Pattern[str]
    read: Reader


# First match wins: the more specific banner goes first (IOS XR and FTD also say "IOS"/"ASA").
RULES: tuple[SysDescrRule, ...] = (
    SysDescrRule("cisco-ios-xr", cisco.IOS_XR, cisco.read_ios_xr),
    SysDescrRule("cisco-ios", cisco.IOS, cisco.read_ios),
    SysDescrRule("cisco-nx-os", cisco.NX_OS, cisco.read_nx_os),
    SysDescrRule("cisco-ftd", cisco.FTD, cisco.read_ftd),
    SysDescrRule("cisco-asa", cisco.ASA, cisco.read_asa),
    SysDescrRule("cisco-aireos", cisco.AIREOS, cisco.read_aireos),
    SysDescrRule("fortinet-fortios", vendors.FORTIOS, vendors.read_fortios),
    SysDescrRule("cisco-roomos", cisco.ROOMOS, cisco.read_roomos),
    SysDescrRule("juniper-junos", vendors.JUNOS, vendors.read_junos),
    SysDescrRule("huawei-vrp", vendors.VRP, vendors.read_vrp),
    SysDescrRule("hp-procurve", vendors.PROCURVE, vendors.read_procurve),
    SysDescrRule("hpe-aos-cx", vendors.AOS_CX, vendors.read_aos_cx),
    SysDescrRule("aruba-arubaos", vendors.ARUBAOS, vendors.read_arubaos),
    SysDescrRule("paloalto-pan-os", vendors.PAN_OS, vendors.read_pan_os),
    SysDescrRule("mikrotik-routeros", vendors.ROUTEROS, vendors.read_routeros),
    SysDescrRule("vmware-esxi", vendors.ESXI, vendors.read_esxi),
    SysDescrRule("windows", WINDOWS, read_windows),
    SysDescrRule("linux", LINUX, read_linux),
)


def identify(sys_descr: str) -> OsIdentity:
    """Return what sysDescr says about the OS; unknown formats give an empty identity."""
    # sysDescr is a DisplayString (255 octets; Cisco sends ~400): a megabyte of it is a broken
    # agent, and the lazy ".*?" patterns would scan it quadratically.
    text = sys_descr[:MAX_SYS_DESCR].strip()
    for rule in RULES:
        if match := rule.pattern.search(text):
            identity = rule.read(match, text)
            evidence = identity.evidence or " ".join(match.group().split())
            return replace(identity, rule=rule.name, evidence=evidence[:MAX_EVIDENCE])
    return OsIdentity()
