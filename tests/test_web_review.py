"""The Review page: the periodic review as ``patron review`` gives it, for the period picked,
with its charts drawn from numbers and a print style sheet."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Patron
from tests.web_helpers import JSON, client, opened

REVIEW_KEYS = ("period", "first", "last", "name", "note", "engagement", "clients", "time_minutes",
               "time_target", "goals", "neglected", "reflections", "last_reflections")


@pytest.mark.parametrize(("query", "options"), [
    ("", ""), ("?period=last-month", "--period last-month"), ("?period=quarter", "--period quarter"),
    ("?from=2026-11-01&to=2026-11-15", "--from 2026-11-01 --to 2026-11-15"),
    ("?from=2026-10-01", "--from 2026-10-01")])
def test_the_review_is_the_commands_for_the_period_picked(web: TestClient, patron: Patron,
                                                         demo: Path, query: str, options: str) -> None:
    data = web.get(f"/review{query}", headers=JSON).json()
    cli = json.loads(Patron(str(demo), patron.runner).ok(f"review --json {options}"))
    assert {key: data[key] for key in REVIEW_KEYS} == {key: cli[key] for key in REVIEW_KEYS}


def test_the_page_offers_every_period_and_marks_the_one_picked(web: TestClient) -> None:
    html = web.get("/review?period=last-month").text
    for period in ("week", "last-week", "month", "last-month", "quarter", "last-quarter"):
        assert f'href="/review?period={period}"' in html
    assert '<a href="/review?period=last-month" aria-current="page">Last month</a>' in html
    assert "<h1>Review of October 2026 (2026-10-01 to 2026-10-31)</h1>" in html
    for field in ("from", "to"):
        assert f'<label for="{field}">' in html
    assert '<form method="get" action="/review"' in html
    days = web.get("/review?from=2026-11-01&to=2026-11-15").text
    assert 'value="2026-11-01"' in days and "Review of 2026-11-01 to 2026-11-15" in days


def test_the_charts_are_drawn_from_the_reviews_numbers(web: TestClient) -> None:
    data = web.get("/review", headers=JSON).json()
    html = web.get("/review").text
    rows = data["scores_chart"]["rows"]
    assert [r["engagement"] for r in rows] == [c["engagement"] for c in data["clients"]]
    for row, c in zip(rows, data["clients"], strict=True):
        assert row["now"] == pytest.approx(c["score"] * 4, abs=0.1)
        assert row["previous"] == pytest.approx(c["previous_score"] * 4, abs=0.1)
    assert html.count('class="bar ') >= len(rows)
    assert [r["boss"] for r in data["time_chart"]["rows"]] == list(data["time_minutes"])
    assert data["grids"] and all(f'href="/engagements/{g["engagement_id"]}"' in html
                                 for g in data["grids"])
    assert "Would they hire you back?" in html and "Your three bosses" in html


def test_the_page_prints_without_navigation_or_forms(web: TestClient) -> None:
    html = web.get("/review").text
    assert 'class="picker no-print"' in html
    css = web.get("/static/patron.css").text
    printed = css[css.index("@media print"):]
    assert "header" in printed and "form" in printed and ".no-print" in printed


@pytest.mark.parametrize(("query", "options"), [
    ("?from=the+45th", "--from 'the 45th'"),
    ("?from=2026-11-10&to=2026-11-01", "--from 2026-11-10 --to 2026-11-01"),
    ("?to=2026-11-01", "--to 2026-11-01"),
    ("?period=month&from=2026-11-01", "--period month --from 2026-11-01"),
])
def test_a_bad_period_is_a_400_with_the_clis_line(web: TestClient, patron: Patron, demo: Path,
                                                  query: str, options: str) -> None:
    answer = web.get(f"/review{query}", headers=JSON)
    assert answer.status_code == 400
    cli = Patron(str(demo), patron.runner).fails(f"review {options}", code=2)
    assert answer.json()["error"] == cli.removeprefix("patron: ").strip()
    assert web.get(f"/review{query}").status_code == 400


def test_an_unknown_period_is_a_400(web: TestClient) -> None:
    answer = web.get("/review?period=year", headers=JSON)
    assert answer.status_code == 400 and "'year'" in answer.json()["error"]


def test_names_in_the_review_and_its_charts_are_text(patron: Patron) -> None:
    hostile = "<script>alert(1)</script>"
    patron.ok(f"engagement add 'Deal {hostile}' --kind client")
    patron.ok(f"person add 'Eve {hostile}'")
    patron.ok("stakeholder add 1 1 --role sponsor")
    patron.ok(f"feedback add 1 --engagement 1 --rating 3 --text '{hostile}'")
    patron.ok("time 1h30 1")
    store = opened(Path(patron.db))
    try:
        html = client(store).get("/review").text
    finally:
        store.close()
    assert "<script>alert" not in html
    assert "Deal &lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_early_in_a_month_the_review_covers_the_one_just_ended_and_says_so(patron: Patron) -> None:
    from datetime import datetime

    from patron.settings import defaults
    from patron.web.app import create_app

    patron.ok("engagement add Ledger --kind client")
    store = opened(Path(patron.db))
    try:
        web = TestClient(create_app(store, defaults(), lambda: datetime(2026, 12, 1, 9, 0)),
                         base_url="http://127.0.0.1:8765")
        html = web.get("/review").text
    finally:
        store.close()
    assert "<h1>Review of November 2026 (2026-11-01 to 2026-11-30)</h1>" in html
    assert "Covering November 2026, the month just ended.</p>" in html
    assert "--period" not in html


@pytest.mark.parametrize("path", ["/inbox", "/review", "/screen"])
def test_the_new_pages_are_in_the_nav_and_need_no_script(web: TestClient, path: str) -> None:
    html = web.get(path).text
    assert '<html lang="en">' in html and '<main id="main">' in html
    assert f'<a href="{path}" aria-current="page">' in html
    assert "<script" not in html and " style=" not in html  # the CSP allows neither inline
