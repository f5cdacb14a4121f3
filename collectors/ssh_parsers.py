"""Parsers for what the SSH collector reads. Pure functions: text in, facts out.

Each parser raises `Unparsed` on output it does not recognise; the collector then skips that
part with the reason recorded on the facts (``DeviceFacts.skipped``) instead of failing the
device or, worse, storing a guess.
"""

from __future__ import annotations

import base64
import re
import struct
from typing import Any

from ntc_templates.parse import parse_output

from collectors.base import IkeSaFact, SoftwareFact
from collectors.sysdescr import identify


class Unparsed(ValueError):
    """The command's output is not in the form this parser knows."""


def _textfsm(command: str, text: str) -> list[dict[str, Any]]:
    try:
        rows: list[dict[str, Any]] = parse_output(platform="cisco_ios", command=command, data=text)
    except Exception as exc:  # textfsm raises its own error types for state-machine failures
        raise Unparsed(f"{command!r}: TextFSM template failed: {exc}") from exc
    if not rows:
        raise Unparsed(f"{command!r}: no record matched the ntc-templates template")
    return rows


def show_version(text: str) -> dict[str, str | None]:
    """Version, hostname, model and serial from `show version` (ntc-templates)."""
    row = _textfsm("show version", text)[0]
    identity = identify(text)
    version = row.get("version") or identity.os_version
    if not version:
        raise Unparsed("'show version': no software version found")
    hardware, serials = row.get("hardware") or [], row.get("serial") or []
    return {
        "os_name": identity.os_name or "IOS",
        "os_version": version,
        "hostname": row.get("hostname") or None,
        "model": hardware[0] if hardware else None,
        "serial": serials[0] if serials else None,
    }


def show_inventory(text: str) -> tuple[str | None, str | None]:
    """(model, serial) of the chassis: the first `show inventory` entry, as IOS lists it."""
    rows = _textfsm("show inventory", text)
    chassis = next(
        (r for r in rows if "chassis" in (r.get("name", "") + r.get("descr", "")).lower()), rows[0]
    )
    return (chassis.get("pid") or None), (chassis.get("sn") or None)


_SA_HEAD = re.compile(
    r"^\s*(?P<tunnel>\d+)\s+(?P<local>\S+)\s+(?P<remote>\S+)\s+\S+\s+(?P<status>[A-Z][A-Z-]+)\s*$"
)
_ENCR = re.compile(r"Encr:\s*(?P<alg>[\w-]+)(?:,\s*keysize:\s*(?P<size>\d+))?")
_HASH = re.compile(r"Hash:\s*(?P<hash>[\w-]+)")
_DH = re.compile(r"DH Grp:\s*(?P<group>\d{1,9})\b")  # bounded: int() of 5,000 digits raises
_LIFE = re.compile(r"Life/Active Time:\s*(?P<life>\d{1,9})/")


def ikev2_sas(text: str) -> list[IkeSaFact]:
    """`show crypto ikev2 sa detailed`: one fact per SA (peer, status, algorithms)."""
    if "IKEv2" not in text and text.strip():
        raise Unparsed("'show crypto ikev2 sa detailed': no IKEv2 SA table in the output")
    sas: list[dict[str, Any]] = []
    for line in text.splitlines():
        if head := _SA_HEAD.match(line):
            peer = head.group("remote").rsplit("/", 1)[0]
            sas.append({"peer": peer, "ike_version": 2, "status": head.group("status")})
            continue
        if not sas:
            continue
        current = sas[-1]
        if encr := _ENCR.search(line):
            size = encr.group("size")
            current["encryption"] = encr.group("alg") + (f"-{size}" if size else "")
        if digest := _HASH.search(line):
            current["integrity"] = digest.group("hash")
        if dh := _DH.search(line):
            current["dh_group"] = int(dh.group("group"))
        if life := _LIFE.search(line):
            current["lifetime_s"] = int(life.group("life"))
    return [IkeSaFact(**sa) for sa in sas]


# os-release ID → the name the lifecycle tables use (Debian's NAME says "Debian GNU/Linux")
DISTRIBUTIONS = {
    "ubuntu": "Ubuntu",
    "debian": "Debian",
    "rhel": "Red Hat Enterprise Linux",
    "centos": "CentOS Linux",
    "rocky": "Rocky Linux",
    "almalinux": "AlmaLinux",
    "ol": "Oracle Linux",
    "sles": "SLES",
}


