"""Dates, moments and durations as a person types them, and as mail and sheets write them.

This is the one date parser: the command line, the CSV importer and the mail reader
(``domain/speech.py``) all read days through it, so 'friday' means one thing everywhere.
Everything is naive local wall-clock time: the caller passes ``now``/``today``
so that results are predictable and tests need no clock.  Rules, kept simple:

* a named day alone ('2026-12-01', 'friday', 'tomorrow') means its start, 00:00;
  'eod' / 'end of day' means today at 17:00 where a time is wanted;
* an offset ('in 3 days', '2 weeks ago', '+4h') moves ``now``, keeping the time;
* 'friday' is the next Friday strictly after today, 'last friday' the most
  recent one strictly before it; 'next friday' is the same as 'friday';
* 'next week' is next Monday, 'end of week' this week's Friday, 'end of month'
  the month's last day, 'next month' the first of the next;
* 'Dec 10', '10 Dec', 'December 10th' and '12/10' without a year are the
  occurrence nearest today (on 1 December, 'Nov 25' is six days ago);
* numeric dates ('12/10/2026', '12.10.2026') are read in the order of the
  ``dates.order`` setting (:func:`use_order`): day first, month first or year first;
  'auto' takes the order your locale writes dates in.

Anything unreadable or impossible raises :class:`InvalidInput` naming the text and,
when it matched no form, the forms that work.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from patron.errors import InvalidInput

# Spelled out rather than taken from calendar.day_name, which follows the locale.
_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAYS = {name: n for n, full in enumerate(_DAY_NAMES) for name in (full, full[:3])}
_WEEKDAYS |= {"tues": 1, "thur": 3, "thurs": 3}
_MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august",
                "september", "october", "november", "december")
MONTHS: dict[str, int] = {name: n for n, full in enumerate(_MONTH_NAMES, start=1)
                          for name in (full, full[:3])} | {"sept": 9}
"""Month names and their usual abbreviations (English, as Patron's other words)."""

_WORD_DAYS = {"today": 0, "tomorrow": 1, "tmrw": 1, "yesterday": -1}
END_OF_DAY = time(17, 0)
"""'eod', 'end of day', 'close of business': a working day ends at five."""

ORDERS = ("dmy", "mdy", "ymd")
"""How a numeric date is read: day first (12/10/2026 is 12 October), month first, year first."""
_ORDER_NAMES = {"dmy": "day first", "mdy": "month first", "ymd": "year first"}

# unit word -> (multiplier, kind); kinds are "days", "months" and "minutes".
_UNITS: dict[str, tuple[int, str]] = {}
for _names, _value in (
    ("d day days", (1, "days")),
    ("w wk wks week weeks", (7, "days")),
    ("mo month months", (1, "months")),
    ("y yr yrs year years", (12, "months")),
    ("h hr hrs hour hours", (60, "minutes")),
    ("min mins minute minutes", (1, "minutes")),
):
    _UNITS.update(dict.fromkeys(_names.split(), _value))

_ISO_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})", re.ASCII)
_YEAR_FIRST = re.compile(r"(\d{4})([/.])(\d{1,2})\2(\d{1,2})", re.ASCII)
# Slashes with or without a year; dots and dashes only with one ('1.5' is not a date).
_NUMERIC = re.compile(r"(\d{1,2})/(\d{1,2})(?:/(\d{4}|\d{2}))?"
                      r"|(\d{1,2})([.-])(\d{1,2})\5(\d{4}|\d{2})\.?"
                      r"|(\d{1,2})\.(\d{1,2})\.", re.ASCII)
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_NAMED_DAY = re.compile(
    rf"(?:(?P<mon>{_MONTH})\.? (?:the )?(?P<day>\d{{1,2}})(?:st|nd|rd|th)?"
    rf"|(?:the )?(?P<day2>\d{{1,2}})(?:st|nd|rd|th)?(?: of)? (?P<mon2>{_MONTH})\.?)"
    r"(?:,? (?P<year>\d{4}))?", re.ASCII)
