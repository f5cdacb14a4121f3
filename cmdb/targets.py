"""What to poll: devices and site links from the CMDB, with credentials resolved in memory.

Secrets come through a resolver callable (name -> value, raising LookupError with the reason):
the CMDB holds only their names, and this module never reads settings or the environment.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Sequence
from typing import TypeVarTuple

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from cmdb.models import Credential, Device, Link, Region, Site
from collectors.base import SnmpCredential, SshCredential, SweepTarget, Target

Row = TypeVarTuple("Row")
# name -> secret value; raises LookupError saying where it looked (atalaya.settings.Secrets)
SecretResolver = Callable[[str], str]


def _scope(
    query: Select[*Row], regions: Sequence[str] | None, sites: Sequence[str] | None
) -> Select[*Row]:
    if regions:
        query = query.where(Region.code.in_([r.upper() for r in regions]))
    if sites:
        query = query.where(Site.code.in_([s.upper() for s in sites]))
    return query


def load_targets(
    session: Session,
    secret: SecretResolver,
    regions: Sequence[str] | None = None,
    sites: Sequence[str] | None = None,
    platforms: Sequence[str] | None = None,
) -> list[Target]:
    """Every device in scope as a Target. A credential that cannot be resolved is reported on
    the target (``credential_error``), so that device fails alone and the others are polled."""
    query = select(Device, Site.code).join(Site, Device.site_id == Site.id).join(Region)
    query = _scope(query, regions, sites).order_by(Device.hostname)
    if platforms:
        query = query.where(Device.platform.in_(platforms))
    credentials = {c.name: c for c in session.scalars(select(Credential))}
    resolved: dict[str, SnmpCredential | SshCredential | str] = {}
    targets = []
    for device, site_code in session.execute(query):
        errors: list[str] = []
        snmp = _resolve(device.snmp_credential, credentials, secret, resolved, errors)
        ssh = _resolve(device.ssh_credential, credentials, secret, resolved, errors)
        targets.append(
            Target(
                hostname=device.hostname,
                address=device.address,
                platform=device.platform,
                site=site_code,
                kind=device.kind,
                snmp=snmp if isinstance(snmp, SnmpCredential) else None,
                ssh=ssh if isinstance(ssh, SshCredential) else None,
                snmp_port=device.snmp_port,
                ssh_port=device.ssh_port,
                credential_error="; ".join(errors),
            )
        )
    return targets


def _resolve(
    name: str,
    credentials: dict[str, Credential],
    secret: SecretResolver,
    cache: dict[str, SnmpCredential | SshCredential | str],
    errors: list[str],
) -> SnmpCredential | SshCredential | None:
    if not name:
        return None
    if name not in cache:
        cache[name] = _build(name, credentials.get(name), secret)
    value = cache[name]
    if isinstance(value, str):
        errors.append(value)
        return None
    return value


def _build(
    name: str, credential: Credential | None, secret: SecretResolver
) -> SnmpCredential | SshCredential | str:
    if credential is None:
        return f"credential {name!r} is not in the inventory"
    try:
        if credential.type == "snmp":
            if credential.version == "3":
                return SnmpCredential(
                    name=name,
                    version="3",
                    user=credential.user,
                    auth_protocol=credential.auth_protocol,
                    auth_key=secret(credential.auth_key),
                    priv_protocol=credential.priv_protocol,
                    priv_key=secret(credential.priv_key),
                )
            return SnmpCredential(name=name, version="2c", community=secret(credential.community))
        return SshCredential(
            name=name,
            username=credential.username,
            password=secret(credential.password) if credential.password else "",
            key_file=credential.key_file,
            enable_secret=secret(credential.enable_secret) if credential.enable_secret else "",
        )
    except LookupError as exc:
        return f"credential {name!r}: {exc}"


def load_link_probes(
    session: Session, regions: Sequence[str] | None = None, sites: Sequence[str] | None = None
) -> list[Target]:
    """Each site link as a Target named ``link:<site code>`` probing the link's address."""
    query = select(Link, Site.code).join(Site, Link.site_id == Site.id).join(Region)
    query = _scope(query, regions, sites)
    return [
        Target(
            hostname=f"link:{code}",
            address=link.probe_address,
            platform="link",
            site=code,
            kind="link",
        )
        for link, code in session.execute(query.order_by(Site.code))
    ]


def load_sweep_targets(
    session: Session,
    secret: SecretResolver,
    regions: Sequence[str] | None = None,
    sites: Sequence[str] | None = None,
    widest_prefix: int = 22,
) -> list[SweepTarget]:
    """Every host address of the declared management prefixes in scope that is not a known
    device's, with the SNMP credentials the site's devices use (those are the ones a device
    plugged in there would answer). A prefix wider than ``widest_prefix`` is skipped: the
    import refuses it, and a setting lowered since must not start a huge sweep."""
    query = _scope(select(Site).join(Region), regions, sites).where(Site.management_prefixes != "")
    known = set(session.scalars(select(Device.address)))
    credentials = {c.name: c for c in session.scalars(select(Credential))}
    cache: dict[str, SnmpCredential | SshCredential | str] = {}
    targets = []
    for site in session.scalars(query.order_by(Site.code)):
        names = sorted({d.snmp_credential for d in site.devices if d.snmp_credential})
        resolved = [_resolve(n, credentials, secret, cache, []) for n in names]
        snmp = tuple(c for c in resolved if isinstance(c, SnmpCredential))
        ports = sorted({d.snmp_port for d in site.devices}) or [161]
        for text in site.management_prefixes.split():
            network = ipaddress.ip_network(text)
            if network.prefixlen < widest_prefix + (96 if network.version == 6 else 0):
                continue
            targets += [
                SweepTarget(site.code, str(address), snmp, ports[0])
                for address in network.hosts()
                if str(address) not in known
            ]
    return targets
