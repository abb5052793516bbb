"""One VTODO in iCalendar text, read into a ``Task`` and written back from one.

Calendar text from a server is hostile until proven otherwise: it is only parsed by
icalendar, never evaluated, and anything unreadable is a ``ValueError``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import icalendar
from dateutil.rrule import rrulestr

from patron.domain.repeats import futile, rule_texts
from patron.sync.base import Task

PRODID = "-//Patron//sync//EN"
_PRIORITY_IN = {1: 5, 2: 5, 3: 4, 4: 4, 5: 3, 6: 2, 7: 2, 8: 1, 9: 1}
"""iCalendar's PRIORITY (1 highest .. 9 lowest) onto an ask's value (5 .. 1)."""
_PRIORITY_OUT = {5: 1, 4: 3, 3: 5, 2: 7, 1: 9}


class NotATask(ValueError):
    """Calendar text that holds no task (an event, a journal): not an error in a folder that
    holds both."""


def parse(text: str) -> Task:
    """The first VTODO of a calendar text; ``ValueError`` when there is none or it is broken."""
    try:
        calendar = icalendar.Calendar.from_ical(text)
        todo = next((c for c in calendar.walk("VTODO")), None)
        if todo is None:
            raise NotATask("no VTODO in it")
        uid = str(todo.get("UID", "")).strip()
        if not uid:
            raise ValueError("a VTODO without UID")
        return Task(
            uid=uid,
            title=" ".join(str(todo.get("SUMMARY", "")).split()) or "(untitled task)",
            due=due_text(_value(todo, "DUE")),
            state=_state(str(todo.get("STATUS", "NEEDS-ACTION")).upper(), todo),
            completed=_local(_value(todo, "COMPLETED")),
            priority=_priority(todo.get("PRIORITY")),
            description=str(todo.get("DESCRIPTION", "")),
            categories=_categories(todo),
            last_modified=_local(_value(todo, "LAST-MODIFIED")),
            repeat=_rule_text(todo),
            start=due_text(_value(todo, "DTSTART")),
        )
    except ValueError:
        raise
    except Exception as exc:  # icalendar raises many kinds on hostile text
        raise ValueError(f"not a readable calendar ({type(exc).__name__}: {exc})") from None


def render(task: Task, previous: str | None, now: datetime) -> str:
    """``task`` as calendar text; over ``previous`` only Patron's properties change, so what
    the phone added (alarms, notes of its own) stays."""
    calendar, todo = _component(previous, task.uid)
    owned = ("SUMMARY", "DUE", "STATUS", "COMPLETED", "PRIORITY", "CATEGORIES", "LAST-MODIFIED",
             "DTSTAMP", "PERCENT-COMPLETE")
    # The description is Patron's only when it has one to give (engagement, requester): a
    # note written on the phone is never wiped by an ask that has nothing to say there.
    for name in (*owned, "DESCRIPTION") if task.description else owned:
        todo.pop(name, None)
    todo.add("SUMMARY", task.title)
    if task.due:
        todo.add("DUE", _when(task.due))
    todo.add("STATUS", {"open": "NEEDS-ACTION", "done": "COMPLETED", "cancelled": "CANCELLED"}[task.state])
    if task.state == "done":
        todo.add("COMPLETED", _utc(task.completed or now))
        todo.add("PERCENT-COMPLETE", 100)
    if task.priority in _PRIORITY_OUT:
        todo.add("PRIORITY", _PRIORITY_OUT[task.priority])
    if task.description:
        todo.add("DESCRIPTION", task.description)
    if task.categories:
        todo.add("CATEGORIES", list(task.categories))
    if task.start:
        todo.pop("DTSTART", None)
        todo.add("DTSTART", _when(task.start))
    if task.repeat:
        todo.pop("RRULE", None)
        todo.add("RRULE", icalendar.vRecur.from_ical(task.repeat))
    todo.add("LAST-MODIFIED", _utc(now))
    todo.add("DTSTAMP", _utc(now))
    return str(calendar.to_ical().decode("utf-8"))


@dataclass(frozen=True)
class Next:
    """A repeating task's next occurrence: its due date and start (as ``Task.due``), and its
    rule, with one occurrence fewer where the rule counts them."""

    due: str | None
    start: str | None
    repeat: str


def next_occurrence(task: Task) -> Next | None:
    """Where a repeating task goes once its current occurrence is done, as task apps move it:
    due date and start (DTSTART, else the due date, is where the rule counts from) moved on to
    the rule's next occurrence, a counted rule (COUNT) one shorter. None when the task does not
    repeat, has nothing to count from, or the rule has no occurrence left."""
    anchor = task.start or task.due
    rule = _rule(task.repeat)
    if rule is None or not anchor:
        return None
    count = rule.get("COUNT")
    if count and int(count[0]) <= 1:
        return None
    following = _after(_written(rule), anchor)
    if following is None:
        return None
    shift = following - moment(anchor)
    if count:
        rule["COUNT"] = [int(count[0]) - 1]
    return Next(_moved(task.due, shift), _moved(task.start, shift), _written(rule))


def moved_on(task: Task, before: str, start_before: str | None = None) -> bool:
    """Whether a repeating task's due date went from ``before`` to the rule's next occurrence:
    an occurrence ticked off there. Where the task has a start (``start_before`` at the last
    sync), the rule counts from it, and it must have moved by as much as the due date."""
    if not task.repeat or not task.due:
        return False
    shift = moment(task.due) - moment(before)
    if shift <= timedelta(0):
        return False
    if task.start and start_before:
        return (moment(task.start) - moment(start_before) == shift
                and follows(task.repeat, start_before, task.start))
    return follows(task.repeat, before, task.due)


def follows(repeat: str, before: str, after: str) -> bool:
    """Whether ``after`` is the occurrence that comes next after ``before`` in the rule
    ``repeat`` (counted from ``before``; COUNT and UNTIL aside): a due date a task app moved
    on when an occurrence was done, not a date the user picked."""
    rule = _rule(repeat)
    if rule is None:
        return False
    for name in ("COUNT", "UNTIL"):
        rule.pop(name, None)
    following = _after(_written(rule), before)
    return following is not None and following == moment(after)


REPEATS = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
"""The rules a task moves on by: what task apps offer. A task repeating by the hour or
faster is synced as a single task; so is a rule that cannot be read."""


def _rule(repeat: str | None) -> icalendar.vRecur | None:
    """A rule to move a task on by, or None: one that repeats something (``repeats.futile``:
    an INTERVAL of 0 would keep dateutil counting for ever), by the day or slower."""
    if not repeat or futile(repeat) is not None:
        return None
    try:
        rule = icalendar.vRecur.from_ical(repeat)
        count = int(rule.get("COUNT", [1])[0])
    except (ValueError, TypeError, IndexError):
        return None
    frequency = rule.get("FREQ")
    if not frequency or str(frequency[0]).upper() not in REPEATS:
        return None
    return rule if count >= 0 else None


def _written(rule: Any) -> str:
    return bytes(rule.to_ical()).decode()


def _after(repeat: str, anchor: str) -> datetime | None:
    """The rule's first occurrence after ``anchor``, counted from it (naive local times). A
    rule that never falls on a real day (30 February) is given up at year 9999."""
    start = moment(anchor)
    try:
        found = rrulestr(repeat, dtstart=start, ignoretz=True).after(start)
    except (ValueError, TypeError, OverflowError):
        return None  # a rule dateutil cannot read, or one that runs past year 9999
    return found.replace(tzinfo=None) if isinstance(found, datetime) else None


def moment(text: str) -> datetime:
    """A due date or start as ``Task`` writes it (a day or a local time), as a moment: a day
    is its midnight."""
    if len(text) == 10:
        return datetime.combine(date.fromisoformat(text), time())
    return datetime.fromisoformat(text)


def _moved(text: str | None, shift: timedelta) -> str | None:
    if text is None:
        return None
    moved = moment(text) + shift
    return moved.date().isoformat() if len(text) == 10 else moved.isoformat()


def _when(text: str) -> date | datetime:
    return date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)


def _rule_text(todo: Any) -> str | None:
    """The task's rule (several RRULEs are deprecated by RFC 5545: the first is read)."""
    texts = rule_texts(todo)
    return texts[0] if texts else None


