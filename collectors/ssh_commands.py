"""What the SSH collector reads on each platform: the commands, and how their answers land
on the facts. The session around them (connect, deadline, retry, close) is `collectors.ssh`.
Configurations are redacted here, before they leave the collector.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from collectors import ssh_parsers as parse
from collectors import ssh_session as session
from collectors.base import BadResponse, DeviceFacts, Target
from collectors.redact import redact_config
from collectors.ssh_session import prompt_at_end

# The real commands, one place to read them. On Linux, ROOT_COMMANDS need root: the collector
# runs them as `sudo -n <command>` first (a NOPASSWD sudoers line for exactly that command), then
# as its own account (enough when it logs in as root); when both fail, the part is skipped with
# both reasons, which reach the unknown findings (compliance.gaps). The others work as any user.
IOS_COMMANDS = {
    "version": "show version",
    "config": "show running-config",
    "inventory": "show inventory",
    # algorithms, time-out, retries and the host key as the device runs them: their defaults
    # differ by release, so they are read rather than inferred from the running-config
    "ssh": "show ip ssh",
    "ike": "show crypto ikev2 sa detailed",  # vpn_gateway only
}
LINUX_COMMANDS = {
    "os_release": "cat /etc/os-release",
    "packages_debian": r"dpkg-query -W -f='${Package}\t${Version}\n'",
    "packages_rhel": r"rpm -qa --qf '%{NAME}\t%{VERSION}-%{RELEASE}\n'",
    "sshd": "/usr/sbin/sshd -T",  # absolute: /usr/sbin is not on an unprivileged PATH
    "firewall": "systemctl is-active nftables firewalld ufw",
    "auditd": "systemctl is-active auditd",
    "time_sync": "systemctl is-active chrony chronyd systemd-timesyncd ntp ntpsec",
    # forwarding rules only (`@host`, `@@host`, omfwd); -s: a missing rsyslog.d is not an error
    "remote_syslog": "grep -rhsE '^[^#]*(@|omfwd)' /etc/rsyslog.conf /etc/rsyslog.d",
    "security_updates_debian": "apt-get -s upgrade | grep -c '^Inst.*security'",
    "security_updates_rhel": "dnf -q updateinfo list --security | wc -l",
    "sudo_log": "sudo -n -l",  # lists the Defaults once any NOPASSWD rule exists for the account
    "pwquality_minlen": "grep -rhsE 'minlen|pam_pwquality' /etc/security/pwquality.conf "
    "/etc/security/pwquality.conf.d /etc/pam.d",
    "lockout_deny": "grep -rhsE 'pam_faillock|deny' /etc/pam.d /etc/security/faillock.conf",
    "auto_updates_debian": "apt-config dump APT::Periodic::Unattended-Upgrade",
    "auto_updates_rhel": "systemctl is-active dnf-automatic-install.timer dnf-automatic.timer",
    "mac_debian": "/usr/sbin/aa-status --enforced",
    "mac_rhel": "getenforce",
    "audit_rules": "/usr/sbin/auditctl -l",
}
ROOT_COMMANDS = {"sshd", "mac_debian", "audit_rules"}
# host-state key -> (command per family, parser); a key is also the part named when skipped
StateReader = tuple[str, Callable[[str], str]]
HOST_STATE: dict[str, dict[str, StateReader]] = {
    "firewall": {"any": ("firewall", parse.units_active)},
    "auditd": {"any": ("auditd", parse.units_active)},
    "time_sync": {"any": ("time_sync", parse.units_active)},
    "remote_syslog": {"any": ("remote_syslog", parse.remote_syslog)},
    "security_updates": {
        "debian": ("security_updates_debian", parse.count),
        "rhel": ("security_updates_rhel", parse.count),
    },
    "sudo_log": {"any": ("sudo_log", parse.sudo_logfile)},
    "pwquality_minlen": {"any": ("pwquality_minlen", parse.pwquality_minlen)},
    "lockout_deny": {"any": ("lockout_deny", parse.faillock_deny)},
    "auto_updates": {
        "debian": ("auto_updates_debian", parse.apt_unattended),
        "rhel": ("auto_updates_rhel", parse.yes_if_active),
    },
    "mac": {
        "debian": ("mac_debian", parse.apparmor_enforced),
        "rhel": ("mac_rhel", parse.selinux_mode),
    },
    "audit_rules": {"any": ("audit_rules", parse.audit_rules)},
}

# In the error of a configuration read cut short; `collectors.ssh` retries on it.
TRUNCATED = "cut short"


def read_cisco_ios(
    target: Target,
    conn: Any,
    run: Callable[[str], str],
    remaining: session.Remaining,
    facts: DeviceFacts,
) -> None:
    """Version, redacted configuration, inventory and (VPN gateways) IKE SAs onto `facts`."""
    # `show running-config` needs privilege 15: users below it log in to user EXEC.
    if target.ssh and target.ssh.enable_secret:
        session.enable(conn, target, remaining)
    _part(facts, "show version", lambda: _apply_version(facts, run(IOS_COMMANDS["version"])))
    config = run(IOS_COMMANDS["config"])
    if "hostname" not in config and "version" not in config:
        raise BadResponse(f"{target.address}: 'show running-config' returned no configuration")
    _require_end(target, config)
    facts.running_config = redact_config(_strip_config_header(config))
    _part(facts, "show inventory", lambda: _apply_inventory(facts, run(IOS_COMMANDS["inventory"])))
    _part(
        facts,
        "show ip ssh",
        lambda: setattr(facts, "host_state", parse.show_ip_ssh(run(IOS_COMMANDS["ssh"]))),
    )
    if target.kind == "vpn_gateway":
        _part(
            facts,
            "ike",
            lambda: setattr(facts, "ike_sas", parse.ikev2_sas(run(IOS_COMMANDS["ike"]))),
        )


def read_linux(
    conn: Any, run: Callable[[str], str], remaining: session.Remaining, facts: DeviceFacts
) -> None:
    """Release, packages, sshd settings and host state of one Linux server onto `facts`."""
    command = LINUX_COMMANDS["os_release"]
    prompt = re.compile(prompt_at_end(conn.base_prompt))
    # os-release is never empty: an answer of prompts only is a slow CLI's stray prompts
    release = parse.os_release(
        session.read_complete(
            conn,
            command,
            run(command),
            lambda out: any(ln.strip() and not prompt.search(ln) for ln in out.splitlines()),
            remaining,
        )
    )
    facts.os_name, facts.os_version = release["os_name"], release["os_version"]
    family = (
        "rhel"
        if {"rhel", "fedora", "centos"}
        & set((release.get("ID_LIKE", "") + " " + release["ID"]).split())
        else "debian"
    )
    _part(
        facts,
        "packages",
        lambda: setattr(
            facts, "software", parse.packages(run(LINUX_COMMANDS[f"packages_{family}"]))
        ),
    )
    _part(facts, "sshd -T", lambda: setattr(facts, "sshd", _as_root(run, "sshd", parse.sshd_t)))
    state: dict[str, str] = {}
    for key, readers in HOST_STATE.items():
        name, parser = readers.get(family) or readers["any"]
        _part(facts, key, _state_reader(state, key, parser, run, name))
    facts.host_state = state


def _as_root(run: Callable[[str], str], name: str, parser: Callable[[str], Any]) -> Any:
    """A root-only command: `sudo -n` first (it never prompts), then as the account itself
    (enough when it is root). When both fail the reason quotes both: the finding says what to
    grant."""
    command = LINUX_COMMANDS[name]
    output = run(f"sudo -n {command} 2>&1")
    try:
        return parser(output)
    except parse.Unparsed:
        refused = _first_line(output)
    plain = run(f"{command} 2>&1")
    try:
        return parser(plain)
    except parse.Unparsed as exc:
        raise parse.Unparsed(
            f"'{command}' needs root: sudo -n said {refused!r} and as this account "
            f"{_first_line(plain)!r} ({exc})"
        ) from exc


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0][:80] if lines else ""


def _require_end(target: Target, config: str) -> None:
    """IOS ends `show running-config` with an `end` line: without it the read stopped early
    and the text must not be stored (nor judged) as the device's configuration."""
    lines = [line.strip() for line in config.splitlines() if line.strip()]
    if not lines or lines[-1] != "end":
        last = lines[-1][:60] if lines else ""
        raise BadResponse(
            f"{target.address}: 'show running-config' {TRUNCATED} after {len(lines)} lines "
            f"(last {last!r}, no 'end' line): not stored"
        )


