"""Who the client really is, and where asks and incentives collide.

``client`` names the Executive (who pays), the Manager (who directs and judges
the work) and the most influential stakeholder of an engagement, says whether
they diverge and whom to favour, or that the two weigh too nearly the same to call
(``client.too_close``) and what to find out to decide. ``conflicts`` finds asks that
cannot all be satisfied and effort that does not fit the time you have. ``stakeholders``
places everyone on the salience classes and the power-interest grid.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import combinations
from typing import Any

from sqlalchemy import Connection, select

from patron.domain.cadence import ContactDue
from patron.domain.capacity import hours_until, working_days
from patron.domain.ranking import requester_weight
from patron.domain.salience import (
    ROLE_DEFAULTS,
    Attributes,
    attributes_held,
    quadrant,
    salience_class,
)
from patron.domain.vocabulary import OPEN_ASK_STATUSES as OPEN
from patron.domain.vocabulary import Role
from patron.services.hire import HireScore, score
from patron.services.ranking import Stake, named_coefficients, requesters
from patron.settings import Settings
from patron.store import schema
from patron.store.reader import ConnectionReader


@dataclass
class Member:
    """A stakeholder of one engagement, with what Patron derives from their attributes."""

    stakeholder_id: int
    person_id: int
    name: str
    title: str | None
    role: str
    attributes: Attributes
    stance: str
    incentives: str | None
    salience_class: str
    attributes_held: int
    quadrant: str
    weight: float          # the "who asked" part of an ask score: role, salience, quadrant
    contact_overdue_days: int | None = None  # negative: days left; None: no cadence kept
    open_asks: list[str] = field(default_factory=list)
    contact: ContactDue | None = None
    role_defaults: bool = False  # power, interest, legitimacy, urgency are still the role's usual


@dataclass
class ClientView:
    engagement_id: int
    engagement: str
    kind: str
    executive: list[Member]
    manager: list[Member]
    most_influential: Member | None
    diverge: list[str]
    favour: Member | None
    reasons: list[str]
    find_out: list[str]
    hire: HireScore | None = None
    too_close: bool = False  # the Executive and the Manager weigh within client.too_close
    to_decide: list[str] = field(default_factory=list)  # what to find out when too close


@dataclass
class Collision:
    # opposed incentives, mutually exclusive, same deliverable, deadlines or over-commitment
    kind: str
    summary: str
    asks: list[dict[str, Any]]
    renegotiate_with: str | None
    at_stake: str


def members(conn: Connection, settings: Settings, now: datetime, engagement_id: int) -> list[Member]:
    st, p = schema.stakeholder, schema.person
    rows = conn.execute(
        select(st, p.c.name, p.c.title).join(p, p.c.id == st.c.person_id)
        .where(st.c.engagement_id == engagement_id).order_by(st.c.id)
    ).mappings().all()
    high = int(settings["stakeholders.high"])
    weights, stakes = requesters(ConnectionReader(conn), settings, now, engagement_id=engagement_id)
    coefficients = named_coefficients(settings)
    asks = _open_asks_by_person(conn, engagement_id)
    out = []
    for row in rows:
        attrs = Attributes(row["power"], row["interest"], row["legitimacy"], row["urgency"])
        who = weights[(row["person_id"], engagement_id)]
        stake: Stake = stakes[(row["person_id"], engagement_id)]
        out.append(Member(
            row["id"], row["person_id"], row["name"], row["title"], row["role"], attrs, row["stance"],
            row["incentives"], salience_class(attrs, high), attributes_held(attrs, high),
            quadrant(attrs, high), requester_weight(who, coefficients),
            stake.overdue_days, asks.get(row["person_id"], []), stake.contact,
            attrs == ROLE_DEFAULTS[Role(row["role"])],
        ))
    return out


def _open_asks_by_person(conn: Connection, engagement_id: int) -> dict[int, list[str]]:
    a = schema.ask
    found: dict[int, list[str]] = {}
    for requester, ident, title in conn.execute(
        select(a.c.requester_id, a.c.id, a.c.title)
        .where(a.c.engagement_id == engagement_id, a.c.status.in_(OPEN)).order_by(a.c.id)
    ):
        if requester is not None:
            found.setdefault(requester, []).append(f"#{ident} {title}")
    return found


def client(conn: Connection, settings: Settings, now: datetime, engagement_id: int) -> ClientView:
    e = schema.engagement
    name, kind, criteria = conn.execute(select(e.c.name, e.c.kind, e.c.success_criteria)
                                        .where(e.c.id == engagement_id)).one()
    people = [m for m in members(conn, settings, now, engagement_id) if m.role != "self"]
    executive = [m for m in people if m.role == "sponsor"]
    manager = [m for m in people if m.role == "manager"] or \
        [m for m in people if m.role == "boss" and kind == "employer"]
    influential = max(people, key=lambda m: (m.attributes_held, m.attributes.power, m.weight,
                                             -m.stakeholder_id), default=None)
    diverge = _divergence(conn, executive, manager, engagement_id)
    call = _favour(executive, manager, influential, diverge, float(settings["client.too_close"]))
    view = ClientView(engagement_id, name, kind, executive, manager, influential, diverge,
                      call.favour, call.reasons, _missing(people, executive, manager, kind),
                      score(conn, settings, now, engagement_id) if kind != "self" else None)
    if call.too_close:
        view.too_close = True
        view.to_decide = _to_decide(call.pair, name, list(criteria or []))
    return view


def _divergence(conn: Connection, executive: list[Member], manager: list[Member],
                engagement_id: int) -> list[str]:
    """Ways the people who pay and the people who direct pull apart."""
    found: list[str] = []
    opposed = _opposed_pairs(conn)
    for x in executive:
        for y in manager:
            if x.person_id == y.person_id:
                continue
            if frozenset((x.stakeholder_id, y.stakeholder_id)) in opposed:
                found.append(f"{x.name} and {y.name} have incentives marked as opposed")
            elif x.incentives and y.incentives and x.incentives.strip() != y.incentives.strip():
                found.append(f"different incentives: {x.name} wants {x.incentives.rstrip('.')}; "
                             f"{y.name} wants {y.incentives.rstrip('.')}")
    involved = {m.person_id for m in executive} | {m.person_id for m in manager}
    for c in _pairwise(conn, engagement_id):
        if {c.asks[0]["requester_id"], c.asks[1]["requester_id"]} <= involved and \
                c.asks[0]["requester_id"] != c.asks[1]["requester_id"]:
            found.append(c.summary)
    return found


@dataclass
class _Call:
    favour: Member | None
    reasons: list[str]
    too_close: bool = False
    pair: tuple[Member, ...] = ()


def _favour(executive: list[Member], manager: list[Member], influential: Member | None,
            diverge: list[str], margin: float) -> _Call:
    """Whom to favour when they conflict, with the reasons; or too close to call when the
    Executive and the Manager weigh within ``margin`` (a share of the larger weight)."""
    if not executive and not manager:
        return _Call(influential, ["no sponsor or manager recorded; the most influential person "
                                   "decides" if influential else "nobody recorded yet"])
    if not executive:
        return _Call(manager[0], [f"{manager[0].name} directs the work and nobody is recorded as "
                                  "paying"])
    if not manager:
        return _Call(executive[0], [f"{executive[0].name} pays and nobody else is recorded as "
                                    "directing"])
    exe, man = max(executive, key=lambda m: m.weight), max(manager, key=lambda m: m.weight)
    if exe.person_id == man.person_id:
        return _Call(exe, [f"{exe.name} both pays and directs the work"])
    weights = f"{exe.name} {exe.weight:.1f}, {man.name} {man.weight:.1f}"
    close = abs(exe.weight - man.weight) <= margin * max(exe.weight, man.weight)
    pick = None if close else exe if exe.weight > man.weight else man
    if pick is None:
        reasons = [f"they weigh within {margin:.0%} of each other ({weights}: role, salience and "
                   "grid quadrant; client.too_close)"]
    else:
        reasons = [f"{pick.name} weighs more in this engagement ({weights}: role, salience and "
                   "grid quadrant)"]
        reasons += [f"{m.name} has exactly a {m.role}'s usual values, as given to anyone added "
                    "without them: check they are theirs" for m in (exe, man) if m.role_defaults]
    reasons.append(f"{exe.name} pays and will speak of you to other executives: the next "
                   "engagement depends on them")
    reasons.append(f"{man.name} judges the work day to day: do not let the detail slip"
                   + (" while you favour the Executive" if pick is exe else ""))
    if exe.contact is not None and exe.contact.overdue:
        reasons.append(f"{exe.name}: {exe.contact.describe()}; they cannot favour someone they "
                       "barely know")
    if not diverge:
        reasons.insert(0, "they do not diverge on anything recorded: serve both")
    return _Call(pick, reasons, pick is None, (exe, man))


def _to_decide(pair: tuple[Member, ...], engagement: str, criteria: list[str]) -> list[str]:
    """What would settle a call that is too close: facts only the client can give."""
    exe, man = pair
    out = [f"who signs the renewal or the next piece of work: {exe.name}, or {man.name} "
           "on their own say-so?"]
    if criteria:
        out.append("whose incentives the success criteria serve: "
                   + "; ".join(f"'{c}'" for c in criteria))
    else:
        out.append(f"what success looks like and whose incentives it serves (record it with "
                   f"'patron engagement edit \"{engagement}\" --add-criterion TEXT')")
    for m in pair:  # what each is rewarded for is asked under find_out
        if m.role_defaults:
            a = m.attributes
            out.append(f"{m.name} is still at a {m.role}'s usual values (power {a.power}, "
                       f"interest {a.interest}, legitimacy {a.legitimacy}, urgency {a.urgency}), "
                       f"as given to anyone added without them: record what you know with "
                       f"'patron stakeholder edit "
                       f"\"{m.name}/{engagement}\" --power N --interest N'")
    return out


def _missing(people: list[Member], executive: list[Member], manager: list[Member],
             kind: str) -> list[str]:
    out = []
    if kind == "self":  # your own development: you pay and you judge; mentors advise
        return [] if people else ["nobody recorded yet: a mentor keeps you honest (--role mentor)"]
    if not executive:
        out.append("nobody is recorded as sponsor: find out who signs the invoices")
    if not manager:
        out.append("nobody is recorded as manager: find out who judges the work day to day")
    for m in executive + manager:
        if not m.incentives:
            out.append(f"what is {m.name} rewarded for? (record it with --incentives)")
    if not people:
        out.append("no stakeholders recorded: add them with 'patron stakeholder add'")
    return out


def _opposed_pairs(conn: Connection) -> set[frozenset[int]]:
    so = schema.stakeholder_opposition
    return {frozenset((a, b)) for a, b in conn.execute(select(so.c.stakeholder_id, so.c.opposed_id))}


# --- conflicts ---------------------------------------------------------------


def _ask_rows(conn: Connection, engagement_id: int | None = None) -> dict[int, dict[str, Any]]:
    a, p, e = schema.ask, schema.person, schema.engagement
    query = (select(a.c.id, a.c.title, a.c.requester_id, a.c.engagement_id, a.c.due_at,
                    a.c.effort_hours, a.c.deliverable, p.c.name.label("requester"),
                    e.c.name.label("engagement"))
             .outerjoin(p, p.c.id == a.c.requester_id).outerjoin(e, e.c.id == a.c.engagement_id)
             .where(a.c.status.in_(OPEN)))
    if engagement_id is not None:
        query = query.where(a.c.engagement_id == engagement_id)
    return {row["id"]: dict(row) for row in conn.execute(query).mappings()}


def _pairwise(conn: Connection, engagement_id: int | None = None) -> list[Collision]:
    """Asks that compete two by two: marked exclusive, or one deliverable wanted two ways."""
    asks = _ask_rows(conn, engagement_id)
    found: list[Collision] = []
    x = schema.ask_exclusion
    for a, b in conn.execute(select(x.c.ask_id, x.c.excludes_id).order_by(x.c.ask_id, x.c.excludes_id)):
        if a in asks and b in asks:
            found.append(Collision("mutually exclusive", f"#{a} {asks[a]['title']!r} and #{b} "
                                   f"{asks[b]['title']!r} cannot both be done", [asks[a], asks[b]],
                                   None, ""))
    by_deliverable: dict[tuple[int | None, str], list[dict[str, Any]]] = {}
    for ask in asks.values():
        if ask["deliverable"]:
            by_deliverable.setdefault((ask["engagement_id"], ask["deliverable"].casefold()), []).append(ask)
    for (_, deliverable), group in sorted(by_deliverable.items(), key=lambda kv: kv[1][0]["id"]):
        for one, other in combinations(group, 2):
            if one["requester_id"] != other["requester_id"]:
                found.append(Collision("same deliverable", f"{one['requester']} and {other['requester']} "
                                       f"want the {deliverable} two ways (#{one['id']}, #{other['id']})",
                                       [one, other], None, ""))
    return found


def conflicts(conn: Connection, settings: Settings, now: datetime,
              engagement_id: int | None = None) -> tuple[list[Collision], dict[str, float]]:
    """Every collision, each with whom to renegotiate; and the capacity figures used."""
    weights, _ = requesters(ConnectionReader(conn), settings, now)
    incentives = _incentives(conn)
    found = _pairwise(conn, engagement_id) + _opposed(conn, engagement_id)
    deadlines, load = _time_pressure(conn, settings, now, engagement_id)
    found += deadlines
    for c in found:
        _renegotiation(c, weights, incentives, settings)
    return found, load


def _opposed(conn: Connection, engagement_id: int | None) -> list[Collision]:
    st, p = schema.stakeholder, schema.person
    rows = {r["id"]: r for r in conn.execute(
        select(st.c.id, st.c.person_id, st.c.engagement_id, p.c.name)
        .join(p, p.c.id == st.c.person_id)).mappings()}
    asks = _ask_rows(conn, engagement_id)
    found = []
    for pair in sorted(_opposed_pairs(conn), key=sorted):
        one, other = (rows[i] for i in sorted(pair))
        if engagement_id is not None and engagement_id not in (one["engagement_id"], other["engagement_id"]):
            continue
        theirs = [a for a in asks.values()
                  if (a["requester_id"], a["engagement_id"]) in
                  {(one["person_id"], one["engagement_id"]), (other["person_id"], other["engagement_id"])}]
        if theirs:
            found.append(Collision("opposed incentives", f"{one['name']} and {other['name']} are "
                                   f"rewarded for things that pull apart; {len(theirs)} open asks "
                                   "between them", theirs, None, ""))
    return found


def _time_pressure(conn: Connection, settings: Settings, now: datetime,
                   engagement_id: int | None) -> tuple[list[Collision], dict[str, float]]:
    """Deadlines that cannot both be met, and committed effort beyond your capacity."""
    horizon = now + timedelta(days=int(settings["conflicts.horizon_days"]))
    per_day = float(settings["capacity.hours_per_day"])
    days = working_days(str(settings["capacity.working_days"]))
    asks = [a for a in _ask_rows(conn, engagement_id).values()
            if a["due_at"] is not None and a["due_at"] <= horizon and a["effort_hours"]]
    asks.sort(key=lambda a: (a["due_at"], a["id"]))
    found: list[Collision] = []
    for one, other in combinations(asks, 2):
        later = max(one["due_at"], other["due_at"])
        if one["requester_id"] == other["requester_id"] or later < now:
            continue  # one person's asks are theirs to order; two late asks are simply late
        available = hours_until(now.date(), later.date(), per_day, days)
        needed = one["effort_hours"] + other["effort_hours"]
        if needed > available:
            found.append(Collision("deadlines", f"#{one['id']} and #{other['id']} need {needed:g}h "
                                   f"by {later:%Y-%m-%d}, and you have {available:g}h",
                                   [one, other], None, ""))
    committed = _committed(conn)
    mine = [a for a in asks if a["id"] in committed]
    needed = sum(a["effort_hours"] for a in mine)
    available = hours_until(now.date(), horizon.date(), per_day, days)
    if mine and needed > available:
        found.append(Collision("over-commitment", f"committed asks due within "
                               f"{settings['conflicts.horizon_days']} days need {needed:g}h; "
                               f"you have {available:g}h", mine, None, ""))
    return found, {"committed_hours": needed, "available_hours": available,
                   "horizon_days": float(settings["conflicts.horizon_days"])}


def _committed(conn: Connection) -> set[int]:
    """Asks you are committed to: started, or with an open promise about them."""
    a, c = schema.ask, schema.commitment
    doing = set(conn.execute(select(a.c.id).where(a.c.status == "doing")).scalars())
    promised = set(conn.execute(select(c.c.ask_id).where(c.c.status == "open",
                                                         c.c.ask_id.is_not(None))).scalars())
    return doing | promised


def _incentives(conn: Connection) -> dict[tuple[int, int], str]:
    st = schema.stakeholder
    return {(p, e): i for p, e, i in conn.execute(
        select(st.c.person_id, st.c.engagement_id, st.c.incentives).where(st.c.incentives.is_not(None)))}


def _renegotiation(c: Collision, weights: dict[tuple[int, int], Any],
                   incentives: dict[tuple[int, int], str], settings: Settings) -> None:
    """Renegotiate with the requester who weighs least; say what is at stake for them."""
    coefficients = named_coefficients(settings)

    def weight(ask: dict[str, Any]) -> float:
        who = weights.get((ask["requester_id"], ask["engagement_id"]))
        return 0.0 if who is None else requester_weight(who, coefficients)

    with_someone = [a for a in c.asks if a["requester_id"] is not None]
    if not with_someone:
        return
    lowest = min(with_someone, key=lambda a: (weight(a), -a["id"]))
    c.renegotiate_with = lowest["requester"]
    wants = incentives.get((lowest["requester_id"], lowest["engagement_id"]))
    c.at_stake = f"#{lowest['id']} {lowest['title']}" + (f"; they are rewarded for: {wants}" if wants else "")
