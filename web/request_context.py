"""What every blueprint reads from the request and the app: session, policies, clock, filters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar, cast

from flask import current_app, g, request
from flask_babel import get_locale
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from atalaya.settings import Settings
from cmdb.models import Change, Evaluation, PollRun
from cmdb.soa import soa_edits
from compliance.facts import CiFacts
from compliance.policy import PolicySet
from compliance.scoring import Scores
from compliance.soa import apply_edits
from compliance.texts import language
from web.api_params import DATE, INT64_MAX, PAGE, Param
from web.scores import ScoreCache, cached

T = TypeVar("T")


def db() -> Session:
    return cast(Session, g.db)


def now() -> dt.datetime:
    return cast(dt.datetime, g.now)


def policies() -> PolicySet:
    """The loaded policies with the Statement of Applicability as the security officer left it
    (the soa.toml seed overlaid by the edits in the CMDB), read once per request."""
    effective = g.get("policies")
    if effective is None:
        loaded = cast(PolicySet, current_app.extensions["atalaya_policies"])
        effective = loaded.with_soa(apply_edits(loaded.soa, soa_edits(db())))
        g.policies = effective
    return cast(PolicySet, effective)


def lang() -> str:
    """The user's language for policy texts: "es" or "en" (the page's Flask-Babel locale)."""
    return language(get_locale())


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


def int_arg(name: str, default: int, minimum: int = 0, maximum: int = INT64_MAX) -> int:
    """An integer query parameter within [minimum, maximum]; ParamError (a 400) otherwise."""
    schema = {"type": "integer", "minimum": minimum, "maximum": maximum, "default": default}
    return int(Param(name, schema).read())


def date_arg(name: str) -> dt.datetime | None:
    """A YYYY-MM-DD filter as naive UTC midnight; a malformed date is a ParamError (a 400)."""
    day: dt.date | None = Param(name, DATE).read()
    return None if day is None else dt.datetime.combine(day, dt.time())


def page_args() -> tuple[int, int]:
    """`page` and `per_page`, validated as the API description says (web.api_params.PAGE)."""
    return int(PAGE[0].read()), int(PAGE[1].read())


def filters(*names: str) -> dict[str, Any]:
    return {name: arg(name) for name in names}
