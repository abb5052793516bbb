"""Bringing task lists in and taking them out (Taskwarrior's JSON, todo.txt).

Imports match what is already there before creating anything (an ask by its
source, an engagement by name, a person by name or address), so importing
the same file twice changes nothing. The import use case (services/imports.py) stores
an import whole or not at all; ``--dry-run`` rolls it back.

Tasks are stored a batch at a time: the asks they were imported as are read for the
whole batch in one query, each task is checked and compared in Python, and the new and
the changed asks are written with one statement each. A task that cannot be stored is
reported and leaves nothing behind; the engagement or person it names is looked up once
per import.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, insert, or_, select, update

from patron.domain.records import ASK, ENGAGEMENT, PERSON
from patron.domain.vocabulary import EngagementKind
from patron.errors import NotFound, PatronError
from patron.importers import taskwarrior as tw
from patron.importers import todotxt as td
from patron.importers.base import Outcome, Problem, Reading
from patron.services import records
from patron.services.imports import Import
from patron.services.names import resolve
from patron.store import schema
from patron.store.pieces import chunks

COMPARED = ("title", "status", "due_at", "created_at", "done_at", "value", "engagement_id",
            "requester_id", "effort_hours", "tags", "annotations")
_FOUND = ("engagement_id", "requester_id")  # looked up by the import itself


def _once_each(drafts: Iterable[tw.TaskDraft], size: int) -> Iterator[list[tw.TaskDraft]]:
    """Batches of at most ``size`` in which no task comes twice: a uuid met again (a file
    holding one task twice) starts a new batch, so it finds the ask made the first time."""
    batch: list[tw.TaskDraft] = []
    uuids: set[str] = set()
    for draft in drafts:
        if len(batch) >= max(1, size) or draft.uuid in uuids:
            yield batch
            batch, uuids = [], set()
        batch.append(draft)
        uuids.add(draft.uuid)
    if batch:
        yield batch


@dataclass
class _Asks:
    """The asks of one batch: read in bulk, written in bulk, each new or changed one checked
    by the register's rules (``records.new_row``, ``records.edited_row``) first."""

    conn: Connection
    now: datetime
    rows: dict[int, dict[str, Any]] = field(default_factory=dict)  # as they will be, by id
    new: list[dict[str, Any]] = field(default_factory=list)
    changed: set[int] = field(default_factory=set)

    def by_source(self, sources: Sequence[str]) -> dict[str, int]:
        a = schema.ask
        found: dict[str, int] = {}
        for chunk in chunks(sources, 500):
            for row in self.conn.execute(select(a).where(a.c.source.in_(chunk))
                                         .order_by(a.c.id)).mappings():
                self.rows.setdefault(int(row["id"]), dict(row))
                found.setdefault(row["source"], int(row["id"]))
        return found

    def by_id(self, ids: Sequence[int]) -> None:
        a = schema.ask
        for chunk in chunks(sorted(set(ids) - set(self.rows)), 500):
            for row in self.conn.execute(select(a).where(a.c.id.in_(chunk))).mappings():
                self.rows[int(row["id"])] = dict(row)

    def create(self, values: dict[str, Any]) -> None:
        self.new.append(records.new_row(self.conn, ASK, values, self.now, _FOUND))

    def edit(self, ident: int, changed: dict[str, Any]) -> None:
        self.rows[ident] = records.edited_row(self.conn, ASK, self.rows[ident], changed, self.now, _FOUND)
        self.changed.add(ident)

    def write(self) -> dict[str, int]:
        """Write the batch; the new asks' ids by source."""
        a = schema.ask
        made: dict[str, int] = {}
        if self.new:
            self.conn.execute(insert(a), self.new)
            made = self.by_source([row["source"] for row in self.new])
        if self.changed:
            columns = [c for c in self.rows[next(iter(self.changed))] if c != "id"]
            self.conn.execute(update(a).where(a.c.id == bindparam("ident")).values(
                {c: bindparam(f"new_{c}") for c in columns}),
                [{"ident": i, **{f"new_{c}": self.rows[i][c] for c in columns}}
                 for i in sorted(self.changed)])
        self.new, self.changed = [], set()
        return made


