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
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, or_, select, update

from patron.domain.addresses import normal_address
from patron.importers import ics
from patron.importers.base import Outcome, Problem, Progress, no_progress
from patron.services.people import Directory, Engagements
from patron.store import schema

CALENDAR_KINDS = ("meeting", "call", "presentation")
"""The kinds of touchpoint a calendar holds; mail and messages are left out of an export."""

_Participants = dict[int, str | None]  # person id -> role (none where it was not said)
BATCH = 500


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


def import_events(conn: Connection, drafts: list[ics.EventDraft], mine: Iterable[str],
                  progress: Progress = no_progress) -> CalendarOutcome:
    """Store the drafts as meetings; ``mine`` are the user's own addresses (never participants,
    and an invitation the user declined is no meeting). Events that are no touchpoint
    (``touchpoint``) are counted, not stored."""
    outcome = CalendarOutcome()
    me = {a for a in (normal_address(m) for m in mine) if a}
    unique = _one_each(drafts, outcome)
    store = _Meetings(conn, me, Directory(conn), Engagements(conn), outcome,
                      _imported(conn, [d.source for d in unique]))
    for draft in unique:
        store.put(draft)
        progress(1)
    store.flush()
    return outcome


def _imported(conn: Connection, sources: list[str]) -> dict[str, Any]:
    """The meetings imported before from these sources (a few queries, not one per event)."""
    i = schema.interaction
    found: dict[str, Any] = {}
    for first in range(0, len(sources), 500):
        chunk = sources[first:first + 500]
        found.update((row["source"], row) for row in conn.execute(
            select(i).where(i.c.source.in_(chunk))).mappings())
    return found


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
class _Meetings:
    """Puts drafts into the register, remembering what it looked up during one import."""

    conn: Connection
    me: set[str]
    directory: Directory
    engagements: Engagements
    outcome: CalendarOutcome
    imported: dict[str, Any]
    pending: list[tuple[dict[str, Any], _Participants]] = field(default_factory=list)

    def put(self, draft: ics.EventDraft) -> None:
        existing, own = self._existing(draft)
        declined = draft.cancelled or any(a.declined and normal_address(a.address) in self.me
                                          for a in draft.people)
        if declined or not touchpoint(draft, self.me):
            if existing is not None and not own:  # it was a meeting when imported before
                i = schema.interaction
                self.conn.execute(delete(i).where(i.c.id == existing["id"]))
                self.outcome.updated += 1
            elif not declined:
                self.outcome.not_touchpoints += 1
            return
        people = _participants(draft, self.me, self.directory)
        values = {"summary": draft.summary, "occurred_at": draft.start, "notes": draft.notes}
        if existing is None:
            self._create(draft, values, people)
            self.outcome.created += 1
            return
        if self._update(existing, values, people, own):
            self.outcome.updated += 1
        elif own:
            self.outcome.matched += 1
        else:
            self.outcome.unchanged += 1

    def _create(self, draft: ics.EventDraft, values: dict[str, Any], people: _Participants) -> None:
        """Queue a new meeting; they are written BATCH at a time (in one statement where the
        database returns the new ids in order, as PostgreSQL does; SQLite row by row), with
        their participants in one statement."""
        self.pending.append(({**values, "kind": "meeting", "direction": "both", "source": draft.source,
                              "engagement_id": self._engagement(people)}, people))
        if len(self.pending) >= BATCH:
            self.flush()

    def flush(self) -> None:
        """Write the queued meetings and their participants."""
        if not self.pending:
            return
        i, ip = schema.interaction, schema.interaction_participant
        ids = self.conn.execute(insert(i).returning(i.c.id, sort_by_parameter_order=True),
                                [values for values, _ in self.pending]).scalars().all()
        rows = [{"interaction_id": ident, "person_id": person, "role": role}
                for ident, (_, people) in zip(ids, self.pending, strict=True)
                for person, role in sorted(people.items())]
        if rows:
            self.conn.execute(insert(ip), rows)
        self.pending.clear()

    def _update(self, existing: Any, values: dict[str, Any], people: _Participants, own: bool
                ) -> bool:
        """Bring a meeting in line with its event; whether anything changed."""
        ident = int(existing["id"])
        changed = {k: v for k, v in values.items() if existing[k] != v}
        if existing["engagement_id"] is None and people:
            found = self._engagement(people)
            if found is not None:
                changed["engagement_id"] = found
        if changed:
            i = schema.interaction
            self.conn.execute(update(i).where(i.c.id == ident).values(**changed))
        current = _participants_of(self.conn, ident)
        wanted = _merged(self.conn, current, people, self.me, own)
        if current != wanted:
            _set_participants(self.conn, ident, wanted)
            return True
        return bool(changed)

    def _engagement(self, people: _Participants) -> int | None:
        return self.engagements.of(sorted(people))

    def _existing(self, draft: ics.EventDraft) -> tuple[Any, bool]:
        """The meeting this event was imported as, or the interaction Patron exported it from."""
        if draft.source in self.imported:
            return self.imported[draft.source], False
        ident = ics.own_interaction(draft.uid)
        if ident is None or draft.recurrence:
            return None, False
        i = schema.interaction
        row = self.conn.execute(select(i).where(
            i.c.id == ident, or_(i.c.source.is_(None), i.c.source.not_like(f"{ics.SOURCE}%")))
        ).mappings().first()
        return row, row is not None


def _participants(draft: ics.EventDraft, me: set[str], directory: Directory) -> _Participants:
    """The people at the meeting (not the user, not who declined, not a room); an organiser
    stays one."""
    found: _Participants = {}
    for attendee in draft.people:
        address = normal_address(attendee.address)
        if address is None or address in me or attendee.declined or attendee.resource:
            continue
        person = directory.person(address, attendee.name)
        if person is not None and found.get(person) != "organiser":
            found[person] = attendee.role
    return found


def _merged(conn: Connection, current: _Participants, calendar: _Participants, me: set[str],
            own: bool) -> _Participants:
    """The participants after an update. The calendar names people by address, so those it
    cannot name (no address, or only yours) stay; Patron's own interaction coming back only
    gains people (a calendar knows no from/to/cc)."""
    if own:
        return {**calendar, **current}
    others = sorted(set(current) - set(calendar))
    if not others:
        return calendar
    pe = schema.person_email
    named = {int(person) for person, address in conn.execute(
        select(pe.c.person_id, pe.c.address).where(pe.c.person_id.in_(others)))
        if address not in me}
    return {**{p: r for p, r in current.items() if p not in named}, **calendar}


def _participants_of(conn: Connection, ident: int) -> _Participants:
    ip = schema.interaction_participant
    rows = conn.execute(select(ip.c.person_id, ip.c.role).where(ip.c.interaction_id == ident))
    return {int(person): role for person, role in rows}


def _set_participants(conn: Connection, ident: int, people: _Participants) -> None:
    ip = schema.interaction_participant
    conn.execute(delete(ip).where(ip.c.interaction_id == ident))
    if people:
        conn.execute(insert(ip), [{"interaction_id": ident, "person_id": person, "role": role}
                                  for person, role in sorted(people.items())])


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
