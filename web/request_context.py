"""What every blueprint reads from the request and the app: session, policies, clock, filters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar, cast

from flask import current_app, g, request
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from atalaya.settings import Settings
from cmdb.models import Change, Evaluation, PollRun
from compliance.facts import CiFacts
from compliance.policy import PolicySet
from compliance.scoring import Scores
from web.scores import ScoreCache, cached

DEFAULT_PER_PAGE = 50
T = TypeVar("T")


def db() -> Session:
    return cast(Session, g.db)


def now() -> dt.datetime:
    return cast(dt.datetime, g.now)


def policies() -> PolicySet:
    return cast(PolicySet, current_app.extensions["atalaya_policies"])


def settings() -> Settings:
    return cast(Settings, current_app.extensions["atalaya_settings"])


def scores() -> Scores:
    cache = current_app.extensions.setdefault("atalaya_scores", ScoreCache())
    return cast(ScoreCache, cache).get(db(), policies())


def _facts_key() -> tuple[object, ...]:
    """Moves whenever something was collected, changed or evaluated, and each day."""
    session = db()
    return (
        session.scalar(select(func.max(Change.id))),
        session.scalar(select(func.max(PollRun.id))),
        session.scalar(select(func.max(Evaluation.id))),
        now().date(),
    )


def facts() -> list[CiFacts]:
    """The engine's view of the CMDB, rebuilt only when something was collected or changed."""
    from cmdb.factset import load_facts

    session = db()
    store = current_app.extensions.setdefault("atalaya_cache", {})
    return cast(
        list[CiFacts], cached(store, _facts_key(), "facts", lambda: load_facts(session, now()))
    )


def from_facts(name: str, build: Callable[[], T]) -> T:
    """A value computed from ``facts()`` and the policies (a forecast, a licence position),
    kept until the facts change: computing it on every request was most of /lifecycle's
    p95 on the full lab (bench/bench_web.py). ``name`` must say every argument it used."""
    store = current_app.extensions.setdefault("atalaya_cache", {})
    return cast(T, cached(store, _facts_key(), name, build))


def arg(name: str) -> str | None:
    value = request.args.get(name, "").strip()
    return value or None


def int_arg(name: str, default: int) -> int:
    try:
        return int(request.args.get(name, default))
    except ValueError:
        return default


def date_arg(name: str) -> dt.datetime | None:
    """A YYYY-MM-DD filter as naive UTC midnight; a malformed date is ignored, not an error."""
    value = arg(name)
    if value is None:
        return None
    try:
        return dt.datetime.fromisoformat(value).replace(tzinfo=None)
    except ValueError:
        return None


def page_args() -> tuple[int, int]:
    return max(1, int_arg("page", 1)), max(1, min(int_arg("per_page", DEFAULT_PER_PAGE), 500))


def filters(*names: str) -> dict[str, Any]:
    return {name: arg(name) for name in names}
