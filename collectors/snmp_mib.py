"""The MIB objects Atalaya reads, by numeric OID, and how their raw values become facts.

Numeric OIDs on purpose: no MIB files are needed at run time (Debian ships no IETF MIBs),
and the same numbers go into the snmp_exporter module the benchmark compares against.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from collectors.base import InterfaceFact, SoftwareFact, StorageFact

ValueType = None | str | bytes | int | float

SYS_DESCR = "1.3.6.1.2.1.1.1.0"
SYS_OBJECT_ID = "1.3.6.1.2.1.1.2.0"
SYS_UPTIME = "1.3.6.1.2.1.1.3.0"
SYS_NAME = "1.3.6.1.2.1.1.5.0"
SYSTEM = (SYS_DESCR, SYS_OBJECT_ID, SYS_UPTIME, SYS_NAME)

IF_TABLE = "1.3.6.1.2.1.2.2.1"
IF_X_TABLE = "1.3.6.1.2.1.31.1.1.1"
# Only the columns we store: walking whole tables would also fetch ~15 counters per port.
IF_COLUMNS = {
    "descr": f"{IF_TABLE}.2",
    "type": f"{IF_TABLE}.3",
    "mtu": f"{IF_TABLE}.4",
    "mac": f"{IF_TABLE}.6",
    "admin": f"{IF_TABLE}.7",
    "oper": f"{IF_TABLE}.8",
    "speed": f"{IF_TABLE}.5",
    "name": f"{IF_X_TABLE}.1",
    "high_speed": f"{IF_X_TABLE}.15",
    "alias": f"{IF_X_TABLE}.18",
}
# Columns whose values are a few bytes (numbers, MACs): collectors/snmp.py asks for a whole
# column of these in one request once it knows the row count. Text columns are not narrow.
NARROW_COLUMNS = frozenset({"type", "mtu", "mac", "admin", "oper", "speed", "high_speed"})
# ifSpeed saturates at 2^32-1 bit/s; only then is ifHighSpeed (whole Mbit/s, which rounds
# 1,073,741,824 down to 1,073 Mbit/s and a 100 kbit/s tunnel to 0) the better figure.
IF_SPEED_CEILING = 4_294_967_295

# FORTINET-FORTIGATE-MIB fgSysVersion ("v7.4.8,build2662,250523 (GA.M)"): a FortiGate's
# sysDescr often holds only the model, so the release is read here. Asked in the same GET
# as the system group: agents without it just leave it out of the answer.
FORTINET = "1.3.6.1.4.1.12356."
FG_SYS_VERSION = "1.3.6.1.4.1.12356.101.4.1.1.0"

ENT_PHYSICAL = "1.3.6.1.2.1.47.1.1.1.1"
ENT_CLASS = f"{ENT_PHYSICAL}.5"
ENT_CHASSIS = 3
ENT_SERIAL = 11
ENT_MFG = 12
ENT_MODEL = 13

HR_SW_NAME = "1.3.6.1.2.1.25.6.3.1.2"
HR_SW_RUN_NAME = "1.3.6.1.2.1.25.4.2.1.2"  # hrSWRunName: the running processes
HR_STORAGE = "1.3.6.1.2.1.25.2.3.1"
HR_STORAGE_COLUMNS = {
    "descr": f"{HR_STORAGE}.3",
    "unit": f"{HR_STORAGE}.4",
    "size": f"{HR_STORAGE}.5",
    "used": f"{HR_STORAGE}.6",
}


def text(value: ValueType) -> str:
    """Agents send DisplayString as bytes; some send invalid UTF-8 or NUL padding."""
    if value is None:
        return ""
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace").rstrip("\x00").strip()
    return str(value).strip()


# Value ranges of the SMI types read here (RFC 2578). A value outside its type's range is
# a broken agent, not a fact: it becomes "not observed" instead of a number the CMDB's integer
# columns would refuse (PostgreSQL's integer is 32-bit), which would fail the whole device.
INTEGER32 = (-(2**31), 2**31 - 1)
GAUGE32 = (0, 2**32 - 1)
POSITIVE32 = (1, 2**31 - 1)  # InterfaceIndex, IANAifType, hrStorageAllocationUnits
NATURAL32 = (0, 2**31 - 1)  # ifMtu, hrStorageSize/Used: Integer32 (0..2147483647)


def integer(value: ValueType, bounds: tuple[int, int] = INTEGER32) -> int | None:
    """An integer within ``bounds``, else None. Strings of digits are accepted (some agents
    send numbers as OCTET STRING); floats, booleans and text are not numbers here."""
    if type(value) is int:  # the usual case first: one check, not three (runs per value)
        number = value
    elif isinstance(value, bool | float):
        return None
    elif isinstance(value, int):
        number = value
    else:
        digits = text(value)
        # int() of text also takes "١٢", "1_000" and, above 4,300 digits, raises: keep to ASCII
        if not re.fullmatch(r"-?[0-9]{1,20}", digits):
            return None
        number = int(digits)
    low, high = bounds
    return number if low <= number <= high else None


def mac(value: ValueType) -> str:
    if isinstance(value, bytes) and len(value) == 6:
        return value.hex(":")
    return ""  # empty (loopback) or malformed: "no MAC" rather than garbage


def by_index(rows: Iterable[tuple[str, ValueType]], column: str) -> dict[int, ValueType]:
    """Map the last sub-identifier (the row index) of each OID under ``column`` to its value."""
    prefix = column + "."
    start = len(prefix)
    # ASCII digits only: str.isdigit() alone also accepts "²", which int() refuses. No regex
    # and comprehensions, not a loop: this runs once per value (a regex was ~20 % of the
    # collector's CPU on 48-port switches). Fewer than 10 digits is always below 2^31.
    tails = [(oid[start:], value) for oid, value in rows if oid.startswith(prefix)]
    return {
        int(index): value
        for index, value in tails
        if index.isdigit()
        and index.isascii()
        and (len(index) < 10 or (len(index) == 10 and int(index) <= POSITIVE32[1]))
    }


def interfaces(columns: Mapping[str, Mapping[int, ValueType]]) -> list[InterfaceFact]:
    """Join the IF-MIB columns by ifIndex; ifName falls back to ifDescr."""
    empty: Mapping[int, ValueType] = {}
    # Each column looked up once, not once per row: this runs for every port of every switch.
    descrs, names, aliases = (columns.get(k, empty) for k in ("descr", "name", "alias"))
    speeds, highs, kinds = (columns.get(k, empty) for k in ("speed", "high_speed", "type"))
    admins, opers, macs, mtus = (columns.get(k, empty) for k in ("admin", "oper", "mac", "mtu"))
    facts = []
    for index in sorted(set(descrs) | set(names)):
        descr = text(descrs.get(index))
        admin = integer(admins.get(index))
        oper = integer(opers.get(index))
        facts.append(
            InterfaceFact(
                index=index,
                name=text(names.get(index)) or descr,
                description=descr,
                alias=text(aliases.get(index)),
                kind=integer(kinds.get(index), POSITIVE32),
                admin_up=None if admin is None else admin == 1,
                oper_up=None if oper is None else oper == 1,
                speed_bps=_speed(
                    integer(speeds.get(index), GAUGE32), integer(highs.get(index), GAUGE32)
                ),
                mac=mac(macs.get(index)),
                mtu=integer(mtus.get(index), NATURAL32),
            )
        )
    return facts


def _speed(if_speed: int | None, high_speed: int | None) -> int | None:
    """Bit/s: ifSpeed while it is below its ceiling, else ifHighSpeed x 10^6."""
    if if_speed is not None and if_speed < IF_SPEED_CEILING:
        return if_speed
    if high_speed is not None:
        return high_speed * 1_000_000
    return if_speed


def forti_version(value: ValueType) -> str | None:
    """fgSysVersion "v7.4.8,build2662,250523 (GA.M)" -> "7.4.8"; None in any other form."""
    found = re.match(r"v?(\d+\.\d+(?:\.\d+)?)\b", text(value))
    return found.group(1) if found else None


# hrSWInstalledName -> (name, version), one rule per agent family, tried in this order:
# 1. RPM (net-snmp on RHEL): "<name>-<version>-<release>.<arch>" -> (name, "version-release"),
#    what `rpm -qa --qf '%{NAME}\t%{VERSION}-%{RELEASE}'` prints over SSH.
# 2. dpkg (net-snmp on Debian): "<package>_<version>_<arch>" -> (package, version), what
#    `dpkg-query -W` prints. net-snmp cuts the name at 64 characters, so "_arch" may be missing.
# 3. Windows "<DisplayName> <version>" (a dotted version at the end) -> split there.
# 4. Windows DisplayName that already holds its version ("7-Zip 24.08 (x64)"): the whole
#    DisplayName stays the name (it is what Programs and Features and licence lists show)
#    and the first dotted number in it is the version. A bare year ("SQL Server 2022") is
#    not a version: such a name gets version "".
# Rules 1-2 give exactly the SSH collector's pairs, so a Linux server polled by both loops
# keeps one software list instead of flipping between two namings every cycle.
MAX_SOFTWARE_LABEL = 255
_RPM = re.compile(
    r"^(?P<name>.+?)-(?P<version>\d[^-]*-[^-]+?)\.(?:x86_64|noarch|i[3-6]86|aarch64|ppc64le|s390x)$"
)
_DPKG = re.compile(r"^(?P<name>[^_\s]+)_(?P<version>[^_\s]*\d[^_\s]*)(?:_(?P<arch>[^_\s]*))?$")
_TRAILING_VERSION = re.compile(r"^(?P<name>.+?)\s+v?(?P<version>\d+(?:\.\d+)+)$")
_EMBEDDED_VERSION = re.compile(r"(?<![\w.])v?(?P<version>\d+(?:\.\d+)+)(?![\w.])")


def software_name(label: str) -> tuple[str, str]:
    """(name, version) of one hrSWInstalledName, by the rules above."""
    if match := _RPM.match(label) or _DPKG.match(label) or _TRAILING_VERSION.match(label):
        return match["name"], match["version"]
    if embedded := _EMBEDDED_VERSION.search(label):
        return label, embedded["version"]
    return label, ""


def software(names: Iterable[ValueType]) -> list[SoftwareFact]:
    """Installed software from hrSWInstalledName values, one fact per (name, version)."""
    facts: dict[tuple[str, str], SoftwareFact] = {}
    for raw in names:
        # hrSWInstalledName is SIZE(0..64); a longer one is a broken agent: keep what the
        # CMDB column holds, and keep the name regexes linear on what they scan.
        label = text(raw)[:MAX_SOFTWARE_LABEL]
        if not label:
            continue
        name, version = software_name(label)
        facts[(name, version)] = SoftwareFact(name=name, version=version)
    return sorted(facts.values(), key=lambda fact: (fact.name, fact.version))


def processes(names: Iterable[ValueType]) -> str:
    """hrSWRunName values as one sorted, de-duplicated, lower-case list ("avp.exe,lsass.exe,…"):
    which programs run, not how many copies (svchost.exe runs dozens of times)."""
    found = {text(value).strip().lower() for value in names}
    return ",".join(sorted(name for name in found if name))


def storage(columns: Mapping[str, Mapping[int, ValueType]]) -> list[StorageFact]:
    facts = []
    for index, descr in sorted(columns.get("descr", {}).items()):
        unit = integer(columns.get("unit", {}).get(index), POSITIVE32)
        size = integer(columns.get("size", {}).get(index), NATURAL32)
        used = integer(columns.get("used", {}).get(index), NATURAL32)
        if size is None or used is None or unit is None:
            continue  # a row without sizes (or with impossible ones) says nothing about capacity
        facts.append(StorageFact(text(descr), size * unit, used * unit))
    return facts
