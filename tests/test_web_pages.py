"""The pages Today, the engagements, an engagement and a person: HTML for people, the same
data as JSON for programs, each from the use cases the CLI commands call."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.conftest import NOW, Patron
from tests.web_helpers import JSON, client, csrf, opened


def test_today_ranks_the_asks_as_next_does_with_each_score_explained(web, patron: Patron, demo: Path
                                                                     ) -> None:
    html = web.get("/")
    data = web.get("/", headers=JSON).json()
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    cli = json.loads(Patron(str(demo), patron.runner).ok("next --json"))
    assert [a["id"] for a in data["asks"]] == [a["id"] for a in cli]
    for ask in data["asks"]:
        assert sum(t["contribution"] for t in ask["breakdown"]) == pytest.approx(ask["score"])
        assert ask["title"] in html.text.replace("&#39;", "'")
    assert html.text.count("<details>") == len(data["asks"])
    assert data["today"] == NOW.date().isoformat()


def test_today_lists_check_ins_promises_and_the_inbox(web) -> None:
    data = web.get("/", headers=JSON).json()
    html = web.get("/").text
    assert data["due"] and all(f"/people/{d['person_id']}" in html for d in data["due"])
    assert data["inbox"] > 0
    assert f'<a href="/inbox">{data["inbox"]} suggestions' in html
    for promise in data["promises"]:
        assert promise["due_at"] <= "2026-12-04T10:00:00"  # within ranking.due_horizon_days
    assert "Going cold" in html and "Check-ins due" in html and "Promises coming due" in html


def test_every_page_has_the_nav_landmarks_and_a_language(web) -> None:
    for path in ("/", "/engagements", "/engagements/1", "/people/8", "/influence",
                 "/engagements/1/influence"):
        html = web.get(path).text
        assert '<html lang="en">' in html and "<nav" in html and '<main id="main">' in html
        for link in ("/inbox", "/engagements", "/influence", "/review", "/screen", "/search"):
            assert f'href="{link}"' in html
        assert "<script" not in html  # nothing needs script, and nothing inline may run


def test_the_engagement_names_the_client_and_draws_its_grid_with_links(web, patron: Patron,
                                                                       demo: Path) -> None:
    data = web.get("/engagements/1", headers=JSON).json()
    html = web.get("/engagements/1").text
    cli = json.loads(Patron(str(demo), patron.runner).ok("client 1 --json"))[0]
    assert data["name"] == cli["engagement"] == "Ledger migration"
    assert [m["name"] for m in data["client"]["executive"]] == [m["name"] for m in cli["executive"]]
    assert data["client"]["too_close"] == cli["too_close"]
    svg = html[html.index('<svg class="grid"'):]
    svg = svg[:svg.index("</svg>")]
    for member in data["stakeholders"]:
        assert f'<a href="/people/{member["person_id"]}">' in svg
    assert "Who is the client?" in html and "Pays (the Executive)" in html


def test_the_engagement_scores_hire_me_back_term_by_term_and_month_by_month(web, patron: Patron,
                                                                           demo: Path) -> None:
    data = web.get("/engagements/1", headers=JSON).json()
    cli = json.loads(Patron(str(demo), patron.runner).ok("why -e 1 --json"))
    score = data["hire_me_back"]
    assert score["score"] == pytest.approx(cli["score"])
    assert [t["term"] for t in score["breakdown"]] == [t["term"] for t in cli["breakdown"]]
    months = [m["month"] for m in score["history"]]
    assert len(months) == 12 and months[-1] == "2026-11" and months == sorted(months)
    assert score["history"][-1]["score"] == pytest.approx(cli["score"])
    html = web.get("/engagements/1").text
    assert '<polyline points="' in html and "2026-11" in html


def test_the_engagement_lists_its_open_asks_conflicts_and_visibility(web) -> None:
    data = web.get("/engagements/1", headers=JSON).json()
    assert data["asks"] and all(a["engagement"] == "Ledger migration" for a in data["asks"])
    assert "capacity" in data and isinstance(data["conflicts"], list)
    html = web.get("/engagements/1").text
    assert "Conflicts" in html and "Visibility" in html


def test_the_portfolio_links_every_engagement(web, patron: Patron, demo: Path) -> None:
    data = web.get("/engagements", headers=JSON).json()
    cli = json.loads(Patron(str(demo), patron.runner).ok("overview --json"))
    assert [e["name"] for e in data["engagements"]] == [e["name"] for e in cli["engagements"]]
    html = web.get("/engagements").text
    for e in data["engagements"]:
        assert f'href="/engagements/{e["id"]}"' in html


def test_a_person_shows_roles_asks_promises_feedback_and_touchpoints_newest_first(web) -> None:
    data = web.get("/people/8", headers=JSON).json()
    assert data["name"] == "Helen Brandt"
    assert any(r["role"] == "sponsor" for r in data["roles"])
    moments = [t["occurred_at"] for t in data["touchpoints"]]
    assert moments == sorted(moments, reverse=True) and moments
    assert data["touchpoints_total"] >= len(moments)
    html = web.get("/people/8").text
    for section in ("Roles", "Their asks", "Your promises to them", "Their feedback", "Touchpoints"):
        assert section in html
    assert data["due"] is None or data["due"]["person_id"] == 8


def test_a_busy_person_pages_touchpoints_fifty_at_a_time(patron: Patron) -> None:
    patron.ok("person add 'Ann Busy'")
    for n in range(55):
        patron.ok(f"met 'Ann Busy' 'Touchpoint {n}' --at '2026-10-{1 + n % 28:02d} {8 + n // 28}:00'")
    store = opened(Path(patron.db))
    try:
        web = client(store)
        first = web.get("/people/1", headers=JSON).json()
        second = web.get("/people/1?page=2", headers=JSON).json()
        assert (len(first["touchpoints"]), len(second["touchpoints"])) == (50, 5)
        assert first["pages"] == 2 and first["touchpoints"][0]["occurred_at"] > \
            second["touchpoints"][0]["occurred_at"]
        html = web.get("/people/1").text
        assert 'href="?page=2"' in html and "Page 1 of 2" in html
    finally:
        store.close()


def test_names_subjects_and_notes_are_shown_as_text_never_as_markup(patron: Patron) -> None:
    hostile = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    patron.ok(f"engagement add '{hostile}' --kind client")
    patron.ok(f"person add 'Eve {hostile}'")
    patron.ok("stakeholder add 1 1 --role sponsor")
    patron.ok(f"ask add 'Do <b>this</b> {hostile}' --from 1 --engagement 1")
    patron.ok(f"met 1 'Lunch {hostile}'")
    store = opened(Path(patron.db))
    try:
        web = client(store)
        for path in ("/", "/engagements", "/engagements/1", "/people/1"):
            html = web.get(path).text
            assert "<script>alert" not in html and "<img src=x" not in html, path
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, path
    finally:
        store.close()


def test_marking_an_ask_done_from_today_takes_it_off_the_list(patron: Patron) -> None:
    patron.ok("ask add 'Send the plan'")
    store = opened(Path(patron.db))
    try:
        web = client(store)
        token = csrf(web.get("/").text)
        answer = web.post("/asks/1/done", data={"csrf_token": token, "back": "/"})
        assert answer.status_code == 303 and answer.headers["location"] == "/"
        assert web.get("/", headers=JSON).json()["asks"] == []
        assert "done" in patron.ok("ask show 1")
    finally:
        store.close()


def test_logging_a_touchpoint_from_the_person_page(patron: Patron) -> None:
    patron.ok("person add 'Victor Lam'")
    store = opened(Path(patron.db))
    try:
        web = client(store)
        page = web.get("/people/1").text
        for field in ("kind", "at", "sentiment", "notes"):
            assert re.search(rf'<label for="{field}">', page), field
        answer = web.post("/people/1/touchpoints", data={
            "csrf_token": csrf(page), "kind": "call", "at": "yesterday 16:00",
            "notes": "Walked through the plan", "sentiment": "1"})
        assert answer.status_code == 303 and answer.headers["location"] == "/people/1"
        data = web.get("/people/1", headers=JSON).json()
        assert [(t["kind"], t["summary"], t["occurred_at"]) for t in data["touchpoints"]] == [
            ("call", "Walked through the plan", "2026-11-19T16:00:00")]
    finally:
        store.close()


def test_today_shows_the_most_urgent_check_ins_and_counts_the_rest(patron: Patron, tmp_path: Path
                                                                    ) -> None:
    """A register of thousands of stakeholders would list them all; Today shows the first 30
    of ``patron due`` and says how many more there are."""
    sheet = tmp_path / "people.csv"
    sheet.write_text("Name,E-mail Address\n" + "".join(
        f"Person {n:02d},person{n:02d}@client.example\n" for n in range(33)), encoding="utf-8")
    patron.ok("engagement add Rollout")
    patron.ok(f"import csv --table people {sheet}")
    for n in range(33):
        patron.ok(f"stakeholder add 'Person {n:02d}' Rollout --role customer --since 2026-01-0{1 + n % 9}")
    store = opened(Path(patron.db))
    try:
        web = client(store)
        data = web.get("/", headers=JSON).json()
        html = web.get("/").text
    finally:
        store.close()
    everyone = json.loads(patron.ok("due --json"))
    assert data["due_total"] == len(everyone) == 33
    assert [d["person_id"] for d in data["due"]] == [d["person_id"] for d in everyone[:30]]
    assert all(d["reason"] for d in data["due"])
    assert "and 3 more" in html and "patron due" in html
    assert everyone[30]["person"] not in html
