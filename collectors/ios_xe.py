"""The IOS XE 3.x release behind a Cisco IOSd version.

IOS XE 3.x runs classic IOS as one Linux process (IOSd), and sysDescr prints only IOSd's
version: "ASR1000 Software (PPC_LINUX_IOSD-ADVENTERPRISEK9-M), Version 15.5(3)S1a". Advisories,
end-of-support notices and Cisco's recommended releases name the IOS XE release (3.16.1aS), so
that is the one to report. Cisco names each IOS XE 3.x image after both releases, and this table
pairs the trains as those names do: asr1002x-universalk9.03.12.00.S.154-2.S-std.SPA.bin is
IOS XE 3.12.0S with IOSd 15.4(2)S; cat3k_caa-universalk9.SPA.03.06.10.E.152-2.E10.bin is 3.6.10E
with 15.2(2)E10.
The rebuild number and its letter carry over unchanged (15.5(3)S1a is 3.16.1aS).
Releases are written the way Cisco's advisories write them: 3.16.1aS, 3.7.5E, 3.2.3SE.
"""

from __future__ import annotations

import re

# IOSd train -> (IOS XE 3.x major.minor, release suffix). S: ASR 1000, ISR 4000, CSR 1000V;
# EX/EZ: the first Catalyst 3850/3650 releases; E: Catalyst 3850/3650 and 4500-E after them;
# SG: Catalyst 4500-E Sup7-E. Classic IOS also has E trains (2960-X runs 15.2(2)E): callers
# apply this table only to an IOS XE image.
IOSD_TRAINS: dict[str, tuple[str, str]] = {
    "15.0(1)S": ("3.1", "S"),
    "15.1(1)S": ("3.2", "S"),
    "15.1(2)S": ("3.3", "S"),
    "15.1(3)S": ("3.4", "S"),
    "15.2(1)S": ("3.5", "S"),
    "15.2(2)S": ("3.6", "S"),
    "15.2(4)S": ("3.7", "S"),
    "15.3(1)S": ("3.8", "S"),
    "15.3(2)S": ("3.9", "S"),
    "15.3(3)S": ("3.10", "S"),
    "15.4(1)S": ("3.11", "S"),
    "15.4(2)S": ("3.12", "S"),
    "15.4(3)S": ("3.13", "S"),
    "15.5(1)S": ("3.14", "S"),
    "15.5(2)S": ("3.15", "S"),
    "15.5(3)S": ("3.16", "S"),
    "15.6(1)S": ("3.17", "S"),
    "15.6(2)S": ("3.18", "S"),
    "15.6(2)SP": ("3.18", "SP"),
    "15.0(1)EX": ("3.2", "SE"),
    "15.0(1)EZ": ("3.3", "SE"),
    "15.0(2)SG": ("3.2", "SG"),
    "15.1(1)SG": ("3.3", "SG"),
    "15.1(2)SG": ("3.4", "SG"),
    "15.2(1)E": ("3.5", "E"),
    "15.2(2)E": ("3.6", "E"),
    "15.2(3)E": ("3.7", "E"),
    "15.2(4)E": ("3.8", "E"),
    "15.2(5)E": ("3.9", "E"),
    "15.2(6)E": ("3.10", "E"),
    "15.2(7)E": ("3.11", "E"),
}

_IOSD = re.compile(r"^(?P<train>\d+\.\d+\(\d+\)[A-Z]+)(?P<rebuild>\d*)(?P<letter>[a-z]?)$")
# As devices print it: "03.07.05E", "03.06.06.E", "03.16.10.S", "03.16.01a.S"
_PRINTED_3X = re.compile(
    r"^0?3\.0?(?P<minor>\d{1,2})\.0?(?P<rebuild>\d{1,2})(?P<letter>[a-z]?)\.?(?P<suffix>[A-Z]{1,2})$"
)


def xe_release(iosd_version: str) -> str | None:
    """IOSd "15.5(3)S1a" -> IOS XE "3.16.1aS"; None for a train this table does not know."""
    found = _IOSD.match(iosd_version)
    if not found or found.group("train") not in IOSD_TRAINS:
        return None
    xe, suffix = IOSD_TRAINS[found.group("train")]
    return f"{xe}.{found.group('rebuild') or '0'}{found.group('letter')}{suffix}"


def printed_xe3(version: str) -> str | None:
    """An IOS XE 3.x release as printed ("03.07.05E") in advisory form ("3.7.5E"), else None."""
    found = _PRINTED_3X.match(version)
    if not found:
        return None
    minor, rebuild = int(found.group("minor")), int(found.group("rebuild"))
    return f"3.{minor}.{rebuild}{found.group('letter')}{found.group('suffix')}"
