"""Network families other than Cisco's in sysDescr, and VMware ESXi.

Each pattern is written from real units' sysDescr (tests/collectors/fixtures/sysdescr/devices.json
holds them with their sources). Some families never print their release there (PAN-OS, RouterOS)
or print nothing useful at all (FortiGate): collectors/vendor_mibs.py reads it from their MIBs.
"""

from __future__ import annotations

import re

from collectors.os_identity import ClassHints, OsIdentity, class_hint

# "FortiGate-100F v7.2.8,build1639,240313 (GA.M)"; most units send their hostname or nothing
FORTIOS = re.compile(r"Forti(?:Gate|OS|WiFi|Switch)[^\n]*?\bv(?P<version>\d+\.\d+(?:\.\d+)?)", re.I)
# "Juniper Networks, Inc. ex3400-48t Ethernet Switch, kernel JUNOS 15.1X53-D59.4, Build date: …"
JUNOS = re.compile(
    r"Juniper Networks, Inc\. (?P<model>\S+).*?\bJUNOS (?P<version>\d+\.\d+[\w.\-]*)", re.S | re.I
)
# "…Huawei Versatile Routing Platform Software … VRP (R) software,Version 5.170 (S5720
# V200R010C00SPC600)": the product release in brackets is what Huawei's advisories name
VRP = re.compile(
    r"Versatile Routing Platform.*?Version (?P<vrp>\d+\.\d+)\s*\((?P<product>[^)]*)\)", re.S
)
# "HP J9146A E2910al-24G-PoE Switch, revision W.15.08.0012, ROM W.14.06 (…)"
PROCURVE = re.compile(
    r"^(?:HPE?|ProCurve|Aruba)\b.*?\brevision (?P<version>[A-Z]{1,2}\.\d{2}\.\d{2}\.\d{4})", re.S
)
# "Aruba JL635A 8325 GL.10.04.2000", "HPE ANW JL658A 6300M 24SFP+ 4SFP56 Swch FL.10.16.1006"
AOS_CX = re.compile(
    r"^(?:Aruba|HPE ANW|HPE Aruba Networking) .*?\b(?P<version>[A-Z]{2}\.10\.\d{2}\.\d{4})\s*$",
    re.S,
)
# Aruba mobility controllers: "ArubaOS (MODEL: Aruba7210), Version 8.2.0.2 (62929)"
ARUBAOS = re.compile(
    r"^ArubaOS (?:\(MODEL: (?P<model>[^)]+)\),? )?Version (?P<version>\d+(?:\.\d+)+(?:-[\d.]+)?)"
)
PAN_OS = re.compile(r"^Palo Alto Networks (?P<model>[\w-]+) series firewall")
ROUTEROS = re.compile(r"^RouterOS (?P<model>\S+)")
ESXI = re.compile(r"^VMware ESXi? (?P<version>\d+\.\d+\.\d+)(?: build-(?P<build>\d+))?")

_JUNOS_CLASSES: ClassHints = (
    (re.compile(r"\bv?srx", re.I), "firewall"),
    (re.compile(r"\b(?:ex\d|qfx)|Ethernet Switch", re.I), "switch"),
    (re.compile(r"\b(?:v?mx|ptx|acx)\d*\b|router", re.I), "router"),
)
_VRP_CLASSES: ClassHints = (
    (re.compile(r"\bAC\d{4}"), "wireless_controller"),
    (re.compile(r"\bUSG|Eudemon"), "firewall"),
    (re.compile(r"\bAR\d|\bNE\d|NetEngine"), "router"),
    (re.compile(r"\bS\d{4}|\bCE\d{4,5}|CloudEngine|Quidway"), "switch"),
)
_ARUBA_CONTROLLERS = re.compile(r"^(?:Aruba7\d{3}|A\d{4}|MM|VMC)")


def read_fortios(match: re.Match[str], text: str) -> OsIdentity:
    switch = re.search(r"FortiSwitch", text, re.I)
    return OsIdentity(
        "Fortinet",
        "FortiSwitchOS" if switch else "FortiOS",
        match.group("version"),
        device_class="switch" if switch else "firewall",
    )


def read_junos(match: re.Match[str], text: str) -> OsIdentity:
    device_class = class_hint(match.group("model"), _JUNOS_CLASSES) or class_hint(
        text, _JUNOS_CLASSES
    )
    return OsIdentity("Juniper", "Junos", match.group("version"), device_class=device_class)


def read_vrp(match: re.Match[str], text: str) -> OsIdentity:
    product = re.search(r"\bV\d{3}R\d{3}\w*", match.group("product"))
    release = product.group() if product else match.group("vrp")
    return OsIdentity("Huawei", "VRP", release, device_class=class_hint(text, _VRP_CLASSES))


def read_procurve(match: re.Match[str], text: str) -> OsIdentity:
    return OsIdentity("HP", "ProCurve", match.group("version"), device_class="switch")


def read_aos_cx(match: re.Match[str], text: str) -> OsIdentity:
    return OsIdentity("HPE", "AOS-CX", match.group("version"), device_class="switch")


def read_arubaos(match: re.Match[str], text: str) -> OsIdentity:
    model = match.group("model")
    # Aruba access points print the same banner with their own model: only controllers are classed
    controller = model is None or _ARUBA_CONTROLLERS.match(model)
    return OsIdentity(
        "Aruba",
        "ArubaOS",
        match.group("version"),
        device_class="wireless_controller" if controller else None,
    )


def read_pan_os(match: re.Match[str], text: str) -> OsIdentity:
    return OsIdentity("Palo Alto Networks", "PAN-OS", None, device_class="firewall")


def read_routeros(match: re.Match[str], text: str) -> OsIdentity:
    switch = match.group("model").upper().startswith("CRS")  # Cloud Router Switch
    return OsIdentity("MikroTik", "RouterOS", None, device_class="switch" if switch else "router")


def read_esxi(match: re.Match[str], text: str) -> OsIdentity:
    return OsIdentity("VMware", "ESXi", match.group("version"), device_class="hypervisor")
