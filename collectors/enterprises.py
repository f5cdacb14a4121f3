"""Who wrote an SNMP agent, from its sysObjectID: the IANA Private Enterprise Numbers registry.

A sysObjectID lives under iso.org.dod.internet.private.enterprises (1.3.6.1.4.1); the next arc
is the number IANA assigned to the organisation, so 1.3.6.1.4.1.9.1.1208 is enterprise 9
(ciscoSystems). The registry ships as ``collectors/data/enterprises.tsv.gz`` (one
``number<TAB>organisation`` line per entry; SOURCES.md beside it says where and when it was
taken) and is read once, on first use: most processes never identify anything.
"""

from __future__ import annotations

import functools
import gzip
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

REGISTRY = Path(__file__).parent / "data" / "enterprises.tsv.gz"
ENTERPRISES_ARC = "1.3.6.1.4.1"

# The forms agents and tools print: numeric with or without the leading dot, net-snmp's
# "iso.3.6.1.4.1.9.1.1208", and MIB-resolved "SNMPv2-SMI::enterprises.9.1.1208".
_NUMERIC = re.compile(r"^\.?(?:1|iso)(?P<rest>(?:\.\d{1,10}){1,127})\.?$")
_SYMBOLIC = re.compile(r"^(?:[\w-]+::)?enterprises(?P<rest>(?:\.\d{1,10}){1,126})$")


class RegistryError(ValueError):
    """The shipped registry file is damaged: the message names the file, line and problem."""


@dataclass(frozen=True)
class Enterprise:
    number: int
    organisation: str  # as IANA spells it ("ciscoSystems", "Fortinet, Inc.")


def numeric_oid(sys_object_id: str) -> str | None:
    """The numeric form (1.3.6.1.…) of any of the printed forms above; None for anything else."""
    text = sys_object_id.strip()
    if found := _NUMERIC.match(text):
        return "1" + found.group("rest")
    if found := _SYMBOLIC.match(text):
        return ENTERPRISES_ARC + found.group("rest")
    return None


def enterprise_number(sys_object_id: str) -> int | None:
    """The enterprise arc of a sysObjectID, or None when it is not under 1.3.6.1.4.1."""
    oid = numeric_oid(sys_object_id)
    if oid is None or not oid.startswith(ENTERPRISES_ARC + "."):
        return None
    return int(oid.split(".")[6])


def enterprise_of(sys_object_id: str) -> Enterprise | None:
    """The registered organisation behind a sysObjectID; None when absent or unregistered."""
    number = enterprise_number(sys_object_id)
    if number is None:
        return None
    organisation = registry().get(number)
    return Enterprise(number, organisation) if organisation is not None else None


@functools.cache
def registry() -> Mapping[int, str]:
    """Enterprise number -> organisation, loaded from the shipped file on first call."""
    return load_registry(REGISTRY)


def load_registry(path: Path) -> dict[int, str]:
    """Parse a gzip'd ``number<TAB>organisation`` file; RegistryError names any bad line."""
    try:
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            return _parse(lines, path)
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise RegistryError(f"{path}: cannot read the enterprise registry: {exc}") from exc


def _parse(lines: Iterable[str], path: Path) -> dict[int, str]:
    organisations: dict[int, str] = {}
    for line_number, line in enumerate(lines, 1):
        number, tab, organisation = line.rstrip("\n").partition("\t")
        if not number.isdigit() or not tab or not organisation.strip():
            raise RegistryError(
                f"{path} line {line_number}: expected 'number<TAB>organisation', got {line!r}"
            )
        if int(number) in organisations:
            raise RegistryError(f"{path} line {line_number}: enterprise {number} listed twice")
        organisations[int(number)] = organisation
    if not organisations:
        raise RegistryError(f"{path}: the enterprise registry is empty")
    return organisations
