"""``patron export`` and ``patron restore`` as a user runs them: a backup made after a
mail import restores into a new database, whole or not at all, from older schema
revisions too; a bad path is one clear line."""

from __future__ import annotations

import json
import mailbox
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from patron.services import backup
from patron.store.schema import SCHEMA_REVISION, TABLES_IN_ORDER, metadata
from tests.conftest import NOW, Patron, drop_postgres, fresh_postgres_url

ME = "sam@consult.example"


def _mail(sender: str, to: str, subject: str, body: str, number: int) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, to, subject
    message["Date"] = f"Tue, {10 + number} Nov 2026 09:30:00 +0000"
    message["Message-ID"] = f"<story{number}@northwind.example>"
    message.set_content(body)
    return message


def mail_fixtures(folder: Path) -> Path:
    """An .eml and an mbox: mail to you with an ask, your answer with a promise."""
    mail = folder / "mail"
    mail.mkdir()
    ask = _mail("Helen Brandt <helen@northwind.example>", f"Sam <{ME}>", "Board dashboard",
                "Could you send me the board dashboard draft by Friday?\n\nZoë says hi.", 1)
    (mail / "ask.eml").write_bytes(ask.as_bytes())
    box = mailbox.mbox(str(mail / "sent.mbox"))
    box.add(_mail(f"Sam <{ME}>", "Helen Brandt <helen@northwind.example>", "Re: Board dashboard",
                  "I'll send it by Thursday. — Ünïcødé ✓", 2))
    box.close()
    return mail


@pytest.fixture
def imported(patron: Patron, tmp_path: Path) -> Patron:
    patron.ok(f"import mail {mail_fixtures(tmp_path)} --owner {ME}")
    return patron


def test_a_backup_made_after_a_mail_import_restores_into_a_new_database(
        imported: Patron, tmp_path: Path) -> None:
    """The user story: export -o a.json, restore into a new database, export: the same bytes."""
    imported.ok(f"export -o {tmp_path / 'a.json'}")
    states = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))["tables"]["import_state"]
    assert {"size", "mtime_ns"} <= set(states[0]["state"])  # the value restore once refused
    fresh = Patron(str(tmp_path / "new.sqlite"), imported.runner)
    said = fresh.ok(f"restore {tmp_path / 'a.json'}")
    assert "Restored" in said and "import_state" in said and "unusable" not in said
    fresh.ok(f"export -o {tmp_path / 'b.json'}")
    assert (tmp_path / "b.json").read_bytes() == (tmp_path / "a.json").read_bytes()
    # and the restored register knows the files are read: importing again adds nothing
    assert "0 created" in fresh.ok(f"import mail {tmp_path / 'mail'} --owner {ME}")


