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
    "name": f"{IF_X_TABLE}.1",
    "high_speed": f"{IF_X_TABLE}.15",
    "alias": f"{IF_X_TABLE}.18",
}
IF_SPEED = f"{IF_TABLE}.5"  # fallback for agents without ifXTable

ENT_PHYSICAL = "1.3.6.1.2.1.47.1.1.1.1"
ENT_CLASS = f"{ENT_PHYSICAL}.5"
ENT_CHASSIS = 3
ENT_SERIAL = 11
ENT_MFG = 12
ENT_MODEL = 13

HR_SW_NAME = "1.3.6.1.2.1.25.6.3.1.2"
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


def integer(value: ValueType) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        return int(text(value))
    except ValueError:
        return None


def mac(value: ValueType) -> str:
    if isinstance(value, bytes) and len(value) == 6:
        return ":".join(f"{octet:02x}" for octet in value)
    return ""  # empty (loopback) or malformed: "no MAC" rather than garbage


def by_index(rows: Iterable[tuple[str, ValueType]], column: str) -> dict[int, ValueType]:
    """Map the last sub-identifier (the row index) of each OID under ``column`` to its value."""
    prefix = column + "."
    result: dict[int, ValueType] = {}
    for oid, value in rows:
        if oid.startswith(prefix) and oid[len(prefix) :].isdigit():
            result[int(oid[len(prefix) :])] = value
    return result


def interfaces(columns: Mapping[str, Mapping[int, ValueType]]) -> list[InterfaceFact]:
    """Join the IF-MIB columns by ifIndex; ifName falls back to ifDescr."""
    indexes = sorted(set(columns.get("descr", {})) | set(columns.get("name", {})))
    facts = []
    for index in indexes:
        descr = text(columns.get("descr", {}).get(index))
        high = integer(columns.get("high_speed", {}).get(index))
        speed = (
            high * 1_000_000 if high is not None else integer(columns.get("speed", {}).get(index))
        )
        admin = integer(columns.get("admin", {}).get(index))
        oper = integer(columns.get("oper", {}).get(index))
        facts.append(
            InterfaceFact(
                index=index,
                name=text(columns.get("name", {}).get(index)) or descr,
                description=descr,
                alias=text(columns.get("alias", {}).get(index)),
                kind=integer(columns.get("type", {}).get(index)),
                admin_up=None if admin is None else admin == 1,
                oper_up=None if oper is None else oper == 1,
                speed_bps=speed,
                mac=mac(columns.get("mac", {}).get(index)),
                mtu=integer(columns.get("mtu", {}).get(index)),
            )
        )
    return facts


# net-snmp cuts hrSWInstalledName at 64 characters, so the "_arch" part may be missing.
_DPKG = re.compile(r"^(?P<name>[^_\s]+)_(?P<version>[^_\s]*\d[^_\s]*)(?:_(?P<arch>[^_\s]*))?$")
_RPM = re.compile(
    r"^(?P<name>.+?)-(?P<version>\d[^-]*-[^-]+?)\.(?:x86_64|noarch|i[3-6]86|aarch64|ppc64le|s390x)$"
)
# Windows agents give "Product Name 1.2.3" or "Product Name (x64) 1.2.3"
_TRAILING_VERSION = re.compile(r"^(?P<name>.+?)\s+v?(?P<version>\d+(?:\.\d+)+)$")


def software(names: Iterable[ValueType]) -> list[SoftwareFact]:
    """Split hrSWInstalledName into name and version, for dpkg, rpm and Windows forms."""
    facts: dict[tuple[str, str], SoftwareFact] = {}
    for raw in names:
        label = text(raw)
        if not label:
            continue
        match = _RPM.match(label) or _DPKG.match(label) or _TRAILING_VERSION.match(label)
        name, version = (match["name"], match["version"]) if match else (label, "")
        facts[(name, version)] = SoftwareFact(name=name, version=version)
    return sorted(facts.values(), key=lambda fact: (fact.name, fact.version))


def storage(columns: Mapping[str, Mapping[int, ValueType]]) -> list[StorageFact]:
    facts = []
    for index, descr in sorted(columns.get("descr", {}).items()):
        unit = integer(columns.get("unit", {}).get(index)) or 0
        size = integer(columns.get("size", {}).get(index))
        used = integer(columns.get("used", {}).get(index))
        if size is None or used is None:
            continue  # a row without sizes says nothing about capacity
        facts.append(StorageFact(text(descr), size * unit, used * unit))
    return facts
