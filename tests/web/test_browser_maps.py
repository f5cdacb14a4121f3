"""The map, the national view, a site's topology and the Discovered page in Debian's headless
Chromium, against the lab polled by the real loops; and axe-core's WCAG 2.1 AA rules on every page.

axe-core (tests/web/vendor/axe-core, from `npm pack axe-core`) is injected with Playwright's
``bypass_csp`` context: the app's Content-Security-Policy rightly refuses any script it did not
serve. LAB-NOTES.md says the same.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session
from waitress.server import create_server

from atalaya.jobs.evaluation import run_evaluation
from atalaya.settings import load_settings
from cmdb import db
from cmdb.inventory import apply_inventory, read_toml
from cmdb.models import Device, NeighbourLink, Site, utcnow
from cmdb.users import create_user
from tests.web.conftest import PASSWORD
from tests.web.test_browser import _free_port, collect

pytestmark = [pytest.mark.browser, pytest.mark.lab, pytest.mark.slow]
AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
FAILED = "CEN-EP-02"  # failed in the lab before the reachability poll
TOPOLOGY_SITE = "LIM-OR"  # a regional office: several cabled devices, one hidden


@pytest.fixture(scope="module")
def served(lab_network: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    folder = tmp_path_factory.mktemp("maps")
    settings = load_settings(
        environ={
            "ATALAYA_DATA_DIR": str(folder / "var"),
            "ATALAYA_SECRETS_DIR": str(lab_network.secrets_dir),
            "ATALAYA_DATABASE_URL": f"sqlite:///{folder / 'atalaya.db'}",
        }
    )
    engine = db.make_engine(settings.database_url)
    db.upgrade(engine)
    with Session(engine) as s, s.begin():
        apply_inventory(s, read_toml(lab_network.inventory_path), at=utcnow())
        create_user(s, "redes", PASSWORD, "network_admin")
    lab_network.fail(FAILED)
    try:
        collect(engine, settings, only="reachability")
    finally:
        lab_network.restore(FAILED)
    collect(engine, settings, only="discovery", sites=[TOPOLOGY_SITE, "NOR-EP-01"])
    collect(engine, settings, only="snmp", sites=[TOPOLOGY_SITE])  # a device page with ports
    with Session(engine) as s, s.begin():
        run_evaluation(settings, s)
    port = _free_port()
    server = create_server(create_app_on(settings, engine), host="127.0.0.1", port=port)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield {"url": f"http://127.0.0.1:{port}", "engine": engine}
    finally:
        server.close()
        thread.join(timeout=5)
        engine.dispose()


def create_app_on(settings: Any, engine: Any) -> Any:
    from web.app import create_app

    return create_app(settings, engine)


@pytest.fixture
def page_without_csp(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(bypass_csp=True, viewport={"width": 1366, "height": 900})
    yield context.new_page()
    context.close()


def _login(page: Page, base: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", "redes")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{base}/")


def test_the_map_shows_the_failed_site_in_red(served: dict[str, Any], page: Page) -> None:
    base = served["url"]
    _login(page, base)
    page.goto(f"{base}/map")
    expect(page.locator("#peru-map")).to_have_attribute("data-ready", "true")
    dot = page.locator(f"#dot-{FAILED}")
    expect(dot).to_have_attribute("data-state", "down")
    assert dot.evaluate("el => getComputedStyle(el).fill") == "rgb(220, 38, 38)"
    assert page.locator("#peru-map path.country").count() == 1
    assert page.locator("#peru-map circle.site").count() == 79  # every site has coordinates
    expect(page.locator(f"#row-{FAILED}")).to_have_attribute("data-state", "down")
    page.click("#colour-score")
    expect(page.locator("#colour-score")).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("window.nationalGraph.nodes().length") == 79
    assert page.evaluate("window.nationalGraph.edges().length") == 78  # every site but HQ


def test_the_topology_of_a_site_renders(served: dict[str, Any], page: Page) -> None:
    base, engine = served["url"], served["engine"]
    with Session(engine) as s:
        site_id = s.scalar(select(Site.id).where(Site.code == TOPOLOGY_SITE))
        ids = set(s.scalars(select(Device.id).where(Device.site_id == site_id)))
        links = [
            link
            for link in s.scalars(select(NeighbourLink))
            if link.device_id in ids or link.peer_device_id in ids
        ]
    assert links
    _login(page, base)
    page.goto(f"{base}/sites/{TOPOLOGY_SITE}/topology")
    page.wait_for_function("window.siteGraph !== undefined")
    assert page.evaluate("window.siteGraph.edges().length") == len(links)
    assert page.evaluate("window.siteGraph.nodes().length") == len(ids)
    assert page.locator("#site-graph canvas").count() >= 1
    assert page.locator("#cables-table tbody tr").count() == len(links)


def _pages(engine: Any) -> list[str]:
    with Session(engine) as s:
        device_id = s.scalar(select(Device.id).where(Device.hostname == "lim-or-cs01"))
    return [
        "/", "/sites", f"/sites/{TOPOLOGY_SITE}", "/devices", f"/devices/{device_id}",
        "/controls", "/controls/A.9.4.2", "/findings", "/lifecycle", "/plan", "/changes",
        "/waivers", "/map", f"/sites/{TOPOLOGY_SITE}/topology", "/discovered",
    ]  # fmt: skip


def test_axe_finds_no_wcag_21_aa_violation_on_any_page(
    served: dict[str, Any], page_without_csp: Page
) -> None:
    base, page = served["url"], page_without_csp
    found: dict[str, list[str]] = {}
    page.goto(f"{base}/login")
    found["/login"] = _axe(page)
    _login(page, base)
    for path in _pages(served["engine"]):
        page.goto(f"{base}{path}")
        page.wait_for_load_state("networkidle")
        found[path] = _axe(page)
    bad = {path: v for path, v in found.items() if v}
    assert bad == {}, "\n".join(f"{path}: {v}" for path, v in bad.items())


def _axe(page: Page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => (await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', "
        "'wcag21aa']})).violations.map(v => v.id + ' (' + v.impact + '): ' + "
        "v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))"
    )
    return list(result)
