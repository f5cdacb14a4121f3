"""`atalaya report soa` and the plan's "not applicable" as a newcomer runs them: a real `atalaya`
process, the XLSX read back with openpyxl, the PDF read with poppler's pdftotext."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
from pathlib import Path

import openpyxl
from sqlalchemy.orm import Session

from atalaya.settings import load_settings
from cmdb import db
from cmdb.users import create_user
from compliance.policy import load_policies
from tests.atalaya.test_cli import atalaya
from tests.conftest import EXAMPLE_INVENTORY, REPO
from tests.web.conftest import PASSWORD, login
from web.app import create_app

POLICIES = load_policies(REPO / "policies")
ONE_SERVER = """
[[region]]
code = "LIM"
name = "Lima"
seat = "Lima"

[[site]]
code = "LIM-HQ"
name = "Sede Central y Centro de Datos Principal"
kind = "headquarters"
region = "LIM"

[[device]]
hostname = "lim-hq-srv01"
site = "LIM-HQ"
kind = "server"
platform = "linux"
address = "127.30.0.1"
"""


def _ids_in(text: str, control_ids: list[str]) -> dict[str, int]:
    """How often each id stands alone in `text` (not inside "6.1.3" or "A.5.1.10")."""
    return {
        cid: len(re.findall(r"(?<![\w.])" + re.escape(cid) + r"(?![\w.])", text))
        for cid in control_ids
    }


def test_report_soa_in_every_format(tmp_path: Path) -> None:
    assert atalaya(tmp_path, "init", "--inventory", str(EXAMPLE_INVENTORY)).returncode == 0
    result = atalaya(tmp_path, "report", "soa", "--format", "json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert len(rows) == 114 + 93
    assert all(
        isinstance(r["applicable"], bool) and r["justification"] and r["status"] for r in rows
    )
    english = atalaya(
        tmp_path, "report", "soa", "--format", "csv", "--edition", "2013", "--lang", "en"
    )
    table = list(csv.DictReader(io.StringIO(english.stdout)))
    assert len(table) == 114
    assert {r["control"]: r["title"] for r in table}["A.12.4.4"] == "Clock synchronisation"

    xlsx = tmp_path / "soa.xlsx"
    made = atalaya(tmp_path, "report", "soa", "--format", "xlsx", "--output", str(xlsx))
    assert made.returncode == 0, made.stderr
    book = openpyxl.load_workbook(xlsx)
    for sheet, catalogue in zip(
        book.worksheets, (POLICIES.controls_2013, POLICIES.controls_2022), strict=True
    ):
        ids = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
        assert len(ids) == len(catalogue) and set(ids) == set(catalogue)

    pdf = tmp_path / "soa.pdf"
    made = atalaya(tmp_path, "report", "soa", "--format", "pdf", "--output", str(pdf))
    assert made.returncode == 0, made.stderr
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    counts = _ids_in(text, [*POLICIES.controls_2013, *POLICIES.controls_2022])
    assert {cid: n for cid, n in counts.items() if n != 1} == {}
    assert "Declaración de aplicabilidad" in text


def test_zero_denominator_reads_not_applicable_on_a_one_server_inventory(tmp_path: Path) -> None:
    inventory = tmp_path / "one.toml"
    inventory.write_text(ONE_SERVER, encoding="utf-8")
    assert atalaya(tmp_path, "init", "--inventory", str(inventory)).returncode == 0
    result = atalaya(tmp_path, "report", "plan", "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(result.stdout))}
    for indicator in ("1.1.1", "1.4", "1.7"):  # LAN, licences, VPN: no establishment or office
        assert rows[indicator]["value"] == "no aplica", rows[indicator]
        assert rows[indicator]["met"] == "0/0" and rows[indicator]["progress"] == ""
    assert rows["1.2.1"]["value"] != "no aplica"  # the SoA's applicable controls exist
    english = atalaya(tmp_path, "report", "plan", "--format", "table", "--lang", "en")
    line = next(x for x in english.stdout.splitlines() if x.startswith("1.1.1 "))
    assert "not applicable" in line and "0.0" not in line

    pdf = tmp_path / "plan.pdf"
    assert (
        atalaya(tmp_path, "report", "plan", "--format", "pdf", "--output", str(pdf)).returncode == 0
    )
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    line = next(x for x in text.splitlines() if x.strip().startswith("1.1.1"))
    assert "no aplica" in line and "0.0 %" not in line

    # the Plan page, on the same CMDB
    settings = load_settings(environ={"ATALAYA_DATA_DIR": str(tmp_path / "var")})
    engine = db.make_engine(settings.database_url)
    with Session(engine) as s, s.begin():
        create_user(s, "oficial", PASSWORD, "security_officer")
    client = create_app(settings, engine).test_client()
    login(client, "oficial")
    page = client.get("/plan").get_data(as_text=True)
    engine.dispose()
    row = re.search(r'<tr class="indicator" id="indicator-1\.1\.1">.*?</tr>', page, re.S)
    assert row is not None and "no aplica" in row.group(0) and "0.0 %" not in row.group(0)
