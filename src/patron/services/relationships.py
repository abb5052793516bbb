"""Keeping relationships warm: who should hear from you, and quick logging.

``due`` lists the people whose cadence says they are overdue or due soon, and those you
have not contacted yet (with the day of their first check-in), most important and most
overdue first, each with a reason to get in touch. Lateness is ``domain.cadence``'s.
``met``, ``promise``, ``resolve_promise`` and ``log_time`` are the one-line
ways to record a touchpoint, a promise, its outcome and time spent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, case, func, or_, select

from patron.domain import anniversaries
from patron.domain.anniversaries import Coming
from patron.domain.cadence import ContactDue, contact_due
from patron.domain.periods import MENTOR_QUESTIONS, Period
from patron.domain.ranking import requester_weight
from patron.domain.records import ASK, BY_KIND, COMMITMENT, GOAL, INTERACTION, PERSON, TIME_ENTRY
from patron.domain.vocabulary import OPEN_ASK_STATUSES as OPEN
from patron.errors import Conflict, InvalidInput
from patron.services import records
from patron.services.asks import Finished, finish_one
from patron.services.names import resolve
from patron.services.overview import Booked, last_contacts, next_touchpoints
from patron.services.ranking import named_coefficients, requesters
from patron.settings import Settings, defaults
from patron.store import schema
from patron.store.reader import ConnectionReader

FEEDBACK_PERIOD_DAYS = 90


@dataclass
class DueContact:
    person_id: int
    person: str
    roles: list[str]          # "sponsor of Ledger migration"
    weight: float             # how much they matter: the "who asked" part of an ask score
    due: ContactDue
    urgency: float            # weight x (1 + days overdue / cadence): the order of the list
    reason: str
    booked: Booked | None = None  # the next touchpoint, already planned
    status: str = ""          # the state in words: "no contact yet, added 3 days ago, ..."
    dates: list[str] = field(default_factory=list)  # "birthday in 3 days": a reason to call


def due(conn: Connection, settings: Settings, now: datetime, soon_days: int | None = None,
        engagement_id: int | None = None, person_id: int | None = None) -> list[DueContact]:
    """People overdue for contact, due within ``soon_days`` (overview.due_soon_days), or not
    contacted yet (not overdue before their first check-in, a cadence after they were added);
    with ``engagement_id``, only that engagement's stakeholders in their roles there; with
    ``person_id``, only that person.

    Someone with a meeting already booked (a touchpoint after now) is listed with it as the
    next touchpoint, is not overdue, and comes after everyone who still needs a call."""
    return describe(conn, checkins(conn, settings, now, soon_days, engagement_id, person_id), now)


def checkins(conn: Connection, settings: Settings, now: datetime, soon_days: int | None = None,
             engagement_id: int | None = None, person_id: int | None = None) -> list[DueContact]:
    """``due``'s list in its order, without the words (``reason``, ``status``): a page that
    shows the first few describes only those (``describe``), however many are due."""
    soon = int(settings["overview.due_soon_days"]) if soon_days is None else soon_days
    weights, _ = requesters(ConnectionReader(conn), settings, now, with_stakes=False,
                            engagement_id=engagement_id, person_id=person_id)
    coefficients = named_coefficients(settings)
    st = schema.stakeholder
    people = select(st.c.person_id)
    if engagement_id is not None:
        people = people.where(st.c.engagement_id == engagement_id)
    if person_id is not None:
        people = people.where(st.c.person_id == person_id)
    last = last_contacts(conn, now, people)
    booked = next_touchpoints(conn, now)
    found: dict[int, DueContact] = {}
    roles = _roles(conn, engagement_id, person_id)
    coming = _dates_by_person(dates_coming(conn, now.date(), int(settings["digest.dates_days"]),
                                           engagement_id))
    for person, name, role, engagement_id, engagement, cadence_days, added_on in roles:
        cadence = settings.cadence_days(role, cadence_days)
        planned = booked.get(person)
        state = contact_due(last.get(person), cadence, now.date(), added_on=added_on,
                            booked_on=planned.at.date() if planned else None)
        if state is None or not (state.wanted or state.due_within(soon) or state.first
                                 or person in coming):
            continue
        who = weights.get((person, engagement_id))
        weight = 0.0 if who is None else requester_weight(who, coefficients)
        urgency = 0.0 if planned else weight * (1 + max(state.days_overdue, 0) / cadence)
        current = found.get(person)
        if current is None:
            found[person] = DueContact(person, name, [f"{role} of {engagement}"], weight, state,
                                       urgency, "", planned)
            continue
        current.roles.append(f"{role} of {engagement}")
        if (urgency, state.days_overdue) > (current.urgency, current.due.days_overdue):
            current.weight, current.due, current.urgency = weight, state, urgency
    listed = sorted(found.values(), key=lambda d: (d.booked is not None, -d.urgency,
                                                   -d.due.days_overdue, d.person))
    for contact in listed:
        contact.dates = coming.get(contact.person_id, [])
    return listed


def describe(conn: Connection, contacts: list[DueContact], now: datetime) -> list[DueContact]:
    """Give each contact its ``reason`` (their dates coming first) and ``status`` (three small
    queries each)."""
    for contact in contacts:
        contact.reason = "; ".join([*contact.dates, _reason(conn, contact.person_id, now)])
        contact.status = contact.due.describe()
    return contacts


def dates_coming(conn: Connection, today: date, within_days: int,
                 engagement_id: int | None = None) -> list[Coming]:
    """Birthdays and anniversaries within ``within_days`` of today (today included) of the
    people who hold a role (other than yourself) in an active engagement; soonest first."""
    found = []
    for ident, name, kind, day in dates_that_matter(conn, engagement_id):
        near = anniversaries.coming(ident, name, kind, day, today, within_days)
        if near is not None:
            found.append(near)
    return sorted(found, key=lambda c: (c.on, c.person, c.kind))


def dates_that_matter(conn: Connection, engagement_id: int | None = None
                      ) -> list[tuple[int, str, str, date]]:
    """(person id, name, birthday or anniversary, the day) of the people who hold a role
    (other than yourself) in an active engagement, by name."""
    p, st, e = schema.person, schema.stakeholder, schema.engagement
    query = (select(p.c.id, p.c.name, p.c.birthday, p.c.anniversary)
             .where(or_(p.c.birthday.is_not(None), p.c.anniversary.is_not(None)),
                    p.c.id.in_(select(st.c.person_id).join(e, e.c.id == st.c.engagement_id)
                               .where(st.c.role != "self", e.c.status == "active",
                                      *([st.c.engagement_id == engagement_id]
                                        if engagement_id is not None else []))))
             .order_by(p.c.name, p.c.id))
    return [(int(ident), str(name), kind, day) for ident, name, *days in conn.execute(query)
            for kind, day in zip(anniversaries.KINDS, days, strict=True) if day is not None]


def _dates_by_person(found: list[Coming]) -> dict[int, list[str]]:
    by_person: dict[int, list[str]] = {}
    for near in found:
        by_person.setdefault(near.person_id, []).append(near.describe())
    return by_person


def _roles(conn: Connection, engagement_id: int | None = None, person_id: int | None = None
           ) -> list[Any]:
    st, p, e = schema.stakeholder, schema.person, schema.engagement
    query = (
        select(st.c.person_id, p.c.name, st.c.role, st.c.engagement_id, e.c.name,
               st.c.cadence_days, st.c.added_on)
        .join(p, p.c.id == st.c.person_id).join(e, e.c.id == st.c.engagement_id)
        .where(st.c.role != "self", e.c.status.in_(("active", "paused", "proposed")))
        .order_by(p.c.name, st.c.id)
    )
    if engagement_id is not None:
        query = query.where(st.c.engagement_id == engagement_id)
    if person_id is not None:
        query = query.where(st.c.person_id == person_id)
    return list(conn.execute(query))


def _reason(conn: Connection, person: int, now: datetime) -> str:
    """Something worth saying: an open ask of theirs, a promise coming due, feedback to ask for."""
    a, c, f = schema.ask, schema.commitment, schema.feedback
    ask = conn.execute(
        select(a.c.id, a.c.title).where(a.c.requester_id == person, a.c.status.in_(OPEN))
        .order_by(a.c.due_at.is_(None), a.c.due_at, a.c.id).limit(1)
    ).first()
    if ask:
        return f"their ask #{ask.id} '{ask.title}'"
    promise = conn.execute(
        select(c.c.id, c.c.title, c.c.due_at).where(c.c.promisee_id == person, c.c.status == "open")
        .order_by(c.c.due_at.is_(None), c.c.due_at, c.c.id).limit(1)
    ).first()
    if promise:
        when = f", due {promise.due_at:%Y-%m-%d}" if promise.due_at else ""
        return f"your promise #{promise.id} '{promise.title}'{when}"
    since = now.date() - timedelta(days=FEEDBACK_PERIOD_DAYS)
    asked = conn.execute(select(func.count()).where(f.c.person_id == person, f.c.received_on >= since)
                         ).scalar_one()
    if not asked:
        return f"ask for feedback: none in the last {FEEDBACK_PERIOD_DAYS} days"
    return "keep in touch"


# --- quick logging ----------------------------------------------------------------------------


def engagement_of(conn: Connection, person: int) -> int | None:
    """The person's engagement when they have exactly one active one; else None."""
    return engagements_of(conn, [person]).get(person)


