"""The `linux` SSH collector against OpenSSH's sshd and this very host."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import pytest

from collectors.base import AuthFailed, SshCredential, Target, Timeout
from collectors.ssh import SshCollector
from collectors.ssh_parsers import os_release
from tests.collectors.sshd_peer import Sshd, start_sshd


@pytest.fixture(scope="module")
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sshd]:
    peer = start_sshd(tmp_path_factory.mktemp("sshd"))
    yield peer
    peer.stop()


def host(peer: Sshd, cred: SshCredential, port: int | None = None) -> Target:
    return Target(
        "this-host",
        peer.address,
        "linux",
        "TST",
        kind="server",
        ssh=cred,
        ssh_port=port or peer.port,
    )


@pytest.mark.slow
def test_linux_facts_match_this_host(sshd: Sshd) -> None:
    cred = SshCredential("ssh-test", "root", key_file=str(sshd.key_file))
    [facts] = SshCollector().collect([host(sshd, cred)], 60)
    assert facts.ok, facts.error
    with open("/etc/os-release") as handle:
        release = os_release(handle.read())
    assert (facts.os_name, facts.os_version) == (release["os_name"], release["os_version"])
    installed = subprocess.run(
        ["dpkg-query", "-W", "-f=${Package}\n"], capture_output=True, text=True, check=True
    ).stdout.split()
    assert facts.software is not None
    assert {sw.name for sw in facts.software} == set(installed)
    assert facts.sshd is not None and facts.sshd["permitrootlogin"] in (
        "yes",
        "no",
        "prohibit-password",
        "without-password",
        "forced-commands-only",
    )
    assert facts.host_state is not None
    assert facts.host_state["security_updates"].isdigit()
    # no systemd on this host: unit states are unknown with a reason, not "inactive"
    assert "firewall" not in facts.host_state
    assert any(note.startswith("firewall:") for note in facts.skipped)
    assert facts.running_config is None


def test_refused_key_is_auth_failed(sshd: Sshd, tmp_path_factory: pytest.TempPathFactory) -> None:
    other = tmp_path_factory.mktemp("otherkey") / "key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(other)], check=True)
    cred = SshCredential("ssh-wrong", "root", key_file=str(other))
    [facts] = SshCollector().collect([host(sshd, cred)], 20)
    assert isinstance(facts.error, AuthFailed) and "ssh-wrong" in facts.error.message


def test_closed_port_fails_fast_as_data(sshd: Sshd) -> None:
    cred = SshCredential("ssh-test", "root", key_file=str(sshd.key_file))
    [facts] = SshCollector().collect([host(sshd, cred, port=1)], 6)
    # refused is transient (the service may come back): a Timeout, not a permanent failure
    assert isinstance(facts.error, Timeout) and "connection" in facts.error.message.lower()
    assert not facts.error.permanent


def test_unresolved_credential_fails_alone_without_connecting(sshd: Sshd) -> None:
    bad = Target("no-secret", sshd.address, "linux", "TST", credential_error="secret 'x' missing")
    good = host(sshd, SshCredential("ssh-test", "root", key_file=str(sshd.key_file)))
    first, second = SshCollector().collect([bad, good], 60)
    assert isinstance(first.error, AuthFailed) and "secret 'x' missing" in first.error.message
    assert second.ok
