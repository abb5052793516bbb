"""Calendars in and out: events become meetings, meetings become events.

An import matches before it creates: an event by its source (``ics:<UID>``, with the
occurrence's original start for a repeating event), one Patron exported by the interaction
it came from, a person by address (``people.Directory``). So importing the same calendar
twice changes nothing, and an event that changed updates its meeting. The calendar owns a
meeting's summary, time, notes and participants; the engagement is set when the meeting is
new (or has none yet), and kind, direction and sentiment are left as the user made them.

Not every event is a touchpoint: a private or confidential one (the dentist), one marked
free (TRANSP:TRANSPARENT), and one with nobody in it but you (focus time; your addresses,
who declined and rooms left out) are skipped and counted as such, never as problems; one imported
before is removed, as a cancelled one is. A calendar Patron exported holds only touchpoints.

The import (``services/imports.py``) stores it whole or not at all, a batch of events at a
time: the meetings they were imported as, their participants and their people are read for
the whole batch in a few queries, compared in Python, and only what changed is written, each
kind of write one statement for the batch. What a file gives is kept (``import_state``, by
the file's bytes, the window where it repeats, and the machine's zone), so a calendar read
before and unchanged is not parsed again (``calendar_import`` looks it up and hands it to
the reader): its events are compared with the register all the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, or_, select, update

from patron.domain.addresses import normal_address
from patron.importers import ics
from patron.importers.base import Outcome, Progress, Reading, no_progress
from patron.services.imports import Import
from patron.services.mail import bulk_insert
from patron.services.people import Directory, Engagements
from patron.store import schema
from patron.store.database import Store

CALENDAR_KINDS = ("meeting", "call", "presentation")
"""The kinds of touchpoint a calendar holds; mail and messages are left out of an export."""

_Participants = dict[int, str | None]  # person id -> role (none where it was not said)
READ_STATE = "ics-file:"
"""``import_state`` key of what a calendar file gave when last read (its resolved path follows)."""
_MEETING_COLUMNS = ("summary", "occurred_at", "notes", "kind", "direction", "source", "engagement_id")


@dataclass
class CalendarOutcome(Outcome):
    """An import's summary, with the events that were no touchpoint with anyone."""

    not_touchpoints: int = 0

    def line(self) -> str:
        skipped = (f"; {self.not_touchpoints} not touchpoints (private, free or only you)"
                   if self.not_touchpoints else "")
        return super().line() + skipped


def touchpoint(draft: ics.EventDraft, me: set[str]) -> bool:
    """Whether an event is time spent with someone: not private, not marked free, and with
    somebody in it besides you who did not decline (a room is nobody). Patron's own export
    holds only touchpoints."""
    if draft.from_patron:
        return True
    if draft.private or draft.free:
        return False
    return any(not a.declined and not a.resource and (address := normal_address(a.address)) is not None
               and address not in me for a in draft.people)


# --- the import ------------------------------------------------------------------------------


def calendar_import(store: Store, paths: Sequence[Path], window: ics.Window, mine: Iterable[str],
                    now: datetime, source: str, progress: Progress = no_progress) -> Import[ics.EventDraft]:
    """Calendar files to import, read now (``progress`` hears of each file): what a file read
    before and unchanged gave then is looked up first and handed to the reader, and what the
    files parsed here gave is kept by the import (not by a dry run)."""
    with store.read() as conn:
        kept = _kept_reads(conn, paths)
    reading, fresh = ics.read_files(paths, window, kept, progress)
    return events_import(reading, mine, now, source, fresh)


def events_import(reading: Reading[ics.EventDraft], mine: Iterable[str], now: datetime,
                  source: str, fresh: dict[Path, Any] | None = None) -> Import[ics.EventDraft]:
    """Events read (``ics.read_files``, ``ics.read_text``) to store as meetings, in one
    transaction; ``mine`` are the user's own addresses (never participants, and an
    invitation the user declined is no meeting). Events that are no touchpoint
    (``touchpoint``) are counted, not stored. What is stored does not depend on the batch
    size. ``fresh`` is what files parsed now gave, kept for the next import by path."""
    me = {a for a in (normal_address(m) for m in mine) if a}
    return Import(reading, _EventWriter(me, now, fresh or {}), source, "event")


