"""What imports keep out: mail sent to many makes no people and no asks, events that are no
touchpoint make no meetings, ``+self`` is your own development; and a request that names
you is meant for you even among others greeted.

Each test runs the importer a user types on a fixture named by its edge case
(tests/fixtures/<format>/).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from patron.domain.bulk import AUTOMATED_SENDERS, is_automated, is_bulk
from tests.conftest import Patron

FIXTURES = Path(__file__).parent / "fixtures"
JO = "jbanks@banks-consulting.example"  # the user: an address that tells no first name
NEWSLETTER = FIXTURES / "mail" / "newsletter_list_unsubscribe.eml"
NO_REPLY = FIXTURES / "mail" / "notification_no_reply_sender.eml"


def _config(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f'[me]\nemails = ["{JO}"]\n{extra}')
    return path


@pytest.fixture
def jo(patron: Patron, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Patron:
    """The CLI of a user whose address is set (me.emails)."""
    monkeypatch.setenv("PATRON_CONFIG", str(_config(tmp_path)))
    return patron


def listed(patron: Patron, what: str) -> list[dict[str, Any]]:
    return list(json.loads(patron.ok(f"{what} list --json")))


def everyone(patron: Patron) -> str:
    return json.dumps([listed(patron, "person"), listed(patron, "organisation")])


# --- mail sent to many -----------------------------------------------------------------------


def test_a_newsletter_is_kept_as_mail_but_makes_no_people_and_no_asks(jo: Patron) -> None:
    out = jo.ok(f"import mail {NEWSLETTER} {NO_REPLY}")
    assert "2 created" in out and "2 bulk or list (kept as mail: no people, no asks)" in out
    assert "northwind" not in everyone(jo).lower() and "ledgercloud" not in everyone(jo).lower()
    assert listed(jo, "person") == [] and listed(jo, "organisation") == []
    assert json.loads(jo.ok("inbox --json --all")) == []
    summaries = {i["summary"] for i in listed(jo, "interaction")}
    assert summaries == {"This week at Northwind: five ways to close the books faster",
                         "Your export is ready"}  # stored: search and export keep it


def test_a_newsletter_links_the_people_you_already_have(jo: Patron) -> None:
    jo.ok("person add 'Northwind Digest' --email digest@northwind-news.example")
    jo.ok(f"import mail {NEWSLETTER}")
    [person] = listed(jo, "person")
    [mail] = listed(jo, "interaction")
    assert [p["name"] for p in mail["participants"]] == ["Northwind Digest"]
    assert listed(jo, "organisation") == [] and person["name"] == "Northwind Digest"


def test_the_setting_brings_back_people_and_asks_from_bulk_mail(patron: Patron, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATRON_CONFIG", str(_config(tmp_path, "\n[mail]\nbulk_people = true\n")))
    out = patron.ok(f"import mail {NEWSLETTER}")
    assert "1 bulk or list" in out and "kept as mail" not in out
    assert "digest@northwind-news.example" in everyone(patron)
    assert "Northwind News" in {o["name"] for o in listed(patron, "organisation")}
    [suggestion, *_] = json.loads(patron.ok("inbox --json"))
    assert "reader survey" in suggestion["sentence"]


def test_a_big_list_mailbox_is_read_for_asks_in_the_workers_only_with_the_setting(
        patron: Patron, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """More messages than are parsed in-process: the parsing workers hear of the setting."""
    monkeypatch.setenv("PATRON_CONFIG", str(_config(tmp_path, "\n[mail]\nbulk_people = true\n")))
    path = tmp_path / "list.mbox"
    path.write_text("".join(
        f"From lucy@meridian.example Fri Nov 13 09:00:00 2026\nFrom: Lucy Hart <lucy@meridian.example>\n"
        f"To: finance-team@meridian.example\nCc: Jo Banks <{JO}>\nList-Id: <finance-team.meridian.example>\n"
        f"Subject: Item {n}\nMessage-ID: <list-{n}@meridian.example>\n"
        f"Date: Fri, 13 Nov 2026 09:{n % 60:02d}:00 +0000\n\nJo, could you send me item {n} by Friday?\n\n"
        for n in range(320)))
    out = patron.ok(f"import mail {path}")
    assert "320 created" in out and "320 bulk or list" in out
    assert len(json.loads(patron.ok("inbox --json"))) == 320


def test_the_setting_must_be_true_or_false(patron: Patron, tmp_path: Path) -> None:
    config = _config(tmp_path, '\n[mail]\nbulk_people = "yes"\n')
    assert "mail.bulk_people must be true or false" in patron.fails(f"--config {config} config show", 2)


@pytest.mark.parametrize("headers, sender, bulk", [
    ({"list-id": ["<digest.example.org>"]}, "digest@example.org", True),
    ({"list-unsubscribe": ["<mailto:u@example.org>"]}, "news@example.org", True),
    ({"precedence": ["bulk"]}, "helen@meridian.example", True),
    ({"precedence": [" List "]}, "helen@meridian.example", True),
    ({"precedence": ["junk"]}, "helen@meridian.example", True),
    ({"precedence": ["first-class"]}, "helen@meridian.example", False),
    ({"auto-submitted": ["auto-replied"]}, "helen@meridian.example", True),  # out of office
    ({"auto-submitted": ["auto-generated; type=alert"]}, "helen@meridian.example", True),
    ({"auto-submitted": ["no"]}, "helen@meridian.example", False),
    ({}, "no-reply@ledgercloud.example", True),
    ({}, "noreply+8812@github.example", True),
    ({}, "Do_Not_Reply@bank.example", True),
    ({}, "MAILER-DAEMON@mx.example", True),
    ({}, "notifications@github.example", True),
    ({}, "newsletter@northwind.example", True),
    ({}, "helen@meridian.example", False),
    ({}, "noah@meridian.example", False),
    ({}, None, False),
])
def test_what_counts_as_mail_sent_to_many(headers: dict[str, list[str]], sender: str | None,
                                          bulk: bool) -> None:
    assert is_bulk(headers, sender) is bulk


@given(local=st.sampled_from(sorted(AUTOMATED_SENDERS)), tag=st.text("abc123", max_size=6),
       domain=st.sampled_from(["example.org", "mail.example.com"]))
def test_an_automated_sender_is_one_whatever_its_tag_and_case(local: str, tag: str, domain: str) -> None:
    address = f"{local.upper()}{'+' + tag if tag else ''}@{domain}"
    assert is_automated(address)


# --- calendars -------------------------------------------------------------------------------


@pytest.mark.usefixtures("berlin")
@pytest.mark.parametrize("fixture, skipped", [
    ("private_all_day_dentist", 1),
    ("alone_focus_time", 2),  # only you and a room in it; nobody at all in it
    ("transparent_and_everyone_else_declined", 2),
])
def test_events_that_are_no_touchpoint_make_no_meeting(jo: Patron, fixture: str, skipped: int) -> None:
    out = jo.ok(f"import ics {FIXTURES / 'ics' / (fixture + '.ics')}")
    assert f"0 created, 0 updated, 0 unchanged, 0 skipped; {skipped} not touchpoints" in out
    assert listed(jo, "interaction") == []
    assert listed(jo, "person") == [] and listed(jo, "organisation") == []


@pytest.mark.usefixtures("berlin")
def test_a_meeting_with_someone_else_is_still_one(jo: Patron) -> None:
    out = jo.ok(f"import ics {FIXTURES / 'ics' / 'meeting_with_attendee.ics'}")
    assert "1 created" in out and "not touchpoints" not in out
    [meeting] = listed(jo, "interaction")
    assert meeting["summary"] == "Steering committee"
    assert [p["name"] for p in meeting["participants"]] == ["Helen Brandt"]


@pytest.mark.usefixtures("berlin")
def test_a_room_is_no_participant(jo: Patron, tmp_path: Path) -> None:
    meeting = FIXTURES / "ics" / "meeting_with_attendee.ics"
    booked = tmp_path / "meeting_with_a_room.ics"
    booked.write_bytes(meeting.read_bytes().replace(
        b"END:VEVENT", b"ATTENDEE;CUTYPE=ROOM;CN=Room 4.01:mailto:room401@meridian.example\r\nEND:VEVENT"))
    jo.ok(f"import ics {booked}")
    [found] = listed(jo, "interaction")
    assert [p["name"] for p in found["participants"]] == ["Helen Brandt"]
    assert [p["name"] for p in listed(jo, "person")] == ["Helen Brandt"]


@pytest.mark.usefixtures("berlin")
def test_a_meeting_made_private_later_is_removed(jo: Patron, tmp_path: Path) -> None:
    meeting = FIXTURES / "ics" / "meeting_with_attendee.ics"
    jo.ok(f"import ics {meeting}")
    private = tmp_path / "made_private_later.ics"
    private.write_text(meeting.read_text().replace("SUMMARY:", "CLASS:PRIVATE\r\nSUMMARY:"))
    assert "1 updated" in jo.ok(f"import ics {private}")
    assert listed(jo, "interaction") == []


@pytest.mark.usefixtures("berlin")
def test_a_file_of_private_events_and_a_bad_one_is_no_failure(jo: Patron, tmp_path: Path) -> None:
    dentist = (FIXTURES / "ics" / "private_all_day_dentist.ics").read_text()
    path = tmp_path / "private_and_no_start.ics"
    path.write_text(dentist.replace("END:VCALENDAR", "BEGIN:VEVENT\r\nUID:x\r\nEND:VEVENT\r\nEND:VCALENDAR"))
    result = jo("import", "ics", str(path))
    assert result.exit_code == 0, result.output
    assert "1 not touchpoints" in result.stdout and "nothing could be imported" not in result.stderr


# --- todo.txt and Taskwarrior ----------------------------------------------------------------


def test_self_tasks_go_to_your_own_development(patron: Patron) -> None:
    patron.ok("engagement add self --kind client")  # what an earlier import made of +self
    patron.ok("engagement add 'Own development' --kind self")
    assert "3 created" in patron.ok(f"import todotxt {FIXTURES / 'todotxt' / 'self_project.txt'}")
    where = {a["title"]: a["engagement"] for a in listed(patron, "ask")}
    assert where == {"Finish the IFRS 17 course module 3": "Own development",
                     "Write up what I learnt on the Ledger close": "Own development",
                     "Send Helen the audit timetable": "Ledger"}
    kinds = {e["name"]: e["kind"] for e in listed(patron, "engagement")}
    assert kinds == {"self": "client", "Own development": "self", "Ledger": "client"}


def test_self_makes_your_own_development_engagement_when_there_is_none(patron: Patron,
                                                                       tmp_path: Path) -> None:
    patron.ok(f"import todotxt {FIXTURES / 'todotxt' / 'self_project.txt'}")
    tasks = tmp_path / "tasks.json"
    tasks.write_text(json.dumps([{"uuid": "00000000-0000-4000-8000-000000000001", "status": "pending",
                                  "description": "Read the new standard", "project": "SELF",
                                  "entry": "20261101T090000Z"}]))
    patron.ok(f"import taskwarrior {tasks}")
    kinds = {e["name"]: e["kind"] for e in listed(patron, "engagement")}
    assert kinds == {"self": "self", "Ledger": "client"}
    mine = {a["engagement"] for a in listed(patron, "ask") if a["title"] != "Send Helen the audit timetable"}
    assert mine == {"self"}


# --- a request that names you ----------------------------------------------------------------


def test_a_request_that_names_me_among_those_greeted_is_mine(patron: Patron) -> None:
    mail = FIXTURES / "mail" / "request_names_me_among_greeted.eml"
    patron.ok(f"import mail {mail} --owner {JO}")
    [suggestion] = json.loads(patron.ok("inbox --json"))
    assert suggestion["sentence"].startswith("Jo, please let me know by Friday")
    assert suggestion["person"] == "Helen Brandt"
    # Lucy's part of the same message is hers, not an ask of mine
    assert "meeting room" not in patron.ok("inbox --all")


def test_a_greeting_of_someone_else_only_asks_nothing_of_me(jo: Patron) -> None:
    jo.ok(f"import mail {FIXTURES / 'mail' / 'request_to_someone_else_greeted.eml'}")
    assert json.loads(jo.ok("inbox --json --all")) == []
