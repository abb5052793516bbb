"""Opening the register: SQLite by default, PostgreSQL given a URL.

Opening checks the schema revision. A fresh database gets the whole schema;
an older one is copied aside and then upgraded by the recorded migrations;
one written by a newer Patron is refused, so nothing is damaged.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, MetaData, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.pool import QueuePool

from patron import clock
from patron.errors import StoreError
from patron.store.changes import Changes
from patron.store.schema import SCHEMA_REVISION

MIGRATIONS = Path(__file__).parent / "migrations"


@dataclass
class Store:
    """An open register. Every change runs inside ``begin()``: all or nothing."""

    engine: Engine
    location: str
    upgraded_from: str | None = None
    backup: Path | None = None
    changes: Changes = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.changes = Changes(self.engine)

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A write transaction. On SQLite it takes the write lock at once (waiting for other
        writers up to the busy timeout), so it never fails half-way for want of it."""
        try:
            with self.engine.connect() as conn, _writing(conn).begin():
                yield conn
        except DBAPIError as exc:
            raise StoreError(f"{self.location}: {_reason(exc)}") from exc

    @contextmanager
    def read(self) -> Iterator[Connection]:
        try:
            with self.engine.connect() as conn:
                yield conn
        except DBAPIError as exc:
            raise StoreError(f"{self.location}: {_reason(exc)}") from exc

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def connections(self) -> int:
        """How many connections can be open at once (the pool's size and overflow): a server
        should not run more requests at a time, or the rest wait for one and fail after the
        pool's timeout instead of queueing."""
        pool = self.engine.pool
        if isinstance(pool, QueuePool):
            return max(1, pool.size() + max(pool._max_overflow, 0))
        return 40  # pools without a limit: the server's usual number of worker threads

    def close(self) -> None:
        self.changes.close()
        self.engine.dispose()


def url_for(target: str) -> str:
    """A SQLAlchemy URL for a path or a URL (anything with ``://`` is a URL)."""
    if "://" in target:
        return target
    return f"sqlite:///{Path(target).expanduser().resolve()}"


def open_store(target: str, *, create: bool = True) -> Store:
    """Open (and if need be create or upgrade) the register at a path or URL."""
    url = url_for(target)
    location = _display(url)
    if url.startswith("sqlite:///") and url != "sqlite://":
        _check_sqlite_file(Path(url.removeprefix("sqlite:///")), location, create)
    try:
        engine = create_engine(url)
    except (ArgumentError, NoSuchModuleError, ImportError, ValueError) as exc:
        raise StoreError(f"cannot use database {location!r}: {exc}") from None
    if engine.dialect.name == "sqlite":
        _make_sqlite_transactional(engine)
    store = Store(engine, location)
    try:
        _ensure_schema(store)
    except SQLAlchemyError as exc:
        engine.dispose()
        raise StoreError(f"{location}: {_reason(exc)}") from exc
    except BaseException:
        engine.dispose()
        raise
    return store


def _display(url: str) -> str:
    if url.startswith("sqlite:///"):
        return url.removeprefix("sqlite:///")
    return make_url(url).render_as_string(hide_password=True)


