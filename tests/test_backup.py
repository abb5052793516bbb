"""Export and restore: the JSON document is a faithful, all-or-nothing backup."""

from __future__ import annotations

import json
import re
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from patron.domain.records import BY_KIND
from patron.errors import Conflict, InvalidInput, StoreError
from patron.services import backup, demo, records
from patron.store.database import Store, open_store
from tests.conftest import NOW, drop_postgres, fresh_postgres_url

names = (
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=30)
    .map(str.strip)
    .filter(bool)
)
words = st.text("abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=10)
moments = st.datetimes(datetime(2000, 1, 1), datetime(2040, 1, 1)).map(
    lambda d: d.replace(microsecond=0)
)


@st.composite
def registers(draw: st.DrawFn) -> list[tuple[str, dict[str, Any]]]:
    """A random register, as the list of additions that builds it."""
    steps: list[tuple[str, dict[str, Any]]] = []
    orgs = draw(st.lists(names, max_size=3, unique_by=str.casefold))
    for i, org in enumerate(orgs):
        steps.append(("organisation", {"name": org, "domains": [f"org{i}.example"]}))
    people = draw(st.integers(1, 5))
    for i in range(people):
        steps.append(
            (
                "person",
                {
                    "name": draw(names),
                    "emails": [f"p{i}.{draw(words)}@mail.example"],
                    "organisation_id": 1 if orgs and draw(st.booleans()) else None,
                    "title": draw(st.none() | names),
                    "notes": draw(st.none() | st.text(max_size=200)),
                },
            )
        )
    engagements = draw(st.lists(names, min_size=1, max_size=3, unique_by=str.casefold))
    for name in engagements:
        steps.append(
            (
                "engagement",
                {
                    "name": name,
                    "kind": draw(st.sampled_from(["client", "employer", "self"])),
                    "value": draw(st.none() | st.floats(0, 1e9, allow_nan=False)),
                    "success_criteria": draw(st.lists(names, max_size=3, unique=True)),
                },
            )
        )
    for _ in range(draw(st.integers(0, 6))):
        steps.append(
            (
                "ask",
                {
                    "title": draw(names),
                    "requester_id": draw(st.integers(1, people)),
                    "engagement_id": draw(st.integers(1, len(engagements))),
                    "due_at": draw(st.none() | moments),
                    "effort_hours": draw(st.none() | st.floats(0, 100)),
                    "status": draw(
                        st.sampled_from(["open", "doing", "waiting", "done", "declined"])
                    ),
                    "created_at": draw(moments),
                },
            )
        )
    for _ in range(draw(st.integers(0, 4))):
        steps.append(
            (
                "interaction",
                {
                    "summary": draw(names),
                    "occurred_at": draw(moments),
                    "participants": draw(
                        st.lists(st.integers(1, people), min_size=1, max_size=3, unique=True)
                    ),
                    "sentiment": draw(st.none() | st.integers(-2, 2)),
                },
            )
        )
    steps.append(
        (
            "stakeholder",
            {
                "person_id": 1,
                "engagement_id": 1,
                "role": draw(st.sampled_from(["sponsor", "manager", "boss"])),
            },
        )
    )
    steps.append(
        (
            "feedback",
            {
                "person_id": 1,
                "rating": draw(st.none() | st.integers(0, 10)),
                "text": draw(st.none() | names),
            },
        )
    )
    steps.append(
        (
            "time_entry",
            {
                "engagement_id": 1,
                "minutes": draw(st.integers(1, 1440)),
                "started_at": draw(moments),
            },
        )
    )
    return steps


def build(store: Store, steps: list[tuple[str, dict[str, Any]]]) -> None:
    with store.begin() as conn:
        for kind, values in steps:
            records.add(conn, BY_KIND[kind], values, NOW)


def export_text(store: Store) -> str:
    """The export as ``patron export`` streams it, checked against the whole document's dump."""
    with store.read() as conn:
        streamed = "".join(backup.export_text(conn))
        assert streamed == backup.dumps(backup.export_document(conn))
    return streamed


def restore_text(store: Store, text: str) -> None:
    document = backup.loads(text, "export.json")
    with store.begin() as conn:
        backup.restore(conn, document)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(registers())
def test_export_restore_export_is_the_identity(steps: list[tuple[str, dict[str, Any]]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        original = open_store(str(Path(folder) / "a.sqlite"))
        build(original, steps)
        first = export_text(original)
        copy = open_store(str(Path(folder) / "b.sqlite"))
        restore_text(copy, first)
        assert export_text(copy) == first
        # and the restored register goes on working: new ids follow the restored ones
        with copy.begin() as conn:
            new = records.add(conn, BY_KIND["person"], {"name": "After restore"}, NOW)
        assert new == max(r["id"] for r in json.loads(first)["tables"]["person"]) + 1
        original.close()
        copy.close()


@pytest.mark.postgres
def test_the_demo_round_trips_through_postgresql_and_back(tmp_path: Path) -> None:
    """SQLite -> export -> PostgreSQL -> export -> SQLite: one document all the way."""
    sqlite = open_store(str(tmp_path / "demo.sqlite"))
    with sqlite.begin() as conn:
        demo.build(conn, NOW)
    document = export_text(sqlite)
    url = fresh_postgres_url()
    try:
        postgres = open_store(url)
        restore_text(postgres, document)
        assert export_text(postgres) == document
        with postgres.begin() as conn:
            new = records.add(conn, BY_KIND["ask"], {"title": "After restore"}, NOW)
        assert new == len(json.loads(document)["tables"]["ask"]) + 1
        postgres.close()
    finally:
        drop_postgres(url)
    back = open_store(str(tmp_path / "back.sqlite"))
    restore_text(back, document)
    assert export_text(back) == document


def test_the_document_is_stable_and_readable(store: Store) -> None:
    build(store, [("person", {"name": "Zoë Ångström", "emails": ["zoe@example.org"]})])
    text = export_text(store)
    assert text == export_text(store)
    parsed = json.loads(text)
    assert parsed["format"] == "patron-export" and parsed["schema"]
    assert parsed["tables"]["person"][0]["name"] == "Zoë Ångström"
    assert parsed["tables"]["person_email"] == [{"address": "zoe@example.org", "person_id": 1}]


def test_csv_has_one_file_per_table_with_a_header(store: Store) -> None:
    build(store, [("engagement", {"name": "Audit", "success_criteria": ["a, b", "c"]})])
    with store.read() as conn:
        files = backup.csv_files(backup.export_document(conn))
    assert "engagement.csv" in files and "person.csv" in files
    header, row = files["engagement.csv"].splitlines()[:2]
    assert header.startswith("id,name,kind")
    assert '"[""a, b"", ""c""]"' in row


def _document(**tables: Any) -> str:
    doc = {
        "format": "patron-export",
        "version": 1,
        "schema": backup.SCHEMA_REVISION,
        "tables": tables,
    }
    return json.dumps(doc)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "not JSON (line 1"),
        ("[]", "not a Patron export"),
        ('{"format": "patron-export", "version": 7}', "version 7"),
        (
            json.dumps({"format": "patron-export", "version": 1, "schema": "0000", "tables": {}}),
            "schema",
        ),
        (_document(gadgets=[]), "unknown table 'gadgets'"),
        (
            _document(person=[{"id": 1, "name": "A", "shoe": 9}]),
            "table person, record 1: unknown column",
        ),
        (_document(person=[{"id": 1}]), "table person, record 1: name is missing"),
        (_document(person=[{"id": "one", "name": "A"}]), "id has an unusable value"),
        (
            _document(
                goal=[
                    {
                        "id": 1,
                        "title": "G",
                        "kind": "other",
                        "status": "active",
                        "created_on": "2026-02-30",
                    }
                ]
            ),
            "created_on has an unusable value",
        ),
        (_document(person="nope"), "table person is not a list"),
        (_document(person=[5]), "record 1: not an object"),
    ],
)
def test_a_malformed_document_is_refused_with_where(text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=re.escape(message)):
        backup.loads(text, "export.json")


