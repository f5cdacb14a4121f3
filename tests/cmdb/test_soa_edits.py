"""SoA edits in the CMDB (SQLite and PostgreSQL): only changed fields are stored, each with its
Change row (who, when, old -> new), and the effective SoA is the seed overlaid by them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from cmdb.models import Change, SoaEdit
from cmdb.soa import record_soa_edit, soa_edits
from compliance.policy import load_policies
from compliance.soa import apply_edits, entry_values
from tests.conftest import REPO

AT = dt.datetime(2026, 11, 30, 15, 0)


def test_an_edit_stores_changed_fields_with_their_history(engine: Engine) -> None:
    seed = load_policies(REPO / "policies").soa
    entry = seed.entries_2013["A.12.4.4"]
    old = entry_values(entry)
    new = {**old, "status": "partial", "justification": "Solo la sede central usa NTP."}
    with Session(engine) as s, s.begin():
        changes = record_soa_edit(s, "2013", "A.12.4.4", old, new, "oficial", AT)
        assert {c.field for c in changes} == {"status", "justification"}
        # the same values again: nothing to record
        assert record_soa_edit(s, "2013", "A.12.4.4", new, new, "oficial", AT) == []
    with Session(engine) as s:
        rows = s.scalars(select(Change).where(Change.ci_type == "soa").order_by(Change.field))
        trail = [(c.ci_name, c.field, c.old, c.new, c.source, c.at) for c in rows]
        assert trail == [
            ("A.12.4.4 (2013)", "justification", entry.justification,
             "Solo la sede central usa NTP.", "user:oficial", AT),
            ("A.12.4.4 (2013)", "status", "implemented", "partial", "user:oficial", AT),
        ]  # fmt: skip
        stored = s.scalar(select(SoaEdit))
        assert stored is not None and stored.owner is None and stored.updated_by == "oficial"
        edits = soa_edits(s)
    effective = apply_edits(seed, edits)
    assert effective.entries_2013["A.12.4.4"].status == "partial"
    assert effective.entries_2013["A.12.4.4"].owner == entry.owner  # not edited: the seed's


def test_documents_and_applicability_round_trip(engine: Engine) -> None:
    seed = load_policies(REPO / "policies").soa
    old = entry_values(seed.entries_2022["5.23"])
    new = {**old, "applicable": True, "status": "planned", "documents": ["PO-SI-01"]}
    with Session(engine) as s, s.begin():
        record_soa_edit(s, "2022", "5.23", old, new, "admin", AT)
    with Session(engine) as s:
        effective = apply_edits(seed, soa_edits(s))
        rows = s.execute(select(Change.field, Change.new).where(Change.ci_type == "soa")).all()
        news = {field: value for field, value in rows}
    entry = effective.entries_2022["5.23"]
    assert entry.applicable and [d.id for d in entry.documents] == ["PO-SI-01"]
    assert news == {"applicable": "true", "status": "planned", "documents": "PO-SI-01"}
