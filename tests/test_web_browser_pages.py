"""The Inbox, Review, Screen, Search and Influence pages in real Chromium: accept a suggestion
beside its mail, pick another period for the review, paste a prospect's mail into Screen, search
from the box in the navigation, take the power the mail proposes for an engagement's
stakeholders. Screenshots land in tests/artefacts/ (not kept in git)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser_helpers import ARTEFACTS, Watch, browser, chromium, serving
from tests.web_helpers import build_demo, opened

PITCH = ("Thanks for the call. You'll be working for me on this, so I expect a discount "
         "and a few extra reports at no cost.")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    """The demo portfolio served by uvicorn in a thread on a free loopback port."""
    store = opened(build_demo(tmp_path))
    with serving(store) as url:
        yield url
    store.close()


def test_inbox_review_and_screen_in_chromium(served: str) -> None:
    executable = chromium()
    sync_api = pytest.importorskip("playwright.sync_api")
    ARTEFACTS.mkdir(exist_ok=True)
    errors: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))

            page.goto(served + "/inbox")
            assert page.title() == "Inbox · Patron"
            waiting = page.locator("article.suggestion").count()
            assert waiting > 0
            page.screenshot(path=str(ARTEFACTS / "inbox.png"), full_page=True)
            card = page.locator("article.suggestion", has_text="add the waste figures")
            assert card.locator("mark").inner_text() == "add the waste figures to the weekly pack"
            card.get_by_label("Title").fill("Add the waste figures to the KPI pack")
            card.get_by_role("button", name="Accept").click()
            page.wait_for_url("**/inbox?note=*")
            flash = page.locator("p.flash").inner_text()
            assert flash.startswith("Accepted #6 as ask #") and "KPI pack" in flash
            assert page.locator("article.suggestion").count() == waiting - 1
            page.screenshot(path=str(ARTEFACTS / "inbox-accepted.png"), full_page=True)

            page.get_by_role("navigation", name="Main").get_by_role("link", name="Review").click()
            page.wait_for_url("**/review")
            page.get_by_role("link", name="Last quarter").click()
            page.wait_for_url("**/review?period=last-quarter")
            assert page.locator("h1").inner_text().startswith("Review of Q3 2026")
            assert page.locator("svg.bars").count() >= 1
            page.screenshot(path=str(ARTEFACTS / "review.png"), full_page=True)
            page.emulate_media(media="print")
            assert not page.locator("header").is_visible()
            assert not page.locator("form").first.is_visible()
            page.screenshot(path=str(ARTEFACTS / "review-print.png"), full_page=True)
            page.emulate_media(media="screen")
            page.get_by_label("From").fill("2026-11-01")
            page.get_by_label("To").fill("2026-11-15")
            page.get_by_role("button", name="Show these days").click()
            page.wait_for_url("**/review?from=2026-11-01&to=2026-11-15")
            assert page.locator("h1").inner_text() == "Review of 2026-11-01 to 2026-11-15"

            page.get_by_role("link", name="Screen").click()
            page.wait_for_url("**/screen")
            page.get_by_label("Their mail or your notes").fill(PITCH)
            page.get_by_role("button", name="Screen it").click()
            page.wait_for_load_state()
            marks = page.locator("ul.flags mark").all_inner_texts()
            assert "working for me" in marks and "discount" in marks
            assert page.locator("#result-h").inner_text().startswith("Fit ")
            page.screenshot(path=str(ARTEFACTS / "screen.png"), full_page=True)

            box = page.get_by_role("searchbox", name="Search people, engagements, asks and mail")
            box.fill("helen")
            box.press("Enter")
            page.wait_for_url("**/search?q=helen")
            page.locator("ul.hits a", has_text="Helen Brandt").first.click()
            page.wait_for_url("**/people/*")
            assert page.locator("h1").inner_text().startswith("Helen Brandt")
            page.go_back()
            page.screenshot(path=str(ARTEFACTS / "search.png"), full_page=True)
        finally:
            browser.close()
    assert errors == []  # no script error, no CSP violation


def test_taking_the_proposed_power_from_an_engagements_influence_in_chromium(served: str) -> None:
    watch = Watch(served)
    with browser() as chromium:
        page = watch.attach(chromium.new_page(viewport={"width": 1280, "height": 900}))
        page.goto(served + "/engagements/1")
        page.get_by_role("link", name="Influence read from the mail").click()
        page.wait_for_url("**/engagements/1/influence")
        assert page.title() == "Influence in Ledger migration · Patron"
        rows = page.locator("table.influence > tbody > tr")
        assert rows.count() > 0
        cells = [[c.strip() for c in row.locator("td").all_inner_texts()] for row in rows.all()]
        names = [row[0] for row in cells]
        to_change = sum(1 for _, _, proposed, now, _ in cells if now.isdigit() and now != proposed)
        assert to_change > 0
        page.screenshot(path=str(ARTEFACTS / "influence-engagement.png"), full_page=True)
        page.set_viewport_size({"width": 390, "height": 844})  # a phone: nothing runs off the side
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert page.locator("table.influence td[data-label=score]").first.is_visible()
        page.screenshot(path=str(ARTEFACTS / "influence-engagement-phone.png"), full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})

        page.get_by_role("button", name="Take the proposed power for the stakeholders").click()
        page.wait_for_url("**/engagements/1/influence?note=*")
        assert page.locator("p.flash").inner_text() == (
            f"Set the power of {to_change} stakeholder roles of Ledger migration to the "
            "proposed values.")
        after = [[c.strip() for c in row.locator("td").all_inner_texts()] for row in rows.all()]
        assert [row[0] for row in after] == names
        assert all(now == proposed for _, _, proposed, now, _ in after if now.isdigit())
        page.screenshot(path=str(ARTEFACTS / "influence-accepted.png"), full_page=True)
    assert watch.clean(), watch
