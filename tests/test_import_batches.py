"""What an import stores does not depend on how many records it writes at a time.

Each importer that batches its writes takes the batch size as a parameter; the same
register and the same input, imported twice (a first import, then one that changes some
records), give the same tables, ids left aside, for batches of 1, 3 and the default.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Column, Connection, select

from patron.importers import ics
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
    from patron.services.calendar import BATCH, import_events

    tables = ["interaction", "interaction_participant", "person", "person_email", "organisation",
              "organisation_domain"]
    results = []
    for size in (*SIZES, BATCH):
        with store.engine.connect() as conn, conn.begin() as transaction:
            own = _prefill(conn)
            outcomes = [import_events(conn, _drafts(events, own), ["me@mine.example"], batch=size)
                        for events in (first, second)]
            results.append((snapshot(conn, tables), outcomes))
            transaction.rollback()
    assert results[1] == results[0]
    assert results[2] == results[0]
