"""Control titles in Debian's headless Chromium: Spanish by default, English once the user
switches language (the app under waitress on a loopback port, as `atalaya serve` runs it)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from waitress.server import create_server

from compliance.policy import load_policies
from tests.web.conftest import PASSWORD, REPO

pytestmark = [pytest.mark.browser, pytest.mark.slow]
POLICIES = load_policies(REPO / "policies")


@pytest.fixture
def base_url_served(fresh_app: Flask) -> Iterator[str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    server = create_server(fresh_app, host="127.0.0.1", port=port, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.close()
        thread.join(timeout=5)


def test_control_titles_are_spanish_by_default_and_english_after_switching(
    base_url_served: str, page: Page
) -> None:
    base = base_url_served
    page.goto(f"{base}/login")
    page.fill("input[name=username]", "security_officer")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{base}/")

    control = POLICIES.controls_2013["A.12.4.4"]
    successor = POLICIES.controls_2022["8.17"]
    page.goto(f"{base}/soa")
    row = page.locator("#soa-2013-A\\.12\\.4\\.4 td.control-title")
    expect(row).to_have_text(control.title_es)
    expect(page.locator("#soa-2022-8\\.17 td.control-title")).to_have_text(successor.title_es)
    expect(page.locator("html")).to_have_attribute("lang", "es")

    page.click("#lang-switch")
    expect(page).to_have_url(f"{base}/soa")
    expect(row).to_have_text(control.title)
    expect(page.locator("#soa-2022-8\\.17 td.control-title")).to_have_text(successor.title)

    page.goto(f"{base}/controls/A.12.4.4")
    expect(page.locator("#control-title")).to_have_text(control.title)
    page.click("#lang-switch")  # and back to Spanish
    expect(page.locator("#control-title")).to_have_text(control.title_es)

    # rule titles follow the same language (rules.toml's title_es / title_en)
    rule = POLICIES.rule("NET-NTP-01")
    assert rule.title_es and rule.title_es != rule.title  # title is the English one
    control_id = rule.controls_2013[0]
    page.goto(f"{base}/controls/{control_id}")
    rules = page.locator("ul li", has_text="NET-NTP-01")
    expect(rules).to_contain_text(rule.title_es)
    page.click("#lang-switch")
    expect(rules).to_contain_text(rule.title)
