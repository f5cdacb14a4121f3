"""Evidence phrasing and remediation follow the user's language on the device page (stored in
English in the CMDB, shown in Spanish by default)."""

from __future__ import annotations

from flask import Flask
from markupsafe import escape
from sqlalchemy import select
from sqlalchemy.orm import Session

from cmdb.models import Finding
from compliance.phrases import evidence_text
from tests.web.conftest import csrf_of, login


def test_device_page_shows_remediation_and_evidence_in_the_users_language(
    fresh_app: Flask,
) -> None:
    policies = fresh_app.extensions["atalaya_policies"]
    with Session(fresh_app.extensions["atalaya_engine"]) as s:
        failing = [
            f
            for f in s.scalars(select(Finding).where(Finding.status == "fail"))
            if f.ci_type == "device" and f.rule_id in {r.id for r in policies.rules}
        ]
    finding = next(
        f for f in failing if evidence_text(f.evidence, "es") != f.evidence
    )  # one whose evidence has a translated phrase
    rule = policies.rule(finding.rule_id)
    spanish, english = rule.text("remediation", "es"), rule.text("remediation", "en")
    assert spanish and spanish != english
    client = fresh_app.test_client()
    login(client, "viewer")
    page = client.get(f"/devices/{finding.ci_id}").get_data(as_text=True)
    assert str(escape(spanish)) in page
    assert str(escape(evidence_text(finding.evidence, "es"))) in page
    token = csrf_of(page)
    client.post("/language", data={"locale": "en", "csrf_token": token})
    page = client.get(f"/devices/{finding.ci_id}").get_data(as_text=True)
    assert str(escape(english)) in page and str(escape(finding.evidence)) in page
    assert str(escape(spanish)) not in page
