"""Address books in and out (vCard): versions, matching, idempotence, broken cards, round trip."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, select

from patron.domain.records import ORGANISATION, PERSON
from patron.errors import InvalidInput
from patron.importers import vcard
from patron.importers.base import Outcome, Problem
from patron.services import contacts, imports, records
from patron.store import schema
from patron.store.database import Store, open_store
from tests.conftest import NOW, Patron, shared_folder

CARDS: dict[str, bytes] = {
    "vcard21_quoted_printable": (
        b"BEGIN:VCARD\r\nVERSION:2.1\r\n"
        b"N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:M=C3=BCller;J=C3=BCrgen\r\n"
        b"FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:J=C3=BCrgen M=C3=BCller\r\n"
        b"TEL;HOME;VOICE:+49 30 1234567\r\nEMAIL;INTERNET;PREF:juergen@mueller-bau.de\r\n"
        b"NOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:Met at the fair=0D=0ALikes long =\r\n"
        b"lunches\r\nORG;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:M=FCller Bau;Einkauf\r\n"
        b"PHOTO;ENCODING=BASE64;TYPE=JPEG:\r\n /9j/4AAQSkZJRgABAQ\r\n AAAQABAAD\r\n\r\n"
        b"END:VCARD\r\n"),
    "vcard21_latin1_bytes": (
        b"BEGIN:VCARD\nVERSION:2.1\nFN;CHARSET=ISO-8859-1:Ren\xe9 Dupont\n"
        b"TITLE;CHARSET=ISO-8859-1:Directeur g\xe9n\xe9ral\nEND:VCARD\n"),
    "vcard30_multiple_emails": (
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Carla Diaz\r\nN:Diaz;Carla;;;\r\n"
        b"EMAIL;TYPE=INTERNET,WORK:carla@northwind.example\r\n"
        b"EMAIL;TYPE=INTERNET,HOME:carla.diaz@gmail.com\r\nTITLE:Head of Finance\r\n"
        b"ORG:Northwind Traders\r\nEND:VCARD\r\n"),
    "vcard40_basic": (
        b"BEGIN:VCARD\r\nVERSION:4.0\r\nN:Roe;Bob;;Dr.;\r\n"
        b"TEL;VALUE=uri;TYPE=\"voice,work\":tel:+1-555-555-5555;ext=55\r\n"
        b"EMAIL;PREF=1:bob@roe.example\r\nORG:Roe\\, Sons & Co.;Sales\r\n"
        b"NOTE:first line\\nsecond\\, with comma\r\n"
        b"PHOTO:data:image/png;base64\\,iVBORw0KGgo\r\nUID:urn:uuid:4fbe8971\r\n"
        b"END:VCARD\r\n"),
    "grouped_item_properties": (
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann Lee\r\nitem1.EMAIL;type=INTERNET:ann@acme.example\r\n"
        b"item1.X-ABLabel:_$!<Other>!$_\r\nitem2.TEL:+44 20 7946 0000\r\n"
        b"item2.X-ABLabel:office\r\nitem3.ORG:Acme\r\nEND:VCARD\r\n"),
    "name_only_in_n": b"BEGIN:VCARD\nVERSION:3.0\nN:Okafor;Ngozi;;Prof.;\nEND:VCARD\n",
    "name_only_in_address": (
        b"BEGIN:VCARD\nVERSION:3.0\nEMAIL:helen.brandt@meridian.example\nEND:VCARD\n"),
}


@pytest.fixture
def patron(db_url: str) -> Patron:
    """The CLI on each database the store supports (conftest's runner uses SQLite only)."""
    return Patron(db_url, CliRunner())


def write(folder: Path, name: str, content: bytes | str) -> Path:
    path = folder / f"{name}.vcf"
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def people(patron: Patron) -> dict[str, dict[str, Any]]:
    return {p["name"]: p for p in json.loads(patron.ok("person list --json"))}


def import_cards(conn: Connection, chunks: list[vcard.Chunk], problems: list[Problem],
                 batch: int = contacts.BATCH) -> Outcome:
    """What `patron import vcard` runs, inside the caller's transaction."""
    return imports.store_all(conn, contacts.vcard_import(conn, chunks, problems, "book", NOW, batch))


def card(name: str | None = None, *lines: str) -> str:
    body = ([f"FN:{name}"] if name else []) + list(lines)
    return "BEGIN:VCARD\r\nVERSION:3.0\r\n" + "".join(f"{x}\r\n" for x in body) + "END:VCARD\r\n"


# --- reading the versions ----------------------------------------------------------------


def test_vcard21_quoted_printable(tmp_path: Path, patron: Patron) -> None:
    out = patron.ok(f"import vcard {write(tmp_path, 'q', CARDS['vcard21_quoted_printable'])}")
    assert "1 created" in out and "0 skipped" in out
    person = people(patron)["Jürgen Müller"]
    assert person["emails"] == ["juergen@mueller-bau.de"] and person["phones"] == ["+49 30 1234567"]
    assert person["notes"] == "Met at the fair\nLikes long lunches"
    assert person["organisation"] == "Müller Bau"


def test_vcard21_latin1_bytes(tmp_path: Path, patron: Patron) -> None:
    patron.ok(f"import vcard {write(tmp_path, 'l', CARDS['vcard21_latin1_bytes'])}")
    assert people(patron)["René Dupont"]["title"] == "Directeur général"


def test_vcard30_multiple_emails(tmp_path: Path, patron: Patron) -> None:
    patron.ok(f"import vcard {write(tmp_path, 'm', CARDS['vcard30_multiple_emails'])}")
    carla = people(patron)["Carla Diaz"]
    assert carla["emails"] == ["carla.diaz@gmail.com", "carla@northwind.example"]
    assert carla["title"] == "Head of Finance" and carla["organisation"] == "Northwind Traders"
    org = json.loads(patron.ok("organisation list --json"))
    assert org[0]["domains"] == ["northwind.example"]  # the company domain, not the free mail


def test_vcard40_basic(tmp_path: Path, patron: Patron) -> None:
    patron.ok(f"import vcard {write(tmp_path, 'v4', CARDS['vcard40_basic'])}")
    bob = people(patron)["Dr. Bob Roe"]
    assert bob["phones"] == ["+1-555-555-5555 ext. 55"] and bob["organisation"] == "Roe, Sons & Co."
    assert bob["notes"] == "first line\nsecond, with comma"


def test_grouped_item_properties(tmp_path: Path, patron: Patron) -> None:
    patron.ok(f"import vcard {write(tmp_path, 'g', CARDS['grouped_item_properties'])}")
    ann = people(patron)["Ann Lee"]
    assert ann["emails"] == ["ann@acme.example"] and ann["phones"] == ["+44 20 7946 0000"]
    assert ann["organisation"] == "Acme"


def test_name_from_n_then_from_the_address(tmp_path: Path, patron: Patron) -> None:
    write(tmp_path, "n", CARDS["name_only_in_n"])
    write(tmp_path, "a", CARDS["name_only_in_address"])
    patron.ok(f"import vcard {tmp_path}")
    assert set(people(patron)) == {"Prof. Ngozi Okafor", "Helen Brandt"}


def test_many_cards_in_one_file_and_a_folder_read_recursively(tmp_path: Path, patron: Patron) -> None:
    book = tmp_path / "contacts" / "work"
    book.mkdir(parents=True)
    for name, content in CARDS.items():
        write(book if len(name) % 2 else tmp_path / "contacts", name, content)
    (book / "notes.txt").write_text(card("Not A Card"))  # not an address book file
    write(tmp_path, "many", card("One Person") + "junk between cards\n" + card("Two Person"))
    assert "7 created" in patron.ok(f"import vcard {tmp_path / 'contacts'}")
    assert "2 created" in patron.ok(f"import vcard {tmp_path / 'many.vcf'}")
    assert "Not A Card" not in people(patron)


def test_standard_input(patron: Patron) -> None:
    assert "1 created" in patron.ok("import vcard -", input=card("Piped Person"))


def test_utf16_file_from_outlook(tmp_path: Path, patron: Patron) -> None:
    path = tmp_path / "outlook.vcf"
    path.write_bytes(card("Åsa Berg", "EMAIL:asa@berg.example").encode("utf-16"))
    patron.ok(f"import vcard {path}")
    assert people(patron)["Åsa Berg"]["emails"] == ["asa@berg.example"]


# --- matching ------------------------------------------------------------------------------


def test_existing_person_matched_by_address(tmp_path: Path, patron: Patron) -> None:
    patron.ok("person add 'Carla D.' --email carla.diaz@gmail.com --title CFO --phone '+34 600 1'")
    out = patron.ok(f"import vcard {write(tmp_path, 'm', CARDS['vcard30_multiple_emails'])}")
    assert "0 created, 1 updated" in out
    carla = people(patron)["Carla D."]  # the name she was given is kept
    assert carla["title"] == "CFO"  # a card never overwrites
    assert carla["emails"] == ["carla.diaz@gmail.com", "carla@northwind.example"]
    assert carla["organisation"] == "Northwind Traders"  # she had none: filled in
    assert len(people(patron)) == 1


def test_stale_card_never_overwrites_and_new_values_are_added(tmp_path: Path, patron: Patron) -> None:
    patron.ok("person add 'Ann Lee' --email ann@acme.example --notes 'typed by me' "
              "--phone '+44 20 7946 0000'")
    stale = card("Ann Leigh", "EMAIL:ann@acme.example", "NOTE:old note", "TEL:+442079460000",
                 "TEL:+44 7700 900123", "TITLE:Buyer")
    assert "1 updated" in patron.ok(f"import vcard {write(tmp_path, 's', stale)}")
    ann = people(patron)["Ann Lee"]
    assert ann["notes"] == "typed by me" and ann["title"] == "Buyer"
    assert ann["phones"] == ["+44 20 7946 0000", "+44 7700 900123"]  # the same number written twice once


def test_new_address_joins_a_namesake_whose_domain_agrees(tmp_path: Path, patron: Patron) -> None:
    patron.ok("person add 'Ann Lee' --email ann@acme.example")
    out = patron.ok(f"import vcard {write(tmp_path, 'j', card('Ann Lee', 'EMAIL:ann.lee@gmail.com'))}")
    assert "0 created, 1 updated" in out
    assert people(patron)["Ann Lee"]["emails"] == ["ann.lee@gmail.com", "ann@acme.example"]


def test_namesake_at_another_company_is_another_person(tmp_path: Path, patron: Patron) -> None:
    patron.ok("person add 'Ann Lee' --email ann@acme.example")
    other = card("Ann Lee", "EMAIL:ann@globex.example", "ORG:Globex", "TITLE:CTO", "UID:globex-ann")
    path = write(tmp_path, "o", other)
    assert "1 created" in patron.ok(f"import vcard {path}")
    made = [p for p in json.loads(patron.ok("person list --json")) if p["emails"] == ["ann@globex.example"]]
    assert [(p["name"], p["organisation"], p["title"]) for p in made] == [("Ann Lee", "Globex", "CTO")]
    assert "1 unchanged" in patron.ok(f"import vcard {path}")


def test_card_without_email_matches_by_name(tmp_path: Path, patron: Patron) -> None:
    patron.ok("person add 'Mike Jones' --title Architect")
    out = patron.ok(f"import vcard {write(tmp_path, 'n', card('mike jones', 'TEL:555 0101'))}")
    assert "0 created, 1 updated" in out
    assert people(patron)["Mike Jones"]["phones"] == ["555 0101"]


def test_card_without_email_and_two_people_of_that_name_is_refused(tmp_path: Path, patron: Patron) -> None:
    patron.ok("person add 'Mike Jones'")
    patron.ok("person add 'Mike Jones'")
    result = patron("import", "vcard", str(write(tmp_path, "two", card("Mike Jones"))))
    assert "2 people are called 'Mike Jones'" in result.stderr and "two.vcf: line 1" in result.stderr
    assert len(json.loads(patron.ok("person list --json"))) == 2


def test_cards_of_one_name_with_different_uids_stay_two_people(tmp_path: Path, patron: Patron) -> None:
    two = card("John Smith", "UID:plumber", "TEL:1") + card("John Smith", "UID:colleague", "TEL:2")
    path = write(tmp_path, "two", two)
    assert "2 created" in patron.ok(f"import vcard {path}")
    assert "2 unchanged" in patron.ok(f"import vcard {path}")
    phones = sorted(p["phones"][0] for p in json.loads(patron.ok("person list --json")))
    assert phones == ["1", "2"]


def test_uid_finds_the_person_after_a_rename(tmp_path: Path, patron: Patron) -> None:
    path = write(tmp_path, "u", card("Bob", "UID:bob-1"))
    patron.ok(f"import vcard {path}")
    patron.ok("person edit Bob --name 'Robert Roe'")
    assert "1 unchanged" in patron.ok(f"import vcard {path}")
    assert list(people(patron)) == ["Robert Roe"]


def test_uid_finds_the_person_when_the_card_is_renamed(tmp_path: Path, patron: Patron) -> None:
    patron.ok(f"import vcard {write(tmp_path, 'a', card('Bob', 'UID:bob-1'))}")
    renamed = card("Robert Roe", "UID:bob-1", "TEL:555 0199")
    assert "1 updated" in patron.ok(f"import vcard {write(tmp_path, 'b', renamed)}")
    assert people(patron)["Bob"]["phones"] == ["555 0199"] and len(people(patron)) == 1


def test_own_uid_from_another_register_needs_the_same_name(tmp_path: Path, patron: Patron) -> None:
    patron.ok("person add 'Somebody Else'")
    out = patron.ok(f"import vcard {write(tmp_path, 'o', card('Imported Person', 'UID:patron-person-1'))}")
    assert "1 created" in out and set(people(patron)) == {"Somebody Else", "Imported Person"}
    patron.ok("person add Kim")
    kim = write(tmp_path, "k", card("Kim", "UID:patron-person-3"))
    assert "1 unchanged" in patron.ok(f"import vcard {kim}")


def test_organisation_named_from_its_domain_takes_the_cards_name(tmp_path: Path, patron: Patron) -> None:
    patron.ok("organisation add Northwind --domain northwind.example")
    patron.ok(f"import vcard {write(tmp_path, 'm', CARDS['vcard30_multiple_emails'])}")
    orgs = json.loads(patron.ok("organisation list --json"))
    assert [(o["name"], o["domains"]) for o in orgs] == [("Northwind Traders", ["northwind.example"])]


def test_organisation_a_person_named_keeps_its_name(tmp_path: Path, patron: Patron) -> None:
    patron.ok("organisation add 'Northwind Group' --domain northwind.example")
    patron.ok(f"import vcard {write(tmp_path, 'm', CARDS['vcard30_multiple_emails'])}")
    orgs = {o["name"]: o["domains"] for o in json.loads(patron.ok("organisation list --json"))}
    assert orgs == {"Northwind Group": ["northwind.example"], "Northwind Traders": []}


# --- idempotence and dry run ---------------------------------------------------------------


def test_second_import_changes_nothing(tmp_path: Path, patron: Patron) -> None:
    for name, content in CARDS.items():
        write(tmp_path, name, content)
    patron.ok(f"import vcard {tmp_path}")
    before = patron.ok("export")
    assert "0 created, 0 updated, 7 unchanged, 0 skipped" in patron.ok(f"import vcard {tmp_path}")
    assert patron.ok("export") == before


def test_dry_run_changes_nothing(tmp_path: Path, patron: Patron) -> None:
    patron.ok("person add Someone")
    before = patron.ok("export")
    out = patron.ok(f"import vcard {write(tmp_path, 'm', CARDS['vcard30_multiple_emails'])} --dry-run")
    assert "Would import: 1 created" in out and patron.ok("export") == before


# --- broken cards ----------------------------------------------------------------------------


def test_broken_card_among_good_ones(tmp_path: Path, patron: Patron) -> None:
    text = (card("Good One", "EMAIL:good1@x.example")                      # lines 1-5
            + card(None, "NOTE:nobody")                                      # lines 6-9
            + card("Broken Line", "this line is no property")                # lines 10-14
            + "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Latin\xe9\r\nEND:VCARD\r\n"  # lines 15-18
            + card("Good Two") + "BEGIN:VCARD\r\nFN:Never ends\r\n")          # 19-22, 23
    path = tmp_path / "broken.vcf"
    path.write_bytes(text.encode("utf-8").replace("Latin\xe9".encode(), b"Latin\xe9"))
    result = patron("import", "vcard", str(path))
    assert result.exit_code == 0 and "2 created" in result.stdout and "4 skipped" in result.stdout
    lines = result.stderr.splitlines()
    assert f"skipped {path}: line 6: a card with no name and no e-mail address" in lines
    assert f"skipped {path}: line 10: line 13 is not a vCard property (this line is no property)" \
        in lines
    assert f"skipped {path}: line 15: line 17 is not UTF-8, and no CHARSET says what it is" in lines
    assert f"skipped {path}: line 23: the file ends inside this card (no END:VCARD)" in lines
    assert set(people(patron)) == {"Good One", "Good Two"}


def test_a_line_vobject_refuses_is_named(tmp_path: Path, patron: Patron) -> None:
    bad = card("Bad Charset", "NOTE;CHARSET=NO-SUCH;ENCODING=QUOTED-PRINTABLE:=E9t=E9")
    result = patron("import", "vcard", str(write(tmp_path, "c", bad)))
    assert result.exit_code == 2  # its only card was bad: nothing could be imported
    assert "c.vcf: line 1: line 4 " in result.stderr and "Traceback" not in result.output


def test_terminal_escapes_in_a_broken_line_are_not_echoed(tmp_path: Path, patron: Patron) -> None:
    result = patron("import", "vcard", str(write(tmp_path, "e", card("X", "\x1b[2J\x1b]0;owned\x07"))))
    assert "line 4 is not a vCard property (?[2J?]0;owned?)" in result.stderr
    assert "\x1b" not in result.output


def test_a_missing_path_is_one_clear_error(patron: Patron) -> None:
    assert "no-such.vcf: no such file or folder" in patron.fails("import vcard no-such.vcf", 2)


# --- both databases, and the round trip -------------------------------------------------------


def test_import_and_export_on_each_database(store: Store, tmp_path: Path) -> None:
    chunks: list[vcard.Chunk] = []
    for name, content in CARDS.items():
        chunks += vcard.chunks(content, name)[0]
    with store.begin() as conn:
        outcome = import_cards(conn, chunks, [])
        again = import_cards(conn, chunks, [])
    assert (outcome.created, outcome.skipped, again.unchanged) == (7, 0, 7)
    with store.read() as conn:
        first = contacts.export_cards(conn, NOW)
    assert first.count("BEGIN:VCARD") == 7 and "UID:urn:uuid:4fbe8971" in first
    assert "FN:Jürgen Müller" in first and "UID:patron-person-" in first


def _round_trip(build: list[dict[str, Any]], orgs: list[str]) -> tuple[str, str]:
    with tempfile.TemporaryDirectory() as folder:
        first_store, second_store = (open_store(str(Path(folder) / f"{n}.sqlite")) for n in "ab")
        with first_store.begin() as conn:
            for org in orgs:
                records.add(conn, ORGANISATION, {"name": org}, NOW)
            for values in build:
                records.add(conn, PERSON, values, NOW)
            first = contacts.export_cards(conn, NOW)
        chunks, problems = vcard.chunks(first.encode("utf-8"), "export")
        with second_store.begin() as conn:
            outcome = import_cards(conn, chunks, problems)
            assert outcome.problems == [] and outcome.created == len(build)
            again = import_cards(conn, chunks, problems)
            assert (again.created, again.updated, again.unchanged) == (0, 0, len(build))
            second = contacts.export_cards(conn, NOW)
        first_store.close()
        second_store.close()
    return first, second


ORGS = ["Meridian Shipping", "Acme, Inc.; Europe", "Ünïcode Ltd"]
_name = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), min_size=1, max_size=30)
_names = st.one_of(_name, st.sampled_from(["Brandt, Helen", "Ann; Lee", "O'Brien \\ Pat", "Ann Lee"]))
_address = st.from_regex(r"[a-z]{1,6}(\.[a-z]{1,4})?@(gmail\.com|acme\.example|x[a-z]{0,3}\.org)",
                         fullmatch=True)
