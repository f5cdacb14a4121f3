"""Who made a device discovery found, what it runs and what it is, from what SNMP said.

In: sysObjectID, sysDescr and the vendor MIB values `extra_oids_for` asked for. Out: vendor,
OS family and release, a device class guess, and the rule and value that decided, to show as
evidence. Pure apart from reading the shipped enterprise registry once.

The order of trust: a vendor MIB release (it exists only on that vendor's OS), then a sysDescr
banner, then the sysObjectID's product line. A "Linux <host> <kernel>" sysDescr means a Linux
server only when the agent is a generic one (net-snmp); under any vendor's enterprise it is the
kernel inside that vendor's appliance (a NAS, a controller, a web-managed switch).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from collectors import sysdescr, vendor_mibs
from collectors.enterprises import Enterprise, enterprise_number, enterprise_of, numeric_oid
from collectors.os_identity import GENERIC_CLASS_HINTS, DeviceClass, OsIdentity, class_hint

# Agents whose sysObjectID names the agent's authors, not the device's maker: the host's OS
# speaks for itself in sysDescr.
GENERIC_AGENTS = frozenset({8072, 2021})  # net-snmp, UCD-SNMP

# The registry's spelling ("ciscoSystems", "PALO ALTO NETWORKS") is kept as evidence; the
# inventory shows the name people use. Enterprises not listed show the registry's name.
VENDORS: dict[int, str] = {
    9: "Cisco",
    5771: "Cisco",
    11: "HP",
    311: "Microsoft",
    2011: "Huawei",
    2636: "Juniper",
    6574: "Synology",
    6876: "VMware",
    12356: "Fortinet",
    14823: "Aruba",
    14988: "MikroTik",
    24681: "QNAP",
    25461: "Palo Alto Networks",
    47196: "HPE",
}


@dataclass(frozen=True)
class ProductLine:
    prefix: str  # a sysObjectID subtree that only this product line uses
    os_name: str | None
    device_class: DeviceClass | None


# The longest matching prefix wins; it decides when sysDescr names nothing (a FortiGate's
# empty one, a MikroTik's "router").
PRODUCT_LINES: tuple[ProductLine, ...] = (
    ProductLine("1.3.6.1.4.1.12356.101.1", "FortiOS", "firewall"),  # fgModel: FortiGate
    ProductLine("1.3.6.1.4.1.47196.4.1.1", "AOS-CX", "switch"),
    ProductLine("1.3.6.1.4.1.11.2.3.7.11", None, "switch"),  # hpEtherSwitch: ProCurve and more
    ProductLine("1.3.6.1.4.1.2636.1.1.1", "Junos", None),  # jnxProductName
    ProductLine("1.3.6.1.4.1.6876.4.1", "ESXi", "hypervisor"),
    ProductLine("1.3.6.1.4.1.14988.1", "RouterOS", "router"),
    ProductLine("1.3.6.1.4.1.25461", "PAN-OS", "firewall"),
    ProductLine("1.3.6.1.4.1.6574", "DSM", "storage"),
    ProductLine("1.3.6.1.4.1.24681", None, "storage"),  # QNAP
)

NO_EXTRA: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True)
class Identity:
    vendor: str | None
    os_name: str | None
    os_version: str | None
    device_class: DeviceClass | None
    enterprise: Enterprise | None
    kernel: str | None = None  # the Linux kernel a sysDescr named, server or appliance
    rule: str = "none"  # which rule decided: "sysdescr:cisco-ios", "vendor-mib:…", "enterprise"…
    evidence: str = ""  # the value that rule read


@dataclass(frozen=True)
class _Agent:
    """What the sysObjectID tells before any text is read."""

    oid: str | None
    number: int | None
    enterprise: Enterprise | None
    line: ProductLine | None
    sys_descr: str

    def vendor(self, said: str | None = None) -> str | None:
        """The maker's usual name; for a generic agent, what the text itself said."""
        if self.number in VENDORS:
            return VENDORS[self.number]
        if self.enterprise is None or self.number in GENERIC_AGENTS:
            return said
        return self.enterprise.organisation

    def device_class(self) -> DeviceClass | None:
        """The product line's class, else what the text calls the box."""
        if self.line is not None and self.line.device_class is not None:
            return self.line.device_class
        return class_hint(self.sys_descr, GENERIC_CLASS_HINTS)


