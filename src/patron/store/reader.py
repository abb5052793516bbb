"""Plain SQL reads for the hot paths (ranking), on SQLite or through SQLAlchemy.

``patron next`` must answer in a fraction of a second on a hundred thousand
asks. Importing SQLAlchemy alone costs a fifth of a second, so for a SQLite
register that is already at the current schema the ranking reads through
Python's own sqlite3 module, read-only. Any other database (PostgreSQL, or a
SQLite file that needs upgrading) goes through the full store. The SQL here
is plain and portable, and takes no parameters: only integers that Patron
itself produced are ever put into it.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol


class Reader(Protocol):
    dialect: str

    def rows(self, sql: str) -> list[tuple[Any, ...]]: ...

    def temporary(self, name: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]],
                  key: str = "") -> None:
        """A temporary table of ``columns`` ("name TYPE") holding ``rows``, keyed by ``key``
        (default: the first column)."""


class SqliteReader:
    dialect = "sqlite"

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return self.connection.execute(sql).fetchall()

    def temporary(self, name: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]],
                  key: str = "") -> None:
        """A temporary table for this connection (allowed even when the file is read-only)."""
        self.connection.execute(f"DROP TABLE IF EXISTS temp.{name}")
        self.connection.execute(f"CREATE TEMP TABLE {name} ({_definition(columns, key)})")
        marks = ", ".join("?" for _ in columns)
        self.connection.executemany(f"INSERT INTO temp.{name} VALUES ({marks})", rows)

    def close(self) -> None:
        self.connection.close()


class ConnectionReader:
    """Reads through an open SQLAlchemy connection (any database the store supports)."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.dialect = str(connection.dialect.name)

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in self.connection.exec_driver_sql(sql)]

    def temporary(self, name: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]],
                  key: str = "") -> None:
        """A temporary table, gone with the connection's transaction."""
        self.connection.exec_driver_sql(f"DROP TABLE IF EXISTS {name}")
        self.connection.exec_driver_sql(f"CREATE TEMPORARY TABLE {name} ({_definition(columns, key)})")
        if rows:
            mark = "?" if self.connection.dialect.paramstyle == "qmark" else "%s"
            marks = ", ".join(mark for _ in columns)
            self.connection.exec_driver_sql(f"INSERT INTO {name} VALUES ({marks})", rows)


def _definition(columns: tuple[str, ...], key: str) -> str:
    """Columns for CREATE TABLE with their key (the joins look rows up by it)."""
    return ", ".join(columns) + f", PRIMARY KEY ({key or columns[0].split()[0]})"


def fast_sqlite_reader(target: str, revision: str) -> SqliteReader | None:
    """A read-only sqlite3 reader when ``target`` is a SQLite file at ``revision``; else None."""
    if "://" in target:
        if not target.startswith("sqlite:///"):
            return None
        target = target.removeprefix("sqlite:///")
    path = Path(target).expanduser()
    if not path.is_file():
        return None
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        found = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error:
        return None
    if found is None or found[0] != revision:
        connection.close()
        return None
    return SqliteReader(connection)


def moment(value: Any) -> datetime | None:
    """A stored date-time, whether the driver returns text (sqlite3) or datetimes."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


EPOCH = datetime(1970, 1, 1)


def day_number(value: datetime) -> float:
    """A wall-clock time as days since 1970, the unit the ranking computes in."""
    return (value - EPOCH).total_seconds() / 86400.0


def day_number_sql(dialect: str, column: str) -> str:
    """SQL giving ``day_number`` of a stored date-time, so the database, not Python, parses it."""
    if dialect == "sqlite":
        return f"(julianday({column}) - 2440587.5)"
    return f"(EXTRACT(EPOCH FROM {column}) / 86400.0)"


def literal_moment(value: datetime) -> str:
    """A date-time as an SQL literal that compares right on SQLite (text) and PostgreSQL."""
    return f"'{value:%Y-%m-%d %H:%M:%S}.{value.microsecond:06d}'"


def id_list(ids: Any) -> str:
    """Integers for an IN (...) list; anything else is refused, never quoted into SQL."""
    return ", ".join(str(int(i)) for i in ids) or "NULL"
