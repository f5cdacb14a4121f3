"""What changes on every poll of a device, kept out of the device row.

``last_polled``, ``last_seen`` and ``uptime_s`` move on every cycle even when nothing about
the device changed. On the device row they made every cycle re-write all ~870 device rows
(and their change-tracking indexes); here they are one narrow row per device, so a cycle of
an unchanged network writes no device or interface row (tests/cmdb/test_unchanged_cycle.py).
``Device.last_seen`` and friends stay readable and writable as before: they are properties
over this row (cmdb/models/inventory.py).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from cmdb.models.base import Base


class DeviceLiveness(Base):
    __tablename__ = "device_liveness"
    device_id: Mapped[int] = mapped_column(
        ForeignKey("device.id", ondelete="CASCADE"), primary_key=True
    )
    last_seen: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_polled: Mapped[dt.datetime | None] = mapped_column(DateTime)
    uptime_s: Mapped[int | None] = mapped_column(Integer)
