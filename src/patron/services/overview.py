"""The portfolio at a glance: open asks in order, and per engagement who pays,
who directs the work and who is overdue for contact.

Everything here is computed from the register; nothing is stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Select, func, select

from patron.domain.cadence import ContactDue, contact_due, no_cadence
from patron.domain.salience import Attributes
from patron.domain.vocabulary import OPEN_ASK_STATUSES, Role
from patron.services import ranking
from patron.settings import Settings
from patron.store import schema
from patron.store.reader import ConnectionReader

OPEN = OPEN_ASK_STATUSES
@dataclass(frozen=True)
class AskLine:
    id: int
    title: str
    status: str
    requester: str | None
    requester_role: str | None
    engagement: str | None
    due_at: datetime | None
    days_late: int | None  # positive when overdue
    score: float


@dataclass(frozen=True)
class Contact:
    person: str
    title: str | None
    role: str
    due: ContactDue


@dataclass
class EngagementView:
    id: int
    name: str
    kind: str
    status: str
    organisation: str | None
    value: float | None
    pays: list[Contact] = field(default_factory=list)
    directs: list[Contact] = field(default_factory=list)
    incentives: dict[str, str] = field(default_factory=dict)
    overdue: list[Contact] = field(default_factory=list)
    open_asks: int = 0


@dataclass
class Overview:
    today: date
    counts: dict[str, int]
    asks: list[AskLine]
    open_asks: int
    engagements: list[EngagementView]


@dataclass(frozen=True)
class _Stake:
    person_id: int
    engagement_id: int
    role: str
    attrs: Attributes
    cadence_days: int | None
    incentives: str | None
    added_on: date | None


def build(
    conn: Connection, settings: Settings, now: datetime, ask_limit: int | None = None
) -> Overview:
    today = now.date()
    stakes = _stakes(conn)
    people = {
        r.id: (r.name, r.title)
        for r in conn.execute(
            select(schema.person.c.id, schema.person.c.name, schema.person.c.title)
        )
    }
    limit = ask_limit if ask_limit is not None else int(settings["overview.asks"])
    asks, open_asks = _open_asks(conn, settings, now, limit)
    return Overview(
        today=today,
        counts=_counts(conn),
        asks=asks,
        open_asks=open_asks,
        engagements=_engagements(conn, settings, stakes, people, _open_per_engagement(conn), now),
    )


def _stakes(conn: Connection) -> list[_Stake]:
    st = schema.stakeholder
    rows = conn.execute(select(st).order_by(st.c.engagement_id, st.c.id)).mappings()
    return [
        _Stake(
            r["person_id"],
            r["engagement_id"],
            r["role"],
            Attributes(r["power"], r["interest"], r["legitimacy"], r["urgency"]),
            r["cadence_days"],
            r["incentives"],
            r["added_on"],
        )
        for r in rows
    ]


def _counts(conn: Connection) -> dict[str, int]:
    return {
        table.name: int(conn.execute(select(func.count()).select_from(table)).scalar_one())
        for table in (
            schema.person,
            schema.organisation,
            schema.engagement,
            schema.stakeholder,
            schema.ask,
            schema.commitment,
            schema.interaction,
            schema.feedback,
            schema.time_entry,
            schema.goal,
            schema.prospect,
        )
    }


def _open_asks(conn: Connection, settings: Settings, now: datetime, limit: int
               ) -> tuple[list[AskLine], int]:
    """The best open asks by the explained score (``patron next``), and how many are open."""
    ranked = ranking.rank(ConnectionReader(conn), settings, now, limit=limit, with_stakes=True)
    lines = []
    for item in ranked.asks:
        stake = ranked.stakes.get((item.requester_id or 0, item.engagement_id or 0))
        late = (now.date() - item.due_at.date()).days if item.due_at else None
        lines.append(AskLine(item.id, item.title, item.status, item.requester,
                             " and ".join(stake.roles) if stake else None, item.engagement,
                             item.due_at, late, item.score))
    return lines, ranked.open_asks


def _open_per_engagement(conn: Connection) -> dict[int, int]:
    a = schema.ask
    rows = conn.execute(select(a.c.engagement_id, func.count()).where(a.c.status.in_(OPEN))
                        .group_by(a.c.engagement_id))
    return {int(e): int(n) for e, n in rows if e is not None}


def last_contacts(conn: Connection, now: datetime, people: Select[Any] | None = None
                  ) -> dict[int, date]:
    """Each person's latest interaction up to now; only of ``people`` (a query of person
    ids, such as the stakeholders) when given: a mailbox holds tens of thousands of others.
    One look-up each in the index of the participants' moments (store/moments.py)."""
    person, p = schema.person, schema.interaction_participant
    latest = (select(func.max(p.c.occurred_at))
              .where(p.c.person_id == person.c.id, p.c.occurred_at <= now).scalar_subquery())
    query = select(person.c.id, latest)
    if people is not None:
        query = query.where(person.c.id.in_(people))
    return {int(ident): when.date() for ident, when in conn.execute(query) if when is not None}


