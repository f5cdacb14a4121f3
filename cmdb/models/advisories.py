"""Published security advisories imported from offline feed files (CSAF 2.0, NVD CVE JSON
2.0, OSV): one row per advisory id, its latest revision, in the normalised form matching reads.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, Float, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cmdb.models.base import Base, utcnow


class Advisory(Base):
    """One advisory (a CSAF or OSV document, or one NVD CVE record) as last imported.

    `affected` holds the normalised affected products (compliance.advisories.records), so the
    evaluation never re-reads feed files; `content_sha256` is the hash of that whole record, so a
    re-import of the same content is recognised and changes nothing.
    """

    __tablename__ = "advisory"
    id: Mapped[int] = mapped_column(primary_key=True)
    advisory_id: Mapped[str] = mapped_column(String(128), unique=True)
    source_format: Mapped[str] = mapped_column(String(8))  # csaf | nvd | osv
    revision: Mapped[str] = mapped_column(String(64))
    modified: Mapped[dt.datetime] = mapped_column(DateTime)  # naive UTC
    title: Mapped[str] = mapped_column(Text, default="")
    cve_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    cvss_version: Mapped[str | None] = mapped_column(String(8))
    cvss_score: Mapped[float | None] = mapped_column(Float)
    cvss_vector: Mapped[str | None] = mapped_column(String(255))
    cvss_severity: Mapped[str | None] = mapped_column(String(16))
    cvss_published_score: Mapped[float | None] = mapped_column(Float)
    affected: Mapped[list[Any]] = mapped_column(JSON, default=list)
    content_sha256: Mapped[str] = mapped_column(String(64))
    source_file: Mapped[str] = mapped_column(String(500), default="")
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
