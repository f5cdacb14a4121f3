"""`atalaya advisories import` against SQLite and PostgreSQL: idempotent, revisions replace the
stored advisory with a Change row, bad files are named and the good ones still import."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from atalaya.jobs.advisories import import_advisories, stored_advisories
from cmdb.models import Advisory, Change
from compliance.advisories import parse_document
from tests.vulnerabilities.conftest import FIXTURES, document, write

AT = dt.datetime(2026, 12, 1, 8, 0)


def _import(engine: Engine, *paths: Path | str) -> dict[str, object]:
    with Session(engine) as session, session.begin():
        return import_advisories(session, [str(p) for p in paths], at=AT).to_dict()


def test_every_fixture_imports_and_reads_back_unchanged(engine: Engine) -> None:
    summary = _import(engine, FIXTURES)
    assert summary["files"] == 12 and summary["added"] == 12 and summary["errors"] == []
    with Session(engine) as session:
        stored = {a.id: a for a in stored_advisories(session)}
    expected = {
        a.id: a for p in sorted(FIXTURES.glob("*/*.json"))
        for a in parse_document(json.loads(p.read_text()))
    }
    assert stored == expected  # matching reads exactly what the parsers produced


def test_reimporting_the_same_documents_changes_nothing(engine: Engine, tmp_path: Path) -> None:
    _import(engine, FIXTURES)
    # the same content with other whitespace and key order is the same advisory
    again = write(tmp_path, "copy.json", json.dumps(document("nvd/CVE-2023-20198.json"),
                                                    indent=4, sort_keys=True))
    summary = _import(engine, FIXTURES, again)
    assert summary["unchanged"] == 13 and summary["added"] == summary["updated"] == 0
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Change)) == 0


def test_a_newer_revision_replaces_the_older_with_a_change_row(
    engine: Engine, tmp_path: Path
) -> None:
    _import(engine, FIXTURES / "csaf" / "FG-IR-26-154.json")
    newer = document("csaf/FG-IR-26-154.json")
    newer["document"]["tracking"].update(version="1", current_release_date="2026-09-01T00:00:00")
    newer["document"]["title"] = "FortiOS: revised advisory"
    summary = _import(engine, write(tmp_path, "newer.json", newer))
    assert summary["updated"] == 1
    with Session(engine) as session:
        row = session.scalars(select(Advisory)).one()
        assert (row.revision, row.title) == ("1", "FortiOS: revised advisory")
        changes = {c.field: (c.old, c.new) for c in session.scalars(select(Change))}
    assert changes["revision"] == ("0", "1")
    assert changes["title"][1] == "FortiOS: revised advisory"
    assert all(c for c in changes)  # every row names its field
    # the older document again keeps the newer one
    assert _import(engine, FIXTURES / "csaf" / "FG-IR-26-154.json")["older"] == 1
    with Session(engine) as session:
        assert session.scalars(select(Advisory)).one().revision == "1"


def test_bad_files_are_named_and_the_good_ones_still_import(
    engine: Engine, tmp_path: Path
) -> None:
    broken = document("osv/USN-7604-1.json")
    broken["affected"][0]["ranges"][0]["events"] = "0"
    files = [
        write(tmp_path, "a-not-json.json", '{"id": "X",\n  "modified": '),
        write(tmp_path, "b-wrong-field.json", broken),
        write(tmp_path, "c-unknown.json", {"hello": 1}),
        FIXTURES / "nvd" / "CVE-2024-21762.json",
    ]
    summary = _import(engine, *files)
    errors = {Path(e["file"]).name: e["error"] for e in summary["errors"]}  # type: ignore[index,union-attr]
    assert errors["a-not-json.json"].startswith("line 2 column 15: not valid JSON")
    assert errors["b-wrong-field.json"].startswith(
        "$.affected[0].ranges[0].events: expected an array"
    )
    assert "a CSAF 2.0 document" in errors["c-unknown.json"]
    assert summary["added"] == 1
    with Session(engine) as session:
        assert session.scalars(select(Advisory.advisory_id)).all() == ["CVE-2024-21762"]


def test_the_command_exits_2_on_a_bad_file_and_imports_the_rest(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    bad = write(tmp_path, "bad.json", {"document": {"csaf_version": "2.0"}})
    environ = {k: v for k, v in os.environ.items() if not k.startswith("ATALAYA_")}
    environ["ATALAYA_DATA_DIR"] = str(tmp_path / "var")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "atalaya", "advisories", "import", *args],
                              env=environ, capture_output=True, text=True, timeout=120,
                              cwd=Path(__file__).resolve().parents[2])

    first = run(str(bad), str(FIXTURES / "osv"), "--format", "json")
    assert first.returncode == 2, first.stderr
    summary = json.loads(first.stdout)
    assert (summary["files_bad"], summary["added"]) == (1, 5)
    assert summary["errors"][0]["error"] == (
        "$.document.tracking: expected a value, found nothing (the field is missing)"
    )
    again = run(str(FIXTURES / "osv"))
    assert again.returncode == 0 and "5 unchanged" in again.stdout
