"""Asks synced both ways with a task store (a vdir folder or a CalDAV calendar).

Three-way: each side is compared with the state of the last sync, kept per task in
``import_state`` under ``sync:<target>:<uid>``: the ask, the task's href and ETag, the
synced fields (title, due, state) as both sides last agreed on them, a hash of everything
Patron last wrote, and when. A field changed on one side only goes to the other; changed on
both to different values, the newer change wins and the other is reported (``Conflict``).

- An ask removed in Patron: its task is deleted there.
- A task deleted there: the ask stays (its history is yours), its link is dropped (kept as a
  tombstone so the ask is not sent again) and the outcome names it. Named in ``resend``, it
  is sent again as a new task.
- A task created there (open): a new ask with source ``<kind>:<uid>``.
- A repeating task (RRULE): each occurrence is an ask. Done here, the task moves on to its
  next occurrence, as task apps move it, and the next occurrence is a new ask; moved on there
  to the rule's next occurrence (how an app ticks one off), the ask is done and the next
  occurrence is a new ask. A done ask keeps its history; the task's link goes to the new ask.
- Patron keeps no time of an edit to an ask's title or due date; such an edit counts as made
  when the sync finds it, the latest it can be. Being done has its time (``done_at``).

Nothing is written to the register unless every write to the store succeeded: the store is
listed and written inside the register's transaction (one sync at a time), which a failure
rolls back.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from patron.domain.records import ASK
from patron.errors import InvalidInput
from patron.services import records
from patron.services.names import resolve
from patron.store import schema
from patron.store.database import Store
from patron.store.pieces import chunks
from patron.sync import ical
from patron.sync.base import COMPARED, Listing, Remote, Task, TaskStore

UID_PREFIX = "patron-ask-"
UID_DOMAIN = "@patron"
"""An ask's task UID: ``patron-ask-<id>@patron``, stable for the life of the ask."""

Fields = dict[str, str | None]


@dataclass(frozen=True)
class Conflict:
    """Both sides changed one field of one ask since the last sync."""

    ask: str
    field: str
    kept: str | None
    lost: str | None
    winner: str  # "patron" or "there"

    def line(self) -> str:
        side = "Patron's" if self.winner == "patron" else "the task's"
        other = "the task's" if self.winner == "patron" else "Patron's"
        return (f"{self.ask!r}: both changed {self.field}; kept {side} {_shown(self.kept)}, "
                f"dropped {other} {_shown(self.lost)}")


@dataclass(frozen=True)
class Repeated:
    """One occurrence of a repeating task done (``where``: "here" or "there"): the ask done
    and the new ask of the next occurrence."""

    ask: str
    done: int
    next_ask: int
    next_due: str | None
    where: str

    def line(self) -> str:
        due = f", due {self.next_due.replace('T', ' ')}" if self.next_due else ""
        return f"{self.ask!r} done {self.where} (#{self.done}); the next one is #{self.next_ask}{due}"


@dataclass
class Outcome:
    target: str
    dry_run: bool = False
    sent: int = 0  # tasks created there
    updated_there: int = 0
    deleted_there: int = 0  # asks removed in Patron
    new_asks: int = 0
    changed_asks: int = 0
    done_asks: int = 0
    unchanged: int = 0
    unlinked: list[str] = field(default_factory=list)  # asks whose task was deleted there
    resent: list[str] = field(default_factory=list)  # asks sent again (``resend``)
    repeated: list[Repeated] = field(default_factory=list)  # occurrences of repeating tasks done
    conflicts: list[Conflict] = field(default_factory=list)
    unreadable: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "target": self.target, "dry_run": self.dry_run, "sent": self.sent,
            "updated_there": self.updated_there, "deleted_there": self.deleted_there,
            "new_asks": self.new_asks, "changed_asks": self.changed_asks,
            "done_asks": self.done_asks, "unchanged": self.unchanged,
            "unlinked": self.unlinked, "resent": self.resent,
            "repeated": [{"ask": r.ask, "done": r.done, "next_ask": r.next_ask, "next_due": r.next_due,
                          "done_where": r.where} for r in self.repeated],
            "conflicts": [{"ask": c.ask, "field": c.field, "kept": c.kept, "lost": c.lost,
                           "winner": c.winner} for c in self.conflicts],
            "unreadable": [{"href": h, "why": w} for h, w in self.unreadable.items()],
        }


