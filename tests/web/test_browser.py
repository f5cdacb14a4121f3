"""Real pages in Debian's headless Chromium against the simulated network.

The lab (`lab_network`) is polled by the collectors' `run_cycle`; the app runs under waitress on
a loopback port, the way `atalaya serve` runs it.
"""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session
from waitress.server import create_server

from atalaya.jobs.collection import run_cycle
from atalaya.jobs.evaluation import run_evaluation
from atalaya.settings import load_settings
from cmdb import db
from cmdb.inventory import apply_inventory, read_toml
from cmdb.models import Device, Site, utcnow
from cmdb.users import create_user
from tests.web.conftest import PASSWORD
from web.app import create_app

pytestmark = [pytest.mark.browser, pytest.mark.lab, pytest.mark.slow]
SITE = "NOR-EP-01"
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def served(lab_site_fault: Any, tmp_path: Path) -> Iterator[dict[str, Any]]:
    """A CMDB of the lab's inventory, polled once, evaluated, served on loopback."""
    lab = lab_site_fault
    settings = load_settings(
        environ={
            "ATALAYA_DATA_DIR": str(tmp_path / "var"),
            "ATALAYA_SECRETS_DIR": str(lab.secrets_dir),
            "ATALAYA_DATABASE_URL": f"sqlite:///{tmp_path / 'atalaya.db'}",
        }
    )
    engine = db.make_engine(settings.database_url)
    db.upgrade(engine)
    with Session(engine) as s, s.begin():
        apply_inventory(s, read_toml(lab.inventory_path), at=utcnow())
        create_user(s, "oficial", PASSWORD, "security_officer")
    collect(engine, settings, only="reachability")
    collect(engine, settings, only="ssh", sites=[SITE])
    with Session(engine) as s, s.begin():
        run_evaluation(settings, s)
    app = create_app(settings, engine)
    port = _free_port()
    server = create_server(app, host="127.0.0.1", port=port, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield {
            "url": f"http://127.0.0.1:{port}",
            "engine": engine,
            "settings": settings,
            "lab": lab,
        }
    finally:
        server.close()
        thread.join(timeout=5)
        engine.dispose()


def collect(*args: Any, **kwargs: Any) -> None:
    """run_cycle in its own thread: Playwright's sync API holds an event loop in this one."""
    errors: list[BaseException] = []

    def work() -> None:
        try:
            run_cycle(*args, **kwargs)
        except BaseException as exc:  # handed to the test thread below
            errors.append(exc)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


def _login(page: Page, base: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", "oficial")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{base}/")


def test_failed_site_turns_red_and_a_waiver_moves_the_score(
    served: dict[str, Any], page: Page
) -> None:
    base, engine, lab = served["url"], served["engine"], served["lab"]
    page.set_viewport_size({"width": 1366, "height": 768})
    _login(page, base)
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "overview.png"), full_page=False)

    page.goto(f"{base}/sites")
    tile = page.locator(f"#site-{SITE}")
    expect(tile).to_have_attribute("data-state", "up")
    lab.fail(SITE)
    collect(engine, served["settings"], only="reachability", sites=[SITE])
    page.reload()
    expect(tile).to_have_attribute("data-state", "down")
    red = tile.evaluate("el => getComputedStyle(el).backgroundColor")
    assert red == "rgb(254, 226, 226)"  # --down-bg
    page.screenshot(path=str(SCREENSHOTS / "sites.png"), full_page=False)

    with Session(engine) as s:
        device_id = s.scalar(
            select(Device.id)
            .join(Site)
            .where(Site.code == SITE, Device.platform == "cisco_ios")
            .order_by(Device.hostname)
        )
    page.goto(f"{base}/controls")
    before = [page.locator(f"#org-{k}").inner_text() for k in ("score", "fail", "waived")]
    page.goto(f"{base}/devices/{device_id}")
    failing = page.locator("tr.status-fail").first
    expect(failing).to_be_visible()
    assert failing.locator(".evidence").inner_text().strip()  # the evidence that decided it
    rule = (failing.get_attribute("id") or "").removeprefix("finding-")
    failing.locator("summary").click()
    failing.locator("input[name=reason]").fill("Reemplazo programado en el plan anual")
    failing.locator("input[name=approver]").fill("Jefe de TI")
    failing.locator("input[name=expires]").fill("2099-12-31")
    failing.locator("button", has_text="Crear excepción").click()
    expect(page.locator(f"#finding-{rule} .chip")).to_have_text("exceptuado")
    page.goto(f"{base}/controls")
    after = [page.locator(f"#org-{k}").inner_text() for k in ("score", "fail", "waived")]
    assert _number(after[0]) > _number(before[0]), (before, after)
    assert int(after[1]) == int(before[1]) - 1 and int(after[2]) == int(before[2]) + 1

    page.click("#lang-switch")
    expect(page.locator("h1")).to_have_text("Controls with automated evidence")
    expect(page.locator("html")).to_have_attribute("lang", "en")


def _number(text: str) -> float:
    match = re.search(r"[\d.,]+", text)
    assert match, text
    return float(match.group(0).replace(",", "."))