def engagements_of(conn: Connection, people: Sequence[int]) -> dict[int, int]:
    """``engagement_of`` for many people in one query per 500: the engagement of each who
    has exactly one active one (the others are left out)."""
    st, e = schema.stakeholder, schema.engagement
    found: dict[int, set[int]] = {}
    for start in range(0, len(people), 500):
        for person, engagement in conn.execute(
                select(st.c.person_id, st.c.engagement_id).join(e, e.c.id == st.c.engagement_id)
                .where(st.c.person_id.in_(people[start:start + 500]), e.c.status == "active")):
            found.setdefault(int(person), set()).add(int(engagement))
    return {person: engagements.pop() for person, engagements in found.items() if len(engagements) == 1}


def met(conn: Connection, person: str, notes: str, now: datetime, *, engagement: str | None = None,
        kind: str = "meeting", sentiment: int | None = None, at: str | datetime | None = None) -> int:
    """Record a touchpoint with one person; returns the interaction's id."""
    person_id = resolve(conn, PERSON, person)
    engagement_id = (resolve(conn, BY_KIND["engagement"], engagement) if engagement
                     else engagement_of(conn, person_id))
    name = records.get(conn, PERSON, person_id)["name"]
    summary = notes.strip().splitlines()[0][:200] if notes.strip() else f"{kind} with {name}"
    direction = "out" if kind in ("mail", "message") else "both"
    return records.add(conn, INTERACTION, {
        "summary": summary, "kind": kind, "occurred_at": at or now, "engagement_id": engagement_id,
        "participants": [person_id], "direction": direction, "sentiment": sentiment,
        "notes": notes if "\n" in notes.strip() else None}, now)


