"""Short summaries an assistant reads for context: an engagement's summary and a
stakeholder's card. Both are put together from what the other use cases compute
(the overview, the hire-me-back score, who is due, what a record is connected to);
nothing here is a new rule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from patron.domain.records import ENGAGEMENT, PERSON
from patron.services import hire, overview, records, relationships
from patron.services.related import related
from patron.settings import Settings
from patron.store import schema


@dataclass
class HireMeBack:
    score: float
    out_of: float
    verdict: str
    ratings_trend: str


@dataclass
class EngagementSummary:
    id: int
    name: str
    kind: str
    status: str
    organisation: str | None
    goal: str | None
    executive: list[str]   # who pays: "Victor Okafor (CFO)"
    manager: list[str]     # who directs the work day to day
    open_asks: int
    overdue: list[str]     # key people past their cadence: "Helen Brandt (manager): 12 days overdue"
    health: str            # the relationship in one line, from the two lists above
    hire_me_back: HireMeBack | None  # None for your own development


@dataclass
class PersonCard:
    id: int
    name: str
    title: str | None
    organisation: str | None
    emails: list[str]
    roles: list[str]             # "sponsor in Ledger migration"
    last_contact: datetime | None
    due: str                     # where they stand against their cadence
    open_asks: list[str]         # "#12 Board dashboard draft"
    open_promises: list[str]     # promises you made them, still open
    last_rating: str | None
    reason: str | None = None    # why to get in touch, when they are due


def active_engagements(conn: Connection) -> list[tuple[int, str]]:
    """The engagements in progress (status active), by name: (id, name)."""
    e = schema.engagement
    return [(int(i), str(n)) for i, n in conn.execute(
        select(e.c.id, e.c.name).where(e.c.status == "active").order_by(e.c.name))]


def engagement_summary(conn: Connection, settings: Settings, now: datetime,
                       ident: int) -> EngagementSummary:
    record = records.get(conn, ENGAGEMENT, ident)
    view = next((v for v in overview.build(conn, settings, now, ask_limit=0).engagements
                 if v.id == ident), None)
    executive = [_who(c.person, c.title) for c in view.pays if c.title != "you"] if view else []
    manager = [_who(c.person, c.title) for c in view.directs] if view else []
    overdue = [f"{c.person} ({c.role}): {c.due.describe()}" for c in view.overdue] if view else []
    open_asks = view.open_asks if view else int(related(conn, ENGAGEMENT, ident, now)["open asks"])
    score = None
    if record["kind"] != "self":
        found = hire.score(conn, settings, now, ident)
        score = HireMeBack(found.score, found.out_of, found.verdict, found.ratings_trend)
    return EngagementSummary(
        ident, record["name"], record["kind"], record["status"], record.get("organisation"),
        record.get("goal"), executive, manager, open_asks, overdue,
        _health(overdue, score), score)


def _who(name: str, title: str | None) -> str:
    return f"{name} ({title})" if title else name


def _health(overdue: list[str], score: HireMeBack | None) -> str:
    contact = (f"{len(overdue)} key {'person' if len(overdue) == 1 else 'people'} past their "
               "cadence" if overdue else "every key person within their cadence")
    if score is None:
        return contact
    return f"{contact}; would hire you back: {score.score:.0f} of {score.out_of:g} ({score.verdict})"


def person_card(conn: Connection, settings: Settings, now: datetime, ident: int) -> PersonCard:
    record = records.get(conn, PERSON, ident)
    connected = related(conn, PERSON, ident, now)
    due = next((d for d in relationships.due(conn, settings, now) if d.person_id == ident), None)
    if due is not None:
        standing = f"{due.status} ({'; '.join(due.roles)})"
    elif connected["roles"]:
        standing = "within their cadence"
    else:
        standing = "no cadence: not a stakeholder of an active engagement"
    return PersonCard(
        ident, record["name"], record.get("title"), record.get("organisation"),
        list(record.get("emails") or []), connected["roles"], connected["last contact"], standing,
        connected["open asks"], connected["open promises"], connected["last rating"],
        due.reason if due is not None else None)
