"""Hours for billing: time logged per engagement and per boss kind in a period, and what it
is worth where the engagement has an hourly rate (``engagement.rate``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from sqlalchemy import Connection, func, select

from patron.domain.periods import Period
from patron.domain.records import BY_KIND
from patron.domain.vocabulary import BossKind
from patron.services.names import resolve
from patron.store import schema


@dataclass
class Line:
    """Time on one engagement for one boss (an engagement's time is usually one boss's)."""

    engagement: str
    boss: str
    minutes: int
    rate: float | None
    value: float | None   # minutes / 60 x rate; None without a rate

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 2)


@dataclass
class Hours:
    period: Period
    engagements: list[Line]
    bosses: dict[str, Line] = field(default_factory=dict)   # boss kind -> its sum
    total: Line = field(default_factory=lambda: Line("total", "", 0, None, None))


def hours(conn: Connection, period: Period, engagement: str | None = None) -> Hours:
    """Time started within the period's days, by engagement and boss; ``engagement`` names one
    to narrow it to (``logged``)."""
    ident = None if engagement is None else resolve(conn, BY_KIND["engagement"], engagement)
    return logged(conn, period, ident)


def logged(conn: Connection, period: Period, engagement: int | None = None) -> Hours:
    """The time of a period, read by ``hours`` and the review alike so that one period gives
    one figure: every entry started within the period's days (from midnight of its first day
    to, not including, midnight after its last; an entry logged ahead, later today, counts),
    by engagement and boss; ``engagement`` (an id) narrows it to one. A sum's value is the sum
    of the priced lines (None when no line has a rate)."""
    t, e = schema.time_entry, schema.engagement
    query = (select(e.c.name, t.c.boss_kind, e.c.rate, func.sum(t.c.minutes))
             .join(e, e.c.id == t.c.engagement_id)
             .where(t.c.started_at >= datetime.combine(period.first, time()),
                    t.c.started_at < datetime.combine(period.last + timedelta(days=1), time()))
             .group_by(e.c.name, t.c.boss_kind, e.c.rate).order_by(e.c.name, t.c.boss_kind))
    if engagement is not None:
        query = query.where(t.c.engagement_id == engagement)
    lines = [Line(name, boss, int(minutes), rate, _value(int(minutes), rate))
             for name, boss, rate, minutes in conn.execute(query)]
    bosses = {b.value: _sum("", b.value, [line for line in lines if line.boss == b.value])
              for b in BossKind}
    return Hours(period, lines, bosses, _sum("total", "", lines))


def _value(minutes: int, rate: float | None) -> float | None:
    return None if rate is None else round(minutes / 60 * rate, 2)


def _sum(label: str, boss: str, lines: list[Line]) -> Line:
    priced = [line.value for line in lines if line.value is not None]
    return Line(label, boss, sum(line.minutes for line in lines), None,
                round(sum(priced), 2) if priced else None)
