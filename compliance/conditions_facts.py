"""Condition types on observed values (sshd -T, host state, inventory fields, ages) and IKE SAs."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from compliance.conditions import Evaluator
from compliance.facts import CiFacts
from compliance.gaps import explain
from compliance.outcome import Outcome, failed, nothing, passed, unknown
from compliance.policy import Condition, PolicySet

_DEVICE_FIELDS = {"device.owner": "owner", "device.serial": "serial", "device.model": "model"}


def read_fact(name: str, facts: CiFacts) -> tuple[Any, str]:
    """The value of a dotted fact, or (None, why it is unknown, with the collector's reason)."""
    label = name.split(".", 1)[1]
    if name.startswith(("sshd.", "host_state.")):
        table = facts.sshd if name.startswith("sshd.") else facts.host_state
        source = "sshd -T" if name.startswith("sshd.") else "host state"
        if table is None:
            return None, f"{source} not collected" + explain(facts, name)
        if label not in table or table[label] is None:
            return None, f"{source} has no '{label}'" + explain(facts, name)
        return table[label], label
    if name in _DEVICE_FIELDS:
        return getattr(facts, _DEVICE_FIELDS[name]), label
    value = {
        "config.last_confirmed": facts.config_confirmed,
        "device.last_seen": facts.last_seen,
        "link.availability_30d": facts.link_availability_30d,
        "discovered.inventory": facts.discovery,
    }[name]
    if value is None:
        return None, {
            "config.last_confirmed": "no configuration snapshot",
            "device.last_seen": "never seen by a collector",
            "link.availability_30d": "link never probed",
            "discovered.inventory": "not a discovered device",
        }[name] + explain(facts, name)
    return value, label


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _shown(name: str, value: float) -> str:
    if name == "link.availability_30d":
        return f"{value * 100:.2f} %"
    return f"{value:g}"


def _missing(cond: Condition, facts: CiFacts, why: str) -> Outcome:
    """Unknown; "nothing to judge" when the table was read but lacks the key (observed, empty)."""
    table = facts.sshd if cond.fact.startswith("sshd.") else facts.host_state
    observed = cond.fact.startswith(("sshd.", "host_state.")) and table is not None
    return nothing("unknown", why) if observed else unknown(why)


def fact_equals(cond: Condition, facts: CiFacts, policies: PolicySet, today: dt.date) -> Outcome:
    value, label = read_fact(cond.fact, facts)
    if value is None:
        return _missing(cond, facts, label)
    text = f"{label} {value}"
    return passed(text) if str(value).strip().lower() == cond.value.lower() else failed(text)


def fact_bound(cond: Condition, facts: CiFacts, policies: PolicySet, today: dt.date) -> Outcome:
    """fact_min / fact_max: the value must be >= minimum or <= maximum."""
    value, label = read_fact(cond.fact, facts)
    if value is None:
        return _missing(cond, facts, label)
    number = _number(value)
    if number is None:
        return unknown(f"{label} {value!r} is not a number")
    if cond.minimum is not None and number < cond.minimum:
        return failed(
            f"{label} {_shown(cond.fact, number)} (minimum {_shown(cond.fact, cond.minimum)})"
        )
    if cond.maximum is not None and number > cond.maximum:
        return failed(
            f"{label} {_shown(cond.fact, number)} (maximum {_shown(cond.fact, cond.maximum)})"
        )
    return passed(f"{label} {_shown(cond.fact, number)}")


def fact_excludes(cond: Condition, facts: CiFacts, policies: PolicySet, today: dt.date) -> Outcome:
    value, label = read_fact(cond.fact, facts)
    if value is None:
        return _missing(cond, facts, label)
    items = [item for item in re.split(r"[,\s]+", str(value).lower()) if item]
    bad = [item for item in items if any(p.search(item) for p in cond.patterns)]
    if bad:
        return failed(f"{label}: {', '.join(bad)}")
    return passed(f"{label} {','.join(items)}")


def fact_includes(cond: Condition, facts: CiFacts, policies: PolicySet, today: dt.date) -> Outcome:
    """A list fact ("avp.exe,lsass.exe,…") has at least one item matching a pattern."""
    value, label = read_fact(cond.fact, facts)
    if value is None:
        return _missing(cond, facts, label)
    items = [item for item in re.split(r"[,\s]+", str(value).lower()) if item]
    if not items:
        return nothing("fail", f"{label}: none")
    good = [item for item in items if any(p.search(item) for p in cond.patterns)]
    if good:
        return passed(f"{label}: {', '.join(good)}")
    wanted = "; ".join(p.pattern for p in cond.patterns)
    return failed(f"{label}: none of {len(items)} matches {wanted}")


def fact_nonempty(cond: Condition, facts: CiFacts, policies: PolicySet, today: dt.date) -> Outcome:
    value, label = read_fact(cond.fact, facts)
    if str(value or "").strip():
        return passed(f"{label}: {value}")
    if cond.requires_seen and facts.last_seen is None:
        return unknown(f"{label} not declared and the device was never polled")
    return nothing("fail", f"{label} empty")


def max_age_days(cond: Condition, facts: CiFacts, policies: PolicySet, today: dt.date) -> Outcome:
    value, label = read_fact(cond.fact, facts)
    if value is None:
        return unknown(label)
    day = value.date() if isinstance(value, dt.datetime) else value
    age = (today - day).days
    text = f"{label} {day.isoformat()} ({age} days before {today.isoformat()}, limit {cond.days})"
    return failed(text) if age > cond.days else passed(text)


def _sa_value(sa: Any, field: str) -> Any:
    return getattr(sa, field)


def sa_all(cond: Condition, facts: CiFacts, policies: PolicySet, today: dt.date) -> Outcome:
    if facts.ike_sas is None:
        return unknown("IKE SAs not collected" + explain(facts, "ike_sas"))
    if not facts.ike_sas:
        return nothing("pass", "no IKE SA established")
    bad: list[str] = []
    good: list[str] = []
    for sa in facts.ike_sas:
        value = _sa_value(sa, cond.sa_field)
        text = f"SA {sa.peer}: {cond.sa_field} {value}"
        ok = value is not None
        if ok and cond.require is not None:
            ok = bool(cond.require.search(str(value)))
        if ok and cond.minimum is not None:
            number = _number(value)
            ok = number is not None and number >= cond.minimum
        (good if ok else bad).append(text)
    return failed("; ".join(bad)) if bad else passed("; ".join(good))


def sa_any(cond: Condition, facts: CiFacts, policies: PolicySet, today: dt.date) -> Outcome:
    if facts.ike_sas is None:
        return unknown("IKE SAs not collected" + explain(facts, "ike_sas"))
    texts = [
        f"SA {sa.peer}: {cond.sa_field} {_sa_value(sa, cond.sa_field)}" for sa in facts.ike_sas
    ]
    assert cond.require is not None
    for sa, text in zip(facts.ike_sas, texts, strict=True):
        if cond.require.search(str(_sa_value(sa, cond.sa_field))):
            return passed(text)
    return failed("; ".join(texts)) if texts else nothing("fail", "no IKE SA")


def sustained_max(cond: Condition, facts: CiFacts, policies: PolicySet, today: dt.date) -> Outcome:
    """Fails when each of the last ``days`` days was measured and stayed above ``max``."""
    days = facts.link_p95_daily
    if cond.fact != "link.p95_utilisation" or days is None or cond.maximum is None:
        return unknown("link load never measured")
    recent = days[-cond.days :]
    measured = [value for value in recent if value is not None]
    shown = ", ".join("—" if v is None else f"{v * 100:.0f} %" for v in recent)
    text = f"daily 95th percentile {shown} (limit {cond.maximum * 100:.0f} % for {cond.days} days)"
    if not measured:
        return unknown(f"no link load in the last {cond.days} days")
    if len(measured) == len(recent) == cond.days and min(measured) > cond.maximum:
        return failed(text)
    return passed(text)


EXPORTS: dict[str, Evaluator] = {
    "fact_equals": fact_equals,
    "fact_min": fact_bound,
    "fact_max": fact_bound,
    "fact_excludes": fact_excludes,
    "fact_includes": fact_includes,
    "fact_nonempty": fact_nonempty,
    "max_age_days": max_age_days,
    "sustained_max": sustained_max,
    "sa_all": sa_all,
    "sa_any": sa_any,
}
