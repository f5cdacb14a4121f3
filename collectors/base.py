"""The collector contract: a target goes in, typed facts come out.

Collectors talk to the network and never open a database session; `cmdb.ingest`
merges what they return. A failure is data (`DeviceFacts.error`), never an
exception that escapes a cycle (nornir's ``Result(failed=True)``).

A field left as ``None`` means "not observed", which the compliance engine
turns into *unknown*; an empty list means "observed, and there is none".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

Source = Literal["snmp", "ssh", "reachability"]


class CollectorError(Exception):
    """A device could not be polled. ``permanent`` says whether a retry can help."""

    permanent = False
    reason = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class AuthFailed(CollectorError):
    """Credentials were refused: retrying will not help until someone fixes them."""

    permanent = True
    reason = "auth"


class Timeout(CollectorError):
    """No answer within the deadline: the next cycle may succeed."""

    reason = "timeout"


class Unsupported(CollectorError):
    """The platform lacks what was asked (no such MIB, no such command)."""

    permanent = True
    reason = "unsupported"


class BadResponse(CollectorError):
    """The device answered with something we could not parse."""

    reason = "bad_response"


@dataclass(frozen=True)
class SnmpCredential:
    """Resolved SNMP credential. Secrets live only in memory, never in repr()."""

    name: str
    version: Literal["2c", "3"]
    community: str = field(default="", repr=False)
    user: str = ""
    auth_protocol: str = "sha"
    auth_key: str = field(default="", repr=False)
    priv_protocol: str = "aes"
    priv_key: str = field(default="", repr=False)


@dataclass(frozen=True)
class SshCredential:
    name: str
    username: str
    password: str = field(default="", repr=False)
    key_file: str = ""
    enable_secret: str = field(default="", repr=False)


@dataclass(frozen=True)
class Target:
    """One device to poll, with everything a collector needs and nothing from the DB."""

    hostname: str
    address: str
    platform: str  # cisco_ios, cisco_asa, fortios, linux, windows, …
    site: str  # site code
    kind: str = "switch"
    snmp: SnmpCredential | None = None
    ssh: SshCredential | None = None
    snmp_port: int = 161
    ssh_port: int = 22
    tcp_port: int | None = None  # port for the TCP connect probe; None: ssh_port
    # Why a credential could not be resolved (secret missing, bad permissions): the collector
    # reports it as AuthFailed for this device instead of polling with nothing.
    credential_error: str = ""


@dataclass(frozen=True)
class InterfaceFact:
    index: int
    name: str
    description: str = ""
    alias: str = ""
    kind: int | None = None  # IANAifType
    admin_up: bool | None = None
    oper_up: bool | None = None
    speed_bps: int | None = None
    mac: str = ""
    mtu: int | None = None


@dataclass(frozen=True)
class SoftwareFact:
    name: str
    version: str = ""
    vendor: str = ""


@dataclass(frozen=True)
class StorageFact:
    description: str
    size_bytes: int
    used_bytes: int


@dataclass(frozen=True)
class IkeSaFact:
    """One IKE/IPsec security association as the VPN gateway reports it."""

    peer: str
    ike_version: int | None  # 1 or 2
    status: str  # READY, UP, DOWN, …
    encryption: str = ""  # e.g. AES-CBC-256, 3DES
    integrity: str = ""  # e.g. SHA256, SHA96
    dh_group: int | None = None
    lifetime_s: int | None = None
    pfs: bool | None = None


@dataclass
class DeviceFacts:
    """What one collector observed on one device at one time.

    Only the fields the collector can see are filled; ``None`` means "did not look".
    """

    hostname: str
    source: Source
    collected_at: dt.datetime
    error: CollectorError | None = None
    # identity
    sys_name: str | None = None
    sys_descr: str | None = None
    sys_object_id: str | None = None
    uptime_s: int | None = None
    vendor: str | None = None
    model: str | None = None
    serial: str | None = None
    os_name: str | None = None
    os_version: str | None = None
    # what the identification rules make of it (collectors.identity): switch, firewall, …
    device_class: str | None = None
    # inventory
    interfaces: list[InterfaceFact] | None = None
    software: list[SoftwareFact] | None = None
    storage: list[StorageFact] | None = None
    # configuration (already redacted by the collector)
    running_config: str | None = None
    # Linux hosts: `sshd -T` keywords, lower-cased, and host security state
    sshd: dict[str, str] | None = None
    host_state: dict[str, str] | None = None  # firewall, auditd, time_sync, remote_syslog, …
    # VPN gateways
    ike_sas: list[IkeSaFact] | None = None
    duration_s: float = 0.0
    # Parts left unknown because the device's output was not understood, with the reason
    # ("sshd -T: no permitrootlogin line"): recorded, never a failure of the whole device.
    skipped: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class ProbeSample:
    """One reachability sample (several packets) of a device or of a site link."""

    target: str  # device hostname, or "link:<site code>"
    address: str
    at: dt.datetime
    sent: int
    received: int
    rtt_avg_ms: float | None = None
    rtt_min_ms: float | None = None
    rtt_max_ms: float | None = None
    tcp_ok: bool | None = None
    error: str = ""

    @property
    def up(self) -> bool:
        return self.received > 0 or bool(self.tcp_ok)

    @property
    def loss_ratio(self) -> float:
        return 1.0 - (self.received / self.sent) if self.sent else 1.0


@dataclass(frozen=True)
class SweepTarget:
    """One address of a site's management prefix, with the credentials worth trying there."""

    site: str
    address: str
    credentials: tuple[SnmpCredential, ...] = ()
    snmp_port: int = 161


@dataclass
class Sighting:
    """What one swept address answered (``responded`` False: silent, which is no failure)."""

    site: str
    address: str
    at: dt.datetime
    responded: bool = False
    rtt_ms: float | None = None
    snmp: DeviceFacts | None = None  # the first credential that answered: identity facts
    credential: str = ""  # its name


@dataclass(frozen=True)
class NeighbourFact:
    """One row of a device's LLDP or CDP neighbour table."""

    protocol: str  # lldp | cdp
    local_port: str  # ifDescr-style name
    remote_name: str  # LLDP sysName / CDP device id
    remote_port: str
    remote_address: str = ""


@dataclass
class NeighbourReport:
    """The neighbour and ARP tables of one known device."""

    hostname: str
    site: str
    at: dt.datetime
    neighbours: list[NeighbourFact] = field(default_factory=list)
    arp: list[tuple[str, str]] = field(default_factory=list)  # (address, MAC)
    error: CollectorError | None = None


@dataclass
class LinkCounters:
    """A VPN gateway's WAN interface octet counters and sysUpTime, read in one GET."""

    hostname: str
    site: str
    at: dt.datetime
    uptime_ticks: int | None = None
    interface: str = ""
    in_octets: int | None = None
    out_octets: int | None = None
    error: CollectorError | None = None


class Collector(Protocol):
    """Poll targets and return one `DeviceFacts` per target, never raising for one device."""

    source: Source

    def collect(
        self, targets: Sequence[Target], deadline_s: float
    ) -> list[DeviceFacts]: ...  # pragma: no cover
