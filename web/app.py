"""The Flask application factory: settings and engine in, one blueprint per area registered."""

from __future__ import annotations

import datetime as dt
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, g, jsonify, render_template, request
from flask_babel import get_locale
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from werkzeug.routing import IntegerConverter, Map

from atalaya.settings import Settings
from cmdb import db
from cmdb.models import utcnow
from compliance import phrases, texts
from compliance.policy import load_policies
from web import directory, i18n, security
from web.api_params import INT64_MAX, ParamError
from web.format import register_filters
from web.metrics import register_metrics
from web.roles import PERMISSIONS

Clock = Callable[[], dt.datetime]


def secret_key(settings: Settings) -> str:
    """The session signing key: a named secret, or one generated once and kept (mode 0600)."""
    if settings.web.secret_key:
        return settings.secret(settings.web.secret_key)
    path = settings.data_path / "web-secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return Path(path).read_text(encoding="utf-8").strip()


def _engine(settings: Settings) -> Engine:
    engine = db.make_engine(
        settings.database_url,
        echo=settings.database.echo,
        busy_timeout_s=settings.database.busy_timeout_s,
    )
    if db.current_revision(engine) != db.head_revision():
        db.upgrade(engine)
    return engine


def create_app(
    settings: Settings, engine: Engine | None = None, clock: Clock | None = None
) -> Flask:
    """The web app on `engine` (default: the settings' database, migrated)."""
    directory.check(settings.auth)
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=secret_key(settings),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=bool(settings.web.tls_cert),
        SESSION_COOKIE_NAME="atalaya_session",
        PERMANENT_SESSION_LIFETIME=security.idle_timeout(settings),
        MAX_CONTENT_LENGTH=1024 * 1024,
    )
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions["atalaya_settings"] = settings
    app.extensions["atalaya_engine"] = engine if engine is not None else _engine(settings)
    # web.metrics reads these two
    app.config["ATALAYA_SETTINGS"] = settings
    app.config["ATALAYA_ENGINE"] = app.extensions["atalaya_engine"]
    app.extensions["atalaya_policies"] = load_policies(settings.policies_path)
    app.extensions["atalaya_clock"] = clock or utcnow
    i18n.compile_catalogues()
    i18n.init_babel(app)
    register_filters(app, settings.timezone)
    _register_request_hooks(app)
    _register_parameter_checks(app)
    _register_blueprints(app)
    return app


class Int64Converter(IntegerConverter):
    """`<int:…>` in every route: an id beyond 64 bits matches no route (a 404) instead of
    reaching the database, where SQLite raises OverflowError."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", INT64_MAX)
        super().__init__(url_map, *args, **kwargs)


def _register_parameter_checks(app: Flask) -> None:
    app.url_map.converters["int"] = Int64Converter

    @app.errorhandler(ParamError)
    def bad_parameter(exc: ParamError) -> Any:
        if request.path.startswith("/api/"):
            return jsonify(exc.as_json()), 400
        return render_template("error.html", message=str(exc)), 400


def _register_request_hooks(app: Flask) -> None:
    engine: Engine = app.extensions["atalaya_engine"]

    @app.before_request
    def open_session() -> Any:
        g.db = Session(engine)
        g.now = app.extensions["atalaya_clock"]()
        return security.authorize(app)

    @app.teardown_request
    def close_session(_exc: BaseException | None) -> None:
        session = g.pop("db", None)
        if session is not None:
            session.close()

    app.after_request(security.secure_headers)

    @app.context_processor
    def page_context() -> dict[str, Any]:
        user = g.get("user")

        def can(permission: str) -> bool:
            return user is not None and user.role in PERMISSIONS[permission]

        locale = str(get_locale() or i18n.DEFAULT_LOCALE)
        return {
            "csrf_token": security.csrf_token,
            "current_user": user,
            "locale": locale,
            "can": can,
            # policy texts (rule titles) in the user's language, where rules.toml has both
            "rule_title": lambda rule: texts.rule_title(rule, locale),
            # evidence phrasing and remediation likewise (stored in English, shown translated)
            "evidence_text": lambda evidence: phrases.evidence_text(evidence or "", locale),
            "remediation_text": lambda rule, stored: rule.text("remediation", locale)
            if rule is not None
            else stored,
        }


def _register_blueprints(app: Flask) -> None:
    from web import (
        api,
        audit,
        auth,
        changes,
        controls,
        core,
        devices,
        discovered,
        findings,
        inventory,
        lifecycle,
        overview,
        plan,
        sites,
        soa,
        topology,
        vulnerabilities,
    )

    for module in (core, auth, overview, sites, devices, controls, soa, findings, lifecycle):
        app.register_blueprint(module.bp)
    app.register_blueprint(changes.bp)
    app.register_blueprint(discovered.bp)
    app.register_blueprint(topology.bp)
    app.register_blueprint(plan.bp)
    app.register_blueprint(vulnerabilities.bp)
    app.register_blueprint(vulnerabilities.api_bp, url_prefix="/api/v1")
    app.register_blueprint(audit.bp)
    app.register_blueprint(inventory.bp)
    app.register_blueprint(api.bp, url_prefix="/api/v1")
    register_metrics(app)
