"""Per-site figures `/metrics` adds to the snapshot from discovery and link load."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from sqlalchemy.orm import Session

from cmdb.discovery_actions import discovered_counts
from cmdb.linkload import latest_utilisation


class SiteFigures(Protocol):
    """What of `cmdb.metricsnapshot.SiteState` this fills (named here: no import cycle)."""

    code: str
    discovered: dict[str, int]
    utilisation: dict[str, float]


def add_site_extras(session: Session, sites: Mapping[int, SiteFigures]) -> None:
    """Discovered devices by status, and the last in/out utilisation of the site's link."""
    for (site_id, status), count in discovered_counts(session).items():
        sites[site_id].discovered[status] = count
    by_code = {site.code: site for site in sites.values()}
    for code, (inbound, outbound) in latest_utilisation(session).items():
        by_code[code].utilisation = {"in": inbound, "out": outbound}
