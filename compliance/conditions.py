"""Condition types that read configuration text, observed facts and IKE SAs.

Each takes (condition, facts, policies, today) and returns an `Outcome` whose evidence is the line,
value or date that decided it. A fact that was never observed gives *unknown*, never a pass.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from compliance.facts import CiFacts
from compliance.gaps import explain
from compliance.iosconfig import ParsedConfig
from compliance.outcome import Outcome, failed, nothing, passed, unknown
from compliance.platform_defaults import config_with_defaults
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
    """Nothing selected: the condition's own default (`none`), flagged as nothing to judge."""
    status = cond.none if cond.none in ("pass", "not_applicable") else "fail"
    return nothing(status, f"no {what} line")  # type: ignore[arg-type]


def shown_line(cfg: ParsedConfig, line: str) -> str:
    """A line as evidence; one the platform-defaults model supplied says so."""
    return f"{line} (platform default, not in the running-config)" if line in cfg.supplied else line


def effective(facts: CiFacts, policies: PolicySet) -> ParsedConfig | None:
    """The running-config with the values the platform hides by default (platform-defaults.toml)."""
    return config_with_defaults(facts, policies.platform_defaults)


def config_has(cond: Condition, facts: CiFacts, policies: PolicySet, today: dt.date) -> Outcome:
    cfg = effective(facts, policies)
    if cfg is None:
        return unknown(NO_CONFIG + explain(facts, "config"))
    found, missing = [], []
    for pattern, key in zip(cond.patterns, cond.keys, strict=True):
        lines = _matching(cfg, cond.scope, pattern, key)
        (found.append(shown_line(cfg, lines[0])) if lines else missing.append(show(pattern)))
    if missing:
        evidence = "missing: " + "; ".join(missing)
        return failed(evidence) if found else nothing("fail", evidence)
    return passed("; ".join(found))


def config_lacks(cond: Condition, facts: CiFacts, policies: PolicySet, today: dt.date) -> Outcome:
    cfg = effective(facts, policies)
    if cfg is None:
        return unknown(NO_CONFIG + explain(facts, "config"))
    present = [
        shown_line(cfg, line)
        for pattern, key in zip(cond.patterns, cond.keys, strict=True)
        for line in _matching(cfg, cond.scope, pattern, key)
    ]
    if present:
        return failed("; ".join(dict.fromkeys(present)))
    return nothing("pass", "absent: " + "; ".join(show(p) for p in cond.patterns))


def config_count(cond: Condition, facts: CiFacts, policies: PolicySet, today: dt.date) -> Outcome:
    cfg = effective(facts, policies)
    if cfg is None:
        return unknown(NO_CONFIG + explain(facts, "config"))
    lines = _matching(cfg, cond.scope, cond.patterns[0], cond.keys[0])
    need = int(cond.minimum or 0)
    if len(lines) < need:
        found = ": " + "; ".join(lines) if lines else ""
        evidence = f"{len(lines)} '{show(cond.patterns[0])}' line(s), need at least {need}{found}"
        return failed(evidence) if lines else nothing("fail", evidence)
    return passed("; ".join(lines))


def config_lines_match(
    cond: Condition, facts: CiFacts, policies: PolicySet, today: dt.date
) -> Outcome:
    cfg = effective(facts, policies)
    if cfg is None or cond.select is None or cond.require is None:
        return unknown(NO_CONFIG + explain(facts, "config"))
    selected = _matching(cfg, cond.scope, cond.select, leading_word(cond.select))
    if not selected:
        return _none(cond, f"'{show(cond.select)}'")
    bad = [shown_line(cfg, line) for line in selected if not cond.require.search(line)]
    shown = [shown_line(cfg, line) for line in selected]
    return failed("; ".join(bad)) if bad else passed("; ".join(shown))


def config_numbers(cond: Condition, facts: CiFacts, policies: PolicySet, today: dt.date) -> Outcome:
    cfg = effective(facts, policies)
    if cfg is None or cond.select is None:
        return unknown(NO_CONFIG + explain(facts, "config"))
    selected, bad = [], []
    for line in cfg.lines(cond.scope):
        match = cond.select.search(line)
        if not match:
            continue
        selected.append(line)
        numbers = [int(n) for group in match.groups() if group for n in group.split()]
        low = cond.minimum is not None and any(n < cond.minimum for n in numbers)
        if low or (cond.maximum is not None and any(n > cond.maximum for n in numbers)):
            bad.append(shown_line(cfg, line))
    if not selected:
        return _none(cond, f"'{show(cond.select)}'")
    bad = list(dict.fromkeys(bad))
    shown = dict.fromkeys(shown_line(cfg, line) for line in selected)
    return failed("; ".join(bad)) if bad else passed("; ".join(shown))


def _block_problem(
    cond: Condition, cfg: ParsedConfig, header: str, children: tuple[str, ...]
) -> str | None:
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
                return f"{header}: {shown_line(cfg, child)}"
        return None
    near = [shown_line(cfg, c) for c in children if cond.near and cond.near.search(c)]
    return f"{header}: " + ("; ".join(near) if near else f"no '{show(cond.require)}'")


def every_block(cond: Condition, facts: CiFacts, policies: PolicySet, today: dt.date) -> Outcome:
    """Every block whose header matches `block` (and, with `where`, that has a child matching
    it: "WAN-facing interfaces") has a child matching `require`; a global line matching
    `override` ("no cdp run") satisfies every block at once."""
    cfg = effective(facts, policies)
    if cfg is None or cond.block is None or cond.require is None:
        return unknown(NO_CONFIG + explain(facts, "config"))
    blocks = [
        b
        for b in cfg.blocks
        if cond.block.search(b.header)
        and (cond.where is None or any(cond.where.search(c) for c in b.children))
    ]
    if not blocks:
        return _none(cond, f"'{show(cond.block)}' block")
    if cond.override is not None:
        hits = [line for line in cfg.global_lines if cond.override.search(line)]
        if hits:
            return passed(f"{shown_line(cfg, hits[0])} (covers {len(blocks)} block(s))")
    problems = [p for b in blocks if (p := _block_problem(cond, cfg, b.header, b.children))]
    if problems:
        return failed("; ".join(problems))
    shown = []
    for b in blocks:
        line = next(c for c in b.children if cond.require.search(c))
        shown.append(f"{b.header}: {shown_line(cfg, line)}")
    return passed("; ".join(shown))


EXPORTS: dict[str, Evaluator] = {
    "config_has": config_has,
    "config_lacks": config_lacks,
    "config_count": config_count,
    "config_lines_match": config_lines_match,
    "config_numbers": config_numbers,
    "every_block": every_block,
}
