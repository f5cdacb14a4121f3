"""The query parameters of each /api/v1 endpoint, defined once: the endpoint reads its filters
from here and the OpenAPI description lists the same parameters."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from web.request_context import arg


@dataclass(frozen=True)
class Param:
    """One query parameter and its JSON schema."""

    name: str
    schema: dict[str, Any] = field(default_factory=lambda: {"type": "string"})
    description: str = ""

    def openapi(self) -> dict[str, Any]:
        described = {"description": self.description} if self.description else {}
        return {"name": self.name, "in": "query", "schema": self.schema, **described}


def _strings(*names: str) -> tuple[Param, ...]:
    return tuple(Param(name) for name in names)


DATE = {"type": "string", "format": "date"}
PAGE = (
    Param("page", {"type": "integer", "minimum": 1, "default": 1}),
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


def string_filters(endpoint: str) -> dict[str, str | None]:
    """The endpoint's string filters from the request (None when absent or empty)."""
    return {p.name: arg(p.name) for p in FILTERS[endpoint] if p.schema.get("type") == "string"
            and "format" not in p.schema}  # fmt: skip
