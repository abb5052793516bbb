"""Review periods (a week, a month, a quarter) and the questions a good mentor asks of one."""

from __future__ import annotations

from datetime import date, timedelta

from patron.errors import InvalidInput

PERIODS = ("week", "month", "quarter")

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
