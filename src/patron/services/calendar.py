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

Events are stored ``BATCH`` at a time: the meetings they were imported as, their
participants and their people are read for the whole batch in a few queries, compared in
Python, and only what changed is written, each kind of write one statement for the batch.
What a file gives is kept (``import_state``, by the file's bytes, the window where it
repeats, and the machine's zone), so a calendar read before and unchanged is not parsed
again: its events are compared with the register all the same.
"""

from __future__ import annotations

import functools
import hashlib
import os
import time as clock
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, or_, select, update

from patron.domain.addresses import normal_address
from patron.importers import ics
from patron.importers.base import Outcome, Problem, Progress, no_progress
from patron.services.mail import bulk_insert
from patron.services.people import Directory, Engagements
from patron.store import schema

CALENDAR_KINDS = ("meeting", "call", "presentation")
"""The kinds of touchpoint a calendar holds; mail and messages are left out of an export."""

_Participants = dict[int, str | None]  # person id -> role (none where it was not said)
BATCH = 500
"""Events stored at a time: each batch costs a few queries, whatever its size."""
READ_STATE = "ics-file:"
"""``import_state`` key of what a calendar file gave when last read (its resolved path follows)."""
_READ_FORMAT = 1  # raise when what is kept of a read changes, so old keeps are read again
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


# --- reading, with what unchanged files gave kept --------------------------------------------


def read_files(conn: Connection, paths: Sequence[Path], window: ics.Window, now: datetime,
               progress: Progress = no_progress) -> tuple[list[ics.EventDraft], list[Problem]]:
    """``ics.read`` for files that changed since they were last read; for one read before
    and unchanged (the same bytes, the same window if it repeats, the same zone), what it
    gave then. Reading is pure, so the drafts are the same either way, and a second import
    of a big calendar skips the parsing that is most of the first one's time."""
    kept = _kept_reads(conn, paths)
    drafts: list[ics.EventDraft] = []
    problems: list[Problem] = []
    fresh: list[dict[str, Any]] = []
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError as exc:
            problems.append(Problem(str(path), f"cannot read it ({exc.strerror or exc})"))
            progress(1)
            continue
        key, mark = _read_key(path), _fingerprint(path, data, window)
        state = kept.get(key)
        if state is not None and state.get("mark") == mark:
            found, wrong = _thawed(state)
        else:
            found, wrong = ics.parse(ics.decode(data), str(path), window)
            fresh.append({"source": key, "state": _frozen(mark, found, wrong)})
        drafts += found
        problems += wrong
        progress(1)
    _keep_reads(conn, fresh, now)
    return drafts, problems


def _read_key(path: Path) -> str:
    return READ_STATE + str(path.resolve())


def _fingerprint(path: Path, data: bytes, window: ics.Window) -> str:
    """What a file's drafts depend on: its bytes and name (they are in messages), the zone
    times are read in, the reader (its code, and the libraries it uses), and the window if
    the file repeats anything."""
    parts = [str(_READ_FORMAT), *_reader(), str(path), os.environ.get("TZ", ""), *clock.tzname]
    upper = data.upper()
    if b"RRULE" in upper or b"RDATE" in upper:
        parts += [window.since.isoformat(), window.until.isoformat(), str(window.limit)]
    digest = hashlib.sha256("\x00".join(parts).encode())
    digest.update(data)
    return digest.hexdigest()


@functools.cache
def _reader() -> tuple[str, ...]:
    """The reader's own code and the versions of the libraries it parses and expands with."""
    from importlib.metadata import version

    code = hashlib.sha256(Path(ics.__file__).read_bytes()).hexdigest()
    return code, version("icalendar"), version("recurring-ical-events")


def _kept_reads(conn: Connection, paths: Sequence[Path]) -> dict[str, dict[str, Any]]:
    s = schema.import_state
    keys = sorted({_read_key(p) for p in paths})
    found: dict[str, dict[str, Any]] = {}
    for first in range(0, len(keys), 500):
        for source, state in conn.execute(select(s.c.source, s.c.state)
                                          .where(s.c.source.in_(keys[first:first + 500]))):
            if isinstance(state, dict):
                found[source] = state
    return found


def _keep_reads(conn: Connection, rows: list[dict[str, Any]], now: datetime) -> None:
    if not rows:
        return
    s = schema.import_state
    keys = [r["source"] for r in rows]
    for first in range(0, len(keys), 500):
        conn.execute(delete(s).where(s.c.source.in_(keys[first:first + 500])))
    conn.execute(insert(s), [{**r, "updated_at": now} for r in rows])


def _frozen(mark: str, drafts: list[ics.EventDraft], problems: list[Problem]) -> dict[str, Any]:
    """A read as JSON: one list per draft, its attendees as lists."""
    return {"mark": mark, "problems": [[p.where, p.reason] for p in problems], "drafts": [
        [d.uid, d.summary, d.start.isoformat(), d.where, d.recurrence, d.notes,
         [[a.address, a.name, a.role, a.declined, a.resource] for a in d.people],
         d.cancelled, d.sequence, d.private, d.free, d.from_patron] for d in drafts]}


def _thawed(state: dict[str, Any]) -> tuple[list[ics.EventDraft], list[Problem]]:
    drafts = [ics.EventDraft(uid=uid, summary=summary, start=datetime.fromisoformat(start), where=where,
                             recurrence=recurrence, notes=notes,
                             people=[ics.Attendee(*attendee) for attendee in people],
                             cancelled=cancelled, sequence=sequence, private=private, free=free,
                             from_patron=from_patron)
              for uid, summary, start, where, recurrence, notes, people, cancelled, sequence, private,
              free, from_patron in state["drafts"]]
    return drafts, [Problem(where, reason) for where, reason in state["problems"]]


# --- storing --------------------------------------------------------------------------------


def import_events(conn: Connection, drafts: list[ics.EventDraft], mine: Iterable[str],
                  progress: Progress = no_progress, batch: int = BATCH) -> CalendarOutcome:
    """Store the drafts as meetings, ``batch`` at a time; ``mine`` are the user's own
    addresses (never participants, and an invitation the user declined is no meeting).
    Events that are no touchpoint (``touchpoint``) are counted, not stored. What is stored
    does not depend on ``batch``."""
    outcome = CalendarOutcome()
    me = {a for a in (normal_address(m) for m in mine) if a}
    store = _Meetings(conn, me, Directory(conn), Engagements(conn), outcome)
    unique = _one_each(drafts, outcome)
    for first in range(0, len(unique), max(1, batch)):
        chunk = unique[first:first + max(1, batch)]
        store.put(chunk)
        progress(len(chunk))
    return outcome


def _one_each(drafts: list[ics.EventDraft], outcome: Outcome) -> list[ics.EventDraft]:
    """One draft per source: an event found twice (the same UID in two files) is kept in its
    latest revision (SEQUENCE), the first one read where they tie; a differing copy is reported."""
    kept: dict[str, ics.EventDraft] = {}
    for draft in drafts:
        other = kept.get(draft.source)
        if other is None:
            kept[draft.source] = draft
            continue
        newer, older = (draft, other) if draft.sequence > other.sequence else (other, draft)
        kept[draft.source] = newer
        if _same(newer, older):  # a copy (one calendar shared into two folders) is no news
            continue
        outcome.problems.append(Problem(older.where, f"the same event (UID {draft.uid}) as at "
                                                     f"{newer.where}, which is kept"))
    return list(kept.values())


def _same(one: ics.EventDraft, other: ics.EventDraft) -> bool:
    return (one.summary, one.start, one.notes, one.people, one.cancelled) == \
        (other.summary, other.start, other.notes, other.people, other.cancelled)


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
