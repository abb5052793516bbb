"""``patron done ASK...`` and ``patron ask done``: asks dealt with leave ``next``."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from tests.conftest import Patron


@pytest.fixture
def asks(db_url: str) -> Patron:
    cli = Patron(db_url, CliRunner())
    cli.ok("engagement add Ledger --kind client")
    cli.ok("person add Helen")
    for title in ("Send the plan", "Send the figures", "Book the room", "Review the deck"):
        cli.ok(f'ask add "{title}" --from Helen -e Ledger')
    return cli


def _status(cli: Patron, ident: int) -> tuple[str, str | None]:
    ask = json.loads(cli.ok(f"ask show {ident} --json"))
    return ask["status"], ask["done_at"]


def test_done_by_id_takes_the_ask_out_of_next(asks: Patron) -> None:
    assert "Book the room" in asks.ok("next")
    assert asks.ok("done 3") == "Ask #3 done: Book the room\n"
    assert _status(asks, 3) == ("done", "2026-11-20T10:00:00")
    shown = asks.ok("next")
    assert "Book the room" not in shown and "Send the plan" in shown


def test_an_ambiguous_name_lists_the_candidates_and_changes_nothing(asks: Patron) -> None:
    err = asks.fails("done Send", code=4)
    assert "Send the plan (#1)" in err and "Send the figures (#2)" in err
    assert err.count("\n") == 1
    assert asks.fails('done 3 "Send"', code=4)  # one bad name: not even #3 is done
    assert [_status(asks, i)[0] for i in (1, 2, 3)] == ["open", "open", "open"]


def test_several_at_once_with_a_time_and_json(asks: Patron) -> None:
    done = json.loads(asks.ok('done "the plan" Review --at "yesterday 17:00" --json'))
    assert [(d["id"], d["done_at"], d["already"]) for d in done] == [
        (1, "2026-11-19T17:00:00", False), (4, "2026-11-19T17:00:00", False)]


def test_ask_done_is_the_same_and_done_twice_says_so(asks: Patron) -> None:
    assert asks.ok("ask done figures") == "Ask #2 done: Send the figures\n"
    again = asks.ok("done 2")
    assert again == "Ask #2 was already done (on 2026-11-20 10:00): Send the figures\n"
    assert _status(asks, 2) == ("done", "2026-11-20T10:00:00")


def test_an_unknown_ask_is_one_line(asks: Patron) -> None:
    err = asks.fails("done 99", code=3)
    assert err == "patron: no ask with id 99\n"
