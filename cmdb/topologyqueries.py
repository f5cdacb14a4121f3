"""Read queries behind the topology and map pages: a site's devices and neighbour links, and
every site with its coordinates, uplink and state (from `cmdb.sitequeries.sites_board`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from cmdb.models import Device, Link, NeighbourLink, Site
from cmdb.sitequeries import sites_board


@dataclass(frozen=True)
class Cable:
    a: str
    a_port: str
    b: str
    b_port: str
    protocol: str
    first_seen: dt.datetime
    last_seen: dt.datetime


def site_topology(session: Session, site_id: int) -> tuple[list[dict[str, Any]], list[Cable]]:
    """The site's devices (id, hostname, kind, reachable) and the open links that touch them."""
    devices = [
        {"id": d.id, "hostname": d.hostname, "kind": d.kind, "reachable": d.reachable}
        for d in session.scalars(
            select(Device).where(Device.site_id == site_id).order_by(Device.hostname)
        )
    ]
    ids = [d["id"] for d in devices]
    a, b = aliased(Device), aliased(Device)
    rows = session.execute(
        select(NeighbourLink, a.hostname, b.hostname)
        .join(a, NeighbourLink.device_id == a.id)
        .join(b, NeighbourLink.peer_device_id == b.id)
        .where(NeighbourLink.gone_at.is_(None))
        .where(NeighbourLink.device_id.in_(ids) | NeighbourLink.peer_device_id.in_(ids))
        .order_by(a.hostname, NeighbourLink.port)
    )
    cables = [
        Cable(host_a, link.port, host_b, link.peer_port, link.protocol, link.first_seen,
              link.last_seen)
        for link, host_a, host_b in rows
    ]  # fmt: skip
    return devices, cables


def national_sites(session: Session, now: dt.datetime) -> list[dict[str, Any]]:
    """Every site: code, name, kind, region, coordinates, uplink (its link's peer) and state."""
    coordinates = {s.code: (s.latitude, s.longitude) for s in session.scalars(select(Site))}
    peer = aliased(Site)
    uplinks = {
        code: peer_code
        for code, peer_code in session.execute(
            select(Site.code, peer.code)
            .join(Link, Link.site_id == Site.id)
            .join(peer, Link.peer_site_id == peer.id)
        )
    }
    return [
        {
            "code": s.code, "name": s.name, "kind": s.kind, "region": s.region_code,
            "state": s.state, "latitude": coordinates[s.code][0],
            "longitude": coordinates[s.code][1], "uplink": uplinks.get(s.code, ""),
        }
        for s in sites_board(session, now)
    ]  # fmt: skip
