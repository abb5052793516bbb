"""Mistaken and hostile input on the command line.

Each failure must give the right exit code (errors.py: InvalidInput 2, NotFound 3,
Ambiguous 4, Conflict 5, StoreError 6; click usage errors 2), one line on stderr
that names what was wrong, no traceback, and leave what was stored as it was.
"""

from __future__ import annotations

import copy
import fcntl
import json
import os
import shlex
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from patron.cli.main import main
from patron.domain.records import KINDS
from patron.errors import NotFound
from patron.store.database import open_store
from tests.conftest import Patron

q = shlex.quote

WORLD = [
    "organisation add Meridian --domain meridian-shipping.com",
    "person add 'Helen Brandt' --email helen@meridian-shipping.com --org Meridian --title CFO",
    "person add 'Victor Lang' --email victor@meridian-shipping.com --org Meridian",
    "engagement add 'Ledger migration' --org Meridian",
    "stakeholder add Helen Ledger --role sponsor",
    "ask add 'Board dashboard' --from Helen --engagement Ledger --due friday",
    "ask add 'Variance report' --from Victor --depends-on Board",
    "milestone add Cutover --engagement Ledger --due 2026-12-15",
    "feedback add Helen --rating 8",
    "time-entry add Ledger --duration 1h",
    "goal add 'Cloud exam' --kind learning",
    "commitment add 'Send plan' --to Victor",
    "prospect add Vantor --contact Victor",
    "interaction add Kickoff --with Helen --with Victor",
]


@pytest.fixture
def world(patron: Patron) -> Patron:
    for line in WORLD:
        patron.ok(line)
    return patron


def run(patron: Patron, line: str) -> Result:
    return patron(*shlex.split(line))


def clean_failure(result: Result, code: int, *words: str) -> str:
    """The exit code, one 'patron: ...' line naming each of ``words``, no traceback."""
    assert result.exit_code == code, (result.exit_code, result.output, result.exception)
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1, message
    assert message.startswith("patron: "), message
    for word in words:
        assert word in message, (word, message)
    return message


def usage_failure(result: Result, *words: str) -> str:
    """A usage error: exit 2, one 'patron:' line naming each of ``words`` and pointing at --help."""
    message = clean_failure(result, 2, *words)
    assert "--help" in message, message
    return message


def fails(patron: Patron, line: str, code: int, *words: str) -> str:
    """Run ``line``; it must fail cleanly and change nothing stored."""
    before = patron.ok("export")
    message = clean_failure(run(patron, line), code, *words)
    assert patron.ok("export") == before, f"{line!r} changed the register"
    return message


def names(patron: Patron, kind: str, key: str = "name") -> list[Any]:
    return [r[key] for r in json.loads(patron.ok(f"{kind} list --json"))]




# --- names that match nothing, or too much --------------------------------------------------


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("ask add x --from Nobody", ["person", "Nobody"]),
        ("ask add x --engagement Nope", ["engagement", "Nope"]),
        ("ask add x --from nobody@nowhere.org", ["nobody@nowhere.org"]),
        ("ask add x --depends-on 99", ["ask", "99"]),
        ("milestone add m --engagement Nope", ["engagement", "Nope"]),
        ("stakeholder add Helen Nope --role sponsor", ["engagement", "Nope"]),
        ("stakeholder add Nobody Ledger --role sponsor", ["person", "Nobody"]),
        ("interaction add Lunch --with Helen --with Nobody", ["Nobody"]),
        ("person add 'New Person' --org 'Acme'", ["organisation", "Acme"]),
        ("person add 'New Person' --org x@acme.example", ["organisation", "acme.example"]),
        ("person show Nobody", ["person", "Nobody"]),
        ("person show 99", ["person", "99"]),
        ("person show '#99'", ["person", "99"]),
        ("engagement show Nope", ["engagement", "Nope"]),
        ("stakeholder show Victor", ["Victor", "stakeholder"]),
        ("stakeholder show Helen/Ledger/manager", ["Helen/Ledger/manager"]),
        ("feedback show 42", ["feedback", "42"]),
        ("goal edit Nope --status done", ["goal", "Nope"]),
        ("engagement remove Nope --yes", ["engagement", "Nope"]),
        ("ask list --from Nobody", ["person", "Nobody"]),
        ("interaction list --with Nobody", ["person", "Nobody"]),
        ("person show %", ["%"]),
        ("person show _", ["_"]),
        ("person show 'Helen%'", ["Helen%"]),
    ],
)
def test_unknown_names(world: Patron, line: str, words: list[str]) -> None:
    fails(world, line, 3, *words)


