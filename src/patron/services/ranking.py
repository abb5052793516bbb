"""What to do next: every open ask scored by ``domain.ranking``, best first.

Each requester's weight in each engagement is computed once in Python; the
database then sums the terms of every open ask and returns only the best
(``store.reader`` reads through sqlite3 where it can, to start fast). ``why``
runs the same ranking and picks one ask, so its breakdown always sums to the
score ``next`` shows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from patron.domain import ranking as r
from patron.domain.cadence import ContactDue, contact_due
from patron.domain.salience import QUADRANTS, Attributes, salience_class
from patron.domain.vocabulary import KEY_ROLES, OPEN_ASK_STATUSES
from patron.errors import InvalidInput, NotFound
from patron.settings import Settings
from patron.store.reader import (
    EPOCH,
    Reader,
    day_number,
    day_number_sql,
    id_list,
    literal_moment,
    moment,
)

OPEN_SQL = ", ".join(f"'{status}'" for status in OPEN_ASK_STATUSES)


@dataclass(frozen=True)
class Stake:
    """A requester's standing in one engagement, in words (for ``why``)."""

    roles: tuple[str, ...]
    salience_class: str
    quadrant: str
    attributes: Attributes
    overdue_days: int | None   # days past the next contact (negative: days left); None: no cadence
    contact: ContactDue | None = None


@dataclass
class Ranked:
    id: int
    title: str
    status: str
    score: float
    factors: tuple[float, ...]
    requester_id: int | None
    engagement_id: int | None
    due_at: datetime | None
    requester: str | None = None
    engagement: str | None = None
    rank: int = 0
    sql_score: float = 0.0  # the database's sum, which ordered the asks (a test keeps it equal)

    def contributions(self, coefficients: tuple[float, ...]) -> dict[str, float]:
        # + 0.0 turns a negative zero (0 x a negative coefficient) into a plain zero
        return {name: f * c + 0.0
                for name, f, c in zip(r.TERM_NAMES, self.factors, coefficients, strict=True)}


@dataclass
class Ranking:
    asks: list[Ranked]
    open_asks: int
    coefficients: tuple[float, ...]
    stakes: dict[tuple[int, int], Stake] = field(default_factory=dict)


def coefficients(settings: Settings) -> tuple[float, ...]:
    return tuple(float(settings[f"ranking.{name}"]) for name in r.TERM_NAMES)


def named_coefficients(settings: Settings) -> dict[str, float]:
    return dict(zip(r.TERM_NAMES, coefficients(settings), strict=True))


def ramp(settings: Settings) -> r.Ramp:
    return r.Ramp(
        due_horizon_days=float(settings["ranking.due_horizon_days"]),
        overdue_full_days=float(settings["ranking.overdue_full_days"]),
        age_full_days=float(settings["ranking.age_full_days"]),
        quick_win_hours=float(settings["ranking.quick_win_hours"]),
    )


def rank(reader: Reader, settings: Settings, now: datetime, *, engagement_id: int | None = None,
         limit: int | None = None, with_stakes: bool = False) -> Ranking:
    """Open asks, best first; ties go to the older id. ``limit`` None means all.

    The database orders the asks by the score (``_score_sql``), so only the asks shown
    travel to Python, where each gets its breakdown from ``domain.ranking``; the score
    shown is that breakdown's sum.
    """
    coeffs = coefficients(settings)
    shape = ramp(settings)
    weights, stakes = requesters(reader, settings, now, with_stakes, engagement_id=engagement_id)
    engagement_value, self_engagements = _engagements(reader)
    _load_bases(reader, weights, engagement_value, self_engagements, coeffs)
    _load_flags(reader)
    goals = [row[0] for row in reader.rows("SELECT id FROM goal WHERE status = 'active'")]
    where = f" AND a.engagement_id = {int(engagement_id)}" if engagement_id is not None else ""
    count = reader.rows(f"SELECT COUNT(*) FROM ask a WHERE a.status IN ({OPEN_SQL}){where}")[0][0]
    today = day_number(now)
    rows = reader.rows(_score_sql(reader.dialect, coeffs, shape, today, goals, where, limit))
    best = []
    for ident, status, requester, engagement, due_left, age, effort, value, goal, committed, \
            blocking, blocked, is_self, sql_score in rows:
        ask = r.AskFacts(
            status=status, days_left=None if due_left is None else float(due_left),
            age_days=float(age), effort_hours=effort, value=value,
            engagement_value=engagement_value.get(engagement, 0.0), committed=bool(committed),
            blocking=bool(blocking), blocked=bool(blocked),
            goals=1.0 if goal in goals else 0.5 if is_self else 0.0,
        )
        factors = r.factors(ask, weights.get((requester, engagement), r.NOBODY), shape)
        best.append(Ranked(ident, "", status, r.total(factors, coeffs), factors, requester,
                           engagement, None, sql_score=float(sql_score)))
    best.sort(key=lambda item: (-item.score, item.id))
    for position, item in enumerate(best, start=1):
        item.rank = position
    _describe(reader, best)
    return Ranking(best, int(count), coeffs, stakes)