_phone = st.from_regex(r"\+?[0-9][0-9 ()./-]{2,12}[0-9]", fullmatch=True)
_person = st.fixed_dictionaries({
    "name": _names.filter(lambda n: n.split()),
    "emails": st.lists(_address, max_size=3, unique=True),
    "organisation_id": st.sampled_from([None, 1, 2, 3]),
    "title": st.one_of(st.none(), st.text(max_size=30)),
    "phones": st.lists(_phone, max_size=3),
    "notes": st.one_of(st.none(), st.text(max_size=80)),
})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_person, max_size=6))
def test_export_import_export_is_the_identity(generated: list[dict[str, Any]]) -> None:
    used: set[str] = set()
    build = []
    for values in generated:  # an address belongs to one person
        values = {**values, "emails": [a for a in values["emails"] if a not in used]}
        used.update(values["emails"])
        build.append({k: v for k, v in values.items() if v not in (None, [])})
    first, second = _round_trip(build, ORGS)
    assert second == first


_damage = st.sampled_from(["=", ";", ":", "\\", "\r\n", " ", "=\r\n", "item1.", ";CHARSET=",
                           ";ENCODING=QUOTED-PRINTABLE:", ";ENCODING=B:", "\x00", "\xff"])


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(sorted(CARDS)), st.lists(st.tuples(st.integers(0, 10_000), _damage,
                                                           st.integers(0, 5)), max_size=6),
       st.binary(max_size=8))