def record_feedback(conn: Connection, person: int | str, now: datetime, *, text: str | None = None,
                    rating: int | None = None, engagement: int | str | None = None,
                    on: str | None = None) -> int:
    """Record what someone said of your work (``patron feedback``, the MCP tool, a feedback
    link); the engagement defaults to the person's one active one. Returns the feedback's id."""
    person_id = person if isinstance(person, int) else resolve(conn, PERSON, person)
    return records.add(conn, BY_KIND["feedback"], {
        "person_id": person_id, "text": text, "rating": rating, "received_on": on,
        "engagement_id": engagement or engagement_of(conn, person_id)}, now)


def promise(conn: Connection, title: str, now: datetime, *, to: str | None = None,
            due: str | None = None, engagement: str | None = None, ask: str | None = None) -> int:
    """Record a promise; about an ask, it is made to the ask's requester in the ask's
    engagement unless ``to`` or ``engagement`` say otherwise."""
    values: dict[str, Any] = {"title": title, "due_at": due}
    about = records.get(conn, ASK, resolve(conn, ASK, ask)) if ask else None
    person_id = resolve(conn, PERSON, to) if to else (about or {}).get("requester_id")
    values["promisee_id"] = person_id
    if about is not None:
        values["ask_id"] = about["id"]
    if engagement:
        values["engagement_id"] = engagement
    elif about is not None and about["engagement_id"] is not None:
        values["engagement_id"] = about["engagement_id"]
    elif person_id is not None:
        values["engagement_id"] = engagement_of(conn, person_id)
    return records.add(conn, COMMITMENT, values, now)


