"""The periodic review: per client, would they hire you back and how it moved; the promises,
feedback and asks of the period; your three bosses' share of your time against your target;
your own goals; the relationships going cold; and the period's reflections."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import Connection, func, select

from patron.domain.periods import bounds, previous
from patron.domain.vocabulary import BossKind
from patron.services import hire, relationships
from patron.settings import Settings
from patron.store import schema


@dataclass
class ClientReview:
    engagement: str
    score: float
    previous_score: float
    verdict: str
    kept: list[str]
    broken: list[str]
    feedback: list[str]
    not_asked: list[str]
    asks_done: list[str]


@dataclass
class Review:
    period: str
    first: date
    last: date
    clients: list[ClientReview]
    time_minutes: dict[str, int]
    time_target: dict[str, float]
    goals: list[dict[str, Any]]
    neglected: list[str]
    reflections: list[tuple[str, str]]
    last_reflections: list[tuple[str, str]] = field(default_factory=list)


def build(conn: Connection, settings: Settings, now: datetime, period: str) -> Review:
    first, last = bounds(period, now.date())
    before_first, before_last = previous(period, now.date())
    end = min(now, datetime.combine(last, time.max).replace(microsecond=0))
    e = schema.engagement
    clients = []
    for ident, name in conn.execute(select(e.c.id, e.c.name).where(
            e.c.kind.in_(("client", "employer")), e.c.status.in_(("active", "paused")))
            .order_by(e.c.kind, e.c.name)):
        clients.append(_client(conn, settings, ident, name, first, end,
                               datetime.combine(before_last, time(23, 59, 59))))
    return Review(
        period, first, last, clients, _time(conn, first, end), _target(settings),
        _goals(conn, first, end),
        [f"{d.person} ({'; '.join(d.roles)}): {d.due.describe()}"
         for d in relationships.due(conn, settings, now, 0) if d.due.overdue],
        [(q, a) for q, a, _ in relationships.reflections(conn, first, last)],
        [(q, a) for q, a, _ in relationships.reflections(conn, before_first, before_last)],
    )


def _client(conn: Connection, settings: Settings, ident: int, name: str, first: date,
            end: datetime, before: datetime) -> ClientReview:
    c, f, a, p, st = (schema.commitment, schema.feedback, schema.ask, schema.person,
                      schema.stakeholder)
    start = datetime.combine(first, time())
    now_score = hire.score(conn, settings, end, ident)
    then_score = hire.score(conn, settings, before, ident)
    resolved = conn.execute(select(c.c.title, c.c.status).where(
        c.c.engagement_id == ident, c.c.resolved_at >= start, c.c.resolved_at <= end)).all()
    said = conn.execute(select(p.c.name, f.c.rating, f.c.text).join(p, p.c.id == f.c.person_id)
                        .where(f.c.engagement_id == ident, f.c.received_on >= first,
                               f.c.received_on <= end.date()).order_by(f.c.received_on)).all()
    asked = {row[0] for row in said}
    key = conn.execute(select(p.c.name).join(st, st.c.person_id == p.c.id).where(
        st.c.engagement_id == ident, st.c.role.in_(("sponsor", "manager", "boss", "customer")))
        .distinct().order_by(p.c.name)).scalars()
    done = conn.execute(select(a.c.title).where(a.c.engagement_id == ident, a.c.status == "done",
                                                a.c.done_at >= start, a.c.done_at <= end)).scalars()
    return ClientReview(
        name, now_score.score, then_score.score, now_score.verdict,
        [t for t, s in resolved if s == "kept"], [t for t, s in resolved if s == "broken"],
        [f"{who}: {rating if rating is not None else '-'}/10 {text or ''}".strip()
         for who, rating, text in said],
        [n for n in key if n not in asked], list(done))


def _time(conn: Connection, first: date, end: datetime) -> dict[str, int]:
    t = schema.time_entry
    rows = dict(conn.execute(select(t.c.boss_kind, func.sum(t.c.minutes)).where(
        t.c.started_at >= datetime.combine(first, time()), t.c.started_at <= end)
        .group_by(t.c.boss_kind)).all())
    return {b.value: int(rows.get(b.value) or 0) for b in BossKind}


def _target(settings: Settings) -> dict[str, float]:
    shares = {b.value: float(settings[f"bosses.{b.value}"]) for b in BossKind}
    total = sum(shares.values()) or 1.0
    return {k: v / total for k, v in shares.items()}


def _goals(conn: Connection, first: date, end: datetime) -> list[dict[str, Any]]:
    g, n = schema.goal, schema.goal_note
    out = []
    for ident, title, status, kind in conn.execute(select(g.c.id, g.c.title, g.c.status, g.c.kind)
                                                   .where(g.c.status != "dropped").order_by(g.c.id)):
        notes = list(conn.execute(select(n.c.text).where(
            n.c.goal_id == ident, n.c.noted_on >= first, n.c.noted_on <= end.date())).scalars())
        out.append({"title": title, "kind": kind, "status": status, "notes": notes})
    return out


