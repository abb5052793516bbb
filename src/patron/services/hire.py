"""Would they hire you back? The facts of one client engagement, scored by ``domain.hire``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, func, select

from patron.domain import hire as h
from patron.domain.cadence import contact_due, lateness
from patron.domain.vocabulary import KEY_ROLES
from patron.domain.vocabulary import OPEN_ASK_STATUSES as OPEN
from patron.errors import InvalidInput
from patron.services.overview import last_contacts
from patron.settings import Settings
from patron.store import schema

RECENT_DAYS = 90
RATINGS_DAYS = 365


@dataclass
class HireScore:
    engagement_id: int
    engagement: str
    score: float
    out_of: float
    verdict: str
    factors: tuple[float, ...]
    coefficients: tuple[float, ...]
    facts: h.ClientFacts
    ratings_trend: str

    def contributions(self) -> dict[str, float]:
        return {n: f * c for n, f, c in zip(h.HIRE_TERM_NAMES, self.factors, self.coefficients,
                                            strict=True)}


def coefficients(settings: Settings) -> tuple[float, ...]:
    return tuple(float(settings[f"hire_me_back.{name}"]) for name in h.HIRE_TERM_NAMES)


def score(conn: Connection, settings: Settings, now: datetime, engagement_id: int) -> HireScore:
    e = schema.engagement
    name, kind = conn.execute(select(e.c.name, e.c.kind).where(e.c.id == engagement_id)).one()
    if kind == "self":
        raise InvalidInput(f"{name} is your own development: nobody there hires you back "
                           "(see your goals and 'patron reflect')")
    facts, ratings_oldest_first = _facts(conn, settings, now, engagement_id)
    coeffs = coefficients(settings)
    factors = h.factors(facts, int(settings["hire_me_back.latest_ratings"]))
    total = sum(f * c for f, c in zip(factors, coeffs, strict=True))
    return HireScore(engagement_id, name, total, sum(coeffs), h.verdict(total, sum(coeffs)), factors,
                     coeffs, facts, h.trend(ratings_oldest_first))


def _facts(conn: Connection, settings: Settings, now: datetime, engagement_id: int
           ) -> tuple[h.ClientFacts, list[int]]:
    f, c, a, m = schema.feedback, schema.commitment, schema.ask, schema.milestone
    i, st = schema.interaction, schema.stakeholder
    since = now.date() - timedelta(days=RATINGS_DAYS)
    ratings = [r for r in conn.execute(
        select(f.c.rating).where(f.c.engagement_id == engagement_id, f.c.rating.is_not(None),
                                 f.c.received_on >= since, f.c.received_on <= now.date())
        .order_by(f.c.received_on.desc(), f.c.id.desc())).scalars()]
    outcomes: dict[str, int] = dict(conn.execute(
        select(c.c.status, func.count()).where(c.c.engagement_id == engagement_id,
                                               c.c.status.in_(("kept", "broken")))
        .group_by(c.c.status)).all())
    open_asks, overdue = conn.execute(
        select(func.count(), func.count().filter(a.c.due_at < now))
        .where(a.c.engagement_id == engagement_id, a.c.status.in_(OPEN))).one()
    sentiments = list(conn.execute(
        select(i.c.sentiment).where(i.c.engagement_id == engagement_id, i.c.sentiment.is_not(None),
                                    i.c.occurred_at >= now - timedelta(days=RECENT_DAYS),
                                    i.c.occurred_at <= now)).scalars())
    due_count, reached = conn.execute(
        select(func.count(), func.count().filter(m.c.done_on.is_not(None)))
        .where(m.c.engagement_id == engagement_id, m.c.due_on <= now.date())).one()
    last = last_contacts(conn, now, select(st.c.person_id).where(st.c.engagement_id == engagement_id))
    health = []
    for person, role, cadence_days, added_on in conn.execute(
            select(st.c.person_id, st.c.role, st.c.cadence_days, st.c.added_on)
            .where(st.c.engagement_id == engagement_id, st.c.role.in_(sorted(KEY_ROLES)),
                   st.c.added_on <= now.date())):  # seen from a past day, not yet there
        cadence = settings.cadence_days(role, cadence_days)
        state = contact_due(last.get(person), cadence, now.date(), added_on=added_on)
        if state is not None:
            health.append(1.0 - lateness(state))
    facts = h.ClientFacts(ratings, int(outcomes.get("kept", 0)), int(outcomes.get("broken", 0)),
                          int(open_asks), int(overdue), health, sentiments, int(due_count),
                          int(reached))
    return facts, list(reversed(ratings))


@dataclass(frozen=True)
class MonthScore:
    month: str      # 2026-11
    score: float    # as it stood at the month's end (or now, for the current month)


def history(conn: Connection, settings: Settings, now: datetime, engagement_id: int,
            months: int = 12) -> list[MonthScore]:
    """The score month by month, oldest first: each month read as it stood on its last day."""
    found: list[MonthScore] = []
    year, month = now.year, now.month
    for _ in range(months):
        first_next = datetime(year + month // 12, month % 12 + 1, 1)
        end = min(now, first_next - timedelta(seconds=1))
        found.append(MonthScore(f"{year:04d}-{month:02d}", score(conn, settings, end, engagement_id).score))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return found[::-1]