def resolve_promise(conn: Connection, text: str, outcome: str, now: datetime,
                    at: str | None = None) -> int:
    """Mark a promise kept or broken (once: a resolved promise stays as it was)."""
    ident = resolve(conn, COMMITMENT, text)
    current = records.get(conn, COMMITMENT, ident)
    if current["status"] != "open":
        raise InvalidInput(f"promise #{ident} '{current['title']}' is already {current['status']}")
    records.edit(conn, COMMITMENT, ident,
                 records.Change(set={"status": outcome, "resolved_at": at or now}), now)
    return ident


def open_ask_of(conn: Connection, commitment_id: int) -> tuple[int, str] | None:
    """The ask a promise is about, while that ask is still open: (id, title)."""
    a, c = schema.ask, schema.commitment
    row = conn.execute(select(a.c.id, a.c.title).join(c, c.c.ask_id == a.c.id)
                       .where(c.c.id == commitment_id, a.c.status.in_(OPEN))).first()
    return None if row is None else (int(row.id), str(row.title))


@dataclass(frozen=True)
class Kept:
    """A promise marked kept: the open ask it was about, and that ask if it was closed too."""

    id: int
    about: tuple[int, str] | None
    closed: Finished | None


def keep_promise(conn: Connection, promise: str, now: datetime, at: str | None = None,
                 close_ask: bool = False) -> Kept:
    """Mark a promise kept; with ``close_ask`` the open ask it was about is done too, in the
    same transaction."""
    ident = resolve_promise(conn, promise, "kept", now, at)
    about = open_ask_of(conn, ident)
    closed = finish_one(conn, about[0], now, at) if about and close_ask else None
    return Kept(ident, about, closed)


def log_time(conn: Connection, duration: str, engagement: str, now: datetime, *,
             boss: str | None = None, at: str | None = None, note: str | None = None) -> int:
    """Time spent; it ends now unless ``at`` says when it started."""
    minutes = records.coerce(conn, TIME_ENTRY, TIME_ENTRY.field("minutes"), duration, now)
    started = at or (now - timedelta(minutes=minutes))
    return records.add(conn, TIME_ENTRY, {"engagement_id": engagement, "minutes": minutes,
                                          "started_at": started, "boss_kind": boss,
                                          "note": note}, now)


def visibility(conn: Connection, now: datetime, days: int = 90,
               settings: Settings | None = None, engagement_id: int | None = None
               ) -> list[dict[str, Any]]:
    """Per engagement (or for ``engagement_id`` only), your touchpoints with its Executive
    against its Manager lately.

    No warning while every Executive of an engagement is before their first check-in: they
    have only just joined, and nobody is neglected before that day (``domain.cadence``)."""
    since = now - timedelta(days=days)
    st, i, p, e = schema.stakeholder, schema.interaction, schema.interaction_participant, schema.engagement
    # In your own job the line manager directs the work: there the boss counts as the Manager.
    role = case((and_(st.c.role == "boss", e.c.kind == "employer"), "manager"), else_=st.c.role)
    rows = conn.execute(
        select(e.c.id, e.c.name, role, func.count(func.distinct(i.c.id)))
        .join(st, st.c.engagement_id == e.c.id)
        .join(p, p.c.person_id == st.c.person_id)
        .join(i, i.c.id == p.c.interaction_id)
        # a touchpoint counts for its own engagement (or, unfiled, for every one the person is in)
        .where(or_(i.c.engagement_id == e.c.id, i.c.engagement_id.is_(None)))
        .where(role.in_(("sponsor", "manager")), i.c.occurred_at >= since,
               i.c.occurred_at <= now, e.c.status == "active",
               *([e.c.id == engagement_id] if engagement_id is not None else []))
        .group_by(e.c.id, e.c.name, role).order_by(e.c.name)
    ).all()
    out: dict[int, dict[str, Any]] = {}
    for ident, name, bucket, count in rows:
        entry = out.setdefault(ident, {"engagement_id": ident, "engagement": name, "sponsor": 0,
                                        "manager": 0})
        entry[bucket] = int(count)
    waiting = _first_check_in_pending(conn, settings or defaults(), now, set(out))
    for ident, entry in out.items():
        total = entry["sponsor"] + entry["manager"]
        entry["executive_share"] = entry["sponsor"] / total if total else None
        entry["warning"] = bool(total >= 4 and entry["sponsor"] * 5 < total
                                and ident not in waiting)
    return list(out.values())


