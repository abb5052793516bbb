"""The morning brief, as data: the few asks to do first, the check-ins due, the promises
falling due, the relationships going cold, the dates coming, what waits in the inbox, and on
the first working day of a week or month a pointer at the review.

Every part comes from the use case its own command runs (``next``, ``due``, ``inbox``,
``review``), so the brief never says something those commands would not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Connection

from patron.domain.anniversaries import Coming
from patron.domain.ranking import TERM_NAMES
from patron.services import inbox, ranking, relationships
from patron.services.relationships import DueContact, PromiseDue
from patron.settings import Settings
from patron.store.reader import ConnectionReader

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# The score's terms in the words of a one-line reason.
_TERM_WORDS = {
    "role": "who asked", "salience": "their standing", "quadrant": "their place on the grid",
    "engagement_value": "a valuable engagement", "ask_value": "its value", "due": "its due date",
    "age": "waiting long", "quick_win": "a quick win", "commitment": "you promised it",
    "blocking": "others wait for it", "doing": "you started it", "waiting": "waiting",
    "blocked": "blocked", "goals": "your goals", "relationship": "a neglected stakeholder",
}
assert set(_TERM_WORDS) == set(TERM_NAMES)


@dataclass(frozen=True)
class AskFirst:
    id: int
    title: str
    requester: str | None
    engagement: str | None
    due_at: datetime | None
    score: float
    why: str                 # "mostly who asked and its due date"


@dataclass(frozen=True)
class CheckIn:
    person: str
    roles: list[str]
    state: str               # "last contact 30 days ago, 16 days overdue (every 14 days)"
    reason: str              # something worth saying


@dataclass
class Digest:
    day: date
    engagement: str | None
    asks: list[AskFirst]
    open_asks: int
    check_ins: list[CheckIn]
    check_ins_more: int
    promises: list[PromiseDue]
    promise_days: int
    going_cold: list[CheckIn]
    going_cold_more: int
    dates: list[Coming]
    dates_days: int
    inbox: int
    review: str | None = None    # "patron review --period last-month" on a first working day
    review_why: str = ""         # "the first working day of December"

    @property
    def empty(self) -> bool:
        return not (self.asks or self.check_ins or self.promises or self.going_cold
                    or self.dates or self.inbox or self.review)


def build(conn: Connection, settings: Settings, now: datetime,
          engagement_id: int | None = None, engagement: str | None = None) -> Digest:
    """The brief for ``now``, of every engagement or of one."""
    limit = int(settings["digest.limit"])
    today = now.date()
    ranked = ranking.rank(ConnectionReader(conn), settings, now, engagement_id=engagement_id,
                          limit=limit)
    asks = [AskFirst(a.id, a.title, a.requester, a.engagement, a.due_at, a.score,
                     _why(a.contributions(ranked.coefficients))) for a in ranked.asks]
    contacts = [d for d in relationships.due(conn, settings, now, 0, engagement_id=engagement_id)
                if d.booked is None and d.due.days_overdue >= 0]
    cold = [d for d in contacts if _cold(d)]
    due = [d for d in contacts if not _cold(d)]
    promise_days = int(settings["digest.promise_days"])
    dates_days = int(settings["digest.dates_days"])
    review, why = _review(settings, today)
    return Digest(
        today, engagement, asks, ranked.open_asks,
        [_check_in(d) for d in due[:limit]], max(0, len(due) - limit),
        relationships.promises_due(conn, now + timedelta(days=promise_days), engagement_id=engagement_id),
        promise_days,
        [_check_in(d) for d in cold[:limit]], max(0, len(cold) - limit),
        relationships.dates_coming(conn, today, dates_days, engagement_id), dates_days,
        len(inbox.listing(conn, engagement_id=engagement_id)),
        review, why,
    )


def _why(contributions: dict[str, float]) -> str:
    """The one or two terms that weigh most, in words: 'mostly who asked and its due date'."""
    top = [name for name, value in sorted(contributions.items(), key=lambda kv: -kv[1])
           if value > 0][:2]
    return "mostly " + " and ".join(_TERM_WORDS[name] for name in top) if top else ""


def _cold(contact: DueContact) -> bool:
    """Going cold: a contact you had, and a whole cadence or more late since. Someone never
    contacted is a first check-in, not a relationship cooling."""
    state = contact.due
    return not state.first and state.days_overdue >= state.cadence_days


def _check_in(contact: DueContact) -> CheckIn:
    return CheckIn(contact.person, contact.roles, contact.status, contact.reason)


def _review(settings: Settings, today: date) -> tuple[str | None, str]:
    """On the first working day of a month (or else of a week), the review that looks back."""
    working = {d.strip().lower()[:3] for d in str(settings["capacity.working_days"]).split(",")}
    if DAY_NAMES[today.weekday()] not in working:
        return None, ""

    def first_since(start: date) -> bool:
        return not any(DAY_NAMES[(start + timedelta(days=n)).weekday()] in working
                       for n in range((today - start).days))

    if first_since(today.replace(day=1)):
        return "patron review --period last-month", f"the first working day of {today:%B}"
    if first_since(today - timedelta(days=today.weekday())):
        return "patron review --period last-week", "the first working day of the week"
    return None, ""
