"""todo.txt in and out: the mapping, idempotence, done tasks, bad lines, the round trip."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from patron.domain.records import BY_KIND
from patron.importers import todotxt as td
from patron.services import exchange, imports, records
from patron.store.database import open_store
from tests.conftest import NOW, Patron

TODO = """\
(A) 2026-11-01 Call Helen about the board pack +Ledger_migration @phone due:2026-11-25
2026-11-02 Draft the reconciliation plan +Ledger_migration +Audit @desk rec:1w t:2026-11-20
x 2026-11-10 2026-11-01 Send invoice +Admin pri:B
(F) Review the pull request @laptop status:waiting

"""


@pytest.fixture
def world(db_url: str) -> Patron:
    return Patron(db_url, CliRunner())


def write(tmp_path: Path, text: str, name: str = "todo.txt") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def asks(world: Patron) -> dict[str, dict[str, Any]]:
    return {a["title"]: a for a in json.loads(world.ok("ask list --json"))}


def test_the_mapping(world: Patron, tmp_path: Path) -> None:
    world.ok("engagement add 'Ledger migration'")
    assert "4 created" in world.ok(f"import todotxt {write(tmp_path, TODO)}")
    found = asks(world)
    call = found["Call Helen about the board pack"]
    assert call["value"] == 5 and call["engagement"] == "Ledger migration" and call["tags"] == ["phone"]
    assert call["due_at"] == "2026-11-25T00:00:00" and call["created_at"] == "2026-11-01T00:00:00"
    plan = found["Draft the reconciliation plan"]
    assert plan["tags"] == ["+Audit", "desk", "rec:1w", "t:2026-11-20"] and plan["value"] is None
    invoice = found["Send invoice"]
    assert invoice["status"] == "done" and invoice["done_at"] == "2026-11-10T00:00:00"
    assert invoice["value"] == 4 and invoice["engagement"] == "Admin"
    review = found["Review the pull request"]
    assert review["value"] == 1 and review["status"] == "waiting" and review["created_at"] == NOW.isoformat()


def test_second_import_changes_nothing(world: Patron, tmp_path: Path) -> None:
    path = write(tmp_path, TODO)
    world.ok(f"import todotxt {path}")
    before = world.ok("export")
    assert "0 created, 0 updated, 4 unchanged, 0 skipped" in world.ok(f"import todotxt {path}")
    assert world.ok("export") == before


def test_todotxt_done_task_updates_same_ask(world: Patron, tmp_path: Path) -> None:
    world.ok(f"import todotxt {write(tmp_path, TODO)}")
    done = TODO.replace("(A) 2026-11-01 Call Helen", "x 2026-11-21 2026-11-01 Call Helen").replace(
        "@phone", "@phone pri:A")
    assert "0 created, 1 updated, 3 unchanged" in world.ok(f"import todotxt {write(tmp_path, done, 'b')}")
    call = asks(world)["Call Helen about the board pack"]
    assert call["status"] == "done" and call["done_at"] == "2026-11-21T00:00:00" and call["value"] == 5
    assert len(asks(world)) == 4


def test_bad_lines_are_problems_with_file_and_line(world: Patron, tmp_path: Path) -> None:
    path = write(tmp_path, "x 2026-13-45 Bad date\nFine task\ndue:someday Fix this\n(B)\n")
    result = world("import", "todotxt", str(path))
    assert result.exit_code == 0
    assert f"skipped {path}: line 1: '2026-13-45' is not a real date" in result.stderr
    assert f"skipped {path}: line 3: due:someday is not a date" in result.stderr
    assert f"skipped {path}: line 4: a task with no description" in result.stderr
    assert "1 created, 0 updated, 0 unchanged, 3 skipped" in result.stdout


def test_own_export_comes_back_to_the_same_asks(world: Patron, tmp_path: Path) -> None:
    world.ok("ask add 'Board pack' --due 'friday 17:00' --tag board")
    world.ok("ask add 'Old one' --status done")
    world.ok(f"export todotxt -o {tmp_path / 'out.txt'}")
    text = (tmp_path / "out.txt").read_text()
    assert text == ("2026-11-20 Board pack @board due:2026-11-27T17:00\n"
                    "x 2026-11-20 2026-11-20 Old one\n")
    before = world.ok("export")
    assert "0 created, 0 updated, 2 unchanged" in world.ok(f"import todotxt {tmp_path / 'out.txt'}")
    assert world.ok("export") == before


def test_dry_run_changes_nothing(world: Patron, tmp_path: Path) -> None:
    world.ok("person add Someone")
    before = world.ok("export")
    assert "Would import: 4 created" in world.ok(f"import todotxt {write(tmp_path, TODO)} --dry-run")
    assert world.ok("export") == before


def test_a_line_read_and_written() -> None:
    draft = td.read_line("x (A) 2026-11-10 2026-11-01 Pay rent +Home @bank rec:1m h:1")
    assert (draft.status, draft.value, draft.done_on.isoformat() if draft.done_on else None) == (
        "done", 5, "2026-11-10")
    assert draft.title == "Pay rent" and draft.tags == ["bank", "rec:1m", "h:1"]
    assert td.read_line("Visit http://example.org at 10:30").title == "Visit http://example.org at 10:30"


# --- export -> import -> export is the identity --------------------------------------------

word = st.text(st.characters(codec="utf-8", categories=("L", "N")), min_size=2, max_size=8).filter(
    lambda w: w != "x")
tag = st.text(st.characters(codec="utf-8", categories=("L", "N", "P", "S"), exclude_characters="@+"),
              min_size=1, max_size=8)
moments = st.datetimes(min_value=NOW.replace(year=2020), max_value=NOW.replace(year=2030)).map(
    lambda d: d.replace(microsecond=0))
asks_strategy = st.lists(st.fixed_dictionaries({
    "title": st.lists(word, min_size=1, max_size=4).map(" ".join),
    "engagement": st.none() | st.sampled_from(["Ledger migration", "Ops", "Zoë's"]),
    "status": st.sampled_from(["open", "doing", "waiting", "done", "declined"]),
    "value": st.none() | st.integers(0, 5),
    "due_at": st.none() | moments,
    "created_at": moments,
    "tags": st.lists(tag, max_size=3, unique=True),
}), max_size=6)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(asks_strategy)
def test_export_import_export_is_the_identity(drawn: list[dict[str, Any]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        original = open_store(str(Path(folder) / "a.sqlite"))
        with original.begin() as conn:
            for values in drawn:
                engagement = values["engagement"]
                if engagement:
                    engagement = exchange.engagement_named(conn, engagement, NOW)
                ask = {k: v for k, v in values.items() if k != "engagement"}
                records.add(conn, BY_KIND["ask"], {**ask, "engagement_id": engagement}, NOW)
        with original.read() as conn:
            first = exchange.export_todotxt(conn, NOW)
        copy = open_store(str(Path(folder) / "b.sqlite"))
        with copy.begin() as conn:
            outcome = imports.store_all(conn, exchange.todotxt_import(first, "todo.txt", NOW))
        assert not outcome.problems, outcome.problems
        with copy.read() as conn:
            assert exchange.export_todotxt(conn, NOW) == first
        original.close()
        copy.close()
