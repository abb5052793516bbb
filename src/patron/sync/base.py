"""What a task store holds and the small interface the sync engine works against."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

COMPARED = ("title", "due", "state")
"""The fields synced both ways; the rest (priority, description, categories) go out only."""

STATES = ("open", "done", "cancelled")


@dataclass(frozen=True)
class Task:
    """One VTODO as Patron reads and writes it.

    ``due`` is text so that a day and a time compare as they are written: ``2026-11-27``
    (a day) or ``2026-11-27T15:00:00`` (a floating local time). Times are local wall-clock.
    ``repeat`` and ``start`` are read from the phone; written only when given, so a task
    rewritten by Patron keeps its own rule and start.
    """

    uid: str
    title: str
    due: str | None = None
    state: str = "open"
    completed: datetime | None = None
    priority: int | None = None
    description: str = ""
    categories: tuple[str, ...] = ()
    last_modified: datetime | None = None
    repeat: str | None = None  # the RRULE of a repeating task ("FREQ=WEEKLY;BYDAY=MO"), as text
    start: str | None = None  # DTSTART, as ``due``: written only when Patron moves a repeating task

    def compared(self) -> dict[str, str | None]:
        return {"title": self.title, "due": self.due, "state": self.state}


@dataclass(frozen=True)
class Remote:
    """A task as the store holds it: where (href), which version (etag) and its text."""

    href: str
    etag: str
    task: Task
    text: str


@dataclass
class Listing:
    """Every task of the store, and the entries that could not be read (href: why)."""

    tasks: list[Remote] = field(default_factory=list)
    unreadable: dict[str, str] = field(default_factory=dict)


class TaskStore(Protocol):
    """A place holding VTODOs: read them all, write one, delete one."""

    @property
    def target(self) -> str:
        """The stable name of this place in the sync state (``vdir:/path``, ``caldav:URL``)."""
        ...

    def tasks(self) -> Listing: ...

    def put(self, task: Task, previous: Remote | None) -> Remote:
        """Write ``task`` (over ``previous``, keeping what Patron does not own) and return it
        as stored."""
        ...

    def delete(self, remote: Remote) -> None: ...