def test_a_damaged_card_is_read_or_refused_never_a_crash(
        name: str, damage: list[tuple[int, str, int]], noise: bytes) -> None:
    data = bytearray(CARDS[name])
    for at, text, cut in damage:
        at %= len(data) + 1
        data[at:at + cut] = text.encode("latin-1")
    data[len(data) // 2:len(data) // 2] = noise
    chunks, _ = vcard.chunks(bytes(data), "damaged")
    for chunk in chunks:
        try:
            vcard.read(chunk)
        except InvalidInput as exc:
            assert str(exc)


# --- real address books ------------------------------------------------------------------------


def _address_book_files() -> list[Path]:
    found: list[Path] = []
    for name in ("vcard-khard", "ical-vcard-radicale", "ical-vcard-vobject"):
        folder = shared_folder(name)
        found += [p for p in sorted(folder.rglob("*")) if p.is_file() and (
            p.suffix.lower() in vcard.SUFFIXES or b"BEGIN:VCARD" in p.read_bytes().upper())]
    return found


@pytest.mark.shared_data
def test_real_address_books_import_without_a_crash(patron: Patron) -> None:
    files = _address_book_files()
    assert len(files) >= 30
    for path in files:
        result = patron("import", "vcard", str(path))
        assert result.exit_code in (0, 2), (path, result.output)  # 2: no good card in it
        assert "Traceback" not in result.output
        for line in result.stderr.splitlines():
            assert line.startswith((f"skipped {path}: line ",
                                    f"patron: nothing could be imported from {path}: ")), line
    names = set(people(patron))
    assert {"Joe Citizen", "labeled guy", "Given Family", "Test-FN-C3", "Contact2"} <= names
    assert people(patron)["labeled guy"]["organisation"] == "Test Inc"
    result = patron("import", "vcard", str(shared_folder("vcard-khard")))
    assert "unparsable.vcf: line 1: the file ends inside this card" in result.stderr
    assert "0 created, 0 updated" in result.stdout


# --- batches ---------------------------------------------------------------------------------

_NAMES = ["Ann Lee", "Bob Roe", "ann lee", "Carla Diaz", "Helen Brandt"]
_ADDRESSES = ["ann@acme.example", "ann.lee@gmail.com", "bob@roe.example", "carla@acme.example",
              "helen@meridian.example", "x@acme.example"]
_card_lines = st.fixed_dictionaries({
    "name": st.one_of(st.none(), st.sampled_from(_NAMES)),
    "emails": st.lists(st.sampled_from(_ADDRESSES), max_size=2),
    "uid": st.one_of(st.none(), st.sampled_from(["u1", "u2", "patron-person-1", "patron-person-2"])),
    "org": st.one_of(st.none(), st.sampled_from(["Acme", "Meridian", "acme"])),
    "title": st.one_of(st.none(), st.sampled_from(["CFO", "Director"])),
    "phones": st.lists(st.sampled_from(["+44 20 7946 0000", "+44 (20) 7946-0000", "555 1234"]), max_size=2),
    "broken": st.booleans(),
})


def _book(cards: list[dict[str, Any]]) -> bytes:
    text = ""
    for c in cards:
        lines = [f"EMAIL:{a}" for a in c["emails"]] + [f"TEL:{p}" for p in c["phones"]]
        lines += [f"{k.upper()}:{c[k]}" for k in ("uid", "org", "title") if c[k]]
        lines += ["this line is broken"] if c["broken"] and c["name"] else []
        text += card(c["name"], *lines)
    return text.encode()


def _stored(store: Store) -> tuple[list[str], list[str]]:
    """The people (without ids) and the cards' ties (to a person's name and addresses)."""
    with store.read() as conn:
        found = records.find(conn, PERSON, {}, NOW)
        who = {p["id"]: json.dumps([p["name"], p["emails"]]) for p in found}
        s = schema.import_state
        ties = [f"{source} -> {who.get(state['person'])}" for source, state in conn.execute(
            select(s.c.source, s.c.state).where(s.c.source.like("vcard:%")))]
    shown = [json.dumps({k: v for k, v in p.items() if not k.endswith("id")}, sort_keys=True, default=str)
             for p in found]
    return sorted(shown), sorted(ties)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_card_lines, max_size=12), st.lists(st.sampled_from(_NAMES), max_size=3))
