"""The store on SQLite and PostgreSQL: schema, migrations, transactions."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, func, select, text

from patron.domain.records import BY_KIND
from patron.errors import InvalidInput, StoreError
from patron.services import records
from patron.store import schema
from patron.store.database import Store, known_revisions, migrate_to, open_store
from tests.conftest import NOW


def test_schema_revision_is_alembics_head() -> None:
    assert known_revisions()[0] == schema.SCHEMA_REVISION


def test_migrations_build_exactly_the_declared_schema(store: Store) -> None:
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), schema.metadata)
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


def test_an_older_database_is_backed_up_then_upgraded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Simulate the next schema: a database at today's head is 'older' than a newer head."""
    path = tmp_path / "old.sqlite"
    opened = open_store(str(path))
    with opened.begin() as conn:
        records.add(conn, BY_KIND["person"], {"name": "Helen Brandt"}, NOW)
    opened.close()
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE alembic_version SET version_num = 'base-for-test'")
    monkeypatch.setattr(
        "patron.store.database.known_revisions", lambda: [schema.SCHEMA_REVISION, "base-for-test"]
    )
    upgraded: list[str] = []
    monkeypatch.setattr(
        "patron.store.database._upgrade",
        lambda store, target="head": upgraded.append(target) or _stamp(store),
    )
    reopened = open_store(str(path))
    assert reopened.upgraded_from == "base-for-test"
    assert upgraded == ["head"]
    assert reopened.backup is not None and reopened.backup.exists()
    with sqlite3.connect(reopened.backup) as copy:
        assert (
            copy.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "base-for-test"
        )
        assert copy.execute("SELECT name FROM person").fetchone()[0] == "Helen Brandt"
    reopened.close()


def _stamp(store: Store) -> None:
    with store.engine.begin() as conn:
        conn.execute(
            text("UPDATE alembic_version SET version_num = :v"), {"v": schema.SCHEMA_REVISION}
        )


def test_migrating_an_empty_database_step_by_step_reaches_head(db_url: str) -> None:
    """The real migration chain, run from nothing through each recorded revision."""
    engine = create_engine(db_url if "://" in db_url else f"sqlite:///{db_url}")
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
    engine = create_engine(db_url if "://" in db_url else f"sqlite:///{db_url}")
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
