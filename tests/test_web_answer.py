"""Feedback links: ``patron feedback link`` hands out a signed, expiring, single-use URL; the
page behind it shows the client only the question and the engagement's name, and stores
their answer as feedback from them, once. A used, expired or altered link stores nothing."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from patron.services import feedback_links
from patron.services.feedback_links import LinkUsed
from patron.settings import defaults, load
from patron.store.database import Store, open_store
from patron.web.app import create_app
from tests.conftest import NOW, Patron
from tests.web_helpers import BASE, JSON, client, csrf, opened

PUBLIC = "https://patron.example.org"


@pytest.fixture
def register(patron: Patron) -> Patron:
    """Helen is Ledger's sponsor; Victor is in no engagement."""
    patron.ok("person add Helen --title CFO")
    patron.ok("person add Victor")
    patron.ok("engagement add Ledger --start 2026-03-02")
    patron.ok("engagement add Audit --start 2026-03-02")
    patron.ok("stakeholder add Helen Ledger --role sponsor")
    patron.ok("ask add 'Secret board pack' --from Helen -e Ledger")
    patron.ok(f"config set web.public_url {PUBLIC}/")
    return patron


@pytest.fixture
def store(register: Patron) -> Iterator[Store]:
    opened_store = opened(Path(register.db))
    yield opened_store
    opened_store.close()


@pytest.fixture
def web(store: Store) -> TestClient:
    return client(store)


def link(patron: Patron, line: str = "feedback link Helen") -> str:
    """The path of a new link (its URL without the public address)."""
    url = patron.ok(line).strip()
    assert url.startswith(f"{PUBLIC}/answer/") and "\n" not in url
    return urlsplit(url).path


def feedback(patron: Patron) -> list[dict[str, object]]:
    found: list[dict[str, object]] = json.loads(patron.ok("feedback list --json"))
    return found


def send(web: TestClient, path: str, **fields: str) -> object:
    token = csrf(web.get(path).text)
    return web.post(path, data={"csrf_token": token, **fields})


# --- the command ----------------------------------------------------------------------------


def test_a_link_needs_the_public_address_and_says_how_to_set_it(patron: Patron) -> None:
    patron.ok("person add Helen")
    patron.ok("engagement add Ledger")
    error = patron.fails("feedback link Helen -e Ledger", 2)
    assert error.count("\n") == 1 and "Traceback" not in error
    assert "web.public_url is not set" in error
    assert "patron config set web.public_url https://" in error


def test_the_command_prints_the_url_alone_and_says_for_whom_on_stderr(register: Patron) -> None:
    result = register("feedback", "link", "Helen", "--expires", "7d")
    assert result.exit_code == 0
    assert result.stdout.startswith(f"{PUBLIC}/answer/") and result.stdout.count("\n") == 1
    assert "//answer" not in result.stdout  # the trailing slash of the setting is not doubled
    assert "For Helen about Ledger; works once, until 2026-11-27 10:00." in result.stderr
    made = json.loads(register.ok("feedback link Helen -e Audit --json"))
    assert made["person"] == "Helen" and made["engagement"] == "Audit"
    assert made["expires_at"] == (NOW + timedelta(days=14)).isoformat()
    assert made["url"].startswith(f"{PUBLIC}/answer/") and "token" not in made
    until_a_day = json.loads(register.ok("feedback link Helen --expires 2026-12-31 --json"))
    assert until_a_day["expires_at"] == "2026-12-31T23:59:00"  # the whole of that day


def test_the_command_refuses_what_it_cannot_ask(register: Patron) -> None:
    assert "Victor has no one active engagement" in register.fails("feedback link Victor", 2)
    assert "not in the future" in register.fails("feedback link Helen --expires '2 days ago'", 2)
    assert "no person called 'Nobody'" in register.fails("feedback link Nobody", 3)
    assert "patron feedback link PERSON" in register.ok("feedback --help")


# --- the page -------------------------------------------------------------------------------