def test_the_result_never_depends_on_the_batch_size(cards: list[dict[str, Any]], known: list[str]) -> None:
    chunks, problems = vcard.chunks(_book(cards), "book")
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for size in (1, 7, 1000):
            store = open_store(str(Path(folder) / f"{size}.sqlite"))
            with store.begin() as conn:
                for name in known:  # people already there, some of one name
                    records.add(conn, PERSON, {"name": name}, NOW)
                outcome = import_cards(conn, chunks, problems, size)
                again = import_cards(conn, chunks, problems, size)
            results.append((outcome, again, _stored(store)))
            store.close()
    assert results[0] == results[1] == results[2]


# --- cards read before ---------------------------------------------------------------------


def _kept_files(patron: Patron) -> list[str]:
    store = open_store(patron.db)
    try:
        with store.read() as conn:
            s = schema.import_state
            return sorted(conn.execute(select(s.c.source).where(s.c.source.like("vcard-file:%"))).scalars())
    finally:
        store.close()


def test_a_person_edited_since_is_filled_as_a_first_import_fills_them(tmp_path: Path,
                                                                      patron: Patron) -> None:
    """Unchanged cards are not parsed again, but still compared: what was cleared in Patron
    since is filled again, as an import of the card into that register would."""
    path = write(tmp_path, "book", card("Ann Lee", "EMAIL:ann@acme.example", "EMAIL:ann@home.example",
                                        "TITLE:Buyer", "TEL:555 0101", "ORG:Acme")
                 + card("Bob Roe", "EMAIL:bob@roe.example", "UID:bob-1"))
    assert "2 created" in patron.ok(f"import vcard {path}")
    assert len(_kept_files(patron)) == 1
    patron.ok("person edit 'Ann Lee' --clear title --clear phone --clear org "
              "--remove-email ann@home.example")
    patron.ok("person remove 'Bob Roe' --yes")
    out = patron.ok(f"import vcard {path}")
    assert "1 created, 1 updated, 0 unchanged, 0 skipped" in out
    ann = people(patron)["Ann Lee"]
    assert (ann["title"], ann["phones"], ann["organisation"]) == ("Buyer", ["555 0101"], "Acme")
    assert ann["emails"] == ["ann@acme.example", "ann@home.example"]
    assert people(patron)["Bob Roe"]["emails"] == ["bob@roe.example"]
    assert "0 created, 0 updated, 2 unchanged" in patron.ok(f"import vcard {path}")


