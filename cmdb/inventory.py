"""Inventory import: TOML or CSV in, CIs out, in one transaction with a change trail.

`read_toml` / `read_csv` validate everything (fields, then cross-references) before a single
row is written; `apply_inventory` merges into the CMDB so a re-import of the same file is a
no-op and an edited file leaves one Change per edited attribute.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cmdb.changes import apply_changes, record_event
from cmdb.inventory_schema import SECTIONS, InventoryError, validate_record
from cmdb.models import Credential, Device, LicenseEntitlement, Link, Region, Site

OBSERVED = ("vendor", "model", "serial", "purchase_date", "owner")
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


@dataclass
class ImportSummary:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    changes: int = 0


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


def check_references(
    inventory: Inventory,
    known_regions: set[str] | None = None,
    known_sites: set[str] | None = None,
    known_credentials: dict[str, str] | None = None,
) -> None:
    """Unique keys and references between sections (plus what the CMDB already holds)."""
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
    regions = {r["code"] for r in inventory.regions} | (known_regions or set())
    sites = {s["code"] for s in inventory.sites} | (known_sites or set())
    credentials = dict(known_credentials or {}) | {
        c["name"]: c["type"] for c in inventory.credentials
    }
    for site in inventory.sites:
        _must(
            site["region"] in regions,
            inventory,
            "site",
            site["code"],
            "region",
            f"unknown region {site['region']!r}",
        )
        _must(
            not site["uplink"] or site["uplink"] in sites,
            inventory,
            "site",
            site["code"],
            "uplink",
            f"unknown site {site['uplink']!r}",
        )
    for device in inventory.devices:
        _must(
            device["site"] in sites,
            inventory,
            "device",
            device["hostname"],
            "site",
            f"unknown site {device['site']!r}",
        )
        for ref, expected in (("snmp_credential", "snmp"), ("ssh_credential", "ssh")):
            name = device[ref]
            if name:
                _must(
                    credentials.get(name) == expected,
                    inventory,
                    "device",
                    device["hostname"],
                    ref,
                    f"no {expected} credential named {name!r}",
                )
    for link in inventory.links:
        _must(
            link["site"] in sites,
            inventory,
            "link",
            link["site"],
            "site",
            f"unknown site {link['site']!r}",
        )
        _must(
            not link["peer"] or link["peer"] in sites,
            inventory,
            "link",
            link["site"],
            "peer",
            f"unknown site {link['peer']!r}",
        )
    for credential in inventory.credentials:
        if credential["type"] == "snmp":
            _must(
                credential["version"] in ("2c", "3"),
                inventory,
                "credential",
                credential["name"],
                "version",
                "SNMP credentials need version '2c' or '3'",
            )
            needed = (
                ("community",)
                if credential["version"] == "2c"
                else ("user", "auth_key", "priv_key")
            )
        else:
            needed = ("username",)
        for name in needed:
            _must(
                bool(credential[name]),
                inventory,
                "credential",
                credential["name"],
                name,
                f"required for a {credential['type']} {credential['version']} credential".replace(
                    "  ", " "
                ),
            )


def _must(
    ok: bool, inventory: Inventory, section: str, key: str, field_name: str, message: str
) -> None:
    if not ok:
        locate = inventory.origin.get((section, key))
        raise InventoryError(locate(field_name) if locate else section, field_name, message)


def apply_inventory(
    session: Session, inventory: Inventory, at: dt.datetime, source: str = "inventory"
) -> ImportSummary:
    """Merge a validated inventory into the CMDB. The caller owns the transaction."""
    check_references(
        inventory,
        known_regions=set(session.scalars(select(Region.code))),
        known_sites=set(session.scalars(select(Site.code))),
        known_credentials={c.name: c.type for c in session.scalars(select(Credential))},
    )
    summary = ImportSummary()
    regions = {r.code: r for r in session.scalars(select(Region))}
    for record in inventory.regions:
        _merge(session, summary, regions, Region, "region", record["code"], record, at, source)
    session.flush()
    sites = {s.code: s for s in session.scalars(select(Site))}
    for record in inventory.sites:
        values = {k: v for k, v in record.items() if k not in ("region", "uplink")}
        values["region_id"] = regions[record["region"]].id
        _merge(session, summary, sites, Site, "site", record["code"], values, at, source)
    session.flush()
    devices = {d.hostname: d for d in session.scalars(select(Device))}
    for record in inventory.devices:
        # Observed identity wins over an empty declaration: a file that does not declare a
        # serial must not wipe the one collection found.
        values = {
            k: v
            for k, v in record.items()
            if k != "site" and not (k in OBSERVED and v in ("", None))
        }
        values["site_id"] = sites[record["site"]].id
        _merge(session, summary, devices, Device, "device", record["hostname"], values, at, source)
    links = {link.site.code: link for link in session.scalars(select(Link))}
    for record in _links_with_uplinks(inventory):
        values = {
            "site_id": sites[record["site"]].id,
            "kind": record["kind"],
            "probe_address": record["probe"],
            "bandwidth_mbps": record["bandwidth_mbps"],
            "provider": record["provider"],
        }
        if record["peer"]:  # no peer declared anywhere in this import: keep the one known
            values["peer_site_id"] = sites[record["peer"]].id
        _merge(session, summary, links, Link, "link", record["site"], values, at, source)
    credentials = {c.name: c for c in session.scalars(select(Credential))}
    for record in inventory.credentials:
        _merge(
            session,
            summary,
            credentials,
            Credential,
            "credential",
            record["name"],
            record,
            at,
            source,
        )
    licenses = {lic.product: lic for lic in session.scalars(select(LicenseEntitlement))}
    for record in inventory.licenses:
        _merge(
            session,
            summary,
            licenses,
            LicenseEntitlement,
            "license",
            record["product"],
            record,
            at,
            source,
        )
    session.flush()
    return summary


def _links_with_uplinks(inventory: Inventory) -> list[dict[str, Any]]:
    """A link's peer defaults to its site's declared uplink."""
    uplink = {s["code"]: s["uplink"] for s in inventory.sites}
    return [
        {**link, "peer": link["peer"] or uplink.get(link["site"], "")} for link in inventory.links
    ]


def _merge(
    session: Session,
    summary: ImportSummary,
    existing: dict[str, Any],
    model: type,
    ci_type: str,
    key: str,
    values: dict[str, Any],
    at: dt.datetime,
    source: str,
) -> None:
    ci = existing.get(key)
    if ci is None:
        ci = model(**values)
        session.add(ci)
        session.flush()
        existing[key] = ci
        record_event(session, ci, ci_type, "created", None, key, source, at)
        summary.created[ci_type] = summary.created.get(ci_type, 0) + 1
        return
    changes = apply_changes(session, ci, ci_type, values, source, at)
    if changes:
        summary.updated[ci_type] = summary.updated.get(ci_type, 0) + 1
        summary.changes += len(changes)