def _part(facts: DeviceFacts, name: str, action: Callable[[], object]) -> None:
    """Run one part; output we cannot parse leaves it unknown with the reason recorded."""
    try:
        action()
    except parse.Unparsed as exc:
        facts.skipped.append(f"{name}: {exc}")


def _state_reader(
    state: dict[str, str],
    key: str,
    parser: Callable[[str], str],
    run: Callable[[str], str],
    name: str,
) -> Callable[[], None]:
    def read() -> None:
        if name in ROOT_COMMANDS:
            state[key] = _as_root(run, name, parser)
        else:
            state[key] = parser(run(LINUX_COMMANDS[name]))

    return read


def _apply_version(facts: DeviceFacts, text: str) -> None:
    version = parse.show_version(text)
    facts.os_name, facts.os_version = version["os_name"], version["os_version"]
    facts.vendor = "Cisco"
    facts.model = facts.model or version["model"]
    facts.serial = facts.serial or version["serial"]
    facts.sys_name = version["hostname"]


def _apply_inventory(facts: DeviceFacts, text: str) -> None:
    # `show inventory` names the chassis PID and serial exactly; prefer it to `show version`.
    model, serial = parse.show_inventory(text)
    facts.model = model or facts.model
    facts.serial = serial or facts.serial


def _strip_config_header(config: str) -> str:
    """Drop the "Building configuration..." and "Current configuration : N bytes" lines: the
    byte count changes with every secret rotation and would make a new snapshot each time."""
    lines = config.splitlines()
    while lines and (
        not lines[0].strip()
        or lines[0].startswith(("Building configuration", "Current configuration", "!Time:"))
    ):
        lines.pop(0)
    return "\n".join(lines).rstrip() + "\n"
