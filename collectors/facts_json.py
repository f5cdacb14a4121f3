"""Typed facts to JSON and back, exactly: what a collector returned can wait in a spool (when the
CMDB cannot be written) and be ingested later as if it had just been collected.

Datetimes keep their zone (ISO 8601), a failure keeps its class by its ``reason`` (so a Timeout
stays transient and an AuthFailed permanent), nested facts keep their types. Targets are never
serialised: they carry resolved secrets, and the facts do not.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from collectors.base import (
    AuthFailed,
    BadResponse,
    CollectorError,
    DeviceFacts,
    IkeSaFact,
    InterfaceFact,
    ProbeSample,
    SoftwareFact,
    StorageFact,
    Timeout,
    Unsupported,
)

ERRORS: dict[str, type[CollectorError]] = {
    cls.reason: cls for cls in (CollectorError, AuthFailed, Timeout, Unsupported, BadResponse)
}
NESTED: dict[str, Any] = {
    "interfaces": InterfaceFact,
    "software": SoftwareFact,
    "storage": StorageFact,
    "ike_sas": IkeSaFact,
}
# Every list-of-facts field of DeviceFacts must be known here, or it would come back as dicts.
_LISTS = {f.name for f in dataclasses.fields(DeviceFacts) if str(f.type).startswith("list[")}
assert _LISTS - {"skipped"} == set(NESTED), "a DeviceFacts list field without its type in NESTED"


class FactsFormatError(ValueError):
    """A serialised result that cannot be read back (a spool written by another version)."""


def result_to_json(item: DeviceFacts | ProbeSample) -> dict[str, Any]:
    """One collector result as plain JSON values."""
    if isinstance(item, ProbeSample):
        values = dataclasses.asdict(item)
        values["at"] = item.at.isoformat()
        return {"type": "probe", **values}
    values = {f.name: getattr(item, f.name) for f in dataclasses.fields(item)}
    values["collected_at"] = item.collected_at.isoformat()
    values["error"] = (
        None if item.error is None else {"reason": item.error.reason, "message": item.error.message}
    )
    for name in NESTED:
        if values[name] is not None:
            values[name] = [dataclasses.asdict(fact) for fact in values[name]]
    return {"type": "device", **values}


def result_from_json(data: dict[str, Any]) -> DeviceFacts | ProbeSample:
    """The inverse of `result_to_json`; a FactsFormatError names what did not fit."""
    values = dict(data)
    kind = values.pop("type", None)
    try:
        if kind == "probe":
            values["at"] = dt.datetime.fromisoformat(values["at"])
            return ProbeSample(**values)
        if kind == "device":
            values["collected_at"] = dt.datetime.fromisoformat(values["collected_at"])
            values["error"] = _error(values.get("error"))
            for name, cls in NESTED.items():
                if values.get(name) is not None:
                    values[name] = [cls(**fact) for fact in values[name]]
            return DeviceFacts(**values)
    except (KeyError, TypeError, ValueError) as exc:
        raise FactsFormatError(f"{kind} result {data.get('hostname') or data.get('target')!r}: "
                               f"{type(exc).__name__}: {exc}") from exc  # fmt: skip
    raise FactsFormatError(f"result type {kind!r}: expected 'device' or 'probe'")


def _error(value: dict[str, str] | None) -> CollectorError | None:
    if value is None:
        return None
    return ERRORS.get(value["reason"], CollectorError)(value["message"])
