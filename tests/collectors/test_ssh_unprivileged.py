"""The Linux collector logged in as an unprivileged user on real OpenSSH (issue 13, "unknown says
why"): without a sudoers rule `sshd -T` is skipped with sudo's and sshd's own words, and the
unknown finding names them and the fix; with a NOPASSWD rule for exactly `sshd -T` it is read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from cmdb.ingest import _source_errors
from collectors.base import DeviceFacts, SshCredential, Target
from collectors.ssh import SshCollector
from compliance.engine import evaluate
from compliance.facts import CiFacts
from compliance.policy import PolicySet, load_policies
from tests.collectors.sshd_peer import ACCOUNT, Sshd, start_sshd

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
TODAY = dt.date(2026, 3, 1)


@pytest.fixture(scope="module")
def policies() -> PolicySet:
    return load_policies(ROOT / "policies")


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sshd]:
    peer = start_sshd(tmp_path_factory.mktemp("sshd-plain"), "127.200.21.1", account=True)
    yield peer
    peer.stop()


@pytest.fixture(scope="module")
def granted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sshd]:
    rule = f"{ACCOUNT} ALL=(root) NOPASSWD: /usr/sbin/sshd -T"
    peer = start_sshd(
        tmp_path_factory.mktemp("sshd-sudo"), "127.200.21.2", account=True, sudoers=rule
    )
    yield peer
    peer.stop()


def _collect(peer: Sshd) -> DeviceFacts:
    cred = SshCredential("ssh-collector", ACCOUNT, key_file=str(peer.key_file))
    target = Target(
        "deb12", peer.address, "linux", "TST", kind="server", ssh=cred, ssh_port=peer.port
    )
    [facts] = SshCollector().collect([target], 60)
    assert facts.ok, facts.error
    return facts


def _engine_facts(facts: DeviceFacts) -> CiFacts:
    return CiFacts(
        ci_type="device",
        ci_id=1,
        name="deb12",
        site_code="TST",
        region_code="R",
        kind="server",
        platform="linux",
        sshd=facts.sshd,
        host_state=facts.host_state,
        # exactly what cmdb.ingest stores on the device from this poll
        collection_notes=_source_errors("", facts),
    )


def test_unprivileged_login_without_sudo_rule_says_why_sshd_is_unknown(
    plain: Sshd, policies: PolicySet
) -> None:
    facts = _collect(plain)
    assert facts.sshd is None
    [note] = [n for n in facts.skipped if n.startswith("sshd -T:")]
    assert "needs root" in note and "a password is required" in note  # sudo -n's own words
    assert "no hostkeys available" in note  # and OpenSSH's, run as the account
    finding = evaluate(policies.rule("LNX-SSH-01"), _engine_facts(facts), policies, TODAY)
    assert finding.status == "unknown"
    assert finding.evidence.startswith(
        "sshd -T not collected (collector: '/usr/sbin/sshd -T' needs root"
    )
    assert "fix: grant 'NOPASSWD: /usr/sbin/sshd -T'" in finding.evidence


def test_nopasswd_rule_for_sshd_lets_the_collector_read_it_with_sudo(granted: Sshd) -> None:
    facts = _collect(granted)
    assert facts.sshd is not None and "permitrootlogin" in facts.sshd
    assert not any(n.startswith("sshd -T:") for n in facts.skipped)
    # sudo -n -l now lists the Defaults that apply to the account
    assert facts.host_state is not None and facts.host_state.get("sudo_log") in ("yes", "no")
