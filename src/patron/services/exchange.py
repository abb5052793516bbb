"""Bringing task lists in and taking them out (Taskwarrior's JSON, todo.txt).

Imports match what is already there before creating anything (an ask by its
source, an engagement by name, a person by name or address), so importing
the same file twice changes nothing. The caller's transaction makes an import
all or nothing; ``--dry-run`` rolls it back.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, func, or_, select

from patron.domain.records import ASK, ENGAGEMENT, PERSON
from patron.domain.vocabulary import EngagementKind
from patron.errors import NotFound, PatronError
from patron.importers import taskwarrior as tw
from patron.importers import todotxt as td
from patron.importers.base import Outcome, Problem, Progress, no_progress
from patron.services import records
from patron.services.names import resolve
from patron.store import schema

COMPARED = ("title", "status", "due_at", "created_at", "done_at", "value", "engagement_id",
            "requester_id", "effort_hours", "tags", "annotations")


def import_taskwarrior(conn: Connection, text: str, source: str, now: datetime) -> Outcome:
    drafts, problems = tw.parse(text, source)
    outcome = Outcome(problems=list(problems))
    derived = _derived_uuids(conn)
    ids: dict[str, int] = {}
    for draft in drafts:
        try:
            with conn.begin_nested():  # a task that fails leaves nothing behind (a new project)
                ids[draft.uuid] = _one(conn, draft, now, outcome, derived)
        except PatronError as exc:
            outcome.problems.append(Problem(f"{source}: task {draft.uuid}", str(exc)))
    for draft in drafts:
        if draft.uuid in ids:
            try:
                with conn.begin_nested():
                    _link(conn, draft, ids, now, source, outcome)
            except PatronError as exc:
                outcome.problems.append(Problem(f"{source}: task {draft.uuid}", str(exc)))
    return outcome


def _derived_uuids(conn: Connection) -> dict[str, int]:
    """The uuids Patron gave its own asks on export, so that they come back to the same ask."""
    a = schema.ask
    rows = conn.execute(select(a.c.id).where(or_(a.c.source.is_(None),
                                                 a.c.source.not_like(f"{tw.SOURCE}%"))))
    return {tw.task_uuid(int(ident), None): int(ident) for ident in rows.scalars()}


def _one(conn: Connection, draft: tw.TaskDraft, now: datetime, outcome: Outcome,
         derived: dict[str, int]) -> int:
    values: dict[str, Any] = {
        "title": draft.title, "status": draft.status, "due_at": draft.due_at,
        "created_at": draft.created_at, "done_at": draft.done_at, "value": draft.value,
        "engagement_id": engagement_named(conn, draft.project, now),
        "requester_id": _person(conn, draft.requester, now), "effort_hours": draft.effort_hours,
        "tags": draft.tags or None, "annotations": draft.annotations or None,
    }
    a = schema.ask
    existing = conn.execute(select(a).where(a.c.source == draft.source)).mappings().first()
    if existing is None and draft.uuid in derived:  # one of ours, coming back
        existing = conn.execute(select(a).where(a.c.id == derived[draft.uuid])).mappings().first()
    if existing is None:
        ident = records.add(conn, ASK, {**values, "created_at": draft.created_at or now,
                                         "source": draft.source}, now)
        outcome.created += 1
        return ident
    if draft.created_at is None:  # a task without an entry date keeps the date we have
        values.pop("created_at")
    changed = {k: v for k, v in values.items() if existing[k] != v}
    if changed:
        records.edit(conn, ASK, existing["id"], records.Change(set=changed), now)
        outcome.updated += 1
    else:
        outcome.unchanged += 1
    return int(existing["id"])


def _link(conn: Connection, draft: tw.TaskDraft, ids: dict[str, int], now: datetime, source: str,
          outcome: Outcome) -> None:
    wanted = [ids[u] for u in draft.depends if u in ids] + _known_elsewhere(conn, draft, ids)
    missing = [u for u in draft.depends if u not in ids and u not in _sources(conn, draft.depends)]
    for u in missing:
        outcome.problems.append(Problem(f"{source}: task {draft.uuid}",
                                        f"depends on {u}, which is not in the file or the register"))
    ident = ids[draft.uuid]
    current = records.children(conn, ASK, ASK.field("depends_on"), [ident]).get(ident, [])
    if sorted(set(wanted)) != sorted(current):
        try:
            records.edit(conn, ASK, ident, records.Change(set={"depends_on": sorted(set(wanted))}), now)
        except PatronError as exc:
            outcome.problems.append(Problem(f"{source}: task {draft.uuid}", str(exc)))


def _sources(conn: Connection, uuids: list[str]) -> set[str]:
    a = schema.ask
    wanted = [tw.SOURCE + u for u in uuids]
    found = conn.execute(select(a.c.source).where(a.c.source.in_(wanted))).scalars()
    return {s.removeprefix(tw.SOURCE) for s in found}


def _known_elsewhere(conn: Connection, draft: tw.TaskDraft, ids: dict[str, int]) -> list[int]:
    """Dependencies on tasks imported earlier, not in this file."""
    others = [tw.SOURCE + u for u in draft.depends if u not in ids]
    if not others:
        return []
    a = schema.ask
    return [int(i) for i in conn.execute(select(a.c.id).where(a.c.source.in_(others))).scalars()]


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


def _person(conn: Connection, name: str | None, now: datetime) -> int | None:
    if not name:
        return None
    try:
        return resolve(conn, PERSON, name)
    except NotFound:
        if "@" in name:
            return records.add(conn, PERSON, {"name": name.split("@")[0], "emails": [name]}, now)
        return records.add(conn, PERSON, {"name": name}, now)


def export_taskwarrior(conn: Connection, now: datetime) -> list[dict[str, Any]]:
    """Every ask as a Taskwarrior task, in id order; ``task import`` reads the list."""
    everything = records.find(conn, ASK, {}, now)
    uuids = {a["id"]: tw.task_uuid(a["id"], a["source"]) for a in everything}
    return [tw.to_task(a, uuids) for a in everything]


# --- todo.txt ------------------------------------------------------------------------------


def import_todotxt(conn: Connection, text: str, source: str, now: datetime,
                   progress: Progress = no_progress) -> Outcome:
    """Every line of a todo.txt file as an ask, matched by its key (importers/todotxt.py)."""
    drafts, problems = td.parse(text, source)
    outcome = Outcome(problems=list(problems))
    for draft in drafts:
        try:
            with conn.begin_nested():
                result = _todo(conn, draft, now)
            setattr(outcome, result, getattr(outcome, result) + 1)
        except PatronError as exc:
            outcome.problems.append(Problem(f"{source}: line {draft.line}", str(exc)))
        progress(1)
    return outcome


def _todo(conn: Connection, draft: td.TodoDraft, now: datetime) -> str:
    values: dict[str, Any] = {
        "title": draft.title, "status": draft.status, "value": draft.value,
        "engagement_id": _project(conn, draft.project, now), "tags": draft.tags or None,
        "due_at": draft.due_at,
        "done_at": datetime.combine(draft.done_on, time()) if draft.done_on else None,
    }
    if draft.created_on:
        values["created_at"] = datetime.combine(draft.created_on, time())
    a = schema.ask
    existing = conn.execute(select(a).where(a.c.source == draft.source)).mappings().first()
    if existing is None and draft.created_on:  # an ask of ours, exported and coming back
        day = datetime.combine(draft.created_on, time())
        existing = conn.execute(select(a).where(
            a.c.source.is_(None), a.c.title == draft.title, a.c.created_at >= day,
            a.c.created_at < day + timedelta(days=1)).order_by(a.c.id)).mappings().first()
    if existing is None:
        if values["done_at"] is None:
            values.pop("done_at")  # the register dates a done ask itself
        records.add(conn, ASK, {**values, "source": draft.source}, now)
        return "created"
    finished = draft.status in ("done", "declined")
    for name, day_ in (("created_at", draft.created_on), ("done_at", draft.done_on)):
        if existing[name] is not None and (day_ is None or existing[name].date() == day_) and (
                name == "created_at" or finished):
            values.pop(name, None)  # a line holds days; the time of day we have stays
    changed = {k: v for k, v in values.items() if (existing[k] or None) != (v or None)}
    if not changed:
        return "unchanged"
    records.edit(conn, ASK, existing["id"], records.Change(set=changed), now)
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