@dataclass
class _EventWriter:
    me: set[str]
    now: datetime
    fresh: dict[Path, Any]
    outcome: CalendarOutcome = field(default_factory=CalendarOutcome)
    meetings: _Meetings | None = None

    def write(self, conn: Connection, batch: Sequence[ics.EventDraft]) -> None:
        if self.meetings is None:
            self.meetings = _Meetings(conn, self.me, Directory(conn), Engagements(conn), self.outcome)
        self.meetings.put(list(batch))

    def finish(self, conn: Connection) -> None:
        _keep_reads(conn, [{"source": _read_key(path), "state": state}
                           for path, state in self.fresh.items()], self.now)


def _read_key(path: Path) -> str:
    return READ_STATE + str(path.resolve())


def _kept_reads(conn: Connection, paths: Sequence[Path]) -> dict[Path, Any]:
    """What each file gave when last read, by path (none for a file never read)."""
    s = schema.import_state
    keys = {_read_key(p): p for p in paths}
    ordered = sorted(keys)
    found: dict[Path, Any] = {}
    for first in range(0, len(ordered), 500):
        for key, state in conn.execute(select(s.c.source, s.c.state)
                                       .where(s.c.source.in_(ordered[first:first + 500]))):
            if isinstance(state, dict):
                found[keys[key]] = state
    return found


def _keep_reads(conn: Connection, rows: list[dict[str, Any]], now: datetime) -> None:
    if not rows:
        return
    s = schema.import_state
    keys = [r["source"] for r in rows]
    for first in range(0, len(keys), 500):
        conn.execute(delete(s).where(s.c.source.in_(keys[first:first + 500])))
    conn.execute(insert(s), [{**r, "updated_at": now} for r in rows])


# --- storing --------------------------------------------------------------------------------


@dataclass
class _Batch:
    """What one batch does: meetings to write, rewrite and remove."""

    new: list[tuple[dict[str, Any], _Participants]] = field(default_factory=list)
    changed: list[dict[str, Any]] = field(default_factory=list)   # full rows, by id
    participants: dict[int, _Participants] = field(default_factory=dict)  # replaced sets
    removed: list[int] = field(default_factory=list)