@dataclass
class _Names:
    """The engagements and people a task list names, looked up once per import; a person
    made for one name can change what another name finds, so people are looked up again
    after one is made."""

    conn: Connection
    now: datetime
    engagements: dict[str, int | None] = field(default_factory=dict)
    people: dict[str, int | None] = field(default_factory=dict)

    def new(self, project: str | None, requester: str | None = None) -> bool:
        """Whether a task names a project or a person not looked up yet (it may be made)."""
        return bool(project and project not in self.engagements) or \
            bool(requester and requester not in self.people)

    def engagement(self, project: str | None, todo: bool = False) -> int | None:
        if not project:
            return None
        if project not in self.engagements:
            with self.conn.begin_nested():
                found = _project(self.conn, project, self.now) if todo else \
                    engagement_named(self.conn, project, self.now)
            self.engagements[project] = found
        return self.engagements[project]

    def person(self, name: str | None) -> int | None:
        if not name:
            return None
        if name not in self.people:
            with self.conn.begin_nested():
                found, made = _person(self.conn, name, self.now)
            if made:
                self.people.clear()
            self.people[name] = found
        return self.people[name]


def taskwarrior_import(text: str, source: str, now: datetime) -> Import[tw.TaskDraft]:
    """A Taskwarrior export to import: every task as an ask, matched by its uuid, stored a
    batch at a time (what is stored does not depend on where batches end), dependencies once
    all are in."""
    return Import(Reading(*tw.parse(text, source)), _TaskWriter(now, source), source, "task",
                  batches=_once_each)


@dataclass
class _TaskWriter:
    now: datetime
    source: str
    outcome: Outcome = field(default_factory=Outcome)
    names: _Names | None = None
    derived: dict[str, int] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)  # the asks stored, by uuid
    stored: list[tw.TaskDraft] = field(default_factory=list)

    def write(self, conn: Connection, batch: Sequence[tw.TaskDraft]) -> None:
        if self.names is None:  # before anything is written: the asks Patron exported
            self.derived = _derived_uuids(conn)
            self.names = _Names(conn, self.now)
        self.names.conn = conn
        self.ids.update(_tasks(conn, batch, self.now, self.source, self.outcome, self.derived, self.names))
        self.stored.extend(batch)

    def finish(self, conn: Connection) -> None:
        _link(conn, [d for d in self.stored if d.uuid in self.ids], self.ids, self.now, self.source,
              self.outcome)


def _derived_uuids(conn: Connection) -> dict[str, int]:
    """The uuids Patron gave its own asks on export, so that they come back to the same ask."""
    a = schema.ask
    rows = conn.execute(select(a.c.id).where(or_(a.c.source.is_(None),
                                                 a.c.source.not_like(f"{tw.SOURCE}%"))))
    return {tw.task_uuid(int(ident), None): int(ident) for ident in rows.scalars()}


def _tasks(conn: Connection, drafts: Sequence[tw.TaskDraft], now: datetime, source: str,
           outcome: Outcome, derived: dict[str, int], names: _Names) -> dict[str, int]:
    """One batch of tasks; the ids of those stored, by uuid."""
    asks = _Asks(conn, now)
    known = asks.by_source([d.source for d in drafts])
    asks.by_id([derived[d.uuid] for d in drafts if d.source not in known and d.uuid in derived])
    ids: dict[str, int] = {}
    created: list[tw.TaskDraft] = []
    for draft in drafts:
        try:
            ident = _task(asks, draft, known, derived, names, outcome)
        except PatronError as exc:
            outcome.problems.append(Problem(f"{source}: task {draft.uuid}", str(exc)))
            continue
        if ident is None:
            created.append(draft)
        else:
            ids[draft.uuid] = ident
    made = asks.write()
    ids.update((d.uuid, made[d.source]) for d in created)
    return ids


