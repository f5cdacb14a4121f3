"""What a Cisco IOS / IOS-XE device prints: running-config, show version, show inventory.

The running-config is generated from the device record, each seeded violation removing or
changing exactly the line(s) docs/rules-contract.md names; `lab edit` lines are applied last.
"""

from __future__ import annotations

import base64
import hashlib

from lab import vpn
from lab.ios_ssh import algorithm_lines as ssh_algorithm_lines
from lab.model import Device
from lab.violations import NO_CRYPTO, PAD_ON, SOURCE_ROUTE_ON

MGMT_ACL = "access-list 99 permit 10.10.0.0 0.0.255.255"
_TRAINS = {"16.12": "Gibraltar", "17.3": "Amsterdam", "17.6": "Bengaluru", "17.9": "Cupertino",
           "17.12": "Dublin"}


def type9(secret: str, salt: str) -> str:
    """A stable scrypt-looking `secret 9` string: the lab never needs to verify it."""
    digest = hashlib.sha256((salt + secret).encode()).digest()
    alphabet = bytes.maketrans(b"+/", b"./")
    text = base64.b64encode(digest).translate(alphabet).decode().rstrip("=")
    return f"$9${salt[:14]}${text[:43]}"


def type5(secret: str, salt: str) -> str:
    """A stable MD5-crypt looking `secret 5` string (the weak type NET-PWD-03 flags)."""
    digest = hashlib.md5((salt + secret).encode()).hexdigest()
    return f"$1${salt[:4]}${digest[:22]}"


def type7(secret: str) -> str:
    return "".join(f"{b:02X}" for b in hashlib.md5(secret.encode()).digest()[:9])


def is_xe(device: Device) -> bool:
    return device.os_name == "IOS-XE"


def software_line(device: Device) -> str:
    v = device.os_version
    if not is_xe(device):
        image = "C2960X-UNIVERSALK9-M" if "2960X" in device.model else "C2960-LANBASEK9-M"
        family = "C2960X" if "2960X" in device.model else "C2960"
        return (f"Cisco IOS Software, {family} Software ({image}), Version {v}, "
                "RELEASE SOFTWARE (fc3)")
    train = _TRAINS.get(".".join(v.split(".")[:2]), "IOSXE")
    if device.model.startswith("ISR"):
        product, image = "ISR Software", "X86_64_LINUX_IOSD-UNIVERSALK9-M"
    else:
        product, image = "Catalyst L3 Switch Software", "CAT9K_IOSXE"
    return f"Cisco IOS Software [{train}], {product} ({image}), Version {v}, RELEASE SOFTWARE (fc5)"


def sys_descr(device: Device) -> str:
    """sysDescr as IOS returns it: the first lines of `show version`, CRLF-separated."""
    return "\r\n".join([software_line(device), "Technical Support: http://www.cisco.com/techsupport",
                        "Copyright (c) 1986-2024 by Cisco Systems, Inc.",
                        "Compiled Thu 05-Sep-24 12:00 by mcpre"])


def show_version(device: Device, uptime: str) -> str:
    xe = is_xe(device)
    lines = [f"Cisco IOS XE Software, Version {device.os_version}"] if xe else []
    lines += sys_descr(device).split("\r\n")
    lines += ["", "ROM: IOS-XE ROMMON" if xe else "ROM: Bootstrap program is C2960X boot loader",
              "", f"{device.hostname} uptime is {uptime}",
              "System returned to ROM by power-on",
              'System image file is "flash:packages.conf"' if xe else
              f'System image file is "flash:{device.model.lower()}-mz.bin"',
              "Last reload reason: power-on", ""]
    proc = ("(X86) processor with 1392780K/6147K" if xe
            else "(APM86XXX) processor (revision B0) with 524288K")
    lines += [f"cisco {device.model} {proc} bytes of memory.",
              f"Processor board ID {device.serial}",
              f"{sum(1 for i in device.interfaces if i.kind == 6)} Gigabit Ethernet interfaces",
              "2048K bytes of non-volatile configuration memory.", ""]
    if device.kind == "switch":
        mac = device.interfaces[0].mac.upper() if device.interfaces else ""
        lines += [f"Base Ethernet MAC Address          : {mac}",
                  f"Model Number                       : {device.model}",
                  f"System Serial Number               : {device.serial}", ""]
    lines += ["Configuration register is 0x102" if xe else "Configuration register is 0xF", ""]
    return "\n".join(lines)


