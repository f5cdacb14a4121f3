"""The CMDB schema: configuration items, their history, and what was observed of them.

Times are stored in UTC (naive `DateTime` columns holding UTC: SQLite has no zone type,
and one convention for both engines keeps comparisons exact).

One module per area; every table is importable from here, and importing this package
registers them all on `Base.metadata`, which Alembic (cmdb/migrations/env.py) compares.
"""

from __future__ import annotations

from cmdb.models.accounts import User
from cmdb.models.advisories import Advisory
from cmdb.models.audit import AuditEvent, LoginFailure, WebSession
from cmdb.models.base import (
    DEVICE_KINDS,
    FINDING_STATUSES,
    LIFECYCLE_STATUSES,
    NAMING,
    SITE_KINDS,
    Base,
    utcnow,
)
from cmdb.models.discovery import (
    DISCOVERY_STATUSES,
    DiscoveredDevice,
    LinkLoadSample,
    NeighbourLink,
)
from cmdb.models.exposition import MetricsExposition
from cmdb.models.findings import Evaluation, Finding, FindingChange, IndicatorValue, Waiver
from cmdb.models.inventory import (
    Credential,
    Device,
    InstalledSoftware,
    Interface,
    LicenseEntitlement,
    Link,
    Region,
    Site,
)
from cmdb.models.liveness import DeviceLiveness
from cmdb.models.observations import (
    Change,
    ConfigSnapshot,
    LinkSample,
    Outage,
    PollLease,
    PollRun,
)
from cmdb.models.soa import SoaEdit

__all__ = [
    "DEVICE_KINDS",
    "DISCOVERY_STATUSES",
    "FINDING_STATUSES",
    "LIFECYCLE_STATUSES",
    "NAMING",
    "SITE_KINDS",
    "Advisory",
    "AuditEvent",
    "Base",
    "Change",
    "ConfigSnapshot",
    "Credential",
    "Device",
    "DeviceLiveness",
    "DiscoveredDevice",
    "Evaluation",
    "Finding",
    "FindingChange",
    "IndicatorValue",
    "InstalledSoftware",
    "Interface",
    "LicenseEntitlement",
    "Link",
    "LinkLoadSample",
    "LinkSample",
    "LoginFailure",
    "MetricsExposition",
    "NeighbourLink",
    "Outage",
    "PollLease",
    "PollRun",
    "Region",
    "Site",
    "SoaEdit",
    "User",
    "Waiver",
    "WebSession",
    "utcnow",
]