def _task(asks: _Asks, draft: tw.TaskDraft, known: dict[str, int], derived: dict[str, int],
          names: _Names, outcome: Outcome) -> int | None:
    """Queue one task's ask; its id, or None for a new one."""
    values: dict[str, Any] = {
        "title": draft.title, "status": draft.status, "due_at": draft.due_at,
        "created_at": draft.created_at, "done_at": draft.done_at, "value": draft.value,
        "engagement_id": None, "requester_id": None, "effort_hours": draft.effort_hours,
        "tags": draft.tags or None, "annotations": draft.annotations or None,
    }
    if names.new(draft.project, draft.requester):  # a bad task names nothing new
        records.new_row(asks.conn, ASK, values, asks.now, _FOUND)
    values["engagement_id"] = names.engagement(draft.project)
    values["requester_id"] = names.person(draft.requester)
    ident = known.get(draft.source)
    if ident is None and derived.get(draft.uuid) in asks.rows:  # one of ours, coming back
        ident = derived[draft.uuid]
    if ident is None:
        asks.create({**values, "created_at": draft.created_at or asks.now, "source": draft.source})
        outcome.created += 1
        return None
    if draft.created_at is None:  # a task without an entry date keeps the date we have
        values.pop("created_at")
    existing = asks.rows[ident]
    changed = {k: v for k, v in values.items() if existing[k] != v}
    if changed:
        asks.edit(ident, changed)
        outcome.updated += 1
    else:
        outcome.unchanged += 1
    return ident


def _link(conn: Connection, drafts: list[tw.TaskDraft], ids: dict[str, int], now: datetime,
          source: str, outcome: Outcome) -> None:
    """Each task's dependencies, on tasks in the file or imported before: read for all tasks
    at once, checked against the register's graph in memory (an ask cannot wait on itself,
    directly or not, as ``records.edit`` checks), and those that changed written at once."""
    elsewhere = _sources(conn, sorted({u for d in drafts for u in d.depends if u not in ids}))
    graph = _dependencies(conn)
    changed: set[int] = set()
    for draft in drafts:
        wanted = [ids[u] for u in draft.depends if u in ids] + \
            [i for u in draft.depends if u not in ids for i in elsewhere.get(u, [])]
        for u in draft.depends:
            if u not in ids and u not in elsewhere:
                outcome.problems.append(Problem(f"{source}: task {draft.uuid}",
                                                f"depends on {u}, which is not in the file or the register"))
        ident = ids[draft.uuid]
        if set(wanted) == graph.get(ident, set()):
            continue
        if _waits_on(graph, set(wanted), ident):
            outcome.problems.append(Problem(f"{source}: task {draft.uuid}",
                                            f"ask #{ident} would depend on itself"))
            continue
        graph[ident] = set(wanted)
        changed.add(ident)
    d = schema.ask_dependency
    for chunk in chunks(sorted(changed), 500):
        conn.execute(delete(d).where(d.c.ask_id.in_(chunk)))
    rows = [{"ask_id": i, "depends_on_id": o} for i in sorted(changed) for o in sorted(graph[i])]
    if rows:
        conn.execute(insert(d), rows)


def _dependencies(conn: Connection) -> dict[int, set[int]]:
    """Every ask's dependencies (one query: the graph is small beside the asks)."""
    d = schema.ask_dependency
    graph: dict[int, set[int]] = {}
    for ask, other in conn.execute(select(d.c.ask_id, d.c.depends_on_id)):
        graph.setdefault(int(ask), set()).add(int(other))
    return graph