_OFFSET = re.compile(
    r"in (?P<a>\d+) ?(?P<ua>[a-z]+)"
    r"|(?P<b>\d+) ?(?P<ub>[a-z]+) ago"
    r"|(?P<sign>[+-]?)(?P<c>\d+) ?(?P<uc>[a-z]+)",
    re.ASCII,
)
# A time at the end of the text, after a space (or the ISO 'T' after a digit).
_TIME_AT_END = re.compile(
    r"(?:^|\s|(?<=\d)t)(?P<at>at )?"
    r"(?:(?P<h>\d{1,2})(?::(?P<mi>\d{2})(?::(?P<s>\d{2}))?)? ?(?P<ap>am|pm)?"
    r"|(?P<word>noon|midnight))$",
    re.ASCII,
)
_DURATION = re.compile(
    r"(?:(?P<h>\d+(?:\.\d+)?|\.\d+) ?(?:h|hr|hrs|hour|hours) ?)?"
    r"(?:(?P<m>\d+) ?(?:m|min|mins|minute|minutes)?)?",
    re.ASCII,
)
_CLOCK_DURATION = re.compile(r"(\d+):(\d{2})(?::(\d{2}))?", re.ASCII)
_END_OF_DAY_WORDS = re.compile(r"eod|cob|eob|(?:the )?end of (?:the )?(?:business )?day"
                               r"|close of business|end of business")

FORMS = ("2026-12-10", "'Dec 10'", "'10 Dec'", "'friday'", "'next week'", "'end of month'",
         "'eod'", "'in 3 days'", "'yesterday 14:00'")
"""Forms shown when a date cannot be read (with a numeric one in the user's order)."""


# --- the order of numeric dates -------------------------------------------------------------

_order_source: Callable[[], str] | None = None


def use_order(source: Callable[[], str] | None) -> None:
    """Where the ``dates.order`` setting comes from; asked only when a numeric date is read,
    so a command that reads none never loads the settings for it."""
    global _order_source
    _order_source = source


def current_order() -> str:
    """'dmy', 'mdy' or 'ymd': the setting, or the locale's order when it says 'auto'."""
    wanted = _order_source() if _order_source is not None else "auto"
    if wanted == "auto":
        return locale_order()
    if wanted not in ORDERS:
        raise InvalidInput(f"dates.order must be auto, {', '.join(ORDERS)}; not {wanted!r}")
    return wanted


@cache
def locale_order() -> str:
    """The order the user's locale (LC_TIME) writes a date in; the C locale writes month
    first (11/22/33), as does en_US. A locale that cannot be loaded counts as day first."""
    import locale
    import time as clock

    try:
        saved = locale.setlocale(locale.LC_TIME)
        try:
            locale.setlocale(locale.LC_TIME, "")
            shown = clock.strftime("%x", (2033, 11, 22, 0, 0, 0, 1, 326, 0))
        finally:
            locale.setlocale(locale.LC_TIME, saved)
    except (locale.Error, ValueError):
        return "dmy"
    where = {"d": shown.find("22"), "m": shown.find("11"), "y": shown.find("33")}
    if min(where.values()) < 0:
        return "dmy"
    return "".join(sorted(where, key=lambda k: where[k]))


def numeric_day(today: date, first: int, second: int, year: str | None,
                order: str | None = None) -> date:
    """'12/10' or '12/10/2026' (as numbers) in the user's order; ValueError if impossible."""
    order = order or current_order()
    month, day = (second, first) if order == "dmy" else (first, second)
    return calendar_day(today, month, day, year)


def calendar_day(today: date, month: int, day: int, year: str | None) -> date:
    """A month and day, in the year given (two digits are this century's), else the nearest
    occurrence to today. ValueError when no such day exists."""
    if year is not None:
        return date(int(year) + (2000 if len(year) <= 2 else 0), month, day)
    if month == 2 and day == 29:
        candidates = [date(y, 2, 29) for y in range(today.year - 4, today.year + 5)
                      if calendar.isleap(y)]
    else:
        candidates = [date(y, month, day) for y in (today.year - 1, today.year, today.year + 1)]
    return min(candidates, key=lambda d: (abs((d - today).days), d < today))


# --- days named by words ------------------------------------------------------------------


def end_of_week(today: date) -> date:
    """This week's Friday (next week's, on a weekend)."""
    return today + timedelta(days=(4 - today.weekday()) % 7)


def end_of_month(today: date) -> date:
    return date(today.year, today.month, calendar.monthrange(today.year, today.month)[1])


def next_week(today: date) -> date:
    """Next Monday: the first day of next week."""
    return today + timedelta(days=7 - today.weekday())