def test_the_page_shows_the_question_and_the_engagement_and_nothing_else(
        register: Patron, web: TestClient) -> None:
    path = link(register)
    page = web.get(path)
    assert page.status_code == 200
    html = page.text
    assert "<h1>Ledger</h1>" in html and "How likely are you to hire us again?" in html
    assert html.count('type="radio" name="rating"') == 11
    assert 'name="csrf_token"' in html and "<label for=\"comment\">" in html
    for private in ("Helen", "CFO", "Victor", "Audit", "Secret board pack", "<nav",
                    'href="/engagements', 'href="/people', "Today", "application/json"):
        assert private not in html
    assert "<script" not in html
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    data = web.get(path, headers=JSON).json()
    assert data["engagement"] == "Ledger" and data["scale"] == list(range(11))
    assert "Helen" not in json.dumps(data)


def test_the_answer_lands_as_feedback_from_that_person_once(register: Patron,
                                                            web: TestClient) -> None:
    path = link(register)
    sent = send(web, path, rating="9", comment="Sharp <b>work</b>")
    assert sent.status_code == 201 and "Your answer has been recorded" in sent.text
    [stored] = feedback(register)
    assert (stored["person"], stored["engagement"], stored["rating"], stored["text"],
            stored["received_on"]) == ("Helen", "Ledger", 9, "Sharp <b>work</b>", "2026-11-20")
    again = web.get(path)
    assert again.status_code == 410 and "This link has been used" in again.text
    assert "Ledger" not in again.text and 'type="radio"' not in again.text
    resent = web.post(path, data={"csrf_token": csrf(web.get("/people/1").text), "rating": "2"})
    assert resent.status_code == 410
    assert len(feedback(register)) == 1
    assert "Sharp &lt;b&gt;work&lt;/b&gt;" in web.get("/people/1").text


def test_a_comment_alone_or_a_rating_alone_is_an_answer(register: Patron, web: TestClient) -> None:
    assert send(web, link(register), comment="Fine.").status_code == 201
    assert send(web, link(register), rating="0").status_code == 201
    assert sorted((str(f["rating"]), f["text"]) for f in feedback(register)) == [
        ("0", None), ("None", "Fine.")]


@pytest.mark.parametrize(("fields", "message"), [
    ({}, "choose a number from 0 to 10, or write a comment"),
    ({"rating": "11"}, "the number must be from 0 to 10"),
    ({"rating": "nine"}, "whole number from 0 to 10, not &#39;nine&#39;"),
    ({"rating": "5", "comment": "x" * 10_001}, "longer than 10,000 characters"),
])
def test_a_bad_answer_shows_the_form_again_and_keeps_the_link(
        register: Patron, web: TestClient, fields: dict[str, str], message: str) -> None:
    path = link(register)
    refused = send(web, path, **fields)
    assert refused.status_code == 400 and message in refused.text
    assert 'type="radio"' in refused.text and feedback(register) == []
    assert send(web, path, rating="7").status_code == 201


def test_an_expired_link_says_so_and_stores_nothing(register: Patron, store: Store) -> None:
    path = link(register, "feedback link Helen --expires 1d")
    later = TestClient(create_app(store, defaults(), lambda: NOW + timedelta(days=1)),
                       base_url=BASE)
    page = later.get(path)
    assert page.status_code == 410 and "This link expired on 2026-11-21 at 10:00" in page.text
    assert 'type="radio"' not in page.text
    posted = later.post(path, data={"csrf_token": csrf(later.get("/people/1").text),
                                    "rating": "8"})
    assert posted.status_code == 410
    assert feedback(register) == []


def test_an_altered_or_foreign_link_is_not_found_and_stores_nothing(
        register: Patron, web: TestClient, tmp_path: Path) -> None:
    path = link(register)
    token = path.rsplit("/", 1)[1]
    for bad in (token[:-1], token + "A", token.replace(".", ""), token[:20], "x.y", "nothing"):
        page = web.get(f"/answer/{bad}")
        assert page.status_code == 404 and "This link is not valid" in page.text, bad
        assert 'type="radio"' not in page.text
    other = Patron(str(tmp_path / "other.sqlite"), register.runner)
    other.ok("person add Helen")
    other.ok("engagement add Ledger")
    foreign = link(other, "feedback link Helen -e Ledger")
    assert web.get(foreign).status_code == 404
    posted = web.post(path.replace(token, token[:-2]),
                      data={"csrf_token": csrf(web.get(path).text), "rating": "1"})
    assert posted.status_code == 404
    assert feedback(register) == []