def _check_sqlite_file(path: Path, location: str, create: bool) -> None:
    if path.is_dir():
        raise StoreError(f"{location} is a folder, not a database file")
    if path.exists():
        try:
            with path.open("rb") as handle:
                head = handle.read(16)
        except OSError as exc:
            raise StoreError(f"cannot read database {location}: {exc.strerror}") from None
        if head and head != b"SQLite format 3\x00":
            raise StoreError(f"{location} is not a Patron database (not a SQLite file)")
        return
    if not create:
        raise StoreError(
            f"no database at {location} yet: add a record first, or run 'patron demo' to try Patron"
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create the folder for {location}: {exc.strerror}") from None


def _make_sqlite_transactional(engine: Engine) -> None:
    """Let SQLAlchemy, not the sqlite3 module, open transactions, so DDL is rolled back too.

    The recipe from SQLAlchemy's SQLite notes ("Serializable isolation /
    Savepoints / Transactional DDL"); foreign keys are switched on as well.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        dbapi_conn.isolation_level = None
        # SQLite's lower() knows ASCII only; names are matched case-insensitively in any script.
        dbapi_conn.create_function("lower", 1, _lower, deterministic=True)
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # A deferred transaction that reads and then writes cannot wait for the lock: SQLite
        # fails it at once ("database is locked") to avoid a deadlock. Writers ask up front.
        writes = conn.get_execution_options().get(_WRITES, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")


_WRITES = "patron_writes"

BUSY_TIMEOUT_MS = 60_000
"""How long a SQLite writer waits for another to finish (a long import commits in batches
of a second or two, so a minute is a wide margin)."""

SCHEMA_LOCK = 0x7061_7472_6F6E  # "patron": the PostgreSQL advisory lock held while a schema is made


def _writing(conn: Connection) -> Connection:
    return conn.execution_options(**{_WRITES: True})


def _lower(value: str | None) -> str | None:
    return value.lower() if isinstance(value, str) else value


def _ensure_schema(store: Store) -> None:
    revision = _stored_revision(store)
    if revision == SCHEMA_REVISION:
        return
    if revision is None:
        _upgrade(store)
        return
    if revision not in known_revisions():
        raise StoreError(
            f"{store.location} was written by a newer Patron (schema {revision}; this Patron "
            f"knows up to {SCHEMA_REVISION}): upgrade Patron to use it"
        )
    store.backup = backup_before_upgrade(store, revision)
    _upgrade(store)
    store.upgraded_from = revision


def _stored_revision(store: Store) -> str | None:
    """The schema revision recorded in the database; None for an empty database."""
    with store.engine.connect() as conn:
        return _revision_in(conn, store.location)


def _revision_in(conn: Connection, location: str) -> str | None:
    names = set(inspect(conn).get_table_names())
    if not names:
        return None
    if "alembic_version" not in names:
        raise StoreError(f"{location} is not a Patron database (it has other tables)")
    value = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    if value is None:
        raise StoreError(f"{location} has no schema revision recorded")
    return str(value)


def known_revisions() -> list[str]:
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory(str(MIGRATIONS))
    return [rev.revision for rev in scripts.walk_revisions()]


def _upgrade(store: Store, target: str = "head") -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with store.engine.connect() as conn:
        sqlite = store.dialect == "sqlite"
        if sqlite:
            # A migration may rebuild a table (SQLite's way to alter it); with foreign keys
            # on, dropping the old table would cascade into the tables that refer to it.
            # The switch only works outside a transaction; integrity is checked before commit.
            conn.connection.dbapi_connection.execute("PRAGMA foreign_keys = OFF")  # type: ignore[union-attr]
        try:
            with _writing(conn).begin():
                # Two processes may open a new or old database at once: the first to hold the
                # lock migrates it, the other finds it done.
                if not sqlite:
                    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK})
                if target == "head" and _revision_in(conn, store.location) == SCHEMA_REVISION:
                    return
                config.attributes["connection"] = conn
                command.upgrade(config, target)
                if sqlite:
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").first()
                    if broken is not None:
                        raise StoreError(f"{store.location}: the upgrade would break a link "
                                         f"in table {broken[0]}; nothing was changed")
        finally:
            if sqlite:
                conn.connection.dbapi_connection.execute("PRAGMA foreign_keys = ON")  # type: ignore[union-attr]


def migrate_to(store: Store, target: str) -> None:
    """Run the migrations up to ``target`` (tests build older databases with it)."""
    _upgrade(store, target)


def backup_before_upgrade(store: Store, revision: str) -> Path:
    """Copy the database aside before migrations touch it; returns where the copy is."""
    stamp = clock.now().strftime("%Y%m%d-%H%M%S")
    if store.dialect == "sqlite":
        source = Path(store.location)
        target = source.with_name(f"{source.name}.schema-{revision}.{stamp}.bak")
        with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
            src.backup(dst)
        return target
    from patron.settings import data_dir

    target = data_dir() / "backups" / f"{store.engine.url.database}-schema-{revision}.{stamp}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(_dump_all(store), default=_jsonable, indent=1), encoding="utf-8")
    return target


def _dump_all(store: Store) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, read by reflection (the old schema, whatever it was)."""
    reflected = MetaData()
    with store.engine.connect() as conn:
        reflected.reflect(conn)
        return {
            name: [dict(row._mapping) for row in conn.execute(table.select())]
            for name, table in reflected.tables.items()
        }


def _jsonable(value: object) -> str:
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


def _reason(exc: SQLAlchemyError) -> str:
    original = getattr(exc, "orig", None)
    return str(original or exc).strip().splitlines()[0]