def test_ambiguous_name_lists_the_candidates(world: Patron) -> None:
    world.ok("person add 'Dana Ames'")
    world.ok("person add 'Dana Berg'")
    message = fails(world, "ask add x --from Dana", 4, "Dana", "ambiguous")
    assert "Dana Ames (#3)" in message and "Dana Berg (#4)" in message
    fails(world, "person show dana", 4, "Dana Ames", "Dana Berg")
    fails(world, "person remove Dana --yes", 4, "Dana Ames", "Dana Berg")
    assert names(world, "person") == ["Dana Ames", "Dana Berg", "Helen Brandt", "Victor Lang"]
    assert "x" not in names(world, "ask", "title")


def test_ambiguous_engagement_and_stakeholder(world: Patron) -> None:
    world.ok("engagement add 'Ledger audit'")
    fails(world, "milestone add m --engagement Ledger", 4, "Ledger migration", "Ledger audit")
    world.ok("stakeholder add Helen 'Ledger audit' --role customer")
    fails(world, "stakeholder show Helen", 4, "Ledger migration", "Ledger audit")


def test_feedback_and_time_entries_are_named_by_id(world: Patron) -> None:
    fails(world, "feedback show Helen", 2, "id")
    fails(world, "time-entry remove Ledger --yes", 2, "id")


# --- values that cannot be used -------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("ask add x --due 2026-02-30", ["2026-02-30", "not a real date"]),
        ("ask add x --due blursday", ["blursday"]),
        ("ask add x --due '2026-12-01 25:00'", ["25:00", "time of day"]),
        ("ask add x --due '13pm'", ["13pm"]),
        ("ask add x --due 'in 99999 years'", ["too far"]),
        ("ask add x --asked blursday", ["blursday"]),
        ("milestone add m --engagement Ledger --due 2026-02-30", ["2026-02-30"]),
        ("milestone add m --engagement Ledger --due blursday", ["blursday"]),
        ("milestone add m --engagement Ledger --due '2026-12-01 15:00'", ["time of day"]),
        ("engagement add E --start 2026-13-01", ["2026-13-01"]),
        ("engagement add E --start 2026-12-01 --end 2026-11-01", ["end", "before"]),
        ("goal add G --target blursday", ["blursday"]),
        ("feedback add Helen --on 2026-02-30", ["2026-02-30"]),
        ("interaction add x --at blursday", ["blursday"]),
        ("commitment add x --due ''", ["empty"]),
    ],
)
def test_impossible_dates(world: Patron, line: str, words: list[str]) -> None:
    fails(world, line, 2, *words)


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("feedback add Helen --rating 11", ["rating", "0 to 10", "11"]),
        ("feedback add Helen --rating -1", ["rating", "-1"]),
        ("feedback add Helen --rating ten", ["rating", "whole number", "ten"]),
        ("feedback add Helen --rating 9.5", ["rating", "9.5"]),
        ("interaction add x --sentiment 3", ["sentiment", "-2 to 2", "3"]),
        ("interaction add x --sentiment -3", ["sentiment", "-3"]),
        ("stakeholder add Victor Ledger --role manager --power 6", ["power", "0 to 5", "6"]),
        ("stakeholder add Victor Ledger --role manager --urgency -1", ["urgency", "-1"]),
        ("stakeholder add Victor Ledger --role manager --cadence 99999", ["cadence", "99999"]),
        ("ask add x --value 6", ["value", "6"]),
        ("ask add x --effort -2", ["effort", "-2"]),
        ("ask add x --effort lots", ["effort", "lots"]),
        ("engagement add E --value -5", ["value", "-5"]),
        ("engagement add E --value nan", ["value", "nan"]),
        ("engagement add E --value inf", ["value", "inf"]),
        ("prospect add P --fee -1", ["fee", "-1"]),
        ("person add X --email not-an-address", ["not-an-address", "e-mail"]),
        ("person add X --email 'a@b'", ["a@b"]),
        ("organisation add X --domain 'not a domain'", ["not a domain", "domain"]),
        ("person add ''", ["name"]),
        ("person add '   '", ["name"]),
        ("time-entry add Ledger", ["duration"]),
        ("milestone add m", ["engagement"]),
    ],
)
def test_values_out_of_range_or_unreadable(world: Patron, line: str, words: list[str]) -> None:
    fails(world, line, 2, *words)


