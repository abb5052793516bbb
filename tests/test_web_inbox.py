"""The Inbox page: each suggestion found in mail beside the message it came from, the
detected phrase marked, and accept, edit and reject as ``patron inbox`` does them."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from patron.domain.passage import marked
from tests.conftest import Patron
from tests.web_helpers import JSON, client, csrf, opened

ME = "sam@me.example"


def mail(folder: Path, name: str, body: str, subject: str = "Board pack",
         sender: str = "Helen Brandt <helen@meridian.example>") -> Path:
    """One message to me, as a mail program saves it."""
    path = folder / f"{name}.eml"
    path.write_text(f"From: {sender}\nTo: Sam <{ME}>\nSubject: {subject}\n"
                    f"Date: Wed, 18 Nov 2026 09:30:00 +0000\nMessage-ID: <{name}@meridian.example>\n"
                    f"Content-Type: text/plain; charset=utf-8\n\n{body}\n")
    return path


@pytest.fixture
def register(demo: Path, tmp_path: Path) -> Iterator[tuple[TestClient, Patron]]:
    """A copy of the demo portfolio (writes change it), served and at the command line."""
    path = tmp_path / "demo.sqlite"
    shutil.copy(demo, path)
    store = opened(path)
    from click.testing import CliRunner

    yield client(store), Patron(str(path), CliRunner())
    store.close()


def test_each_suggestion_stands_beside_its_message_with_the_phrase_marked(register) -> None:
    web, patron = register
    data = web.get("/inbox", headers=JSON).json()
    cli = json.loads(patron.ok("inbox --json"))
    assert [s["id"] for s in data["suggestions"]] == [s["id"] for s in cli]
    for s in data["suggestions"]:
        p = s["passage"]
        assert p["before"] + p["phrase"] + p["after"] == s["sentence"]
        assert p["phrase"]
    pack = next(s for s in data["suggestions"] if s["title"] == "Send you the updated pack")
    assert pack["message"]["subject"] == "Re: Weekly KPI pack"
    html = web.get("/inbox").text
    assert "I&#39;ll <mark>send you the updated pack</mark> by Thursday." in html
    assert "Re: Weekly KPI pack" in html
    for s in data["suggestions"]:
        for field in ("title", "due", "person", "engagement"):
            assert f'<label for="{field}-{s["id"]}">' in html
        assert f'formaction="/inbox/{s["id"]}/reject"' in html


def test_accepting_makes_the_ask_and_says_so_on_the_page_it_returns_to(register) -> None:
    web, patron = register
    token = csrf(web.get("/inbox").text)
    answer = web.post("/inbox/6/accept", data={"csrf_token": token, "title": "Add the waste figures",
                                               "due": "", "person": "", "engagement": ""})
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/inbox?note=Accepted+%236+as+ask+%23")
    shown = web.get(answer.headers["location"]).text
    assert re.search(r'<p class="flash" role="status">Accepted #6 as ask #\d+: Add the waste figures</p>',
                     shown)
    assert 6 not in [s["id"] for s in web.get("/inbox", headers=JSON).json()["suggestions"]]
    accepted = next(s for s in json.loads(patron.ok("inbox --all --json")) if s["id"] == 6)
    assert accepted["status"] == "accepted"
    ask = json.loads(patron.ok(f"ask show {accepted['ask_id']} --json"))
    assert ask["title"] == "Add the waste figures" and ask["requester"] == "Ben Castillo"


def test_accepting_with_changes_and_the_json_answer(register) -> None:
    web, _ = register
    token = csrf(web.get("/inbox").text)
    answer = web.post("/inbox/5/accept", headers={**JSON, "x-csrf-token": token},
                      data={"title": "Data flow diagram", "due": "friday", "person": "Helen Brandt",
                            "engagement": "Ledger migration"})
    assert answer.status_code == 201
    body = answer.json()
    assert (body["suggestion"], body["kind"]) == (5, "ask")
    record = body["record"]
    assert (record["title"], record["requester"], record["engagement"], record["due_at"]) == (
        "Data flow diagram", "Helen Brandt", "Ledger migration", "2026-11-27T00:00:00")


def test_accepting_a_promise_makes_a_commitment(register) -> None:
    web, patron = register
    token = csrf(web.get("/inbox").text)
    answer = web.post("/inbox/8/accept", headers={**JSON, "x-csrf-token": token})
    assert answer.status_code == 201 and answer.json()["kind"] == "commitment"
    assert "Send you the updated pack" in patron.ok("commitment list")


def test_editing_then_rejecting(register) -> None:
    web, patron = register
    token = csrf(web.get("/inbox").text)
    edited = web.post("/inbox/7/edit", data={"csrf_token": token, "title": "Forecast model date",
                                             "due": "2026-11-27"})
    assert edited.status_code == 303 and "Changed+suggestion+%237" in edited.headers["location"]
    row = next(s for s in json.loads(patron.ok("inbox --json")) if s["id"] == 7)
    assert (row["title"], row["due_at"], row["status"]) == (
        "Forecast model date", "2026-11-27T00:00:00", "pending")
    rejected = web.post("/inbox/7/reject", data={"csrf_token": token})
    assert rejected.status_code == 303
    row = next(s for s in json.loads(patron.ok("inbox --all --json")) if s["id"] == 7)
    assert row["status"] == "rejected"


def test_a_bad_due_date_is_a_400_with_the_clis_line_and_nothing_is_accepted(register) -> None:
    web, patron = register
    token = csrf(web.get("/inbox").text)
    before = patron.ok("inbox --all --json")
    answer = web.post("/inbox/6/accept", data={"csrf_token": token, "due": "the 45th"})
    assert answer.status_code == 400
    cli = patron.fails("inbox accept 6 --due 'the 45th'", code=2).removeprefix("patron: ").strip()
    assert cli in answer.text.replace("&#39;", "'")
    assert patron.ok("inbox --all --json") == before
    unknown = web.post("/inbox/6/accept", headers={**JSON, "x-csrf-token": token},
                       data={"person": "Nobody At All"})
    assert unknown.status_code in (400, 404) and "Nobody At All" in unknown.json()["error"]
    assert patron.ok("inbox --all --json") == before


def test_accepting_twice_is_a_409_and_an_unknown_suggestion_a_404(register) -> None:
    web, _ = register
    token = csrf(web.get("/inbox").text)
    assert web.post("/inbox/6/accept", data={"csrf_token": token}).status_code == 303
    again = web.post("/inbox/6/accept", headers={**JSON, "x-csrf-token": token})
    assert again.status_code == 409
    assert again.json()["error"] == "suggestion #6 is already accepted"
    missing = web.post("/inbox/999/reject", headers={**JSON, "x-csrf-token": token})
    assert missing.status_code == 404 and "no suggestion #999" in missing.json()["error"]


def test_a_write_without_the_csrf_token_is_refused_and_changes_nothing(register) -> None:
    web, patron = register
    before = patron.ok("inbox --all --json")
    for action in ("accept", "edit", "reject"):
        assert web.post(f"/inbox/6/{action}", data={"title": "x"}).status_code == 403
    assert patron.ok("inbox --all --json") == before


def test_hostile_mail_reads_as_text_in_the_inbox(patron: Patron, tmp_path: Path) -> None:
    mail(tmp_path, "hostile", "Sam,\n\nCould you send the <script>alert(1)</script> figures "
         "by Friday?\n\nHelen", subject="Board <img src=x onerror=alert(2)>",
         sender='"Eve <b>Evil</b>" <eve@meridian.example>')
    patron.ok(f"import mail {tmp_path / 'hostile.eml'} --owner {ME}")
    store = opened(Path(patron.db))
    try:
        html = client(store).get("/inbox").text
    finally:
        store.close()
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>Evil" not in html
    assert "<mark>send the &lt;script&gt;alert</mark>(1)&lt;/script&gt; figures" in html
    assert "Board &lt;img src=x onerror=alert(2)&gt;" in html


@given(st.text(max_size=60), st.text(max_size=20))
def test_a_marked_passage_always_puts_the_text_back_together(text: str, phrase: str) -> None:
    found = marked(text, phrase)
    if found is None:
        assert not phrase.split() or phrase.lower() not in text.lower()
    else:
        assert found.before + found.phrase + found.after == text
        assert found.phrase.split() and [w.lower() for w in found.phrase.split()] == [
            w.lower() for w in phrase.split()]


def test_a_full_inbox_pages_fifty_at_a_time(patron: Patron, tmp_path: Path) -> None:
    for n in range(53):
        mail(tmp_path, f"m{n:02d}", f"Sam,\n\nCould you send the figures for region {n}?\n\nHelen",
             subject=f"Region {n}")
    patron.ok(f"import mail {tmp_path} --owner {ME}")
    store = opened(Path(patron.db))
    try:
        web = client(store)
        first = web.get("/inbox", headers=JSON).json()
        second = web.get("/inbox?page=2", headers=JSON).json()
        assert (len(first["suggestions"]), len(second["suggestions"])) == (50, 3)
        assert (first["total"], first["pages"]) == (53, 2)
        listed = [s["id"] for s in json.loads(patron.ok("inbox --json"))]
        assert [s["id"] for s in first["suggestions"] + second["suggestions"]] == listed
        html = web.get("/inbox").text
        assert "Inbox <span class=\"muted\">(53 waiting)</span>" in html
        assert 'href="?page=2"' in html and "Page 1 of 2" in html
        assert web.get("/inbox?page=0", headers=JSON).status_code == 400
    finally:
        store.close()
