"""The daily writes from the pages: add an ask (Today, an engagement), keep or break a promise
(Today, a person), record feedback (a person), log time (an engagement). Each is the command's
use case in one transaction: bad input is a 400 with the command's line and nothing written;
a write sends the browser back to its page with a short confirmation."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote_plus

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from patron.store.database import open_store
from tests.conftest import Patron
from tests.web_helpers import JSON, client, csrf, opened


@pytest.fixture
def register(patron: Patron) -> Iterator[TestClient]:
    patron.ok("engagement add Ledger --kind client")
    patron.ok("person add 'Helen Brandt'")
    patron.ok("stakeholder add Helen Ledger --role sponsor")
    patron.ok("ask add 'Board preview' --from Helen --engagement Ledger")
    patron.ok("promise 'Send the board preview' --ask 1 --due 2026-11-24")
    patron.ok("promise 'Call the auditors' --to Helen --due 2026-11-23")
    store = opened(Path(patron.db))
    yield client(store)
    store.close()


def _note(answer: object) -> str:
    location = answer.headers["location"]  # type: ignore[attr-defined]
    return unquote_plus(location.partition("note=")[2])


def _asks(patron: Patron) -> list[dict[str, object]]:
    return json.loads(patron.ok("ask list --json"))


def test_adding_an_ask_from_today(register: TestClient, patron: Patron) -> None:
    page = register.get("/").text
    for field in ("ask-title", "ask-person", "ask-engagement", "ask-due"):
        assert f'<label for="{field}">' in page
    answer = register.post("/asks", data={"csrf_token": csrf(page), "title": "Q3 figures",
                                          "person": "Helen", "engagement": "Ledger",
                                          "due": "friday", "back": "/"})
    assert answer.status_code == 303 and answer.headers["location"].startswith("/?note=")
    assert _note(answer) == "Added ask #2: Q3 figures"
    shown = register.get(answer.headers["location"]).text
    assert '<p class="flash" role="status">Added ask #2: Q3 figures</p>' in shown
    ask = next(a for a in _asks(patron) if a["id"] == 2)
    assert (ask["title"], ask["requester"], ask["engagement"], ask["due_at"]) == (
        "Q3 figures", "Helen Brandt", "Ledger", "2026-11-27T00:00:00")


def test_adding_an_ask_from_an_engagement_files_it_there(register: TestClient, patron: Patron) -> None:
    page = register.get("/engagements/1").text
    assert '<input type="hidden" name="engagement" value="1">' in page
    answer = register.post("/asks", headers={**JSON, "x-csrf-token": csrf(page)},
                           data={"title": "Audit plan", "engagement": "1", "back": "/engagements/1"})
    assert answer.status_code == 201
    assert (answer.json()["title"], answer.json()["engagement"]) == ("Audit plan", "Ledger")


@pytest.mark.parametrize(("form", "command"), [
    ({"title": "X", "due": "the 45th"}, "ask add X --due 'the 45th'"),
    ({"title": "X", "person": "Nobody"}, "ask add X --from Nobody"),
    ({"title": "  "}, "ask add ''"),
])
def test_a_bad_ask_is_a_400_with_the_clis_line_and_nothing_written(
        register: TestClient, patron: Patron, form: dict[str, str], command: str) -> None:
    token = csrf(register.get("/").text)
    answer = register.post("/asks", data={"csrf_token": token, **form}, headers=JSON)
    assert answer.status_code in (400, 404)
    cli = patron.fails(command, code=None)
    assert answer.json()["error"] == cli.removeprefix("patron: ").strip()
    assert [a["title"] for a in _asks(patron)] == ["Board preview"]


def test_keeping_a_promise_from_today_also_closes_its_ask(register: TestClient, patron: Patron) -> None:
    page = register.get("/").text
    assert '<label class="check" for="close-1">also mark the ask done</label>' in page
    answer = register.post("/promises/1/kept", data={"csrf_token": csrf(page), "close_ask": "1",
                                                     "back": "/"})
    assert answer.status_code == 303 and _note(answer) == "Promise #1 kept; ask #1 done too"
    assert "kept" in patron.ok("commitment show 1")
    assert next(a for a in _asks(patron) if a["id"] == 1)["status"] == "done"


def test_keeping_without_closing_leaves_the_ask_open_and_breaking_from_the_person_page(
        register: TestClient, patron: Patron) -> None:
    page = register.get("/people/1").text
    token = csrf(page)
    kept = register.post("/promises/1/kept", data={"csrf_token": token, "back": "/people/1"})
    assert kept.headers["location"].startswith("/people/1?note=")
    assert _note(kept) == "Promise #1 kept; ask #1 stays open"
    assert next(a for a in _asks(patron) if a["id"] == 1)["status"] == "open"
    broken = register.post("/promises/2/broken", data={"csrf_token": token, "back": "/people/1"},
                           headers=JSON)
    assert broken.status_code == 200 and broken.json()["status"] == "broken"


def test_a_promise_kept_already_is_a_400_with_the_clis_line(register: TestClient,
                                                            patron: Patron) -> None:
    token = csrf(register.get("/").text)
    register.post("/promises/2/kept", data={"csrf_token": token})
    again = register.post("/promises/2/broken", data={"csrf_token": token}, headers=JSON)
    assert again.status_code == 400
    assert again.json()["error"] == patron.fails("broke 2", code=2).removeprefix("patron: ").strip()
    assert "kept" in patron.ok("commitment show 2")
    assert register.post("/promises/99/kept", data={"csrf_token": token}).status_code == 404


def test_recording_feedback_from_the_person_page(register: TestClient, patron: Patron) -> None:
    page = register.get("/people/1").text
    for field in ("fb-rating", "fb-engagement", "fb-on", "fb-text"):
        assert f'<label for="{field}">' in page
    answer = register.post("/people/1/feedback", data={"csrf_token": csrf(page), "rating": "9",
                                                       "text": "The board loved it"})
    assert answer.status_code == 303 and _note(answer) == "Recorded feedback #1"
    said = json.loads(patron.ok("feedback list --json"))
    assert [(f["rating"], f["text"], f["engagement"], f["received_on"]) for f in said] == [
        (9, "The board loved it", "Ledger", "2026-11-20")]
    unrated = register.post("/people/1/feedback", data={"csrf_token": csrf(page), "rating": "",
                                                        "text": "Fine"}, headers=JSON)
    assert unrated.status_code == 201 and unrated.json()["rating"] is None


def test_a_bad_rating_is_a_400_and_nothing_written(register: TestClient, patron: Patron) -> None:
    token = csrf(register.get("/people/1").text)
    answer = register.post("/people/1/feedback", data={"csrf_token": token, "rating": "11"},
                           headers=JSON)
    assert answer.status_code == 400
    cli = patron.fails("feedback add 1 --rating 11", code=2).removeprefix("patron: ").strip()
    assert answer.json()["error"] == cli
    assert json.loads(patron.ok("feedback list --json")) == []


@pytest.mark.parametrize(("duration", "at", "minutes", "started"), [
    ("1h30", "", 90, "2026-11-20T08:30:00"), ("45", "yesterday 14:00", 45, "2026-11-19T14:00:00")])
def test_logging_time_on_an_engagement(register: TestClient, patron: Patron, duration: str, at: str,
                                       minutes: int, started: str) -> None:
    page = register.get("/engagements/1").text
    for field in ("time-duration", "time-at", "time-note"):
        assert f'<label for="{field}">' in page
    answer = register.post("/engagements/1/time", data={"csrf_token": csrf(page), "duration": duration,
                                                        "at": at, "note": "reconciliation"})
    assert answer.status_code == 303 and answer.headers["location"].startswith("/engagements/1?note=")
    entries = json.loads(patron.ok("time-entry list --json"))
    assert [(e["minutes"], e["started_at"], e["note"], e["boss_kind"]) for e in entries] == [
        (minutes, started, "reconciliation", "customer")]


def test_a_bad_duration_is_a_400_with_the_clis_line(register: TestClient, patron: Patron) -> None:
    token = csrf(register.get("/engagements/1").text)
    answer = register.post("/engagements/1/time", data={"csrf_token": token, "duration": "abc"},
                           headers=JSON)
    assert answer.status_code == 400
    cli = patron.fails("time abc Ledger", code=2).removeprefix("patron: ").strip()
    assert answer.json()["error"] == cli
    assert json.loads(patron.ok("time-entry list --json")) == []
    assert register.post("/engagements/9/time", data={"csrf_token": token,
                                                      "duration": "1h"}).status_code == 404


@pytest.mark.parametrize(("path", "form"), [
    ("/asks", {"title": "X"}), ("/promises/1/kept", {}), ("/promises/1/broken", {}),
    ("/people/1/feedback", {"rating": "5"}), ("/engagements/1/time", {"duration": "1h"}),
    ("/engagements/1/influence/accept", {})])
def test_every_write_without_the_csrf_token_is_refused_and_changes_nothing(
        register: TestClient, patron: Patron, path: str, form: dict[str, str]) -> None:
    kinds = ("ask", "commitment", "feedback", "time-entry", "stakeholder")
    before = [patron.ok(f"{kind} list --json") for kind in kinds]
    assert register.post(path, data=form).status_code == 403
    assert register.post(path, data={**form, "csrf_token": "0" * 64}).status_code == 403
    assert [patron.ok(f"{kind} list --json") for kind in kinds] == before


def test_the_confirmation_is_text_and_the_way_back_stays_on_this_site(register: TestClient) -> None:
    shown = register.get("/?note=<script>alert(1)</script>").text
    assert "<script>alert" not in shown and "&lt;script&gt;alert(1)&lt;/script&gt;" in shown
    token = csrf(shown)
    for back in ("//evil.example/", "/\\evil.example/", "https://evil.example/", "/\t/evil.example"):
        answer = register.post("/asks", data={"csrf_token": token, "title": "X", "back": back})
        assert answer.headers["location"].startswith("/?note="), back


def test_the_writes_on_each_backend(db_url: str) -> None:
    patron = Patron(db_url, CliRunner())
    patron.ok("engagement add Ledger --kind client")
    patron.ok("person add 'Helen Brandt'")
    patron.ok("stakeholder add Helen Ledger --role sponsor")
    patron.ok("promise 'Send the mock-up' --to Helen --due 2026-11-24")
    store = open_store(db_url, create=False)
    try:
        web = client(store)
        token = csrf(web.get("/").text)
        headers = {**JSON, "x-csrf-token": token}
        assert web.post("/asks", headers=headers, data={"title": "Board preview", "person": "Helen",
                                                        "engagement": "Ledger"}).status_code == 201
        assert web.post("/promises/1/kept", headers=headers).json()["status"] == "kept"
        assert web.post("/people/1/feedback", headers=headers,
                        data={"rating": "8", "text": "Good start"}).status_code == 201
        assert web.post("/engagements/1/time", headers=headers,
                        data={"duration": "1h30"}).status_code == 201
        bad = web.post("/engagements/1/time", headers=headers, data={"duration": "abc"})
        assert bad.status_code == 400
        person = web.get("/people/1", headers=JSON).json()
        assert [a["title"] for a in person["asks"]] == ["Board preview"]
        assert person["promises"] == []
        assert [(f["rating"], f["text"]) for f in person["feedback"]] == [(8, "Good start")]
        review = web.get("/review", headers=JSON).json()
        assert review["time_minutes"]["customer"] == 90
        assert web.get("/inbox", headers=JSON).json()["suggestions"] == []
        found = web.get("/search?q=board+prev", headers=JSON).json()["hits"]
        assert [(h["kind"], h["title"]) for h in found] == [("ask", "Board preview")]
        screened = web.post("/screen", headers=headers, data={"text": "We want a discount."})
        assert screened.json()["screening"]["flags"][0]["phrase"] == "discount"
    finally:
        store.close()
