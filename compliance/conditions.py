"""Condition types that read configuration text, observed facts and IKE SAs.

Each takes (condition, facts, policies, today) and returns an `Outcome` whose evidence is the line,
value or date that decided it. A fact that was never observed gives *unknown*, never a pass.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from compliance.facts import CiFacts
from compliance.iosconfig import ParsedConfig
from compliance.outcome import Outcome, failed, not_applicable, passed, unknown
from compliance.policy import Condition, PolicySet, leading_word

Evaluator = Callable[[Condition, CiFacts, PolicySet, dt.date], Outcome]
NO_CONFIG = "no running-config collected"
_READABLE = (
    (r"\S+", "<name>"),
    (r"\S*", "<…>"),
    (r"\d+", "<n>"),
    ("( |$)", ""),
    ("( vrf-also)?", ""),
)


def show(pattern: re.Pattern[str] | None) -> str:
    """A pattern as the administrator would read it: '^ntp server ' -> 'ntp server'."""
    if pattern is None:
        return ""
    text = pattern.pattern.strip("^$ ")
    for token, shown in _READABLE:
        text = text.replace(token, shown)
    return text


def _matching(
    cfg: ParsedConfig, scope: str, pattern: re.Pattern[str], key: str | None
) -> list[str]:
    return [line for line in cfg.lines(scope, key) if pattern.search(line)]


def _none(cond: Condition, what: str) -> Outcome:
    if cond.none == "pass":
        return passed(f"no {what} line")
    if cond.none == "not_applicable":
        return not_applicable(f"no {what} line")
    return failed(f"no {what} line")


def config_has(cond: Condition, facts: CiFacts, policies: PolicySet, today: dt.date) -> Outcome:
    cfg = facts.config
    if cfg is None:
        return unknown(NO_CONFIG)
    found, missing = [], []
    for pattern, key in zip(cond.patterns, cond.keys, strict=True):
        lines = _matching(cfg, cond.scope, pattern, key)
        (found.append(lines[0]) if lines else missing.append(show(pattern)))
    if missing:
        return failed("missing: " + "; ".join(missing))
    return passed("; ".join(found))


def config_lacks(cond: Condition, facts: CiFacts, policies: PolicySet, today: dt.date) -> Outcome:
    cfg = facts.config
    if cfg is None:
        return unknown(NO_CONFIG)
    present = [
        line
        for pattern, key in zip(cond.patterns, cond.keys, strict=True)
        for line in _matching(cfg, cond.scope, pattern, key)
    ]
    if present:
        return failed("; ".join(dict.fromkeys(present)))
    return passed("absent: " + "; ".join(show(p) for p in cond.patterns))


def config_count(cond: Condition, facts: CiFacts, policies: PolicySet, today: dt.date) -> Outcome:
    cfg = facts.config
    if cfg is None:
        return unknown(NO_CONFIG)
    lines = _matching(cfg, cond.scope, cond.patterns[0], cond.keys[0])
    need = int(cond.minimum or 0)
    if len(lines) < need:
        found = ": " + "; ".join(lines) if lines else ""
        return failed(
            f"{len(lines)} '{show(cond.patterns[0])}' line(s), need at least {need}{found}"
        )
    return passed("; ".join(lines))


def config_lines_match(
    cond: Condition, facts: CiFacts, policies: PolicySet, today: dt.date
) -> Outcome:
    cfg = facts.config
    if cfg is None or cond.select is None or cond.require is None:
        return unknown(NO_CONFIG)
    selected = _matching(cfg, cond.scope, cond.select, leading_word(cond.select))
    if not selected:
        return _none(cond, f"'{show(cond.select)}'")
    bad = [line for line in selected if not cond.require.search(line)]
    return failed("; ".join(bad)) if bad else passed("; ".join(selected))


def config_numbers(cond: Condition, facts: CiFacts, policies: PolicySet, today: dt.date) -> Outcome:
    cfg = facts.config
    if cfg is None or cond.select is None:
        return unknown(NO_CONFIG)
    selected, bad = [], []
    for line in cfg.lines(cond.scope):
        match = cond.select.search(line)
        if not match:
            continue
        selected.append(line)
        numbers = [int(n) for group in match.groups() if group for n in group.split()]
        low = cond.minimum is not None and any(n < cond.minimum for n in numbers)
        if low or (cond.maximum is not None and any(n > cond.maximum for n in numbers)):
            bad.append(line)
    if not selected:
        return _none(cond, f"'{show(cond.select)}'")
    bad = list(dict.fromkeys(bad))
    return failed("; ".join(bad)) if bad else passed("; ".join(dict.fromkeys(selected)))


def _block_problem(cond: Condition, header: str, children: tuple[str, ...]) -> str | None:
    assert cond.require is not None
    for child in children:
        match = cond.require.search(child)
        if not match:
            continue
        if match.groups() and (cond.minimum is not None or cond.maximum is not None):
            number = int(match.group(1))
            if (cond.minimum is not None and number < cond.minimum) or (
                cond.maximum is not None and number > cond.maximum
            ):
                return f"{header}: {child}"
        return None
    near = [c for c in children if cond.near and cond.near.search(c)]
    return f"{header}: " + ("; ".join(near) if near else f"no '{show(cond.require)}'")


def every_block(cond: Condition, facts: CiFacts, policies: PolicySet, today: dt.date) -> Outcome:
    cfg = facts.config
    if cfg is None or cond.block is None or cond.require is None:
        return unknown(NO_CONFIG)
    blocks = [b for b in cfg.blocks if cond.block.search(b.header)]
    if not blocks:
        return _none(cond, f"'{show(cond.block)}' block")
    problems = [p for b in blocks if (p := _block_problem(cond, b.header, b.children))]
    if problems:
        return failed("; ".join(problems))
    shown = []
    for b in blocks:
        line = next(c for c in b.children if cond.require.search(c))
        shown.append(f"{b.header}: {line}")
    return passed("; ".join(shown))


EXPORTS: dict[str, Evaluator] = {
    "config_has": config_has,
    "config_lacks": config_lacks,
    "config_count": config_count,
    "config_lines_match": config_lines_match,
    "config_numbers": config_numbers,
    "every_block": every_block,
}
