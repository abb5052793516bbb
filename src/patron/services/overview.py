"""The portfolio at a glance: open asks in order, and per engagement who pays,
who directs the work and who is overdue for contact.

Everything here is computed from the register; nothing is stored.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, func, select

from patron.domain.cadence import ContactDue, contact_due
from patron.domain.salience import Attributes, attributes_held
from patron.domain.vocabulary import AskStatus, Role
from patron.settings import Settings
from patron.store import schema

OPEN = tuple(s.value for s in AskStatus if s.is_open)
ROLE_RANK = {
    role: rank
    for rank, role in enumerate(
        ("sponsor", "boss", "manager", "customer", "gatekeeper", "teammate", "mentor", "self")
    )
}


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
    asks = _open_asks(conn, stakes, people, int(settings["stakeholders.high"]), today)
    limit = ask_limit if ask_limit is not None else int(settings["overview.asks"])
    return Overview(
        today=today,
        counts=_counts(conn),
        asks=asks[:limit],
        open_asks=len(asks),
        engagements=_engagements(conn, settings, stakes, people, asks, now),
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


def _open_asks(
    conn: Connection,
    stakes: list[_Stake],
    people: dict[int, tuple[str, str | None]],
    high: int,
    today: date,
) -> list[AskLine]:
    """Open asks: overdue first, then due this week, later, undated; within each, the
    more salient requester first, then the earlier due date."""
    by_key: dict[tuple[int, int], list[_Stake]] = defaultdict(list)
    for s in stakes:
        by_key[(s.person_id, s.engagement_id)].append(s)
    a, e = schema.ask, schema.engagement
    rows = conn.execute(
        select(
            a.c.id, a.c.title, a.c.status, a.c.requester_id, a.c.engagement_id, a.c.due_at, e.c.name
        )
        .outerjoin(e, e.c.id == a.c.engagement_id)
        .where(a.c.status.in_(OPEN))
    ).all()
    keyed: list[tuple[Any, AskLine]] = []
    for ident, title, status, requester, engagement_id, due_at, eng_name in rows:
        roles = by_key.get((requester, engagement_id), [])
        best = min(
            roles, key=lambda s: (-attributes_held(s.attrs, high), ROLE_RANK[s.role]), default=None
        )
        late = (today - due_at.date()).days if due_at else None
        bucket = 3 if late is None else 0 if late > 0 else 1 if late >= -7 else 2
        salience = attributes_held(best.attrs, high) if best else 0
        rank = ROLE_RANK[best.role] if best else len(ROLE_RANK)
        line = AskLine(
            ident,
            title,
            status,
            people[requester][0] if requester else None,
            best.role if best else None,
            eng_name,
            due_at,
            late,
        )
        keyed.append(((bucket, -salience, rank, due_at or datetime.max, ident), line))
    keyed.sort(key=lambda pair: pair[0])
    return [line for _, line in keyed]


def last_contacts(conn: Connection, now: datetime) -> dict[int, date]:
    """Each person's latest interaction up to now."""
    i, p = schema.interaction, schema.interaction_participant
    rows = conn.execute(
        select(p.c.person_id, func.max(i.c.occurred_at))
        .join(i, i.c.id == p.c.interaction_id)
        .where(i.c.occurred_at <= now)
        .group_by(p.c.person_id)
    )
    return {int(person): when.date() for person, when in rows if when is not None}


def _engagements(
    conn: Connection,
    settings: Settings,
    stakes: list[_Stake],
    people: dict[int, tuple[str, str | None]],
    asks: list[AskLine],
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
    last = last_contacts(conn, now)
    for s in stakes:
        view = views.get(s.engagement_id)
        if view is None:
            continue
        if s.role == Role.SELF:
            view.pays.append(
                Contact(people[s.person_id][0], "you", s.role, ContactDue(0, None, None, 0))
            )
            continue
        cadence = s.cadence_days if s.cadence_days is not None else settings.cadence_days(s.role)
        due = contact_due(last.get(s.person_id), cadence, now.date())
        name, title = people[s.person_id]
        contact = Contact(name, title, s.role, due or ContactDue(0, last.get(s.person_id), None, 0))
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
        view.open_asks = sum(1 for a in asks if a.engagement == view.name)
    return list(views.values())