def test_a_card_changed_in_the_file_is_read_again(tmp_path: Path, patron: Patron) -> None:
    path = write(tmp_path, "book", card("Ann Lee", "EMAIL:ann@acme.example") + card("Bob Roe"))
    patron.ok(f"import vcard {path}")
    write(tmp_path, "book", card("Ann Lee", "EMAIL:ann@acme.example", "TITLE:Buyer") + card("Bob Roe"))
    assert "0 created, 1 updated, 1 unchanged" in patron.ok(f"import vcard {path}")
    assert people(patron)["Ann Lee"]["title"] == "Buyer"
    write(tmp_path, "book", "\r\n\r\n" + card("Bob Roe") + card("Ann Lee", "this line is broken"))
    result = patron("import", "vcard", str(path))  # the same card elsewhere in the file: found
    assert "1 unchanged, 1 skipped" in result.stdout
    assert f"skipped {path}: line 7: line 10 is not a vCard property" in result.stderr


def test_a_dry_run_keeps_no_reading(tmp_path: Path, patron: Patron) -> None:
    path = write(tmp_path, "book", card("Ann Lee", "EMAIL:ann@acme.example"))
    patron.ok(f"import vcard {path} --dry-run")
    assert _kept_files(patron) == []
    patron.ok(f"import vcard {path}")
    assert _kept_files(patron) == [f"vcard-file:{path.resolve()}"]


