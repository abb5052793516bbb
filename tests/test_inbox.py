"""The inbox: asks and promises found in mail wait as suggestions until the user accepts,
edits or rejects them; nothing found in mail is an ask before that."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime

import pytest
from click.testing import CliRunner
from sqlalchemy import Connection, func, select

from patron.domain.records import ENGAGEMENT, INTERACTION, PERSON, STAKEHOLDER
from patron.services import inbox, records
from patron.store import schema
from patron.store.database import Store, open_store
from tests.conftest import NOW, Patron

WRITTEN = datetime(2026, 11, 18, 9, 30)  # a Wednesday
ASKING = """Hi,

Could you send me the Q3 figures by Friday? What is the status of the audit?
I will call you tomorrow.

Thanks,
Helen

-----Original Message-----
From: Me
Sent: Monday
Can you also review the deck?
"""
PROMISING = "Victor,\n\nI'll send the reconciliation plan by Monday. Can you check the totals?\n"
QUOTED_ONLY = "Fine by me.\n\n> Could you send me the Q3 figures by Friday?\n> I will call you.\n"


@pytest.fixture
def register(store: Store) -> Iterator[Store]:
    """Helen (sponsor of Ledger) and Victor, and one mail interaction with each."""
    with store.begin() as conn:
        ledger = records.add(conn, ENGAGEMENT, {"name": "Ledger"}, NOW)
        for name in ("Helen", "Victor"):
            person = records.add(conn, PERSON, {"name": name}, NOW)
            records.add(conn, STAKEHOLDER, {"person_id": person, "engagement_id": ledger,
                                            "role": "sponsor" if name == "Helen" else "manager"}, NOW)
            records.add(conn, INTERACTION, {"summary": f"Mail with {name}", "kind": "mail",
                                            "occurred_at": WRITTEN, "participants": [person]}, NOW)
    yield store


def _suggest(conn: Connection, text: str, source: str, *, from_me: bool = False,
             to_me: bool = True, engagement: int | None = None) -> int:
    helen, victor = _id(conn, "person", "Helen"), _id(conn, "person", "Victor")
    return inbox.suggest(conn, interaction_id=1, text=text, written_at=WRITTEN,
                         sender_id=victor if from_me else helen,
                         recipient_ids=[helen] if from_me else [victor], from_me=from_me,
                         addressed_to_me=to_me, engagement_id=engagement, source=source)


def _id(conn: Connection, table: str, name: str) -> int:
    t = schema.metadata.tables[table]
    return int(conn.execute(select(t.c.id).where(t.c.name == name)).scalar_one())


def _count(conn: Connection, table: str) -> int:
    return int(conn.execute(select(func.count()).select_from(schema.metadata.tables[table])).scalar_one())


def test_requests_to_me_become_pending_suggestions_from_the_sender(register: Store) -> None:
    with register.begin() as conn:
        assert _suggest(conn, ASKING, "imap:me@host/INBOX/41") == 2
        found = inbox.pending(conn)
        assert _count(conn, "ask") == 0  # a suggestion is not an ask
    assert [(s.kind, s.person, s.engagement) for s in found] == [
        ("request-action", "Helen", "Ledger"), ("request-information", "Helen", "Ledger")]
    send = found[0]
    assert send.title == "Send me the Q3 figures"
    assert send.due_at == datetime(2026, 11, 20)
    assert send.found_at == WRITTEN and send.interaction_id == 1
    assert send.source == "imap:me@host/INBOX/41#1"
    assert all("review the deck" not in s.sentence for s in found)  # quoted: not hers to ask


def test_suggesting_the_same_message_twice_adds_nothing(register: Store) -> None:
    with register.begin() as conn:
        assert _suggest(conn, ASKING, "mbox:a#1") == 2
        inbox.reject(conn, [inbox.pending(conn)[0].id])
        assert _suggest(conn, ASKING, "mbox:a#1") == 0  # not even the rejected one again
        assert _count(conn, "suggestion") == 2


def test_promises_in_mail_i_sent_are_suggested_for_the_first_recipient(register: Store) -> None:
    with register.begin() as conn:
        assert _suggest(conn, PROMISING, "mbox:sent/7", from_me=True) == 1  # my question is not an ask
        (promise,) = inbox.pending(conn)
    assert (promise.kind, promise.person, promise.title) == (
        "commitment", "Helen", "Send the reconciliation plan")
    assert promise.due_at == datetime(2026, 11, 23)


def test_mail_not_addressed_to_me_and_quoted_asks_suggest_nothing(register: Store) -> None:
    with register.begin() as conn:
        assert _suggest(conn, ASKING, "mbox:cc/1", to_me=False) == 0
        assert _suggest(conn, QUOTED_ONLY, "mbox:in/2") == 0
        assert _count(conn, "suggestion") == 0


def test_a_batch_is_suggested_as_one_message_after_another(register: Store) -> None:
    """The mail import tells the inbox of a whole batch at once (``suggest_all``): what it
    suggests, and in which order, is what ``suggest`` gives one message at a time."""
    def made(one_by_one: bool) -> list[dict[str, object]]:
        with register.engine.connect() as conn, conn.begin() as transaction:
            helen, victor = _id(conn, "person", "Helen"), _id(conn, "person", "Victor")
            ledger = _id(conn, "engagement", "Ledger")
            _suggest(conn, ASKING, "mbox:a/1")  # made before: not again
            written = [
                inbox.Written(1, ASKING, WRITTEN, helen, [victor], False, True, None, "mbox:a/1"),
                inbox.Written(2, ASKING, WRITTEN, victor, [helen], False, True, None, "mbox:a/2"),
                inbox.Written(2, PROMISING, WRITTEN, victor, [helen], True, False, None, "mbox:a/3"),
                inbox.Written(1, ASKING, WRITTEN, helen, [victor], False, False, None, "mbox:a/4"),
                inbox.Written(2, ASKING, WRITTEN, None, [victor], False, True, ledger, "mbox:a/5"),
                inbox.Written(1, ASKING, WRITTEN, helen, [], False, True, None, "mbox:a/6", found=()),
                inbox.Written(2, ASKING, WRITTEN, victor, [helen], False, True, None, "mbox:a/2"),
            ]
            if one_by_one:
                for w in written:
                    inbox.suggest(conn, w.interaction_id, w.text, w.written_at, w.sender_id,
                                  w.recipient_ids, w.from_me, w.addressed_to_me, w.engagement_id,
                                  w.source, found=w.found)
            else:
                inbox.suggest_all(conn, written)
            s = schema.suggestion
            rows = [{k: v for k, v in r.items() if k != "id"}  # a rolled-back sequence goes on
                    for r in conn.execute(select(s).order_by(s.c.id)).mappings()]
            transaction.rollback()
        return rows

    batch = made(one_by_one=False)
    assert len(batch) == 2 + 2 + 1 + 2  # the two made before, then a/2, a/3 and a/5
    assert {r["engagement_id"] for r in batch} == {_ledger(register)}
    assert batch == made(one_by_one=True)


def _ledger(store: Store) -> int:
    with store.read() as conn:
        return _id(conn, "engagement", "Ledger")


def test_accepting_makes_an_ask_with_the_message_as_its_source(register: Store) -> None:
    with register.begin() as conn:
        _suggest(conn, ASKING, "imap:me@host/INBOX/41")
        first = inbox.pending(conn)[0]
        ask_id = inbox.accept(conn, first.id, NOW)
        ask = records.get(conn, records.BY_KIND["ask"], ask_id)
        again = inbox.listing(conn, everything=True)[0]
    assert (ask["title"], ask["requester_id"], ask["due_at"]) == (
        "Send me the Q3 figures", first.person_id, datetime(2026, 11, 20))
    assert ask["engagement_id"] == first.engagement_id and ask["status"] == "open"
    assert ask["created_at"] == WRITTEN and ask["source"] == "imap:me@host/INBOX/41"
    assert (again.status, again.ask_id) == ("accepted", ask_id)


@pytest.fixture
def cli(register: Store, db_url: str) -> Patron:
    with register.begin() as conn:
        _suggest(conn, ASKING, "mbox:in/1")
        _suggest(conn, PROMISING, "mbox:sent/2", from_me=True)
    return Patron(db_url, CliRunner())


def test_a_pending_suggestion_is_not_ranked_until_accepted(cli: Patron) -> None:
    assert "Q3 figures" not in cli.ok("next")
    listed = cli.ok("inbox")
    assert "Send me the Q3 figures" in listed and "Helen" in listed and "2026-11-20" in listed
    assert cli.ok("inbox accept 1") == "Accepted #1 as ask #1\n"
    assert "Send me the Q3 figures" in cli.ok("next")
    assert "Send me the Q3 figures" not in cli.ok("inbox")


def test_accept_with_changes_and_a_commitment(cli: Patron) -> None:
    cli.ok("person add Grace")
    out = cli.ok('inbox accept 1 --title "Send the Q3 figures" --due monday --from Grace')
    assert out == "Accepted #1 as ask #1\n"
    ask = json.loads(cli.ok("ask show 1 --json"))
    assert ask["title"] == "Send the Q3 figures" and ask["due_at"] == "2026-11-23T00:00:00"
    assert "Grace" in cli.ok("ask list")
    # both were found in one message (interaction 1): the promise answers its open ask
    assert cli.ok("inbox accept 3") == (
        "Accepted #3 as commitment #1, about ask #1 'Send the Q3 figures'\n")
    promise = json.loads(cli.ok("commitment show 1 --json"))
    assert promise["title"] == "Send the reconciliation plan"
    assert promise["made_at"] == WRITTEN.isoformat() and promise["due_at"] == "2026-11-23T00:00:00"


def test_edit_then_reject_and_show_all(cli: Patron) -> None:
    cli.ok('inbox edit 2 --title "Tell Helen where the audit stands" --due friday -e Ledger')
    pending = {s["id"]: s for s in json.loads(cli.ok("inbox --json"))}
    assert pending[2]["title"] == "Tell Helen where the audit stands"
    assert pending[2]["due_at"] == "2026-11-27T00:00:00"  # friday after NOW, a Friday
    assert cli.ok("inbox reject 2 3") == "Rejected 2 suggestions\n"
    assert [s["id"] for s in json.loads(cli.ok("inbox --json"))] == [1]
    everything = json.loads(cli.ok("inbox --all --json"))
    assert {s["id"]: s["status"] for s in everything} == {1: "pending", 2: "rejected", 3: "rejected"}
    assert "rejected" in cli.ok("inbox --all")


def test_what_cannot_be_done_fails_with_one_line(cli: Patron) -> None:
    cli.ok("inbox reject 2")
    assert "already rejected" in cli.fails("inbox accept 2", 5)
    assert "no suggestion #99" in cli.fails("inbox accept 99", 3)
    assert "cannot be empty" in cli.fails('inbox edit 1 --title " "', 2)
    assert "Nobody" in cli.fails("inbox edit 1 --from Nobody", 3)
    assert cli.fails("inbox accept", 2)
    assert json.loads(cli.ok("inbox --json"))[0]["title"] == "Send me the Q3 figures"  # unchanged


def test_detect_reads_standard_input(patron: Patron) -> None:
    found = json.loads(patron.ok("detect --json --at 2026-11-18", input=ASKING))
    assert [f["kind"] for f in found] == ["request-action", "request-information", "commitment"]
    assert found[0]["due_at"] == "2026-11-20T00:00:00" and found[2]["due_at"] == "2026-11-19T00:00:00"
    table = patron.ok("detect", input=ASKING)
    assert table.splitlines()[0] == "kind\tdue\ttitle\tsentence"
    assert patron.ok("detect", input="Nothing here.\n") == "No requests or promises found.\n"


def test_the_inbox_of_a_register_that_does_not_exist_is_not_created(patron: Patron) -> None:
    patron.fails("inbox")
    assert patron.fails("inbox accept 1", 3)


def test_opening_the_register_again_keeps_the_suggestions(register: Store, db_url: str) -> None:
    with register.begin() as conn:
        _suggest(conn, ASKING, "mbox:in/1")
    again = open_store(db_url)
    try:
        with again.read() as conn:
            assert len(inbox.pending(conn)) == 2
    finally:
        again.close()


def test_an_id_beyond_any_column_is_no_suggestion(patron: Patron) -> None:
    for ident in (-(2**63) - 1, 2**63):
        assert f"no suggestion #{ident}" in patron.fails(f"inbox reject -- {ident}", 3)