@pytest.mark.parametrize(
    ("duration", "words"),
    [("0", ["'0'", "more than zero"]), ("abc", ["'abc'", "duration"]), ("-1h", ["-1h"]),
     ("25h", ["25h", "longer than a day"]), ("1:75", ["1:75"]), ("0m", ["0m"])],
)
def test_time_entry_durations(world: Patron, duration: str, words: list[str]) -> None:
    fails(world, f"time-entry add Ledger --duration {q(duration)}", 2, *words)
    assert names(world, "time-entry", "minutes") == [60]


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("stakeholder add Victor Ledger --role kingpin", ["--role", "kingpin"]),
        ("ask add x --status maybe", ["--status", "maybe"]),
        ("ask list --status bogus", ["bogus"]),
        ("goal add G --kind hobby", ["hobby"]),
        ("overview --limit 0", ["--limit", "0"]),
        ("ask list --limit -3", ["--limit"]),
        ("goal edit 1 --clear title", ["--clear", "title"]),
        ("frobnicate", ["frobnicate"]),
        ("person add", ["NAME"]),
        ("restore /", ["directory"]),
    ],
)
def test_usage_errors(world: Patron, line: str, words: list[str]) -> None:
    before = world.ok("export")
    usage_failure(run(world, line), *words)
    assert world.ok("export") == before


# --- rules of the register -----------------------------------------------------------------


def test_a_duplicate_address_creates_nobody(world: Patron) -> None:
    fails(world, "person add 'Helen Other' --email helen@meridian-shipping.com", 5,
          "helen@meridian-shipping.com", "Helen Brandt")
    fails(world, "person add 'Helen Other' --email x@y.com --email HELEN@Meridian-Shipping.com",
          5, "helen@meridian-shipping.com")
    assert names(world, "person") == ["Helen Brandt", "Victor Lang"]
    tables = json.loads(world.ok("export"))["tables"]
    assert [r["address"] for r in tables["person_email"]] == [
        "helen@meridian-shipping.com", "victor@meridian-shipping.com"]


def test_a_duplicate_domain_creates_no_organisation(world: Patron) -> None:
    fails(world, "organisation add Other --domain Meridian-Shipping.com", 5,
          "meridian-shipping.com", "Meridian")
    assert names(world, "organisation") == ["Meridian"]


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("engagement add 'Ledger migration'", ["engagement", "Ledger migration"]),
        ("organisation add Meridian", ["organisation", "Meridian"]),
        ("prospect add Vantor", ["prospect", "Vantor"]),
        ("stakeholder add Helen Ledger --role sponsor", ["sponsor", "stakeholder #1"]),
        ("stakeholder add helen@meridian-shipping.com '#1' --role SPONSOR --power 1",
         ["sponsor"]),
    ],
)
def test_duplicates(world: Patron, line: str, words: list[str]) -> None:
    fails(world, line, 5, "already", *words)