def show_inventory(device: Device) -> str:
    if device.model.startswith("ISR"):
        name, descr = "Chassis", f"Cisco {device.model.split('/')[0]} Chassis"
    elif device.model.startswith("C9"):
        name, descr = "Switch 1", device.model
    else:
        name, descr = "1", device.model
    return (f'NAME: "{name}", DESCR: "{descr}"\n'
            f"PID: {device.model:<18}, VID: V02  , SN: {device.serial}\n\n")


def running_config(device: Device, community: str, enable_secret: str) -> str:
    """The device's configuration, secrets in it as a real device stores them."""
    bad = device.violations
    lines = ["Building configuration...", "", "Current configuration : {size} bytes", "!",
             f"version {'.'.join(device.os_version.split('.')[:2]) if is_xe(device) else '15.2'}",
             "service timestamps debug datetime msec",
             "service timestamps log datetime msec localtime show-timezone"]
    lines += [] if "NET-PWD-02" in bad else ["service password-encryption"]
    keepalives = ["service tcp-keepalives-in", "service tcp-keepalives-out"]
    lines += [] if "NET-SVC-03" in bad else keepalives
    # a hidden default: PAD is on unless the configuration says 'no service pad'
    lines += [] if PAD_ON in device.cases else ["no service pad"]
    lines += ["!", f"hostname {device.hostname}", "!", "boot-start-marker", "boot-end-marker", "!"]
    lines += [] if "NET-LOG-04" in bad else ["logging buffered 64000 informational"]
    lines += ["logging trap warnings"] if "NET-LOG-03" in bad else []  # informational: default
    lines += _accounts(device, enable_secret)
    lines += ["clock timezone PET -5 0", "!", "ip domain name red.gob.pe"]
    lines += [] if "NET-LCK-01" in bad else ["login block-for 120 attempts 3 within 60"]
    lines += [] if "NET-LOG-02" in bad else ["login on-failure log", "login on-success log"]
    lines += ["!"]
    if device.kind == "vpn_gateway" and NO_CRYPTO not in device.cases:
        lines += vpn.crypto_config(device, enable_secret)
    lines += _interfaces(device)
    lines += _services(device)
    if "NET-LOG-01" not in bad:
        lines += ["logging host 10.10.1.20", "logging host 10.10.1.21"]
    lines += [] if "NET-LOG-04" in bad else ["logging source-interface Vlan10"]
    lines += _snmp(device, community)
    lines += [] if "NET-BAN-01" in bad else [
        "banner login ^C", "Acceso restringido a personal autorizado.",
        "Toda actividad es registrada y monitoreada.", "^C"]
    lines += _lines(device)
    lines += _ntp_archive(device, enable_secret)
    lines = _apply_edits(device, lines)
    text = "\n".join(lines)
    return text.replace("{size}", str(len(text)))


def _accounts(device: Device, enable_secret: str) -> list[str]:
    bad, lines = device.violations, []
    weak_pwd = "NET-PWD-01" in bad
    if weak_pwd and device.variant % 2 == 0:
        lines.append(f"enable password 7 {type7(enable_secret)}")
    elif "NET-PWD-03" in bad:
        lines.append(f"enable secret 5 {type5(enable_secret, device.hostname)}")
    else:
        lines.append(f"enable secret 9 {type9(enable_secret, device.hostname)}")
    admin = "admin" + enable_secret
    if "NET-PWD-03" in bad:  # MD5 (type 5) hashes, for the enable secret and the local user
        lines.append(f"username admin privilege 15 secret 5 {type5(admin, 'adm')}")
    else:
        lines.append(f"username admin privilege 15 secret 9 {type9(admin, 'adm')}")
    if weak_pwd and device.variant % 2:
        lines.append(f"username soporte privilege 15 password 7 {type7(device.hostname)}")
    if "NET-AAA-01" in bad:
        return [*lines, "no aaa new-model"]
    lines += ["aaa new-model", "!", "aaa authentication login default local",
              "aaa authorization exec default local"]
    if "NET-AAA-02" not in bad:
        lines += ["aaa accounting exec default start-stop group tacacs+",
                  "aaa accounting commands 15 default start-stop group tacacs+"]
    return [*lines, "!", "aaa session-id common"]


def _services(device: Device) -> list[str]:
    """HTTP, BOOTP, source routing and SSH: what IOS prints only when it differs from default."""
    bad = device.violations
    lines = ["ip forward-protocol nd"]
    http = "NET-SVC-01" in bad and PAD_ON not in device.cases
    lines += ["ip http server"] if http else ["no ip http server"]
    lines += ["no ip http secure-server", "no ip bootp server"]
    lines += [] if SOURCE_ROUTE_ON in device.cases else ["no ip source-route"]
    lines += ["!"] + ([] if "NET-SSH-01" in bad else ["ip ssh version 2"])
    # 120 s, the default, is not printed: the seeded violation simply leaves it out
    lines += [] if "NET-SSH-04" in bad else ["ip ssh time-out 60"]
    return [*lines, *ssh_algorithm_lines(device), "!", MGMT_ACL, "!"]


