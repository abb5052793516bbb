"""Whether the register changed: a token that differs after every committed change, by this
process or any other (an import run from a terminal while the web app is open), and costs one
small query to read. What is worked out from the register can be kept under it.

- SQLite: ``PRAGMA data_version`` on a connection of its own that never writes. SQLite
  changes it whenever another connection commits, so every commit by Patron's own pool counts
  too.
- PostgreSQL: the current snapshot (``pg_current_snapshot()``): the transactions finished
  and still running. Two equal snapshots see the same data, and every commit that changed
  something changes it.

The token is read before the data it stands for: if a change lands in between, what is kept
is newer than its token, and the next reading, under a new token, works it out again. Where
no token can be told (an in-memory SQLite, a server without the function) it is ``None``:
nothing is to be kept.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Hashable

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, ProgrammingError


class Changes:
    """The change token of one register."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._lock = threading.Lock()
        self._watch: sqlite3.Connection | None = None
        self._usable = True
        self._opened = 0  # watching connections opened so far

    def token(self) -> Hashable | None:
        if not self._usable:
            return None
        try:
            if self._engine.dialect.name == "sqlite":
                return self._sqlite()
            return self._postgresql()
        except ProgrammingError:  # a server without the function (before PostgreSQL 13)
            self._usable = False
            return None
        except (sqlite3.Error, DBAPIError):  # unreadable just now: nothing kept this time
            self.close()
            return None

    def close(self) -> None:
        with self._lock:
            if self._watch is not None:
                self._watch.close()
                self._watch = None

    def _sqlite(self) -> Hashable | None:
        path = self._engine.url.database
        if not path or path == ":memory:" or path.startswith("file:"):
            self._usable = False
            return None
        with self._lock:
            if self._watch is None:
                self._watch = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
                self._opened += 1
            # a new watching connection counts from the start again: which one tells it
            return self._opened, int(self._watch.execute("PRAGMA data_version").fetchone()[0])

    def _postgresql(self) -> Hashable | None:
        with self._engine.connect() as conn:
            return str(conn.exec_driver_sql("SELECT pg_current_snapshot()::text").scalar_one())
