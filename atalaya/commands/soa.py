"""`atalaya report soa`: the Statement of Applicability, every Annex A control of the chosen
editions with its record (the soa.toml seed plus the security officer's edits) and its automated
evidence from an evaluation run now (nothing stored).

table, csv and json print English keys for scripts, titles and texts in --lang; xlsx and pdf are
for people (headers and words in --lang) and are written to --output (or a dated file name).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from atalaya.commands.evaluate import DATE, run_or_exit
from compliance.reports import render
from compliance.soa import EDITIONS
from compliance.soa_report import soa_rows, xlsx_bytes

BINARY = ("xlsx", "pdf")


@click.command("soa")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json", *BINARY]),
    default="table",
    show_default=True,
)
@click.option("--lang", type=click.Choice(["es", "en"]), default="es", show_default=True)
@click.option(
    "--edition", type=click.Choice([*EDITIONS, "both"]), default="both", show_default=True
)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here.")
@click.option("--as-of", type=DATE, help="Automated evidence as of this date (YYYY-MM-DD).")
@click.pass_context
def report_soa(
    ctx: click.Context,
    fmt: str,
    lang: str,
    edition: str,
    output: Path | None,
    as_of: dt.datetime | None,
) -> None:
    """Statement of Applicability: applicability, justification, status, owner, evidence."""
    run = run_or_exit(ctx, as_of, store=False)
    editions = EDITIONS if edition == "both" else (edition,)
    rows = soa_rows(run.policies, run.scores, lang, editions)
    if fmt in BINARY:
        target = output or Path(f"atalaya-soa-{run.as_of.isoformat()}.{fmt}")
        if fmt == "xlsx":
            target.write_bytes(xlsx_bytes(rows, lang))
        else:
            # the web layer renders the document's HTML: the PDF is what /soa.pdf serves
            from web.soa_document import pdf_bytes

            target.write_bytes(pdf_bytes(rows, lang, run.as_of))
        click.echo(f"wrote {target} ({len(rows)} controls)")
        return
    text = render(rows, fmt)
    if output is not None:
        output.write_text(text + "\n", encoding="utf-8")
    else:
        click.echo(text)
