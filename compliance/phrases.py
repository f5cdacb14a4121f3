"""The engine's evidence in the reader's language: a small table of the fixed phrases it writes.

Findings store their evidence once, in English (the language of the configuration lines and
command output it quotes). Pages, reports and exports show it with `evidence_text(evidence,
language)`; only the engine's own phrases change, never a quoted line or value. Rule titles and
remediation are bilingual in the policy file itself (`Rule.text`).
"""

from __future__ import annotations

# English phrase -> Spanish, longest first where one contains another
PHRASES_ES: tuple[tuple[str, str], ...] = (
    ("(platform default, not in the running-config)",
     "(valor por defecto de la plataforma, no figura en la running-config)"),
    ("nothing to judge: ", "nada que evaluar: "),
    ("no running-config collected", "running-config no recolectada"),
    ("sshd -T not collected", "sshd -T no recolectado"),
    ("host state not collected", "estado del host no recolectado"),
    ("host state has no", "el estado del host no tiene"),
    ("sshd -T has no", "sshd -T no tiene"),
    ("installed software not collected", "software instalado no recolectado"),
    ("IKE SAs not collected", "SA de IKE no recolectadas"),
    ("no IKE SA established", "ninguna SA de IKE establecida"),
    ("no IKE SA", "ninguna SA de IKE"),
    (" (collector: ", " (recolector: "),
    ("' to the collector's account in sudoers, or collect as root",
     "' a la cuenta del recolector en sudoers, o recolecte como root"),
    ("grant 'NOPASSWD: ", "conceda 'NOPASSWD: "),
    ("the host must run systemd and let the account run",
     "el host debe usar systemd y permitir a la cuenta ejecutar"),
    (" needs root: sudo -n said ", " requiere root: sudo -n respondió "),
    (" and as this account ", " y con esta cuenta "),
    (" needs root", " requiere root"),
    ("; fix: ", "; corrección: "),
    ("no lifecycle entry for model", "sin entrada de ciclo de vida para el modelo"),
    ("no lifecycle entry for", "sin entrada de ciclo de vida para"),
    ("no end of support announced", "sin fin de soporte anunciado"),
    ("end of support", "fin de soporte"),
    ("supported until", "soportado hasta"),
    ("licence entitlement expired on", "licencia vencida el"),
    ("no licence entitlement", "sin licencia registrada"),
    ("no licensable product installed", "ningún producto licenciable instalado"),
    ("(over the entitlement)", "(por encima de lo licenciado)"),
    ("seat(s)", "puesto(s)"),
    ("no purchase date in the inventory", "sin fecha de compra en el inventario"),
    ("not an approved product", "producto no aprobado"),
    ("below the standard's minimum", "por debajo del mínimo del estándar"),
    ("never seen by a collector", "nunca visto por un recolector"),
    ("need at least", "se necesitan al menos"),
    ("line(s)", "línea(s)"),
    ("missing: ", "falta: "),
    ("absent: ", "ausente: "),
    ("waived until", "exceptuado hasta"),
    ("rule applies to", "la regla se aplica a"),
    ("useful life", "vida útil"),
    ("days before", "días antes de"),
)


def evidence_text(evidence: str, language: str = "es") -> str:
    """`evidence` in `language` ("es" or "en"); quoted lines and values stay as they are."""
    if not language.lower().startswith("es"):
        return evidence
    for english, spanish in PHRASES_ES:
        evidence = evidence.replace(english, spanish)
    return evidence