def test_a_link_to_what_was_removed_is_withdrawn(register: Patron, web: TestClient) -> None:
    path = link(register, "feedback link Victor -e Audit")
    register.ok("person remove Victor --yes")
    page = web.get(path)
    assert page.status_code == 410 and "no longer valid" in page.text


def test_a_write_without_the_csrf_token_stores_nothing(register: Patron, web: TestClient) -> None:
    path = link(register)
    assert web.post(path, data={"rating": "9"}).status_code == 403
    assert feedback(register) == [] and web.get(path).status_code == 200


def test_the_page_needs_no_access_token_but_the_owners_pages_do(register: Patron,
                                                                store: Store) -> None:
    register.ok("config set web.token s3cret")
    loaded = load()
    web = TestClient(create_app(store, loaded, lambda: NOW), base_url=BASE)
    assert str(loaded["web.token"]) == "s3cret"
    path = link(register)
    assert web.get("/").status_code == 401 and web.get("/people/1").status_code == 401
    assert web.get("/answer/../people/1").status_code in (401, 404)
    assert web.get(path).status_code == 200
    assert web.get("/static/patron.css").status_code == 200
    assert send(web, path, rating="10").status_code == 201


def test_the_public_address_is_a_served_name(register: Patron, store: Store) -> None:
    settings = load()
    public = TestClient(create_app(store, settings, lambda: NOW), base_url=PUBLIC)
    assert public.get(link(register)).status_code == 200
    elsewhere = TestClient(create_app(store, settings, lambda: NOW),
                           base_url="https://evil.example.org")
    assert elsewhere.get(link(register)).status_code == 400


# --- invariants -----------------------------------------------------------------------------


alterations = st.tuples(st.sampled_from(["replace", "insert", "delete", "cut"]),
                        st.integers(0, 200), st.characters(codec="utf-8", exclude_characters="\x00"))


def altered(token: str, kind: str, where: int, char: str) -> str:
    where = min(where, len(token) - 1)
    if kind == "replace":
        return token[:where] + char + token[where + 1:]
    if kind == "insert":
        return token[:where] + char + token[where:]
    if kind == "delete":
        return token[:where] + token[where + 1:]
    return token[:where]


def test_any_alteration_of_a_token_is_refused(register: Patron, web: TestClient) -> None:
    path = link(register)
    token = path.rsplit("/", 1)[1]

    @settings(max_examples=150, deadline=None)
    @given(change=alterations)
    def check(change: tuple[str, int, str]) -> None:
        changed = altered(token, *change)
        if changed == token:
            return
        page = web.get("/answer/" + quote(changed, safe=""))
        assert page.status_code == 404, changed
        assert "This link is not valid" in page.text and 'type="radio"' not in page.text

    check()
    assert web.get(path).status_code == 200  # the real link still works
    assert feedback(register) == []


def test_two_answers_at_once_store_one_feedback(db_url: str) -> None:
    """On each backend: the second answer waits for the first and is refused as used."""
    store = open_store(db_url)
    try:
        with store.begin() as conn:
            from patron.domain.records import BY_KIND, PERSON
            from patron.services import records

            records.add(conn, PERSON, {"name": "Helen"}, NOW)
            records.add(conn, BY_KIND["engagement"], {"name": "Ledger"}, NOW)
            made = feedback_links.make(conn, "Helen", PUBLIC, NOW, engagement="Ledger")
        first_in = threading.Event()
        outcomes: list[str] = []

        def first() -> None:
            with store.begin() as conn:
                feedback_links.answer(conn, made.token, NOW, rating=9, comment="")
                first_in.set()
                threading.Event().wait(0.5)  # hold the transaction open
            outcomes.append("stored")

        def second() -> None:
            first_in.wait(5)
            try:
                with store.begin() as conn:
                    feedback_links.answer(conn, made.token, NOW, rating=1, comment="")
                outcomes.append("stored")
            except LinkUsed:
                outcomes.append("used")

        threads = [threading.Thread(target=first), threading.Thread(target=second)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(20)
        assert sorted(outcomes) == ["stored", "used"]
        with store.read() as conn:
            from sqlalchemy import func, select

            from patron.store import schema

            ratings = conn.execute(select(schema.feedback.c.rating)).scalars().all()
            assert ratings == [9]
            assert conn.execute(select(func.count()).select_from(schema.import_state)).scalar() == 2
    finally:
        store.close()
