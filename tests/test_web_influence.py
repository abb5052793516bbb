"""Influence read from the mail on the web: all of it (``/influence``) and one engagement's
(``/engagements/{id}/influence``), each what ``patron influence [-e ID] --json`` gives, and
``POST /engagements/{id}/influence/accept``, the engagement's stakeholders' power set to the
proposals (as ``patron influence -e ID --accept``)."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

import pytest
from click.testing import CliRunner

from patron.services import influence
from patron.store.database import open_store
from tests.conftest import Patron
from tests.test_duplicates import split_boss
from tests.test_influence import _mbox
from tests.web_helpers import JSON, build_demo, client, csrf, opened

ACCEPT = "/engagements/1/influence/accept"


def _cli(demo: Path, patron: Patron, line: str) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(Patron(str(demo), patron.runner).ok(line))
    return found


def _same(page: list[dict[str, Any]], cli: list[dict[str, Any]]) -> None:
    assert [p["person_id"] for p in page] == [p["person_id"] for p in cli]
    assert [p["score"] for p in page] == [p["score"] for p in cli]
    assert [p["reasons"] for p in page] == [p["reasons"] for p in cli]
    assert page == cli  # every count and term too


def test_all_the_mail_is_what_the_command_gives_each_name_linked(web, patron: Patron,
                                                                 demo: Path) -> None:
    data = web.get("/influence", headers=JSON).json()
    cli = _cli(demo, patron, "influence --json -n 25")
    assert set(data) == {"engagement_id", "engagement", "people", "split"}
    assert (data["engagement_id"], data["engagement"], data["split"]) == (None, None, 0)
    assert data["people"] and len(data["people"]) <= 25
    _same(data["people"], cli["people"])
    page = web.get("/influence")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    text = html.unescape(page.text)
    assert "<title>Influence · Patron</title>" in text
    assert "mailboxes other than their own" in text
    for person in data["people"]:
        assert f'<a href="/people/{person["person_id"]}">{person["name"]}</a>' in text
        assert f'<td class="num" data-label="score">{person["score"]:.2f}</td>' in text
        assert "; ".join(person["reasons"]) in text
    assert "Take the proposed power" not in text  # that is one engagement's, not all the mail's


def test_a_limit_shows_that_many_people_most_influential_first(web, patron: Patron,
                                                               demo: Path) -> None:
    data = web.get("/influence?limit=3", headers=JSON).json()
    _same(data["people"], _cli(demo, patron, "influence --json -n 3")["people"])
    assert len(data["people"]) == 3
    assert len(web.get("/influence?limit=500", headers=JSON).json()["people"]) == len(
        _cli(demo, patron, "influence --json -n 0")["people"])


def test_an_engagements_mail_is_what_the_command_gives_for_it(web, patron: Patron,
                                                             demo: Path) -> None:
    data = web.get("/engagements/1/influence", headers=JSON).json()
    cli = _cli(demo, patron, "influence -e 1 --json")
    assert (data["engagement_id"], data["engagement"]) == (1, cli["engagement"])
    assert data["engagement"] == "Ledger migration" and data["split"] == 0
    _same(data["people"], cli["people"])
    text = html.unescape(web.get("/engagements/1/influence").text)
    assert 'of <a href="/engagements/1">Ledger migration</a></h1>' in text
    for person in data["people"]:
        assert f'<a href="/people/{person["person_id"]}">{person["name"]}</a>' in text
    form = text[text.index(f'<form method="post" action="{ACCEPT}">'):]
    form = form[:form.index("</form>")]
    assert 'name="csrf_token" value="' in form
    assert ">Take the proposed power for the stakeholders</button>" in form


@pytest.mark.parametrize("path", ["/influence", "/engagements/1/influence"])
@pytest.mark.parametrize("limit", ["0", "abc", "501", "-3", "2.5"])
def test_a_bad_limit_is_a_400_that_names_it(web, path: str, limit: str) -> None:
    answer = web.get(f"{path}?limit={limit}", headers=JSON)
    assert answer.status_code == 400
    assert answer.json()["error"].startswith("limit: ")
    assert web.get(f"{path}?limit={limit}").status_code == 400


def test_an_unknown_engagement_is_a_404(web) -> None:
    assert web.get("/engagements/99/influence").status_code == 404
    assert web.get("/engagements/99/influence", headers=JSON).json() == {
        "error": "no engagement with id 99", "status": 404}
    token = csrf(web.get("/engagements/1").text)
    assert web.post("/engagements/99/influence/accept", data={"csrf_token": token}).status_code == 404


def test_the_engagement_page_links_to_its_influence_and_does_not_work_it_out(
        web, monkeypatch: pytest.MonkeyPatch) -> None:
    """Working influence out reads all the mail: the engagement's page stays fast without it,
    and only the page of all the mail counts the people under several records."""
    calls: list[tuple[str | None, bool]] = []
    real = influence.view

    def counted(conn: Any, settings: Any, engagement: str | None = None, limit: int | None = None,
                *, take: bool = False, look: bool = False) -> influence.InfluenceView:
        calls.append((engagement, look))
        return real(conn, settings, engagement, limit, take=take, look=look)

    monkeypatch.setattr(influence, "view", counted)
    page = web.get("/engagements/1").text
    assert '<a href="/engagements/1/influence">Influence read from the mail</a>' in page
    assert calls == []
    web.get("/engagements/1/influence")
    web.get("/influence")
    assert calls == [("1", False), (None, True)]


def test_taking_the_proposals_sets_each_stakeholders_power_and_nothing_without_the_token(
        tmp_path: Path) -> None:
    demo = build_demo(tmp_path)
    patron = Patron(str(demo), CliRunner())
    store = opened(demo)
    try:
        web = client(store)
        before = json.loads(patron.ok("influence -e 1 --json -n 0"))["people"]
        differ = [p for p in before if p["current_power"] is not None
                  and p["current_power"] != p["power"]]
        assert differ  # the demo's stakeholders are not all where the mail places them
        members = {m["person_id"]: m["attributes"]["power"] for m in
                   web.get("/engagements/1", headers=JSON).json()["stakeholders"]}
        shown = web.get("/engagements/1/influence", headers=JSON).json()  # kept from here on
        page = web.get("/engagements/1/influence").text

        assert web.post(ACCEPT).status_code == 403
        assert web.post(ACCEPT, data={"csrf_token": "0" * 64}).status_code == 403
        assert json.loads(patron.ok("influence -e 1 --json -n 0"))["people"] == before
        assert web.get("/engagements/1/influence", headers=JSON).json() == shown

        answer = web.post(ACCEPT, data={"csrf_token": csrf(page)})
        assert answer.status_code == 303
        location = answer.headers["location"]
        assert location.startswith("/engagements/1/influence?note=")
        assert unquote_plus(location.partition("note=")[2]) == (
            f"Set the power of {len(differ)} stakeholder roles of Ledger migration to the "
            "proposed values.")
        after = json.loads(patron.ok("influence -e 1 --json -n 0"))["people"]
        assert [p["person_id"] for p in after] == [p["person_id"] for p in before]
        for person in after:
            if person["current_power"] is not None:
                assert person["current_power"] == person["power"], person["name"]
        # a stakeholder the mail does not show keeps their power
        mailed = {p["person_id"] for p in before}
        now = {m["person_id"]: m["attributes"]["power"] for m in
               web.get("/engagements/1", headers=JSON).json()["stakeholders"]}
        assert any(ident not in mailed for ident in members)
        assert {i: p for i, p in now.items() if i not in mailed} == {
            i: p for i, p in members.items() if i not in mailed}
        # the kept page is worked out again after the write, and says what was done
        again = web.get(location)
        assert (f'<p class="flash" role="status">Set the power of {len(differ)} stakeholder '
                "roles of Ledger migration to the proposed values.</p>") in again.text
        fresh = web.get("/engagements/1/influence", headers=JSON).json()["people"]
        assert all(p["current_power"] in (None, p["power"]) for p in fresh)

        twice = web.post(ACCEPT, headers={**JSON, "x-csrf-token": csrf(page)})
        assert twice.status_code == 200
        body = twice.json()
        assert (body["engagement_id"], body["engagement"], body["accepted"]) == (
            1, "Ledger migration", 0)
        assert [p["person_id"] for p in body["people"]] == [p["person_id"] for p in after[:25]]
    finally:
        store.close()


def test_people_under_several_records_are_counted_on_the_page_of_all_the_mail(
        patron: Patron, tmp_path: Path) -> None:
    boss, _ = split_boss(patron, tmp_path)
    patron.ok("engagement add Trading --kind client")
    patron.ok(f"stakeholder add {boss} Trading --role sponsor")
    store = opened(Path(patron.db))
    try:
        web = client(store)
        assert web.get("/influence", headers=JSON).json()["split"] == 1
        text = web.get("/influence").text
        assert ("<strong>1 person appears</strong> under several records, each scored on part "
                "of their mail") in text
        assert "<code>patron people duplicates</code>" in text
        assert web.get("/engagements/1/influence", headers=JSON).json()["split"] == 0
        assert "under several records" not in web.get("/engagements/1/influence").text
        patron.ok("people duplicates --merge")
        assert web.get("/influence", headers=JSON).json()["split"] == 0
        assert "under several records" not in web.get("/influence").text
    finally:
        store.close()


def test_no_mail_says_so_and_offers_nothing_to_take(patron: Patron) -> None:
    patron.ok("engagement add Ledger --kind client")
    patron.ok("person add 'Helen Brandt'")
    patron.ok("stakeholder add Helen Ledger --role sponsor")
    store = opened(Path(patron.db))
    try:
        web = client(store)
        for path in ("/influence", "/engagements/1/influence"):
            assert web.get(path, headers=JSON).json()["people"] == []
            text = web.get(path).text
            assert "<p>No mail with a sender recorded.</p>" in text
            assert "/influence/accept" not in text
    finally:
        store.close()


def test_the_pages_and_the_write_on_each_backend(db_url: str, tmp_path: Path) -> None:
    patron = Patron(db_url, CliRunner())
    day = "Mon, 02 Nov 2026 09:00:00 +0000"
    staff = [f"trader{n}@enron.com" for n in range(4)]
    boss = "louise.kitchen@enron.com"
    mail = _mbox(tmp_path / "mail.mbox", *((f"m{n}", writer, boss, day)
                                           for n, writer in enumerate(staff)),
                 ("m9", boss, staff[0], day))
    patron.ok(f"import mail {mail}")
    patron.ok("engagement add Trading --kind client")
    for address in (boss, staff[0], staff[1]):
        patron.ok(f"stakeholder add {address} Trading --role customer")
    store = open_store(db_url, create=False)
    try:
        web = client(store)
        everyone = web.get("/influence", headers=JSON).json()
        _same(everyone["people"], json.loads(patron.ok("influence --json"))["people"])
        shown = web.get("/engagements/1/influence", headers=JSON).json()["people"]
        assert shown[0]["name"] == "Louise Kitchen" and shown[0]["power"] > shown[-1]["power"]
        differ = [p for p in shown if p["current_power"] not in (None, p["power"])]
        assert differ
        token = csrf(web.get("/engagements/1/influence").text)
        taken = web.post(ACCEPT, headers={**JSON, "x-csrf-token": token}).json()
        assert taken["accepted"] == len(differ)
        after = web.get("/engagements/1/influence", headers=JSON).json()["people"]
        assert all(p["current_power"] in (None, p["power"]) for p in after)
    finally:
        store.close()