def _waits_on(graph: dict[int, set[int]], items: set[int], ident: int) -> bool:
    """Whether an ask waiting on ``items`` would wait, directly or not, on itself."""
    seen: set[int] = set()
    frontier = list(items)
    while frontier:
        current = frontier.pop()
        if current == ident:
            return True
        if current not in seen:
            seen.add(current)
            frontier.extend(graph.get(current, ()))
    return False


def _sources(conn: Connection, uuids: list[str]) -> dict[str, list[int]]:
    """The asks imported before from these tasks, by uuid."""
    a = schema.ask
    found: dict[str, list[int]] = {}
    for chunk in chunks([tw.SOURCE + u for u in uuids], 500):
        for ident, ask_source in conn.execute(select(a.c.id, a.c.source).where(a.c.source.in_(chunk))):
            found.setdefault(ask_source.removeprefix(tw.SOURCE), []).append(int(ident))
    return found


SELF_PROJECT = "self"
"""The project (``+self``, ``project:self``, in any case) that is your own development."""


def engagement_named(conn: Connection, project: str | None, now: datetime) -> int | None:
    """The engagement a task list's project names (its exact name, else the same name in
    another case), created as a client engagement when there is none. ``self`` is your own
    development: your engagement of kind self, created (named "self") when you have none."""
    if not project:
        return None
    if project.lower() == SELF_PROJECT:
        return _own_development(conn, now)
    e = schema.engagement
    found = (conn.execute(select(e.c.id).where(e.c.name == project)).first()
             or conn.execute(select(e.c.id).where(func.lower(e.c.name) == project.lower())).first())
    if found is not None:
        return int(found[0])
    return records.add(conn, ENGAGEMENT, {"name": project, "kind": "client"}, now)


def _own_development(conn: Connection, now: datetime) -> int:
    """Your engagement of kind self: the one named "self" if several, else the first; never a
    client engagement that happens to be called so (an earlier import made those)."""
    e = schema.engagement
    own = conn.execute(select(e.c.id, e.c.name).where(e.c.kind == EngagementKind.SELF.value)
                       .order_by(func.lower(e.c.name) != SELF_PROJECT, e.c.id)).first()
    if own is not None:
        return int(own[0])
    name = SELF_PROJECT
    taken = set(conn.execute(select(func.lower(e.c.name))).scalars())
    while name.lower() in taken:  # "self" is a client engagement already
        name = "own development" if name == SELF_PROJECT else f"{name} (self)"
    return records.add(conn, ENGAGEMENT, {"name": name, "kind": EngagementKind.SELF.value}, now)


def _person(conn: Connection, name: str, now: datetime) -> tuple[int, bool]:
    """The person a requester names, made when there is none; and whether it was made."""
    try:
        return resolve(conn, PERSON, name), False
    except NotFound:
        if "@" in name:
            return records.add(conn, PERSON, {"name": name.split("@")[0], "emails": [name]}, now), True
        return records.add(conn, PERSON, {"name": name}, now), True


def export_taskwarrior(conn: Connection, now: datetime) -> list[dict[str, Any]]:
    """Every ask as a Taskwarrior task, in id order; ``task import`` reads the list."""
    everything = records.find(conn, ASK, {}, now)
    uuids = {a["id"]: tw.task_uuid(a["id"], a["source"]) for a in everything}
    return [tw.to_task(a, uuids) for a in everything]


# --- todo.txt ------------------------------------------------------------------------------


def todotxt_import(text: str, source: str, now: datetime) -> Import[td.TodoDraft]:
    """A todo.txt file to import: every line as an ask, matched by its key
    (importers/todotxt.py), stored a batch at a time (what is stored does not depend on
    where batches end)."""
    drafts, problems = td.parse(text, source)
    return Import(Reading(drafts, problems, total=len(drafts)), _TodoWriter(now, source), source, "task")