def os_release(text: str) -> dict[str, str]:
    """Key/value pairs of /etc/os-release, with ``os_name`` and ``os_version`` normalised."""
    values: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.strip().partition("=")
        if sep and re.fullmatch(r"[A-Z_]+", key):
            values[key] = value.strip().strip("\"'")
    if "ID" not in values or "VERSION_ID" not in values:
        raise Unparsed("/etc/os-release: no ID or VERSION_ID line")
    values["os_name"] = DISTRIBUTIONS.get(values["ID"], values.get("NAME", values["ID"]))
    values["os_version"] = values["VERSION_ID"]
    return values


def packages(text: str) -> list[SoftwareFact]:
    """``name<TAB>version`` lines (dpkg-query -W / rpm -qa --qf); a single space is accepted
    too (package names never hold one); other lines are ignored."""
    _not_found(text, "package list")
    found = {}
    for line in text.splitlines():
        name, sep, version = line.strip().partition("\t" if "\t" in line else " ")
        if sep and name and version.strip() and " " not in version.strip():
            found[(name, version.strip())] = SoftwareFact(name=name, version=version.strip())
    if not found:
        raise Unparsed("package list: no 'name<TAB>version' line")
    return sorted(found.values(), key=lambda fact: (fact.name, fact.version))


def sshd_t(text: str) -> dict[str, str]:
    """`sshd -T`: lower-case keyword → value; repeated keywords are joined with commas."""
    settings: dict[str, str] = {}
    for line in text.splitlines():
        key, _, value = line.strip().partition(" ")
        if not re.fullmatch(r"[a-z][a-z0-9]+", key):
            continue
        settings[key] = f"{settings[key]},{value.strip()}" if key in settings else value.strip()
    if "permitrootlogin" not in settings:
        raise Unparsed("'sshd -T': no permitrootlogin line (not run as root?)")
    return settings


_UNIT_STATES = {"active", "inactive", "failed", "activating", "deactivating", "unknown"}


def _not_found(text: str, what: str) -> None:
    if re.search(r"command not found|No such file or directory|Permission denied", text):
        raise Unparsed(f"{what}: {text.strip().splitlines()[0][:80]!r}")


def units_active(text: str) -> str:
    """`systemctl is-active A B …` prints one state per unit: active if any unit is."""
    states = [line.strip() for line in text.splitlines() if line.strip()]
    if not states or not set(states) <= _UNIT_STATES:
        raise Unparsed(f"'systemctl is-active': unexpected output {text.strip()[:80]!r}")
    return "active" if "active" in states else "inactive"


def remote_syslog(text: str) -> str:
    """rsyslog forwarding lines (``*.* @@host:514`` or ``action(type="omfwd" …)``)."""
    _not_found(text, "rsyslog forwarding")
    forwards = re.search(r"^[^#\n]*(?:\s@@?[\w.\[\]:-]+|omfwd)", text, re.M)
    return "yes" if forwards else "no"


def count(text: str) -> str:
    """A command that prints one integer (``… | grep -c …`` or ``… | wc -l``)."""
    value = text.strip().splitlines()[-1].strip() if text.strip() else ""
    if not value.isdigit():
        raise Unparsed(f"expected a count, got {text.strip()[:80]!r}")
    return value


def _active_lines(text: str) -> list[str]:
    return [
        line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")
    ]


def sudo_logfile(text: str) -> str:
    """`sudo -n -l` lists the Defaults that apply to the account: "yes" with a `logfile=`."""
    if text.lstrip().startswith("sudo:") or "Matching Defaults" not in text:
        raise Unparsed(
            f"'sudo -n -l': {text.strip().splitlines()[0][:80] if text.strip() else ''!r}"
        )
    return "yes" if re.search(r"\blogfile\s*=", text) else "no"


def pwquality_minlen(text: str) -> str:
    """pwquality.conf and PAM lines: the minimum length pam_pwquality enforces ("0": the module is
    not in the PAM stack, so nothing is enforced; 8 is its default minlen)."""
    lines = _active_lines(text)
    if not any("pam_pwquality" in line for line in lines):
        return "0"
    values = [m.group(1) for line in lines for m in re.finditer(r"\bminlen\s*=\s*(\d{1,4})", line)]
    return values[-1] if values else "8"