def test_restore_targets_the_database_patron_db_names(
        imported: Patron, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    backup_file = tmp_path / "a.json"
    imported.ok(f"export -o {backup_file}")
    monkeypatch.setenv("PATRON_DB", str(tmp_path / "by-env.sqlite"))
    result = CliRunner().invoke(_main(), ["restore", str(backup_file)])
    assert result.exit_code == 0, result.output
    again = CliRunner().invoke(_main(), ["export"])
    assert again.stdout == backup_file.read_text(encoding="utf-8")


def _main() -> Any:
    from patron.cli.main import main

    return main


def test_export_into_a_folder_that_is_not_there_is_one_clear_line(
        imported: Patron, tmp_path: Path) -> None:
    error = imported.fails(f"export -o {tmp_path / 'missing' / 'folder' / 'a.json'}", code=2)
    assert error.count("\n") == 1 and "Traceback" not in error and "unexpected" not in error
    assert f"the folder {tmp_path / 'missing' / 'folder'} does not exist" in error
    assert not (tmp_path / "missing").exists()


def test_a_bad_value_in_the_last_table_leaves_the_new_database_empty(
        imported: Patron, tmp_path: Path) -> None:
    imported.ok(f"export -o {tmp_path / 'a.json'}")
    document = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    last = TABLES_IN_ORDER[-1].name
    assert document["tables"][last], f"the mail import should write {last}"
    document["tables"][last][-1]["found_at"] = "last Tuesday"
    (tmp_path / "bad.json").write_text(json.dumps(document), encoding="utf-8")
    fresh = Patron(str(tmp_path / "new.sqlite"), imported.runner)
    error = fresh.fails(f"restore {tmp_path / 'bad.json'}", code=2)
    assert f"table {last}, record {len(document['tables'][last])}: found_at" in error
    assert "Traceback" not in error and error.count("\n") == 1
    assert not (tmp_path / "new.sqlite").exists()  # checked before a database is even opened


def test_a_restore_that_fails_while_writing_leaves_the_new_database_empty(
        imported: Patron, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every table but the last is written, then the database refuses: all taken back."""
    imported.ok(f"export -o {tmp_path / 'a.json'}")
    real = backup._insert

    def refusing(conn: Any, table: Any, columns: Any) -> None:
        if table is TABLES_IN_ORDER[-1]:
            from sqlalchemy import text

            conn.execute(text("SELECT no_such_function()"))  # a real database error
        real(conn, table, columns)

    monkeypatch.setattr(backup, "_insert", refusing)
    fresh = Patron(str(tmp_path / "new.sqlite"), imported.runner)
    fresh.fails(f"restore {tmp_path / 'a.json'}", code=6)
    monkeypatch.undo()
    dumped = json.loads(fresh.ok("export"))
    assert all(rows == [] for rows in dumped["tables"].values())


@pytest.mark.postgres
def test_a_value_postgresql_refuses_in_the_last_table_leaves_it_empty(
        imported: Patron, tmp_path: Path) -> None:
    """SQLite keeps text longer than its column says; PostgreSQL refuses it, and nothing stays."""
    imported.ok(f"export -o {tmp_path / 'a.json'}")
    document = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    document["tables"][TABLES_IN_ORDER[-1].name][-1]["status"] = "x" * 300
    (tmp_path / "long.json").write_text(json.dumps(document), encoding="utf-8")
    url = fresh_postgres_url()
    try:
        on_postgres = Patron(url, imported.runner)
        error = on_postgres.fails(f"restore {tmp_path / 'long.json'}", code=6)
        assert "too long" in error and "Traceback" not in error
        dumped = json.loads(on_postgres.ok("export"))
        assert all(rows == [] for rows in dumped["tables"].values())
    finally:
        drop_postgres(url)


def _as_revision_0004(document: dict[str, Any]) -> dict[str, Any]:
    """What Patron wrote at schema 0004: no stakeholder.added_on, no engagement.rate."""
    document["schema"] = "0004"
    for row in document["tables"]["stakeholder"]:
        del row["added_on"]
    for row in document["tables"]["engagement"]:
        del row["rate"]
    return document


def test_a_backup_from_schema_0004_restores_with_the_day_each_stakeholder_joined(
        patron: Patron, tmp_path: Path) -> None:
    patron.ok("person add Helen")
    patron.ok("person add Victor")
    patron.ok("person add Zoe")
    patron.ok("engagement add Ledger --start 2026-03-02")
    patron.ok("engagement add Later --start 2027-01-04")
    patron.ok("engagement add Undated")
    for person, engagement in (("Helen", "Ledger"), ("Victor", "Later"), ("Zoe", "Undated")):
        patron.ok(f"stakeholder add {person} {engagement} --role sponsor --since 2026-10-01")
    patron.ok(f"export -o {tmp_path / 'now.json'}")
    old = _as_revision_0004(json.loads((tmp_path / "now.json").read_text(encoding="utf-8")))
    (tmp_path / "old.json").write_text(json.dumps(old), encoding="utf-8")
    fresh = Patron(str(tmp_path / "new.sqlite"), patron.runner)
    fresh.ok(f"restore {tmp_path / 'old.json'}")
    restored = json.loads(fresh.ok("export"))
    assert restored["schema"] == SCHEMA_REVISION
    # as migration 0005 fills it: the engagement's first day if past, else today
    assert [r["added_on"] for r in restored["tables"]["stakeholder"]] == [
        "2026-03-02", NOW.date().isoformat(), NOW.date().isoformat()]
    assert [r["rate"] for r in restored["tables"]["engagement"]] == [None, None, None]


def test_a_backup_from_the_first_schema_restores(patron: Patron, tmp_path: Path) -> None:
    """Tables added since (import_state, suggestion, goal_note, ...) are simply empty."""
    patron.ok("person add Helen --email helen@northwind.example")
    patron.ok("engagement add Ledger")
    patron.ok(f"export -o {tmp_path / 'now.json'}")
    old = _as_revision_0004(json.loads((tmp_path / "now.json").read_text(encoding="utf-8")))
    old["schema"] = "0001"
    for later in ("import_state", "suggestion", "goal_note", "timer", "reflection",
                  "ask_exclusion", "stakeholder_opposition"):
        del old["tables"][later]
    for row in old["tables"]["person"]:
        del row["phones"]
    (tmp_path / "old.json").write_text(json.dumps(old), encoding="utf-8")
    fresh = Patron(str(tmp_path / "new.sqlite"), patron.runner)
    fresh.ok(f"restore {tmp_path / 'old.json'}")
    assert fresh.ok("export") == (tmp_path / "now.json").read_text(encoding="utf-8")


def test_a_backup_from_an_unknown_schema_names_what_this_patron_reads(
        patron: Patron, tmp_path: Path) -> None:
    (tmp_path / "new.json").write_text(json.dumps(
        {"format": "patron-export", "version": 1, "schema": "0099", "tables": {}}))
    error = patron.fails(f"restore {tmp_path / 'new.json'}", code=2)
    assert f"schema '0099'; this Patron restores schemas 0001 to {SCHEMA_REVISION}" in error
    assert "newer one" in error and error.count("\n") == 1


def test_the_export_holds_every_table_and_every_column(imported: Patron) -> None:
    """A new table or column cannot be left out of backups without this failing."""
    document = json.loads(imported.ok("export"))
    assert {t.name for t in TABLES_IN_ORDER} == set(metadata.tables)
    assert list(document["tables"]) == [t.name for t in TABLES_IN_ORDER]
    for table in TABLES_IN_ORDER:
        for row in document["tables"][table.name]:
            assert list(row) == [c.name for c in table.columns]
        backup._columns("test", table, [])  # every column type has a reader


def test_the_restored_database_has_every_index_back(imported: Patron, tmp_path: Path) -> None:
    """Restore builds the indexes again after loading: the schema is the one Patron declares."""
    from sqlalchemy import create_engine, inspect

    imported.ok(f"export -o {tmp_path / 'a.json'}")
    Patron(str(tmp_path / "new.sqlite"), imported.runner).ok(f"restore {tmp_path / 'a.json'}")
    engine = create_engine(f"sqlite:///{tmp_path / 'new.sqlite'}")
    found = {(table, index["name"]) for table in metadata.tables
             for index in inspect(engine).get_indexes(table)}
    engine.dispose()
    assert found == {(t.name, i.name) for t in TABLES_IN_ORDER for i in t.indexes}


def test_a_0004_backup_with_broken_links_is_refused_in_one_line(
        patron: Patron, tmp_path: Path) -> None:
    (tmp_path / "odd.json").write_text(json.dumps(
        {"format": "patron-export", "version": 1, "schema": "0004", "tables": {
            "engagement": [{"id": [1], "name": "E", "kind": "client", "status": "active",
                            "success_criteria": []}],
            "stakeholder": [{"id": 1, "person_id": 1, "engagement_id": {"x": 1}}]}}))
    error = patron.fails(f"restore {tmp_path / 'odd.json'}", code=2)
    assert "table engagement, record 1: id has an unusable value [1]" in error
