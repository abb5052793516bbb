"""The register's use cases on a real store (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from patron.domain.records import BY_KIND, KINDS
from patron.errors import Ambiguous, Conflict, InvalidInput, NotFound
from patron.services import records
from patron.services.names import resolve
from patron.store.database import Store
from tests.conftest import NOW

P, E = BY_KIND["person"], BY_KIND["engagement"]


def add(store: Store, kind: str, **values: Any) -> int:
    with store.begin() as conn:
        return records.add(conn, BY_KIND[kind], values, NOW)


def get(store: Store, kind: str, ident: int) -> dict[str, Any]:
    with store.read() as conn:
        return records.get(conn, BY_KIND[kind], ident)


def named(store: Store, kind: str, text: str) -> int:
    with store.read() as conn:
        return resolve(conn, BY_KIND[kind], text)


@pytest.fixture
def meridian(store: Store) -> Store:
    add(store, "organisation", name="Meridian Shipping", domains=["meridian-shipping.com"])
    add(
        store,
        "person",
        name="Helen Brandt",
        organisation_id="Meridian",
        emails=["Helen.Brandt@meridian-shipping.com", "h.brandt@example.org"],
        title="CFO",
    )
    add(store, "person", name="Victor Lam", organisation_id="meridian-shipping.com")
    add(
        store,
        "engagement",
        name="Ledger migration",
        organisation_id="Meridian",
        value=180000,
        success_criteria=["Every month reconciles"],
    )
    return store


def test_a_person_keeps_several_addresses_lower_cased(meridian: Store) -> None:
    helen = get(meridian, "person", named(meridian, "person", "Helen"))
    assert helen["emails"] == ["h.brandt@example.org", "helen.brandt@meridian-shipping.com"]
    assert helen["organisation"] == "Meridian Shipping"


@pytest.mark.parametrize(
    "text",
    [
        "Helen",
        "helen b",
        "Brandt",
        "HELEN.BRANDT@meridian-shipping.com",
        "h.brandt@example.org",
        "1",
        "#1",
        "Helen Brandt",
    ],
)
def test_a_person_is_found_as_a_person_names_them(meridian: Store, text: str) -> None:
    assert named(meridian, "person", text) == 1


def test_an_organisation_is_found_by_its_mail_domain(meridian: Store) -> None:
    assert named(meridian, "organisation", "meridian-shipping.com") == 1
    assert named(meridian, "organisation", "someone@meridian-shipping.com") == 1


def test_an_ambiguous_name_lists_the_candidates(meridian: Store) -> None:
    add(meridian, "person", name="Helena Ortiz")
    with pytest.raises(Ambiguous) as caught:
        named(meridian, "person", "hel")
    assert caught.value.candidates == ["Helen Brandt (#1)", "Helena Ortiz (#3)"]
    assert named(meridian, "person", "helen") == 1  # an exact name wins over prefixes


def test_unknown_names_and_ids(meridian: Store) -> None:
    for text in ("Nobody", "99", "nobody@nowhere.org"):
        with pytest.raises(NotFound):
            named(meridian, "person", text)


def test_like_wildcards_in_names_are_literal(meridian: Store) -> None:
    with pytest.raises(NotFound):
        named(meridian, "person", "%")
    with pytest.raises(NotFound):
        named(meridian, "person", "_elen")


def test_an_address_belongs_to_one_person(meridian: Store) -> None:
    with pytest.raises(Conflict, match="already belongs to Helen Brandt"):
        add(meridian, "person", name="Impostor", emails=["helen.brandt@meridian-shipping.com"])
    with pytest.raises(NotFound):
        named(meridian, "person", "Impostor")


def test_stakeholder_attributes_default_from_the_role(meridian: Store) -> None:
    ident = add(meridian, "stakeholder", person_id="Helen", engagement_id="Ledger", role="sponsor")
    sponsor = get(meridian, "stakeholder", ident)
    assert (sponsor["power"], sponsor["legitimacy"], sponsor["stance"]) == (5, 5, "neutral")
    assert sponsor["label"] == "Helen Brandt (sponsor, Ledger migration)"
    given = add(
        meridian, "stakeholder", person_id="Victor", engagement_id="Ledger", role="manager", power=1
    )
    assert get(meridian, "stakeholder", given)["power"] == 1


def test_one_person_can_hold_two_roles_but_not_the_same_twice(meridian: Store) -> None:
    add(meridian, "stakeholder", person_id="Helen", engagement_id="Ledger", role="sponsor")
    add(meridian, "stakeholder", person_id="Helen", engagement_id="Ledger", role="customer")
    with pytest.raises(Conflict):
        add(meridian, "stakeholder", person_id="Helen", engagement_id="Ledger", role="sponsor")
    assert named(meridian, "stakeholder", "Helen/Ledger/customer") == 2
    with pytest.raises(Ambiguous):
        named(meridian, "stakeholder", "Helen")


@pytest.mark.parametrize(
    ("kind", "values", "message"),
    [
        ("feedback", {"person_id": "Helen", "rating": 11}, "from 0 to 10"),
        ("feedback", {"person_id": "Helen", "rating": "-1"}, "from 0 to 10"),
        ("interaction", {"summary": "x", "sentiment": 3}, "from -2 to 2"),
        (
            "stakeholder",
            {"person_id": "Helen", "engagement_id": "Ledger", "role": "sponsor", "power": 6},
            "from 0 to 5",
        ),
        (
            "stakeholder",
            {"person_id": "Helen", "engagement_id": "Ledger", "role": "king"},
            "one of",
        ),
        ("ask", {"title": "x", "due_at": "2026-02-30"}, "not a real date"),
        ("ask", {"title": "x", "effort_hours": "lots"}, "must be a number"),
        ("ask", {"title": "x", "effort_hours": "nan"}, "finite"),
        ("ask", {"title": ""}, "needs a title"),
        ("time_entry", {"engagement_id": "Ledger", "minutes": "0"}, "duration"),
        ("person", {"name": "X", "emails": ["not-an-address"]}, "not an e-mail address"),
        ("organisation", {"name": "X", "domains": ["no domain"]}, "not a mail domain"),
        (
            "engagement",
            {"name": "Y", "starts_on": "2026-12-01", "ends_on": "2026-11-01"},
            "before it starts",
        ),
        ("person", {"name": "X", "shoe_size": 9}, "no field shoe_size"),
    ],
)
def test_bad_values_are_refused_with_what_and_where(
    meridian: Store, kind: str, values: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        add(meridian, kind, **values)


def test_unique_names(meridian: Store) -> None:
    with pytest.raises(Conflict, match="already an engagement called"):
        add(meridian, "engagement", name="Ledger migration")


def test_everyday_dates_and_defaults(meridian: Store) -> None:
    ask = get(
        meridian,
        "ask",
        add(
            meridian,
            "ask",
            title="Board pack",
            requester_id="Helen",
            due_at="friday 15:00",
            engagement_id="Ledger",
        ),
    )
    assert ask["due_at"] == datetime(2026, 11, 27, 15, 0)
    assert (ask["status"], ask["created_at"], ask["requester"]) == ("open", NOW, "Helen Brandt")
    entry = get(
        meridian, "time_entry", add(meridian, "time_entry", engagement_id="Ledger", minutes="1h30")
    )
    assert (entry["minutes"], entry["boss_kind"], entry["started_at"]) == (90, "customer", NOW)
    feedback = get(meridian, "feedback", add(meridian, "feedback", person_id="Helen", rating=9))
    assert feedback["received_on"] == date(2026, 11, 20)


def test_edit_sets_clears_adds_and_removes(meridian: Store) -> None:
    with meridian.begin() as conn:
        records.edit(
            conn,
            P,
            1,
            records.Change(
                set={"title": "Group CFO"},
                add={"emails": ["helen@home.example"]},
                remove={"emails": ["h.brandt@example.org"]},
            ),
            NOW,
        )
        records.edit(
            conn,
            E,
            1,
            records.Change(add={"success_criteria": ["Board dashboard"]}, clear=["value"]),
            NOW,
        )
    helen = get(meridian, "person", 1)
    assert helen["title"] == "Group CFO"
    assert helen["emails"] == ["helen.brandt@meridian-shipping.com", "helen@home.example"]
    ledger = get(meridian, "engagement", 1)
    assert ledger["success_criteria"] == ["Every month reconciles", "Board dashboard"]
    assert ledger["value"] is None


def test_edit_refuses_to_clear_a_required_field(meridian: Store) -> None:
    with pytest.raises(InvalidInput, match="cannot be empty"), meridian.begin() as conn:
        records.edit(conn, P, 1, records.Change(clear=["name"]), NOW)


def test_removing_what_is_not_there_is_an_error(meridian: Store) -> None:
    with pytest.raises(NotFound), meridian.begin() as conn:
        records.edit(conn, P, 1, records.Change(remove={"emails": ["x@y.zz"]}), NOW)


def test_asks_cannot_wait_on_themselves(meridian: Store) -> None:
    first = add(meridian, "ask", title="First")
    second = add(meridian, "ask", title="Second", depends_on=[first])
    with pytest.raises(Conflict, match="depend on itself"), meridian.begin() as conn:
        records.edit(conn, BY_KIND["ask"], first, records.Change(add={"depends_on": [second]}), NOW)
    assert get(meridian, "ask", second)["depends_on"] == [{"id": first, "name": "First"}]


def test_removing_a_person_takes_what_belongs_to_them_and_keeps_history(meridian: Store) -> None:
    add(meridian, "stakeholder", person_id="Helen", engagement_id="Ledger", role="sponsor")
    ask = add(meridian, "ask", title="Board pack", requester_id="Helen")
    meeting = add(meridian, "interaction", summary="Kickoff", participants=["Helen", "Victor"])
    with meridian.begin() as conn:
        assert records.remove(conn, P, 1) == "Helen Brandt"
        assert records.find(conn, BY_KIND["stakeholder"], {}, NOW) == []
        with pytest.raises(NotFound):
            resolve(conn, P, "helen.brandt@meridian-shipping.com")
    assert get(meridian, "ask", ask)["requester_id"] is None
    assert [p["name"] for p in get(meridian, "interaction", meeting)["participants"]] == [
        "Victor Lam"
    ]


def test_find_filters_by_reference_choice_and_participant(meridian: Store) -> None:
    add(meridian, "ask", title="A", requester_id="Helen", engagement_id="Ledger")
    add(meridian, "ask", title="B", requester_id="Victor", status="done")
    add(meridian, "interaction", summary="Call", participants=["Victor"])
    with meridian.read() as conn:
        assert [
            a["title"] for a in records.find(conn, BY_KIND["ask"], {"requester_id": "Helen"}, NOW)
        ] == ["A"]
        assert [
            a["title"] for a in records.find(conn, BY_KIND["ask"], {"status": "done"}, NOW)
        ] == ["B"]
        assert len(records.find(conn, BY_KIND["interaction"], {"participants": "Victor"}, NOW)) == 1
        assert records.find(conn, BY_KIND["interaction"], {"participants": "Helen"}, NOW) == []


def test_every_kind_can_be_added_shown_and_removed(meridian: Store) -> None:
    minimal: dict[str, dict[str, Any]] = {
        "organisation": {"name": "Acme"},
        "person": {"name": "Ann"},
        "engagement": {"name": "Audit"},
        "milestone": {"title": "M", "engagement_id": "Ledger"},
        "stakeholder": {"person_id": "Victor", "engagement_id": "Ledger", "role": "manager"},
        "ask": {"title": "A"},
        "commitment": {"title": "C", "promisee_id": "Victor"},
        "interaction": {"summary": "I"},
        "feedback": {"person_id": "Victor"},
        "time_entry": {"engagement_id": "Ledger", "minutes": 30},
        "goal": {"title": "G"},
        "prospect": {"name": "P"},
    }
    assert set(minimal) == {k.name for k in KINDS}
    for kind in KINDS:
        ident = add(meridian, kind.name, **minimal[kind.name])
        with meridian.begin() as conn:
            assert records.get(conn, kind, ident)["id"] == ident
            records.remove(conn, kind, ident)
            with pytest.raises(NotFound):
                records.get(conn, kind, ident)
