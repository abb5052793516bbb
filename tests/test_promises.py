"""Promises tied to the asks they answer: ``promise --ask``, promises accepted from the
inbox, ``next`` ranking a promised ask (and listing loose promises apart), and ``kept``
offering to close the ask."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from click.testing import CliRunner

from patron.domain.records import ENGAGEMENT, INTERACTION, PERSON, STAKEHOLDER
from patron.services import inbox, records
from patron.store import schema
from patron.store.database import Store
from tests.conftest import NOW, Patron

ASKED = datetime(2026, 11, 18, 9, 30)


@pytest.fixture
def cli(db_url: str) -> Patron:
    cli = Patron(db_url, CliRunner())
    cli.ok("engagement add Ledger --kind client --status active")
    cli.ok("person add Helen")
    cli.ok("person add Victor")
    cli.ok("stakeholder add Helen Ledger --role sponsor")
    cli.ok('ask add "Send the reconciliation plan" --from Helen -e Ledger')
    cli.ok('ask add "Review the deck" --from Victor -e Ledger')
    return cli


def _ask(cli: Patron, ident: int) -> dict[str, object]:
    return dict(json.loads(cli.ok(f"ask show {ident} --json")))


def _promise(cli: Patron, ident: int) -> dict[str, object]:
    return dict(json.loads(cli.ok(f"commitment show {ident} --json")))


def _term(cli: Patron, ask: int, term: str) -> float:
    rows = json.loads(cli.ok(f"why {ask} --json"))["breakdown"]
    return float(next(r["contribution"] for r in rows if r["term"] == term))


def test_promise_ask_ties_it_and_takes_person_and_engagement_from_the_ask(cli: Patron) -> None:
    assert _term(cli, 1, "commitment") == 0
    assert cli.ok('promise "Plan by Monday" --ask reconciliation --due monday') == (
        "Promised #1: Plan by Monday\n")
    promise = _promise(cli, 1)
    assert (promise["ask"], promise["promisee"], promise["engagement"]) == (
        "Send the reconciliation plan", "Helen", "Ledger")
    assert _term(cli, 1, "commitment") > 0  # next ranks the ask with the promise
    shown = cli.ok("next")
    assert "Send the reconciliation plan" in shown and "Plan by Monday" not in shown


def test_promise_ask_keeps_a_person_given(cli: Patron) -> None:
    cli.ok('promise "Deck notes" --ask Review --to Helen')
    promise = _promise(cli, 1)
    assert (promise["ask"], promise["promisee"]) == ("Review the deck", "Helen")


def test_kept_close_ask_closes_it_and_broke_never_does(cli: Patron) -> None:
    cli.ok('promise "Plan by Monday" --ask reconciliation')
    cli.ok('promise "Deck notes" --ask Review')
    out = cli.ok("kept 1 --close-ask")
    assert out == "Promise #1 kept\nAsk #1 done: Send the reconciliation plan\n"
    assert _ask(cli, 1)["status"] == "done"
    assert "reconciliation" not in cli.ok("next")
    assert cli.ok("broke 2") == "Promise #2 broken\n"
    assert _ask(cli, 2)["status"] == "open"


def test_kept_without_a_terminal_leaves_the_ask_open_with_a_hint(cli: Patron) -> None:
    cli.ok('promise "Plan by Monday" --ask reconciliation')
    cli.ok('promise "Deck notes" --ask Review')
    assert cli.ok("kept 1") == ("Promise #1 kept\nAsk #1 'Send the reconciliation plan' stays "
                                "open: 'patron done 1' closes it.\n")
    assert cli.ok("kept 2 --keep-ask-open") == (
        "Promise #2 kept\nAsk #2 'Review the deck' stays open: 'patron done 2' closes it.\n")
    assert [_ask(cli, i)["status"] for i in (1, 2)] == ["open", "open"]


def test_kept_about_no_ask_or_a_done_ask_asks_nothing(cli: Patron) -> None:
    cli.ok('promise "Call back" --to Helen')
    cli.ok('promise "Deck notes" --ask Review')
    cli.ok("done Review")
    assert cli.ok("kept 1 --close-ask") == "Promise #1 kept\n"
    assert cli.ok("kept 2") == "Promise #2 kept\n"


def test_kept_on_a_terminal_offers_to_close_the_ask(cli: Patron, monkeypatch: pytest.MonkeyPatch
                                                   ) -> None:
    monkeypatch.setattr("patron.cli.relationships.stdin_is_terminal", lambda: True)
    cli.ok('promise "Plan by Monday" --ask reconciliation')
    cli.ok('promise "Deck notes" --ask Review')
    out = cli.ok("kept 1", input="\n")
    assert "Mark the ask 'Send the reconciliation plan' done too? [Y/n]" in out
    assert _ask(cli, 1)["status"] == "done"
    cli.ok("kept 2", input="n\n")
    assert _ask(cli, 2)["status"] == "open"


def test_next_lists_promises_about_no_ask_apart_and_unscored(cli: Patron) -> None:
    cli.ok('promise "Call Helen back" --to Helen --due monday')
    cli.ok('promise "Someday maybe" --to Helen --due 2027-06-01')
    cli.ok('promise "Plan by Monday" --ask reconciliation --due monday')
    shown = cli.ok("next")
    loose = shown[shown.index("promise about no ask"):]
    assert "Call Helen back" in loose and "2026-11-23" in loose
    assert "Someday maybe" not in shown  # beyond the due horizon
    assert "Plan by Monday" not in shown  # it lifts its ask instead
    assert "Call Helen back" not in cli.ok("next --json")  # the JSON stays the ranked asks
    cli.ok("engagement add Fennel")
    assert "Call Helen back" not in cli.ok("next -e Fennel")


# --- the inbox ----------------------------------------------------------------------------------


@pytest.fixture
def mail(store: Store, db_url: str) -> Patron:
    """Helen asks in one message; Sam (you) answers in the same thread."""
    with store.begin() as conn:
        ledger = records.add(conn, ENGAGEMENT, {"name": "Ledger"}, NOW)
        helen = records.add(conn, PERSON, {"name": "Helen"}, NOW)
        victor = records.add(conn, PERSON, {"name": "Victor"}, NOW)
        for person, role in ((helen, "sponsor"), (victor, "manager")):
            records.add(conn, STAKEHOLDER, {"person_id": person, "engagement_id": ledger,
                                            "role": role}, NOW)
        for summary, source in (("Q3", "mid:<a@x>"), ("Re: Q3", "mid:<b@x>"),
                                ("Other", "mid:<c@x>")):
            records.add(conn, INTERACTION, {"summary": summary, "kind": "mail",
                                            "occurred_at": ASKED, "participants": [helen],
                                            "source": source}, NOW)
        i = schema.interaction
        conn.execute(i.update().values(thread="mid:<a@x>").where(i.c.id.in_([1, 2])))
        conn.execute(i.update().values(thread="mid:<c@x>").where(i.c.id == 3))
        inbox.suggest(conn, 1, "Could you send me the Q3 figures by Friday?", ASKED, helen,
                      [victor], False, True, None, "mid:<a@x>")
        inbox.suggest(conn, 2, "Helen,\n\nI'll send the Q3 figures by Friday.\n", ASKED, victor,
                      [helen], True, False, None, "mid:<b@x>")
    return Patron(db_url, CliRunner())


def test_accepting_a_promise_from_the_thread_of_an_ask_ties_them(mail: Patron) -> None:
    assert [s["kind"] for s in json.loads(mail.ok("inbox --json"))] == [
        "request-action", "commitment"]
    assert mail.ok("inbox accept 1") == "Accepted #1 as ask #1\n"
    mail.ok('ask add "Unrelated" --from Helen -e Ledger')  # Helen's second open ask
    assert mail.ok("inbox accept 2") == (
        "Accepted #2 as commitment #1, about ask #1 'Send me the Q3 figures'\n")
    assert _promise(mail, 1)["ask"] == "Send me the Q3 figures"
    assert _term(mail, 1, "commitment") > 0 and _term(mail, 2, "commitment") == 0
    shown = mail.ok("next")
    assert "Send me the Q3 figures" in shown and "about no ask" not in shown


def test_with_no_ask_in_the_thread_the_persons_one_open_ask_is_taken(mail: Patron) -> None:
    mail.ok("inbox reject 1")
    mail.ok('ask add "The audit note" --from Helen -e Ledger')
    assert mail.ok("inbox accept 2").endswith("about ask #1 'The audit note'\n")


def test_two_candidates_and_no_thread_tie_nothing(mail: Patron) -> None:
    mail.ok("inbox reject 1")
    mail.ok('ask add "The audit note" --from Helen -e Ledger')
    mail.ok('ask add "The board pack" --from Helen -e Ledger')
    assert mail.ok("inbox accept 2") == "Accepted #2 as commitment #1\n"
    assert _promise(mail, 1)["ask"] is None


def test_the_inbox_narrows_to_one_engagement(mail: Patron) -> None:
    mail.ok("engagement add Fennel")
    assert len(json.loads(mail.ok("inbox -e Ledger --json"))) == 2
    assert mail.ok("inbox -e Fennel") == "Nothing waiting in the inbox.\n"
