"""The lab's record of one simulated device: what it really is (the truth) and how it answers.

`truth.json` is a list of these records plus site states; the SNMP data files, the SSH answers
and the inventory are all derived from them, so an edit to a record changes every view at once.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Interface:
    index: int
    name: str
    speed: int  # bits per second, as ifSpeed (ifHighSpeed is derived)
    description: str = ""
    alias: str = ""
    kind: int = 6  # IANAifType: 6 ethernetCsmacd, 24 softwareLoopback, 53 propVirtual, 131 tunnel
    admin_up: bool = True
    oper_up: bool = True
    mac: str = ""
    mtu: int = 1500


@dataclass
class SoftwareItem:
    name: str
    version: str
    vendor: str = ""


@dataclass
class Device:
    hostname: str
    site: str
    region: str
    kind: str  # switch | vpn_gateway | server | ip_phone_gateway | video_endpoint
    platform: str  # cisco_ios | fortios | linux | windows | cisco_roomos
    address: str
    vendor: str
    model: str
    serial: str  # as the device reports it; "" when seeded missing
    declared_serial: str  # what the inventory declares; "" when not declared
    owner: str  # declared owner; "" when seeded missing
    os_name: str
    os_version: str
    sys_object_id: str
    purchase_date: str  # ISO date
    snmp_credential: str
    ssh_credential: str  # "" for SNMP-only platforms
    role: str = ""  # core | access | wan | linux | windows | voice | video
    variant: int = 0  # per-device random draw that picks among equivalent realistic forms
    interfaces: list[Interface] = field(default_factory=list)
    software: list[SoftwareItem] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    # how a violation shows when it is not a plain wrong line: "hidden default: …", "nothing to
    # judge: …", "expired licence: …" (docs/rules-contract.md, "Violation classes")
    cases: list[str] = field(default_factory=list)
    # `lab edit`: lines added to / removed from the generated running-config
    config_added: list[str] = field(default_factory=list)
    config_removed: list[str] = field(default_factory=list)
    # test advisories affecting it: [{"id", "fixed"}], None for a release lab/advisories.py
    # does not know
    advisories: list[dict[str, Any]] | None = field(default_factory=list)
    # False: a device plugged in at a site but absent from the lab's inventory.toml, for
    # discovery to find (lab/hidden.py); truth.json lists these under "undeclared".
    declared: bool = True
    sys_descr_text: str = ""  # sysDescr as served, when the platform's generator does not apply
    extra_values: dict[str, str] = field(default_factory=dict)  # vendor MIB scalars: oid -> text

    @property
    def has_ssh(self) -> bool:
        return bool(self.ssh_credential)

    def fails(self, rule: str) -> bool:
        return rule in self.violations

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Device:
        values = dict(data)
        values["interfaces"] = [Interface(**i) for i in data.get("interfaces", [])]
        values["software"] = [SoftwareItem(**s) for s in data.get("software", [])]
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in names})
