"""Vendor MIB scalars that say what sysDescr leaves out: which OS a device runs and its release.

A FortiGate's sysDescr holds its hostname or nothing; a Palo Alto firewall's names only its
series; a MikroTik's names its board (or just "router"); a Synology NAS answers with net-snmp's
generic sysObjectID and a plain Linux sysDescr. Each of them keeps the release in its own MIB.
A collector GETs these with the system group (an agent leaves out what it lacks): which ones to
ask is decided by the sysObjectID's enterprise (`oids_for`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from collectors.os_identity import DeviceClass
from collectors.snmp_mib import FG_SYS_VERSION


@dataclass(frozen=True)
class ReleaseSource:
    name: str  # MIB::object, shown as evidence
    oid: str
    enterprises: frozenset[int]  # sysObjectID enterprises worth asking
    vendor: str
    os_name: str  # an answer in the expected form proves the family
    device_class: DeviceClass | None
    pattern: re.Pattern[str]  # group "release"


RELEASE_SOURCES: tuple[ReleaseSource, ...] = (
    # "v7.4.8,build2662,250523 (GA.M)"; only FortiGates implement FORTINET-FORTIGATE-MIB
    ReleaseSource(
        "FORTINET-FORTIGATE-MIB::fgSysVersion",
        FG_SYS_VERSION,
        frozenset({12356}),
        "Fortinet",
        "FortiOS",
        "firewall",
        re.compile(r"^v?(?P<release>\d+\.\d+(?:\.\d+)?)\b"),
    ),
    # "10.1.14-h6": a hotfix is part of the release advisories name
    ReleaseSource(
        "PAN-COMMON-MIB::panSysSwVersion",
        "1.3.6.1.4.1.25461.2.1.2.1.1.0",
        frozenset({25461}),
        "Palo Alto Networks",
        "PAN-OS",
        "firewall",
        re.compile(r"^(?P<release>\d+\.\d+\.\d+(?:-h\d+)?)\s*$"),
    ),
    # "6.44.2", "7.20.6": the RouterOS package version (the board decides switch or router)
    ReleaseSource(
        "MIKROTIK-MIB::mtxrLicVersion",
        "1.3.6.1.4.1.14988.1.1.4.4.0",
        frozenset({14988}),
        "MikroTik",
        "RouterOS",
        None,
        re.compile(r"^(?P<release>\d+\.\d+(?:\.\d+)?(?:(?:rc|beta)\d+)?)\s*$"),
    ),
    # "DSM 7.1-42962": Synology's agent is net-snmp and says only "Linux <host> <kernel>"
    ReleaseSource(
        "SYNOLOGY-SYSTEM-MIB::version",
        "1.3.6.1.4.1.6574.1.5.3.0",
        frozenset({8072, 6574}),
        "Synology",
        "DSM",
        "storage",
        re.compile(r"^DSM (?P<release>\d+\.\d+(?:\.\d+)?-\d+)"),
    ),
)


def oids_for(enterprise: int | None) -> tuple[str, ...]:
    """The vendor OIDs worth a GET for a device of this sysObjectID enterprise."""
    return tuple(source.oid for source in RELEASE_SOURCES if enterprise in source.enterprises)


def release_from(
    enterprise: int | None, extra: Mapping[str, str]
) -> tuple[ReleaseSource, str, str] | None:
    """(source, release, raw value) from the first source that answered in its expected form."""
    for source in RELEASE_SOURCES:
        if enterprise not in source.enterprises or source.oid not in extra:
            continue
        value = extra[source.oid].strip()
        if found := source.pattern.match(value):
            return source, found.group("release"), value
    return None