def _load_bases(reader: Reader, weights: dict[tuple[int, int], r.Requester],
                engagement_value: dict[int, float], self_engagements: set[int],
                coeffs: tuple[float, ...]) -> None:
    """What every ask of one requester in one engagement shares, into two temporary tables."""
    c = dict(zip(r.TERM_NAMES, coeffs, strict=True))
    reader.temporary("patron_rank_requester", ("person_id INTEGER", "engagement_id INTEGER",
                                               "base DOUBLE PRECISION"), [
        (person, engagement, r.requester_weight(who, c) + who.relationship * c["relationship"])
        for (person, engagement), who in weights.items()
    ], key="person_id, engagement_id")
    reader.temporary("patron_rank_engagement", ("id INTEGER", "base DOUBLE PRECISION", "is_self INTEGER"), [
        (ident, value * c["engagement_value"], int(ident in self_engagements))
        for ident, value in engagement_value.items()
    ])


def _score_sql(dialect: str, coeffs: tuple[float, ...], shape: r.Ramp, today: float,
               goals: list[int], where: str, limit: int | None) -> str:
    """The score of ``domain.ranking`` as SQL: the same terms, summed by the database.

    A test checks, ask by ask, that it equals the sum of the breakdown.
    """
    c = {name: repr(float(v)) for name, v in zip(r.TERM_NAMES, coeffs, strict=True)}
    h, o = repr(shape.due_horizon_days), repr(shape.overdue_full_days)
    full, quick = repr(shape.age_full_days), repr(shape.quick_win_hours)
    score = " + ".join((
        "COALESCE(q.base, 0.0)", "COALESCE(e.base, 0.0)",
        f"COALESCE(a.value, 0) / 5.0 * {c['ask_value']}",
        f"(CASE WHEN a.due_left IS NULL THEN 0.0 WHEN a.due_left >= {h} THEN 0.2 "
        f"WHEN a.due_left <= -{o} THEN 1.0 ELSE 0.2 + 0.8 * ({h} - a.due_left) / ({h} + {o}) END)"
        f" * {c['due']}",
        f"(CASE WHEN a.age <= 0 THEN 0.0 WHEN a.age >= {full} THEN 1.0 ELSE a.age / {full} END)"
        f" * {c['age']}",
        f"(CASE WHEN a.effort_hours IS NULL THEN 0.0 WHEN a.effort_hours <= {quick} THEN 1.0 "
        f"ELSE {quick} / a.effort_hours END) * {c['quick_win']}",
        f"COALESCE(f.committed, 0) * {c['commitment']}",
        f"COALESCE(f.blocking, 0) * {c['blocking']}",
        f"COALESCE(f.blocked, 0) * {c['blocked']}",
        f"(CASE a.status WHEN 'doing' THEN {c['doing']} WHEN 'waiting' THEN {c['waiting']} "
        "ELSE 0.0 END)",
        f"(CASE WHEN a.goal_id IN ({id_list(goals)}) THEN {c['goals']} "
        f"WHEN e.is_self = 1 THEN 0.5 * {c['goals']} ELSE 0.0 END)",
    ))
    return (
        "SELECT a.id, a.status, a.requester_id, a.engagement_id, a.due_left, a.age, a.effort_hours, "
        "a.value, a.goal_id, COALESCE(f.committed, 0), COALESCE(f.blocking, 0), "
        f"COALESCE(f.blocked, 0), COALESCE(e.is_self, 0), {score} AS score "
        "FROM (SELECT id, status, requester_id, engagement_id, effort_hours, value, goal_id, "
        f"{_clamped_days('due_at', dialect, today, -shape.overdue_full_days, shape.due_horizon_days)}"
        " AS due_left, "
        f"-{_clamped_days('created_at', dialect, today, -shape.age_full_days, 0.0)} AS age "
        # Most asks are open: reading the table straight through beats a lookup per ask.
        f"FROM ask a{' NOT INDEXED' if dialect == 'sqlite' else ''} "
        f"WHERE a.status IN ({OPEN_SQL}){where}) a "
        "LEFT JOIN patron_rank_requester q "
        "ON q.person_id = a.requester_id AND q.engagement_id = a.engagement_id "
        "LEFT JOIN patron_rank_engagement e ON e.id = a.engagement_id "
        "LEFT JOIN patron_rank_flags f ON f.ask_id = a.id "
        "ORDER BY score DESC, a.id"
        + (f" LIMIT {int(limit)}" if limit is not None else "")
    )