def next_month(today: date) -> date:
    return (today.replace(day=1) + timedelta(days=32)).replace(day=1)


_PHRASES: dict[str, Callable[[date], date]] = {
    r"(?:the )?end of (?:the |this )?week|eow|this week": end_of_week,
    r"(?:the )?end of next week": lambda d: end_of_week(d) + timedelta(days=7),
    r"(?:the )?end of (?:the |this )?month|month[- ]end|eom": end_of_month,
    r"(?:the )?end of (?:the |this )?year|year[- ]end|eoy": lambda d: date(d.year, 12, 31),
    r"next week": next_week,
    r"next month": next_month,
    r"asap|as soon as possible|right away|immediately|tonight": lambda d: d,
}
_PHRASE = [(re.compile(pattern), meaning) for pattern, meaning in _PHRASES.items()]


# --- parsing --------------------------------------------------------------------------------


def parse_moment(text: str, now: datetime) -> datetime:
    """A point in time. Naive datetimes in local wall-clock time (now is naive too)."""
    s = _normal(text)
    try:
        if s == "now":
            return now
        if _END_OF_DAY_WORDS.fullmatch(s):
            return datetime.combine(now.date(), END_OF_DAY)
        offset = _offset(s)
        if offset is not None:
            n, kind = offset
            if kind == "minutes":
                return now + timedelta(minutes=n)
            return datetime.combine(_shift(now.date(), n, kind), now.time())
        split = _split_time(s, text)
        if split is not None:
            day_text, clock = split
            day = _day(day_text or "today", now.date(), text)
            if day is not None:
                return datetime.combine(day, clock)
        else:
            day = _day(s, now.date(), text)
            if day is not None:
                return datetime.combine(day, time())
    except (OverflowError, ValueError):
        raise InvalidInput(f"{text.strip()!r} is too far from today") from None
    raise _unreadable(text)


def parse_day(text: str, today: date) -> date:
    """A calendar day (time part not allowed, except the word forms)."""
    s = _normal(text)
    offset = _offset(s) if s else None
    if s == "now" or (offset and offset[1] == "minutes") or _split_time(s, text):
        raise InvalidInput(
            f"{text.strip()!r} has a time of day; give only a day, "
            "e.g. 2026-12-01, 'friday' or 'tomorrow'"
        )
    try:
        day = today if _END_OF_DAY_WORDS.fullmatch(s) else _day(s, today, text)
    except (OverflowError, ValueError):
        raise InvalidInput(f"{text.strip()!r} is too far from today") from None
    if day is None:
        raise _unreadable(text)
    return day


def parse_duration(text: str) -> int:
    """Minutes, from '1h30', '1h 30m', '90m', '90', '1.5h', '2h', '45min', '1:30', '01:30:00'."""
    s = _normal(text)
    shown = text.strip()
    clock = _CLOCK_DURATION.fullmatch(s)
    match = _DURATION.fullmatch(s)
    if clock:
        if int(clock[2]) > 59 or int(clock[3] or 0) > 59:
            raise InvalidInput(f"{shown!r} has more than 59 minutes (or seconds) after a colon")
        total = Decimal(clock[1]) * 60 + int(clock[2]) + Decimal(int(clock[3] or 0)) / 60
    elif s and match:
        total = Decimal(match["h"] or 0) * 60 + Decimal(match["m"] or 0)
    elif s.startswith("-"):
        raise InvalidInput(f"{shown!r} is not a duration: it must be more than zero")
    else:
        said = f"cannot read {shown!r} as a duration" if s else "no duration given"
        raise InvalidInput(f"{said}; try '1h30', '90m', '1.5h' or '1:30'")
    if total > 24 * 60:
        raise InvalidInput(f"{shown!r} is longer than a day; enter each day apart")
    minutes = int(total.to_integral_value(rounding=ROUND_HALF_UP))
    if minutes <= 0:
        raise InvalidInput(f"{shown!r} is not a duration: it must be more than zero")
    return minutes


def accepted_forms() -> str:
    """The forms that work, with a numeric date in the user's order, for error messages."""
    try:
        order = current_order()
    except InvalidInput:
        order = "dmy"
    sample = {"dmy": "10/12/2026", "mdy": "12/10/2026", "ymd": "2026/12/10"}[order]
    return ", ".join((*FORMS[:3], f"{sample} ({_ORDER_NAMES[order]}, dates.order)", *FORMS[3:-1])) \
        + f" or {FORMS[-1]}"


