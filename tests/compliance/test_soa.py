"""The Statement of Applicability as a record: seed plus edits, checked edits, its report rows,
the XLSX read back, and the implemented-controls indicators counted from it."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from compliance.facts import Unit
from compliance.indicators import PlanInputs, compute_all, load_indicators
from compliance.policy import PolicySet
from compliance.scoring import Score, Scores
from compliance.soa import SoaEditError, apply_edits, check_edit, entry_values
from compliance.soa_report import soa_rows, xlsx_bytes
from tests.compliance.conftest import ROOT

TODAY = dt.date(2026, 11, 30)


def _empty_scores() -> Scores:
    return Scores(Score(), {}, {}, {}, {}, {})


def _form(policies: PolicySet, control: str, **changes: object) -> dict[str, object]:
    entry = policies.soa.entry(control)
    assert entry is not None
    values = entry_values(entry)
    form: dict[str, object] = {
        **values,
        "applicable": "yes" if values["applicable"] else "no",
        "last_review": TODAY.isoformat(),
    }
    form.update(changes)
    return form


def test_every_control_of_both_editions_has_a_row_with_applicability_justification_status(
    policies: PolicySet,
) -> None:
    rows = soa_rows(policies, _empty_scores(), "es")
    assert len(rows) == 114 + 93
    assert {r["control"] for r in rows if r["edition"] == "2013"} == set(policies.controls_2013)
    assert {r["control"] for r in rows if r["edition"] == "2022"} == set(policies.controls_2022)
    lacking = [
        (r["edition"], r["control"])
        for r in rows
        if not isinstance(r["applicable"], bool)
        or not r["justification"].strip()
        or r["status"] not in ("implemented", "partial", "planned", "not_implemented")
        or not r["owner"]
        or not r["title"]
    ]
    assert lacking == []


def test_rows_follow_the_language_and_carry_automated_evidence(policies: PolicySet) -> None:
    scores = _empty_scores()
    scores.controls_2013["A.12.4.4"] = Score(
        passed=3, failed=1, unknown=2, weight_passed=3.0, weight_failed=1.0
    )
    es = {r["control"]: r for r in soa_rows(policies, scores, "es", ("2013",))}
    en = {r["control"]: r for r in soa_rows(policies, scores, "en", ("2013",))}
    assert es["A.12.4.4"]["title"] == policies.controls_2013["A.12.4.4"].title_es
    assert en["A.12.4.4"]["title"] == "Clock synchronisation"
    assert es["A.12.4.4"]["score"] == 75.0 and es["A.12.4.4"]["gaps"] == 2
    assert es["A.12.4.4"]["rules"]  # the rules that map to it
    assert es["A.12.4.4"]["related"] == "8.17"
    # documentary evidence: document, version and next review date
    assert "v" in es["A.5.1.1"]["documents"] and "próxima revisión" in es["A.5.1.1"]["documents"]
    assert "next review" in en["A.5.1.1"]["documents"]


def test_an_edit_overlays_the_seed_and_leaves_the_rest(policies: PolicySet) -> None:
    seed = policies.soa
    edited = apply_edits(
        seed,
        [
            {"edition": "2013", "control": "A.12.4.4", "status": "partial", "documents": ["X"]},
            {"edition": "2022", "control": "9.99", "status": "planned"},  # gone: ignored
        ],
    )
    assert edited.entries_2013["A.12.4.4"].status == "partial"
    assert (
        edited.entries_2013["A.12.4.4"].justification == seed.entries_2013["A.12.4.4"].justification
    )
    assert edited.entries_2013["A.12.4.4"].documents == ()  # unknown document ids drop out
    assert edited.entries_2022["8.17"] == seed.entries_2022["8.17"]
    assert seed.entries_2013["A.12.4.4"].status == "implemented"  # the seed itself is untouched


@pytest.mark.parametrize(
    ("control", "changes", "field", "problem"),
    [
        ("A.12.4.4", {"justification": "   "}, "justification", "required"),
        ("A.12.4.4", {"applicable": "no", "status": "implemented"}, "status", "excluded"),
        ("A.12.4.4", {"status": "done"}, "status", "unknown"),
        ("A.12.4.4", {"owner": "Nadie"}, "owner", "unknown"),
        ("A.5.1.1", {"documents": []}, "documents", "required"),
        ("A.5.1.1", {"documents": ["PO-SI-99"]}, "documents", "unknown"),
        ("8.17", {"last_review": "30/11/2026"}, "last_review", "date"),
    ],
)
def test_a_bad_edit_names_its_field(
    policies: PolicySet, control: str, changes: dict[str, object], field: str, problem: str
) -> None:
    edition = "2013" if control.startswith("A.") else "2022"
    with pytest.raises(SoaEditError) as info:
        check_edit(policies, edition, control, _form(policies, control, **changes), TODAY)
    assert (info.value.field, info.value.problem) == (field, problem)


def test_a_good_edit_gives_plain_values(policies: PolicySet) -> None:
    values = check_edit(
        policies,
        "2013",
        "A.14.2.7",
        _form(policies, "A.14.2.7", applicable="yes", status="planned", last_review=""),
        TODAY,
    )
    assert values["applicable"] is True and values["status"] == "planned"
    assert values["last_review"] == TODAY  # empty: reviewed today


def test_xlsx_reads_back_one_row_per_control(policies: PolicySet) -> None:
    rows = soa_rows(policies, _empty_scores(), "en")
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(rows, "en")))
    assert book.sheetnames == ["ISO 27001 2013", "ISO 27001 2022"]
    for sheet, catalogue in zip(
        book.worksheets, (policies.controls_2013, policies.controls_2022), strict=True
    ):
        header = [c.value for c in sheet[1]]
        assert header[:3] == ["Edition", "Control", "Title"]
        ids = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
        assert len(ids) == len(set(ids)) == len(catalogue)
        assert set(ids) == set(catalogue)
        status = header.index("Implementation status")
        values = {row[status] for row in sheet.iter_rows(min_row=2, values_only=True)}
        assert values <= {"implemented", "partial", "planned", "not implemented"}


def _indicators(policies: PolicySet, scores: Scores, units: list[Unit]) -> dict[str, object]:
    inputs = PlanInputs(units, [], scores, [], policies, TODAY)
    return {r.indicator_id: r for r in compute_all(load_indicators(ROOT / "policies"), inputs)}


def test_implemented_controls_count_the_soa_applicable_set(policies: PolicySet) -> None:
    soa = policies.soa
    applicable = [c for c, e in soa.entries_2013.items() if e.applicable]
    declared = {c for c in applicable if soa.entries_2013[c].status == "implemented"}
    scores = _empty_scores()
    results = _indicators(policies, scores, [])
    result = results["1.2.1"]
    assert result.denominator == len(applicable) == 113  # all of Annex A but A.14.2.7
    assert result.numerator == len(declared)
    # an implemented control whose rules fail is not implemented, whatever the SoA says
    failing = next(c for c in sorted(declared) if any(c in r.controls_2013 for r in policies.rules))
    scores.controls_2013[failing] = Score(passed=1, failed=9, weight_passed=1.0, weight_failed=9.0)
    assert _indicators(policies, scores, [])["1.2.1"].numerator == len(declared) - 1
    # the officer excluding a control takes it out of the denominator
    edited = policies.with_soa(
        apply_edits(
            soa,
            [
                {
                    "edition": "2013",
                    "control": failing,
                    "applicable": False,
                    "status": "not_implemented",
                }
            ],
        )
    )
    again = _indicators(edited, scores, [])["1.2.1"]
    assert (again.numerator, again.denominator) == (len(declared) - 1, len(applicable) - 1)