def test_restore_needs_an_empty_register_and_changes_nothing(store: Store) -> None:
    build(store, [("person", {"name": "Kept"})])
    before = export_text(store)
    with pytest.raises(Conflict, match="empty database"):
        restore_text(store, before)
    assert export_text(store) == before


def test_a_dangling_reference_is_found_before_anything_is_written() -> None:
    bad = _document(
        person=[{"id": 1, "name": "A"}], person_email=[{"address": "a@b.cd", "person_id": 42}]
    )
    with pytest.raises(
        InvalidInput, match="person_email, record 1: person_id 42 refers to no person"
    ):
        backup.loads(bad, "export.json")


def test_clashing_records_are_found_before_anything_is_written() -> None:
    bad = _document(organisation=[{"id": 1, "name": "A"}, {"id": 2, "name": "A"}])
    with pytest.raises(InvalidInput, match="table organisation, record 2: name 'A' is already used"):
        backup.loads(bad, "export.json")


def test_a_restore_that_fails_midway_restores_nothing(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """The goal is written before the failure (goals come first); the transaction takes it out."""
    empty = export_text(store)
    document = backup.loads(_document(person=[{"id": 1, "name": "A"}],
                                      goal=[{"id": 1, "title": "G", "kind": "other", "status": "active",
                                             "created_on": "2026-01-01"}]), "export.json")
    real_insert = backup.insert

    def failing_insert(table: Any) -> Any:
        if table.name == "person":
            raise StoreError("disk full")
        return real_insert(table)

    monkeypatch.setattr(backup, "insert", failing_insert)
    with pytest.raises(StoreError), store.begin() as conn:
        backup.restore(conn, document)
    assert export_text(store) == empty


def test_dates_survive_the_round_trip(store: Store) -> None:
    due = NOW + timedelta(days=3, hours=5)
    build(store, [("ask", {"title": "A", "due_at": due})])
    doc = json.loads(export_text(store))
    assert doc["tables"]["ask"][0]["due_at"] == due.isoformat()


@pytest.mark.parametrize("batch", [1, 7, backup.EXPORT_BATCH])
def test_the_streamed_export_is_the_document_byte_for_byte(
        portfolio: Store, batch: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Records are encoded in batches; every batch boundary writes what one dump writes."""
    monkeypatch.setattr(backup, "EXPORT_BATCH", batch)
    with portfolio.read() as conn:
        document = backup.export_document(conn)
        assert "".join(backup.export_text(conn)) == backup.dumps(document)
    assert max(len(rows) for rows in document["tables"].values()) > backup.EXPORT_BATCH