@dataclass
class _Link:
    uid: str
    ask: int
    href: str = ""
    etag: str = ""
    base: Fields = field(default_factory=dict)
    patron: str = ""
    dropped: bool = False
    start: str | None = None  # the task's start (DTSTART) at the last sync, where it has one


SYNC_LOCK = 0x7061_7379  # "pasy": the PostgreSQL advisory lock one sync holds
"""Two syncs at once would each list the tasks before the other wrote them and take the
other's new tasks for tasks deleted there: a sync waits for the one before it. SQLite's
write lock, taken up front by ``Store.begin``, does the same there."""


def run(store: Store, tasks: TaskStore, now: datetime, *, dry_run: bool = False,
        resend: Sequence[str] = ()) -> Outcome:
    """Sync every open ask (and every linked one) with ``tasks``. The tasks are listed and
    written inside the register's transaction, so a server that is down, refuses the login
    or answers garbage, at any point, leaves the register as it was. ``resend``: asks (as
    the user names them) whose task was deleted there, to send again."""
    with store.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({SYNC_LOCK})")
        listing = tasks.tasks()
        outcome = Outcome(tasks.target, dry_run=dry_run, unreadable=dict(listing.unreadable))
        again = [resolve(conn, ASK, name) for name in resend]
        _Sync(conn, tasks, listing, now, outcome, dry_run).run(again)
        if dry_run:
            conn.rollback()
    return outcome


