"""Each touchpoint's moment beside its participants (schema 0008): kept by the database,
whoever writes, on each backend; and a person's last contact read from it equals the one
worked out through the touchpoints themselves."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, create_engine, func, select, text

from patron.services.overview import last_contacts
from patron.store import schema
from patron.store.database import Store, migrate_to, open_store
from tests.conftest import NOW, Patron


def _pairs(conn: Connection) -> set[tuple[int, int, datetime | None, datetime]]:
    """(touchpoint, person, the participant's copy, the touchpoint's own moment)."""
    i, p = schema.interaction, schema.interaction_participant
    rows = conn.execute(select(p.c.interaction_id, p.c.person_id, p.c.occurred_at, i.c.occurred_at)
                        .join(i, i.c.id == p.c.interaction_id))
    return {tuple(row) for row in rows}  # type: ignore[misc]


def _all_kept(store: Store) -> bool:
    with store.read() as conn:
        pairs = _pairs(conn)
    return bool(pairs) and all(copy == own for _, _, copy, own in pairs)


def test_every_writer_keeps_the_copy(db_url: str, tmp_path: Path) -> None:
    patron = Patron(db_url, CliRunner())
    patron.ok("person add 'Helen Brandt' --email helen@ledger.example")
    patron.ok("person add 'Ida Berg'")
    patron.ok("met Helen 'Kick-off' --at '2026-11-02 10:00'")
    patron.ok("interaction add 'Budget call' --kind call --at '2026-11-05 15:00' --with Helen "
              "--with Ida")
    mbox = tmp_path / "mail.mbox"
    mbox.write_text("From helen@ledger.example Mon Nov 09 09:00:00 2026\n"
                    "From: Helen Brandt <helen@ledger.example>\nTo: me@firm.example\n"
                    "Subject: Figures\nDate: Mon, 09 Nov 2026 09:00:00 +0000\n"
                    "Message-ID: <figures@ledger.example>\n\nThe figures, as promised.\n\n")
    patron.ok(f"import mail {mbox} --owner me@firm.example")
    store = open_store(db_url, create=False)
    try:
        assert _all_kept(store)
        patron.ok("interaction edit 2 --at '2026-11-06 11:00' --add-with 'Helen'")
        patron.ok("interaction edit 1 --add-with Ida")
        assert _all_kept(store)
        with store.read() as conn:
            last = last_contacts(conn, NOW)
            helen = conn.execute(text("SELECT id FROM person WHERE name = 'Helen Brandt'")).scalar()
        assert last[helen] == datetime(2026, 11, 9).date()
    finally:
        store.close()


def test_an_older_register_gets_the_copies_when_upgraded(db_url: str) -> None:
    engine = create_engine(db_url if "://" in db_url else f"sqlite:///{db_url}")
    migrate_to(Store(engine, db_url), "0007")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO person (id, name) VALUES (1, 'Helen Brandt')"))
        conn.execute(text(
            "INSERT INTO interaction (id, summary, kind, occurred_at, direction) VALUES "
            "(1, 'Kick-off', 'meeting', '2026-11-02 10:00:00', 'both')"))
        conn.execute(text("INSERT INTO interaction_participant (interaction_id, person_id) "
                          "VALUES (1, 1)"))
    engine.dispose()
    upgraded = open_store(db_url)
    try:
        assert upgraded.upgraded_from == "0007"
        assert _all_kept(upgraded)
    finally:
        upgraded.close()


def test_a_restore_fills_the_copies_whatever_the_document_says(db_url: str, tmp_path: Path) -> None:
    patron = Patron(str(tmp_path / "source.sqlite"), CliRunner())
    patron.ok("person add 'Helen Brandt'")
    patron.ok("met Helen 'Kick-off' --at '2026-11-02 10:00'")
    exported = tmp_path / "export.json"
    patron.ok(f"export -o {exported}")
    document = json.loads(exported.read_text())
    for row in document["tables"]["interaction_participant"]:
        row["occurred_at"] = "1999-01-01T00:00:00"  # a hand-edited or stale copy
    exported.write_text(json.dumps(document))
    Patron(db_url, CliRunner()).ok(f"restore {exported}")
    store = open_store(db_url, create=False)
    try:
        assert _all_kept(store)
    finally:
        store.close()


# -- property: the last contact read from the copies is the one through the touchpoints --

MOMENTS = st.integers(0, 400).map(lambda hours: NOW - timedelta(days=10) + timedelta(hours=hours))


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(touchpoints=st.lists(st.tuples(MOMENTS, st.sets(st.integers(1, 4), min_size=1)),
                            max_size=12),
       moved=st.lists(st.tuples(st.integers(0, 11), MOMENTS), max_size=4))
def test_last_contacts_equal_the_latest_touchpoint(tmp_path_factory: object,
                                                   touchpoints: list[tuple[datetime, set[int]]],
                                                   moved: list[tuple[int, datetime]]) -> None:
    folder = tmp_path_factory.mktemp("moments")  # type: ignore[attr-defined]
    store = open_store(str(folder / "register.sqlite"))
    i, p = schema.interaction, schema.interaction_participant
    try:
        with store.begin() as conn:
            for n in range(1, 5):
                conn.execute(schema.person.insert().values(id=n, name=f"Person {n}"))
            for n, (at, people) in enumerate(touchpoints, start=1):
                conn.execute(i.insert().values(id=n, summary="t", kind="call", occurred_at=at,
                                               direction="both"))
                for person in sorted(people):
                    conn.execute(p.insert().values(interaction_id=n, person_id=person))
            for index, at in moved:
                conn.execute(i.update().where(i.c.id == index + 1).values(occurred_at=at))
        with store.read() as conn:
            expected = dict(conn.execute(
                select(p.c.person_id, func.max(i.c.occurred_at)).join(i, i.c.id == p.c.interaction_id)
                .where(i.c.occurred_at <= NOW).group_by(p.c.person_id)).all())
            assert last_contacts(conn, NOW) == {k: v.date() for k, v in expected.items()}
    finally:
        store.close()
