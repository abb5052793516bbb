"""The one place Patron asks what time it is.

``PATRON_NOW`` (ISO date or date-time) freezes the clock: tests, reproducible
reports and a demo that reads the same on any day use it.
"""

from __future__ import annotations

import os
from datetime import date, datetime

from patron.errors import InvalidInput


def now() -> datetime:
    """Local wall-clock time to the second, naive (Patron stores local times)."""
    frozen = os.environ.get("PATRON_NOW", "").strip()
    if frozen:
        try:
            return datetime.fromisoformat(frozen).replace(tzinfo=None, microsecond=0)
        except ValueError:
            raise InvalidInput(f"PATRON_NOW={frozen!r} is not an ISO date or date-time") from None
    return datetime.now().replace(microsecond=0)


def today() -> date:
    return now().date()
