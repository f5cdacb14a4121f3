"""Inventory import: TOML or CSV in, CIs out, in one transaction with a change trail.

`read_toml` / `read_csv` (cmdb.inventory_read) validate every field before a single row is
written; `apply_inventory` checks references against the file and the CMDB, then merges, so a
re-import of the same file is a no-op and an edited file leaves one Change per edited attribute.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cmdb.changes import apply_changes, record_event
from cmdb.inventory_read import (
    CSV_KINDS,
    Inventory,
    check_prefix_widths,
    check_references,
    read_csv,
    read_toml,
)
from cmdb.inventory_schema import InventoryError
from cmdb.models import Credential, Device, LicenseEntitlement, Link, Region, Site

__all__ = [
    "CSV_KINDS",
    "ImportSummary",
    "Inventory",
    "InventoryError",
    "apply_inventory",
    "read_csv",
    "read_toml",
]

OBSERVED = ("vendor", "model", "serial", "purchase_date", "owner")
# Without a setting (tests, scripts): the default of collect.discovery_widest_prefix.
WIDEST_PREFIX = 22


@dataclass
class ImportSummary:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    changes: int = 0


def apply_inventory(
    session: Session,
    inventory: Inventory,
    at: dt.datetime,
    source: str = "inventory",
    widest_prefix: int = WIDEST_PREFIX,
) -> ImportSummary:
    """Merge a validated inventory into the CMDB. The caller owns the transaction."""
    check_prefix_widths(inventory, widest_prefix)
    check_references(
        inventory,
        known_regions=set(session.scalars(select(Region.code))),
        known_sites=set(session.scalars(select(Site.code))),
        known_credentials={c.name: c.type for c in session.scalars(select(Credential))},
    )
    merger = _Merger(session, ImportSummary(), at, source)
    regions = {r.code: r for r in session.scalars(select(Region))}
    for record in inventory.regions:
        merger.merge(regions, Region, "region", record["code"], record)
    session.flush()
    sites = {s.code: s for s in session.scalars(select(Site))}
    for record in inventory.sites:
        values = {k: v for k, v in record.items() if k not in ("region", "uplink")}
        values["region_id"] = regions[record["region"]].id
        merger.merge(sites, Site, "site", record["code"], values)
    session.flush()
    devices = {d.hostname: d for d in session.scalars(select(Device))}
    for record in inventory.devices:
        merger.merge(devices, Device, "device", record["hostname"], _device_values(record, sites))
    links = {link.site.code: link for link in session.scalars(select(Link))}
    for record in _links_with_uplinks(inventory):
        merger.merge(links, Link, "link", record["site"], _link_values(record, sites))
    credentials = {c.name: c for c in session.scalars(select(Credential))}
    for record in inventory.credentials:
        merger.merge(credentials, Credential, "credential", record["name"], record)
    licenses = {lic.product: lic for lic in session.scalars(select(LicenseEntitlement))}
    for record in inventory.licenses:
        merger.merge(licenses, LicenseEntitlement, "license", record["product"], record)
    session.flush()
    return merger.summary


def _device_values(record: dict[str, Any], sites: dict[str, Site]) -> dict[str, Any]:
    # Observed identity wins over an empty declaration: a file that does not declare a
    # serial must not wipe the one collection found.
    values = {
        k: v for k, v in record.items() if k != "site" and not (k in OBSERVED and v in ("", None))
    }
    values["site_id"] = sites[record["site"]].id
    return values


def _link_values(record: dict[str, Any], sites: dict[str, Site]) -> dict[str, Any]:
    values = {
        "site_id": sites[record["site"]].id,
        "kind": record["kind"],
        "probe_address": record["probe"],
        "bandwidth_mbps": record["bandwidth_mbps"],
        "provider": record["provider"],
    }
    if record["peer"]:  # no peer declared anywhere in this import: keep the one known
        values["peer_site_id"] = sites[record["peer"]].id
    return values


def _links_with_uplinks(inventory: Inventory) -> list[dict[str, Any]]:
    """A link's peer defaults to its site's declared uplink."""
    uplink = {s["code"]: s["uplink"] for s in inventory.sites}
    return [
        {**link, "peer": link["peer"] or uplink.get(link["site"], "")} for link in inventory.links
    ]


@dataclass
class _Merger:
    """One import's merge: its session, its tally, the time and source of its changes."""

    session: Session
    summary: ImportSummary
    at: dt.datetime
    source: str

    def merge(
        self, existing: dict[str, Any], model: type, ci_type: str, key: str, values: dict[str, Any]
    ) -> None:
        """Create the CI `key` or apply `values` to it, recording each change."""
        session, summary, at, source = self.session, self.summary, self.at, self.source
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