def _component(previous: str | None, uid: str) -> tuple[icalendar.Calendar, Any]:
    if previous:
        try:
            calendar = icalendar.Calendar.from_ical(previous)
            todo = next((c for c in calendar.walk("VTODO")), None)
            if todo is not None:
                return calendar, todo
        except Exception:  # an unreadable old text is simply replaced
            pass
    calendar = icalendar.Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    todo = icalendar.Todo()
    todo.add("UID", uid)
    calendar.add_component(todo)
    return calendar, todo


def _value(todo: Any, name: str) -> Any:
    prop = todo.get(name)
    return getattr(prop, "dt", None) if prop is not None else None


def _state(status: str, todo: Any) -> str:
    if status == "COMPLETED" or (status == "NEEDS-ACTION" and todo.get("COMPLETED") is not None
                                 and "STATUS" not in todo):
        return "done"
    return "cancelled" if status == "CANCELLED" else "open"


def due_text(value: Any) -> str | None:
    """A date or a moment as ``Task.due`` writes it: a day alone at midnight, else the local
    time; None for anything else."""
    if isinstance(value, datetime):
        local = _local(value)
        assert local is not None
        return local.date().isoformat() if local.time() == datetime.min.time() else local.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return None


def _local(value: Any) -> datetime | None:
    """A moment as Patron keeps it: naive local wall-clock (a floating time stays as it is)."""
    if isinstance(value, datetime):
        return value.astimezone().replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, date):
        return datetime.combine(value, datetime.min.time())
    return None


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC) if moment.tzinfo else moment.astimezone().astimezone(UTC)


def _priority(raw: Any) -> int | None:
    try:
        return _PRIORITY_IN.get(int(raw)) if raw is not None else None
    except (TypeError, ValueError):
        return None


def _categories(todo: Any) -> tuple[str, ...]:
    raw = todo.get("CATEGORIES")
    if raw is None:
        return ()
    items = raw if isinstance(raw, list) else [raw]
    return tuple(str(c) for item in items for c in getattr(item, "cats", [item]))