def _clamped_days(column: str, dialect: str, today: float, low: float, high: float) -> str:
    """Days from today to ``column``, clamped to [low, high]: the factors are flat beyond,
    and comparing the stored text is far cheaper than parsing every date."""
    def at(days: float) -> str:
        return literal_moment(EPOCH + timedelta(days=today + days))

    return (f"(CASE WHEN {column} IS NULL THEN NULL WHEN {column} >= {at(high)} THEN {high!r} "
            f"WHEN {column} <= {at(low)} THEN {low!r} "
            f"ELSE {day_number_sql(dialect, column)} - {today!r} END)")


def _load_flags(reader: Reader) -> None:
    """Asks promised, blocking or blocked: a few set queries, joined once."""
    committed = {row[0] for row in reader.rows(
        "SELECT DISTINCT ask_id FROM commitment WHERE status = 'open' AND ask_id IS NOT NULL")}
    pairs = reader.rows("SELECT ask_id, depends_on_id FROM ask_dependency")
    closed = {row[0] for row in reader.rows(f"SELECT id FROM ask WHERE status NOT IN ({OPEN_SQL})")}
    blocking = {target for ask, target in pairs if ask not in closed}
    blocked = {ask for ask, target in pairs if target not in closed}
    reader.temporary("patron_rank_flags",
                     ("ask_id INTEGER", "committed INTEGER", "blocking INTEGER", "blocked INTEGER"),
                     [(i, int(i in committed), int(i in blocking), int(i in blocked))
                      for i in sorted(committed | blocking | blocked)])


def requesters(reader: Reader, settings: Settings, now: datetime, with_stakes: bool = True, *,
               engagement_id: int | None = None, person_id: int | None = None
               ) -> tuple[dict[tuple[int, int], r.Requester], dict[tuple[int, int], Stake]]:
    """Each (person, engagement) pair's weight: computed once, shared by all their asks;
    and, if wanted, their standing in words. With ``engagement_id`` or ``person_id``, only
    the pairs of that engagement or person (a page about one of them).

    Written for speed (ten thousand stakeholders are read on every ``patron next``):
    plain tuples, no per-row objects but the result.
    """
    high = int(settings["stakeholders.high"])
    only = [f"{column} = {int(value)}" for column, value
            in (("engagement_id", engagement_id), ("person_id", person_id)) if value is not None]
    rows = reader.rows(
        "SELECT person_id, engagement_id, role, power, interest, legitimacy, urgency, cadence_days, "
        "added_on FROM stakeholder" + (" WHERE " + " AND ".join(only) if only else "")
    )
    last = _last_contacts(reader, now, {row[0] for row in rows if _key(row[2], row[3], high)})
    grouped: dict[tuple[int, int], list[tuple[Any, ...]]] = {}
    for row in rows:
        grouped.setdefault((row[0], row[1]), []).append(row[2:])
    role_weights = {role: float(settings[f"weights.{role}"]) for role in r.ROLES}
    today = now.date()
    weights: dict[tuple[int, int], r.Requester] = {}
    stakes: dict[tuple[int, int], Stake] = {}
    for key, roles in grouped.items():
        if len(roles) == 1:
            role, power, interest, legitimacy, urgency, _, _ = roles[0]
        else:  # a boss who is also a customer: the strongest of each counts
            role = max((x[0] for x in roles), key=role_weights.__getitem__)
            power, interest, legitimacy, urgency = (max(x[i] for x in roles) for i in range(1, 5))
        relationship, due = 0.0, None
        if any(_key(x[0], x[1], high) for x in roles):
            cadence = min((c for x in roles
                           if (c := settings.cadence_days(x[0], x[5])) > 0), default=0)
            seen = last.get(key[0])
            # a stakeholder in two roles joined when the first of them began
            since = min((d for x in roles if (d := _day(x[6])) is not None), default=None)
            due = contact_due(seen.date() if seen else None, cadence, today, added_on=since)
            relationship = r.relationship_factor(due)
        held = (power >= high) + (legitimacy >= high) + (urgency >= high)
        cell = QUADRANTS[(power >= high, interest >= high)]
        weights[key] = r.Requester(role_weights[role], held / 3.0, r.QUADRANT_FACTORS[cell],
                                   relationship)
        if with_stakes:
            attrs = Attributes(power, interest, legitimacy, urgency)
            stakes[key] = Stake(tuple(x[0] for x in roles), salience_class(attrs, high), cell,
                                attrs, None if due is None else due.days_overdue, due)
    return weights, stakes