def test_renaming_onto_another_name_is_a_conflict(world: Patron) -> None:
    world.ok("prospect add Orbit")
    fails(world, "prospect edit Orbit --name Vantor", 5, "Vantor")


def test_changing_a_role_onto_one_held_is_a_conflict(world: Patron) -> None:
    world.ok("stakeholder add Helen Ledger --role customer")
    fails(world, "stakeholder edit Helen/Ledger/customer --role sponsor", 5, "sponsor")


def test_an_ask_cannot_depend_on_itself(world: Patron) -> None:
    fails(world, "ask edit Board --add-depends-on Board", 5, "itself")
    fails(world, "ask edit 1 --depends-on 1", 5, "itself")


def test_a_dependency_cycle_is_refused(world: Patron) -> None:
    # Variance report (#2) already depends on Board dashboard (#1).
    world.ok("ask add 'Third' --depends-on Variance")
    fails(world, "ask edit Board --add-depends-on Third", 5, "itself")
    fails(world, "ask edit Board --add-depends-on Variance", 5, "itself")
    assert json.loads(world.ok("ask show Board --json"))["depends_on"] == []


def test_a_duplicate_address_on_edit_changes_nothing(world: Patron) -> None:
    fails(world, "person edit Victor --add-email helen@meridian-shipping.com --title Boss", 5,
          "helen@meridian-shipping.com")


def test_removing_an_address_they_do_not_have(world: Patron) -> None:
    fails(world, "person edit Helen --remove-email nope@x.com", 3, "nope@x.com")


EDIT_TARGETS = {
    "organisation": "Meridian", "person": "Helen", "engagement": "Ledger", "milestone": "Cutover",
    "stakeholder": "Helen/Ledger", "ask": "Board", "commitment": "Send", "interaction": "Kickoff",
    "feedback": "1", "time-entry": "1", "goal": "Cloud", "prospect": "Vantor",
}


@pytest.mark.parametrize(
    "kind",
    [k.cli_name for k in KINDS],
)
def test_edit_with_no_options(world: Patron, kind: str) -> None:
    fails(world, f"{kind} edit {q(EDIT_TARGETS[kind])}", 2, "nothing to change", f"{kind} edit")


@pytest.mark.parametrize(
    ("kind", "name", "field"),
    [("goal", "Cloud", "kind"), ("goal", "Cloud", "since"), ("stakeholder", "1", "stance"),
     ("feedback", "1", "on"), ("time-entry", "1", "at"), ("commitment", "Send", "status"),
     ("commitment", "Send", "made"), ("prospect", "Vantor", "status")],
)
def test_clearing_a_field_that_cannot_be_empty(world: Patron, kind: str, name: str,
                                               field: str) -> None:
    message = fails(world, f"{kind} edit {name} --clear {field}", 2, field)
    assert "constraint" not in message


# --- removal -------------------------------------------------------------------------------


def test_remove_without_yes_removes_nothing(world: Patron) -> None:
    fails(world, "person remove Helen", 2, "--yes", "Helen Brandt")
    fails(world, "engagement remove Ledger", 2, "--yes")
    assert names(world, "person") == ["Helen Brandt", "Victor Lang"]


# --- restore -------------------------------------------------------------------------------


@pytest.fixture
def document(world: Patron) -> dict[str, Any]:
    return json.loads(world.ok("export"))


@pytest.fixture
def empty(tmp_path: Path) -> Patron:
    """A second register that exists and is empty."""
    path = tmp_path / "target.sqlite"
    open_store(str(path)).close()
    return Patron(db=str(path), runner=CliRunner())


def _with(document: dict[str, Any], change: Callable[[dict[str, Any]], Any]) -> str:
    changed = copy.deepcopy(document)
    change(changed)
    return json.dumps(changed)


def _set(row: dict[str, Any], key: str, value: Any) -> None:
    row[key] = value


