"""The periodic review: per client, would they hire you back and how it moved; the promises,
feedback and asks of the period; your three bosses' share of your time against your target;
your own goals; the relationships going cold; and the period's reflections."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import Connection, select

from patron import dates
from patron.domain import periods
from patron.domain.periods import Period
from patron.domain.records import BY_KIND
from patron.domain.vocabulary import BossKind
from patron.errors import InvalidInput
from patron.services import hire, hours, relationships
from patron.services.names import resolve
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
    period: str          # week, month, quarter or days
    first: date
    last: date
    name: str            # "November 2026"
    note: str            # why this period: "November 2026, the month just ended; ..." or ""
    engagement: str | None  # the one engagement reviewed, None for all
    clients: list[ClientReview]
    time_minutes: dict[str, int]
    time_target: dict[str, float]
    goals: list[dict[str, Any]]
    neglected: list[str]
    reflections: list[tuple[str, str]]
    last_reflections: list[tuple[str, str]] = field(default_factory=list)


def choose(settings: Settings, today: date, period: str | None = None,
           start: str | None = None, end: str | None = None) -> Period:
    """The period a review (or a sum of hours, or a reflection) covers.

    ``--from``/``--to`` (any day the date parser reads; ``--to`` defaults to today), else a
    named period (``month``, ``last-quarter`` ...), else ``review.period``: the current one,
    or in its first days (``review.just_ended_days``) the one just ended."""
    if start is not None or end is not None:
        if period is not None:
            raise InvalidInput("give --period or --from/--to, not both")
        if start is None:
            raise InvalidInput("--to needs --from (the first day to cover)")
        first = _day("--from", start, today)
        return periods.days(first, _day("--to", end, today) if end is not None else today)
    if period is not None:
        return periods.named(period, today)
    kind = str(settings["review.period"])
    look_back = settings["review.just_ended_week_days" if kind == "week" else "review.just_ended_days"]
    return periods.default(kind, today, int(look_back))


def _day(option: str, text: str, today: date) -> date:
    try:
        return dates.parse_day(text, today)
    except InvalidInput as exc:
        raise InvalidInput(f"{option}: {exc}") from None


def build(conn: Connection, settings: Settings, now: datetime, period: str | Period,
          engagement: str | None = None) -> Review:
    """The review of a period (a name such as 'month' is the current one), of every client
    and employer engagement, or of one engagement (of any kind) when ``engagement`` names it."""
    chosen = periods.current(period, now.date()) if isinstance(period, str) else period
    first, last = chosen.first, chosen.last
    before = chosen.before()
    end = min(now, datetime.combine(last, time.max).replace(microsecond=0))
    e = schema.engagement
    query = select(e.c.id, e.c.name).order_by(e.c.kind, e.c.name)
    only: int | None = None
    if engagement is not None:
        only = resolve(conn, BY_KIND["engagement"], engagement)
        query = query.where(e.c.id == only)
    else:
        query = query.where(e.c.kind.in_(("client", "employer")), e.c.status.in_(("active", "paused")))
    clients = []
    names = []
    for ident, name in conn.execute(query):
        names.append(name)
        clients.append(_client(conn, settings, ident, name, first, end,
                               datetime.combine(before.last, time(23, 59, 59))))
    whole = only is None
    return Review(
        chosen.kind, first, last, chosen.name, chosen.note, names[0] if only else None,
        clients, _time(conn, chosen, only), _target(settings),
        _goals(conn, first, end) if whole else [],
        [f"{d.person} ({'; '.join(d.roles)}): {d.due.describe()}"
         for d in relationships.due(conn, settings, now, 0, engagement_id=only)
         if d.due.overdue],
        [(q, a) for q, a, _ in relationships.reflections(conn, first, last)] if whole else [],
        [(q, a) for q, a, _ in relationships.reflections(conn, before.first, before.last)]
        if whole else [],
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
        [_said(who, rating, text) for who, rating, text in said],
        [n for n in key if n not in asked], list(done))


def _said(who: str, rating: int | None, text: str | None) -> str:
    """One piece of feedback as the review lists it: the rating out of 10 when one was given,
    then the words; feedback with neither says so rather than show an empty score."""
    if rating is None:
        return f"{who}: {text} (no rating)" if text else f"{who}: (no rating, no comment)"
    return f"{who}: {rating}/10 {text or ''}".strip()


def _time(conn: Connection, chosen: Period, engagement: int | None) -> dict[str, int]:
    """Minutes per boss kind: the period's time as ``patron hours`` counts it."""
    found = hours.logged(conn, chosen, engagement)
    return {b.value: found.bosses[b.value].minutes for b in BossKind}


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


