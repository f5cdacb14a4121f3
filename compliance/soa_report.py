"""The Statement of Applicability as a report: one row per Annex A control of each edition, with
the SoA's record and the automated evidence, in the reader's language; as XLSX for auditors.

Pure: policies (the effective SoA in `policies.soa`), scores and a language in, rows or bytes out.
`render` in `compliance.reports` prints the rows as a table, CSV or JSON (keys stay English there,
for scripts); the XLSX and the PDF (web/soa_document.py) carry headers and words in the language.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from compliance.catalogue_soa import SoaEntry
from compliance.policy import PolicySet
from compliance.scoring import Scores
from compliance.soa import EDITIONS, themes_of
from compliance.texts import language

Row = dict[str, Any]
COLUMNS = (
    "edition", "control", "title", "theme", "related", "applicable", "justification", "status",
    "owner", "documents", "last_review", "rules", "score", "pass", "fail", "waived", "gaps",
)  # fmt: skip
LABELS: dict[str, dict[str, str]] = {
    "es": {
        "title_report": "Declaración de aplicabilidad (ISO/IEC 27001, cláusula 6.1.3 d)",
        "edition": "Edición", "control": "Control", "title": "Título", "theme": "Tema",
        "related": "Correspondencia 2013/2022", "applicable": "Aplica",
        "justification": "Justificación", "status": "Estado de implementación",
        "owner": "Responsable", "documents": "Evidencia documental",
        "last_review": "Última revisión",
        "rules": "Reglas (evidencia automática)", "score": "Puntaje %", "pass": "Cumple",
        "fail": "Incumple", "waived": "Excepciones", "gaps": "Sin evidencia",
        "yes": "Sí", "no": "No", "next_review": "próxima revisión", "as_of": "Datos al",
        "implemented": "implementado", "partial": "parcial", "planned": "planificado",
        "not_implemented": "no implementado",
        "organizational": "organizacional", "people": "personas", "physical": "físico",
        "technological": "tecnológico",
        "2013": "NTP ISO/IEC 27001:2014 (ISO/IEC 27001:2013)", "2022": "ISO/IEC 27001:2022",
    },
    "en": {
        "title_report": "Statement of Applicability (ISO/IEC 27001 clause 6.1.3 d)",
        "edition": "Edition", "control": "Control", "title": "Title", "theme": "Theme",
        "related": "2013/2022 mapping", "applicable": "Applicable",
        "justification": "Justification", "status": "Implementation status",
        "owner": "Owner", "documents": "Documentary evidence", "last_review": "Last review",
        "rules": "Rules (automated evidence)", "score": "Score %", "pass": "Pass",
        "fail": "Fail", "waived": "Waived", "gaps": "Evidence gaps",
        "yes": "Yes", "no": "No", "next_review": "next review", "as_of": "Data as of",
        "implemented": "implemented", "partial": "partial", "planned": "planned",
        "not_implemented": "not implemented",
        "organizational": "organisational", "people": "people", "physical": "physical",
        "technological": "technological",
        "2013": "NTP ISO/IEC 27001:2014 (ISO/IEC 27001:2013)", "2022": "ISO/IEC 27001:2022",
    },
}  # fmt: skip


def order_key(control_id: str) -> list[int]:
    """Annex A order: A.5.1.2 before A.10.1.1, 5.9 before 5.10."""
    return [int(part) for part in control_id.replace("A.", "").split(".")]


def documents_text(entry: SoaEntry, lang: str) -> str:
    """Each document as "ID title, v<version>, next review <date>", joined by "; "."""
    words = LABELS[language(lang)]
    return "; ".join(
        f"{d.id} {d.title}, v{d.version}, {words['next_review']} {d.next_review.isoformat()}"
        for d in entry.documents
    )


def _row(policies: PolicySet, scores: Scores, edition: str, entry: SoaEntry, lang: str) -> Row:
    cid = entry.control
    control = policies.control(cid)
    mapped = (control.maps_to if edition == "2013" else control.maps_from) if control else ()
    table = scores.controls_2013 if edition == "2013" else scores.controls_2022
    key = "controls_2013" if edition == "2013" else "controls_2022"
    score = table.get(cid)
    return {
        "edition": edition,
        "control": cid,
        "title": control.title_in(lang) if control else "",
        "theme": ", ".join(sorted(themes_of(policies, edition, cid))),
        "related": ", ".join(mapped),
        "applicable": entry.applicable,
        "justification": entry.justification,
        "status": entry.status,
        "owner": entry.owner,
        "documents": documents_text(entry, lang),
        "last_review": entry.last_review.isoformat(),
        "rules": ", ".join(r.id for r in policies.rules if cid in getattr(r, key)),
        "score": None if score is None else score.score,
        "pass": 0 if score is None else score.passed,
        "fail": 0 if score is None else score.failed,
        "waived": 0 if score is None else score.waived,
        "gaps": 0 if score is None else score.unknown,
    }


def soa_rows(
    policies: PolicySet, scores: Scores, lang: str = "es", editions: Sequence[str] = EDITIONS
) -> list[Row]:
    """Every control of the chosen editions (2013 first), in Annex A order, one row each."""
    rows = []
    for edition in editions:
        entries = policies.soa.entries(edition)
        for cid in sorted(entries, key=order_key):
            rows.append(_row(policies, scores, edition, entries[cid], lang))
    return rows


def worded(row: Row, lang: str) -> Row:
    """A row with its codes in words of `lang` (yes/no, status, theme), for people to read."""
    words = LABELS[language(lang)]
    themes = [words.get(t.strip(), t.strip()) for t in str(row["theme"]).split(",") if t.strip()]
    return {
        **row,
        "applicable": words["yes"] if row["applicable"] else words["no"],
        "status": words.get(row["status"], row["status"]),
        "theme": ", ".join(themes),
    }


_WIDTHS = {"title": 40, "justification": 60, "documents": 50, "owner": 28, "rules": 24}


def xlsx_bytes(rows: Sequence[Row], lang: str) -> bytes:
    """One sheet per edition, a header row in `lang`, one row per control (what auditors filter)."""
    from openpyxl import Workbook  # only when a spreadsheet is asked for
    from openpyxl.styles import Alignment, Font

    words = LABELS[language(lang)]
    book = Workbook()
    book.remove(book.active)
    for edition in EDITIONS:
        chosen = [r for r in rows if r["edition"] == edition]
        if not chosen:
            continue
        sheet = book.create_sheet(f"ISO 27001 {edition}")
        sheet.append([words[c] for c in COLUMNS])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in chosen:
            sheet.append([worded(row, lang)[c] for c in COLUMNS])
        for index, column in enumerate(COLUMNS, start=1):
            letter = sheet.cell(row=1, column=index).column_letter
            sheet.column_dimensions[letter].width = _WIDTHS.get(column, 12)
            if column in _WIDTHS:
                for cell in sheet[letter][1:]:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.freeze_panes = "C2"  # the control id and header stay in view
        sheet.auto_filter.ref = sheet.dimensions
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
