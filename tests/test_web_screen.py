"""The Screen page: paste a prospect's mail or notes and see what ``patron screen -`` says
of it; nothing is stored."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from tests.conftest import Patron
from tests.web_helpers import JSON, client, csrf, opened

PITCH = ("Thanks for the call. You'll be working for me on this, so I expect a discount "
         "and a few extra reports at no cost. Our last vendor were clowns.")


def _digest(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def test_screening_pasted_text_says_what_the_command_says_and_stores_nothing(patron: Patron) -> None:
    patron.ok("person add 'Grant Oduya'")
    store = opened(Path(patron.db))
    try:
        web = client(store)
        form = web.get("/screen").text
        assert '<label for="text">' in form and 'name="csrf_token"' in form
        assert web.get("/screen", headers=JSON).json() == {"text": "", "screening": None,
                                                           "marked": []}
        before = _digest(patron.db)
        token = csrf(form)
        data = web.post("/screen", data={"csrf_token": token, "text": PITCH}, headers=JSON).json()
        html = web.post("/screen", data={"csrf_token": token, "text": PITCH}).text
        assert _digest(patron.db) == before
    finally:
        store.close()
    cli = json.loads(patron.ok("screen - --json", input=PITCH))
    ours = data["screening"]
    assert ours["prospect"] == "pasted text"
    for key in ("answers", "fit", "recommendation", "reasons"):
        assert ours[key] == cli[key], key
    assert [(f["kind"], f["phrase"], f["sentence"]) for f in ours["flags"]] == [
        (f["kind"], f["phrase"], f["sentence"]) for f in cli["flags"]]
    assert "You&#39;ll be <mark>working for me</mark> on this, so I expect a discount" in html
    assert "<mark>clowns</mark>" in html
    assert f"Fit <span class=\"score at-risk\">{cli['fit']}</span>" in html
    assert PITCH.replace("'", "&#39;") in html  # the text stays in the box to edit


def test_empty_text_is_a_400_and_a_missing_token_a_403(patron: Patron) -> None:
    patron.ok("person add 'Grant Oduya'")
    store = opened(Path(patron.db))
    try:
        web = client(store)
        token = csrf(web.get("/screen").text)
        empty = web.post("/screen", data={"csrf_token": token, "text": "  \n"}, headers=JSON)
        assert empty.status_code == 400 and empty.json()["error"] == "pasted text: no text to screen"
        assert web.post("/screen", data={"text": PITCH}).status_code == 403
    finally:
        store.close()


def test_hostile_text_is_shown_as_text(patron: Patron) -> None:
    patron.ok("person add 'Grant Oduya'")
    store = opened(Path(patron.db))
    try:
        web = client(store)
        token = csrf(web.get("/screen").text)
        html = web.post("/screen", data={"csrf_token": token,
                                         "text": "<script>alert(1)</script> Give us a discount "
                                                 "</textarea><img src=x onerror=alert(2)>"}).text
    finally:
        store.close()
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "</textarea><img" not in html
    assert "<mark>discount</mark>" in html
