"""One person's whole story on one page: their roles, touchpoints (newest first, a page
at a time), asks, your promises to them, their feedback and when they are due a call."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, func, select

from patron.domain.records import PERSON
from patron.errors import InvalidInput
from patron.services import relationships
from patron.services.names import resolve
from patron.services.relationships import DueContact, PromiseDue
from patron.settings import Settings
from patron.store import schema

PAGE_SIZE = 50


@dataclass(frozen=True)
class Role:
    engagement_id: int
    engagement: str
    role: str
    stance: str


@dataclass(frozen=True)
class Touchpoint:
    id: int
    occurred_at: datetime
    kind: str
    direction: str
    summary: str
    sentiment: int | None
    engagement_id: int | None
    engagement: str | None


@dataclass(frozen=True)
class PersonAsk:
    id: int
    title: str
    status: str
    due_at: datetime | None
    engagement_id: int | None
    engagement: str | None


@dataclass(frozen=True)
class Said:
    id: int
    received_on: date
    rating: int | None
    text: str | None
    engagement_id: int | None
    engagement: str | None


@dataclass
class Profile:
    id: int
    name: str
    title: str | None
    organisation_id: int | None
    organisation: str | None
    emails: list[str]
    roles: list[Role]
    touchpoints: list[Touchpoint]
    touchpoints_total: int
    page: int
    pages: int
    asks: list[PersonAsk]
    promises: list[PromiseDue]
    feedback: list[Said]
    due: DueContact | None


def profile(conn: Connection, settings: Settings, now: datetime, person: str, page: int = 1
            ) -> Profile:
    """The person ``person`` names (an id or a name); ``page`` pages the touchpoints."""
    if page < 1:
        raise InvalidInput(f"page {page}: pages count from 1")
    ident = resolve(conn, PERSON, person)
    p, o = schema.person, schema.organisation
    row = conn.execute(select(p.c.name, p.c.title, p.c.organisation_id, o.c.name)
                       .outerjoin(o, o.c.id == p.c.organisation_id).where(p.c.id == ident)).one()
    emails = list(conn.execute(select(schema.person_email.c.address)
                               .where(schema.person_email.c.person_id == ident)
                               .order_by(schema.person_email.c.address)).scalars())
    total = _touchpoint_count(conn, ident)
    pages = max(1, -(-total // PAGE_SIZE))
    # every role's next contact, however far off: the page says when they are due a call
    due = relationships.due(conn, settings, now, 10**6, person_id=ident)
    return Profile(ident, row[0], row[1], row[2], row[3], emails, _roles(conn, ident),
                   _touchpoints(conn, ident, page) if page <= pages else [], total, page, pages,
                   _asks(conn, ident),
                   relationships.promises_due(conn, promisee_id=ident, undated=True),
                   _feedback(conn, ident), due[0] if due else None)


def _roles(conn: Connection, ident: int) -> list[Role]:
    st, e = schema.stakeholder, schema.engagement
    rows = conn.execute(select(e.c.id, e.c.name, st.c.role, st.c.stance)
                        .join(e, e.c.id == st.c.engagement_id)
                        .where(st.c.person_id == ident).order_by(e.c.name, st.c.role))
    return [Role(*r) for r in rows]


def _touchpoint_count(conn: Connection, ident: int) -> int:
    ip = schema.interaction_participant
    return int(conn.execute(select(func.count()).where(ip.c.person_id == ident)).scalar_one())


def _touchpoints(conn: Connection, ident: int, page: int) -> list[Touchpoint]:
    i, ip, e = schema.interaction, schema.interaction_participant, schema.engagement
    rows = conn.execute(
        select(i.c.id, i.c.occurred_at, i.c.kind, i.c.direction, i.c.summary, i.c.sentiment,
               i.c.engagement_id, e.c.name)
        .join(ip, ip.c.interaction_id == i.c.id).outerjoin(e, e.c.id == i.c.engagement_id)
        .where(ip.c.person_id == ident).order_by(i.c.occurred_at.desc(), i.c.id.desc())
        .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE))
    return [Touchpoint(*r) for r in rows]


def _asks(conn: Connection, ident: int) -> list[PersonAsk]:
    a, e = schema.ask, schema.engagement
    rows: Any = conn.execute(
        select(a.c.id, a.c.title, a.c.status, a.c.due_at, a.c.engagement_id, e.c.name)
        .outerjoin(e, e.c.id == a.c.engagement_id).where(a.c.requester_id == ident)
        .order_by((a.c.status == "done") | (a.c.status == "declined"), a.c.due_at.is_(None),
                  a.c.due_at, a.c.id))
    return [PersonAsk(*r) for r in rows]


def _feedback(conn: Connection, ident: int) -> list[Said]:
    f, e = schema.feedback, schema.engagement
    rows = conn.execute(
        select(f.c.id, f.c.received_on, f.c.rating, f.c.text, f.c.engagement_id, e.c.name)
        .outerjoin(e, e.c.id == f.c.engagement_id).where(f.c.person_id == ident)
        .order_by(f.c.received_on.desc(), f.c.id.desc()))
    return [Said(*r) for r in rows]
