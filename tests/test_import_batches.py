"""What an import stores does not depend on how many records it writes at a time.

Each importer that batches its writes takes the batch size as a parameter; the same
register and the same input, imported twice (a first import, then one that changes some
records), give the same tables, ids left aside, for batches of 1, 3 and the default.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Column, Connection, select

from patron.importers import ics
from patron.services import imports
from patron.store import schema
from patron.store.database import Store

NOW = datetime(2026, 11, 20, 10, 0)
SIZES = (1, 3)
_SETTINGS = settings(max_examples=25, deadline=None,
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def snapshot(conn: Connection, tables: list[str]) -> dict[str, list[str]]:
    """The rows of these tables without their ids; a reference is shown as the row it names."""
    found: dict[str, list[str]] = {}
    for name in tables:
        table = schema.metadata.tables[name]
        rows = [repr(sorted((k, _label(conn, table.c[k], v)) for k, v in row.items() if k != "id"))
                for row in conn.execute(select(table)).mappings()]
        found[name] = sorted(rows)
    return found


def plain(outcomes: list[Any], *own: str) -> str:
    """Outcomes as text, without ids: PostgreSQL does not give back the ids of a transaction
    rolled back, so the same import names other ones (``ask #12``, the uuid of one of ours)."""
    text = repr(outcomes)
    for word in own:
        text = text.replace(word, "own")
    return re.sub(r"#\d+", "#n", text)


def _label(conn: Connection, column: Column[Any], value: Any) -> Any:
    if value is None or not column.foreign_keys:
        return value
    target = next(iter(column.foreign_keys)).column.table
    row = conn.execute(select(target).where(target.c.id == value)).mappings().one()
    return sorted((k, v) for k, v in row.items()
                  if k != "id" and not target.c[k].foreign_keys and k != "success_criteria")


def _prefill(conn: Connection) -> int:
    """Helen, a stakeholder of Ledger, and a meeting of Patron's own (its id returned)."""
    helen = conn.execute(schema.person.insert().values(name="Helen Brandt")).inserted_primary_key[0]
    conn.execute(schema.person_email.insert().values(address="helen@ledger.example", person_id=helen))
    ledger = conn.execute(schema.engagement.insert().values(
        name="Ledger", kind="client", status="active", success_criteria=[])).inserted_primary_key[0]
    conn.execute(schema.stakeholder.insert().values(
        person_id=helen, engagement_id=ledger, role="sponsor", power=3, interest=3, legitimacy=3,
        urgency=3, stance="neutral", added_on=NOW.date()))
    own = conn.execute(schema.interaction.insert().values(
        summary="Our review", kind="meeting", occurred_at=NOW, direction="both")).inserted_primary_key[0]
    conn.execute(schema.interaction_participant.insert().values(interaction_id=own, person_id=helen,
                                                                role="organiser"))
    return int(own)


# --- iCalendar ------------------------------------------------------------------------------

_ATTENDEES = st.builds(
    ics.Attendee,
    address=st.sampled_from(["helen@ledger.example", "Helen@Ledger.example", "victor@ledger.example",
                             "ana@gmail.com", "me@mine.example", "room@ledger.example", "nobody"]),
    name=st.sampled_from([None, "Helen Brandt", "Victor Kahn", "Ana"]),
    role=st.sampled_from(["organiser", "attendee"]),
    declined=st.booleans(), resource=st.sampled_from([False, False, True]))
_EVENTS = st.lists(st.tuples(
    st.sampled_from(["a", "b", "c", "d", "e", "own"]),
    st.none() | st.sampled_from(["2026-11-20T09:00:00Z", "2026-11-27T09:00:00Z"]),
    st.sampled_from(["Review", "Plan", "Kick-off"]),
    st.sampled_from([NOW - timedelta(days=3), NOW, NOW + timedelta(hours=2)]),
    st.none() | st.just("Agenda"),
    st.lists(_ATTENDEES, max_size=4),
    st.booleans(), st.integers(0, 2), st.booleans(), st.booleans(), st.booleans(),
), max_size=8)


def _drafts(events: list[Any], own: int) -> list[ics.EventDraft]:
    return [ics.EventDraft(uid=f"patron-interaction-{own}@patron" if uid == "own" else uid,
                           summary=summary, start=start, where=f"calendar.ics: event {n}",
                           recurrence=recurrence, notes=notes, people=people,
                           cancelled=cancelled and n % 3 == 0, sequence=sequence,
                           private=private and n % 2 == 0, free=free and n % 4 == 0,
                           from_patron=patron)
            for n, (uid, recurrence, summary, start, notes, people, cancelled, sequence, private, free,
                    patron) in enumerate(events)]


@_SETTINGS
@given(first=_EVENTS, second=_EVENTS)
def test_a_calendar_stores_the_same_whatever_the_batch(store: Store, first: list[Any],
                                                       second: list[Any]) -> None:
    from patron.services.calendar import events_import
    from patron.services.imports import BATCH

    tables = ["interaction", "interaction_participant", "person", "person_email", "organisation",
              "organisation_domain"]
    results = []
    for size in (*SIZES, BATCH):
        with store.engine.connect() as conn, conn.begin() as transaction:
            own = _prefill(conn)
            outcomes = [imports.store_all(conn, replace(events_import(
                ics.reading(_drafts(events, own), []), ["me@mine.example"], NOW, "calendar.ics"),
                batch=size)) for events in (first, second)]
            # a repeating event of ours is a meeting of its own, its source holding our id
            results.append(plain([snapshot(conn, tables), outcomes], f"patron-interaction-{own}@patron"))
            transaction.rollback()
    assert results[1] == results[0]
    assert results[2] == results[0]


# --- task lists -------------------------------------------------------------------------------

_TASK_TABLES = ["ask", "ask_dependency", "engagement", "person", "person_email", "organisation"]


def _own_ask(conn: Connection) -> int:
    """An ask made in Patron (no source): exported and coming back, it is matched."""
    return int(conn.execute(schema.ask.insert().values(
        title="Board pack", status="open", created_at=NOW - timedelta(days=2))).inserted_primary_key[0])


_LINES = st.lists(st.tuples(
    st.sampled_from(["", "x 2026-11-19 ", "x "]), st.sampled_from(["", "(A) ", "(C) ", "(F) "]),
    st.sampled_from(["", "2026-11-18 ", "2026-11-19 "]),
    st.sampled_from(["Board pack", "Send the plan", "Call Helen"]),
    st.sampled_from(["", " +Ledger", " +ledger", " +Big_Bank", " +self", " +Ledger +extra"]),
    st.sampled_from(["", " @phone", " due:2026-12-01", " status:waiting", " due:nonsense"]),
), max_size=8).map(lambda lines: "".join("".join(parts) + "\n" for parts in lines))


@_SETTINGS
@given(first=_LINES, second=_LINES)
def test_a_todotxt_file_stores_the_same_whatever_the_batch(store: Store, first: str,
                                                           second: str) -> None:
    from patron.services.exchange import todotxt_import
    from patron.services.imports import BATCH

    results = []
    for size in (*SIZES, BATCH):
        with store.engine.connect() as conn, conn.begin() as transaction:
            _prefill(conn)
            _own_ask(conn)
            outcomes = [imports.store_all(conn, replace(todotxt_import(text, "todo.txt", NOW), batch=size))
                        for text in (first, second)]
            results.append((snapshot(conn, _TASK_TABLES), plain(outcomes)))
            transaction.rollback()
    assert results[1] == results[0]
    assert results[2] == results[0]


_UUIDS = [f"00000000-0000-4000-8000-00000000000{n}" for n in range(4)]
_TASKS = st.lists(st.fixed_dictionaries({
    "uuid": st.sampled_from([*_UUIDS, "own"]),
    "description": st.sampled_from(["Board pack", "Send the plan", "Call Helen"]),
    "status": st.sampled_from(["pending", "completed", "deleted", "waiting"]),
}, optional={
    "project": st.sampled_from(["Ledger", "ledger", "self", "Big Bank"]),
    "requester": st.sampled_from(["Helen", "helen@ledger.example", "Victor", "Vic"]),
    "priority": st.sampled_from(["H", "M", "L"]),
    "entry": st.sampled_from(["20261118T090000Z", "20261119T090000Z"]),
    "due": st.sampled_from(["20261201T170000Z"]),
    "end": st.sampled_from(["20261119T120000Z"]),
    "depends": st.lists(st.sampled_from(_UUIDS), max_size=2),
    "patron_status": st.sampled_from(["doing", "bogus"]),
    "tags": st.lists(st.sampled_from(["phone", "urgent"]), max_size=2),
}), max_size=7)


@_SETTINGS
@given(first=_TASKS, second=_TASKS)
def test_a_taskwarrior_export_stores_the_same_whatever_the_batch(store: Store, first: list[Any],
                                                                 second: list[Any]) -> None:
    import json

    from patron.importers import taskwarrior as tw
    from patron.services.exchange import taskwarrior_import
    from patron.services.imports import BATCH

    results = []
    for size in (*SIZES, BATCH):
        with store.engine.connect() as conn, conn.begin() as transaction:
            _prefill(conn)
            own = tw.task_uuid(_own_ask(conn), None)
            texts = [json.dumps([{**t, "uuid": own if t["uuid"] == "own" else t["uuid"]} for t in tasks])
                     for tasks in (first, second)]
            outcomes = [imports.store_all(conn, replace(taskwarrior_import(text, "tasks.json", NOW),
                                                        batch=size)) for text in texts]
            results.append((snapshot(conn, _TASK_TABLES), plain(outcomes, own)))
            transaction.rollback()
    assert results[1] == results[0]
    assert results[2] == results[0]


# --- address books ----------------------------------------------------------------------------

_CARD_TABLES = ["person", "person_email", "organisation", "organisation_domain"]
_CARDS = st.lists(st.fixed_dictionaries({
    "name": st.none() | st.sampled_from(["Ann Lee", "ann lee", "Bob Roe", "Helen Brandt", "Boom"]),
    "emails": st.lists(st.sampled_from(["ann@acme.example", "ann.lee@gmail.com", "bob@roe.example",
                                        "helen@ledger.example", "x@acme.example", "y@acme.co.uk"]),
                       max_size=2),
    "uid": st.none() | st.sampled_from(["u1", "u2", "patron-person-1"]),
    "org": st.none() | st.sampled_from(["Acme", "acme", "Acme Corporation", "Ledger Ltd"]),
    "title": st.none() | st.sampled_from(["CFO", "Director"]),
    "broken": st.booleans(),
}), max_size=8)


def _address_book(cards: list[dict[str, Any]]) -> bytes:
    text = ""
    for c in cards:
        lines = ([f"FN:{c['name']}"] if c["name"] else []) + [f"EMAIL:{a}" for a in c["emails"]]
        lines += [f"{k.upper()}:{c[k]}" for k in ("uid", "org", "title") if c[k]]
        lines += ["this line is broken"] if c["broken"] and c["name"] == "Ann Lee" else []
        text += "BEGIN:VCARD\r\nVERSION:3.0\r\n" + "".join(f"{x}\r\n" for x in lines) + "END:VCARD\r\n"
    return text.encode()


def _refuse_boom(conn: Connection) -> None:
    """The database itself refuses a person named Boom, after their card wrote its organisation."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("CREATE TRIGGER refuse BEFORE INSERT ON person WHEN NEW.name = 'Boom' "
                             "BEGIN SELECT RAISE(ABORT, 'refused'); END")
        return
    conn.exec_driver_sql("CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN IF NEW.name = 'Boom' "
                         "THEN RAISE EXCEPTION 'refused' USING ERRCODE = '23514'; END IF; RETURN NEW; "
                         "END $$ LANGUAGE plpgsql")
    conn.exec_driver_sql("CREATE TRIGGER refuse BEFORE INSERT ON person FOR EACH ROW "
                         "EXECUTE FUNCTION refuse()")


def _card_ties(conn: Connection) -> list[str]:
    """What import_state holds for cards, a person shown by their name."""
    s, p = schema.import_state, schema.person
    names = {ident: name for ident, name in conn.execute(select(p.c.id, p.c.name))}
    return sorted(f"{source} {names.get(state.get('person'), state.get('person'))} "
                  f"{sorted(state.get('cards', {}).values(), key=repr)}"
                  for source, state in conn.execute(select(s.c.source, s.c.state)))


@_SETTINGS
@given(first=_CARDS, second=_CARDS)
def test_an_address_book_stores_the_same_whatever_the_batch(store: Store, first: list[Any],
                                                            second: list[Any]) -> None:
    """Batches of 1, 3 and the default, and the second book read afresh rather than from what
    the first import kept of its cards, give the same register; a card the database refuses
    (Boom) leaves nothing behind, whichever batch it is in."""
    from patron.importers import vcard
    from patron.services.contacts import BATCH, READ_STATE, vcard_import

    results = []
    for size, afresh in ((1, False), (3, False), (BATCH, False), (BATCH, True)):
        with store.engine.connect() as conn, conn.begin() as transaction:
            _prefill(conn)
            _refuse_boom(conn)
            outcomes = []
            for cards in (first, second):
                if afresh:
                    s = schema.import_state
                    conn.execute(s.delete().where(s.c.source.like(f"{READ_STATE}%")))
                chunks, problems = vcard.chunks(_address_book(cards), "book.vcf")
                outcomes.append(imports.store_all(conn, vcard_import(conn, chunks, problems, "book.vcf",
                                                                     NOW, batch=size)))
            results.append((snapshot(conn, _CARD_TABLES), _card_ties(conn), plain(outcomes)))
            transaction.rollback()
    assert results[1] == results[0]
    assert results[2] == results[0]
    # what was kept of the first book's cards is gone then: the rest is the same
    assert (results[3][0], results[3][2]) == (results[0][0], results[0][2])
