"""Directory login (LDAP / Active Directory) with ldap3: bind as the user over LDAPS or StartTLS,
read the user's groups, map them to a role.

The outcome is data, not an exception: `Refused` covers an unknown user, a wrong password, a
locked or disabled account and a user in no mapped group alike, so the login page says the same
for each (no account enumeration); its `reason` goes to the audit log only. `Unavailable` is a
directory that does not answer or fails TLS, bounded by the timeout setting.
"""

from __future__ import annotations

import math
import ssl
from dataclasses import dataclass
from typing import Any

from ldap3 import BASE, NONE, SIMPLE, Connection, Server, Tls
from ldap3.core.exceptions import LDAPException
from ldap3.utils.conv import escape_filter_chars
from ldap3.utils.dn import escape_rdn, parse_dn

from atalaya.settings import SettingsError
from atalaya.settings_auth import AuthSettings

AD_ACCOUNTDISABLE = 0x2  # userAccountControl bit of a disabled Active Directory account


@dataclass(frozen=True)
class Accepted:
    username: str
    role: str


@dataclass(frozen=True)
class Refused:
    reason: str  # for the audit log, never shown to the person logging in


@dataclass(frozen=True)
class Unavailable:
    reason: str


Outcome = Accepted | Refused | Unavailable


def check(conf: AuthSettings) -> None:
    """Refuse a directory setting that cannot work, before `serve` starts (SettingsError)."""
    if not conf.directory_url:
        return
    where = "[auth]"
    if not conf.directory_url.lower().startswith(("ldap://", "ldaps://")):
        raise SettingsError(f"{where} directory_url: expected ldaps://HOST or ldap://HOST "
                            f"(StartTLS), got {conf.directory_url!r}")  # fmt: skip
    if conf.bind_template and "{username}" not in conf.bind_template:
        raise SettingsError(f"{where} bind_template: must contain {{username}}, "
                            f"got {conf.bind_template!r}")  # fmt: skip
    if not conf.bind_template and not conf.search_base:
        raise SettingsError(f"{where} directory_url is set: set bind_template (bind as "
                            "uid={username},… or {username}@domain) or search_base")  # fmt: skip
    if not any(conf.role_groups().values()):
        raise SettingsError(f"{where} directory_url is set but no *_groups maps a directory "
                            "group to a role: no directory user could log in")  # fmt: skip


def _server(conf: AuthSettings) -> Server:
    tls = Tls(
        validate=ssl.CERT_REQUIRED,
        ca_certs_file=conf.ca_file or None,
        version=ssl.PROTOCOL_TLS_CLIENT,
    )
    return Server(
        conf.directory_url,
        use_ssl=conf.directory_url.lower().startswith("ldaps://"),
        tls=tls,
        connect_timeout=conf.timeout_s,
        get_info=NONE,
    )


def _connect(
    conf: AuthSettings, server: Server, dn: str | None, password: str | None
) -> Connection:
    """An open, TLS-protected connection bound as `dn` (anonymous when None); the bind result
    is in `connection.bound`."""
    connection = Connection(
        server,
        user=dn,
        password=password,
        authentication=SIMPLE if dn else None,
        # ldap3 packs it into SO_RCVTIMEO as whole seconds: a float raises struct.error
        receive_timeout=max(1, math.ceil(conf.timeout_s)),
        raise_exceptions=False,
        read_only=True,
    )
    connection.open()
    if not server.ssl and not connection.start_tls():
        raise LDAPException(f"StartTLS refused: {connection.result}")
    connection.bind()
    return connection


def _user_dn(
    conf: AuthSettings, server: Server, username: str, service_password: str
) -> str | None:
    if conf.bind_template:
        value = username if "@" in conf.bind_template else escape_rdn(username)
        return conf.bind_template.replace("{username}", value)
    service = _connect(conf, server, conf.service_dn or None, service_password or None)
    try:
        query = conf.search_filter.replace("{username}", escape_filter_chars(username))
        service.search(conf.search_base, query, attributes=[], size_limit=2)
        entries = [e for e in service.response or [] if e.get("type") == "searchResEntry"]
        return str(entries[0]["dn"]) if len(entries) == 1 else None
    finally:
        service.unbind()


def role_of(groups: list[str], role_groups: dict[str, list[str]]) -> str | None:
    """The highest role any of the groups (DNs) gives, matched by full DN or by CN."""
    names = set()
    for group in groups:
        names.add(group.lower())
        try:
            first = parse_dn(group)[0]
        except LDAPException:
            continue
        if first[0].lower() == "cn":
            names.add(first[1].lower())
    for role, wanted in role_groups.items():
        if any(w.lower() in names for w in wanted):
            return role
    return None


def _entry_attributes(connection: Connection, dn: str, conf: AuthSettings) -> dict[str, Any]:
    wanted = [conf.group_attribute, "userAccountControl"]
    connection.search(dn, "(objectClass=*)", search_scope=BASE, attributes=wanted)
    for entry in connection.response or []:
        if entry.get("type") == "searchResEntry":
            return dict(entry.get("attributes") or {})
    return {}


def authenticate(
    conf: AuthSettings, username: str, password: str, service_password: str = ""
) -> Outcome:
    """Bind as `username` and find the role; never raises for a directory problem.
    `service_password`: the resolved secret of [auth] service_password, when one is set."""
    if not password or not username:
        # an empty password is an LDAP "unauthenticated bind", which succeeds: refuse it here
        return Refused("empty user name or password")
    try:
        server = _server(conf)
        dn = _user_dn(conf, server, username, service_password)
        if dn is None:
            return Refused("no such user in the directory")
        connection = _connect(conf, server, dn, password)
        try:
            if not connection.bound:
                return Refused(f"bind refused: {connection.result.get('description', '?')}")
            attributes = _entry_attributes(connection, dn, conf)
        finally:
            connection.unbind()
    except (LDAPException, OSError, ssl.SSLError) as exc:
        return Unavailable(f"{type(exc).__name__}: {exc}")
    control = attributes.get("userAccountControl")
    if isinstance(control, int) and control & AD_ACCOUNTDISABLE:
        return Refused("account disabled in the directory")
    groups = attributes.get(conf.group_attribute) or []
    role = role_of([str(g) for g in (groups if isinstance(groups, list) else [groups])],
                   conf.role_groups())  # fmt: skip
    if role is None:
        return Refused("in no group mapped to a role")
    return Accepted(username, role)
