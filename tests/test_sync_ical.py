"""A task written as a VTODO reads back as the same task, and a rewrite keeps what the phone
added (its alarm, its own properties)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import icalendar
from hypothesis import given
from hypothesis import strategies as st

from patron.sync import ical
from patron.sync.base import Task

NOW = datetime(2026, 11, 20, 10, 0)

_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40).filter(
    lambda t: " ".join(t.split()) == t)
_day = st.dates(date(2000, 1, 1), date(2100, 1, 1))
_due = st.one_of(st.none(), _day.map(date.isoformat),
                 st.builds(lambda d, m: datetime.combine(d, datetime.min.time()) + timedelta(minutes=m),
                           _day, st.integers(1, 1439)).map(datetime.isoformat))
tasks = st.builds(
    Task, uid=st.from_regex(r"[a-z0-9-]{1,20}@patron", fullmatch=True), title=_text, due=_due,
    state=st.sampled_from(("open", "done", "cancelled")),
    priority=st.one_of(st.none(), st.integers(1, 5)),
    description=st.one_of(st.just(""), _text),
    categories=st.lists(st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True), max_size=3,
                        unique=True).map(tuple))


@given(tasks)
def test_a_written_task_reads_back_the_same(task: Task) -> None:
    back = ical.parse(ical.render(task, None, NOW))
    assert back.compared() == task.compared()
    assert (back.priority, back.description, back.categories) == (
        task.priority, task.description, task.categories)
    assert (back.completed is not None) == (task.state == "done")


def test_a_rewrite_keeps_the_phones_alarm() -> None:
    first = ical.render(Task("a@patron", "Board dashboard", "2026-11-27"), None, NOW)
    calendar = icalendar.Calendar.from_ical(first)
    todo = calendar.walk("VTODO")[0]
    alarm = icalendar.Alarm()
    alarm.add("ACTION", "DISPLAY")
    alarm.add("TRIGGER", timedelta(hours=-1))
    todo.add_component(alarm)
    todo.add("X-APPLE-SORT-ORDER", "12")
    changed = Task("a@patron", "Board dashboard v2", "2026-11-28")
    again = ical.render(changed, calendar.to_ical().decode(), NOW)
    assert "BEGIN:VALARM" in again and "X-APPLE-SORT-ORDER:12" in again
    assert ical.parse(again).title == "Board dashboard v2"


def test_a_calendar_without_a_task_is_refused() -> None:
    for text in ("", "garbage", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"):
        try:
            ical.parse(text)
        except ValueError:
            continue
        raise AssertionError(f"{text!r} was read")


# --- repeating tasks -------------------------------------------------------------------------


def test_a_weekly_task_moves_on_to_its_next_monday_one_fewer_to_go() -> None:
    weekly = Task("w@phone", "Status report", "2026-11-23", repeat="FREQ=WEEKLY;BYDAY=MO;COUNT=3",
                  start="2026-11-23")
    upcoming = ical.next_occurrence(weekly)
    assert upcoming == ical.Next("2026-11-30", "2026-11-30", "FREQ=WEEKLY;COUNT=2;BYDAY=MO")
    assert ical.moved_on(replace(weekly, due="2026-11-30", start="2026-11-30"), "2026-11-23", "2026-11-23")
    last = replace(weekly, repeat="FREQ=WEEKLY;BYDAY=MO;COUNT=1")
    assert ical.next_occurrence(last) is None  # the series ends: the task is completed


def test_weekdays_skip_the_weekend_and_a_start_moves_with_the_due_date() -> None:
    friday = Task("d@phone", "Stand-up notes", "2026-11-27T17:00:00",
                  repeat="FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR", start="2026-11-27T09:00:00")
    assert ical.next_occurrence(friday) == ical.Next(
        "2026-11-30T17:00:00", "2026-11-30T09:00:00", "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR")
    moved = replace(friday, due="2026-11-30T17:00:00", start="2026-11-30T09:00:00")
    assert ical.moved_on(moved, "2026-11-27T17:00:00", "2026-11-27T09:00:00")
    assert not ical.moved_on(replace(moved, due="2026-12-01T17:00:00", start="2026-12-01T09:00:00"),
                             "2026-11-27T17:00:00", "2026-11-27T09:00:00")  # put off, not ticked off
    only_due = replace(friday, due="2026-11-30T17:00:00")  # the start stayed: a new date, by hand
    assert not ical.moved_on(only_due, "2026-11-27T17:00:00", "2026-11-27T09:00:00")


def test_a_date_picked_by_hand_is_not_an_occurrence_done() -> None:
    weekly = Task("w@phone", "Status report", "2026-11-25", repeat="FREQ=WEEKLY")
    assert ical.moved_on(weekly, "2026-11-18")
    assert not ical.moved_on(weekly, "2026-11-20")  # five days later: a new date, not the next one
    assert not ical.moved_on(weekly, "2026-11-25")  # not moved at all
    assert not ical.moved_on(weekly, "2026-12-02")  # moved back


def test_a_rule_past_its_end_or_that_never_falls_on_a_day_moves_nothing() -> None:
    for rule in ("FREQ=WEEKLY;UNTIL=20261125T000000Z", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"):
        assert ical.next_occurrence(Task("x@phone", "t", "2026-11-23", repeat=rule)) is None


_HOSTILE = ["FREQ=WEEKLY;INTERVAL=0", "FREQ=DAILY;INTERVAL=-1", "FREQ=SECONDLY", "FREQ=HOURLY",
            "FREQ=NONSENSE", "GARBAGE", "FREQ=WEEKLY;COUNT=x", "FREQ=", ";;;", "FREQ=DAILY;BYHOUR=25",
            "FREQ=WEEKLY;BYSETPOS=0;BYDAY=MO", "FREQ=MONTHLY;INTERVAL=99999999"]


@given(st.sampled_from(_HOSTILE), _day.map(date.isoformat))
def test_a_hostile_rule_is_a_single_task_and_never_hangs(rule: str, due: str) -> None:
    """An interval of 0 keeps dateutil counting for ever: such rules are never handed to it."""
    assert ical.next_occurrence(Task("x@phone", "t", due, repeat=rule)) is None
    assert not ical.moved_on(Task("x@phone", "t", due, repeat=rule), "1999-01-01")


_rules = st.builds(lambda freq, interval, count: f"FREQ={freq};INTERVAL={interval}"
                   + (f";COUNT={count}" if count else ""),
                   st.sampled_from(ical.REPEATS), st.integers(1, 30),
                   st.one_of(st.none(), st.integers(1, 50)))


@given(_rules, _day.map(date.isoformat))
def test_the_next_occurrence_is_later_by_the_rule_and_what_it_says_is_kept(rule: str, due: str) -> None:
    task = Task("x@phone", "t", due, repeat=rule)
    upcoming = ical.next_occurrence(task)
    if upcoming is None:
        assert "COUNT=1" in rule.split(";") or due >= "9990"
        return
    assert upcoming.due is not None and upcoming.due > due
    assert ical.moved_on(replace(task, due=upcoming.due), due)
    written = ical.parse(ical.render(replace(task, due=upcoming.due, repeat=upcoming.repeat), None, NOW))
    assert written.repeat is not None and written.due == upcoming.due
    assert ical.next_occurrence(replace(written, repeat=rule)) is not None or upcoming.due >= "9990"


def test_a_rewrite_keeps_the_phones_rule_and_start() -> None:
    phone = ical.render(Task("r@phone", "Status report", "2026-11-23", repeat="FREQ=WEEKLY;BYDAY=MO",
                             start="2026-11-23"), None, NOW)
    again = ical.parse(ical.render(Task("r@phone", "Weekly status report", "2026-11-23"), phone, NOW))
    assert (again.repeat, again.start, again.title) == ("FREQ=WEEKLY;BYDAY=MO", "2026-11-23",
                                                        "Weekly status report")