def _first_check_in_pending(conn: Connection, settings: Settings, now: datetime,
                            engagements: set[int]) -> set[int]:
    """Engagements whose every Executive has had no contact yet and is not due a first one."""
    st = schema.stakeholder
    last = last_contacts(conn, now, select(st.c.person_id).where(st.c.role == "sponsor"))
    late: dict[int, bool] = {}
    for engagement, person, cadence_days, added_on in conn.execute(
            select(st.c.engagement_id, st.c.person_id, st.c.cadence_days, st.c.added_on)
            .where(st.c.role == "sponsor", st.c.engagement_id.in_(sorted(engagements)))):
        due = contact_due(last.get(person), settings.cadence_days("sponsor", cadence_days),
                          now.date(), added_on=added_on)
        pending = due is not None and due.first and not due.wanted
        late[engagement] = late.get(engagement, False) or not pending
    return {e for e, any_late in late.items() if not any_late}


# --- the timer ---------------------------------------------------------------------------------


def start_timer(conn: Connection, engagement: str, now: datetime, *, boss: str | None = None,
                note: str | None = None, at: str | None = None) -> datetime:
    """Start timing work on an engagement (now, or ``at`` when you began and forgot); one
    timer runs at a time. Returns when it started."""
    t = schema.timer
    running = conn.execute(select(t.c.id, t.c.started_at, t.c.engagement_id)).first()
    if running is not None:
        label = records.get(conn, BY_KIND["engagement"], running.engagement_id)["name"]
        raise Conflict(f"a timer is running for {label} since {running.started_at:%Y-%m-%d %H:%M}; "
                       "stop it first with 'patron stop'")
    engagement_id = resolve(conn, BY_KIND["engagement"], engagement)
    if boss is not None:
        records.coerce(conn, TIME_ENTRY, TIME_ENTRY.field("boss_kind"), boss, now)
    started = records.coerce(conn, TIME_ENTRY, TIME_ENTRY.field("started_at"), at, now) or now
    if started > now:
        raise InvalidInput(f"--at {at!r} is later than now; a timer starts now or before")
    records.insert_row(conn, t, {"engagement_id": engagement_id, "boss_kind": boss,
                                 "started_at": started, "note": note})
    started_at: datetime = started
    return started_at


def stop_timer(conn: Connection, now: datetime, note: str | None = None) -> tuple[int, int]:
    """Stop the running timer; returns the new time entry's id and its minutes."""
    t = schema.timer
    running = conn.execute(select(t)).mappings().first()
    if running is None:
        raise InvalidInput("no timer is running (start one with 'patron start ENGAGEMENT')")
    minutes = max(1, round((now - running["started_at"]).total_seconds() / 60))
    if minutes > 24 * 60:
        raise InvalidInput(f"the timer has run for {minutes // 60} hours since "
                           f"{running['started_at']:%Y-%m-%d %H:%M}; log the real time with "
                           "'patron time' and remove it with 'patron stop --discard'")
    ident = records.add(conn, TIME_ENTRY, {
        "engagement_id": running["engagement_id"], "minutes": minutes,
        "started_at": running["started_at"], "boss_kind": running["boss_kind"],
        "note": note or running["note"]}, now)
    conn.execute(t.delete().where(t.c.id == running["id"]))
    return ident, minutes


