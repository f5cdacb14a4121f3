"""What every CMDB table shares: the declarative base, its naming convention, the UTC clock
of defaults and the closed vocabularies (site kinds, device kinds, statuses)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, MetaData
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names so Alembic migrations are identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SITE_KINDS = ("headquarters", "data_centre", "regional_office", "establishment")
DEVICE_KINDS = (
    "switch",
    "router",
    "firewall",
    "vpn_gateway",
    "server",
    "ip_phone_gateway",
    "video_endpoint",
    "wireless_controller",
    "other",
)
LIFECYCLE_STATUSES = ("planned", "active", "maintenance", "retired")
FINDING_STATUSES = ("pass", "fail", "not_applicable", "unknown", "waived")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}  # noqa: RUF012
