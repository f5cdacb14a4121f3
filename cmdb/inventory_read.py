"""Reading a declared inventory (TOML or CSV) into validated records, and checking the
references between them: nothing here writes; `cmdb.inventory.apply_inventory` does.
"""

from __future__ import annotations

import csv
import ipaddress
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cmdb.inventory_schema import SECTIONS, InventoryError, validate_record

CSV_KINDS = {"sites": "site", "devices": "device", "links": "link", "regions": "region"}


@dataclass
class Inventory:
    """Validated declared inventory: lists of clean records per section."""

    regions: list[dict[str, Any]] = field(default_factory=list)
    sites: list[dict[str, Any]] = field(default_factory=list)
    credentials: list[dict[str, Any]] = field(default_factory=list)
    devices: list[dict[str, Any]] = field(default_factory=list)
    links: list[dict[str, Any]] = field(default_factory=list)
    licenses: list[dict[str, Any]] = field(default_factory=list)
    # where each record's fields came from, for cross-reference errors:
    # (section, key) -> field name -> "file:line" or "file row N"
    origin: dict[tuple[str, str], Callable[[str], str]] = field(default_factory=dict)

    def section(self, name: str) -> list[dict[str, Any]]:
        return {
            "region": self.regions,
            "site": self.sites,
            "credential": self.credentials,
            "device": self.devices,
            "link": self.links,
            "license": self.licenses,
        }[name]


_KEYS = {
    "region": "code",
    "site": "code",
    "credential": "name",
    "device": "hostname",
    "link": "site",
    "license": "product",
}


class _TomlLines:
    """Maps the n-th ``[[section]]`` table and its fields to line numbers (tomllib has none)."""

    header = re.compile(r"^\s*\[\[\s*([A-Za-z_]+)\s*\]\]")

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.spans: dict[str, list[tuple[int, int]]] = {}
        starts: list[tuple[int, str]] = []
        for number, line in enumerate(self.lines):
            match = self.header.match(line)
            if match:
                starts.append((number, match.group(1)))
            elif line.lstrip().startswith("["):
                starts.append((number, ""))  # some other table ends the previous entry
        for n, (start, section) in enumerate(starts):
            end = starts[n + 1][0] if n + 1 < len(starts) else len(self.lines)
            if section:
                self.spans.setdefault(section, []).append((start, end))

    def locator(self, path: Path, section: str, index: int) -> Callable[[str], str]:
        spans = self.spans.get(section, [])
        start, end = spans[index] if index < len(spans) else (0, 0)

        def line_of(field_name: str) -> str:
            pattern = re.compile(rf"^\s*{re.escape(field_name)}\s*=")
            for number in range(start, end):
                if pattern.match(self.lines[number]):
                    return f"{path}:{number + 1}"
            return f"{path}:{start + 1}"

        return line_of


