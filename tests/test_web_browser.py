"""The main flow in real Chromium: open Today, follow an ask to its engagement, follow a
grid point to a person. Screenshots land in tests/artefacts/ (not kept in git)."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from patron.settings import defaults
from tests.conftest import NOW
from tests.web_helpers import build_demo, opened

ARTEFACTS = Path(__file__).parent / "artefacts"


def _chromium() -> str:
    found = shutil.which("chromium")
    if not found:
        if os.environ.get("CI"):
            pytest.fail("CI is set but there is no chromium to drive")
        pytest.skip("no chromium on this machine")
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    """The demo portfolio served by uvicorn in a thread on a free loopback port."""
    import uvicorn

    from patron.web.app import create_app

    store = opened(build_demo(tmp_path))
    port = _free_port()
    app = create_app(store, defaults(), lambda: NOW, port=port)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    store.close()


def test_today_to_an_engagement_to_a_person_in_chromium(served: str) -> None:
    executable = _chromium()
    sync_api = pytest.importorskip("playwright.sync_api")
    ARTEFACTS.mkdir(exist_ok=True)
    errors: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(served + "/")
            assert page.title() == "Today · Patron"
            page.screenshot(path=str(ARTEFACTS / "today.png"), full_page=True)

            first = page.locator("table.asks > tbody > tr").first
            first.locator("summary").click()  # the score's terms, one click away
            assert first.locator("table.terms").is_visible()
            engagement = first.locator("a[href^='/engagements/']").first
            name = engagement.inner_text()
            engagement.click()
            page.wait_for_url("**/engagements/*")
            assert page.locator("h1").inner_text().startswith(name)
            page.screenshot(path=str(ARTEFACTS / "engagement.png"), full_page=True)

            point = page.locator("svg.grid a").first
            person = point.locator("text").text_content() or ""
            point.click()
            page.wait_for_url("**/people/*")
            assert page.locator("h1").inner_text().startswith(person)
            page.screenshot(path=str(ARTEFACTS / "person.png"), full_page=True)
        finally:
            browser.close()
    assert errors == []  # no script error, no CSP violation