@dataclass(frozen=True)
class Booked:
    """A touchpoint still to come (a meeting in the calendar)."""

    interaction_id: int
    at: datetime
    summary: str


def next_touchpoints(conn: Connection, now: datetime) -> dict[int, Booked]:
    """Each person's first interaction after now: the contact that is already planned."""
    i, p = schema.interaction, schema.interaction_participant
    rows = conn.execute(
        select(p.c.person_id, i.c.id, i.c.occurred_at, i.c.summary)
        .join(i, i.c.id == p.c.interaction_id)
        .where(i.c.occurred_at > now)
        .order_by(i.c.occurred_at, i.c.id)
    )
    found: dict[int, Booked] = {}
    for person, ident, when, summary in rows:
        found.setdefault(int(person), Booked(int(ident), when, summary))
    return found


def _engagements(
    conn: Connection,
    settings: Settings,
    stakes: list[_Stake],
    people: dict[int, tuple[str, str | None]],
    open_by_engagement: dict[int, int],
    now: datetime,
) -> list[EngagementView]:
    e, o = schema.engagement, schema.organisation
    rows = conn.execute(
        select(e.c.id, e.c.name, e.c.kind, e.c.status, e.c.value, o.c.name.label("org"))
        .outerjoin(o, o.c.id == e.c.organisation_id)
        .where(e.c.status.in_(("active", "paused", "proposed")))
        .order_by(e.c.kind, e.c.value.desc(), e.c.name)
    ).all()
    views = {r.id: EngagementView(r.id, r.name, r.kind, r.status, r.org, r.value) for r in rows}
    last = last_contacts(conn, now, select(schema.stakeholder.c.person_id))
    booked = next_touchpoints(conn, now)
    for s in stakes:
        view = views.get(s.engagement_id)
        if view is None:
            continue
        if s.role == Role.SELF:
            view.pays.append(
                Contact(people[s.person_id][0], "you", s.role, no_cadence(added_on=s.added_on))
            )
            continue
        cadence = settings.cadence_days(s.role, s.cadence_days)
        planned = booked.get(s.person_id)
        due = contact_due(last.get(s.person_id), cadence, now.date(), added_on=s.added_on,
                          booked_on=planned.at.date() if planned else None)
        name, title = people[s.person_id]
        contact = Contact(name, title, s.role, due or no_cadence(last.get(s.person_id), s.added_on))
        if s.role == Role.SPONSOR:
            view.pays.append(contact)
        if s.role == Role.MANAGER:
            view.directs.append(contact)
        elif s.role == Role.BOSS and view.kind == "employer":
            view.directs.append(contact)  # in your own job, your line manager directs the work
        if s.role in (Role.SPONSOR, Role.MANAGER) and s.incentives:
            view.incentives[name] = s.incentives
        if due is not None and due.overdue and name not in {c.person for c in view.overdue}:
            view.overdue.append(contact)
    for view in views.values():
        view.overdue.sort(key=lambda c: -c.due.days_overdue)
        view.open_asks = open_by_engagement.get(view.id, 0)
    return list(views.values())
