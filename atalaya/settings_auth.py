"""The [auth] settings: the directory (LDAP / Active Directory) users log in with, sessions and
login limits. Kept apart from atalaya.settings, which re-exports it, to keep both files short."""

from __future__ import annotations

from dataclasses import dataclass, field

ROLE_ORDER = ("admin", "network_admin", "security_officer", "viewer")  # highest first


@dataclass
class AuthSettings:
    # Directory login; empty url: local accounts only.
    # ldaps://dc1.example:636, or ldap://dc1.example:389, which always starts TLS (StartTLS) before
    # the bind: plain LDAP would carry the user's password in clear.
    directory_url: str = ""
    ca_file: str = ""  # PEM CA that signed the directory's certificate; empty: the system's
    # Bind as the user: a DN template ("uid={username},ou=people,dc=example") or a UPN
    # ("{username}@example.gob.pe", Active Directory). Empty: search for the user first.
    bind_template: str = ""
    search_base: str = ""  # where to search the user when bind_template is empty
    search_filter: str = "(|(uid={username})(sAMAccountName={username}))"
    service_dn: str = ""  # account that searches (empty: anonymous search)
    service_password: str = ""  # NAME of the secret holding its password
    group_attribute: str = "memberOf"  # the user entry's attribute listing its groups
    # Groups (by CN or full DN, case-insensitive) giving each role; the highest role wins.
    # A directory user in none of them cannot log in.
    admin_groups: list[str] = field(default_factory=list)
    network_admin_groups: list[str] = field(default_factory=list)
    security_officer_groups: list[str] = field(default_factory=list)
    viewer_groups: list[str] = field(default_factory=list)
    timeout_s: float = 5.0  # connect and each answer: an unreachable directory never hangs a login
    # Sessions and login limits (kept in the database: they hold across restarts and processes)
    session_idle_minutes: int = 480
    failures_per_user: int = 5
    failures_per_address: int = 20
    failure_window_s: int = 900

    def role_groups(self) -> dict[str, list[str]]:
        """Each role's groups, highest role first."""
        return {role: list(getattr(self, f"{role}_groups")) for role in ROLE_ORDER}
