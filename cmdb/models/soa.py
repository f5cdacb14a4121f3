"""The security officer's edits of the Statement of Applicability.

`policies/soa.toml` seeds the SoA; what the officer changes on the web is stored here, one row per
control and edition, holding only the fields edited (NULL: the seed's value still holds). The
effective SoA is the seed overlaid by these rows (`compliance.soa.apply_edits`); each edit is also a
`Change` row (who, when, old -> new), so the record keeps its history.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cmdb.models.base import Base, utcnow


class SoaEdit(Base):
    """The edited fields of one control's SoA entry in one edition ("2013" or "2022")."""

    __tablename__ = "soa_edit"
    __table_args__ = (UniqueConstraint("edition", "control", name="uq_soa_edit_control"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    edition: Mapped[str] = mapped_column(String(4))
    control: Mapped[str] = mapped_column(String(16))
    applicable: Mapped[bool | None] = mapped_column(Boolean)
    justification: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str | None] = mapped_column(String(16))
    owner: Mapped[str | None] = mapped_column(String(200))
    documents: Mapped[list[Any] | None] = mapped_column()  # [[document]] ids of soa.toml
    last_review: Mapped[dt.date | None] = mapped_column(Date)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(120), default="")
