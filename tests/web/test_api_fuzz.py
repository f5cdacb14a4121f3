"""Done-when of issue 17: schemathesis, a well-kept OpenAPI fuzzer, against the served API, with
a bearer token from `atalaya user token` and with no credentials at all. Every check on: no 5xx,
no request that violates the description accepted, every status code and response shape as
documented, the security schemes honoured. Bounded (examples per operation, a deadline) so a
run stays under a minute; a failure prints schemathesis's own report with the curl to replay."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from waitress.server import create_server

from tests.conftest import REPO
from tests.postgres import free_port
from web.openapi import document

pytestmark = [pytest.mark.slow]
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
EXAMPLES = "15"  # per operation and phase: ~600 requests over the 11 operations, < 60 s


@pytest.fixture
def served(fresh_app: Flask) -> Iterator[str]:
    port = free_port()
    server = create_server(fresh_app, host="127.0.0.1", port=port, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.close()
    thread.join(timeout=5)


def _token(app: Flask, username: str) -> str:
    settings = app.extensions["atalaya_settings"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATALAYA_")}
    env.update(ATALAYA_DATA_DIR=str(settings.data_dir),
               ATALAYA_DATABASE_URL=settings.database_url, PYTHONPATH=str(REPO))  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "atalaya", "user", "token", username],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def _fuzz(url: str, tmp_path: Path, token: str = "") -> subprocess.CompletedProcess[str]:
    schema = tmp_path / "openapi.json"
    schema.write_text(json.dumps(document()))
    # The token given per scheme (not as a bare -H header) lets the auth checks drop it when
    # they try a request without it; read from the environment, so it is not in a file.
    config = '[auth.openapi.bearer]\nbearer = "${ATALAYA_FUZZ_TOKEN}"\n' if token else ""
    (tmp_path / "schemathesis.toml").write_text(config)
    command = [
        str(SCHEMATHESIS), "run", str(schema), "--url", f"{url}/api/v1",
        "--checks", "all", "--max-examples", EXAMPLES, "--seed", "17",
        "--generation-deterministic", "--request-timeout", "10", "--no-color",
        "--suppress-health-check", "all",
    ]  # fmt: skip
    env = {**os.environ, "HOME": str(tmp_path), "ATALAYA_FUZZ_TOKEN": token}
    return subprocess.run(command, capture_output=True, text=True, timeout=120, env=env,
                          check=False, cwd=tmp_path)  # fmt: skip


def test_the_api_holds_under_fuzzing_with_a_bearer_token(
    fresh_app: Flask, served: str, tmp_path: Path
) -> None:
    token = _token(fresh_app, "admin")
    run = _fuzz(served, tmp_path, token)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    # the token reached the API: operations were answered 200, not only 401
    assert "401" not in run.stdout.split("SUMMARY")[-1], run.stdout[-3000:]


def test_the_api_holds_under_fuzzing_without_credentials(served: str, tmp_path: Path) -> None:
    run = _fuzz(served, tmp_path)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]


def test_the_description_declares_both_security_schemes() -> None:
    described = document()
    assert set(described["components"]["securitySchemes"]) == {"session", "bearer"}
    assert described["security"] == [{"session": []}, {"bearer": []}]


@pytest.mark.parametrize(
    ("url", "status", "parameter"),
    [
        ("/api/v1/devices/99999999999999999999999", 404, None),
        ("/api/v1/devices?page=99999999999999999999999", 400, "page"),
        ("/api/v1/devices?per_page=-720", 400, "per_page"),
        ("/api/v1/changes?since=yesterday", 400, "since"),
        ("/api/v1/lifecycle?years=21", 400, "years"),
    ],
)
def test_the_cases_found_by_fuzzing_are_refused_with_the_parameter_named(
    clients: dict[str, FlaskClient], url: str, status: int, parameter: str | None
) -> None:
    response = clients["viewer"].get(url)
    assert response.status_code == status
    if parameter:
        assert response.get_json()["parameter"] == parameter
        assert "expected" in response.get_json()


@pytest.mark.parametrize(
    "url",
    ["/devices/99999999999999999999999", "/devices?page=99999999999999999999999",
     "/devices?per_page=-720", "/changes?since=ayer", "/lifecycle?years=99",
     "/devices/1/configs?a=99999999999999999999999&b=1"],
)  # fmt: skip
def test_pages_refuse_the_same_parameters_without_a_server_error(
    clients: dict[str, FlaskClient], url: str
) -> None:
    response = clients["admin"].get(url)
    assert response.status_code in (400, 404), response.status_code


def test_a_blank_filter_on_a_page_means_no_filter(clients: dict[str, FlaskClient]) -> None:
    assert clients["viewer"].get("/changes?since=&until=&page=").status_code == 200
