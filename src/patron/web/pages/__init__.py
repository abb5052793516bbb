"""One module per page, each an ``APIRouter`` named ``router`` and listed in ``ROUTERS``
(``patron.web.app`` mounts them in that order)."""

from __future__ import annotations

ROUTERS = ("today", "engagements", "influence", "people", "asks", "promises", "inbox", "review",
           "screen", "search", "answer", "feed")
