"""Scores read back from the stored findings, in the compliance package's `Scores` shape.

The pages need the same numbers `atalaya evaluate` computed, but from the CMDB as it stands (a
waiver re-evaluates one finding): one GROUP BY over the findings, folded with the policies'
severity weights. Cached per evaluation: every stored change of findings writes an Evaluation row.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cmdb.models import Evaluation, Finding
from cmdb.webqueries import finding_counts, site_names
from compliance.policy import PolicySet
from compliance.scoring import Score, Scores


def _add(score: Score, status: str, severity: str, weight: float, count: int) -> None:
    if status == "pass":
        score.passed += count
        score.weight_passed += weight * count
    elif status == "fail":
        score.failed += count
        score.weight_failed += weight * count
        score.failed_by_severity[severity] = score.failed_by_severity.get(severity, 0) + count
    elif status == "unknown":
        score.unknown += count
    elif status == "waived":
        score.waived += count
    else:
        score.not_applicable += count


def stored_scores(session: Session, policies: PolicySet) -> Scores:
    """Organisation, region, site (by code) and control scores of the stored findings."""
    scores = Scores(Score(), {}, {}, {}, {}, {})
    sites = site_names(session)
    for rule_id, site_id, region, status, severity, count in finding_counts(session):
        try:
            rule = policies.rule(rule_id)
        except KeyError:
            continue  # a rule since removed from the policies: no longer part of any score
        weight = policies.severity_weights.get(severity, 1.0)
        site = sites.get(site_id, ("", ""))[0] if site_id is not None else ""
        targets = [scores.organisation]
        if region:
            targets.append(scores.regions.setdefault(region, Score()))
        if site:
            targets.append(scores.sites.setdefault(site, Score()))
        targets += [scores.controls_2013.setdefault(c, Score()) for c in rule.controls_2013]
        targets += [scores.controls_2022.setdefault(c, Score()) for c in rule.controls_2022]
        for target in targets:
            _add(target, status, severity, weight, count)
    return scores


def rule_scores(session: Session, policies: PolicySet, rule_ids: list[str]) -> dict[str, Score]:
    """Each rule's own score and evidence gaps over the stored findings (a control's automated
    evidence, rule by rule)."""
    wanted = set(rule_ids)
    result = {rule_id: Score() for rule_id in rule_ids}
    for rule_id, _site, _region, status, severity, count in finding_counts(session):
        if rule_id in wanted:
            weight = policies.severity_weights.get(severity, 1.0)
            _add(result[rule_id], status, severity, weight, count)
    return result


class ScoreCache:
    """The last computed scores, valid while no evaluation was stored since."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple[int | None, int] | None = None
        self._scores: Scores | None = None

    def get(self, session: Session, policies: PolicySet) -> Scores:
        key = (
            session.scalar(select(func.max(Evaluation.id))),
            session.scalar(select(func.count()).select_from(Finding)) or 0,
        )
        with self._lock:
            if self._key == key and self._scores is not None:
                return self._scores
        scores = stored_scores(session, policies)
        with self._lock:
            self._key, self._scores = key, scores
        return scores


def cached(cache: dict[str, object], key: object, name: str, build: Callable[[], object]) -> object:
    """A value remembered under `name` while `key` stays the same."""
    entry = cache.get(name)
    if isinstance(entry, tuple) and entry[0] == key:
        return entry[1]
    value = build()
    cache[name] = (key, value)
    return value