def faillock_deny(text: str) -> str:
    """PAM and faillock.conf lines: failed logins before pam_faillock locks ("0": no lockout,
    the module is not in the PAM stack; 3 is its default)."""
    lines = _active_lines(text)
    if not any("pam_faillock" in line for line in lines):
        return "0"
    values = [m.group(1) for line in lines for m in re.finditer(r"\bdeny\s*=\s*(\d{1,4})", line)]
    return values[-1] if values else "3"


def apt_unattended(text: str) -> str:
    """`apt-config dump APT::Periodic::Unattended-Upgrade`: "yes" when set to a non-zero value."""
    _not_found(text, "apt-config")
    match = re.search(r'Unattended-Upgrade "(\d+)"', text)
    return "yes" if match and match.group(1) != "0" else "no"


def yes_if_active(text: str) -> str:
    return "yes" if units_active(text) == "active" else "no"


def apparmor_enforced(text: str) -> str:
    """`aa-status --enforced` prints the number of profiles in enforce mode."""
    value = count(text)
    return "enforcing" if int(value) > 0 else "not enforcing"


def selinux_mode(text: str) -> str:
    """`getenforce`: Enforcing, Permissive or Disabled."""
    mode = text.strip().splitlines()[-1].strip().lower() if text.strip() else ""
    if mode not in ("enforcing", "permissive", "disabled"):
        raise Unparsed(f"'getenforce': unexpected output {text.strip()[:80]!r}")
    return mode


def audit_rules(text: str) -> str:
    """`auditctl -l`: the number of loaded rules ("No rules" is 0)."""
    if "You must be root" in text or "Operation not permitted" in text:
        raise Unparsed(f"'auditctl -l': {text.strip().splitlines()[0][:80]!r}")
    _not_found(text, "auditctl")
    lines = [line for line in text.splitlines() if line.strip().startswith("-")]
    if not lines and "No rules" not in text:
        raise Unparsed(f"'auditctl -l': unexpected output {text.strip()[:80]!r}")
    return str(len(lines))


def show_ip_ssh(text: str) -> dict[str, str]:
    """`show ip ssh`: SSH version, algorithms, time-out and retries, and the RSA modulus size read
    from the host key it prints (ssh-rsa blob: string, exponent, modulus)."""
    found = re.search(r"SSH Enabled - version ([\d.]+)", text)
    if not found and "SSH Disabled" not in text:
        raise Unparsed("'show ip ssh': no 'SSH Enabled/Disabled' line")
    state = {"ssh_version": found.group(1) if found else "disabled"}
    for key, label in (
        ("ssh_encryption", "Encryption Algorithms"),
        ("ssh_macs", "MAC Algorithms"),
        ("ssh_kex", "KEX Algorithms"),
    ):
        if match := re.search(rf"^{label}\s*:\s*(\S+)", text, re.M):
            state[key] = match.group(1)
    if match := re.search(
        r"Authentication timeout: (\d+) secs; Authentication retries: (\d+)", text
    ):
        state["ssh_timeout"], state["ssh_retries"] = match.group(1), match.group(2)
    # the key may wrap over several lines of base64
    if rsa := re.search(r"^ssh-rsa (\S+(?:\n[A-Za-z0-9+/=]+$)*)", text, re.M):
        state["ssh_rsa_bits"] = str(_rsa_bits(rsa.group(1).replace("\n", "")))
    return state


def _rsa_bits(blob: str) -> int:
    try:
        data = base64.b64decode(blob + "=" * (-len(blob) % 4))
        fields, offset = [], 0
        for _ in range(3):
            (size,) = struct.unpack(">I", data[offset : offset + 4])
            fields.append(data[offset + 4 : offset + 4 + size])
            offset += 4 + size
    except (ValueError, struct.error) as exc:
        raise Unparsed(f"'show ip ssh': host key not readable ({exc})") from exc
    if fields[0] != b"ssh-rsa":
        raise Unparsed("'show ip ssh': host key is not ssh-rsa")
    return int.from_bytes(fields[2], "big").bit_length()
