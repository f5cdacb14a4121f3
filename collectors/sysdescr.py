"""Operating system identification from SNMP ``sysDescr``.

Table-driven: each pattern names the OS family and where the version is. The names are the
ones the lifecycle tables and the SSH collector use ("IOS", "IOS-XE", "FortiOS", "Ubuntu",
"Windows Server"), so SNMP and SSH never flip a device's OS name back and forth.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class OsIdentity:
    vendor: str | None = None
    os_name: str | None = None
    os_version: str | None = None
    kernel: str | None = None  # Linux only: the running kernel release


# Windows reports the NT build, not the product name; servers are what we inventory, so
# builds map to Windows Server releases (build 9600 is also Windows 8.1 on a desktop).
WINDOWS_SERVER_BUILDS = {
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
_IOS = re.compile(r"(?:Cisco IOS|IOS \(tm\)).*?Version\s+(?P<version>[\w.()]+)", re.S)
_IOS_XE = re.compile(r"IOS[ -]XE|IOSXE", re.I)
_FORTI = re.compile(r"Forti(?:Gate|OS|Wifi|Switch)[^\n]*?\bv(?P<version>\d+\.\d+(?:\.\d+)?)", re.I)
# Cisco video endpoints: "Cisco Codec\r\nSoftwareID: RoomOS 11.27.1.4 …" (CE 9.x said "ce9.15.3")
_ROOMOS = re.compile(
    r"Cisco Codec.*?SoftwareID:\s*(?:RoomOS\s+|ce)?(?P<version>\d+(?:\.\d+)+)", re.S
)
_WINDOWS = re.compile(r"Windows Version (?P<nt>[\d.]{1,20}) \(Build (?P<build>\d{1,9})\b")
_LINUX = re.compile(r"^Linux \S+ (?P<kernel>\S+)(?P<build>.*)$", re.S)


def identify(sys_descr: str) -> OsIdentity:
    """Return what sysDescr says about the OS; unknown formats give an empty identity."""
    # sysDescr is a DisplayString (255 octets; Cisco sends ~400): a megabyte of it is a broken
    # agent, and the lazy ".*?" patterns below would scan it quadratically.
    text = sys_descr[:MAX_SYS_DESCR].strip()
    if match := _IOS.search(text):
        version = match.group("version").rstrip(",")
        # Classic IOS stopped at 15.x; 16.x and later are IOS-XE even when the banner
        # says only "Cisco IOS Software" (Catalyst 9000 and 3650/3850 do).
        leading = re.match(r"\d+", version)
        major = int(leading.group()) if leading else 0
        name = "IOS-XE" if _IOS_XE.search(text) or major >= 16 else "IOS"
        return OsIdentity("Cisco", name, version)
    if match := _FORTI.search(text):
        return OsIdentity("Fortinet", "FortiOS", match.group("version"))
    if match := _ROOMOS.search(text):
        return OsIdentity("Cisco", "RoomOS", match.group("version"))
    if match := _WINDOWS.search(text):
        release = WINDOWS_SERVER_BUILDS.get(int(match.group("build")))
        if release is None:
            return OsIdentity("Microsoft", "Windows", match.group("nt"))
        return OsIdentity("Microsoft", "Windows Server", release)
    if match := _LINUX.match(text):
        kernel = match.group("kernel")
        release = kernel + match.group("build")
        for pattern, distro, version in LINUX_KERNELS:
            if found := re.search(pattern, release):
                return OsIdentity(None, distro, version.format(**found.groupdict()), kernel)
        return OsIdentity(None, "Linux", None, kernel)
    return OsIdentity()