def extra_oids_for(sys_object_id: str | None) -> tuple[str, ...]:
    """The vendor OIDs a collector should GET with the system group to finish identifying."""
    return vendor_mibs.oids_for(enterprise_number(sys_object_id or ""))


def identify(
    sys_object_id: str | None, sys_descr: str | None, extra: Mapping[str, str] = NO_EXTRA
) -> Identity:
    """Vendor, OS family and release, and device class of one SNMP agent; never raises on
    what a device sends. ``extra`` maps numeric OIDs (from `extra_oids_for`) to their text."""
    oid = numeric_oid(sys_object_id or "")
    number = enterprise_number(oid or "")
    agent = _Agent(oid, number, enterprise_of(oid or ""), _product_line(oid), sys_descr or "")
    answers = {key.strip().lstrip("."): value for key, value in extra.items()}
    seen = sysdescr.identify(agent.sys_descr)
    if (found := vendor_mibs.release_from(number, answers)) is not None:
        return _from_vendor_mib(agent, seen, *found)
    if seen.rule is None:
        return _from_sys_object_id(agent)
    if seen.rule == "linux" and number is not None and number not in GENERIC_AGENTS:
        return _appliance(agent, seen)
    return _from_sys_descr(agent, seen)


def _product_line(oid: str | None) -> ProductLine | None:
    if oid is None:
        return None
    fits = [line for line in PRODUCT_LINES if (oid + ".").startswith(line.prefix + ".")]
    return max(fits, key=lambda line: len(line.prefix), default=None)


def _from_vendor_mib(
    agent: _Agent, seen: OsIdentity, source: vendor_mibs.ReleaseSource, release: str, value: str
) -> Identity:
    return Identity(
        vendor=agent.vendor(source.vendor),
        os_name=source.os_name,
        os_version=release,
        device_class=source.device_class or seen.device_class or agent.device_class(),
        enterprise=agent.enterprise,
        kernel=seen.kernel,
        rule=f"vendor-mib:{source.name}",
        evidence=f"{source.name} = {value!r}",
    )


def _from_sys_descr(agent: _Agent, seen: OsIdentity) -> Identity:
    return Identity(
        vendor=agent.vendor(seen.vendor),
        os_name=seen.os_name,
        os_version=seen.os_version,
        device_class=seen.device_class or agent.device_class(),
        enterprise=agent.enterprise,
        kernel=seen.kernel,
        rule=f"sysdescr:{seen.rule}",
        evidence=f"sysDescr {seen.evidence!r}",
    )


def _appliance(agent: _Agent, seen: OsIdentity) -> Identity:
    """A Linux sysDescr under a maker's own enterprise: the kernel inside its appliance."""
    maker = f"enterprise {agent.number}" + (
        f" ({agent.enterprise.organisation})" if agent.enterprise else ""
    )
    return Identity(
        vendor=agent.vendor(),
        os_name=agent.line.os_name if agent.line else None,
        os_version=None,
        device_class=agent.device_class(),
        enterprise=agent.enterprise,
        kernel=seen.kernel,
        rule="sysdescr:linux-on-appliance",
        evidence=f"sysDescr {seen.evidence!r} under {maker}: an appliance, not a Linux server",
    )


def _from_sys_object_id(agent: _Agent) -> Identity:
    line = agent.line
    return Identity(
        vendor=agent.vendor(),
        os_name=line.os_name if line else None,
        os_version=None,
        device_class=agent.device_class(),
        enterprise=agent.enterprise,
        rule=f"sysobjectid:{line.prefix}" if line else "enterprise" if agent.number else "none",
        evidence=f"sysObjectID {agent.oid}" if agent.oid else "",
    )
