"""Cadence: how often a stakeholder should hear from you, and who is overdue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class ContactDue:
    """When a stakeholder should next hear from you, seen from ``today``."""

    cadence_days: int
    last_contact: date | None
    due_on: date | None   # None: never contacted, due at once
    days_overdue: int     # negative: days left; never contacted counts as one cadence overdue
    booked_on: date | None = None  # the next touchpoint, already in the calendar

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


def contact_due(last_contact: date | None, cadence_days: int, today: date,
                booked_on: date | None = None) -> ContactDue | None:
    """None when there is no cadence to keep (0 days). ``booked_on`` is the day of the next
    touchpoint already planned (a meeting in the calendar), if any."""
    if cadence_days <= 0:
        return None
    if last_contact is None:
        return ContactDue(cadence_days, None, None, cadence_days, booked_on)
    due_on = last_contact + timedelta(days=cadence_days)
    return ContactDue(cadence_days, last_contact, due_on, (today - due_on).days, booked_on)