# --- a card the database refuses --------------------------------------------------------------


def _refuse_person_named(db: str, name: str) -> None:
    """A rule of the database itself that refuses one name, after the card wrote its
    organisation: what a value too long for a column, or another writer, would do."""
    store = open_store(db)
    with store.begin() as conn:
        if store.dialect == "sqlite":
            conn.exec_driver_sql(f"CREATE TRIGGER refuse BEFORE INSERT ON person WHEN NEW.name = '{name}' "
                                 "BEGIN SELECT RAISE(ABORT, 'refused'); END")
        else:
            conn.exec_driver_sql("CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN "
                                 f"IF NEW.name = '{name}' THEN RAISE EXCEPTION 'refused' "
                                 "USING ERRCODE = '23514'; END IF; "
                                 "RETURN NEW; END $$ LANGUAGE plpgsql")
            conn.exec_driver_sql("CREATE TRIGGER refuse BEFORE INSERT ON person FOR EACH ROW "
                                 "EXECUTE FUNCTION refuse()")
    store.close()


def test_a_card_the_database_refuses_leaves_nothing_and_the_rest_goes_on(tmp_path: Path,
                                                                         patron: Patron) -> None:
    patron.ok("person add Someone")
    _refuse_person_named(patron.db, "Boom Card")
    path = write(tmp_path, "book",
                 card("Ann Lee", "EMAIL:ann@acme.example", "ORG:Acme")                       # 1-6
                 + card("Boom Card", "EMAIL:boom@newco.example", "ORG:NewCo", "UID:boom")   # 7-13
                 + card("Cara Doe", "EMAIL:cara@newco.example", "ORG:NewCo")                # 14-19
                 + card("Boom Again", "EMAIL:boom@newco.example", "UID:boom"))
    result = patron("import", "vcard", str(path))
    assert result.exit_code == 0, result.output
    assert "3 created, 0 updated, 0 unchanged, 1 skipped" in result.stdout
    assert result.stderr.splitlines() == [f"skipped {path}: line 7: the database refused it"]
    orgs = {o["name"]: o["domains"] for o in json.loads(patron.ok("organisation list --json"))}
    assert orgs == {"Acme": ["acme.example"], "NewCo": ["newco.example"]}
    found = people(patron)
    assert set(found) == {"Someone", "Ann Lee", "Cara Doe", "Boom Again"}
    assert found["Cara Doe"]["organisation"] == "NewCo"
    assert found["Boom Again"]["emails"] == ["boom@newco.example"]
    # again: the refused card now finds Boom Again by the address and fills in the organisation
    assert "0 created, 1 updated, 3 unchanged, 0 skipped" in patron.ok(f"import vcard {path}")


