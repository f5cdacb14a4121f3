"""How many rows a paginated list has, counted once per change of the data, not per request.

Counting a filtered list means reading every row it holds (~17,000 findings in the full
lab, on each page view and API call). The total only moves when something writes: a loop, an
evaluation, an inventory or waiver edit. Each of those adds a row to one of the tables below
(or changes their counts), so the maxima of their ids and the number of devices and waivers are
a version of the data; a total is reused while that version and the query are the same.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from cmdb.models import Change, Device, Evaluation, FindingChange, PollRun, Waiver

KEPT = 512  # totals remembered (queries x filters): a few KiB
_totals: OrderedDict[tuple[object, ...], int] = OrderedDict()
_lock = threading.Lock()


def data_version(session: Session) -> tuple[object, ...]:
    row = session.execute(
        select(
            select(func.max(Change.id)).scalar_subquery(),
            select(func.max(PollRun.id)).scalar_subquery(),
            select(func.max(Evaluation.id)).scalar_subquery(),
            select(func.max(FindingChange.id)).scalar_subquery(),
            select(func.count(Device.id)).scalar_subquery(),
            select(func.count(Waiver.id)).scalar_subquery(),
            select(func.max(Waiver.id)).scalar_subquery(),
            select(func.count(Waiver.revoked_at)).scalar_subquery(),
        )
    ).one()
    return tuple(row)


def total(session: Session, query: Select[Any]) -> int:
    """``count(*)`` of ``query``, remembered per database, query text, parameters and data
    version."""
    compiled = query.compile(session.get_bind())
    key = (
        str(session.get_bind().engine.url),
        str(compiled),
        repr(sorted(compiled.params.items(), key=lambda item: item[0])),
        data_version(session),
    )
    with _lock:
        if key in _totals:
            _totals.move_to_end(key)
            return _totals[key]
    counted = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    with _lock:
        _totals[key] = counted
        while len(_totals) > KEPT:
            _totals.popitem(last=False)
    return counted
