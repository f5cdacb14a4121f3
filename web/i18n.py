"""Spanish (default) and English through Flask-Babel; catalogues compiled when they are stale.

The compiled `.mo` files are committed, and `compile_catalogues` rebuilds any that is missing or
older than its `.po`, so a fresh checkout and an edited translation both work without a build step.
"""

from __future__ import annotations

import logging
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, g, session
from flask_babel import Babel

TRANSLATIONS = Path(__file__).resolve().parent / "translations"
LOCALES = ("es", "en")
DEFAULT_LOCALE = "es"
log = logging.getLogger(__name__)


def compile_catalogues(root: Path = TRANSLATIONS) -> list[Path]:
    """Compile every stale catalogue; returns the files written."""
    written = []
    for po in sorted(root.glob("*/LC_MESSAGES/messages.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as source:
            catalogue = read_po(source, locale=po.parent.parent.name)
        try:
            with mo.open("wb") as target:
                write_mo(target, catalogue)
        except OSError as exc:  # a read-only install keeps the committed .mo
            log.warning("cannot write %s: %s", mo, exc)
            continue
        written.append(mo)
    return written


def select_locale() -> str:
    user = g.get("user")
    if user is not None and user.locale in LOCALES:
        return str(user.locale)
    chosen = session.get("locale")
    if chosen in LOCALES:
        return str(chosen)
    # Not the browser's Accept-Language: the agency works in Spanish whatever the browser says.
    return DEFAULT_LOCALE


def init_babel(app: Flask) -> None:
    # flask-babel 4 reads these from init_app: given to Babel() they are silently ignored
    Babel().init_app(
        app,
        locale_selector=select_locale,
        default_locale=DEFAULT_LOCALE,
        default_translation_directories=str(TRANSLATIONS),
    )
