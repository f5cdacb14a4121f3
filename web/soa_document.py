"""The Statement of Applicability as a printable document: HTML that WeasyPrint turns into the PDF.

`atalaya report soa --format pdf` and /soa.pdf render the same template, `soa/document.html`, with a
plain Jinja environment (no Flask globals), as the plan's follow-up report does (`web.plan`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from compliance.soa import EDITIONS
from compliance.soa_report import LABELS, Row, worded
from compliance.texts import language

TEMPLATES = Path(__file__).resolve().parent / "templates"


def render_document(rows: Sequence[Row], lang: str, as_of: dt.date) -> str:
    """The SoA rows as one standalone HTML document, a section per edition present."""
    lang = language(lang)
    sections = [
        (edition, [worded(r, lang) for r in rows if r["edition"] == edition])
        for edition in EDITIONS
        if any(r["edition"] == edition for r in rows)
    ]
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape())
    return env.get_template("soa/document.html").render(
        sections=sections, L=LABELS[lang], lang=lang, as_of=as_of.isoformat()
    )


def pdf_bytes(rows: Sequence[Row], lang: str, as_of: dt.date) -> bytes:
    from weasyprint import HTML  # heavy import: only when a PDF is asked for

    return bytes(HTML(string=render_document(rows, lang, as_of)).write_pdf())
