"""The CMDB side: facts built from a real SQLite CMDB, findings stored with their state changes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from cmdb import db
from cmdb.factset import entitlement_products, load_facts
from cmdb.findings import add_waiver, changed_since, live_waivers, revoke_waiver, store_findings
from cmdb.models import (
    ConfigSnapshot,
    Device,
    Evaluation,
    FindingChange,
    InstalledSoftware,
    LicenseEntitlement,
    Link,
    LinkSample,
    Outage,
    Region,
    Site,
)
from cmdb.models import Finding as FindingRow
from compliance.engine import evaluate_all
from compliance.policy import PolicySet
from tests.compliance.conftest import FIXTURES

NOW = dt.datetime(2026, 3, 1, 12, 0)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'cmdb.db'}")
    db.upgrade(engine)
    yield engine
    engine.dispose()


def _populate(s: Session) -> None:
    region = Region(code="NOR", name="Norte")
    s.add(region)
    s.flush()
    site = Site(code="NOR-EP-01", name="E.P. Chiclayo", kind="establishment", region_id=region.id)
    dark = Site(code="NOR-EP-02", name="E.P. Dark", kind="establishment", region_id=region.id)
    s.add_all([site, dark])
    s.flush()
    switch = Device(
        hostname="nor-ep-01-sw01",
        site_id=site.id,
        kind="switch",
        platform="cisco_ios",
        address="127.21.0.1",
        model="WS-C2960X-48TS-L",
        serial="FOC1",
        owner="Infra",
        os_name="IOS",
        os_version="15.2(7)E7",
        last_seen=NOW - dt.timedelta(hours=1),
        purchase_date=dt.date(2025, 1, 1),
    )
    server = Device(
        hostname="nor-ep-01-srv01",
        site_id=site.id,
        kind="server",
        platform="linux",
        address="127.21.0.2",
        owner="Sistemas",
        os_name="Ubuntu",
        os_version="16.04",
        last_seen=NOW,
        sshd={"PermitRootLogin": "yes"},
        # what the SSH collector recorded on the poll run: the reason must reach the finding
        last_error="ssh partial: auditd: 'systemctl is-active': unexpected output "
        "'System has not been booted with systemd as init system (PID 1).'",
        host_state={"firewall": "active"},
    )
    unseen = Device(
        hostname="nor-ep-02-sw01",
        site_id=dark.id,
        kind="switch",
        platform="cisco_ios",
        address="127.21.1.1",
        owner="Infra",
    )
    retired = Device(
        hostname="old",
        site_id=site.id,
        kind="switch",
        platform="cisco_ios",
        address="127.21.0.9",
        lifecycle_status="retired",
    )
    s.add_all([switch, server, unseen, retired])
    s.flush()
    text = (FIXTURES / "ios-vty-telnet" / "running-config.txt").read_text()
    s.add_all(
        [
            ConfigSnapshot(
                device_id=switch.id,
                taken_at=NOW - dt.timedelta(days=20),
                sha256="a",
                text="hostname old\n",
                last_confirmed=NOW - dt.timedelta(days=20),
            ),
            ConfigSnapshot(
                device_id=switch.id,
                taken_at=NOW - dt.timedelta(days=1),
                sha256="b",
                text=text,
                last_confirmed=NOW - dt.timedelta(hours=1),
            ),
            InstalledSoftware(
                device_id=server.id, name="Microsoft Visio Professional 2021", version="16.0"
            ),
            LicenseEntitlement(product="Microsoft Office LTSC Standard 2024", seats=10),
        ]
    )
    link = Link(site_id=site.id, probe_address="127.21.0.254", last_probe=NOW)
    dark_link = Link(site_id=dark.id, probe_address="127.21.1.254")
    s.add_all([link, dark_link])
    s.flush()
    # probed for 10 days, down 12 hours of them: 95 % available
    s.add(LinkSample(link_id=link.id, at=NOW - dt.timedelta(days=10), up=True, loss_ratio=0.0))
    s.add(
        Outage(
            target_type="link",
            target_id=link.id,
            site_id=site.id,
            start=NOW - dt.timedelta(days=3),
            end=NOW - dt.timedelta(days=3, hours=-12),
        )
    )


def test_facts_from_cmdb(engine: Engine, policies: PolicySet) -> None:
    with Session(engine) as s, s.begin():
        _populate(s)
    with Session(engine) as s:
        facts = {f.name: f for f in load_facts(s, NOW)}
        products = entitlement_products(s)
    assert "old" not in facts  # retired devices are not judged
    switch = facts["nor-ep-01-sw01"]
    assert (
        switch.running_config is not None and "transport input telnet ssh" in switch.running_config
    )
    assert switch.config_confirmed == NOW - dt.timedelta(hours=1)
    assert switch.region_code == "NOR" and switch.software is None and switch.sshd is None
    server = facts["nor-ep-01-srv01"]
    assert server.sshd == {"permitrootlogin": "yes"}
    assert server.software is not None and server.software[0].name.startswith("Microsoft Visio")
    assert facts["link:NOR-EP-01"].link_availability_30d == pytest.approx(0.95)
    assert facts["link:NOR-EP-02"].link_availability_30d is None
    assert [(e.product, e.seats) for e in products] == [("Microsoft Office LTSC Standard 2024", 10)]

    statuses = {
        (f.ci_name, f.rule_id): f.status
        for f in evaluate_all(facts.values(), policies.with_entitlements(products), NOW.date())
    }
    assert statuses[("nor-ep-01-sw01", "NET-VTY-01")] == "fail"
    assert statuses[("nor-ep-01-sw01", "NET-BKP-01")] == "pass"
    assert statuses[("nor-ep-02-sw01", "NET-VTY-01")] == "unknown"
    assert statuses[("nor-ep-01-srv01", "LNX-SSH-01")] == "fail"
    assert statuses[("nor-ep-01-srv01", "LNX-AUD-01")] == "unknown"
    audit = next(
        f
        for f in evaluate_all([facts["nor-ep-01-srv01"]], policies, NOW.date())
        if f.rule_id == "LNX-AUD-01"
    )
    assert "host state has no 'auditd'" in audit.evidence
    assert "has not been booted with systemd" in audit.evidence  # the collector's reason
    assert "fix: the host must run systemd" in audit.evidence
    assert statuses[("nor-ep-01-srv01", "OS-EOL-01")] == "fail"
    assert statuses[("nor-ep-01-srv01", "LIC-01")] == "fail"
    assert statuses[("link:NOR-EP-01", "AVL-LINK-01")] == "fail"
    assert statuses[("link:NOR-EP-02", "AVL-LINK-01")] == "unknown"


def test_store_findings_records_state_changes(engine: Engine, policies: PolicySet) -> None:
    with Session(engine) as s, s.begin():
        _populate(s)
    day1, day2, day3 = NOW, NOW + dt.timedelta(days=1), NOW + dt.timedelta(days=2)
    with Session(engine) as s, s.begin():
        findings = evaluate_all(load_facts(s, day1), policies, day1.date())
        store_findings(s, findings, day1, scores={"organisation": {"score": 50.0}})
    with Session(engine) as s, s.begin():
        first_count = s.scalar(select(func.count()).select_from(FindingRow))
        assert first_count == len(findings)
        # the switch is fixed (telnet off); the server: root login fixed, empty passwords appear
        switch = s.scalars(select(Device).where(Device.hostname == "nor-ep-01-sw01")).one()
        cfg = (FIXTURES / "ios-switch-compliant" / "running-config.txt").read_text()
        s.add(
            ConfigSnapshot(
                device_id=switch.id, taken_at=day2, sha256="c", text=cfg, last_confirmed=day2
            )
        )
        server = s.scalars(select(Device).where(Device.hostname == "nor-ep-01-srv01")).one()
        server.sshd = {"permitrootlogin": "no", "permitemptypasswords": "yes"}
        switch_id, server_id = switch.id, server.id
    with Session(engine) as s, s.begin():
        store_findings(s, evaluate_all(load_facts(s, day2), policies, day2.date()), day2)
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(FindingRow)) == first_count  # upserted
        vty = s.scalars(
            select(FindingRow).where(
                FindingRow.rule_id == "NET-VTY-01", FindingRow.ci_id == switch_id
            )
        ).one()
        assert vty.status == "pass" and vty.last_changed == day2 and vty.first_seen == day1
        history = s.scalars(
            select(FindingChange)
            .where(FindingChange.finding_id == vty.id)
            .order_by(FindingChange.at)
        ).all()
        assert [(c.old_status, c.new_status, c.at) for c in history] == [
            (None, "fail", day1),
            ("fail", "pass", day2),
        ]
        became = {(f.rule_id, f.ci_id) for f in changed_since(s, day2)}
        assert became == {("LNX-SSH-02", server_id)}
        assert ("LNX-SSH-01", server_id) not in {
            (f.rule_id, f.ci_id) for f in changed_since(s, day1)
        }
        assert s.scalar(select(func.count()).select_from(Evaluation)) == 2
        assert changed_since(s, day3) == []


def test_a_full_evaluation_drops_findings_of_retired_devices_a_partial_store_does_not(
    engine: Engine, policies: PolicySet
) -> None:
    with Session(engine) as s, s.begin():
        _populate(s)
    with Session(engine) as s, s.begin():
        findings = evaluate_all(load_facts(s, NOW), policies, NOW.date())
        store_findings(s, findings, NOW, complete=True)
        server = s.scalars(select(Device).where(Device.hostname == "nor-ep-01-srv01")).one()
        server_id = server.id

    def server_findings() -> int:
        with Session(engine) as s:
            query = (
                select(func.count())
                .select_from(FindingRow)
                .where(FindingRow.ci_type == "device", FindingRow.ci_id == server_id)
            )
            return s.scalar(query) or 0

    assert server_findings() > 0
    with Session(engine) as s, s.begin():
        s.get(Device, server_id).lifecycle_status = "retired"  # type: ignore[union-attr]
    later = NOW + dt.timedelta(hours=1)
    with Session(engine) as s, s.begin():  # one re-judged finding (the waiver path) keeps the rest
        store_findings(s, evaluate_all(load_facts(s, later), policies, later.date())[:1], later)
    assert server_findings() > 0
    with Session(engine) as s, s.begin():
        store_findings(
            s, evaluate_all(load_facts(s, later), policies, later.date()), later, complete=True
        )
    assert server_findings() == 0
    with Session(engine) as s:  # their state history went with them
        orphans = (
            select(func.count())
            .select_from(FindingChange)
            .where(FindingChange.finding_id.not_in(select(FindingRow.id)))
        )
        assert s.scalar(orphans) == 0


def test_waivers_live_until_expiry_or_revocation(engine: Engine) -> None:
    with Session(engine) as s, s.begin():
        _populate(s)
        w = add_waiver(s, "NET-SVC-01", "device", 1, "legacy UI", "CISO", dt.date(2026, 3, 31))
        add_waiver(s, "NET-SVC-01", "device", 2, "old", "CISO", dt.date(2026, 2, 1))
        with pytest.raises(ValueError):
            add_waiver(s, "NET-SVC-01", "device", 3, " ", "CISO", dt.date(2026, 3, 31))
        assert [x.ci_id for x in live_waivers(s, dt.date(2026, 3, 1))] == [1]
        revoke_waiver(s, w.id, NOW)
        assert live_waivers(s, dt.date(2026, 3, 1)) == []
