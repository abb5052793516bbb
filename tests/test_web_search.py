"""The Search page: records found by words as ``patron search`` finds them, the matched
words marked, and a box in every page's navigation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from patron.web.pages.search import parts
from tests.conftest import Patron
from tests.web_helpers import JSON, client, opened


@pytest.mark.parametrize(("query", "options"), [
    ("q=board", "board"), ("q=helen+brandt", "helen brandt"),
    ("q=reconciliation&kind=asks", "--kind asks reconciliation")])
def test_search_finds_what_the_command_finds(web: TestClient, patron: Patron, demo: Path,
                                             query: str, options: str) -> None:
    data = web.get(f"/search?{query}", headers=JSON).json()
    cli = json.loads(Patron(str(demo), patron.runner).ok(f"search --json {options}"))
    assert [(h["kind"], h["id"], h["title"]) for h in data["hits"]] == [
        (h["kind"], h["id"], h["title"]) for h in cli]
    assert data["hits"]


def test_hits_link_to_their_pages_with_the_words_marked(web: TestClient) -> None:
    data = web.get("/search?q=helen", headers=JSON).json()
    helen = next(h for h in data["hits"] if h["kind"] == "person")
    html = web.get("/search?q=helen").text
    assert f'<a href="/people/{helen["id"]}"><mark>Helen</mark> Brandt</a>' in html
    for hit in data["hits"]:
        assert "".join(p["text"] for p in hit["title_parts"]) == hit["title"]
    assert '<input id="q" name="q" type="search" value="helen">' in html


def test_an_empty_query_shows_the_box_and_a_miss_says_so(web: TestClient) -> None:
    empty = web.get("/search", headers=JSON).json()
    assert empty["hits"] == [] and empty["q"] == ""
    assert "Nothing found for “zzqqxx”" in web.get("/search?q=zzqqxx").text


def test_an_unknown_kind_is_a_400(web: TestClient) -> None:
    answer = web.get("/search?q=board&kind=planets", headers=JSON)
    assert answer.status_code == 400
    assert answer.json()["error"].startswith("cannot search 'planets': choose from people")


def test_every_page_has_the_search_box(web: TestClient) -> None:
    for path in ("/", "/inbox", "/engagements/1", "/search"):
        html = web.get(path).text
        assert '<form method="get" action="/search" role="search" class="nav-search">' in html
        assert '<label for="nav-q" class="visually-hidden">' in html


def test_hostile_titles_are_marked_and_still_text(patron: Patron) -> None:
    patron.ok("ask add 'Budget <script>alert(1)</script> review'")
    store = opened(Path(patron.db))
    try:
        html = client(store).get("/search?q=budget+script").text
    finally:
        store.close()
    assert "<script>alert" not in html
    assert "<mark>Budget</mark> &lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt; review" \
        in html


@given(st.text(max_size=40), st.lists(st.tuples(st.integers(-5, 45), st.integers(-5, 45)),
                                      max_size=6))
def test_parts_always_put_the_text_back_together(text: str, marks: list[tuple[int, int]]) -> None:
    cut = parts(text, marks)
    assert "".join(p["text"] for p in cut) == text
    assert all(p["text"] for p in cut)


def test_an_ask_found_leads_to_whoever_asked_it_and_its_engagement(web: TestClient) -> None:
    data = web.get("/search?q=reconciliation&kind=asks", headers=JSON).json()
    ask = data["hits"][0]
    assert ask["href"] == f"/people/{ask['person_id']}" and ask["person"]
    html = web.get("/search?q=reconciliation&kind=asks").text
    assert f'<a href="/engagements/{ask["engagement_id"]}">{ask["engagement"]}</a>' in html
    mail = web.get("/search?q=reconciliation&kind=touchpoints", headers=JSON).json()["hits"]
    assert mail and all(h["href"] is None and h["engagement_id"] for h in mail)
