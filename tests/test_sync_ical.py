"""A task written as a VTODO reads back as the same task, and a rewrite keeps what the phone
added (its alarm, its own properties)."""

from __future__ import annotations

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
