"""One VTODO in iCalendar text, read into a ``Task`` and written back from one.

Calendar text from a server is hostile until proven otherwise: it is only parsed by
icalendar, never evaluated, and anything unreadable is a ``ValueError``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import icalendar

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
            due=_due_text(_value(todo, "DUE")),
            state=_state(str(todo.get("STATUS", "NEEDS-ACTION")).upper(), todo),
            completed=_local(_value(todo, "COMPLETED")),
            priority=_priority(todo.get("PRIORITY")),
            description=str(todo.get("DESCRIPTION", "")),
            categories=_categories(todo),
            last_modified=_local(_value(todo, "LAST-MODIFIED")),
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
        due = date.fromisoformat(task.due) if len(task.due) == 10 else datetime.fromisoformat(task.due)
        todo.add("DUE", due)
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
    todo.add("LAST-MODIFIED", _utc(now))
    todo.add("DTSTAMP", _utc(now))
    return str(calendar.to_ical().decode("utf-8"))


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


def _due_text(value: Any) -> str | None:
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