@dataclass
class _Meetings:
    """Puts batches of drafts into the register, remembering people and engagements met."""

    conn: Connection
    me: set[str]
    directory: Directory
    engagements: Engagements
    outcome: CalendarOutcome

    def put(self, drafts: list[ics.EventDraft]) -> None:
        existing = self._existing(drafts)
        kept = [d for d in drafts if not self._dropped(d)]
        people = self._people(kept)
        current = _participants_of(self.conn, [int(existing[d.source][0]["id"]) for d in kept
                                               if d.source in existing])
        named = _named(self.conn, {p for ps in current.values() for p in ps}, self.me)
        work = _Batch()
        for draft in drafts:
            row, own = existing.get(draft.source, (None, False))
            if self._dropped(draft):
                if row is not None and not own:  # it was a meeting when imported before
                    work.removed.append(int(row["id"]))
                    self.outcome.updated += 1
                elif not self._declined(draft):
                    self.outcome.not_touchpoints += 1
                continue
            found = _participants(draft, self.me, people)
            values = {"summary": draft.summary, "occurred_at": draft.start, "notes": draft.notes}
            if row is None:
                work.new.append(({**values, "kind": "meeting", "direction": "both",
                                  "source": draft.source, "engagement_id": self._engagement(found)},
                                 found))
                self.outcome.created += 1
            elif self._update(work, row, values, found, current.get(int(row["id"]), {}), named, own):
                self.outcome.updated += 1
            elif own:
                self.outcome.matched += 1
            else:
                self.outcome.unchanged += 1
        self._write(work)

    def _declined(self, draft: ics.EventDraft) -> bool:
        return draft.cancelled or any(a.declined and normal_address(a.address) in self.me
                                      for a in draft.people)

    def _dropped(self, draft: ics.EventDraft) -> bool:
        """No meeting: cancelled, declined by you, or no touchpoint."""
        return self._declined(draft) or not touchpoint(draft, self.me)

    def _people(self, drafts: list[ics.EventDraft]) -> dict[str, int]:
        """The people behind the batch's participants, by normal address, created where new
        (each with the name given where the address is first met, as one at a time would)."""
        first: dict[str, str | None] = {}
        for draft in drafts:
            for attendee in draft.people:
                address = normal_address(attendee.address)
                if (address is not None and address not in self.me and not attendee.declined
                        and not attendee.resource and address not in first):
                    first[address] = attendee.name
        found = self.directory.people(first.items())
        self.engagements.learn(found.values())
        return found

    def _update(self, work: _Batch, row: Any, values: dict[str, Any], people: _Participants,
                current: _Participants, named: set[int], own: bool) -> bool:
        """Bring a meeting in line with its event; whether anything changed."""
        ident = int(row["id"])
        changed = {k: v for k, v in values.items() if row[k] != v}
        engagement = row["engagement_id"]
        if engagement is None and people:
            found = self._engagement(people)
            if found is not None:
                changed["engagement_id"] = engagement = found
        if changed:
            work.changed.append({"ident": ident, **{f"new_{k}": v for k, v in values.items()},
                                 "new_engagement_id": engagement})
        wanted = _merged(current, people, named, own)
        if current != wanted:
            work.participants[ident] = wanted
            return True
        return bool(changed)

    def _engagement(self, people: _Participants) -> int | None:
        return self.engagements.of(sorted(people))

    def _existing(self, drafts: list[ics.EventDraft]) -> dict[str, tuple[Any, bool]]:
        """By source, the meeting each event was imported as, or the interaction Patron
        exported it from (then True): a query per kind for the whole batch."""
        i = schema.interaction
        sources = [d.source for d in drafts]
        found: dict[str, tuple[Any, bool]] = {
            row["source"]: (row, False)
            for row in self.conn.execute(select(i).where(i.c.source.in_(sources))).mappings()}
        own = {ident: d.source for d in drafts if d.source not in found and not d.recurrence
               and (ident := ics.own_interaction(d.uid)) is not None}
        if own:
            for row in self.conn.execute(select(i).where(
                    i.c.id.in_(sorted(own)),
                    or_(i.c.source.is_(None), i.c.source.not_like(f"{ics.SOURCE}%")))).mappings():
                found[own[int(row["id"])]] = (row, True)
        return found

    def _write(self, work: _Batch) -> None:
        """The batch's writes: one statement for each kind."""
        i, ip = schema.interaction, schema.interaction_participant
        if work.removed:
            self.conn.execute(delete(i).where(i.c.id.in_(work.removed)))
        if work.changed:
            self.conn.execute(update(i).where(i.c.id == bindparam("ident")).values(
                {k: bindparam(f"new_{k}") for k in ("summary", "occurred_at", "notes", "engagement_id")}),
                work.changed)
        if work.participants:
            self.conn.execute(delete(ip).where(ip.c.interaction_id.in_(sorted(work.participants))))
        rows = [(ident, person, role) for ident, people in work.participants.items()
                for person, role in sorted(people.items())]
        if work.new:
            bulk_insert(self.conn, i, _MEETING_COLUMNS,
                        [tuple(values[c] for c in _MEETING_COLUMNS) for values, _ in work.new])
            ids = dict(self.conn.execute(select(i.c.source, i.c.id).where(
                i.c.source.in_([values["source"] for values, _ in work.new]))).all())
            rows += [(int(ids[values["source"]]), person, role) for values, people in work.new
                     for person, role in sorted(people.items())]
        bulk_insert(self.conn, ip, ("interaction_id", "person_id", "role"), rows)