DAMAGE: list[tuple[str, Callable[[dict[str, Any]], str], list[str]]] = [
    ("not json", lambda d: "this is { not json", ["not JSON", "line 1"]),
    ("empty file", lambda d: "", ["not JSON"]),
    ("a json list", lambda d: "[1, 2, 3]", ["not a Patron export"]),
    ("json but not an export", lambda d: json.dumps({"people": []}), ["not a Patron export"]),
    ("another version", lambda d: _with(d, lambda x: _set(x, "version", 99)), ["version", "99"]),
    ("another schema", lambda d: _with(d, lambda x: _set(x, "schema", "9999")), ["9999"]),
    ("no tables", lambda d: _with(d, lambda x: x.pop("tables")), ["tables"]),
    ("an unknown table", lambda d: _with(d, lambda x: _set(x["tables"], "spaceship", [])),
     ["unknown table", "spaceship"]),
    ("a table that is no list", lambda d: _with(d, lambda x: _set(x["tables"], "person", {})),
     ["person", "not a list"]),
    ("a record that is no object", lambda d: _with(d, lambda x: x["tables"]["goal"].append(7)),
     ["goal", "record 2", "not an object"]),
    ("an unknown column", lambda d: _with(d, lambda x: _set(x["tables"]["person"][1], "shoe", 42)),
     ["person", "record 2", "unknown column", "shoe"]),
    ("a bad date", lambda d: _with(d, lambda x: _set(x["tables"]["ask"][0], "due_at",
                                                        "2026-13-45")),
     ["ask", "record 1", "due_at", "2026-13-45"]),
    ("a bad day", lambda d: _with(d, lambda x: _set(x["tables"]["milestone"][0], "due_on",
                                                       "someday")),
     ["milestone", "due_on", "someday"]),
    ("a text id", lambda d: _with(d, lambda x: _set(x["tables"]["person"][0], "id", "one")),
     ["person", "id", "one"]),
    ("a missing name", lambda d: _with(d, lambda x: x["tables"]["person"][0].pop("name")),
     ["person", "record 1", "name"]),
    ("criteria that are no list", lambda d: _with(d, lambda x: _set(
        x["tables"]["engagement"][0], "success_criteria", "all of them")),
     ["engagement", "success_criteria"]),
]


@pytest.mark.parametrize(("damage", "words"), [(d[1], d[2]) for d in DAMAGE],
                         ids=[d[0] for d in DAMAGE])
def test_restore_of_a_damaged_file_changes_nothing(
        document: dict[str, Any], empty: Patron, tmp_path: Path,
        damage: Callable[[dict[str, Any]], str], words: list[str]) -> None:
    source = tmp_path / "damaged.json"
    source.write_text(damage(document), encoding="utf-8")
    fails(empty, f"restore {q(str(source))}", 2, str(source), *words)
    assert json.loads(empty.ok("export"))["tables"]["person"] == []


def test_restore_of_a_damaged_file_into_a_new_path_creates_nothing(
        tmp_path: Path, patron: Patron) -> None:
    source = tmp_path / "damaged.json"
    source.write_text("{", encoding="utf-8")
    clean_failure(run(patron, f"restore {q(str(source))}"), 2, "not JSON")
    assert not Path(patron.db).exists()


def test_restore_of_a_missing_file(empty: Patron, tmp_path: Path) -> None:
    fails(empty, f"restore {q(str(tmp_path / 'nope.json'))}", 2, "nope.json", "no such file")


def test_restore_of_standard_input_that_is_not_json(empty: Patron) -> None:
    clean_failure(empty("restore", "-", input="garbage"), 2, "standard input", "not JSON")


def test_restore_into_a_database_that_is_not_empty(world: Patron, document: dict[str, Any],
                                                   tmp_path: Path) -> None:
    source = tmp_path / "backup.json"
    source.write_text(json.dumps(document), encoding="utf-8")
    fails(world, f"restore {q(str(source))}", 5, "empty")
    assert names(world, "person") == ["Helen Brandt", "Victor Lang"]


