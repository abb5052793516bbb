"""Calendars in and out (iCalendar, RFC 5545): events become meetings, meetings come back out.

Every fixture is written by the test that uses it and named by the edge case it covers.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from datetime import time as dt_time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from patron.importers import ics
from patron.store.database import Store
from tests.conftest import NOW, Patron

ZONE = "Europe/Berlin"  # the machine's zone in these tests: UTC+1 in November


@pytest.fixture(autouse=True)
def _in_berlin(berlin: None) -> None:
    """Every test here runs with the machine in ZONE (conftest's ``berlin``)."""


@pytest.fixture
def cal(db_url: str) -> Patron:
    """The CLI on SQLite and on PostgreSQL."""
    return Patron(db_url, CliRunner())


GUEST = "ATTENDEE;CN=Guest:mailto:guest@client.example"
"""Someone at the meeting: an event with nobody but you in it is no touchpoint."""


def event(uid: str, *lines: str, summary: str | None = "Steering committee", alone: bool = False) -> str:
    """A VEVENT; with a guest unless it names its people or is ``alone``."""
    named = any(line.startswith(("ATTENDEE", "ORGANIZER")) for line in lines)
    guest = [] if alone or named else [GUEST]
    body = [f"UID:{uid}", *( [f"SUMMARY:{summary}"] if summary else []), *lines, *guest]
    return "BEGIN:VEVENT\r\n" + "".join(f"{line}\r\n" for line in body) + "END:VEVENT\r\n"


def write(folder: Path, name: str, *events: str, wrap: bool = True) -> Path:
    """A fixture file named by its edge case."""
    path = folder / f"{name}.ics"
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(events)
    if wrap:
        text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" + text + "END:VCALENDAR\r\n"
    path.write_text(text, encoding="utf-8")
    return path


def meetings(patron: Patron) -> list[dict[str, object]]:
    return list(json.loads(patron.ok("interaction list --json")))


def by_summary(patron: Patron) -> dict[str, dict[str, object]]:
    return {str(m["summary"]): m for m in meetings(patron)}


def names(meeting: dict[str, object]) -> set[str]:
    return {str(p["name"]) for p in meeting["participants"]}  # type: ignore[attr-defined]


def sources(patron: Patron) -> set[str]:
    found = json.loads(patron.ok("export"))["tables"]["interaction"]
    return {row["source"] for row in found}


# --- time ------------------------------------------------------------------------------------


def test_more_events_than_one_batch_keep_their_own_people(cal: Patron, tmp_path: Path) -> None:
    """Meetings are written in batches: each keeps its own attendees and time across them."""
    count = 1_203  # two full batches and a remainder
    events = [event(f"many-{n}", f"DTSTART:202610{n % 28 + 1:02d}T090000",
                    f"ATTENDEE;CN=Guest {n}:mailto:guest{n}@client.example", summary=f"Meeting {n}")
              for n in range(count)]
    events.append(event("nobody", "DTSTART:20261001T100000", summary="Nobody invited", alone=True))
    out = cal.ok(f"import ics {write(tmp_path, 'many', *events)}")
    assert "1 not touchpoints" in out
    found = by_summary(cal)
    assert len(found) == count
    for n in (0, 499, 500, 501, 1_000, count - 1):
        assert names(found[f"Meeting {n}"]) == {f"Guest {n}"}
        assert str(found[f"Meeting {n}"]["occurred_at"]).startswith(f"2026-10-{n % 28 + 1:02d}T09:00")
    assert "Nobody invited" not in found  # with nobody else in it, no touchpoint


def test_timezone_vs_floating(cal: Patron, tmp_path: Path) -> None:
    path = write(tmp_path, "timezone_vs_floating",
                 event("ny", "DTSTART;TZID=America/New_York:20261110T100000", summary="In New York"),
                 event("utc", "DTSTART:20261110T100000Z", summary="In UTC"),
                 event("floating", "DTSTART:20261110T100000", summary="Floating"),
                 event("unknown-zone", "DTSTART;TZID=Nowhere/Land:20261110T100000",
                       summary="Unknown zone"))
    assert "4 created" in cal.ok(f"import ics {path}")
    at = {k: v["occurred_at"] for k, v in by_summary(cal).items()}
    assert at["In New York"] == "2026-11-10T16:00:00"   # 15:00 UTC is 16:00 in Berlin
    assert at["In UTC"] == "2026-11-10T11:00:00"
    assert at["Floating"] == "2026-11-10T10:00:00"      # as written
    assert at["Unknown zone"] == "2026-11-10T10:00:00"  # a zone nobody knows reads as floating


def test_a_zone_defined_in_the_file_is_used(cal: Patron, tmp_path: Path) -> None:
    zone = ("BEGIN:VTIMEZONE\r\nTZID:Custom/Plus3\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n"
            "TZOFFSETFROM:+0300\r\nTZOFFSETTO:+0300\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n")
    path = write(tmp_path, "custom_vtimezone", zone,
                 event("c", "DTSTART;TZID=Custom/Plus3:20261110T100000"))
    cal.ok(f"import ics {path}")
    assert meetings(cal)[0]["occurred_at"] == "2026-11-10T08:00:00"  # 07:00 UTC


def test_all_day(cal: Patron, tmp_path: Path) -> None:
    path = write(tmp_path, "all_day",
                 event("day", "DTSTART;VALUE=DATE:20261201", "DTEND;VALUE=DATE:20261203",
                       summary="Offsite"))
    cal.ok(f"import ics {path}")
    assert meetings(cal)[0]["occurred_at"] == "2026-12-01T00:00:00"  # the first day, at 00:00
    exported = cal.ok("export ics")
    assert "DTSTART;VALUE=DATE:20261201" in exported


# --- repeating events -------------------------------------------------------------------------


WEEKLY = ("DTSTART;TZID=Europe/Berlin:20261102T100000", "RRULE:FREQ=WEEKLY;COUNT=6",
          "EXDATE;TZID=Europe/Berlin:20261109T100000")


def test_weekly_recurrence_with_exdate(cal: Patron, tmp_path: Path) -> None:
    path = write(tmp_path, "weekly_recurrence_with_exdate", event("weekly", *WEEKLY))
    assert "5 created" in cal.ok(f"import ics {path}")
    days = sorted(str(m["occurred_at"]) for m in meetings(cal))
    assert days == ["2026-11-02T10:00:00", "2026-11-16T10:00:00", "2026-11-23T10:00:00",
                    "2026-11-30T10:00:00", "2026-12-07T10:00:00"]
    assert "ics:weekly@2026-11-02T09:00:00Z" in sources(cal)  # the original start, in UTC


def test_moved_occurrence(cal: Patron, tmp_path: Path) -> None:
    moved = event("weekly", "RECURRENCE-ID;TZID=Europe/Berlin:20261116T100000",
                  "DTSTART;TZID=Europe/Berlin:20261117T150000", summary="Steering (moved)")
    path = write(tmp_path, "moved_occurrence", event("weekly", *WEEKLY), moved)
    cal.ok(f"import ics {path}")
    found = by_summary(cal)["Steering (moved)"]
    assert found["occurred_at"] == "2026-11-17T15:00:00"
    assert "2026-11-16T10:00:00" not in {m["occurred_at"] for m in meetings(cal)}
    assert "ics:weekly@2026-11-16T09:00:00Z" in sources(cal)  # keyed by where it was


def test_moved_occurrence_without_its_series(cal: Patron, tmp_path: Path) -> None:
    path = write(tmp_path, "recurrence_id_no_master",
                 event("lonely", "RECURRENCE-ID:20200101T100000", "DTSTART:20200102T100000"))
    cal.ok(f"import ics {path}")  # outside the window, but not a repeating event: read
    assert sources(cal) == {"ics:lonely@2020-01-01T10:00:00"}


DAILY_SINCE_2020 = ("DTSTART:20200101T090000", "RRULE:FREQ=DAILY")


def test_the_window_bounds_repetition_not_single_events(cal: Patron, tmp_path: Path) -> None:
    path = write(tmp_path, "daily_for_ever_and_an_old_single_event",
                 event("daily", *DAILY_SINCE_2020, summary="Stand-up"),
                 event("old", "DTSTART:20150101T090000", summary="Old meeting"))
    cal.ok(f"import ics {path}")
    standups = [m for m in meetings(cal) if m["summary"] == "Stand-up"]
    assert len(standups) == 365 + 90  # a year back to 90 days ahead of now
    assert "Old meeting" in by_summary(cal)


def test_since_and_until_set_the_window(cal: Patron, tmp_path: Path) -> None:
    path = write(tmp_path, "daily_for_ever", event("daily", *DAILY_SINCE_2020, summary="Stand-up"))
    cal.ok(f"import ics {path} --since 2026-11-01 --until 2026-11-07")
    assert len(meetings(cal)) == 7  # both days included


def test_since_after_until_is_refused(cal: Patron, tmp_path: Path) -> None:
    path = write(tmp_path, "any", event("a", "DTSTART:20261101T090000"))
    assert "must come before" in cal.fails(f"import ics {path} --since 2026-12-01 --until 2026-11-01", 2)


# --- what is no meeting ------------------------------------------------------------------------


def test_cancelled(cal: Patron, tmp_path: Path) -> None:
    cancelled_occurrence = event("weekly", "RECURRENCE-ID;TZID=Europe/Berlin:20261123T100000",
                                 "DTSTART;TZID=Europe/Berlin:20261123T100000", "STATUS:CANCELLED")
    path = write(tmp_path, "cancelled",
                 event("off", "DTSTART:20261105T100000", "STATUS:CANCELLED", summary="Called off"),
                 event("weekly", *WEEKLY), cancelled_occurrence)
    assert "4 created" in cal.ok(f"import ics {path}")
    assert "Called off" not in by_summary(cal)
    assert "2026-11-23T10:00:00" not in {m["occurred_at"] for m in meetings(cal)}


def test_a_meeting_cancelled_later_is_removed(cal: Patron, tmp_path: Path) -> None:
    cal.ok(f"import ics {write(tmp_path, 'planned', event('x', 'DTSTART:20261125T100000'))}")
    assert len(meetings(cal)) == 1
    later = write(tmp_path, "cancelled_later", event("x", "DTSTART:20261125T100000", "SEQUENCE:1",
                                                     "STATUS:CANCELLED"))
    assert "1 updated" in cal.ok(f"import ics {later}")
    assert meetings(cal) == []


def test_an_invitation_you_declined_is_no_meeting(cal: Patron, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[me]\nemails = ["me@example.org"]\n')
    path = write(tmp_path, "declined_by_me",
                 event("d", "DTSTART:20261105T100000", "ORGANIZER:mailto:helen@ledger.example",
                       "ATTENDEE;PARTSTAT=DECLINED:mailto:me@example.org"))
    cal.ok(f"--config {config} import ics {path}")
    assert meetings(cal) == []


# --- bad input ----------------------------------------------------------------------------------


def test_no_dtstart_and_unparsable_dates_are_reported_with_their_line(cal: Patron,
                                                                       tmp_path: Path) -> None:
    path = write(tmp_path, "no_dtstart_and_bad_date",
                 event("good", "DTSTART:20261105T100000"),
                 event("no-start", summary="No start"),
                 event("bad-date", "DTSTART:2026-13-45", summary="Bad date"))
    result = cal("import", "ics", str(path))
    assert result.exit_code == 0 and "1 created" in result.stdout and "2 skipped" in result.stdout
    begins = [n for n, line in enumerate(path.read_text().splitlines(), start=1)
              if line == "BEGIN:VEVENT"]
    assert begins == [4, 10, 15]
    assert f"{path}: line 10: an event without a start (DTSTART)" in result.stderr
    assert f"{path}: line 15: a start that is not a date: '2026-13-45'" in result.stderr


def test_broken_file_never_stops_the_others(cal: Patron, tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    write(folder, "a_good", event("good", "DTSTART:20261105T100000"))
    broken = folder / "b_broken_file.ics"
    broken.write_text("BEGIN:VCALENDAR\r\nthis is not a content line\r\nEND:VCALENDAR\r\n")
    write(folder, "c_bad_zone_but_good_event",
          "BEGIN:VTIMEZONE\r\nTZID:Bad\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n"
          "TZOFFSETFROM:+9999\r\nTZOFFSETTO:+9999\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n",
          event("also-good", "DTSTART:20261106T100000", summary="Also good"))
    (folder / "d_unreadable.ics").mkdir()  # a folder named like a file: not read, not fatal
    result = cal("import", "ics", str(folder))
    assert result.exit_code == 0, result.output
    assert "2 created" in result.stdout
    assert f"{broken}: line 2: not a calendar that can be read" in result.stderr
    assert "Traceback" not in result.output


def test_a_file_with_nothing_good_ends_with_exit_code_2(cal: Patron, tmp_path: Path) -> None:
    path = write(tmp_path, "only_bad_events", event("no-start"))
    err = cal.fails(f"import ics {path}", 2)
    assert f"skipped {path}: line 4: an event without a start" in err
    assert "nothing could be imported" in err


def test_an_empty_calendar_is_one_line_and_exit_code_2(cal: Patron, tmp_path: Path) -> None:
    path = write(tmp_path, "empty_calendar")
    err = cal.fails(f"import ics {path}", 2)
    assert err == f"patron: nothing could be imported from {path}: it holds no events\n"


def test_a_missing_path_is_one_line(cal: Patron, tmp_path: Path) -> None:
    assert "no such file or folder" in cal.fails(f"import ics {tmp_path / 'absent.ics'}", 2)


def test_hostile_text_is_kept_as_text(cal: Patron, tmp_path: Path) -> None:
    long = "word " * 1000
    path = write(tmp_path, "control_characters_and_long_description",
                 event("h", "DTSTART:20261105T100000", f"DESCRIPTION:{long}",
                       summary="<script>alert(1)</script>\x07"))
    cal.ok(f"import ics {path}")
    found = meetings(cal)[0]
    assert found["summary"] == "<script>alert(1)</script>"
    notes = str(json.loads(cal.ok(f"interaction show {found['id']} --json"))["notes"])
    assert len(notes) <= ics.NOTES_LIMIT and notes.endswith("word…")


# --- folders and idempotence ---------------------------------------------------------------------


def test_folder_of_one_event_files(cal: Patron, tmp_path: Path) -> None:
    folder = tmp_path / "khal" / "calendars"
    write(folder / "work", "one", event("one", "DTSTART:20261105T100000", summary="One"), wrap=False)
    write(folder / "work", "two", event("two", "DTSTART:20261106T100000", summary="Two"))
    write(folder / "home", "three", event("three", "DTSTART:20261107T100000", summary="Three"))
    (folder / "work" / "displayname").write_text("Work")  # vdirsyncer's metadata: not a calendar
    assert "3 created" in cal.ok(f"import ics {tmp_path / 'khal'}")
    assert set(by_summary(cal)) == {"One", "Two", "Three"}


def test_importing_twice_changes_nothing(cal: Patron, tmp_path: Path) -> None:
    path = write(tmp_path, "weekly_and_single", event("weekly", *WEEKLY),
                 event("single", "DTSTART:20261105T100000", "ATTENDEE:mailto:helen@ledger.example"))
    cal.ok(f"import ics {path}")
    before = cal.ok("export")
    assert "0 created, 0 updated, 6 unchanged, 0 skipped" in cal.ok(f"import ics {path}")
    assert cal.ok("export") == before


def test_a_changed_event_is_updated_not_duplicated(cal: Patron, tmp_path: Path) -> None:
    cal.ok(f"import ics {write(tmp_path, 'first', event('x', 'DTSTART:20261105T100000'))}")
    changed = write(tmp_path, "moved_to_another_day",
                    event("x", "DTSTART:20261106T140000", "ATTENDEE:mailto:helen@ledger.example",
                          summary="Steering committee, moved"))
    assert "0 created, 1 updated" in cal.ok(f"import ics {changed}")
    [found] = meetings(cal)
    assert found["occurred_at"] == "2026-11-06T14:00:00" and names(found) == {"Helen"}


def test_the_same_event_in_two_files(cal: Patron, tmp_path: Path) -> None:
    folder = tmp_path / "two_calendars"
    write(folder / "a", "copy", event("x", "DTSTART:20261105T100000"))
    write(folder / "b", "copy", event("x", "DTSTART:20261105T100000"))
    write(folder / "c", "newer_revision", event("x", "DTSTART:20261105T110000", "SEQUENCE:2"))
    result = cal("import", "ics", str(folder))
    assert "1 created" in result.stdout
    assert meetings(cal)[0]["occurred_at"] == "2026-11-05T11:00:00"  # the latest revision
    assert result.stderr.count("the same event (UID x)") == 1  # the identical copy is no news


def test_dry_run_changes_nothing(cal: Patron, tmp_path: Path) -> None:
    cal.ok("person add Someone")
    before = cal.ok("export")
    out = cal.ok(f"import ics {write(tmp_path, 'any', event('a', 'DTSTART:20261105T100000'))} --dry-run")
    assert "Would import: 1 created" in out
    assert cal.ok("export") == before


def test_standard_input(cal: Patron, tmp_path: Path) -> None:
    text = write(tmp_path, "piped", event("p", "DTSTART:20261105T100000")).read_text()
    assert "1 created" in cal.ok("import ics -", input=text)


# --- people ---------------------------------------------------------------------------------------


def test_attendee_matching_existing_person_by_address(cal: Patron, tmp_path: Path) -> None:
    for line in ("engagement add Ledger", "person add 'Helen Brandt' --email helen@ledger.example",
                 "stakeholder add Helen Ledger --role sponsor"):
        cal.ok(line)
    config = tmp_path / "config.toml"
    config.write_text('[me]\nemails = ["Me@Example.org"]\n')
    path = write(tmp_path, "attendee_matching_existing_person_by_address",
                 event("m", "DTSTART:20261105T100000",
                       "ORGANIZER;CN=H. Brandt:MAILTO:Helen@Ledger.example",
                       "ATTENDEE;CN=Me;PARTSTAT=ACCEPTED:mailto:me@example.org",
                       'ATTENDEE;CN="Lam, Victor":mailto:victor@ledger.example',
                       "ATTENDEE;CN=Nobody;PARTSTAT=DECLINED:mailto:nobody@ledger.example",
                       "ATTENDEE:urn:uuid:00000000-0000-0000-0000-000000000000"))
    cal.ok(f"--config {config} import ics {path}")
    [found] = meetings(cal)
    assert names(found) == {"Helen Brandt", "Victor Lam"}  # not me, not who declined
    assert found["engagement"] == "Ledger"  # through Helen's role
    people = {p["name"]: p for p in json.loads(cal.ok("person list --json"))}
    assert set(people) == {"Helen Brandt", "Victor Lam"}
    roles = json.loads(cal.ok("export"))["tables"]["interaction_participant"]
    ids = {p["name"]: p["id"] for p in people.values()}
    assert {(r["person_id"], r["role"]) for r in roles} == {(ids["Helen Brandt"], "organiser"),
                                                            (ids["Victor Lam"], "attendee")}


# --- export -----------------------------------------------------------------------------------------


def test_export_writes_uids_attendees_and_the_organiser(cal: Patron, tmp_path: Path) -> None:
    cal.ok("person add 'Helen Brandt' --email helen@ledger.example --email a.helen@ledger.example")
    cal.ok("person add 'No Address'")
    cal.ok("interaction add 'Kick-off' --with Helen --with 'No Address' --at '2026-11-03 09:30'")
    cal.ok("interaction add 'A mail' --kind mail --with Helen --at '2026-11-04 09:30'")
    path = write(tmp_path, "imported", event("abc@google.com", "DTSTART:20261105T100000",
                                             "ORGANIZER;CN=Helen:mailto:helen@ledger.example"))
    cal.ok(f"import ics {path}")
    out = cal.ok("export ics")
    assert "UID:patron-interaction-1@patron" in out and "UID:abc@google.com" in out
    assert "A mail" not in out  # mail is not a calendar's
    assert 'ATTENDEE;CN="Helen Brandt":mailto:a.helen@ledger.example' in out  # the first address
    assert 'ORGANIZER;CN="Helen Brandt":mailto:a.helen@ledger.example' in out
    assert "No Address" not in out
    target = tmp_path / "out.ics"
    cal.ok(f"export ics -o {target}")
    assert "matched" in cal.ok(f"import ics {target}")  # Patron's own come back to themselves
    assert len(meetings(cal)) == 3


# --- future meetings are upcoming touchpoints ------------------------------------------------------


def test_a_booked_meeting_is_the_next_touchpoint_not_an_overdue_one(cal: Patron, tmp_path: Path) -> None:
    for line in ("engagement add Ledger", "person add 'Helen Brandt' --email helen@ledger.example",
                 "person add Victor", "stakeholder add Helen Ledger --role sponsor",
                 "stakeholder add Victor Ledger --role manager",
                 "met Helen 'Quarterly' --at 2026-08-01", "met Victor 'Catch-up' --at 2026-08-01"):
        cal.ok(line)
    path = write(tmp_path, "future_meeting", event("f", "DTSTART:20261203T100000",
                                                   "ATTENDEE:mailto:helen@ledger.example"))
    cal.ok(f"import ics {path}")
    due = json.loads(cal.ok("due --json"))
    assert [d["person"] for d in due] == ["Victor", "Helen Brandt"]  # who needs a call first
    victor, helen = due
    assert victor["due"]["days_overdue"] > 0 and victor["booked"] is None
    assert helen["due"]["last_contact"] == "2026-08-01"  # the future meeting has not happened
    assert helen["due"]["booked_on"] == "2026-12-03"
    assert helen["booked"]["summary"] == "Steering committee"
    text = cal.ok("due")
    assert "2026-12-03 10:00" in text and "booked: Steering committee" in text
    overview = json.loads(cal.ok("overview --json"))
    [ledger] = overview["engagements"]
    assert [c["person"] for c in ledger["overdue"]] == ["Victor"]


def test_the_window_default_is_documented(tmp_path: Path) -> None:
    window = ics.Window.around(NOW)
    assert window.since == NOW - timedelta(days=365) and window.until == NOW + timedelta(days=90)
    assert datetime(2026, 1, 1) > window.since


# --- a future meeting is never a contact that already happened ---------------------------------


def test_a_future_meeting_is_never_counted_as_a_contact_that_happened(store: Store) -> None:
    from patron.domain.records import ENGAGEMENT, INTERACTION, PERSON, STAKEHOLDER
    from patron.services import hire, overview, ranking, related, relationships, review
    from patron.services.records import add
    from patron.settings import defaults
    from patron.store.reader import ConnectionReader

    settings = defaults()
    with store.begin() as conn:
        ledger = add(conn, ENGAGEMENT, {"name": "Ledger", "kind": "client"}, NOW)
        helen = add(conn, PERSON, {"name": "Helen"}, NOW)
        add(conn, STAKEHOLDER, {"person_id": helen, "engagement_id": ledger, "role": "sponsor",
                                "added_on": NOW.date() - timedelta(days=30)}, NOW)
        add(conn, INTERACTION, {"summary": "Board prep", "occurred_at": NOW + timedelta(days=3),
                                "participants": [helen], "engagement_id": ledger, "sentiment": 2}, NOW)
    with store.read() as conn:
        assert overview.last_contacts(conn, NOW) == {}
        assert overview.next_touchpoints(conn, NOW)[helen].summary == "Board prep"
        _, stakes = ranking.requesters(ConnectionReader(conn), settings, NOW)
        # no contact yet: late from the first check-in, a cadence after she joined
        assert stakes[(helen, ledger)].overdue_days == 30 - settings.cadence_days("sponsor")
        assert related.related(conn, PERSON, helen, NOW)["last contact"] is None
        facts = hire.score(conn, settings, NOW, ledger).facts
        assert list(facts.contact_health) == [0.0] and list(facts.sentiments) == []
        assert relationships.visibility(conn, NOW) == []
        [due] = relationships.due(conn, settings, NOW)
        assert due.due.last_contact is None and not due.due.overdue and due.booked is not None
        assert review.build(conn, settings, NOW, "month").neglected == []
        [view] = overview.build(conn, settings, NOW).engagements
        assert view.overdue == []  # booked, so not overdue


# --- export -> import -> export is the identity -------------------------------------------------

_WORDS = st.text(alphabet=st.characters(categories=["L"]), min_size=1, max_size=8)
_TEXT = st.text(alphabet=st.sampled_from("abcXYZ éß 09,;:\\\"'<>\n-—"), min_size=1, max_size=60)
_MOMENT = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2060, 12, 31)).map(
    lambda d: d.replace(microsecond=0)) | st.dates(min_value=date(1990, 1, 1)).map(
    lambda d: datetime.combine(d, dt_time()))
_RECURRENCE = st.none() | st.sampled_from(["2026-11-20T09:00:00Z", "2026-11-20T10:00:00",
                                           "2026-11-20"])


@st.composite
def _registers(draw: st.DrawFn) -> tuple[list[Any], list[Any]]:
    """People (unique names, clean as imports make them; some without an address) and their
    interactions of every kind, some imported from a calendar before."""
    names = draw(st.lists(st.lists(_WORDS, min_size=1, max_size=3).map(" ".join), max_size=6,
                          unique_by=str.lower))
    people = [(n, [f"p{i}a{j}@{('example.org', 'gmail.com')[i % 2]}"
                   for j in range(draw(st.integers(0, 2)))]) for i, n in enumerate(names)]
    roles = st.sampled_from([None, "organiser", "attendee", "from", "to", "cc"])
    interactions = draw(st.lists(st.tuples(
        _TEXT, _MOMENT, st.sampled_from(["meeting", "call", "presentation", "mail", "message"]),
        st.none() | _TEXT,
        st.dictionaries(st.integers(0, max(len(people) - 1, 0)), roles) if people else st.just({}),
        st.none() | st.tuples(st.from_regex(r"[a-z0-9]{1,12}(@[a-z]{1,8}\.com)?", fullmatch=True),
                              _RECURRENCE),
    ), max_size=8, unique_by=lambda row: row[5]))
    return people, interactions


def _fill(conn: Any, people: list[Any], interactions: list[Any]) -> None:
    from patron.store import schema

    ids = []
    for name, addresses in people:
        ident = conn.execute(schema.person.insert().values(name=name)).inserted_primary_key[0]
        ids.append(ident)
        for address in addresses:
            conn.execute(schema.person_email.insert().values(address=address, person_id=ident))
    for summary, at, kind, notes, participants, source in interactions:
        written = None if source is None else ics.source_of(*source)
        ident = conn.execute(schema.interaction.insert().values(
            summary=summary, occurred_at=at, kind=kind, direction="both", notes=notes,
            source=written)).inserted_primary_key[0]
        for person, role in participants.items():
            conn.execute(schema.interaction_participant.insert().values(
                interaction_id=ident, person_id=ids[person], role=role))


def _normal(calendar: str) -> list[str]:
    """The events, each as its sorted lines, without the stamps that change on every export."""
    events = calendar.split("BEGIN:VEVENT\r\n")[1:]
    return sorted("\r\n".join(sorted(line for line in e.split("\r\n")
                                     if not line.startswith(("DTSTAMP", "PRODID")))) for e in events)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(register=_registers())
def test_export_import_export_gives_the_same_calendar(store: Store,
                                                      register: tuple[list[Any], list[Any]]) -> None:
    from patron.services import imports
    from patron.services.calendar import events_import, export_calendar

    window = ics.Window.around(NOW)
    with store.engine.connect() as conn:
        with conn.begin() as source:
            _fill(conn, *register)
            first = export_calendar(conn, NOW)
            source.rollback()
        with conn.begin() as target:  # the same, empty register
            reading = ics.read_text(first, "export.ics", window)
            outcome = imports.store_all(conn, events_import(reading, [], NOW, "export.ics"))
            assert outcome.problems == [] and outcome.created == len(list(reading.drafts))
            second = export_calendar(conn, NOW + timedelta(days=1))
            target.rollback()
    assert _normal(second) == _normal(first)


def test_an_event_without_uid_is_the_same_meeting_when_read_again(cal: Patron, tmp_path: Path) -> None:
    no_uid = f"BEGIN:VEVENT\r\nSUMMARY:No UID\r\nDTSTART:20261105T100000\r\n{GUEST}\r\nEND:VEVENT\r\n"
    other = event("other", "DTSTART:20261106T100000")
    cal.ok(f"import ics {write(tmp_path, 'no_uid', no_uid, other)}")
    assert "0 created, 0 updated, 2 unchanged" in cal.ok(
        f"import ics {write(tmp_path, 'no_uid_reordered', other, no_uid)}")


def test_an_unchanged_file_is_not_parsed_again_but_still_owns_its_meetings(
        cal: Patron, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What a file gave is kept by its bytes: the second import does not parse it, and
    still puts back what the calendar owns (a summary edited by hand, a meeting removed)."""
    path = write(tmp_path, "kept_read", event("one", "DTSTART:20261105T100000"),
                 event("two", "DTSTART:20261106T100000", summary="Review"))
    cal.ok(f"import ics {path}")
    found = by_summary(cal)
    cal.ok(f"interaction edit {found['Review']['id']} --summary 'Renamed by hand'")
    cal.ok(f"interaction remove {found['Steering committee']['id']} --yes")
    with monkeypatch.context() as patched:
        patched.setattr(ics, "parse", lambda *args: pytest.fail("an unchanged file was parsed again"))
        again = cal.ok(f"import ics {path}")
    assert "1 created, 1 updated, 0 unchanged" in again
    assert sorted(by_summary(cal)) == ["Review", "Steering committee"]
    assert "0 created, 0 updated, 2 unchanged" in cal.ok(f"import ics {path}")


def test_a_changed_file_is_read_again_and_a_dry_run_keeps_nothing(cal: Patron, tmp_path: Path) -> None:
    path = write(tmp_path, "kept_read_changed", event("one", "DTSTART:20261105T100000"))
    assert "Would import: 1 created" in cal.ok(f"import ics {path} --dry-run")
    assert "Imported: 1 created" in cal.ok(f"import ics {path}")
    write(tmp_path, "kept_read_changed", event("one", "DTSTART:20261105T100000", summary="Moved"))
    assert "0 created, 1 updated" in cal.ok(f"import ics {path}")
    assert list(by_summary(cal)) == ["Moved"]
