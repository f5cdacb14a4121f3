"""What the simulated devices can be: models, OS releases and software, as real devices report them.

Releases are split into *supported* (safe past 2027-06, see docs/rules-contract.md) and
*end-of-life* (used only when a device is seeded with NET-VER-01 / OS-EOL-01 / SW-* violations).
Sources for the dates: the shared COMPLIANCE-FACTS.md, section 3 (endoflife.date, Cisco doc
214946).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class HardwareModel:
    """One orderable model: what ENTITY-MIB, sysObjectID and `show version` report."""

    family: str  # catalyst2960, catalyst2960x, catalyst9200, catalyst9300, isr4000, fortigate, …
    model: str  # entPhysicalModelName / PID
    sys_object_id: str
    ports: int  # access ports (0 for routers)
    uplinks: int
    serial_prefix: str
    description: str  # entPhysicalDescr


SWITCHES = {
    "2960": HardwareModel("catalyst2960", "WS-C2960-24TT-L", "1.3.6.1.4.1.9.1.716", 24, 2, "FOC",
                          "Catalyst 2960 24 10/100 + 2 1000BT LAN Base Image"),
    "2960X-24": HardwareModel("catalyst2960x", "WS-C2960X-24TS-L", "1.3.6.1.4.1.9.1.1208", 24, 4,
                              "FOC", "WS-C2960X-24TS-L"),
    "2960X-48": HardwareModel("catalyst2960x", "WS-C2960X-48TS-L", "1.3.6.1.4.1.9.1.1208", 48, 4,
                              "FOC", "WS-C2960X-48TS-L"),
    "9200": HardwareModel("catalyst9200", "C9200L-48P-4G", "1.3.6.1.4.1.9.1.2694", 48, 4, "JAE",
                          "C9200L-48P-4G"),
    "9300-24": HardwareModel("catalyst9300", "C9300-24T", "1.3.6.1.4.1.9.1.2494", 24, 8, "FOC",
                             "C9300-24T"),
    "9300-48": HardwareModel("catalyst9300", "C9300-48P", "1.3.6.1.4.1.9.1.2495", 48, 8, "FOC",
                             "C9300-48P"),
}
ROUTERS = {
    "ISR4321": HardwareModel("isr4000", "ISR4321/K9", "1.3.6.1.4.1.9.1.2068", 0, 2, "FDO",
                             "Cisco ISR4321 Chassis"),
    "ISR4331": HardwareModel("isr4000", "ISR4331/K9", "1.3.6.1.4.1.9.1.1861", 0, 3, "FDO",
                             "Cisco ISR4331 Chassis"),
}
FORTIGATES = {
    "FG-60F": HardwareModel("fortigate", "FGT60F", "1.3.6.1.4.1.12356.101.1.641", 7, 2, "FGT60F",
                            "FortiGate-60F"),
    "FG-100F": HardwareModel("fortigate", "FGT100F", "1.3.6.1.4.1.12356.101.1.1041", 16, 2,
                             "FG100F", "FortiGate-100F"),
}
VIDEO = HardwareModel("roomkit", "CS-KIT-K9", "1.3.6.1.4.1.5596.150.6.4.1", 0, 1, "FOC",
                      "Cisco Webex Room Kit")
SERVER_HW = ("PowerEdge R650", "PowerEdge R740", "ProLiant DL380 Gen10",
             "ProLiant DL360 Gen10 Plus")

# classic IOS for Catalyst 2960/2960-X; IOS-XE for 9200/9300/ISR; (version, supported)
IOS_CLASSIC_OK = ("15.2(7)E10", "15.2(7)E9", "15.2(7)E11")
IOS_CLASSIC_EOL = ("12.2(55)SE12", "12.2(55)SE10")
IOS_XE_OK = ("17.12.4", "17.12.5", "17.15.3", "17.15.2")
IOS_XE_EOL = ("16.12.4", "16.12.10a", "17.3.4a", "17.6.5")
FORTIOS_OK = ("7.4.8", "7.4.9", "7.6.3")
FORTIOS_EOL = ("6.2.15", "6.4.12", "7.0.14")
ROOMOS_OK = ("11.27.1.4",)


@dataclass(frozen=True)
class OsRelease:
    """One server OS release with how it shows in os-release, SNMP and the package manager."""

    os_name: str  # normalised name the compliance tables use
    version: str
    pretty: str
    kernel: str  # Linux uname -r, or Windows "6.3 (Build 9600)"
    family: str  # debian | rhel | windows
    supported: bool
    id: str = ""  # os-release ID
    codename: str = ""


LINUX = (
    OsRelease("Ubuntu", "24.04", "Ubuntu 24.04.2 LTS", "6.8.0-60-generic", "debian", True, "ubuntu",
              "noble"),
    OsRelease("Debian", "12", "Debian GNU/Linux 12 (bookworm)", "6.1.0-37-amd64", "debian", True,
              "debian", "bookworm"),
    OsRelease("Debian", "13", "Debian GNU/Linux 13 (trixie)", "6.12.38+deb13-amd64", "debian", True,
              "debian", "trixie"),
    OsRelease("Red Hat Enterprise Linux", "9.4", "Red Hat Enterprise Linux 9.4 (Plow)",
              "5.14.0-427.13.1.el9_4.x86_64", "rhel", True, "rhel"),
    OsRelease("Red Hat Enterprise Linux", "8.10", "Red Hat Enterprise Linux 8.10 (Ootpa)",
              "4.18.0-553.el8_10.x86_64", "rhel", True, "rhel"),
    OsRelease("Ubuntu", "16.04", "Ubuntu 16.04.7 LTS", "4.4.0-210-generic", "debian", False,
              "ubuntu", "xenial"),
    OsRelease("Ubuntu", "18.04", "Ubuntu 18.04.6 LTS", "4.15.0-213-generic", "debian", False,
              "ubuntu", "bionic"),
    OsRelease("Debian", "9", "Debian GNU/Linux 9 (stretch)", "4.9.0-19-amd64", "debian", False,
              "debian", "stretch"),
    OsRelease("CentOS Linux", "7", "CentOS Linux 7 (Core)", "3.10.0-1160.119.1.el7.x86_64", "rhel",
              False, "centos"),
)
WINDOWS = (
    OsRelease("Windows Server", "2019", "Windows Server 2019 Standard", "6.3 (Build 17763",
              "windows", True),
    OsRelease("Windows Server", "2022", "Windows Server 2022 Standard", "6.3 (Build 20348",
              "windows", True),
    OsRelease("Windows Server", "2008 R2", "Windows Server 2008 R2 Standard", "6.1 (Build 7601",
              "windows", False),
    OsRelease("Windows Server", "2012 R2", "Windows Server 2012 R2 Standard", "6.3 (Build 9600",
              "windows", False),
)

# Windows software: (name as hrSWInstalledName shows it, version, vendor)
Software = tuple[str, str, str]
WIN_AV_OK: tuple[Software, ...] = (
    ("Kaspersky Endpoint Security for Windows", "12.6.0.438", "AO Kaspersky Lab"),
    ("ESET Endpoint Security", "11.1.2039.2", "ESET, spol. s r.o."),
)
WIN_AV_OLD: Software = ("Kaspersky Endpoint Security 10 for Windows", "10.3.0.6294",
                        "AO Kaspersky Lab")
WIN_OFFICE_OK: Software = ("Microsoft Office LTSC Standard 2024", "16.0.17932.20328",
                           "Microsoft Corporation")
WIN_OFFICE_EOL: Software = ("Microsoft Office Standard 2010", "14.0.7015.1000",
                            "Microsoft Corporation")
WIN_BROWSERS_OK: tuple[Software, ...] = (
    ("Google Chrome", "142.0.7444.176", "Google LLC"),
    ("Mozilla Firefox ESR (x64 es-ES)", "140.5.0", "Mozilla"),
)
WIN_BROWSER_OLD: Software = ("Google Chrome", "109.0.5414.120", "Google LLC")
WIN_DB_OK: Software = ("Microsoft SQL Server 2022", "16.0.4175.1", "Microsoft Corporation")
WIN_DB_EOL: Software = ("Microsoft SQL Server 2008 R2", "10.53.6000.34", "Microsoft Corporation")
WIN_COMMON: tuple[Software, ...] = (
    ("7-Zip 24.08 (x64)", "24.08", "Igor Pavlov"),
    ("Adobe Acrobat Reader (64-bit)", "25.001.20844", "Adobe"),
    ("Microsoft Visual C++ 2015-2022 Redistributable (x64)", "14.40.33810.0",
     "Microsoft Corporation"),
)
WIN_NONSTANDARD: tuple[Software, ...] = (
    ("uTorrent", "3.6.0.47168", "BitTorrent Inc."),
    ("WinRAR 3.93 (32-bit)", "3.93.0", "win.rar GmbH"),
)
# licensable product with no entitlement in the inventory (LIC-01)
WIN_UNLICENSED: Software = ("AutoCAD 2025 - English", "25.0.58.0", "Autodesk")
# licensed products whose entitlement is expired (LIC-01, odd variant) or has no seats (LIC-02)
WIN_EXPIRED: Software = ("Microsoft Visio Professional 2021", "16.0.14332.20447",
                         "Microsoft Corporation")
WIN_OVER_SEATS: Software = ("Microsoft Project Professional 2021", "16.0.14332.20447",
                            "Microsoft Corporation")
EXPIRED_ON = "2025-12-31"
# products the inventory declares entitlements for
LICENSED_PRODUCTS = ("Microsoft Office LTSC Standard 2024", "Microsoft SQL Server 2022")

LINUX_PACKAGES_DEB = (
    ("openssh-server", "1:9.6p1-3ubuntu13.5"), ("rsyslog", "8.2312.0-3ubuntu9"),
    ("chrony", "4.5-1ubuntu4.1"), ("auditd", "1:3.1.2-2.1build1"), ("nftables", "1.0.9-1build1"),
    ("nginx", "1.24.0-2ubuntu7.1"), ("postgresql-16", "16.9-0ubuntu0.24.04.1"),
    ("net-snmp", "5.9.4+dfsg-1.1ubuntu3"), ("sudo", "1.9.15p5-3ubuntu5"),
)
LINUX_PACKAGES_RPM = (
    ("openssh-server", "8.7p1-38.el9"), ("rsyslog", "8.2310.0-4.el9"), ("chrony", "4.5-1.el9"),
    ("audit", "3.1.2-2.el9"), ("firewalld", "1.3.4-1.el9"), ("httpd", "2.4.57-8.el9"),
    ("postgresql-server", "13.14-1.el9_3"), ("net-snmp", "5.9.1-13.el9"),
    ("sudo", "1.9.5p2-10.el9"),
)
