"""The "Plan" page: the e-government plan's indicators, their trend, the units holding them back.

The page and the PDF (`atalaya report plan --format pdf`, and /plan.pdf here) render the same
fragment, `plan/_report.html`, so the printed follow-up report is what the page shows. The fragment
uses no Flask globals: the CLI renders it with a plain Jinja environment.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from pathlib import Path

from flask import Blueprint, Response, render_template
from flask_babel import get_locale
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from cmdb.plan_values import stored_plan
from compliance.indicators import load_indicators, period_of
from compliance.plan_report import LABELS, PlanReport, build_report
from web.request_context import arg, db, facts, now, policies, settings

bp = Blueprint("plan", __name__)
TEMPLATES = Path(__file__).resolve().parent / "templates"


def sparkline(values: Sequence[float], ceiling: float, width: int = 120, height: int = 28) -> str:
    """A line of the stored values, oldest left; the last one dotted. Scale 0..ceiling."""
    if not values:
        return ""
    top = max(ceiling, *values) or 1.0
    step = width / max(1, len(values) - 1)
    points = [
        (
            round(i * step if len(values) > 1 else width / 2, 1),
            round(height - 3 - (height - 6) * v / top, 1),
        )
        for i, v in enumerate(values)
    ]
    line = " ".join(f"{x},{y}" for x, y in points)
    last_x, last_y = points[-1]
    label = escape(" → ".join(f"{v:g}" for v in values))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="sparkline" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" aria-label="{label}">'
        f"<title>{label}</title>"
        f'<polyline points="{line}" fill="none" stroke="#1f6feb" stroke-width="1.5"/>'
        f'<circle cx="{last_x}" cy="{last_y}" r="2.5" fill="#1f6feb"/></svg>'
    )


def sparklines(report: PlanReport) -> dict[str, Markup]:
    result = {}
    for row in report.indicators:
        ceiling = 100.0 if row["unit"] == "percentage" else float(row["target"])
        # built from numbers and escaped text only
        result[row["id"]] = Markup(sparkline(report.history.get(row["id"], []), ceiling))
    return result


def _context(report: PlanReport) -> dict[str, object]:
    return {"report": report, "L": report.labels, "sparks": sparklines(report)}


def render_document(report: PlanReport) -> str:
    """The report as one standalone HTML document (what WeasyPrint turns into the PDF)."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape())
    return env.get_template("plan/document.html").render(**_context(report))


def pdf_bytes(report: PlanReport) -> bytes:
    from weasyprint import HTML  # heavy import: only when a PDF is asked for

    return bytes(HTML(string=render_document(report)).write_pdf())


def _report() -> PlanReport:
    today = now().date()
    indicators = load_indicators(settings().policies_path)
    lang = str(get_locale() or "es")
    stored = stored_plan(db(), [i.id for i in indicators], arg("period"), period_of(today))
    return build_report(
        stored, indicators, policies(), facts(), today, lang if lang in LABELS else "es"
    )


@bp.get("/plan")
def index() -> str:
    return render_template("plan/index.html", **_context(_report()))


@bp.get("/plan.pdf")
def pdf() -> Response:
    report = _report()
    return Response(
        pdf_bytes(report),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="plan-{report.period}.pdf"'},
    )