@dataclass
class _TodoWriter:
    now: datetime
    source: str
    outcome: Outcome = field(default_factory=Outcome)
    names: _Names | None = None

    def write(self, conn: Connection, batch: Sequence[td.TodoDraft]) -> None:
        if self.names is None:
            self.names = _Names(conn, self.now)
        self.names.conn = conn
        asks = _Asks(conn, self.now)
        known = asks.by_source([d.source for d in batch])
        ours = _unsourced(asks, [d for d in batch if d.source not in known and d.created_on])
        for draft in batch:
            try:
                result = _todo(asks, draft, known, ours, self.names)
            except PatronError as exc:
                self.outcome.problems.append(Problem(f"{self.source}: line {draft.line}", str(exc)))
            else:
                setattr(self.outcome, result, getattr(self.outcome, result) + 1)
        asks.write()

    def finish(self, conn: Connection) -> None:
        """Nothing links one line to another."""


def _unsourced(asks: _Asks, drafts: list[td.TodoDraft]) -> dict[str, list[int]]:
    """Asks of ours (no source) with these lines' titles, by title, oldest first: an ask
    exported and coming back is matched by its title and the day it was asked."""
    a = schema.ask
    titles = sorted({d.title for d in drafts})
    found: dict[str, list[int]] = {}
    for chunk in chunks(titles, 500):
        for row in asks.conn.execute(select(a).where(a.c.source.is_(None), a.c.title.in_(chunk))
                                     .order_by(a.c.id)).mappings():
            asks.rows.setdefault(int(row["id"]), dict(row))
            found.setdefault(row["title"], []).append(int(row["id"]))
    return found


def _todo(asks: _Asks, draft: td.TodoDraft, known: dict[str, int], ours: dict[str, list[int]],
          names: _Names) -> str:
    values: dict[str, Any] = {
        "title": draft.title, "status": draft.status, "value": draft.value,
        "engagement_id": None, "tags": draft.tags or None, "due_at": draft.due_at,
        "done_at": datetime.combine(draft.done_on, time()) if draft.done_on else None,
    }
    if draft.created_on:
        values["created_at"] = datetime.combine(draft.created_on, time())
    if names.new(draft.project):  # a bad line names nothing new
        records.new_row(asks.conn, ASK, values, asks.now, _FOUND)
    values["engagement_id"] = names.engagement(draft.project, todo=True)
    ident = known.get(draft.source)
    if ident is None and draft.created_on:  # an ask of ours, exported and coming back
        day = datetime.combine(draft.created_on, time())
        ident = next((i for i in ours.get(draft.title, [])
                      if day <= asks.rows[i]["created_at"] < day + timedelta(days=1)), None)
    if ident is None:
        if values["done_at"] is None:
            values.pop("done_at")  # the register dates a done ask itself
        asks.create({**values, "source": draft.source})
        return "created"
    existing = asks.rows[ident]
    finished = draft.status in ("done", "declined")
    for name, day_ in (("created_at", draft.created_on), ("done_at", draft.done_on)):
        if existing[name] is not None and (day_ is None or existing[name].date() == day_) and (
                name == "created_at" or finished):
            values.pop(name, None)  # a line holds days; the time of day we have stays
    changed = {k: v for k, v in values.items() if (existing[k] or None) != (v or None)}
    if not changed:
        return "unchanged"
    asks.edit(ident, changed)
    return "updated"


def _project(conn: Connection, project: str | None, now: datetime) -> int | None:
    """A +project's engagement; '_' stands for a space, as todo.txt projects have none."""
    if project and "_" in project:
        e = schema.engagement
        spaced = project.replace("_", " ")
        found = conn.execute(select(e.c.id).where(e.c.name == spaced)).first()
        if found is not None and conn.execute(select(e.c.id).where(e.c.name == project)).first() is None:
            return int(found[0])
    return engagement_named(conn, project, now)


def export_todotxt(conn: Connection, now: datetime) -> str:
    """Every ask as a todo.txt line, in id order."""
    return "".join(td.to_line(ask) + "\n" for ask in records.find(conn, ASK, {}, now))
