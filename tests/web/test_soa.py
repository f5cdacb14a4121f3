"""The Statement of Applicability on the web, through real requests: every control listed, the
security officer's edit in the audit trail, a viewer's edit refused, a missing justification a
clear form error, exports that read back, titles in the user's language."""

from __future__ import annotations

import io
import re

import openpyxl
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from cmdb.models import AuditEvent, Change, SoaEdit
from compliance.policy import load_policies
from tests.web.conftest import REPO, csrf_of, login

ENTRY = "/soa/2013/A.12.4.4"
POLICIES = load_policies(REPO / "policies")


def _form(token: str, **changes: str | list[str]) -> dict[str, str | list[str]]:
    entry = POLICIES.soa.entries_2013["A.12.4.4"]
    form: dict[str, str | list[str]] = {
        "csrf_token": token,
        "applicable": "yes",
        "justification": entry.justification,
        "status": entry.status,
        "owner": entry.owner,
        "documents": [d.id for d in entry.documents],
        "last_review": "2026-11-30",
    }
    form.update(changes)
    return form


def test_soa_page_lists_every_control_of_both_editions(clients: dict[str, FlaskClient]) -> None:
    page = clients["viewer"].get("/soa").get_data(as_text=True)
    rows = set(re.findall(r'<tr id="soa-(2013|2022)-([^"]+)"', page))
    assert {c for e, c in rows if e == "2013"} == set(POLICIES.controls_2013)
    assert {c for e, c in rows if e == "2022"} == set(POLICIES.controls_2022)
    assert '<span id="soa-count">207</span>' in page
    # Spanish by default: titles from controls.toml's title_es, statuses in words
    assert POLICIES.controls_2013["A.12.4.4"].title_es in page
    assert "no implementado" in page and "Justificación" in page
    only = clients["viewer"].get("/soa?edition=2022").get_data(as_text=True)
    assert '<span id="soa-count">93</span>' in only


def test_entry_shows_documentary_and_automated_evidence(clients: dict[str, FlaskClient]) -> None:
    page = clients["viewer"].get("/soa/2013/A.9.4.2").get_data(as_text=True)
    entry = POLICIES.soa.entries_2013["A.9.4.2"]
    for document in entry.documents:
        assert document.id in page and document.version in page
        assert document.next_review.isoformat() in page
    rules = [r.id for r in POLICIES.rules if "A.9.4.2" in r.controls_2013]
    assert rules and all(r in page for r in rules)
    assert 'id="soa-form"' not in page  # a viewer gets no edit form
    officer = clients["security_officer"].get("/soa/2013/A.9.4.2").get_data(as_text=True)
    assert 'id="soa-form"' in officer
    assert clients["viewer"].get("/soa/2013/A.99.1.1").status_code == 404


def test_security_officer_edit_lands_in_the_change_history(fresh_app: Flask) -> None:
    client = fresh_app.test_client()
    login(client, "security_officer")
    token = csrf_of(client.get(ENTRY).get_data(as_text=True))
    response = client.post(ENTRY, data=_form(token, status="partial"))
    assert response.status_code == 302
    page = client.get(ENTRY).get_data(as_text=True)
    assert '<dd id="soa-status">parcial</dd>' in page
    assert "user:security_officer" in page  # the entry's own history
    trail = client.get("/changes?ci_type=soa").get_data(as_text=True)
    assert "A.12.4.4 (2013)" in trail and "implemented" in trail and "partial" in trail
    with Session(fresh_app.extensions["atalaya_engine"]) as s:
        change = s.scalar(select(Change).where(Change.ci_type == "soa"))
        assert change is not None
        assert (change.field, change.old, change.new) == ("status", "implemented", "partial")
        assert change.source == "user:security_officer"
        event = s.scalar(select(AuditEvent).where(AuditEvent.action == "soa.edit"))
        assert event is not None and event.actor == "security_officer"
        assert event.target == "soa 2013 A.12.4.4" and "status" in event.detail["fields"]
    # the listing and the export read the effective SoA
    listing = client.get("/soa?edition=2013").get_data(as_text=True)
    row = re.search(r'<tr id="soa-2013-A\.12\.4\.4">.*?</tr>', listing, re.S)
    assert row is not None and "parcial" in row.group(0)


def test_viewer_edit_is_refused(fresh_app: Flask) -> None:
    client = fresh_app.test_client()
    login(client, "viewer")
    token = csrf_of(client.get(ENTRY).get_data(as_text=True))
    assert client.post(ENTRY, data=_form(token, status="planned")).status_code == 403
    network = fresh_app.test_client()
    login(network, "network_admin")
    token = csrf_of(network.get(ENTRY).get_data(as_text=True))
    assert network.post(ENTRY, data=_form(token, status="planned")).status_code == 403
    with Session(fresh_app.extensions["atalaya_engine"]) as s:
        assert s.scalar(select(SoaEdit)) is None
        assert s.scalar(select(Change).where(Change.ci_type == "soa")) is None


def test_edit_without_justification_or_csrf_is_refused(fresh_app: Flask) -> None:
    client = fresh_app.test_client()
    login(client, "admin")
    token = csrf_of(client.get(ENTRY).get_data(as_text=True))
    response = client.post(ENTRY, data=_form(token, justification="  ", status="planned"))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'data-field="justification"' in page
    assert "La justificación es obligatoria" in page
    assert "selected>planificado" in page  # the officer's input is kept for the correction
    assert client.post(ENTRY, data=_form("not-the-token", status="planned")).status_code == 400
    with Session(fresh_app.extensions["atalaya_engine"]) as s:
        assert s.scalar(select(SoaEdit)) is None


def test_xlsx_export_reads_back_one_row_per_control(clients: dict[str, FlaskClient]) -> None:
    response = clients["viewer"].get("/soa.xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    ids = {
        sheet.title: [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
        for sheet in book.worksheets
    }
    assert sorted(ids["ISO 27001 2013"]) == sorted(POLICIES.controls_2013)
    assert sorted(ids["ISO 27001 2022"]) == sorted(POLICIES.controls_2022)
    assert book.worksheets[0]["C1"].value == "Título"


def test_control_titles_follow_the_user_language(fresh_app: Flask) -> None:
    client = fresh_app.test_client()
    login(client, "viewer")
    spanish, english = (
        POLICIES.controls_2013["A.9.4.2"].title_es,
        POLICIES.controls_2013["A.9.4.2"].title,
    )
    assert spanish in client.get("/controls").get_data(as_text=True)
    assert spanish in client.get("/controls/A.9.4.2").get_data(as_text=True)
    token = csrf_of(client.get("/soa").get_data(as_text=True))
    client.post("/language", data={"csrf_token": token, "locale": "en", "next": "/soa"})
    for url in ("/soa", "/controls", "/controls/A.9.4.2", "/soa/2013/A.9.4.2"):
        page = client.get(url).get_data(as_text=True)
        assert english in page and spanish not in page, url
    xlsx = openpyxl.load_workbook(io.BytesIO(client.get("/soa.xlsx?edition=2013").get_data()))
    assert xlsx.worksheets[0]["C1"].value == "Title" and len(xlsx.worksheets) == 1
