"""Dates of the people who matter: birthdays and anniversaries, with or without a year.

A day whose year is not known is kept in the year 1604, as vCard 4 does for ``--0415``:
1604 is a leap year, so 29 February fits, and no living person was born in it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from patron import dates
from patron.errors import InvalidInput

UNKNOWN_YEAR = 1604
KINDS = ("birthday", "anniversary")

# --0415, --04-15 (vCard 4, ISO 8601:2000), 04-15; 19800415 and 1980-04-15 (vCard 3 and 4).
_NO_YEAR = re.compile(r"(?:--)?(\d{2})-?(\d{2})", re.ASCII)
_BASIC = re.compile(r"(\d{4})(\d{2})(\d{2})", re.ASCII)
_DATE_TIME = re.compile(r"\d{4}-?\d{2}-?\d{2}t", re.ASCII)
_NAMED = re.compile(
    rf"(?:(?P<mon>{dates._MONTH})\.? (?:the )?(?P<day>\d{{1,2}})(?:st|nd|rd|th)?"
    rf"|(?:the )?(?P<day2>\d{{1,2}})(?:st|nd|rd|th)?(?: of)? (?P<mon2>{dates._MONTH})\.?)",
    re.ASCII)


def parse(text: str, today: date) -> date:
    """A birthday as a person or an address book writes it. Without a year ("--0415",
    "04-15", "April 15", "15 April") the year is 1604; otherwise any day ``dates`` reads."""
    s = " ".join(text.strip().lower().split())
    try:
        found = _year_less(s)
    except ValueError:
        found = None
    found = found or from_vcard(s)
    if found is not None:
        return found
    if s.startswith("--") or _NO_YEAR.fullmatch(s) or _BASIC.fullmatch(s) or _DATE_TIME.match(s):
        raise InvalidInput(f"{text!r} is no day of the year")
    return dates.parse_day(text, today)


_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)


def from_vcard(text: str) -> date | None:
    """BDAY or ANNIVERSARY as a vCard 3 or 4 writes it (1980-04-15, 19800415, --0415,
    --04-15, with or without a time after it); None for text that is no day."""
    s = text.strip().lower().split("t", 1)[0]
    try:
        if s.startswith("--"):
            return _year_less(s)
        found = _ISO.fullmatch(s) or _BASIC.fullmatch(s)
        return date(*(int(g) for g in found.groups())) if found else None
    except ValueError:
        return None


def _year_less(s: str) -> date | None:
    plain = _NO_YEAR.fullmatch(s)
    if plain and (s.startswith("--") or "-" in s):
        return date(UNKNOWN_YEAR, int(plain[1]), int(plain[2]))
    named = _NAMED.fullmatch(s)
    if named:
        month = dates.MONTHS[named["mon"] or named["mon2"]]
        return date(UNKNOWN_YEAR, month, int(named["day"] or named["day2"]))
    return None


def year_known(day: date) -> bool:
    return day.year != UNKNOWN_YEAR


def shown(day: date) -> str:
    """'1980-04-15', or 'April 15' when the year is not known."""
    if year_known(day):
        return day.isoformat()
    return f"{dates._MONTH_NAMES[day.month - 1].capitalize()} {day.day}"


def vcard_text(day: date) -> str:
    """The vCard form: 1980-04-15, or --0415 for a day without its year."""
    return day.isoformat() if year_known(day) else f"--{day:%m%d}"


def next_on(day: date, today: date) -> date:
    """The next time the day comes round, today included; 29 February falls on the 28th in
    other years (the last day of February, as most calendars do)."""
    for year in (today.year, today.year + 1):
        on = _in_year(day, year)
        if on >= today:
            return on
    raise AssertionError("unreachable")  # pragma: no cover


def _in_year(day: date, year: int) -> date:
    try:
        return day.replace(year=year)
    except ValueError:  # 29 February in a common year
        return date(year, 2, 28)


@dataclass(frozen=True)
class Coming:
    """A birthday or anniversary coming within a few days."""

    person_id: int
    person: str
    kind: str              # birthday or anniversary
    day: date              # as recorded (year 1604: unknown)
    on: date               # the next time it comes round
    in_days: int
    years: int | None      # how many years it marks; None when the year is not known

    def describe(self) -> str:
        """'birthday in 3 days (40)', 'anniversary today', 'birthday tomorrow'."""
        when = ("today" if self.in_days == 0 else "tomorrow" if self.in_days == 1
                else f"in {self.in_days} days")
        years = f" ({self.years})" if self.years else ""
        return f"{self.kind} {when}{years}"


def coming(person_id: int, person: str, kind: str, day: date, today: date,
           within_days: int) -> Coming | None:
    """The day's next occurrence when it falls within ``within_days`` of today."""
    on = next_on(day, today)
    if on > today + timedelta(days=within_days):
        return None
    years = on.year - day.year if year_known(day) and on.year > day.year else None
    return Coming(person_id, person, kind, day, on, (on - today).days, years)
