"""People as importers meet them: by address, by safe namesake, merged by hand."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Connection, insert, select

from patron.domain.addresses import (
    display_name,
    name_from_address,
    normal_address,
    organisation_domain,
    organisation_name,
)
from patron.domain.records import ENGAGEMENT, INTERACTION, PERSON, STAKEHOLDER
from patron.services import people, records
from patron.store import schema
from patron.store.database import Store
from tests.conftest import NOW, Patron


def test_addresses_are_normalised_and_checked() -> None:
    assert normal_address(" <Helen.Brandt@Meridian.COM> ") == "helen.brandt@meridian.com"
    assert normal_address("mailto:a@b.io") == "a@b.io"
    for bad in ("", "helen", "a@b", "a b@c.com", "@c.com", "x@" + "a" * 400 + ".com"):
        assert normal_address(bad) is None


def test_names_come_from_headers_or_addresses() -> None:
    assert display_name('"Brandt, Helen"', "hb@x.com") == "Helen Brandt"
    assert display_name(None, "helen.brandt@x.com") == "Helen Brandt"
    assert display_name("helen@x.com", "helen@x.com") == "Helen"
    assert name_from_address("j_smith+news@x.com") == "J Smith"


def test_free_mail_says_nothing_of_an_organisation() -> None:
    assert organisation_domain("sam@gmail.com") is None
    assert organisation_domain("sam@meridian-shipping.com") == "meridian-shipping.com"
    assert organisation_name("northwind-traders.co.uk") == "Northwind Traders"
    assert organisation_name("mail.enron.com") == "Enron"


@given(st.emails())
def test_a_normal_address_is_its_own_normal_form(address: str) -> None:
    normal = normal_address(address)
    if normal is not None:
        assert normal_address(normal) == normal


def test_the_same_address_is_one_person(store: Store) -> None:
    with store.begin() as conn:
        directory = people.Directory(conn)
        first = directory.person("Helen.Brandt@meridian.com", "Helen Brandt")
        again = people.Directory(conn).person("helen.brandt@MERIDIAN.com")
        assert first == again
        assert people.Directory(conn).tally.people_created == 0
        row = conn.execute(select(schema.person).where(schema.person.c.id == first)).mappings().one()
        assert row["name"] == "Helen Brandt"
        org = conn.execute(select(schema.organisation.c.name)
                           .where(schema.organisation.c.id == row["organisation_id"])).scalar_one()
        assert org == "Meridian"
        assert directory.tally.people_created == 1 and directory.tally.organisations_created == 1


def test_a_second_address_with_the_full_name_joins_the_person(store: Store) -> None:
    with store.begin() as conn:
        directory = people.Directory(conn)
        work = directory.person("helen@meridian.com", "Helen Brandt")
        private = directory.person("hbrandt@gmail.com", "Helen Brandt")
        assert private == work
        assert people.addresses(conn, work) == ["hbrandt@gmail.com", "helen@meridian.com"]


def test_a_namesake_elsewhere_stays_a_different_person(store: Store) -> None:
    with store.begin() as conn:
        directory = people.Directory(conn)
        one = directory.person("john.smith@meridian.com", "John Smith")
        other = directory.person("john.smith@northwind.com", "John Smith")
        lone = directory.person("sam@meridian.com", "Sam")  # one word: never merged by name
        again = directory.person("sam@gmail.com", "Sam")
        assert one != other and lone != again


def test_free_mail_people_have_no_organisation(store: Store) -> None:
    with store.begin() as conn:
        directory = people.Directory(conn)
        ident = directory.person("sam@gmail.com", "Sam Okafor")
        assert directory.organisation("sam@gmail.com") is None
        org = conn.execute(select(schema.person.c.organisation_id)
                           .where(schema.person.c.id == ident)).scalar_one()
        assert org is None
        assert directory.person("not an address") is None


def test_merge_moves_everything_and_keeps_one_of_each(store: Store) -> None:
    with store.begin() as conn:
        keep = records.add(conn, PERSON, {"name": "Helen Brandt", "emails": ["helen@m.com"]}, NOW)
        other = records.add(conn, PERSON, {"name": "H. Brandt", "emails": ["hb@gmail.com"],
                                           "title": "CFO"}, NOW)
        board = records.add(conn, ENGAGEMENT, {"name": "Board", "kind": "client"}, NOW)
        for ident in (keep, other):
            records.add(conn, STAKEHOLDER, {"person_id": ident, "engagement_id": board,
                                            "role": "sponsor"}, NOW)
        both = records.add(conn, INTERACTION, {"summary": "Call", "participants": [keep, other]}, NOW)
        alone = records.add(conn, INTERACTION, {"summary": "Lunch", "participants": [other]}, NOW)
        conn.execute(insert(schema.ask).values(title="Budget", requester_id=other, status="open",
                                               created_at=NOW))
        people.merge(conn, keep, other)

        assert people.addresses(conn, keep) == ["hb@gmail.com", "helen@m.com"]
        assert conn.execute(select(schema.person.c.id).where(schema.person.c.id == other)).first() is None
        assert conn.execute(select(schema.ask.c.requester_id)).scalar_one() == keep
        roles = conn.execute(select(schema.stakeholder.c.person_id)).scalars().all()
        assert roles == [keep]
        ip = schema.interaction_participant
        for interaction in (both, alone):
            assert conn.execute(select(ip.c.person_id).where(ip.c.interaction_id == interaction)
                                ).scalars().all() == [keep]
        title = conn.execute(select(schema.person.c.title).where(schema.person.c.id == keep)).scalar_one()
        assert title == "CFO"


def test_merge_refuses_nonsense(store: Store) -> None:
    import pytest

    from patron.errors import InvalidInput, NotFound

    with store.begin() as conn:
        ident = records.add(conn, PERSON, {"name": "Helen"}, NOW)
        with pytest.raises(InvalidInput):
            people.merge(conn, ident, ident)
        with pytest.raises(NotFound):
            people.merge(conn, ident, ident + 100)


def test_people_point_to_their_one_engagement(store: Store) -> None:
    with store.begin() as conn:
        org = people.Directory(conn).organisation("x@meridian.com")
        helen = people.Directory(conn).person("helen@meridian.com", "Helen Brandt")
        stranger = people.Directory(conn).person("z@nowhere.org", "Zed Stranger")
        assert helen is not None and stranger is not None
        assert people.engagement_of(conn, [helen]) is None
        audit = records.add(conn, ENGAGEMENT, {"name": "Audit", "kind": "client",
                                               "organisation_id": org}, NOW)
        assert people.engagement_of(conn, [helen]) == audit  # through her organisation
        board = records.add(conn, ENGAGEMENT, {"name": "Board", "kind": "client"}, NOW)
        records.add(conn, STAKEHOLDER, {"person_id": stranger, "engagement_id": board,
                                        "role": "sponsor"}, NOW)
        assert people.engagement_of(conn, [stranger]) == board  # a role says more than an org
        records.add(conn, STAKEHOLDER, {"person_id": helen, "engagement_id": audit,
                                        "role": "customer"}, NOW)
        assert people.engagement_of(conn, [helen, stranger]) is None  # they disagree
        assert people.engagement_of(conn, []) is None


def test_a_cards_tie_follows_the_person_into_a_merge(patron: Patron, tmp_path: Path) -> None:
    card = tmp_path / "helen.vcf"
    card.write_text("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:card-helen-1\r\nFN:H. Brandt\r\n"
                    "EMAIL:hb@gmail.com\r\nEND:VCARD\r\n")
    patron.ok('person add "Helen Brandt" --email helen@meridian.com')
    patron.ok(f"import vcard {card}")
    patron.ok("person merge helen@meridian.com hb@gmail.com")
    exported = patron.ok("export vcard")
    assert exported.count("BEGIN:VCARD") == 1
    assert "UID:card-helen-1" in exported and "hb@gmail.com" in exported


def _organisations(conn: Connection) -> dict[str, set[str]]:
    o, od = schema.organisation, schema.organisation_domain
    found: dict[str, set[str]] = {}
    for name, domain in conn.execute(
            select(o.c.name, od.c.domain).join(od, od.c.organisation_id == o.c.id, isouter=True)):
        found.setdefault(name, set()).update({domain} - {None})
    return found


def test_a_subdomain_gives_the_name_up_to_its_organisations_own_domain(store: Store) -> None:
    with store.begin() as conn:
        directory = people.Directory(conn)
        jeff = directory.person("jeff@ect.enron.com", "Jeff Skilling")
        assert _organisations(conn) == {"Enron": {"ect.enron.com"}}
        people.Directory(conn).person("ken@enron.com", "Ken Lay")  # a later run
        assert _organisations(conn) == {"Enron": {"enron.com"}, "ect.enron.com": {"ect.enron.com"}}
        assert directory.organisation("jeff@ect.enron.com") == conn.execute(
            select(schema.person.c.organisation_id).where(schema.person.c.id == jeff)).scalar_one()
        assert people.claim_order("enron.co.uk") < people.claim_order("ect.enron.com")


def test_a_name_given_by_hand_is_kept(store: Store) -> None:
    with store.begin() as conn:
        conn.execute(insert(schema.organisation).values(name="Enron"))
        people.Directory(conn).person("ken@enron.com", "Ken Lay")
        assert _organisations(conn) == {"Enron": set(), "enron.com": {"enron.com"}}


def test_a_person_met_by_free_mail_first_joins_their_organisation(store: Store) -> None:
    with store.begin() as conn:
        directory = people.Directory(conn)
        helen = directory.person("hbrandt@gmail.com", "Helen Brandt")
        assert people.Directory(conn).people([("helen@meridian.com", "Helen Brandt")]) == {
            "helen@meridian.com": helen}
        org = conn.execute(select(schema.person.c.organisation_id)
                           .where(schema.person.c.id == helen)).scalar_one()
        assert org == directory.organisation("helen@meridian.com") and org is not None