def discard_timer(conn: Connection) -> bool:
    return bool(conn.execute(schema.timer.delete()).rowcount)


# --- your own goals and reflections -----------------------------------------------------------


def note_goal(conn: Connection, goal: str, text: str, now: datetime) -> int:
    goal_id = resolve(conn, GOAL, goal)
    if not text.strip():
        raise InvalidInput("a progress note needs some text")
    t = schema.goal_note
    return records.insert_row(conn, t, {"goal_id": goal_id, "noted_on": now.date(),
                                        "text": text.strip()})


def finish_goal(conn: Connection, goal: str, now: datetime) -> int:
    goal_id = resolve(conn, GOAL, goal)
    records.edit(conn, GOAL, goal_id, records.Change(set={"status": "done"}), now)
    return goal_id


def reflect(conn: Connection, period: Period, number: int, answer: str, now: datetime) -> int:
    """Answer question ``number`` (from 1) of a period's self-reflection (the period reviewed:
    see ``services.review.choose``)."""
    if not 1 <= number <= len(MENTOR_QUESTIONS):
        raise InvalidInput(f"there are {len(MENTOR_QUESTIONS)} questions; {number} is not one")
    if not answer.strip():
        raise InvalidInput("an answer needs some text")
    t = schema.reflection
    return records.insert_row(conn, t, {
        "period_start": period.first, "period_end": period.last, "question": MENTOR_QUESTIONS[number - 1],
        "answer": answer.strip(), "written_at": now})


def reflections(conn: Connection, first: date, last: date) -> list[tuple[str, str, datetime]]:
    """Answers written for a period: (question, answer, when)."""
    t = schema.reflection
    rows = conn.execute(select(t.c.question, t.c.answer, t.c.written_at)
                        .where(t.c.period_start == first, t.c.period_end == last).order_by(t.c.id))
    return [(question, answer, when) for question, answer, when in rows]


@dataclass(frozen=True)
class PromiseDue:
    """An open promise of yours: to whom, in which engagement, about which ask, due when."""

    id: int
    title: str
    promisee_id: int | None
    promisee: str | None
    engagement_id: int | None
    engagement: str | None
    ask_id: int | None
    ask: str | None  # the title of the ask it is about
    due_at: datetime | None


def due_horizon(settings: Settings, now: datetime) -> datetime:
    """How far ahead a promise counts as coming due (ranking.due_horizon_days)."""
    return now + timedelta(days=float(settings["ranking.due_horizon_days"]))


def promises_due(conn: Connection, until: datetime | None = None, *, engagement_id: int | None = None,
                 promisee_id: int | None = None, undated: bool = False) -> list[PromiseDue]:
    """Open promises with a due date by ``until`` (None: any), overdue ones included, soonest
    first; only one engagement's or one person's when told; ``undated`` adds those without a
    due date, last."""
    c, p, e, a = schema.commitment, schema.person, schema.engagement, schema.ask
    query = (select(c.c.id, c.c.title, c.c.promisee_id, p.c.name, c.c.engagement_id, e.c.name,
                    c.c.ask_id, a.c.title, c.c.due_at)
             .outerjoin(p, p.c.id == c.c.promisee_id).outerjoin(e, e.c.id == c.c.engagement_id)
             .outerjoin(a, a.c.id == c.c.ask_id)
             .where(c.c.status == "open").order_by(c.c.due_at.is_(None), c.c.due_at, c.c.id))
    if until is not None:
        query = query.where(c.c.due_at <= until)
    if not undated:
        query = query.where(c.c.due_at.is_not(None))
    if engagement_id is not None:
        query = query.where(c.c.engagement_id == engagement_id)
    if promisee_id is not None:
        query = query.where(c.c.promisee_id == promisee_id)
    return [PromiseDue(*row) for row in conn.execute(query)]