def _participants(draft: ics.EventDraft, me: set[str], people: dict[str, int]) -> _Participants:
    """The people at the meeting (not the user, not who declined, not a room); an organiser
    stays one."""
    found: _Participants = {}
    for attendee in draft.people:
        address = normal_address(attendee.address)
        if address is None or address in me or attendee.declined or attendee.resource:
            continue
        person = people.get(address)
        if person is not None and found.get(person) != "organiser":
            found[person] = attendee.role
    return found


def _merged(current: _Participants, calendar: _Participants, named: set[int], own: bool
            ) -> _Participants:
    """The participants after an update. The calendar names people by address, so those it
    cannot name (no address, or only yours: not in ``named``) stay; Patron's own interaction
    coming back only gains people (a calendar knows no from/to/cc)."""
    if own:
        return {**calendar, **current}
    others = set(current) - set(calendar)
    if not others:
        return calendar
    return {**{p: r for p, r in current.items() if p not in named}, **calendar}


def _named(conn: Connection, people: set[int], me: set[str]) -> set[int]:
    """Those of ``people`` with an address that is not yours: a calendar would name them."""
    pe = schema.person_email
    found: set[int] = set()
    ordered = sorted(people)
    for first in range(0, len(ordered), 500):
        found.update(int(person) for person, address in conn.execute(
            select(pe.c.person_id, pe.c.address).where(pe.c.person_id.in_(ordered[first:first + 500])))
            if address not in me)
    return found


def _participants_of(conn: Connection, idents: list[int]) -> dict[int, _Participants]:
    ip = schema.interaction_participant
    found: dict[int, _Participants] = {ident: {} for ident in idents}
    for first in range(0, len(idents), 500):
        for ident, person, role in conn.execute(select(ip.c.interaction_id, ip.c.person_id, ip.c.role)
                                                .where(ip.c.interaction_id.in_(idents[first:first + 500]))):
            found[int(ident)][int(person)] = role
    return found


# --- export -------------------------------------------------------------------------------


def export_calendar(conn: Connection, now: datetime) -> str:
    """Past and upcoming meetings, calls and presentations as one iCalendar document."""
    i = schema.interaction
    rows = conn.execute(select(i.c.id, i.c.source, i.c.summary, i.c.occurred_at, i.c.notes)
                        .where(i.c.kind.in_(CALENDAR_KINDS)).order_by(i.c.occurred_at, i.c.id)).all()
    people = _attendees(conn)
    meetings = [ics.Meeting(r.id, r.source, r.summary, r.occurred_at, r.notes, people.get(r.id, []))
                for r in rows]
    return ics.calendar(meetings, now)


def _attendees(conn: Connection) -> dict[int, list[ics.Attendee]]:
    """Per interaction, its participants with an address (their first), organiser first."""
    ip, p, pe = schema.interaction_participant, schema.person, schema.person_email
    first: dict[int, str] = {}
    for person, address in conn.execute(select(pe.c.person_id, pe.c.address).order_by(pe.c.address)):
        first.setdefault(int(person), str(address))
    found: dict[int, list[ics.Attendee]] = {}
    rows = conn.execute(select(ip.c.interaction_id, ip.c.person_id, ip.c.role, p.c.name)
                        .join(p, p.c.id == ip.c.person_id))
    for interaction, person, role, name in rows:
        if person in first:
            found.setdefault(int(interaction), []).append(
                ics.Attendee(first[person], name, "organiser" if role == "organiser" else "attendee"))
    for attendees in found.values():
        attendees.sort(key=lambda a: (a.role != "organiser", a.address))
        # one ORGANIZER per event: further organisers are written as attendees
        attendees[1:] = [ics.Attendee(a.address, a.name, "attendee") for a in attendees[1:]]
    return found