def _normal(text: str) -> str:
    """Lower case, single spaces: the forms below need not care about either."""
    return " ".join(text.lower().split())


def _unreadable(text: str) -> InvalidInput:
    """The one message for text that matches no form, with forms that do work."""
    said = f"cannot read {text.strip()!r} as a date" if text.strip() else "no date given"
    return InvalidInput(f"{said}; try {accepted_forms()}")


def _impossible(text: str) -> InvalidInput:
    return InvalidInput(f"{text.strip()!r} is not a real date; try {accepted_forms()}")


def _offset(s: str) -> tuple[int, str] | None:
    """'in 3 days', '2 weeks ago', '+4h' as (signed count, kind), else None."""
    match = _OFFSET.fullmatch(s)
    if match is None:
        return None
    number = match["a"] or match["b"] or match["c"]
    unit = _UNITS.get(match["ua"] or match["ub"] or match["uc"])
    if unit is None:
        return None
    sign = -1 if match["b"] or match["sign"] == "-" else 1
    return sign * int(number) * unit[0], unit[1]


def _shift(day: date, n: int, kind: str) -> date:
    """Move by days, or by calendar months with the day clamped to the month's end."""
    if kind == "days":
        return day + timedelta(days=n)
    year, month0 = divmod(day.year * 12 + day.month - 1 + n, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(day.day, last))


def _split_time(s: str, text: str) -> tuple[str, time] | None:
    """Split a trailing time ('15:00', 'at 3pm', '9am') from the day part.

    A bare number counts as an hour only after 'at', so 'in 3' is not a time.
    """
    match = _TIME_AT_END.search(s)
    if match is None:
        return None
    day_text = s[: match.start()].strip()
    if match["word"]:
        return day_text, time(12 if match["word"] == "noon" else 0)
    if not (match["at"] or match["mi"] or match["ap"]):
        return None
    hour, minute, second = int(match["h"]), int(match["mi"] or 0), int(match["s"] or 0)
    if match["ap"]:
        if not 1 <= hour <= 12:
            raise InvalidInput(f"{text.strip()!r} is not a real time of day")
        hour = hour % 12 + (12 if match["ap"] == "pm" else 0)
    if hour > 23 or minute > 59 or second > 59:
        raise InvalidInput(f"{text.strip()!r} is not a real time of day")
    return day_text, time(hour, minute, second)


def _day(s: str, today: date, text: str) -> date | None:
    """A day from any written form; None if the text is no form at all."""
    try:
        found = _calendar_form(s, today)
    except ValueError:
        raise _impossible(text) from None
    if found is not None:
        return found
    if s in _WORD_DAYS:
        return today + timedelta(days=_WORD_DAYS[s])
    direction, _, name = s.rpartition(" ")
    if name in _WEEKDAYS and direction in ("", "next", "on", "by", "this"):
        return today + timedelta(days=(_WEEKDAYS[name] - today.weekday() - 1) % 7 + 1)
    if name in _WEEKDAYS and direction == "last":
        return today - timedelta(days=(today.weekday() - _WEEKDAYS[name] - 1) % 7 + 1)
    for pattern, meaning in _PHRASE:
        if pattern.fullmatch(s):
            return meaning(today)
    offset = _offset(s)
    if offset is not None and offset[1] != "minutes":
        return _shift(today, *offset)
    return None


def _calendar_form(s: str, today: date) -> date | None:
    """ISO, year-first, numeric in the user's order, or with a month's name; ValueError when
    the form is right and the day does not exist."""
    iso = _ISO_DAY.fullmatch(s) or _YEAR_FIRST.fullmatch(s)
    if iso:
        parts = [g for g in iso.groups() if g not in ("/", ".")]
        return date(int(parts[0]), int(parts[1]), int(parts[2]))
    numeric = _NUMERIC.fullmatch(s)
    if numeric:
        g = numeric.groups()
        first, second, year = (g[0], g[1], g[2]) if g[0] else \
            (g[3], g[5], g[6]) if g[3] else (g[7], g[8], None)
        return numeric_day(today, int(first), int(second), year)
    named = _NAMED_DAY.fullmatch(s)
    if named:
        month = MONTHS[named["mon"] or named["mon2"]]
        return calendar_day(today, month, int(named["day"] or named["day2"]), named["year"])
    return None