# --- organisations and the shared naming rule ----------------------------------------------------


def _mail(folder: Path, name: str, sender: str) -> None:
    (folder / f"{name}.eml").write_text(
        f"From: {sender}\nTo: Pat Client <pat.client@gmail.com>\nSubject: Hello\n"
        f"Date: Mon, 16 Nov 2026 09:00:00 +0000\nMessage-ID: <{name}@example>\n\nHello.\n")


@pytest.mark.parametrize("card_first", [False, True])
def test_a_name_a_card_takes_from_a_domain_goes_on_to_the_next_domain(
        tmp_path: Path, patron: Patron, card_first: bool) -> None:
    """Mail names acme.com "Acme" and acme.co.uk by its domain; a card that calls acme.com
    "Acme Corporation" frees "Acme" for acme.co.uk: the names are those of the other order."""
    mail = tmp_path / "mail"
    mail.mkdir()
    _mail(mail, "one", "Al Smith <al@acme.com>")
    _mail(mail, "two", "Bo Jones <bo@acme.co.uk>")
    book = write(tmp_path, "book", card("Cy Young", "EMAIL:cy@acme.com", "ORG:Acme Corporation"))
    steps = [f"import vcard {book}", f"import mail {mail}"]
    for step in steps if card_first else steps[::-1]:
        patron.ok(step)
    orgs = {o["name"]: o["domains"] for o in json.loads(patron.ok("organisation list --json"))}
    assert orgs == {"Acme Corporation": ["acme.com"], "Acme": ["acme.co.uk"]}
    found = people(patron)
    assert found["Cy Young"]["organisation"] == found["Al Smith"]["organisation"] == "Acme Corporation"
    assert found["Bo Jones"]["organisation"] == "Acme"


