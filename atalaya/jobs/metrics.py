"""Render `/metrics` when a loop or an evaluation completes (cmdb.metricstext: why)."""

from __future__ import annotations

import logging

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from atalaya.settings import Settings
from cmdb.metricsnapshot import PolicyView
from cmdb.metricstext import store_exposition
from compliance.lookup import metrics_policy
from compliance.policy import load_policies

log = logging.getLogger(__name__)


def version() -> str:
    try:
        from importlib.metadata import version as installed

        return installed("atalaya")
    except Exception:  # not installed as a distribution (running from a checkout)
        return "0.1.0"


def store_metrics(session: Session, settings: Settings) -> None:
    """Render and store the text in the caller's transaction, under a savepoint: a failure
    here is logged and leaves the loop's results as they are (a scrape then builds it)."""
    try:
        policies = PolicyView(*metrics_policy(load_policies(settings.policies_path)))
        with session.begin_nested():
            store_exposition(session, policies, version(), settings.collect.loop_intervals())
    except (SQLAlchemyError, OSError, ValueError) as error:
        log.warning("/metrics text not rendered at the end of the run: %s", error)