class _Sync:
    def __init__(self, conn: Connection, tasks: TaskStore, listing: Listing, now: datetime,
                 outcome: Outcome, dry_run: bool) -> None:
        self.conn, self.store, self.now, self.outcome, self.dry_run = conn, tasks, now, outcome, dry_run
        self.prefix = f"sync:{tasks.target}:"
        self.remote = {r.task.uid: r for r in listing.tasks}
        self.unreadable = set(listing.unreadable)
        self.saved: set[int] = set()  # asks linked during this run (a repeating task's next one)

    def run(self, resend: Sequence[int] = ()) -> None:
        links = self._links()
        self._resend(links, resend)
        linked_asks = {link.ask for link in links.values()}
        asks = _ask_rows(self.conn, sorted(linked_asks))
        for link in links.values():
            if not link.dropped:
                self._linked(link, asks.get(link.ask))
            elif link.ask not in asks:
                self._forget(link.uid)  # a tombstone outlives its ask no longer
            self.remote.pop(link.uid, None)
        for ask in self._unlinked_open_asks(linked_asks | self.saved):
            self._send(ask)
        for remote in sorted(self.remote.values(), key=lambda r: r.href):
            self._receive(remote)

    def _resend(self, links: dict[str, _Link], asks: Sequence[int]) -> None:
        """Forget the dropped links of ``asks``, so each is sent again as a new task; an ask
        that is not open, or whose task is not deleted there, is an error (nothing written)."""
        dropped = {link.ask: link for link in links.values() if link.dropped}
        rows = _ask_rows(self.conn, sorted(set(asks)))
        for ident in dict.fromkeys(asks):
            title = rows[ident]["title"]
            if ident not in dropped:
                raise InvalidInput(f"{title!r} (ask #{ident}) has no task deleted there to send again")
            if rows[ident]["status"] in ("done", "declined"):
                raise InvalidInput(f"{title!r} (ask #{ident}) is {rows[ident]['status']}: "
                                   "only open asks are sent")
        for ident in dict.fromkeys(asks):
            self._forget(dropped[ident].uid)
            del links[dropped[ident].uid]
            self.outcome.resent.append(rows[ident]["title"])

    # --- each case -----------------------------------------------------------------

    def _linked(self, link: _Link, ask: Mapping[str, Any] | None) -> None:
        remote = self.remote.get(link.uid)
        if remote is None and link.href in self.unreadable:
            return  # unreadable this time: left for a later run, reported as unreadable
        if ask is None:
            if remote is not None:
                self._delete(remote)
                self.outcome.deleted_there += 1
            self._forget(link.uid)
            return
        if remote is None:
            link.dropped = True
            self._save(link)
            self.outcome.unlinked.append(ask["title"])
            return
        self._three_way(link, ask, remote)

    def _three_way(self, link: _Link, ask: Mapping[str, Any], remote: Remote) -> None:
        mine, theirs = _task_of(ask, link.uid).compared(), remote.task.compared()
        patron_changed = _hash(_task_of(ask, link.uid)) != link.patron
        there_changed = remote.etag != link.etag
        if not patron_changed and not there_changed:
            self.outcome.unchanged += 1
            return
        if there_changed and self._moved_on_there(link, ask, remote):
            return
        apply: Fields = {}
        for name in COMPARED:
            here, there, before = mine[name], theirs[name], link.base.get(name)
            if not there_changed or there in (before, here):
                continue
            if here == before:
                apply[name] = there
                continue
            winner = self._newer(name, ask, remote)
            kept, lost = (here, there) if winner == "patron" else (there, here)
            self.outcome.conflicts.append(Conflict(ask["title"], name, kept, lost, winner))
            if winner == "there":
                apply[name] = there
        if apply:
            self._apply(int(ask["id"]), apply, remote.task)
            ask = _ask_rows(self.conn, [int(ask["id"])])[int(ask["id"])]
        task = _task_of(ask, link.uid)
        upcoming = ical.next_occurrence(remote.task) if task.state == "done" and theirs["state"] == "open" \
            else None
        if upcoming is not None:
            self._done_here(link.uid, ask, remote, upcoming)
            return
        if task.compared() != theirs or (patron_changed and _hash(task) != _hash_of_remote(remote)):
            remote = self._put(task, remote)
            self.outcome.updated_there += 1
        elif not apply:
            self.outcome.unchanged += 1
        self._save(_Link(link.uid, int(ask["id"]), remote.href, remote.etag, task.compared(),
                         _hash(task), start=remote.task.start))

    def _done_here(self, uid: str, ask: Mapping[str, Any], remote: Remote, upcoming: ical.Next) -> None:
        """An occurrence of a repeating task done here: the task moves on to the next one
        there, and the next one is an ask of its own."""
        following = self._next_ask(ask, ask["title"], upcoming.due)
        task = replace(_task_of(following, uid), start=upcoming.start, repeat=upcoming.repeat)
        remote = self._put(task, remote)
        self.outcome.updated_there += 1
        self.outcome.repeated.append(Repeated(ask["title"], int(ask["id"]), int(following["id"]),
                                              upcoming.due, "here"))
        self._save(_Link(uid, int(following["id"]), remote.href, remote.etag, task.compared(), _hash(task),
                         start=upcoming.start))

    def _moved_on_there(self, link: _Link, ask: Mapping[str, Any], remote: Remote) -> bool:
        """A repeating task moved on there to its next occurrence while the ask's due date
        stayed as it was: how task apps tick an occurrence off. The ask is done (when the task
        changed; it may be done here already) and the next occurrence is an ask of its own."""
        task, before = remote.task, link.base.get("due")
        if (task.state != "open" or ask["status"] == "declined" or before is None
                or ical.due_text(ask["due_at"]) != before or not ical.moved_on(task, before, link.start)):
            return False
        if ask["status"] != "done":  # done here as well: the same occurrence, ticked off twice
            change = records.Change()
            change.set.update(status="done", done_at=task.last_modified or self.now)
            records.edit(self.conn, ASK, int(ask["id"]), change, self.now)
            self.outcome.changed_asks += 1
            self.outcome.done_asks += 1
        title = task.title if task.title != link.base.get("title") else ask["title"]
        following = self._next_ask(ask, title, task.due)
        mine = _task_of(following, link.uid)
        if _hash(mine) != _hash_of_remote(remote):
            remote = self._put(mine, remote)
            self.outcome.updated_there += 1
        self.outcome.repeated.append(Repeated(ask["title"], int(ask["id"]), int(following["id"]),
                                              task.due, "there"))
        self._save(_Link(link.uid, int(following["id"]), remote.href, remote.etag, mine.compared(),
                         _hash(mine), start=task.start))
        return True

    def _next_ask(self, ask: Mapping[str, Any], title: str, due: str | None) -> Mapping[str, Any]:
        """The next occurrence of a repeating task's ask: the same ask, open, due then."""
        values = {name: ask[name] for name in _CARRIED if ask[name] is not None}
        values.update(title=title, due_at=ical.moment(due) if due else None)
        ident = records.add(self.conn, ASK, values, self.now, found=_REFERENCES)
        self.outcome.new_asks += 1
        return _ask_rows(self.conn, [ident])[ident]

    def _send(self, ask: Mapping[str, Any]) -> None:
        uid = f"{UID_PREFIX}{ask['id']}{UID_DOMAIN}"
        task = _task_of(ask, uid)
        # A task of this ask already there means a run stopped between writing it and
        # recording it: it is taken over, not sent twice.
        remote = self._put(task, self.remote.pop(uid, None))
        self.outcome.sent += 1
        self._save(_Link(uid, int(ask["id"]), remote.href, remote.etag, task.compared(), _hash(task)))

    def _receive(self, remote: Remote) -> None:
        """A task Patron has never seen: an open one becomes an ask; one already done or
        cancelled there before Patron met it is not history of yours and is left alone."""
        if remote.task.state != "open":
            return
        task = remote.task
        values: dict[str, Any] = {"title": task.title, "source": f"{self._kind()}:{task.uid}"}
        if task.due:
            values["due_at"] = ical.moment(task.due)
        if task.priority is not None:
            values["value"] = task.priority
        if task.categories:
            values["tags"] = list(task.categories)
        if task.description.strip():
            values["notes"] = task.description.strip()
        ident = records.add(self.conn, ASK, values, self.now)
        self.outcome.new_asks += 1
        ask = _ask_rows(self.conn, [ident])[ident]
        mine = _task_of(ask, task.uid)
        # What Patron adds (its description) goes out; the task's own title and due stay.
        if _hash(mine) != _hash_of_remote(remote):
            remote = self._put(mine, remote)
        self._save(_Link(task.uid, ident, remote.href, remote.etag, mine.compared(), _hash(mine),
                         start=task.start))

    # --- the register --------------------------------------------------------------

    def _apply(self, ident: int, apply: Fields, task: Task) -> None:
        change = records.Change()
        if "title" in apply:
            change.set["title"] = apply["title"]
        if "due" in apply:
            due = apply["due"]
            if due:
                change.set["due_at"] = ical.moment(due)
            else:
                change.clear.append("due_at")
        if "state" in apply:
            state = apply["state"]
            if state == "done":
                change.set.update(status="done", done_at=task.completed or self.now)
                self.outcome.done_asks += 1
            elif state == "cancelled":
                change.set["status"] = "declined"
            else:
                change.set["status"] = "open"
                change.clear.append("done_at")
        records.edit(self.conn, ASK, ident, change, self.now)
        self.outcome.changed_asks += 1

    def _newer(self, name: str, ask: Mapping[str, Any], remote: Remote) -> str:
        """Who changed ``name`` last: the task's LAST-MODIFIED against the ask's own change
        time (``done_at`` for being done; for title and due date the time of this sync)."""
        there = remote.task.last_modified
        if there is None:
            return "patron"
        here = ask["done_at"] if name == "state" and ask["done_at"] is not None else self.now
        return "there" if there > here else "patron"

    def _links(self) -> dict[str, _Link]:
        t = schema.import_state
        rows = self.conn.execute(select(t.c.source, t.c.state).where(t.c.source.startswith(self.prefix)))
        links: dict[str, _Link] = {}
        for source, state in rows:
            uid = source[len(self.prefix):]
            try:
                start = state.get("start")
                links[uid] = _Link(uid, int(state["ask"]), str(state.get("href", "")),
                                   str(state.get("etag", "")), dict(state.get("base", {})),
                                   str(state.get("patron", "")), bool(state.get("dropped", False)),
                                   start if isinstance(start, str) else None)
            except (TypeError, KeyError, ValueError, AttributeError):
                continue  # an unreadable state is as if never synced
        return links

    def _save(self, link: _Link) -> None:
        t = schema.import_state
        self.saved.add(link.ask)
        state: dict[str, Any] = {"ask": link.ask, "synced_at": self.now.isoformat()}
        if link.dropped:
            state["dropped"] = True
        else:
            state.update(href=link.href, etag=link.etag, base=link.base, patron=link.patron)
            if link.start:
                state["start"] = link.start
        source = self.prefix + link.uid
        done = self.conn.execute(t.update().where(t.c.source == source)
                                 .values(state=state, updated_at=self.now))
        if not done.rowcount:
            self.conn.execute(t.insert().values(source=source, state=state, updated_at=self.now))

    def _forget(self, uid: str) -> None:
        t = schema.import_state
        self.conn.execute(t.delete().where(t.c.source == self.prefix + uid))

    def _unlinked_open_asks(self, linked: set[int]) -> list[Mapping[str, Any]]:
        a = schema.ask
        ids = [i for i in self.conn.execute(
            select(a.c.id).where(a.c.status.notin_(("done", "declined"))).order_by(a.c.id)).scalars()
            if i not in linked]
        rows = _ask_rows(self.conn, ids)
        return [rows[i] for i in ids]

    # --- the store -----------------------------------------------------------------

    def _put(self, task: Task, previous: Remote | None) -> Remote:
        if self.dry_run:
            return previous or Remote("", "", task, "")
        return self.store.put(task, previous)

    def _delete(self, remote: Remote) -> None:
        if not self.dry_run:
            self.store.delete(remote)

    def _kind(self) -> str:
        return self.store.target.split(":", 1)[0]