# --- two imports at once -----------------------------------------------------------------------


def _firm_book(cards: range) -> str:
    return "".join(card(f"Person {n} Example", f"EMAIL:person{n}@firm{n // 10}.example",
                        f"ORG:Firm {n // 10}", f"UID:firm-card-{n}") for n in cards)


def test_two_imports_at_once_both_complete_as_one_after_the_other(db_url: str, tmp_path: Path) -> None:
    """Two address books sharing people and organisations, imported at once: the writers' lock
    makes one wait for the other, so neither meets a name the other has just taken."""
    import subprocess
    import sys

    open_store(db_url).close()
    books = [write(tmp_path, "a", _firm_book(range(0, 300))),
             write(tmp_path, "b", _firm_book(range(150, 450)))]
    command = [sys.executable, "-c", "import sys; from patron.cli.main import main; "
               "sys.exit(main(prog_name='patron'))", "--db", db_url, "import", "vcard"]
    runs = [subprocess.Popen([*command, str(book)], text=True, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, stdin=subprocess.DEVNULL) for book in books]
    outputs = [run.communicate(timeout=300) for run in runs]
    for run, (_, err) in zip(runs, outputs, strict=True):
        assert run.returncode == 0 and err == "", err
    created = sorted(int(out.split(" created")[0].split()[-1]) for out, _ in outputs)
    assert created == [150, 300]  # the second finds the 150 people they share
    found = Patron(db_url, CliRunner())
    everyone = json.loads(found.ok("person list --json"))
    assert len(everyone) == 450
    assert all(p["organisation"] == f"Firm {int(p['name'].split()[1]) // 10}" for p in everyone)
    assert len(json.loads(found.ok("organisation list --json"))) == 45
