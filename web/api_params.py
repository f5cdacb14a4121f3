"""The query parameters of each /api/v1 endpoint, defined once: the endpoint reads and validates
its parameters from here and the OpenAPI description lists the same definitions.

A value the description does not allow (an integer out of range, beyond 64 bits, a malformed
date) is a `ParamError`: a 400 naming the parameter and what was expected, for the API (JSON)
and the HTML pages alike, never a silent default and never a database error.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from flask import request

INT64_MAX = 2**63 - 1  # the largest id SQLite and PostgreSQL (bigint) hold
_INTEGER = re.compile(r"[+-]?[0-9]{1,30}")


class ParamError(ValueError):
    """A request parameter outside its description; `name` and `expected` say which and why."""

    def __init__(self, name: str, expected: str, got: str) -> None:
        self.name, self.expected, self.got = name, expected, got
        super().__init__(f"parameter {name!r}: expected {expected}, got {got[:80]!r}")

    def as_json(self) -> dict[str, str]:
        return {"error": str(self), "parameter": self.name, "expected": self.expected}


@dataclass(frozen=True)
class Param:
    """One query parameter and its JSON schema."""

    name: str
    schema: dict[str, Any] = field(default_factory=lambda: {"type": "string"})
    description: str = ""

    def openapi(self) -> dict[str, Any]:
        described = {"description": self.description} if self.description else {}
        return {"name": self.name, "in": "query", "schema": self.schema, **described}

    def read(self) -> Any:
        """The request's value, checked against the schema; the default when absent (or empty,
        on a page: see `blank_is_absent`)."""
        raw = request.args.get(self.name)
        if raw is None or (not raw.strip() and blank_is_absent(self.schema)):
            return self.schema.get("default")
        return checked(self.name, raw.strip(), self.schema)


def blank_is_absent(schema: dict[str, Any]) -> bool:
    """An empty value means "no filter" for plain strings everywhere, and on the pages for any
    type: their forms send the fields left blank (`since=`). The API has no forms, and an empty
    date or integer is not what its description allows."""
    plain = schema.get("type") == "string" and "format" not in schema
    return plain or request.blueprint != "api"


def _integer(name: str, raw: str, schema: dict[str, Any]) -> int:
    low, high = schema.get("minimum", -INT64_MAX), schema.get("maximum", INT64_MAX)
    expected = f"an integer from {low} to {high}"
    if not _INTEGER.fullmatch(raw):
        raise ParamError(name, expected, raw)
    value = int(raw)
    if not low <= value <= high:
        raise ParamError(name, expected, raw)
    return value


def checked(name: str, raw: str, schema: dict[str, Any]) -> Any:
    """`raw` converted to the schema's type, or ParamError."""
    if schema.get("type") == "integer":
        return _integer(name, raw, schema)
    if schema.get("format") == "date":
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            raise ParamError(name, "a date YYYY-MM-DD", raw) from None
    if "enum" in schema and raw not in schema["enum"]:
        raise ParamError(name, "one of " + ", ".join(schema["enum"]), raw)
    return raw


def _strings(*names: str) -> tuple[Param, ...]:
    return tuple(Param(name) for name in names)


DATE = {"type": "string", "format": "date"}
PAGE = (
    Param("page", {"type": "integer", "minimum": 1, "maximum": 1_000_000, "default": 1}),
    Param("per_page", {"type": "integer", "minimum": 1, "maximum": 500, "default": 50}),
)
# endpoint -> the filters it reads (pagination apart)
FILTERS: dict[str, tuple[Param, ...]] = {
    "sites": _strings("region", "kind", "state"),
    "devices": _strings("region", "site", "kind", "platform", "q"),
    "device_configs": (Param("limit", {"type": "integer", "minimum": 1, "maximum": 50,
                                       "default": 10}),),
    "findings": (
        *_strings("severity", "status", "control", "rule", "region", "site", "platform"),
        Param("changed_since", DATE, "Only findings whose status changed since this day"),
    ),
    "lifecycle": (
        Param("years", {"type": "integer", "minimum": 0, "maximum": 20, "default": 5}),
        Param("region"),
    ),
    "vulnerabilities": (
        Param("region"),
        Param("site"),
        Param("severity", {"type": "string", "enum": ["critical", "high", "medium", "low"]},
              "Only advisories of this severity (from the CVSS base score)"),
    ),
    "changes": (
        *_strings("ci_type", "name", "field", "source"),
        Param("since", DATE),
        Param("until", DATE),
    ),
}  # fmt: skip


def parameters(endpoint: str, paged: bool = False) -> list[dict[str, Any]]:
    """The endpoint's query parameters as OpenAPI parameter objects."""
    return [p.openapi() for p in (*FILTERS[endpoint], *(PAGE if paged else ()))]


def value(endpoint: str, name: str) -> Any:
    """One parameter of an endpoint, validated (ParamError) or its default."""
    return next(p for p in FILTERS[endpoint] if p.name == name).read()


def string_filters(endpoint: str) -> dict[str, str | None]:
    """The endpoint's string filters from the request (None when absent or empty)."""
    return {p.name: p.read() for p in FILTERS[endpoint] if p.schema.get("type") == "string"
            and "format" not in p.schema}  # fmt: skip
