"""Text that one backend cannot store is cleaned at the door, the same way on both: a NUL
character typed, imported or restored never reaches the tables, so what SQLite holds
PostgreSQL can hold too."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from tests.conftest import Patron


def test_a_nul_typed_on_the_command_line_is_dropped(db_url: str) -> None:
    patron = Patron(db_url, CliRunner())
    patron.ok("person add 'Helen\x00 Brandt' --email helen@meridian.example")
    patron.ok("ask add 'Send the\x00 plan' --from Helen --tag 'q\x004'")
    asks = json.loads(patron.ok("ask list --json"))
    assert asks[0]["title"] == "Send the plan"
    assert asks[0]["requester"] == "Helen Brandt"
    assert asks[0]["tags"] == ["q\x004"]  # JSON values keep their text: both backends store it


def test_a_nul_in_todotxt_imports_alike_on_both_backends(db_url: str, tmp_path: Path) -> None:
    todo = tmp_path / "todo.txt"
    todo.write_text("(A) Draft the\x00 board pack +Ledger @office\nx 2026-11-02 Book the\x00 room\n",
                    encoding="utf-8")
    patron = Patron(db_url, CliRunner())
    patron.ok(f"import todotxt {todo}")
    titles = sorted(ask["title"] for ask in json.loads(patron.ok("ask list --json")))
    assert titles == ["Book the room", "Draft the board pack"]
    assert "Imported: 0 created" in patron.ok(f"import todotxt {todo}")
