"""Repeat rules (RRULE) as calendars and task apps write them, and the ones that repeat
nothing.

Rules come from other people's files and servers: a rule with an INTERVAL of 0 never
moves on, so working out its occurrences never ends, and one whose days no month has
(30 February) keeps dateutil looking until the year 9999. The calendar import and the
task sync both ask ``futile`` before they work a rule out.
"""

from __future__ import annotations

import re
from typing import Any

_INTERVAL = re.compile(r"(?:^|;)\s*INTERVAL\s*=\s*([^;]*)", re.IGNORECASE)
_LONGEST = {2: 29, 4: 30, 6: 30, 9: 30, 11: 30}
"""The most days of each month that has fewer than 31."""


def rule_texts(component: Any) -> list[str]:
    """The RRULEs of an iCalendar component (an event, a task) as text; a broken rule as it
    was written."""
    values = component.get("RRULE")
    values = values if isinstance(values, list) else [] if values is None else [values]
    texts = []
    for value in values:
        if isinstance(value, str) or not hasattr(value, "to_ical"):  # a broken rule, as written
            texts.append(str(value))
            continue
        try:
            texts.append(value.to_ical().decode())
        except Exception:  # a broken rule may not even write itself back
            texts.append(str(value))
    return texts


def futile(text: str) -> str | None:
    """Why the rule repeats nothing, or None: an INTERVAL that is not a whole number above 0,
    or days that are in none of its months."""
    found = _INTERVAL.search(text)
    value = found.group(1).strip() if found else "1"
    if not (value.isascii() and value.isdigit() and int(value) > 0):
        return f"RRULE INTERVAL={value[:40]} repeats nothing"
    days = _no_such_day(text)
    return f"RRULE {days} repeats on no day that exists" if days is not None else None


def _no_such_day(text: str) -> str | None:
    """The rule's BYMONTH and BYMONTHDAY where its days are in none of its months."""
    parts = dict(part.partition("=")[::2] for part in text.upper().replace(" ", "").split(";"))
    if "BYMONTHDAY" not in parts:
        return None
    try:
        days = [int(d) for d in parts["BYMONTHDAY"].split(",")]
        months = [int(m) for m in parts["BYMONTH"].split(",")] if "BYMONTH" in parts else \
            list(range(1, 13))
    except ValueError:  # not numbers: working the rule out says what is wrong
        return None
    if any(0 < abs(d) <= _LONGEST.get(m, 31) for d in days for m in months):
        return None
    month = f"BYMONTH={parts['BYMONTH']};" if "BYMONTH" in parts else ""
    return f"{month}BYMONTHDAY={parts['BYMONTHDAY']}"[:200]
