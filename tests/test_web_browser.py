"""The main flows in real Chromium, as a person would use them: open Today, follow an ask to
its engagement and a grid point to a person, log a touchpoint on their page, mark an ask
done, and answer a feedback link as the client would (a fresh browser, none of the owner's
cookies). Screenshots land in tests/artefacts/ (not kept in git)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.browser_helpers import ARTEFACTS, Watch, browser, serving
from tests.conftest import Patron
from tests.web_helpers import build_demo, opened


@dataclass
class Served:
    base: str
    patron: Patron  # the CLI on the served register


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    """The demo portfolio served by uvicorn in a thread on a free loopback port."""
    demo = build_demo(tmp_path)
    store = opened(demo)
    with serving(store) as base:
        yield Served(base, Patron(str(demo), CliRunner()))
    store.close()


COMMENT = "Clear, on time, honest about the risks <script>window.__pwned=1</script>"


def shot(page: object, name: str) -> None:
    page.screenshot(path=str(ARTEFACTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


def test_today_to_an_engagement_to_a_person_then_log_a_touchpoint(served: Served) -> None:
    watch = Watch(served.base)
    with browser() as chromium:
        page = watch.attach(chromium.new_page(viewport={"width": 1280, "height": 900}))
        page.goto(served.base + "/")
        assert page.title() == "Today · Patron"
        shot(page, "flow-1-today")

        first = page.locator("table.asks > tbody > tr").first
        first.locator("summary").click()  # the score's terms, one click away
        assert first.locator("table.terms").is_visible()
        engagement = first.locator("a[href^='/engagements/']").first
        name = engagement.inner_text()
        engagement.click()
        page.wait_for_url("**/engagements/*")
        assert page.locator("h1").inner_text().startswith(name)
        shot(page, "flow-2-engagement")

        point = page.locator("svg.grid a").first
        person = point.locator("text").text_content() or ""
        point.click()
        page.wait_for_url("**/people/*")
        assert page.locator("h1").inner_text().startswith(person)
        before = page.locator("ol.timeline > li").count()

        page.select_option("#kind", "call")
        page.fill("#at", "today 9:30")
        page.select_option("#sentiment", "1")
        page.fill("#notes", "Walked through the <b>roadmap</b> & the budget")
        page.get_by_role("button", name="Log it").click()
        page.wait_for_load_state()
        assert page.locator("h1").inner_text().startswith(person)  # back on their page
        newest = page.locator("ol.timeline > li").first
        assert "2026-11-20 09:30" in newest.inner_text()
        assert "Walked through the <b>roadmap</b> & the budget" in newest.inner_text()
        assert "call" in newest.inner_text()
        assert page.locator("ol.timeline > li").count() == min(before + 1, 50)
        shot(page, "flow-3-touchpoint-logged")
    assert watch.clean(), watch  # no dialog, no script error, no CSP violation


def test_mark_an_ask_done_from_today(served: Served) -> None:
    watch = Watch(served.base)
    with browser() as chromium:
        page = watch.attach(chromium.new_page(viewport={"width": 1280, "height": 900}))
        page.goto(served.base + "/")
        first = page.locator("table.asks > tbody > tr").first
        button = first.get_by_role("button", name="Done")
        label = button.get_attribute("aria-label") or ""
        title = label.removeprefix("Mark “").removesuffix("” done")
        assert title and title in first.inner_text()
        button.click()
        page.wait_for_url(served.base + "/")
        assert page.title() == "Today · Patron"
        assert title not in page.locator("table.asks").inner_text()
        shot(page, "flow-4-ask-done")
    assert watch.clean(), watch
    done = json.loads(served.patron.ok("ask list --status done --json"))
    assert title in [ask["title"] for ask in done]


def test_a_client_answers_a_feedback_link_in_a_fresh_browser(served: Served) -> None:
    served.patron.ok(f"config set web.public_url {served.base}")
    url = served.patron.ok("feedback link 1 -e 1").strip()
    engagement = served.patron.ok("engagement show 1 --json")
    watch = Watch(served.base)
    with browser() as chromium:
        client = chromium.new_context(viewport={"width": 800, "height": 900})  # no cookies
        page = watch.attach(client.new_page())
        page.goto(url)
        heading = page.locator("h1").inner_text()
        assert heading and heading in engagement
        assert page.locator("nav").count() == 0 and page.locator("a").count() == 0
        page.get_by_label("9", exact=True).check()
        page.fill("#comment", COMMENT)
        shot(page, "flow-5-feedback-link")
        page.get_by_role("button", name="Send my answer").click()
        page.wait_for_load_state()
        assert page.locator("h1").inner_text() == "Thank you"
        shot(page, "flow-6-feedback-thanks")

        again = page.goto(url)
        assert again is not None and again.status == 410
        assert "This link has been used" in page.locator("h1").inner_text()
        client.close()

        owner = watch.attach(chromium.new_page())  # the owner reads it: as text, inert
        owner.goto(served.base + "/people/1")
        assert COMMENT in owner.inner_text("body")
        assert owner.evaluate("window.__pwned") is None
    # the browser logs the 410 it was meant to get; nothing else may fail
    watch.errors = [e for e in watch.errors if "status of 410 (Gone)" not in e]
    assert watch.clean(), watch
    feedback = json.loads(served.patron.ok("feedback list --json"))
    assert [f["rating"] for f in feedback if f["text"] == COMMENT] == [9]
