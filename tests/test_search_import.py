"""The search index after a mail import. The import writes each batch's entries at the
batch's end, in the index's order (``store.search.deferred``), instead of row by row through
the triggers; the index it leaves must be the one the triggers leave, and the one built
afresh from the records, on SQLite and on PostgreSQL (whose indexes the database keeps)."""

from __future__ import annotations

import contextlib
import random
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from patron.domain.records import PERSON
from patron.importers.rawmail import RawMessage
from patron.services import records
from patron.services import search as service
from patron.services.mail import import_messages
from patron.store import schema, search
from patron.store.database import open_store
from tests.conftest import drop_postgres, fresh_postgres_url

NOW = datetime(2026, 11, 20, 10, 0)
ME = "me@example.org"
FIRST = ["Helen", "Victor", "Sam", "Ana", "Zoë", "Ines", "Jeff", "Sally"]
LAST = ["Brandt", "Lam", "Okafor", "Müller", "Álvarez", "Skilling", "Beck"]
DOMAINS = ["meridian.example", "ect.enron.com", "enron.com", "gmail.com", "contoso.example"]
SENTENCES = ["Could you send the Q3 figures by Friday?", "I'll book the room for Tuesday.",
             "Lunch at noon?", "Please review the draft budget.", "Thanks, noted."]


def _mail(seed: int, count: int) -> list[bytes]:
    """Messages among people of whom some write from two addresses (one name, one person),
    at moments in no order, some to you with asks in them, some sent to a list."""
    rng = random.Random(seed)
    who = []
    for first in FIRST:
        for last in rng.sample(LAST, 2):
            local = f"{first}.{last}".lower()
            who.append((f"{first} {last}", f"{local}@{rng.choice(DOMAINS)}"))
            if rng.random() < 0.4:
                who.append((f"{first} {last}", f"{local.replace('.', '')}@gmail.com"))
    found = []
    for n in range(count):
        sender, *to = rng.sample(who, rng.randint(2, 5))
        if rng.random() < 0.4:
            to.append(("Me", ME))
        listed = "List-Id: <team.meridian.example>\n" if rng.random() < 0.1 else ""
        found.append((
            f"From: {sender[0]} <{sender[1]}>\nTo: {', '.join(f'{a} <{b}>' for a, b in to)}\n{listed}"
            f"Subject: {rng.choice(['Budget', 'Ledger', 'Re: Dashboard', 'Offsite'])} note {n}\n"
            f"Date: {rng.randint(1, 28)} {rng.choice(['Jan', 'Jun', 'Nov'])} 2026 "
            f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00 +0000\n"
            f"Message-ID: <{seed}.{n}@search.test>\n\n{rng.choice(SENTENCES)}\n").encode())
    return found


def _import(url: str, runs: list[list[bytes]], batch_size: int) -> None:
    store = open_store(url)
    try:
        for run, messages in enumerate(runs):  # each a run of its own, people known from the last
            raws = [RawMessage(f"run {run}, message {n}", m) for n, m in enumerate(messages)]
            import_messages(store, raws, [ME], NOW, batch_size=batch_size)
    finally:
        store.close()


def _index(url: str) -> dict[str, Any]:
    """What the index holds: on SQLite every entry (rowid, title, body) of every kind, checked
    against the FTS5 tables' own copy; on both, what searching every word finds."""
    store = open_store(url)
    try:
        with store.read() as conn:
            held: dict[str, Any] = {}
            words: set[str] = set()
            for indexed in search.INDEXED:
                if conn.dialect.name == "sqlite":
                    fts = indexed.fts
                    conn.exec_driver_sql(f"INSERT INTO {fts} ({fts}) VALUES ('integrity-check')")
                    rows = conn.exec_driver_sql(f"SELECT rowid, title, body FROM {fts} ORDER BY rowid").all()
                    held[indexed.kind] = [tuple(row) for row in rows]
                    words.update(w for row in rows for text in row[1:] for w in service.words(text or ""))
            for table, column in ((schema.person, "name"), (schema.interaction, "summary"),
                                  (schema.person_email, "address"), (schema.organisation, "name")):
                words.update(w for value in conn.execute(select(table.c[column])).scalars()
                             for w in service.words(value))
        held["found"] = {word: [(h.kind, h.id, h.title, h.snippet)
                                for h in service.search(store, word, limit=500)]
                         for word in sorted(words)}
        return held
    finally:
        store.close()


def _rebuilt(url: str) -> dict[str, Any]:
    """The index built afresh from the records (what a restore or migration 0006 does)."""
    store = open_store(url)
    try:
        with store.begin() as conn:
            search.uninstall(conn)
            search.install(conn)
    finally:
        store.close()
    return _index(url)


@pytest.fixture
def other_url(db_url: str, tmp_path: Path) -> Iterator[str]:
    """A second empty register on the same backend."""
    if "://" not in db_url:
        yield str(tmp_path / "other.sqlite")
        return
    url = fresh_postgres_url()
    yield url
    drop_postgres(url)


@contextlib.contextmanager
def _row_by_row(conn: Any) -> Iterator[None]:
    yield


def test_an_import_leaves_the_index_the_triggers_leave(db_url: str, other_url: str,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    runs = [_mail(1, 60), _mail(2, 40)]  # the second run gives known people new addresses
    _import(db_url, runs, batch_size=7)
    with monkeypatch.context() as patched:
        patched.setattr(search, "deferred", _row_by_row)
        _import(other_url, runs, batch_size=7)
    imported = _index(db_url)
    assert len(imported["found"]) > 50 and all(imported["found"].values())
    assert imported == _index(other_url)
    assert imported == _rebuilt(db_url)


def _triggers(url: str) -> list[str]:
    """The triggers of a SQLite register."""
    store = open_store(url)
    try:
        with store.read() as conn:
            return list(conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                             "ORDER BY name").scalars())
    finally:
        store.close()


def test_an_import_stopped_midway_keeps_the_triggers(db_url: str) -> None:
    before = _triggers(db_url) if "://" not in db_url else []
    store = open_store(db_url)
    try:
        def stop(conn: Any, message: Any) -> None:
            raise KeyboardInterrupt

        raws = [RawMessage(f"message {n}", m) for n, m in enumerate(_mail(3, 12))]
        with pytest.raises(KeyboardInterrupt):
            import_messages(store, raws, [ME], NOW, batch_size=5, on_message=stop)
        import_messages(store, raws, [ME], NOW, batch_size=5)  # the same connection goes on
        with store.begin() as conn:
            records.add(conn, PERSON, {"name": "Quentin Fairweather"}, NOW)
        assert [h.title for h in service.search(store, "fairweather")] == ["Quentin Fairweather"]
        if store.dialect == "sqlite":  # nothing left on the connection the imports wrote with
            with store.read() as conn:
                assert not conn.exec_driver_sql("SELECT name FROM sqlite_temp_master").all()
    finally:
        store.close()
    if "://" not in db_url:
        assert _triggers(db_url) == before
    assert _index(db_url) == _rebuilt(db_url)
