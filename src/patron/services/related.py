"""What a record is connected to, for ``show``: a person's roles and open asks,
an engagement's stakeholders and milestones, an organisation's people."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select

from patron.domain.records import RecordKind
from patron.domain.vocabulary import OPEN_ASK_STATUSES
from patron.store import schema

OPEN = OPEN_ASK_STATUSES


def related(conn: Connection, kind: RecordKind, ident: int, now: datetime) -> dict[str, Any]:
    """A few lists that answer 'and what about them?'; empty for kinds without any."""
    finder = {"person": _person, "engagement": _engagement, "organisation": _organisation}.get(kind.name)
    return finder(conn, ident, now) if finder else {}


def _person(conn: Connection, ident: int, now: datetime) -> dict[str, Any]:
    st, e, a, c = schema.stakeholder, schema.engagement, schema.ask, schema.commitment
    p, f = schema.interaction_participant, schema.feedback
    roles = conn.execute(
        select(st.c.role, e.c.name).join(e, e.c.id == st.c.engagement_id)
        .where(st.c.person_id == ident).order_by(e.c.name, st.c.role)
    ).all()
    asks = conn.execute(
        select(a.c.id, a.c.title).where(a.c.requester_id == ident, a.c.status.in_(OPEN)).order_by(a.c.id)
    ).all()
    promises = conn.execute(
        select(c.c.id, c.c.title).where(c.c.promisee_id == ident, c.c.status == "open").order_by(c.c.id)
    ).all()
    last = conn.execute(
        select(func.max(p.c.occurred_at)).where(p.c.person_id == ident, p.c.occurred_at <= now)
    ).scalar()
    rating = conn.execute(
        select(f.c.rating, f.c.received_on).where(f.c.person_id == ident, f.c.rating.is_not(None))
        .order_by(f.c.received_on.desc(), f.c.id.desc()).limit(1)
    ).first()
    return {
        "roles": [f"{role} in {name}" for role, name in roles],
        "open asks": [f"#{n} {title}" for n, title in asks],
        "open promises": [f"#{n} {title}" for n, title in promises],
        "last contact": last,
        "last rating": f"{rating[0]}/10 on {rating[1].isoformat()}" if rating else None,
    }


def _engagement(conn: Connection, ident: int, now: datetime) -> dict[str, Any]:
    st, pe, m = schema.stakeholder, schema.person, schema.milestone
    a, t = schema.ask, schema.time_entry
    stakeholders = conn.execute(
        select(pe.c.name, st.c.role).join(pe, pe.c.id == st.c.person_id)
        .where(st.c.engagement_id == ident).order_by(st.c.id)
    ).all()
    milestones = conn.execute(
        select(m.c.title, m.c.due_on, m.c.done_on).where(m.c.engagement_id == ident)
        .order_by(m.c.due_on, m.c.id)
    ).all()
    open_asks = conn.execute(
        select(func.count()).where(a.c.engagement_id == ident, a.c.status.in_(OPEN))
    ).scalar_one()
    minutes = conn.execute(select(func.sum(t.c.minutes)).where(t.c.engagement_id == ident)).scalar()
    return {
        "stakeholders": [f"{name} ({role})" for name, role in stakeholders],
        "milestones": [
            f"{due.isoformat() if due else 'undated'} {title}"
            + (f" (done {done.isoformat()})" if done else "")
            for title, due, done in milestones
        ],
        "open asks": int(open_asks),
        "time logged": f"{(minutes or 0) / 60:.1f}h",
    }


def _organisation(conn: Connection, ident: int, now: datetime) -> dict[str, Any]:
    pe, e = schema.person, schema.engagement
    people = conn.execute(select(pe.c.name).where(pe.c.organisation_id == ident).order_by(pe.c.name))
    engagements = conn.execute(select(e.c.name).where(e.c.organisation_id == ident).order_by(e.c.name))
    return {"people": list(people.scalars()), "engagements": list(engagements.scalars())}
