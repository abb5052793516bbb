"""`patron export feed`: a calendar to subscribe to, whose items keep their UID and raise
their SEQUENCE when they change."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import recurring_ical_events
from click.testing import CliRunner
from icalendar import Calendar

from tests.conftest import NOW, Patron

TODAY = NOW.date()  # Friday 20 November 2026


def _day(days: int) -> str:
    return f"{TODAY + timedelta(days=days):%Y-%m-%d}"


def _world(patron: Patron) -> None:
    for line in (
        "engagement add Ledger", "engagement add Old --status done",
        "person add Helen --birthday --0415", "person add Victor --anniversary 2010-06-12",
        "person add Nobody --birthday 1990-01-01",
        "stakeholder add Helen Ledger --role sponsor",
        "stakeholder add Victor Ledger --role manager --since 2026-09-01",
        "stakeholder add Nobody Old --role sponsor",
        f"ask add 'Board preview' --from Helen -e Ledger --due '{_day(3)} 17:00'",
        f"ask add 'Status note' --from Helen -e Ledger --due {_day(5)}",
        "ask add 'Someday' --from Helen -e Ledger",
        f"promise 'Send the plan' --to Victor --due {_day(2)}",
        f"milestone add 'Cut-over' -e Ledger --due {_day(20)}",
        "met Victor standup --at 2026-11-10",
    ):
        patron.ok(line)


def _export(patron: Patron, path: Path) -> dict[str, Any]:
    patron.ok(f"export feed -o {path}")
    calendar = Calendar.from_ical(path.read_bytes())
    return {str(c["SUMMARY"]): c for c in calendar.walk() if c.name in ("VTODO", "VEVENT")}


def test_the_feed_holds_what_is_coming(patron: Patron, tmp_path: Path) -> None:
    _world(patron)
    items = _export(patron, tmp_path / "feed.ics")
    todo = items["Board preview"]
    assert todo.name == "VTODO" and todo["STATUS"] == "NEEDS-ACTION"
    assert todo.decoded("DUE").isoformat() == f"{_day(3)}T17:00:00"     # floating, as kept
    due = items["Due: Board preview"]
    assert due.name == "VEVENT" and due.decoded("DTSTART") == TODAY + timedelta(days=3)
    assert "Someday" not in items                                         # no due date
    assert items["Promised: Send the plan"].name == "VTODO"
    assert items["Due (promised): Send the plan"].name == "VEVENT"
    assert items["Milestone: Cut-over"].decoded("DTSTART") == TODAY + timedelta(days=20)
    check_in = items["Check in with Victor"]                              # 3 days overdue: today
    assert check_in.decoded("DTSTART") == TODAY
    [alarm] = check_in.subcomponents
    assert alarm.name == "VALARM" and alarm.decoded("TRIGGER") == timedelta(hours=9)
    assert "Check in with Helen" not in items     # added today: her first check-in is weeks off
    birthday = items["Helen's birthday"]
    assert birthday["RRULE"]["FREQ"] == ["YEARLY"] and birthday.decoded("DTSTART") == date(2000, 4, 15)
    assert items["Victor's anniversary"].decoded("DTSTART") == date(2010, 6, 12)
    assert "Nobody's birthday" not in items       # in no active engagement
    uids = [str(c["UID"]) for c in items.values()]
    assert len(set(uids)) == len(uids)


def test_a_change_keeps_the_uid_and_raises_the_sequence(db_url: str, tmp_path: Path) -> None:
    patron = Patron(db_url, CliRunner())  # SQLite and PostgreSQL
    _world(patron)
    first = _export(patron, tmp_path / "feed.ics")
    again = _export(patron, tmp_path / "feed.ics")
    assert {k: (str(v["UID"]), int(v["SEQUENCE"])) for k, v in first.items()} == \
        {k: (str(v["UID"]), int(v["SEQUENCE"])) for k, v in again.items()}  # nothing changed
    patron.ok(f"ask edit 'Board preview' --due {_day(4)}")
    patron.ok("done 'Status note'")
    after = _export(patron, tmp_path / "feed.ics")
    for summary in ("Board preview", "Due: Board preview"):
        assert after[summary]["UID"] == first[summary]["UID"]
        assert int(after[summary]["SEQUENCE"]) == int(first[summary]["SEQUENCE"]) + 1
    assert int(after["Promised: Send the plan"]["SEQUENCE"]) == 0      # untouched
    assert "Status note" not in after and "Due: Status note" not in after  # done: gone
    patron.ok("ask edit 'Status note' --status open")                    # back: a new version
    back = _export(patron, tmp_path / "feed.ics")
    assert back["Status note"]["UID"] == first["Status note"]["UID"]
    assert int(back["Status note"]["SEQUENCE"]) == 1


def test_the_uids_belong_to_the_register_and_survive_a_restore(patron: Patron, tmp_path: Path) -> None:
    _world(patron)
    mine = _export(patron, tmp_path / "a.ics")
    other = Patron(str(tmp_path / "other.sqlite"), patron.runner)
    _world(other)
    theirs = _export(other, tmp_path / "b.ics")
    assert mine["Board preview"]["UID"] != theirs["Board preview"]["UID"]
    patron.ok(f"export -o {tmp_path / 'backup.json'}")
    restored = Patron(str(tmp_path / "restored.sqlite"), patron.runner)
    restored.ok(f"restore {tmp_path / 'backup.json'}")
    assert _export(restored, tmp_path / "c.ics")["Board preview"]["UID"] == mine["Board preview"]["UID"]


def test_the_feed_expands_with_recurring_ical_events(patron: Patron, tmp_path: Path) -> None:
    _world(patron)
    path = tmp_path / "feed.ics"
    patron.ok(f"export feed -o {path}")
    calendar = Calendar.from_ical(path.read_bytes())
    coming = recurring_ical_events.of(calendar).between(date(2027, 1, 1), date(2028, 1, 1))
    summaries = sorted(str(e["SUMMARY"]) for e in coming)
    assert summaries == ["Helen's birthday", "Victor's anniversary"]
    days = {str(e["SUMMARY"]): e.decoded("DTSTART") for e in coming}
    assert days["Helen's birthday"] == date(2027, 4, 15)


def test_a_feed_without_a_register_is_a_one_line_error(patron: Patron, tmp_path: Path) -> None:
    error = patron.fails(f"export feed -o {tmp_path / 'feed.ics'}")
    assert error.count("\n") == 1 and not (tmp_path / "feed.ics").exists()


def test_dtstamp_is_when_an_item_last_changed(patron: Patron, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    _world(patron)
    first = _export(patron, tmp_path / "feed.ics")
    monkeypatch.setenv("PATRON_NOW", (NOW + timedelta(hours=5)).isoformat())
    patron.ok(f"ask edit 'Board preview' --due {_day(4)}")
    after = _export(patron, tmp_path / "feed.ics")
    assert after["Board preview"].decoded("DTSTAMP") > first["Board preview"].decoded("DTSTAMP")
    assert after["Status note"].decoded("DTSTAMP") == first["Status note"].decoded("DTSTAMP")
    monkeypatch.setenv("PATRON_NOW", (NOW + timedelta(hours=6)).isoformat())
    before = (tmp_path / "feed.ics").read_bytes()
    patron.ok(f"export feed -o {tmp_path / 'feed.ics'}")
    assert (tmp_path / "feed.ics").read_bytes() == before   # nothing changed: the same file
