"""Who may open what: the one place where routes meet roles.

Every endpoint of the app must be listed in `ENDPOINTS`; `web.security` refuses any endpoint that
is not (deny by default), and the role-matrix test walks `app.url_map` so a new route without a
rule here fails it.
"""

from __future__ import annotations

ROLES = ("admin", "network_admin", "security_officer", "viewer")

# permission -> roles holding it; "public" needs no login
PERMISSIONS: dict[str, frozenset[str]] = {
    "read": frozenset(ROLES),
    # running configurations: redacted, but they still map the network for an attacker
    "configs": frozenset({"admin", "network_admin"}),
    "waivers": frozenset({"admin", "security_officer"}),
    # the Statement of Applicability is the security officer's record (ISO/IEC 27001 6.1.3 d)
    "soa": frozenset({"admin", "security_officer"}),
    "users": frozenset({"admin"}),
    "audit": frozenset({"admin"}),
    # inventory edits on the web: the people who would otherwise edit the inventory file
    "inventory": frozenset({"admin", "network_admin"}),
    # what discovery found maps the network too, and adopting one writes the inventory
    "discovery": frozenset({"admin", "network_admin"}),
}
PUBLIC = "public"

ENDPOINTS: dict[str, str] = {
    "static": PUBLIC,
    "core.healthz": PUBLIC,
    "metrics": PUBLIC,  # web.metrics applies its own setting: open, token or off
    "auth.login": PUBLIC,
    "auth.logout": "read",
    "auth.language": "read",
    "auth.users": "users",
    "auth.user_create": "users",
    "auth.user_active": "users",
    "audit.index": "audit",
    "inventory.edit_form": "inventory",
    "inventory.save": "inventory",
    "overview.index": "read",
    "sites.board": "read",
    "sites.site": "read",
    "devices.index": "read",
    "devices.device": "read",
    "devices.configs": "configs",
    "controls.index": "read",
    "controls.control": "read",
    "controls.waivers": "read",
    "controls.waiver_create": "waivers",
    "controls.waiver_expire": "waivers",
    "soa.index": "read",
    "soa.entry": "read",
    "soa.edit": "soa",
    "soa.export": "read",
    "findings.index": "read",
    "findings.export": "read",
    "lifecycle.index": "read",
    "plan.index": "read",
    "plan.pdf": "read",
    "changes.index": "read",
    "topology.national": "read",
    "topology.site": "read",
    "discovered.index": "discovery",
    "discovered.adopt_record": "discovery",
    "discovered.ignore_record": "discovery",
    "api.openapi": "read",
    "api.sites": "read",
    "api.site": "read",
    "api.devices": "read",
    "api.device": "read",
    "api.device_configs": "configs",
    "api.findings": "read",
    "api.controls": "read",
    "api.lifecycle": "read",
    "api.changes": "read",
    "api.waivers": "read",
    "vulnerabilities.index": "read",
    "vulnerabilities.advisory": "read",
    "api_vulnerabilities.api_advisories": "read",
    "api_vulnerabilities.api_devices": "read",
}


def permission_of(endpoint: str | None) -> str | None:
    """The permission an endpoint needs; None when the endpoint is not in the matrix."""
    if endpoint is None:
        return None
    return ENDPOINTS.get(endpoint)


def allowed(role: str, permission: str) -> bool:
    return permission == PUBLIC or role in PERMISSIONS.get(permission, frozenset())