_REFERENCES = ("requester_id", "engagement_id", "goal_id")
_CARRIED = (*_REFERENCES, "effort_hours", "value", "deliverable", "tags", "notes", "source")
"""What the next occurrence of a repeating task's ask takes from the one done."""


def _ask_rows(conn: Connection, ids: list[int]) -> dict[int, Mapping[str, Any]]:
    """Asks with their requester's and engagement's names, by id."""
    if not ids:
        return {}
    a, p, e = schema.ask, schema.person, schema.engagement
    query = (select(a, p.c.name.label("requester"), e.c.name.label("engagement"))
             .select_from(a.outerjoin(p, a.c.requester_id == p.c.id)
                          .outerjoin(e, a.c.engagement_id == e.c.id)))
    found: dict[int, Mapping[str, Any]] = {}
    for chunk in chunks(ids, 900):
        for row in conn.execute(query.where(a.c.id.in_(chunk))).mappings():
            found[int(row["id"])] = dict(row)
    return found


def _task_of(ask: Mapping[str, Any], uid: str) -> Task:
    status = ask["status"]
    lines = [f"{label}: {ask[key]}" for label, key in (("Engagement", "engagement"),
                                                       ("Requester", "requester")) if ask[key]]
    return Task(
        uid=uid,
        title=ask["title"],
        due=ical.due_text(ask["due_at"]),
        state="done" if status == "done" else "cancelled" if status == "declined" else "open",
        completed=ask["done_at"] if status == "done" else None,
        priority=ask["value"] or None,
        description="\n".join(lines),
        categories=tuple(ask["tags"] or ()),
    )


def _hash(task: Task) -> str:
    """Everything Patron writes into a task, hashed: a change to any of it is a change."""
    out = {"title": task.title, "due": task.due, "state": task.state,
           "completed": task.completed.isoformat(timespec="minutes") if task.completed else None,
           "priority": task.priority, "description": task.description,
           "categories": list(task.categories)}
    return hashlib.sha256(json.dumps(out, sort_keys=True).encode()).hexdigest()[:32]


def _hash_of_remote(remote: Remote) -> str:
    return _hash(remote.task)


def _shown(value: str | None) -> str:
    return repr(value) if value is not None else "none"
