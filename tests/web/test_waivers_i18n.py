"""A waiver re-judges its finding and moves the score; languages per user; catalogues."""

from __future__ import annotations

import datetime as dt

from babel.messages.mofile import read_mo
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from cmdb.models import Device, Finding, User
from tests.web.conftest import csrf_of, login
from web.i18n import TRANSLATIONS


def test_waiver_turns_fail_into_waived_and_raises_the_score(fresh_app: Flask) -> None:
    engine = fresh_app.extensions["atalaya_engine"]
    with Session(engine) as s:
        device_id = s.scalar(select(Device.id).where(Device.hostname == "nor-ep-01-sw01"))
    client = fresh_app.test_client()
    login(client, "security_officer")
    before = client.get("/api/v1/controls").json["items"]
    page = client.get(f"/devices/{device_id}").get_data(as_text=True)
    expires = (dt.date.today() + dt.timedelta(days=90)).isoformat()
    response = client.post(
        "/waivers",
        data={
            "csrf_token": csrf_of(page),
            "rule_id": "NET-SVC-01",
            "ci_type": "device",
            "ci_id": device_id,
            "reason": "Reemplazo programado",
            "approver": "Jefe de TI",
            "expires": expires,
            "back": f"/devices/{device_id}",
        },
    )
    assert response.status_code == 302
    with Session(engine) as s:
        finding = s.scalar(
            select(Finding).where(Finding.rule_id == "NET-SVC-01", Finding.ci_id == device_id)
        )
        assert finding is not None and finding.status == "waived"
        assert "Reemplazo programado" in finding.evidence
    after = client.get("/api/v1/controls").json["items"]
    changed = [(b, a) for b, a in zip(before, after, strict=True) if b != a]
    assert changed and all(
        a["fail"] == b["fail"] - 1 and a["waived"] == b["waived"] + 1 for b, a in changed
    )
    assert any((a["score"] or 0) > (b["score"] or 0) for b, a in changed)
    waivers = client.get("/api/v1/waivers").json["items"]
    assert waivers[0]["live"] and waivers[0]["created_by"] == "user:security_officer"
    # expiring it brings the failure back
    listing = client.get("/waivers").get_data(as_text=True)
    client.post(f"/waivers/{waivers[0]['id']}/expire", data={"csrf_token": csrf_of(listing)})
    with Session(engine) as s:
        assert (
            s.scalar(
                select(Finding.status).where(
                    Finding.rule_id == "NET-SVC-01", Finding.ci_id == device_id
                )
            )
            == "fail"
        )


def test_waiver_needs_reason_and_approver(fresh_app: Flask) -> None:
    client = fresh_app.test_client()
    login(client, "security_officer")
    token = csrf_of(client.get("/waivers").get_data(as_text=True))
    client.post(
        "/waivers",
        data={
            "csrf_token": token,
            "rule_id": "NET-SVC-01",
            "ci_type": "device",
            "ci_id": 1,
            "reason": "",
            "approver": "",
            "expires": "2999-01-01",
        },
    )
    assert client.get("/api/v1/waivers").json["items"] == []


def test_language_is_spanish_by_default_and_stored_per_user(fresh_app: Flask) -> None:
    client = fresh_app.test_client()
    login(client, "viewer")
    assert "Sedes" in client.get("/sites").get_data(as_text=True)
    token = csrf_of(client.get("/sites").get_data(as_text=True))
    client.post("/language", data={"csrf_token": token, "locale": "en", "next": "/sites"})
    assert "Sites" in client.get("/sites").get_data(as_text=True)
    with Session(fresh_app.extensions["atalaya_engine"]) as s:
        assert s.scalar(select(User.locale).where(User.username == "viewer")) == "en"
    other = fresh_app.test_client()  # another browser, same user: English too
    login(other, "viewer")
    assert '<html lang="en">' in other.get("/").get_data(as_text=True)


def test_committed_catalogues_match_their_sources() -> None:
    """A fresh checkout works without a build step only if the .mo files are current."""
    from babel.messages.pofile import read_po

    for po in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        with po.open("rb") as handle:
            source = {m.id: m.string for m in read_po(handle) if m.id}
        with po.with_suffix(".mo").open("rb") as handle:
            compiled = {m.id: m.string for m in read_mo(handle) if m.id}
        assert {k: v for k, v in source.items() if v} == compiled, po
