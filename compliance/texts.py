"""Policy texts in the reader's language: control titles (controls.toml carries both), rule titles
(rules.toml's `title_es` / `title_en` when it has them, else its one `title`).

A language is "es", "es-PE", "en", ...: anything starting with "es" reads Spanish, the rest English.
"""

from __future__ import annotations

from compliance.policy import PolicySet, Rule

LANGUAGES = ("es", "en")


def language(value: object) -> str:
    """ "es" or "en" for a locale such as "es_PE" or a Babel Locale; Spanish by default."""
    text = str(value or "es").lower()
    return "en" if text.startswith("en") else "es"


def control_title(policies: PolicySet, control_id: str, lang: str) -> str:
    """The title of a 2013 or 2022 control in `lang`; "" for an id the catalogue lacks."""
    control = policies.control(control_id)
    return "" if control is None else control.title_in(lang)


def rule_title(rule: Rule, lang: str) -> str:
    """The rule's title in `lang` (rules.toml's `title_es` / `title_en`), else its `title`."""
    key = "title_es" if language(lang) == "es" else "title_en"
    return str(getattr(rule, key, "") or "") or rule.title
