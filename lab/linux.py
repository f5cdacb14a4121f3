"""What a simulated Linux server prints for the commands the SSH collector runs.

The commands are listed in lab/README.md ("Linux commands"); anything else answers
``bash: <cmd>: command not found`` with exit status 127, as bash does.
"""

from __future__ import annotations

import re

from lab import catalog
from lab.generate import release_of
from lab.model import Device

FIREWALL_UNIT = {"debian": "ufw", "rhel": "firewalld"}
TIME_UNIT = {"debian": "chrony", "rhel": "chronyd"}


def release(device: Device) -> catalog.OsRelease:
    """The catalogue release; an edited version keeps its family's other details."""
    found = release_of(device)
    if found:
        return found
    same = [r for r in catalog.LINUX if r.os_name == device.os_name] or list(catalog.LINUX)
    base = same[0]
    return catalog.OsRelease(base.os_name, device.os_version,
                             base.pretty.replace(base.version, device.os_version), base.kernel,
                             base.family, True, base.id, base.codename)


def os_release(device: Device) -> str:
    r = release(device)
    lines = [f'PRETTY_NAME="{r.pretty}"', f'NAME="{r.os_name}"', f'VERSION_ID="{r.version}"',
             f'VERSION="{r.pretty.split(" ", 1)[-1] if r.id != "ubuntu" else r.pretty[7:]}"',
             f"ID={r.id}"]
    lines += [f"VERSION_CODENAME={r.codename}"] if r.codename else []
    lines += ["ID_LIKE=debian"] if r.id == "ubuntu" else []
    lines += ['ID_LIKE="rhel centos fedora"'] if r.id == "centos" else []
    lines += ['ID_LIKE="fedora"'] if r.id == "rhel" else []
    return "\n".join(lines)


def sys_descr(device: Device) -> str:
    """net-snmp's sysDescr: `uname -a` without the node name repeated."""
    r = release(device)
    build = "#63-Ubuntu SMP PREEMPT_DYNAMIC Tue Apr 15 19:04:15 UTC 2025" if r.id == "ubuntu" \
        else "#1 SMP PREEMPT_DYNAMIC Debian 6.1.140-1 (2025-05-22)" if r.id == "debian" \
        else "#1 SMP Wed Jun 4 12:32:40 EDT 2025"
    return f"Linux {device.hostname} {r.kernel} {build} x86_64"


def sshd_t(device: Device) -> str:
    bad = device.violations
    options = [
        ("port", "22"), ("addressfamily", "any"), ("listenaddress", "0.0.0.0:22"),
        ("permitrootlogin", "yes" if "LNX-SSH-01" in bad else "no"),
        ("permitemptypasswords", "yes" if "LNX-SSH-02" in bad else "no"),
        ("passwordauthentication", "yes" if "LNX-SSH-03" in bad else "no"),
        ("pubkeyauthentication", "yes"), ("kbdinteractiveauthentication", "no"),
        ("usepam", "yes"), ("x11forwarding", "yes" if "LNX-SSH-07" in bad else "no"),
        ("maxauthtries", "6" if "LNX-SSH-05" in bad else "3"),
        ("maxsessions", "20" if "LNX-SSH-09" in bad else "10"), ("clientaliveinterval", "300"),
        ("clientalivecountmax", "10" if "LNX-SSH-12" in bad else "3"),
        ("logingracetime", "120" if "LNX-SSH-08" in bad else "60"),
        ("loglevel", "QUIET" if "LNX-SSH-06" in bad else "INFO"), ("syslogfacility", "AUTH"),
        ("hostbasedauthentication", "yes" if "LNX-SSH-11" in bad else "no"),
        ("ignorerhosts", "yes"), ("permituserenvironment", "no"),
        ("banner", "none" if "LNX-SSH-13" in bad else "/etc/issue.net"),
        ("ciphers", ("aes128-cbc," if "LNX-SSH-04" in bad else "")
         + "chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@openssh.com,"
         "aes256-ctr,aes192-ctr,aes128-ctr"),
        ("macs", "hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,"
         "hmac-sha2-256,hmac-sha2-512"),
        ("kexalgorithms", "sntrup761x25519-sha512@openssh.com,curve25519-sha256,"
         "curve25519-sha256@libssh.org,diffie-hellman-group16-sha512"
         + (",diffie-hellman-group14-sha1" if "LNX-SSH-10" in bad else "")),
        ("subsystem", "sftp /usr/lib/openssh/sftp-server"),
    ]
    return "\n".join(f"{k} {v}" for k, v in options)


def unit_state(device: Device, unit: str) -> str:
    """`systemctl is-active UNIT` for one unit (unknown units are `inactive`, as systemd says)."""
    family = release(device).family
    bad = device.violations
    if unit == FIREWALL_UNIT[family] or unit == "nftables":
        if unit == "nftables" and family == "debian":
            return "inactive"  # Ubuntu/Debian hosts here use ufw (which drives nftables itself)
        return "inactive" if "LNX-FW-01" in bad else "active"
    if unit == "auditd":
        return "inactive" if "LNX-AUD-01" in bad else "active"
    if unit in ("chrony", "chronyd"):
        if unit != TIME_UNIT[family]:
            return "inactive"
        return "inactive" if "LNX-TIME-01" in bad else "active"
    if unit == "dnf-automatic-install.timer":
        return "inactive" if "LNX-UPD-01" in bad else "active"
    if unit in ("rsyslog", "sshd", "ssh", "snmpd", "cron", "crond"):
        return "active"
    return "inactive"


