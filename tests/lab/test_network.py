"""The running lab over real protocols: net-snmp tools, ping, netmiko, asyncssh, faults, edits."""

from __future__ import annotations

import asyncio
import subprocess
from typing import Any

import asyncssh
import pytest
from netmiko import ConnectHandler

from lab import snmprec
from lab.model import Device
from tests.fixtures_lab import LabNetwork

pytestmark = pytest.mark.lab


def _pick(lab: LabNetwork, **match: str) -> dict[str, Any]:
    return next(
        d
        for d in lab.truth["devices"]
        if all(d.get(k) == v for k, v in match.items())
        and d["site"] not in [s["code"] for s in lab.truth["sites"] if s["unreachable"]]
    )


def _v2c(lab: LabNetwork, device: dict[str, Any]) -> list[str]:
    return ["-v2c", "-c", lab.secret(f"snmp-{device['region'].lower()}-community")]


def _snmp(tool: str, args: list[str], address: str, *oids: str, timeout: int = 2) -> str:
    done = subprocess.run(
        [tool, "-On", "-t", str(timeout), "-r", "0", *args, address, *oids],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    return done.stdout + done.stderr


def _ping(address: str) -> bool:
    return (
        subprocess.run(["ping", "-c1", "-W1", address], capture_output=True, check=False).returncode
        == 0
    )


def test_snmpget_v2c_returns_the_generated_sysdescr_and_serial(lab_network: LabNetwork) -> None:
    d = _pick(lab_network, kind="switch", region="NOR")
    out = _snmp(
        "snmpget",
        _v2c(lab_network, d),
        d["address"],
        "1.3.6.1.2.1.1.5.0",
        "1.3.6.1.2.1.47.1.1.1.1.11.1",
        "1.3.6.1.2.1.1.1.0",
    )
    assert f'"{d["hostname"]}"' in out
    assert f'"{d["serial"]}"' in out
    assert snmprec.sys_descr(Device.from_json(d)).split("\r\n")[0] in out


def test_snmpbulkwalk_iftable_lists_the_interfaces_of_the_truth(lab_network: LabNetwork) -> None:
    d = _pick(lab_network, kind="switch", region="CEN")
    out = _snmp("snmpbulkwalk", _v2c(lab_network, d), d["address"], "1.3.6.1.2.1.2.2.1.2")
    names = [line.split('"')[1] for line in out.splitlines() if "STRING" in line]
    assert names == [
        i["description"] or i["name"] for i in sorted(d["interfaces"], key=lambda i: i["index"])
    ]
    assert len(names) >= 26


def test_snmpv3_authpriv_sha_aes_answers_and_wrong_key_does_not(lab_network: LabNetwork) -> None:
    d = _pick(lab_network, region="SUR", kind="switch")
    assert d["snmp_credential"].startswith("snmp-v3-")
    v3 = [
        "-v3",
        "-l",
        "authPriv",
        "-u",
        "atalaya",
        "-a",
        "SHA",
        "-A",
        lab_network.secret("snmpv3-sur-auth"),
        "-x",
        "AES",
        "-X",
    ]
    out = _snmp(
        "snmpget",
        [*v3, lab_network.secret("snmpv3-sur-priv")],
        d["address"],
        "1.3.6.1.2.1.47.1.1.1.1.13.1",
    )
    assert f'"{d["model"]}"' in out
    wrong = _snmp(
        "snmpget", [*v3, "not-the-priv-key"], d["address"], "1.3.6.1.2.1.1.5.0", timeout=1
    )
    assert d["hostname"] not in wrong


def test_another_regions_community_gets_no_answer(lab_network: LabNetwork) -> None:
    d = _pick(lab_network, kind="switch", region="NOR")
    out = _snmp(
        "snmpget",
        ["-v2c", "-c", lab_network.secret("snmp-lim-community")],
        d["address"],
        "1.3.6.1.2.1.1.5.0",
        timeout=1,
    )
    assert "Timeout" in out


def test_windows_server_lists_installed_software_over_host_resources(
    lab_network: LabNetwork,
) -> None:
    d = _pick(lab_network, platform="windows")
    out = _snmp("snmpbulkwalk", _v2c(lab_network, d), d["address"], "1.3.6.1.2.1.25.6.3.1.2")
    for item in d["software"]:
        assert item["name"] in out


def test_ping_answers_on_a_device_address(lab_network: LabNetwork) -> None:
    assert _ping(_pick(lab_network, kind="vpn_gateway")["address"])


def _netmiko(lab: LabNetwork, device: dict[str, Any]) -> Any:
    return ConnectHandler(
        device_type="cisco_ios",
        host=device["address"],
        username="atalaya",
        password=lab.secret("ssh-net-password"),
        secret=lab.secret("ssh-net-enable"),
        timeout=20,
    )


def test_netmiko_cisco_ios_gets_running_config_and_textfsm_parses_version(
    lab_network: LabNetwork,
) -> None:
    d = _pick(lab_network, kind="vpn_gateway", platform="cisco_ios")
    with _netmiko(lab_network, d) as conn:
        conn.enable()
        config = conn.send_command("show running-config")
        version = conn.send_command("show version", use_textfsm=True)
        wrong = conn.send_command("show nothing-like-this")
        sas = conn.send_command("show crypto ikev2 sa")
    assert f"hostname {d['hostname']}" in config
    assert "enable secret 9 $9$" in config or "enable password 7" in config
    assert isinstance(version, list)
    assert version[0]["version"] == d["os_version"]
    assert version[0]["serial"] == [d["serial"]]
    assert "% Invalid input detected at '^' marker." in wrong
    assert ("READY" in sas) == ("VPN-UP-01" not in d["violations"])


async def _interactive(address: str, password: str, lines: list[str]) -> str:
    async with asyncssh.connect(
        address, username="atalaya", password=password, known_hosts=None
    ) as conn:
        proc = await conn.create_process(term_type="vt100")
        for line in lines:
            proc.stdin.write(line + "\n")
        proc.stdin.write_eof()
        return str(await asyncio.wait_for(proc.stdout.read(), timeout=20))


def test_long_output_pauses_at_more_until_terminal_length_0(lab_network: LabNetwork) -> None:
    d = _pick(lab_network, kind="switch")
    secret = lab_network.secret("ssh-net-enable")
    paged = asyncio.run(
        _interactive(
            d["address"],
            lab_network.secret("ssh-net-password"),
            ["enable", secret, "show running-config", "q", "exit"],
        )
    )
    assert "--More--" in paged and "\nend" not in paged.replace("\r", "")


def test_linux_server_answers_the_collector_commands(lab_network: LabNetwork) -> None:
    d = _pick(lab_network, platform="linux")

    async def run() -> list[str]:
        async with asyncssh.connect(
            d["address"],
            username="atalaya",
            known_hosts=None,
            password=lab_network.secret("ssh-linux-password"),
        ) as conn:
            out = []
            for cmd in ("cat /etc/os-release", "sshd -T", "systemctl is-active auditd"):
                out.append(str((await conn.run(cmd, timeout=10)).stdout))
            return out

    os_release, sshd, auditd = asyncio.run(run())
    assert f'VERSION_ID="{d["os_version"]}"' in os_release
    root = "yes" if "LNX-SSH-01" in d["violations"] else "no"
    assert f"permitrootlogin {root}" in sshd
    assert auditd.strip() == ("inactive" if "LNX-AUD-01" in d["violations"] else "active")


def test_fail_silences_a_site_while_others_answer_and_restore_brings_it_back(
    lab_site_fault: LabNetwork,
) -> None:
    lab = lab_site_fault
    down = _pick(lab, kind="switch", site="NOR-EP-02")
    other = _pick(lab, kind="switch", site="NOR-EP-03")
    lab.fail("NOR-EP-02")
    assert not _ping(down["address"])
    assert "Timeout" in _snmp(
        "snmpget", _v2c(lab, down), down["address"], "1.3.6.1.2.1.1.5.0", timeout=1
    )
    assert _ping(other["address"])
    assert other["hostname"] in _snmp(
        "snmpget", _v2c(lab, other), other["address"], "1.3.6.1.2.1.1.5.0"
    )
    assert any(s["unreachable"] for s in lab.reload_truth()["sites"] if s["code"] == "NOR-EP-02")
    lab.restore("NOR-EP-02")
    assert _ping(down["address"])
    assert down["hostname"] in _snmp(
        "snmpget", _v2c(lab, down), down["address"], "1.3.6.1.2.1.1.5.0"
    )


def test_edit_is_seen_by_the_next_snmp_and_ssh_poll(lab_network: LabNetwork) -> None:
    d = _pick(lab_network, kind="switch", region="CEN")
    lab_network.edit(d["hostname"], serial="FOC9999Z9ZZ", add_lines=["ip http server"])
    out = _snmp("snmpget", _v2c(lab_network, d), d["address"], "1.3.6.1.2.1.47.1.1.1.1.11.1")
    assert '"FOC9999Z9ZZ"' in out
    with _netmiko(lab_network, d) as conn:
        conn.enable()
        config = conn.send_command("show running-config")
    assert "\nip http server\n" in config
    assert lab_network.device(d["hostname"])["serial"] == "FOC9999Z9ZZ"
