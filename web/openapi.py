"""The OpenAPI 3.1 description of /api/v1, served at /api/v1/openapi.json."""

from __future__ import annotations

from typing import Any

from web.api_params import INT64_MAX, parameters


def _path(name: str, typ: str = "string") -> dict[str, Any]:
    # ids are 64-bit in both databases; a larger one matches no route (404)
    schema = {"type": typ, "minimum": 0, "maximum": INT64_MAX} if typ == "integer" else {
        "type": typ}  # fmt: skip
    return {"name": name, "in": "path", "required": True, "schema": schema}


ERROR = {
    "type": "object",
    "properties": {
        "error": {"type": "string"},
        "parameter": {"type": "string"},
        "expected": {"type": "string"},
    },
    "required": ["error"],
}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ERROR}}}


LISTING = {
    "type": "object",
    "properties": {
        "items": {"type": "array", "items": {"type": "object"}},
        "page": {"type": "integer"},
        "per_page": {"type": "integer"},
        "total": {"type": "integer"},
        "pages": {"type": "integer"},
    },
}


def _get(
    summary: str,
    params: list[dict[str, Any]],
    schema: dict[str, Any] | None = None,
    roles: str = "any role",
) -> dict[str, Any]:
    responses: dict[str, Any] = {
        "200": {
            "description": "OK",
            "content": {"application/json": {"schema": schema or {"type": "object"}}},
        },
        "401": _error("Not logged in and no valid bearer token"),
        "403": _error("The user's role may not read this"),
    }
    if any(p["in"] == "query" for p in params):
        responses["400"] = _error("A parameter outside this description (named in the answer)")
    if any(p["in"] == "path" for p in params):
        responses["404"] = {"description": "No such item"}
    return {
        "get": {
            "summary": summary,
            "description": f"Allowed to: {roles}.",
            "parameters": params,
            "responses": responses,
        }
    }


def document() -> dict[str, Any]:
    """The description: API info, the two ways to authenticate, and every path."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Atalaya API",
            "version": "1",
            "description": "Inventory, reachability, ISO/IEC 27001 findings and lifecycle "
            "of the network's sites. Times are UTC (ISO 8601).",
        },
        "servers": [{"url": "/api/v1"}],
        "components": {
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "atalaya_session"},
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "`atalaya user token NAME` prints one",
                },
            }
        },
        "security": [{"session": []}, {"bearer": []}],
        "paths": _paths(),
    }


def _paths() -> dict[str, Any]:
    """Every path of /api/v1 with its filters (`web.api_params`, which the endpoints read too)."""
    return {
        "/sites": _get(
            "Sites with state (up, degraded, down, unknown), link RTT/loss and "
            "availability over 24h/7d/30d",
            parameters("sites", paged=True),
            LISTING,
        ),
        "/sites/{code}": _get("One site's state and score", [_path("code")]),
        "/devices": _get("Devices", parameters("devices", paged=True), LISTING),
        "/devices/{id}": _get(
            "One device with interfaces and installed software", [_path("id", "integer")]
        ),
        "/devices/{id}/configs": _get(
            "Configuration snapshots (redacted) with diffs",
            [_path("id", "integer"), *parameters("device_configs")],
            roles="admin, network_admin",
        ),
        "/findings": _get(
            "Findings with evidence and remediation",
            parameters("findings", paged=True),
            LISTING,
        ),
        "/controls": _get("Statement of Applicability: score and evidence gaps per control", []),
        "/lifecycle": _get(
            "End-of-support forecast per year and region with replacement "
            "cost, and licence position",
            parameters("lifecycle"),
        ),
        "/changes": _get(
            "Audit trail of CI attributes",
            parameters("changes", paged=True),
            LISTING,
        ),
        "/waivers": _get("Waivers (live, expired, revoked)", []),
        "/vulnerabilities": _get(
            "Known vulnerabilities: per advisory, the affected devices by region and site",
            parameters("vulnerabilities"),
        ),
        "/vulnerabilities/devices": _get(
            "Known vulnerabilities: per affected device, its advisories",
            parameters("vulnerabilities"),
        ),
        "/openapi.json": _get("This document", []),
    }