def test_restore_into_a_database_with_one_goal(document: dict[str, Any], empty: Patron,
                                               tmp_path: Path) -> None:
    empty.ok("goal add 'Only goal'")
    source = tmp_path / "backup.json"
    source.write_text(json.dumps(document), encoding="utf-8")
    fails(empty, f"restore {q(str(source))}", 5, "empty", "goal")
    assert names(empty, "goal", "title") == ["Only goal"]


DOUBLED = [
    ("person", lambda x: x["tables"]["person"].append(dict(x["tables"]["person"][0]))),
    ("organisation", lambda x: x["tables"]["organisation"].append(
        dict(x["tables"]["organisation"][0], id=77))),
]


@pytest.mark.parametrize(("table", "change"), DOUBLED, ids=["same id", "same unique name"])
def test_a_restore_that_fails_in_the_database_keeps_nothing(
        document: dict[str, Any], empty: Patron, tmp_path: Path, table: str,
        change: Callable[[dict[str, Any]], Any]) -> None:
    """Each row passes the checks alone; two of them only clash inside the database."""
    source = tmp_path / "doubled.json"
    source.write_text(_with(document, change), encoding="utf-8")
    result = run(empty, f"restore {q(str(source))}")
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    assert all(rows == [] for rows in json.loads(empty.ok("export"))["tables"].values())


@pytest.mark.parametrize(("table", "change"), DOUBLED, ids=["same id", "same unique name"])
def test_a_restore_with_clashing_records_names_the_file(
        document: dict[str, Any], empty: Patron, tmp_path: Path, table: str,
        change: Callable[[dict[str, Any]], Any]) -> None:
    source = tmp_path / "doubled.json"
    source.write_text(_with(document, change), encoding="utf-8")
    message = fails(empty, f"restore {q(str(source))}", 2, str(source), table)
    assert "constraint" not in message


def test_restore_of_a_dangling_reference_names_the_file(
        document: dict[str, Any], empty: Patron, tmp_path: Path) -> None:
    source = tmp_path / "dangling.json"
    source.write_text(_with(document, lambda x: _set(
        x["tables"]["ask_dependency"][0], "depends_on_id", 99)), encoding="utf-8")
    fails(empty, f"restore {q(str(source))}", 2, str(source), "ask_dependency",
          "depends_on_id 99", "refers to no ask")


def test_restore_of_a_dangling_reference_keeps_nothing(
        document: dict[str, Any], empty: Patron, tmp_path: Path) -> None:
    source = tmp_path / "dangling.json"
    source.write_text(_with(document, lambda x: _set(
        x["tables"]["ask_dependency"][0], "depends_on_id", 99)), encoding="utf-8")
    result = run(empty, f"restore {q(str(source))}")
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert all(rows == [] for rows in json.loads(empty.ok("export"))["tables"].values())


# --- the database ----------------------------------------------------------------------------


def bare(*args: str, env: dict[str, str] | None = None) -> Result:
    """``patron`` without the fixture's --db."""
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=True)


@pytest.mark.parametrize("command", ["person list", "ask show 1", "overview", "export",
                                     "person remove 1 --yes"])
def test_a_missing_database_for_a_read_command(command: str, tmp_path: Path) -> None:
    clean_failure(bare("--db", "/nonexistent/x.sqlite", *shlex.split(command)), 6,
                  "no database", "/nonexistent/x.sqlite")
    missing = tmp_path / "nothing" / "here.sqlite"
    clean_failure(bare("--db", str(missing), *shlex.split(command)), 6, "no database")
    assert not missing.parent.exists()


