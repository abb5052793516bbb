"""Cadence: how often a stakeholder should hear from you, and who is overdue.

This is the one definition every command reads (``due``, ``overview``, ``client``,
``why``, the hire-me-back score, the review). A role's clock starts the day the
stakeholder joined the engagement (``added_on``): someone you have never contacted is
"no contact yet" and owes you nothing until a cadence after that day, their first
check-in. After a contact the next one falls due a cadence later, whenever that contact
was: a real last contact, even one from before they joined, is what they remember.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

NO_CONTACT_YET = "no contact yet"


@dataclass(frozen=True)
class ContactDue:
    """When a stakeholder should next hear from you, seen from ``today``."""

    cadence_days: int
    last_contact: date | None
    added_on: date | None   # the day they joined the engagement; the first check-in counts from it
    due_on: date | None     # the next contact (the first check-in when there was none); None: no cadence
    days_overdue: int       # today - due_on: negative means days left
    booked_on: date | None = None  # the next touchpoint, already in the calendar
    today: date | None = None

    @property
    def first(self) -> bool:
        """No contact yet: the one due is the first check-in."""
        return self.last_contact is None

    @property
    def overdue(self) -> bool:
        """Late by the cadence, with nothing booked: a booked meeting is the contact coming."""
        return self.days_overdue > 0 and self.booked_on is None

    @property
    def wanted(self) -> bool:
        """Late by the cadence, booked or not."""
        return self.days_overdue > 0

    def due_within(self, days: int) -> bool:
        return -days <= self.days_overdue <= 0

    @property
    def state(self) -> str:
        """'no contact yet', 'due in N days', 'due today' or 'overdue by N days'."""
        if self.due_on is None:
            return "no cadence"
        if self.days_overdue > 0:
            return f"overdue by {_days(self.days_overdue)}"
        if self.first:
            return NO_CONTACT_YET
        return "due today" if self.days_overdue == 0 else f"due in {_days(-self.days_overdue)}"

    def describe(self) -> str:
        """In words, never counted from nothing: 'no contact yet, added 20 days ago, 6 days
        past the first check-in'; 'last contact 30 days ago, 16 days overdue'."""
        if self.due_on is None:
            return "no cadence to keep"
        late = self.days_overdue
        if self.first:
            added = f", {_ago(self.added_on, self.today, 'added')}" if self.added_on else ""
            when = (f"{_days(late)} past the first check-in" if late > 0
                    else "first check-in due today" if late == 0
                    else f"first check-in due in {_days(-late)}")
            return f"{NO_CONTACT_YET}{added}, {when}"
        seen = _ago(self.last_contact, self.today, "last contact")
        when = (f"{_days(late)} overdue" if late > 0 else "due today" if late == 0
                else f"due in {_days(-late)}")
        return f"{seen}, {when} (every {_days(self.cadence_days)})"


def contact_due(last_contact: date | None, cadence_days: int, today: date, *,
                added_on: date | None = None, booked_on: date | None = None) -> ContactDue | None:
    """None when there is no cadence to keep (0 days). ``added_on`` is the day the stakeholder
    joined the engagement (None: unknown, counted as today, so nobody is late for it);
    ``booked_on`` the day of the next touchpoint already planned (a meeting in the calendar)."""
    if cadence_days <= 0:
        return None
    start = (added_on or today) if last_contact is None else last_contact
    due_on = start + timedelta(days=cadence_days)
    return ContactDue(cadence_days, last_contact, added_on, due_on, (today - due_on).days,
                      booked_on, today)


def no_cadence(last_contact: date | None = None, added_on: date | None = None) -> ContactDue:
    """The state of someone with no cadence to keep (yourself, or a cadence of 0)."""
    return ContactDue(0, last_contact, added_on, None, 0)


def lateness(due: ContactDue | None) -> float:
    """How much contact you owe, 0..1: 0 on time (or before the first check-in), 1 a whole
    cadence late. The ranking's relationship term and the hire-me-back score read it."""
    if due is None or due.cadence_days <= 0 or due.days_overdue <= 0:
        return 0.0
    return min(1.0, due.days_overdue / due.cadence_days)


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def _ago(day: date | None, today: date | None, what: str) -> str:
    if day is None:
        return what
    if today is None:
        return f"{what} {day.isoformat()}"
    n = (today - day).days
    return f"{what} today" if n == 0 else f"{what} {_days(n)} ago" if n > 0 else f"{what} {day.isoformat()}"
