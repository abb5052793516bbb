"""Dates, moments and durations as a person types them on the command line.

Everything is naive local wall-clock time: the caller passes ``now``/``today``
so that results are predictable and tests need no clock.  Rules, kept simple:

* a named day alone ('2026-12-01', 'friday', 'tomorrow') means its start, 00:00;
* an offset ('in 3 days', '2 weeks ago', '+4h') moves ``now``, keeping the time;
* 'friday' is the next Friday strictly after today, 'last friday' the most
  recent one strictly before it; 'next friday' is the same as 'friday'.

Anything unreadable or impossible raises :class:`InvalidInput` naming the text.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from patron.errors import InvalidInput

# Spelled out rather than taken from calendar.day_name, which follows the locale.
_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAYS = {name: n for n, full in enumerate(_DAY_NAMES) for name in (full, full[:3])}
_WEEKDAYS |= {"tues": 1, "thur": 3, "thurs": 3}

_WORD_DAYS = {"today": 0, "tomorrow": 1, "yesterday": -1}

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
_CLOCK_DURATION = re.compile(r"(\d+):(\d{2})", re.ASCII)


def parse_moment(text: str, now: datetime) -> datetime:
    """A point in time. Naive datetimes in local wall-clock time (now is naive too)."""
    s = _normal(text)
    try:
        if s == "now":
            return now
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
    raise _unreadable(text, "'tomorrow 15:00'")


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
        day = _day(s, today, text)
    except (OverflowError, ValueError):
        raise InvalidInput(f"{text.strip()!r} is too far from today") from None
    if day is None:
        raise _unreadable(text, "'tomorrow'")
    return day


def parse_duration(text: str) -> int:
    """Minutes, from '1h30', '1h 30m', '90m', '90', '1.5h', '2h', '45min', '1:30'."""
    s = _normal(text)
    shown = text.strip()
    clock = _CLOCK_DURATION.fullmatch(s)
    match = _DURATION.fullmatch(s)
    if clock:
        if int(clock[2]) > 59:
            raise InvalidInput(f"{shown!r} has more than 59 minutes after the colon")
        total = Decimal(clock[1]) * 60 + int(clock[2])
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


def _normal(text: str) -> str:
    """Lower case, single spaces: the forms below need not care about either."""
    return " ".join(text.lower().split())


def _unreadable(text: str, example: str) -> InvalidInput:
    """The one message for text that matches no form, with forms that do work."""
    said = f"cannot read {text.strip()!r} as a date" if text.strip() else "no date given"
    return InvalidInput(f"{said}; try 2026-12-01, 'friday', 'in 3 days' or {example}")


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
    """A day from an ISO date, a word, a weekday or a day offset; None if unknown."""
    iso = _ISO_DAY.fullmatch(s)
    if iso:
        try:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        except ValueError:
            raise InvalidInput(f"{text.strip()!r} is not a real date") from None
    if s in _WORD_DAYS:
        return today + timedelta(days=_WORD_DAYS[s])
    direction, _, name = s.rpartition(" ")
    if name in _WEEKDAYS and direction in ("", "next"):
        return today + timedelta(days=(_WEEKDAYS[name] - today.weekday() - 1) % 7 + 1)
    if name in _WEEKDAYS and direction == "last":
        return today - timedelta(days=(today.weekday() - _WEEKDAYS[name] - 1) % 7 + 1)
    offset = _offset(s)
    if offset is not None and offset[1] != "minutes":
        return _shift(today, *offset)
    return None
