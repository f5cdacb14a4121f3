"""Cisco families in sysDescr: IOS, IOS XE, IOS XR, NX-OS, ASA, FTD, AireOS, RoomOS."""

from __future__ import annotations

import re

from collectors.ios_xe import printed_xe3, xe_release
from collectors.os_identity import ClassHints, OsIdentity, class_hint

# IOS XR says "Cisco IOS XR Software": its rule runs before the IOS one
IOS_XR = re.compile(r"Cisco IOS XR Software.*?Version\s+(?P<version>\d+(?:\.\d+)+)", re.S)
IOS = re.compile(r"(?:Cisco IOS|IOS \(tm\)).*?Version\s+(?P<version>[\w.()]+)", re.S)
NX_OS = re.compile(r"Cisco NX-OS(?:\(tm\))?.*?Version\s+(?P<version>[\w.()]+)", re.S)
# FTD says "ASA Version" too: its rule runs before the ASA one
FTD = re.compile(r"Cisco Fire[Pp]ower Threat Defense,? Version (?P<version>\d+(?:\.\d+)+)")
ASA = re.compile(r"Cisco Adaptive Security Appliance(?: Version (?P<version>[\w.()]+))?")
AIREOS = re.compile(r"^Cisco Controller$")  # a wireless LAN controller says only this
# Cisco video endpoints: "Cisco Codec\r\nSoftwareID: RoomOS 11.27.1.4 …" (CE 9.x said "ce9.15.3")
ROOMOS = re.compile(
    r"Cisco Codec.*?SoftwareID:\s*(?:RoomOS\s+|ce)?(?P<version>\d+(?:\.\d+)+)", re.S
)

# IOS XE images: the Linux-hosted IOSd ones, the Catalyst 3650/3850, 9000 and 4500 Sup8-E ones
_XE_IMAGE = re.compile(r"IOS[ -]XE|IOSXE|_IOSD|CAT3K_CAA|cat4500es8", re.I)
# Image and platform names in the banner, most specific first
_IOS_CLASSES: ClassHints = (
    (re.compile(r"C9800|Wireless (?:LAN )?Controller"), "wireless_controller"),
    (
        re.compile(
            r"Catalyst|Switch Software|CAT[349]K|cat4500|s72033|s2t54"
            r"|C29[1-6][08]|C3[5-7][56]0|C3[5-7][56]0E|C4[59]00|\bIE[-_]?\d{4}"
        ),
        "switch",
    ),
    (
        re.compile(
            r"\bISR|\bASR|CSR1000V|Virtual XE|C8[0-9]00|C[1-3]900|C38[0-9]{2}|3800 Software"
            r"|C8[0-9]{2}\b|\bIR\d{3,4}"
        ),
        "router",
    ),
)


def read_ios(match: re.Match[str], text: str) -> OsIdentity:
    """Classic IOS or IOS XE; an IOS XE 3.x that prints only IOSd's 15.x reports its XE release."""
    version = match.group("version").rstrip(",")
    device_class = class_hint(text, _IOS_CLASSES)
    if (xe3 := printed_xe3(version)) is not None:
        return OsIdentity("Cisco", "IOS-XE", xe3, device_class=device_class)
    leading = re.match(r"\d+", version)
    major = int(leading.group()) if leading else 0
    # Classic IOS stopped at 15.x; 16.x and later are IOS-XE even when the banner says only
    # "Cisco IOS Software" (Catalyst 9000 and 3650/3850 do).
    if major >= 16:
        return OsIdentity("Cisco", "IOS-XE", version, device_class=device_class)
    if _XE_IMAGE.search(text):
        # An unknown IOSd train leaves the release unknown rather than a 15.x that no IOS XE
        # advisory or end-of-life notice would match.
        release = xe_release(version)
        said = f"{' '.join(match.group().split())} (IOSd {version} is IOS XE {release or '?'})"
        return OsIdentity("Cisco", "IOS-XE", release, device_class=device_class, evidence=said)
    return OsIdentity("Cisco", "IOS", version, device_class=device_class)


def read_ios_xr(match: re.Match[str], text: str) -> OsIdentity:
    return OsIdentity("Cisco", "IOS-XR", match.group("version"), device_class="router")


def read_nx_os(match: re.Match[str], text: str) -> OsIdentity:
    return OsIdentity("Cisco", "NX-OS", match.group("version"), device_class="switch")


def read_ftd(match: re.Match[str], text: str) -> OsIdentity:
    return OsIdentity("Cisco", "FTD", match.group("version"), device_class="firewall")


def read_asa(match: re.Match[str], text: str) -> OsIdentity:
    return OsIdentity("Cisco", "ASA", match.group("version"), device_class="firewall")


def read_aireos(match: re.Match[str], text: str) -> OsIdentity:
    return OsIdentity("Cisco", "AireOS", None, device_class="wireless_controller")


def read_roomos(match: re.Match[str], text: str) -> OsIdentity:
    return OsIdentity("Cisco", "RoomOS", match.group("version"), device_class="video_endpoint")
