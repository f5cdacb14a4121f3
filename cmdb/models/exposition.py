"""The `/metrics` text of the last completed cycle, rendered when the cycle ended.

Rendering reads most of the CMDB (~30 ms for the full lab): done by the job that ended a
loop or an evaluation, a scrape after a cycle reads one row instead (cmdb/metricstext.py).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from cmdb.models.base import Base


class MetricsExposition(Base):
    __tablename__ = "metrics_exposition"
    id: Mapped[int] = mapped_column(primary_key=True)  # one row: 1
    key: Mapped[str] = mapped_column(String(255))  # repr of cmdb.metricsnapshot.snapshot_key
    built_at: Mapped[dt.datetime] = mapped_column(DateTime)
    body: Mapped[bytes] = mapped_column(LargeBinary)