def read_toml(path: Path) -> Inventory:
    text = _read_text(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InventoryError(str(path), "-", f"not valid TOML: {exc}") from None
    lines = _TomlLines(text)
    inventory = Inventory()
    for section, value in data.items():
        if section not in SECTIONS:
            raise InventoryError(
                f"{path}",
                section,
                f"unknown section; expected [[{']], [['.join(SECTIONS)}]]",
            )
        if not isinstance(value, list):
            raise InventoryError(str(path), section, f"must be an array of tables: [[{section}]]")
        for index, raw in enumerate(value):
            locate = lines.locator(path, section, index)
            record = validate_record(section, raw, locate(_KEYS[section]), locate)
            inventory.section(section).append(record)
            inventory.origin[(section, record[_KEYS[section]])] = locate
    return inventory


def read_csv(path: Path, kind: str | None = None) -> Inventory:
    """Read ``sites.csv``, ``devices.csv``, ``links.csv`` or ``regions.csv`` (kind by name)."""
    section = kind or CSV_KINDS.get(path.stem.lower())
    if section not in SECTIONS:
        raise InventoryError(
            str(path),
            "-",
            f"cannot tell what the file holds: name it {', '.join(f'{k}.csv' for k in CSV_KINDS)}",
        )
    inventory = Inventory()
    with _open_text(path) as handle:
        reader = csv.DictReader(handle)
        known = {spec.name for spec in SECTIONS[section]}
        for column in reader.fieldnames or []:
            if column not in known:
                raise InventoryError(
                    f"{path}:1", column, f"unknown column (known: {', '.join(sorted(known))})"
                )
        for row in reader:
            where = f"{path} row {reader.line_num}"
            raw = {k: v for k, v in row.items() if k is not None and v not in (None, "")}
            record = validate_record(section, raw, where)
            inventory.section(section).append(record)
            inventory.origin[(section, record[_KEYS[section]])] = _fixed(where)
    return inventory


def _fixed(where: str) -> Callable[[str], str]:
    """A CSV row is one place whatever the field."""
    return lambda _field: where


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InventoryError(str(path), "-", "file not found") from None
    except UnicodeDecodeError as exc:
        raise InventoryError(str(path), "-", f"not UTF-8 text (byte {exc.start})") from None


def _open_text(path: Path) -> Any:
    if not path.is_file():
        raise InventoryError(str(path), "-", "file not found")
    return path.open(encoding="utf-8-sig", newline="")


# The references between sections, checked record by record in this order: each field names
# a region, a site or a credential of one type; an optional one may be left empty.
@dataclass(frozen=True)
class _Reference:
    field_name: str
    names: str  # "region", "site", "snmp" or "ssh" (a credential of that type)
    message: str  # formatted with the value that names nothing
    optional: bool = False


_REFERENCES = {
    "site": (
        _Reference("region", "region", "unknown region {!r}"),
        _Reference("uplink", "site", "unknown site {!r}", optional=True),
    ),
    "device": (
        _Reference("site", "site", "unknown site {!r}"),
        _Reference("snmp_credential", "snmp", "no snmp credential named {!r}", optional=True),
        _Reference("ssh_credential", "ssh", "no ssh credential named {!r}", optional=True),
    ),
    "link": (
        _Reference("site", "site", "unknown site {!r}"),
        _Reference("peer", "site", "unknown site {!r}", optional=True),
    ),
}


def check_references(
    inventory: Inventory,
    known_regions: set[str] | None = None,
    known_sites: set[str] | None = None,
    known_credentials: dict[str, str] | None = None,
) -> None:
    """Unique keys and references between sections (plus what the CMDB already holds)."""
    _check_unique_keys(inventory)
    credentials = dict(known_credentials or {}) | {
        c["name"]: c["type"] for c in inventory.credentials
    }
    names = {
        "region": {r["code"] for r in inventory.regions} | (known_regions or set()),
        "site": {s["code"] for s in inventory.sites} | (known_sites or set()),
        "snmp": {name for name, kind in credentials.items() if kind == "snmp"},
        "ssh": {name for name, kind in credentials.items() if kind == "ssh"},
    }
    for section, references in _REFERENCES.items():
        for record in inventory.section(section):
            for ref in references:
                value = record[ref.field_name]
                if value or not ref.optional:
                    _must(
                        value in names[ref.names],
                        inventory,
                        section,
                        record[_KEYS[section]],
                        ref.field_name,
                        ref.message.format(value),
                    )
    for credential in inventory.credentials:
        _check_credential(inventory, credential)


def check_prefix_widths(inventory: Inventory, widest: int) -> None:
    """Refuse a management prefix wider than /``widest`` (IPv4; IPv6 gets 96 more bits): a /16
    typed for a /26 would make discovery sweep 65,536 addresses."""
    for site in inventory.sites:
        for text in site["management_prefixes"].split():
            network = ipaddress.ip_network(text)
            limit = widest if network.version == 4 else widest + 96
            _must(
                network.prefixlen >= limit,
                inventory,
                "site",
                site["code"],
                "management_prefixes",
                f"site {site['code']}: prefix {text} has {network.num_addresses} addresses; "
                f"discovery sweeps at most a /{limit} (setting collect.discovery_widest_prefix)",
            )


# What a credential cannot log in without; any other type (SSH) needs a username.
_NEEDED = {("snmp", "2c"): ("community",), ("snmp", "3"): ("user", "auth_key", "priv_key")}


def _check_unique_keys(inventory: Inventory) -> None:
    for section, key in _KEYS.items():
        seen: set[str] = set()
        for record in inventory.section(section):
            if record[key] in seen:
                raise InventoryError(
                    inventory.origin[(section, record[key])](key),
                    key,
                    f"duplicate {section} {record[key]!r}",
                )
            seen.add(record[key])


def _check_credential(inventory: Inventory, credential: dict[str, Any]) -> None:
    """A credential carries what its type and version need to log in."""
    kind, version = credential["type"], credential["version"]
    if kind == "snmp":
        _must(
            version in ("2c", "3"),
            inventory,
            "credential",
            credential["name"],
            "version",
            "SNMP credentials need version '2c' or '3'",
        )
    for name in _NEEDED.get((kind, version), ("username",)):
        _must(
            bool(credential[name]),
            inventory,
            "credential",
            credential["name"],
            name,
            f"required for a {kind} {version} credential".replace("  ", " "),
        )


def _must(
    ok: bool, inventory: Inventory, section: str, key: str, field_name: str, message: str
) -> None:
    if not ok:
        locate = inventory.origin.get((section, key))
        raise InventoryError(locate(field_name) if locate else section, field_name, message)
