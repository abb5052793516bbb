"""How many hours you can give to asks between now and a date."""

from __future__ import annotations

from datetime import date, timedelta

from patron.errors import InvalidInput

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def working_days(setting: str) -> frozenset[int]:
    """Weekday numbers (Monday 0) from a setting such as 'mon,tue,wed,thu,fri'."""
    days = [d.strip().lower()[:3] for d in setting.split(",") if d.strip()]
    unknown = [d for d in days if d not in DAY_NAMES]
    if unknown or not days:
        raise InvalidInput(f"capacity.working_days: {setting!r} is not a list of days like "
                           "'mon,tue,wed,thu,fri'")
    return frozenset(DAY_NAMES.index(d) for d in days)


def hours_until(today: date, last: date, hours_per_day: float, days: frozenset[int]) -> float:
    """Working hours from today through ``last`` (today counts whole; nothing if last is past)."""
    if last < today:
        return 0.0
    span = (last - today).days + 1
    weeks, rest = divmod(span, 7)
    count = weeks * len(days)
    count += sum(1 for i in range(rest) if (today + timedelta(days=weeks * 7 + i)).weekday() in days)
    return count * hours_per_day