def _ntp_archive(device: Device, enable_secret: str) -> list[str]:
    bad, lines = device.violations, []
    if "NET-NTP-02" not in bad:
        key = type7("ntp" + enable_secret)
        lines += [f"ntp authentication-key 1 hmac-sha2-256 {key} 7", "ntp authenticate",
                  "ntp trusted-key 1"]
    if "NET-NTP-01" not in bad:
        key_ref = "" if "NET-NTP-02" in bad else " key 1"
        lines += [f"ntp server 10.10.1.10{key_ref}", f"ntp server 10.10.1.11{key_ref} prefer"]
    if "NET-ARC-01" not in bad:
        lines += ["!", "archive", " log config", "  logging enable",
                  "  notify syslog contenttype plaintext", "  hidekeys"]
    return [*lines, "!", "end", ""]


def _apply_edits(device: Device, lines: list[str]) -> list[str]:
    removed = set(device.config_removed)
    kept = [line for line in lines if line not in removed]
    if device.config_added:
        at = kept.index("end") - 1 if "end" in kept else len(kept)
        kept[at:at] = list(device.config_added)
    return kept


def _snmp(device: Device, community: str) -> list[str]:
    lines = ["snmp-server view ATALAYA-VIEW iso included"]
    if device.snmp_credential.startswith("snmp-v3-"):
        lines.append("snmp-server group ATALAYA v3 priv read ATALAYA-VIEW access 99")
    else:
        lines.append(f"snmp-server community {community} RO 99")
    if "NET-SNMP-01" in device.violations:
        lines.append("snmp-server community public RO")
    if "NET-SNMP-02" in device.violations:
        lines.append("snmp-server group LEGACY v3 auth read ATALAYA-VIEW")
    lines += [f"snmp-server location {device.site}", "snmp-server contact noc@red.gob.pe", "!"]
    return lines


def _lines(device: Device) -> list[str]:
    bad = device.violations
    lines = ["!", "line con 0", " exec-timeout 5 0", " logging synchronous", " stopbits 1"]
    if device.model.startswith("ISR"):  # routers have an aux port; switches do not
        lines += ["line aux 0"] + ([] if "NET-VTY-03" in bad else [" no exec"])
        lines += [" transport input none"]
    for first, last in ((0, 4), (5, 15)):
        lines.append(f"line vty {first} {last}")
        second = first == 5
        if not ("NET-VTY-02" in bad and second):
            lines.append(" access-class 99 in")
        if "NET-TMO-01" in bad and not second:
            lines.append(" exec-timeout 0 0")
        # 'exec-timeout 10 0' is the default: IOS does not print it (a hidden default that passes)
        if "NET-VTY-01" in bad and not second:
            lines.append(" transport input all" if device.variant % 2 else
                         " transport input telnet ssh")
        else:
            lines.append(" transport input ssh")
    return [*lines, "!"]


def _interfaces(device: Device) -> list[str]:
    lines: list[str] = []
    site_octet = device.address.split(".")[2]
    for iface in device.interfaces:
        if iface.name in ("Null0",) or iface.name.startswith("Tunnel"):
            continue
        lines.append(f"interface {iface.name}")
        if iface.alias:
            lines.append(f" description {iface.alias}")
        if iface.name == "Vlan10":
            lines.append(f" ip address 10.10.{site_octet}.{device.address.split('.')[3]} "
                         "255.255.255.0")
        elif iface.name.startswith("Vlan") or not iface.admin_up:
            lines.append(" no ip address")
            lines.append(" shutdown")
        elif device.kind == "switch" and iface.alias.startswith("UPLINK"):
            lines.append(" switchport mode trunk")
        elif device.kind == "switch":
            lines += [" switchport access vlan 20", " switchport mode access",
                      " spanning-tree portfast"]
        elif iface.alias == "WAN-OPERADOR":
            lines.append(f" ip address 198.51.100.{site_octet} 255.255.255.0")
            # CDP runs on every interface unless disabled: the seeded case just leaves it out
            lines += [] if "NET-CDP-01" in device.violations else [" no cdp enable"]
        else:
            lines.append(f" ip address 10.20.{site_octet}.{iface.index} 255.255.255.0")
        lines.append("!")
    if device.kind == "vpn_gateway":
        lines += vpn.tunnel_interface(device)
    return lines
