"""Inventory export: the declared inventory back out as TOML or CSV (round-trips with import)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cmdb.inventory_schema import (
    CREDENTIAL,
    DEVICE,
    LICENSE,
    REGION,
    SECTIONS,
    SITE,
    FieldSpec,
)
from cmdb.models import Credential, Device, LicenseEntitlement, Link, Region, Site


def collect_records(session: Session) -> dict[str, list[dict[str, Any]]]:
    """Every declared CI as an inventory record (the fields of docs/inventory-format.md)."""
    regions = {r.id: r for r in session.scalars(select(Region).order_by(Region.code))}
    sites = {s.id: s for s in session.scalars(select(Site).order_by(Site.code))}
    uplinks = {link.site_id: link.peer_site_id for link in session.scalars(select(Link))}
    records: dict[str, list[dict[str, Any]]] = {
        "region": [_fields(r, REGION) for r in regions.values()],
        "site": [],
        "credential": [
            _fields(c, CREDENTIAL)
            for c in session.scalars(select(Credential).order_by(Credential.name))
        ],
        "device": [],
        "link": [],
        "license": [
            _fields(lic, LICENSE)
            for lic in session.scalars(
                select(LicenseEntitlement).order_by(LicenseEntitlement.product)
            )
        ],
    }
    for site in sites.values():
        record = _fields(site, SITE, skip=("region", "uplink"))
        record["region"] = regions[site.region_id].code
        peer = uplinks.get(site.id)
        record["uplink"] = sites[peer].code if peer else ""
        records["site"].append(record)
    for device in session.scalars(select(Device).order_by(Device.hostname)):
        record = _fields(device, DEVICE, skip=("site",))
        record["site"] = sites[device.site_id].code
        records["device"].append(record)
    for link in session.scalars(select(Link).order_by(Link.id)):
        records["link"].append(
            {
                "site": sites[link.site_id].code,
                "peer": sites[link.peer_site_id].code if link.peer_site_id else "",
                "kind": link.kind,
                "probe": link.probe_address,
                "bandwidth_mbps": link.bandwidth_mbps,
                "provider": link.provider,
            }
        )
    return records


def _fields(ci: Any, specs: tuple[FieldSpec, ...], skip: tuple[str, ...] = ()) -> dict[str, Any]:
    return {spec.name: getattr(ci, spec.name) for spec in specs if spec.name not in skip}


def _order(section: str) -> list[str]:
    return [spec.name for spec in SECTIONS[section]]


def to_toml(records: dict[str, list[dict[str, Any]]]) -> str:
    lines = ["# Atalaya inventory export (docs/inventory-format.md)", ""]
    for section, items in records.items():
        for item in items:
            lines.append(f"[[{section}]]")
            for key in _order(section):
                value = item.get(key)
                if value is None or value == "":
                    continue
                lines.append(f"{key} = {_toml_value(value)}")
            lines.append("")
    return "\n".join(lines)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def write_csv(records: dict[str, list[dict[str, Any]]], directory: Path) -> list[Path]:
    """Write regions.csv, sites.csv, devices.csv and links.csv; return the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for section, name in (
        ("region", "regions"),
        ("site", "sites"),
        ("device", "devices"),
        ("link", "links"),
    ):
        path = directory / f"{name}.csv"
        columns = _order(section)
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns)
            writer.writeheader()
            for item in records[section]:
                writer.writerow({k: _csv_value(item.get(k)) for k in columns})
        written.append(path)
    return written


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
