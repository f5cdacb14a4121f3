"""What the engine reads about one configuration item (a device or a site link).

``None`` means "not observed" (the device was never polled over that protocol, or its site was
unreachable): every rule reading it is *unknown*, never a pass. An empty tuple means "observed,
and there is none". `cmdb.factset.load_facts` builds these from the CMDB.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

from compliance.iosconfig import ParsedConfig, parse


@dataclass(frozen=True)
class SoftwareItem:
    name: str
    version: str = ""
    vendor: str = ""


@dataclass(frozen=True)
class IkeSa:
    """One IKE/IPsec security association, as `collectors.base.IkeSaFact` reports it."""

    peer: str
    ike_version: int | None
    status: str
    encryption: str = ""
    integrity: str = ""
    dh_group: int | None = None
    lifetime_s: int | None = None
    pfs: bool | None = None


@dataclass(frozen=True, eq=False)
class CiFacts:
    ci_type: str  # device | link | discovered
    ci_id: int
    name: str  # hostname, or "link:<site code>"
    site_code: str
    region_code: str
    kind: str  # device kind, or "link"
    platform: str = ""
    site_id: int | None = None
    vendor: str = ""
    model: str = ""
    serial: str = ""
    owner: str = ""
    os_name: str = ""
    os_version: str = ""
    purchase_date: dt.date | None = None
    last_seen: dt.datetime | None = None
    running_config: str | None = None  # redacted, latest snapshot
    config_confirmed: dt.datetime | None = None  # when that snapshot was last seen unchanged
    software: tuple[SoftwareItem, ...] | None = None
    sshd: Mapping[str, str] | None = None
    host_state: Mapping[str, str] | None = None
    ike_sas: tuple[IkeSa, ...] | None = None
    link_availability_30d: float | None = None  # 0..1, links only
    # the collectors' recorded failures and skipped parts (Device.last_error): why a fact is missing
    collection_notes: str = ""
    # links only: each day's 95th percentile of utilisation (max of in and out, 0-1), oldest
    # first, None for a day without samples; None when the link's load was never measured
    link_p95_daily: tuple[float | None, ...] | None = None
    # discovered devices only: what discovery saw of an address no CI holds ("127.1.3.50 seen
    # by icmp, snmp …"); adopted and ignored ones are not judged
    discovery: str | None = None

    @cached_property
    def config(self) -> ParsedConfig | None:
        """The running-config parsed once, however many rules read it."""
        return None if self.running_config is None else parse(self.running_config)


@dataclass(frozen=True)
class Entitlement:
    """A licence contract as the inventory records it (cmdb LicenseEntitlement)."""

    product: str
    seats: int | None = None  # None: not counted (a site or campus licence)
    expires: dt.date | None = None
    contract: str = ""


@dataclass(frozen=True)
class UnitDevice:
    id: int
    hostname: str
    kind: str
    reachable: bool | None  # None: never probed


@dataclass(frozen=True)
class Unit:
    """A site as the indicators read it."""

    code: str
    name: str
    kind: str
    region: str
    has_lan: bool
    in_continuity_plan: bool
    uplink: str | None  # the site its link goes to; None for the headquarters
    link_up: bool | None  # None: no link or never probed
    devices: tuple[UnitDevice, ...] = ()
