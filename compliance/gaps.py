"""Why a fact is missing, and what fixes it: the collector's reason carried onto unknown findings.

The collectors record each failed poll and each part they could not read on the device
(`Device.last_error`, one line per source: ``ssh auth: …`` or ``ssh partial: sshd -T: …; firewall:
…``). `CiFacts.collection_notes` carries that text here; an unknown finding then names the missing
fact, the collector's reason from the poll and the fix, instead of only "not collected".
"""

from __future__ import annotations

import re

from compliance.facts import CiFacts

SUDO_FIX = "grant 'NOPASSWD: {command}' to the collector's account in sudoers, or collect as root"
SYSTEMCTL_FIX = "the host must run systemd and let the account run 'systemctl is-active'"
# collector part -> (source that reads it, fix)
PARTS: dict[str, tuple[str, str]] = {
    "sshd -T": ("ssh", SUDO_FIX.format(command="/usr/sbin/sshd -T")),
    "audit_rules": ("ssh", SUDO_FIX.format(command="/usr/sbin/auditctl -l")),
    "mac": ("ssh", SUDO_FIX.format(command="/usr/sbin/aa-status --enforced")),
    "sudo_log": (
        "ssh",
        "give the account one NOPASSWD sudoers rule so 'sudo -n -l' lists Defaults",
    ),
    "firewall": ("ssh", SYSTEMCTL_FIX),
    "auditd": ("ssh", SYSTEMCTL_FIX),
    "time_sync": ("ssh", SYSTEMCTL_FIX),
    "auto_updates": ("ssh", SYSTEMCTL_FIX),
    "remote_syslog": ("ssh", "let the account read /etc/rsyslog.conf and /etc/rsyslog.d"),
    "security_updates": ("ssh", "let the account run 'apt-get -s upgrade' or 'dnf updateinfo'"),
    "pwquality_minlen": ("ssh", "let the account read /etc/security/pwquality.conf"),
    "lockout_deny": ("ssh", "let the account read /etc/pam.d and /etc/security/faillock.conf"),
    "packages": ("ssh", "let the account run dpkg-query or rpm"),
    "show ip ssh": ("ssh", "let the collector's privilege level run 'show ip ssh'"),
    "ike": ("ssh", "give the collector privilege 15 for 'show crypto ikev2 sa detailed'"),
    "show running-config": ("ssh", "give the collector privilege 15 (enable secret)"),
    "processes": ("snmp", "let the SNMP credential read HOST-RESOURCES-MIB hrSWRunTable"),
}
# fact name (or prefix) -> collector part
FACT_PARTS = {"sshd.": "sshd -T", "config": "show running-config", "ike_sas": "ike"}
_PART_START = re.compile(r"; (?=[\w .-]+: )")


def _notes(facts: CiFacts) -> dict[str, str]:
    """{source: message} for failed polls and {part: reason} for parts a poll skipped."""
    notes: dict[str, str] = {}
    for line in facts.collection_notes.splitlines():
        source, _, rest = line.partition(" ")
        kind, _, message = rest.partition(": ")
        if kind != "partial":
            notes[source] = f"{kind}: {message}" if message else kind
            continue
        for segment in _PART_START.split(message):
            part, _, reason = segment.partition(": ")
            notes[part.strip()] = reason.strip()
    return notes


def part_of(fact: str) -> str:
    """The collector part that reads a fact: "sshd.ciphers" -> "sshd -T"."""
    for prefix, part in FACT_PARTS.items():
        if fact == prefix or (prefix.endswith(".") and fact.startswith(prefix)):
            return part
    return fact.removeprefix("host_state.")


def explain(facts: CiFacts, fact: str) -> str:
    """ " (collector: <reason>; fix: <fix>)" for a missing fact, or "" when nothing was recorded."""
    if not facts.collection_notes:
        return ""
    part = part_of(fact)
    source, fix = PARTS.get(part, ("ssh", ""))
    notes = _notes(facts)
    reason = notes.get(part) or notes.get(source)
    if not reason:
        return ""
    return f" (collector: {reason}" + (f"; fix: {fix})" if fix else ")")