@pytest.mark.parametrize("command", ["person list", "person add X", "export", "overview"])
def test_a_file_that_is_not_a_database(command: str, tmp_path: Path) -> None:
    notes = tmp_path / "notes.sqlite"
    notes.write_text("my precious notes\n", encoding="utf-8")
    clean_failure(bare("--db", str(notes), *shlex.split(command)), 6, "not a Patron database", str(notes))
    assert notes.read_text(encoding="utf-8") == "my precious notes\n"


def test_a_sqlite_file_of_something_else(tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE recipes (name TEXT)")
        conn.execute("INSERT INTO recipes VALUES ('soup')")
    conn.close()
    for command in (["person", "list"], ["person", "add", "X"]):
        clean_failure(bare("--db", str(other), *command), 6, "not a Patron database")
    with sqlite3.connect(other) as conn:
        assert conn.execute("SELECT name FROM sqlite_master").fetchall() == [("recipes",)]
    conn.close()


def test_a_database_from_a_newer_patron(patron: Patron) -> None:
    patron.ok("person add Helen")
    with sqlite3.connect(patron.db) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.close()
    clean_failure(run(patron, "person list"), 6, "newer", "9999")
    clean_failure(run(patron, "person add Victor"), 6, "newer")
    with sqlite3.connect(patron.db) as conn:
        assert conn.execute("SELECT name FROM person").fetchall() == [("Helen",)]
    conn.close()


@pytest.mark.parametrize("command", ["person list", "person add X"])
def test_a_folder_given_as_database(command: str, tmp_path: Path) -> None:
    folder = tmp_path / "a-folder"
    folder.mkdir()
    clean_failure(bare("--db", str(folder), *shlex.split(command)), 6, "folder", str(folder))
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize(("url", "words"), [("nosuch://x", ["nosuch://x"]),
                                            ("postgresql+psycopg://u:secret@127.0.0.1:1/x",
                                             ["127.0.0.1"])])
def test_a_database_url_that_cannot_be_used(url: str, words: list[str]) -> None:
    message = clean_failure(bare("--db", url, "person", "list"), 6, *words)
    assert "secret" not in message


def test_export_to_a_file_in_a_missing_folder(world: Patron, tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "folder" / "backup.json"
    result = run(world, f"export -o {q(str(target))}")
    assert result.exit_code != 0
    assert "Traceback" not in result.output


def test_the_demo_refuses_the_users_own_register(world: Patron) -> None:
    fails(world, f"demo --path {q(world.db)}", 2, "own register")


# --- the settings file --------------------------------------------------------------------

BAD_SETTINGS = [
    ("invalid toml", "this is = = not toml\n", ["not valid TOML"]),
    ("unknown key", "[cadence]\nsponsr = 3\n", ["unknown setting", "cadence.sponsr"]),
    ("unknown top-level key", "loose = 1\n", ["unknown setting", "loose"]),
    ("wrong type", '[overview]\nasks = "ten"\n', ["overview.asks", "whole number", "ten"]),
    ("wrong list", "[me]\nemails = [1, 2]\n", ["me.emails", "list of text"]),
    ("a bool for a number", "[cadence]\nsponsor = true\n", ["cadence.sponsor"]),
    ("negative", "[cadence]\nsponsor = -3\n", ["cadence.sponsor", "negative"]),
    ("not utf-8", b"\xff\xfe[me]\n", ["settings file"]),
]


@pytest.fixture(params=BAD_SETTINGS, ids=[b[0] for b in BAD_SETTINGS])
def bad_settings(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Path, list[str]]:
    _, content, words = request.param
    path = tmp_path / "settings.toml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path, words


@pytest.mark.parametrize("command", ["config show", "config show --json", "overview"])
def test_bad_settings_given_with_config(world: Patron, bad_settings: tuple[Path, list[str]],
                                        command: str) -> None:
    path, words = bad_settings
    fails(world, f"--config {q(str(path))} {command}", 2, str(path), *words)


def test_bad_settings_given_with_the_environment(
        world: Patron, bad_settings: tuple[Path, list[str]],
        monkeypatch: pytest.MonkeyPatch) -> None:
    path, words = bad_settings
    monkeypatch.setenv("PATRON_CONFIG", str(path))
    fails(world, "config show", 2, str(path), *words)
    fails(world, "overview", 2, str(path), *words)


def test_bad_settings_when_the_settings_choose_the_database(
        bad_settings: tuple[Path, list[str]]) -> None:
    path, words = bad_settings
    clean_failure(bare("--config", str(path), "person", "list"), 2, str(path), *words)
    clean_failure(bare("person", "add", "X", env={"PATRON_CONFIG": str(path)}), 2, str(path))


def test_a_folder_given_as_settings_file(tmp_path: Path, world: Patron) -> None:
    usage_failure(run(world, f"--config {q(str(tmp_path))} config show"), "--config",
                  "directory")


# --- --debug -------------------------------------------------------------------------------


def test_debug_lets_the_exception_through(world: Patron) -> None:
    quiet = run(world, "person show Nobody")
    clean_failure(quiet, 3, "Nobody")

    loud = run(world, "--debug person show Nobody")
    assert isinstance(loud.exception, NotFound)
    assert loud.exit_code != 0


def _script(*args: str) -> subprocess.CompletedProcess[str]:
    """``patron`` as a separate process, as a shell runs it."""
    return subprocess.run(
        [sys.executable, "-c", "from patron.cli.main import run; run()", *args],
        capture_output=True, text=True, timeout=120, env=dict(os.environ),
    )


def test_debug_shows_the_traceback_in_a_real_process(world: Patron) -> None:
    quiet = _script("--db", world.db, "person", "show", "Nobody")
    assert quiet.returncode == 3
    assert quiet.stderr.strip() == \
        "patron: no person called 'Nobody' (see 'patron person list')"

    loud = _script("--debug", "--db", world.db, "person", "show", "Nobody")
    assert loud.returncode != 0
    assert "Traceback" in loud.stderr and "NotFound" in loud.stderr


def test_a_reader_that_goes_away_is_not_an_error(patron: Patron, tmp_path: Path) -> None:
    demo = tmp_path / "demo.sqlite"
    patron.ok(f"demo --path {q(str(demo))} --json")
    read_end, write_end = os.pipe()
    # A one-page pipe: the ~50 kB table cannot fit, so the writer is still writing when
    # the reader goes away, as with '| head -1'.
    fcntl.fcntl(read_end, fcntl.F_SETPIPE_SZ, 4096)
    process = subprocess.Popen(
        [sys.executable, "-c", "from patron.cli.main import run; run()",
         "--db", str(demo), "interaction", "list"],
        stdout=write_end, stderr=subprocess.PIPE, env=dict(os.environ),
    )
    os.close(write_end)
    assert os.read(read_end, 3) == b"id\t"
    os.close(read_end)
    _, stderr = process.communicate(timeout=120)
    # run() means to exit 0 here; click's own EPIPE handling exits 1: either is fine.
    assert process.returncode in (0, 1), stderr
    assert stderr == b""


# --- odd but legal input is kept exactly -------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["Robert'); DROP TABLE person;--", "50% off", "under_score", "O'Brien", "-dash",
     "名前 テスト", "x" * 300],
)
def test_odd_names_are_stored_as_typed(patron: Patron, name: str) -> None:
    record = json.loads(patron.ok(f"person add --json -- {q(name)}"))
    assert record["name"] == name
    assert json.loads(patron.ok(f"person show {record['id']} --json"))["name"] == name
    assert names(patron, "person") == [name]


@pytest.mark.parametrize(("name", "typed"), [("Zoë Ødegård", "ødegård"),
                                             ("Émile Zola", "émile")])
def test_non_ascii_names_are_found_case_insensitively(patron: Patron, name: str,
                                                      typed: str) -> None:
    patron.ok(f"person add {q(name)}")
    assert json.loads(patron.ok(f"person show {q(typed)} --json"))["name"] == name
