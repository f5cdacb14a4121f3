"""Liveness for load balancers and service managers: no login, no data."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

bp = Blueprint("core", __name__)


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    try:
        with current_app.extensions["atalaya_engine"].connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return jsonify({"status": "database unavailable"}), 503
    return jsonify({"status": "ok"}), 200
