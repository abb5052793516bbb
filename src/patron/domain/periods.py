"""Review periods (a week, a month, a quarter, or any run of days) and the questions a good
mentor asks of one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from patron.errors import InvalidInput

PERIODS = ("week", "month", "quarter")
CHOICES = (*PERIODS, *(f"last-{p}" for p in PERIODS))
"""What ``--period`` takes: the current week, month or quarter, or the one just ended."""

MENTOR_QUESTIONS: tuple[str, ...] = (
    "What did your employer need from you this period, and did they get it?",
    "What did each of your customers need from you, and who got less than they needed?",
    "What did you need for yourself (learning, career, network), and did you make time for it?",
    "Whose relationship did you let cool, and why?",
    "Which promise was hardest to keep, and what would you promise differently?",
    "What would you tell a colleague in your place?",
)


def bounds(period: str, today: date) -> tuple[date, date]:
    """The first and last day of the period that contains ``today``."""
    if period == "week":
        start = today - timedelta(days=today.weekday())
        return start, start + timedelta(days=6)
    if period == "month":
        start = today.replace(day=1)
        following = (start + timedelta(days=32)).replace(day=1)
        return start, following - timedelta(days=1)
    if period == "quarter":
        start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        following = (start + timedelta(days=95)).replace(day=1)
        return start, following - timedelta(days=1)
    raise InvalidInput(f"a period is one of {', '.join(PERIODS)}, not {period!r}")


def previous(period: str, today: date) -> tuple[date, date]:
    start, _ = bounds(period, today)
    return bounds(period, start - timedelta(days=1))


@dataclass(frozen=True)
class Period:
    """The days a review or a sum of hours covers, and why those (for the reader)."""

    kind: str            # week, month, quarter, or days (any --from/--to)
    first: date
    last: date
    note: str = ""       # "the month just ended; --period month for this one"

    @property
    def name(self) -> str:
        """'November 2026', 'Q4 2026', 'the week of 2026-11-23', '2026-11-03 to 2026-11-17'."""
        if self.kind == "month":
            return f"{_MONTH_NAMES[self.first.month - 1]} {self.first.year}"
        if self.kind == "quarter":
            return f"Q{(self.first.month - 1) // 3 + 1} {self.first.year}"
        if self.kind == "week":
            return f"the week of {self.first}"
        return f"{self.first} to {self.last}"

    def before(self) -> Period:
        """The period of the same kind just before (as many days, for a run of days)."""
        if self.kind in PERIODS:
            first, last = previous(self.kind, self.first)
            return Period(self.kind, first, last)
        length = self.last - self.first + timedelta(days=1)
        return Period(self.kind, self.first - length, self.first - timedelta(days=1))


_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December")


def current(kind: str, today: date) -> Period:
    first, last = bounds(kind, today)
    return Period(kind, first, last)


def just_ended(kind: str, today: date, note: str = "") -> Period:
    first, last = previous(kind, today)
    return Period(kind, first, last, note)


def default(kind: str, today: date, look_back_days: int) -> Period:
    """The period a review covers when none is named: the current one, except in its first
    ``look_back_days`` days, when the one just ended holds the figures worth reading."""
    now = current(kind, today)
    if (today - now.first).days >= look_back_days:
        return now
    ended = just_ended(kind, today)
    return Period(kind, ended.first, ended.last,
                  f"{ended.name}, the {kind} just ended; --period {kind} for this one")


def named(choice: str, today: date) -> Period:
    """``week``/``month``/``quarter`` (current) or ``last-week`` ... (the one just ended)."""
    kind = choice.removeprefix("last-")
    if kind not in PERIODS or (choice != kind and not choice.startswith("last-")):
        raise InvalidInput(f"a period is one of {', '.join(CHOICES)}, not {choice!r}")
    return just_ended(kind, today) if choice != kind else current(kind, today)


def days(first: date, last: date) -> Period:
    if last < first:
        raise InvalidInput(f"--to {last} is before --from {first}")
    return Period("days", first, last)