def remote_syslog_lines(device: Device) -> str:
    if "LNX-LOG-01" in device.violations:
        return ""
    return "*.* @@10.10.1.20:514\nauth,authpriv.* @@10.10.1.21:514"


def security_updates(device: Device) -> int:
    return 3 + device.variant % 17 if "LNX-PATCH-01" in device.violations else 0


def sudo_list(device: Device) -> str:
    """`sudo -n -l` for the collector's account (it has a NOPASSWD rule for `sshd -T`)."""
    defaults = "env_reset, mail_badpass, secure_path=/usr/sbin\\:/usr/bin\\:/sbin\\:/bin, use_pty"
    if "LNX-SUDO-01" not in device.violations:
        defaults += ", logfile=/var/log/sudo.log"
    return (f"Matching Defaults entries for atalaya on {device.hostname}:\n    {defaults}\n\n"
            f"User atalaya may run the following commands on {device.hostname}:\n"
            "    (root) NOPASSWD: /usr/sbin/sshd -T, /usr/sbin/auditctl -l, "
            "/usr/sbin/aa-status --enforced")


def pam_lines(device: Device, module: str) -> str:
    """What `grep` finds of pam_pwquality / pam_faillock in /etc/pam.d and their .conf files."""
    bad = device.violations
    if module == "pwquality":  # the seeded case keeps the module but no minlen: default 8
        conf = "" if "LNX-PWQ-01" in bad else "minlen = 14\n"
        return conf + "password\trequisite\t\t\tpam_pwquality.so retry=3"
    if "LNX-LCK-01" in bad:
        return "# deny = 3"
    return ("auth\trequired\t\t\tpam_faillock.so preauth\n"
            "auth\t[default=die]\t\t\tpam_faillock.so authfail\ndeny = 5")


def mac_state(device: Device, family: str) -> str:
    """`aa-status --enforced` (a count) on Debian/Ubuntu, `getenforce` on RHEL."""
    weak = "LNX-MAC-01" in device.violations
    if family == "rhel":
        return "Permissive" if weak else "Enforcing"
    return "0" if weak else "37"


def audit_rules(device: Device) -> str:
    if "LNX-AUD-02" in device.violations:
        return "No rules"
    return ("-w /etc/passwd -p wa -k identity\n-w /etc/shadow -p wa -k identity\n"
            "-w /etc/sudoers -p wa -k scope\n-a always,exit -F arch=b64 -S adjtimex -k time-change")


def packages(device: Device, fmt: str) -> str:
    return "\n".join(fmt.format(name=s.name, version=s.version) for s in device.software)


def run(device: Device, command: str) -> tuple[str, int]:
    """(output, exit status) of one shell command line."""
    cmd = re.sub(r"\s+", " ", command.strip()).removesuffix(" 2>&1")
    if cmd == "sudo -n -l":
        return sudo_list(device), 0
    # the collector's account has a NOPASSWD sudoers rule for its root-only commands
    cmd = cmd.removeprefix("sudo -n ").removeprefix("sudo ").removeprefix("/usr/sbin/")
    family = release(device).family
    if cmd == "":
        return "", 0
    if cmd in ("cat /etc/os-release", "cat /usr/lib/os-release"):
        return os_release(device), 0
    if cmd.startswith("dpkg-query -W"):
        if family != "debian":
            return "bash: dpkg-query: command not found", 127
        return packages(device, "{name} {version}"), 0
    if cmd.startswith("rpm -qa"):
        if family != "rhel":
            return "bash: rpm: command not found", 127
        return packages(device, "{name} {version}"), 0
    if cmd in ("sshd -T", "/usr/sbin/sshd -T"):
        return sshd_t(device), 0
    if cmd.startswith("systemctl is-active "):
        states = [unit_state(device, u) for u in cmd.split()[2:] if not u.startswith("-")]
        return "\n".join(states), 0 if all(s == "active" for s in states) else 3
    if cmd.startswith("grep") and ("pwquality" in cmd or "faillock" in cmd):
        return pam_lines(device, "pwquality" if "pwquality" in cmd else "faillock"), 0
    if cmd == "apt-config dump APT::Periodic::Unattended-Upgrade":
        if family != "debian":
            return "bash: apt-config: command not found", 127
        value = "0" if "LNX-UPD-01" in device.violations else "1"
        return f'APT::Periodic::Unattended-Upgrade "{value}";', 0
    if cmd in ("aa-status --enforced", "getenforce"):
        return mac_state(device, family), 0
    if cmd == "auditctl -l":
        return audit_rules(device), 0
    if cmd.startswith("grep") and "rsyslog" in cmd:
        text = remote_syslog_lines(device)
        return text, 0 if text else 1
    if cmd in ("apt-get -s upgrade | grep -c '^Inst.*security'",
               "dnf -q updateinfo list --security | wc -l",
               "yum -q updateinfo list security | wc -l"):
        return str(security_updates(device)), 0
    if cmd in ("hostname", "uname -n"):
        return device.hostname, 0
    if cmd == "uname -r":
        return release(device).kernel, 0
    if cmd == "uname -a":
        return sys_descr(device).replace(" x86_64", " x86_64 x86_64 x86_64 GNU/Linux"), 0
    if cmd == "id":
        return "uid=1001(atalaya) gid=1001(atalaya) groups=1001(atalaya)", 0
    if cmd.startswith("echo "):
        return cmd[5:].strip("'\""), 0
    return f"bash: {cmd.split()[0]}: command not found", 127
