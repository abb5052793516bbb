"""The store on SQLite and PostgreSQL: schema, migrations, transactions."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, Engine, create_engine, func, select, text

from patron.domain.records import BY_KIND
from patron.errors import InvalidInput, StoreError
from patron.services import records
from patron.store import schema, search
from patron.store.database import Store, known_revisions, migrate_to, open_store
from tests.conftest import NOW


def _context(conn: Connection) -> MigrationContext:
    """Alembic's view of the database, leaving out the search index (store/search.py)."""
    return MigrationContext.configure(
        conn, opts={"include_name": lambda name, kind, parent: not search.is_index(name)})


def test_schema_revision_is_alembics_head() -> None:
    assert known_revisions()[0] == schema.SCHEMA_REVISION


def test_migrations_build_exactly_the_declared_schema(store: Store) -> None:
    with store.engine.connect() as conn:
        diff = compare_metadata(_context(conn), schema.metadata)
    assert diff == []


def test_a_fresh_database_records_its_revision(store: Store) -> None:
    with store.read() as conn:
        assert (
            conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            == schema.SCHEMA_REVISION
        )


def test_reopening_keeps_the_data(db_url: str) -> None:
    first = open_store(db_url)
    with first.begin() as conn:
        records.add(conn, BY_KIND["person"], {"name": "Helen Brandt"}, NOW)
    first.close()
    again = open_store(db_url)
    with again.read() as conn:
        assert conn.execute(select(func.count()).select_from(schema.person)).scalar() == 1
    assert again.upgraded_from is None
    again.close()


def test_a_failed_change_leaves_nothing_half_written(store: Store) -> None:
    with pytest.raises(InvalidInput), store.begin() as conn:
        records.add(conn, BY_KIND["person"], {"name": "Helen Brandt"}, NOW)
        records.add(conn, BY_KIND["person"], {"name": "Bad", "emails": ["not an address"]}, NOW)
    with store.read() as conn:
        assert conn.execute(select(func.count()).select_from(schema.person)).scalar() == 0


def test_schema_changes_roll_back_on_sqlite_too(tmp_path: Path) -> None:
    """DDL inside a failed transaction is undone (SQLite's driver would commit it)."""
    opened = open_store(str(tmp_path / "ddl.sqlite"))
    with pytest.raises(RuntimeError), opened.engine.begin() as conn:
        conn.execute(text("CREATE TABLE scratch (x INTEGER)"))
        raise RuntimeError("stop")
    with opened.read() as conn:
        names = [r[0] for r in conn.execute(text("SELECT name FROM sqlite_master"))]
    assert "scratch" not in names
    opened.close()


def test_foreign_keys_are_enforced_on_sqlite(tmp_path: Path) -> None:
    opened = open_store(str(tmp_path / "fk.sqlite"))
    with pytest.raises(StoreError), opened.begin() as conn:
        conn.execute(schema.person_email.insert().values(address="a@b.cd", person_id=999))
    opened.close()


def _engine_for(db_url: str) -> Engine:
    return create_engine(db_url if "://" in db_url else f"sqlite:///{db_url}")


def test_an_older_database_is_backed_up_then_upgraded_without_loss(db_url: str) -> None:
    """A register written at the first schema, with links between asks, opened today."""
    engine = _engine_for(db_url)
    migrate_to(Store(engine, db_url), "0001")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO person (id, name) VALUES (1, 'Helen Brandt')"))
        conn.execute(text(
            "INSERT INTO ask (id, title, status, created_at, requester_id) VALUES "
            "(1, 'First', 'open', '2026-01-01 09:00:00', 1), "
            "(2, 'Second', 'open', '2026-01-02 09:00:00', 1)"))
        conn.execute(text("INSERT INTO ask_dependency (ask_id, depends_on_id) VALUES (2, 1)"))
    engine.dispose()

    upgraded = open_store(db_url)
    assert upgraded.upgraded_from == "0001"
    assert upgraded.backup is not None and upgraded.backup.exists()
    with upgraded.read() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() \
            == schema.SCHEMA_REVISION
        assert conn.execute(text("SELECT ask_id, depends_on_id FROM ask_dependency")).all() == [(2, 1)]
        assert records.get(conn, BY_KIND["ask"], 2)["requester"] == "Helen Brandt"
        diff = compare_metadata(_context(conn), schema.metadata)
    assert diff == []
    upgraded.close()
    if upgraded.dialect == "sqlite":
        with sqlite3.connect(upgraded.backup) as copy:
            assert copy.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0001"
            assert copy.execute("SELECT count(*) FROM ask_dependency").fetchone()[0] == 1
    else:
        saved = json.loads(upgraded.backup.read_text())
        assert saved["alembic_version"] == [{"version_num": "0001"}]
        assert len(saved["ask"]) == 2


def test_migrating_an_empty_database_step_by_step_reaches_head(db_url: str) -> None:
    """The real migration chain, run from nothing through each recorded revision."""
    engine = _engine_for(db_url)
    bare = Store(engine, db_url)
    for revision in reversed(known_revisions()):
        migrate_to(bare, revision)
    with engine.connect() as conn:
        assert (
            conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            == schema.SCHEMA_REVISION
        )
    engine.dispose()


def test_a_newer_database_is_refused_and_left_alone(db_url: str) -> None:
    opened = open_store(db_url)
    with opened.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    opened.close()
    with pytest.raises(StoreError, match="newer Patron"):
        open_store(db_url)
    engine = _engine_for(db_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "9999"
    engine.dispose()


def test_a_foreign_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    with sqlite3.connect(path) as raw:
        raw.execute("CREATE TABLE notes (x TEXT)")
    with pytest.raises(StoreError, match="not a Patron database"):
        open_store(str(path))


def test_a_file_that_is_not_sqlite_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "text.sqlite"
    path.write_text("hello")
    with pytest.raises(StoreError, match="not a Patron database"):
        open_store(str(path))
    assert path.read_text() == "hello"


def test_reading_never_creates_a_database(tmp_path: Path) -> None:
    path = tmp_path / "absent.sqlite"
    with pytest.raises(StoreError, match="no database"):
        open_store(str(path), create=False)
    assert not path.exists()


def test_an_unreachable_server_is_one_clear_error() -> None:
    with pytest.raises(StoreError):
        open_store("postgresql+psycopg://nobody@127.0.0.1:1/none")


def test_an_unknown_driver_is_one_clear_error() -> None:
    with pytest.raises(StoreError, match="cannot use database"):
        open_store("nosuchdb://x/y")