def _day(value: Any) -> date | None:
    """A stored date, whether the driver returns text (sqlite3) or a date."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _key(role: str, power: int, high: int) -> bool:
    """A key stakeholder: one whose neglect costs you (a key role, or high power)."""
    return role in KEY_ROLES or power >= high


def _last_contacts(reader: Reader, now: datetime, people: Iterable[int]) -> dict[int, datetime]:
    """Each person's latest touchpoint up to now: one look-up each in the index of the
    participants' moments (store/moments.py)."""
    wanted = id_list(sorted(people))
    rows = reader.rows(
        "SELECT person.id, (SELECT MAX(p.occurred_at) FROM interaction_participant p "
        f"WHERE p.person_id = person.id AND p.occurred_at <= {literal_moment(now)}) "
        f"FROM person WHERE person.id IN ({wanted})"
    )
    return {person: when for person, value in rows if (when := moment(value)) is not None}


def _engagements(reader: Reader) -> tuple[dict[int, float], set[int]]:
    rows = reader.rows("SELECT id, kind, value FROM engagement")
    top = max((value for _, _, value in rows if value), default=0.0)
    values = {ident: (value or 0.0) / top if top else 0.0 for ident, _, value in rows}
    return values, {ident for ident, kind, _ in rows if kind == "self"}


def _describe(reader: Reader, asks: list[Ranked]) -> None:
    """Titles, names and due dates, only for the asks shown."""
    if not asks:
        return
    people = {p for a in asks if (p := a.requester_id) is not None}
    engagements = {e for a in asks if (e := a.engagement_id) is not None}
    person = dict(reader.rows(f"SELECT id, name FROM person WHERE id IN ({id_list(sorted(people))})"))
    engagement = dict(reader.rows(
        f"SELECT id, name FROM engagement WHERE id IN ({id_list(sorted(engagements))})"))
    details = {i: (t, d) for i, t, d in reader.rows(
        f"SELECT id, title, due_at FROM ask WHERE id IN ({id_list(a.id for a in asks)})")}
    for a in asks:
        a.title, due = details[a.id]
        a.due_at = moment(due)
        a.requester = person.get(a.requester_id)
        a.engagement = engagement.get(a.engagement_id)


def explain(reader: Reader, settings: Settings, now: datetime, ask_id: int) -> tuple[Ranked, Ranking]:
    """One ask's place in the whole ranking, with the data behind its score."""
    status = reader.rows(f"SELECT status FROM ask WHERE id = {int(ask_id)}")
    if not status:
        raise NotFound(f"no ask with id {ask_id}")
    whole = rank(reader, settings, now, with_stakes=True)
    for item in whole.asks:
        if item.id == ask_id:
            return item, whole
    raise InvalidInput(f"ask #{ask_id} is {status[0][0]}: only open asks are ranked")


@dataclass(frozen=True)
class LoosePromise:
    """An open promise tied to no ask: ``next`` lists it apart, outside the score."""

    id: int
    title: str
    promisee: str | None
    engagement: str | None
    due_at: datetime | None


def loose_promises(reader: Reader, settings: Settings, now: datetime, *,
                   engagement_id: int | None = None) -> list[LoosePromise]:
    """Open promises about no ask that fall due within the due horizon
    (ranking.due_horizon_days) or are overdue, soonest first."""
    until = now + timedelta(days=float(settings["ranking.due_horizon_days"]))
    where = f" AND c.engagement_id = {int(engagement_id)}" if engagement_id is not None else ""
    rows = reader.rows(
        "SELECT c.id, c.title, p.name, e.name, c.due_at FROM commitment c "
        "LEFT JOIN person p ON p.id = c.promisee_id "
        "LEFT JOIN engagement e ON e.id = c.engagement_id "
        "WHERE c.status = 'open' AND c.ask_id IS NULL AND c.due_at IS NOT NULL "
        f"AND c.due_at <= {literal_moment(until)}{where} ORDER BY c.due_at, c.id")
    return [LoosePromise(int(ident), str(title), promisee, engagement, moment(due))
            for ident, title, promisee, engagement, due in rows]


def standing(name: str | None, stake: Stake | None, engagement: str | None = None) -> str:
    """Why who asked weighs as it does, in one sentence (``why``, and the assistant's answer)."""
    if name is None:
        return "Nobody is recorded as asking: 'patron ask edit ID --from PERSON' weighs who asked."
    if engagement is None:
        return (f"The ask belongs to no engagement, so {name}'s role cannot weigh: "
                "'patron ask edit ID --engagement ENGAGEMENT'.")
    if stake is None:
        return (f"{name} is no stakeholder of {engagement}: record their role with "
                "'patron stakeholder add' to weigh their asks.")
    a = stake.attributes
    late = ""
    if stake.contact is not None and stake.contact.wanted:
        late = f" Contact: {stake.contact.describe()}."
    return (f"{name} is {' and '.join(stake.roles)} here: a {stake.salience_class} stakeholder "
            f"(power {a.power}, legitimacy {a.legitimacy}, urgency {a.urgency}) to "
            f"{stake.quadrant} on the power-interest grid (power {a.power}, interest {a.interest})."
            f"{late}")
