"""Asks done: ``patron done ASK...``, ``patron ask done`` and a kept promise closing its ask."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from patron.domain.records import ASK
from patron.services import records
from patron.services.names import resolve


@dataclass(frozen=True)
class Finished:
    id: int
    title: str
    done_at: datetime | None
    already: bool  # it was done before: nothing changed


def finish(conn: Connection, names: Sequence[str], now: datetime,
           at: str | datetime | None = None) -> list[Finished]:
    """Mark asks done (at ``at``, default now). Every name is resolved before anything
    changes, so an unknown or ambiguous one leaves every ask as it was."""
    idents = list(dict.fromkeys(resolve(conn, ASK, name) for name in names))
    return [finish_one(conn, ident, now, at) for ident in idents]


def finish_one(conn: Connection, ident: int, now: datetime,
               at: str | datetime | None = None) -> Finished:
    current = records.get(conn, ASK, ident)
    if current["status"] == "done":
        return Finished(ident, current["title"], current["done_at"], already=True)
    records.edit(conn, ASK, ident, records.Change(set={"status": "done", "done_at": at or now}),
                 now)
    done = records.get(conn, ASK, ident)
    return Finished(ident, done["title"], done["done_at"], already=False)
