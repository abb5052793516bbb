"""People who are likely one person: the rule, the register, the command."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from patron.domain.duplicates import Someone, duplicates, read_name
from patron.services import duplicates as service
from patron.services import people
from patron.store import schema
from patron.store.database import Store
from tests.conftest import Patron
from tests.test_influence import _mbox


def test_a_name_reads_from_a_record_or_an_address() -> None:
    lavorato = read_name("john.j.lavorato")
    assert lavorato is not None and lavorato.words == ("john", "lavorato") and lavorato.initials == {"j"}
    assert read_name("Lavorato, John") == read_name("john-lavorato") != lavorato
    for nobody in ("j..lavorato", "lavorato", "jlavorato.hba1989", "john.l", "", "a.b"):
        assert read_name(nobody) is None, nobody


def test_one_person_under_several_addresses_is_found_once() -> None:
    found = duplicates([
        Someone(1, "John Lavorato", ("john.lavorato@enron.com",), messages=40),
        Someone(2, "John J Lavorato", ("john.j.lavorato@enron.com",), messages=3),
        Someone(3, "Lavorato John", ("lavorato.john@enron.com",)),
        Someone(4, "Louise Kitchen", ("louise.kitchen@enron.com",)),
    ])
    assert len(found) == 1
    assert found[0].keep.ident == 1  # the record in the most mail
    assert {o.ident for o in found[0].others} == {2, 3}
    assert (found[0].name, found[0].domain) == ("john lavorato", "enron.com")


def test_a_name_given_in_the_mail_joins_an_address_that_says_little() -> None:
    found = duplicates([Someone(1, "Helen Brandt", ("hb@meridian.com",)),
                        Someone(2, "Helen Brandt", ("helen.brandt@meridian.com",))])
    assert [(d.keep.ident, [o.ident for o in d.others]) for d in found] == [(1, [2])]


def test_what_may_be_two_people_stays_apart() -> None:
    apart = [
        # different initials: two John Smiths
        [Someone(1, None, ("john.a.smith@x.com",)), Someone(2, None, ("john.b.smith@x.com",))],
        # with one between them, all three stay apart
        [Someone(1, None, ("john.a.smith@x.com",)), Someone(2, None, ("john.smith@x.com",)),
         Someone(3, None, ("john.b.smith@x.com",))],
        # free mail: anyone can be ann.lee there
        [Someone(1, None, ("ann.lee@gmail.com",)), Someone(2, "Ann Lee", ("annlee@gmail.com",))],
        # different domains
        [Someone(1, None, ("ann.lee@a.com",)), Someone(2, None, ("ann.lee@b.com",))],
        # the same domain, but the user put them in different organisations
        [Someone(1, None, ("ann.lee@a.com",), organisation=1),
         Someone(2, None, ("lee.ann@a.com",), organisation=2)],
        # an address with no full name in it
        [Someone(1, "A", ("al@a.com",)), Someone(2, None, ("al.x@a.com",))],
    ]
    for records in apart:
        assert duplicates(records) == [], records


NAMES = st.sampled_from(["ann.lee", "lee.ann", "ann.q.lee", "ann.r.lee", "bo.li", "bo.t.li", "al", "cy.d"])
DOMAINS = st.sampled_from(["a.com", "b.org", "gmail.com"])
RECORDS = st.lists(st.lists(st.tuples(NAMES, DOMAINS), min_size=1, max_size=3), min_size=1, max_size=8)


@given(RECORDS, st.randoms())
def test_each_group_is_one_possible_person_whatever_the_order(drawn: list[list[tuple[str, str]]],
                                                            rnd: object) -> None:
    records = [Someone(n, None, tuple(f"{local}@{domain}" for local, domain in addresses), messages=n)
               for n, addresses in enumerate(drawn)]
    found = duplicates(records)
    grouped = [n for d in found for n in (d.keep.ident, *(o.ident for o in d.others))]
    assert len(grouped) == len(set(grouped))  # a record is in one group at most
    for group in found:
        members = (group.keep, *group.others)
        assert group.keep.messages == max(s.messages for s in members)
        initials = set()
        for someone in members:
            names = [read_name(a.split("@")[0]) for a in someone.addresses]
            initials |= {n.initials for n in names if n is not None and n.initials}
        assert len(initials) <= 1  # never two different middle initials in one person
        assert group.domain != "gmail.com"
    shuffled = list(records)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    again = duplicates(shuffled)
    as_sets = {frozenset((d.keep.ident, *(o.ident for o in d.others))) for d in found}
    assert as_sets == {frozenset((d.keep.ident, *(o.ident for o in d.others))) for d in again}


def test_the_register_merges_what_it_finds_and_then_finds_nothing(store: Store) -> None:
    with store.begin() as conn:
        directory = people.Directory(conn)
        first = directory.person("john.lavorato@enron.com")
        second = directory.person("john.j.lavorato@enron.com")
        other = directory.person("louise.kitchen@enron.com")
        assert first is not None and second is not None and first != second
        found = service.find(conn)
        assert [(d.keep.ident, [o.ident for o in d.others]) for d in found] == [(first, [second])]
        assert service.merge_all(conn, found) == 1
        assert people.addresses(conn, first) == ["john.j.lavorato@enron.com", "john.lavorato@enron.com"]
        assert service.find(conn) == []
        left = conn.execute(select(func.count()).select_from(schema.person)).scalar_one()
        assert left == 2 and other is not None


def split_boss(patron: Patron, folder: Path) -> tuple[str, str]:
    """Mail in which four traders write to one boss under two addresses, imported: the boss
    is two records. Returns the two addresses."""
    day = "Mon, 02 Nov 2026 09:00:00 +0000"
    boss, again = "john.lavorato@enron.com", "john.j.lavorato@enron.com"
    staff = [f"trader{n}@enron.com" for n in range(4)]
    mail = _mbox(folder / "mail.mbox", *((f"m{n}", writer, boss if n % 2 else again, day)
                                         for n, writer in enumerate(staff)))
    patron.ok(f"import mail {mail}")
    return boss, again


def test_the_command_lists_merges_and_scores_the_person_once(patron: Patron, tmp_path: Path) -> None:
    boss, again = split_boss(patron, tmp_path)
    listed = patron.ok("people duplicates")
    assert "John Lavorato" in listed and "John J Lavorato" in listed and "enron.com" in listed
    groups = json.loads(patron.ok("people duplicates --json"))["groups"]
    assert [g["name"] for g in groups] == ["john lavorato"]
    before = json.loads(patron.ok("influence --json"))["people"]
    assert sorted(p["signals"]["audience"] for p in before if p["name"].startswith("John")) == [2, 2]
    assert "1 person appears under several records" in patron.ok("influence")
    assert "Merged 1 record into 1 person." in patron.ok("people duplicates --merge")
    after = [p for p in json.loads(patron.ok("influence --json"))["people"] if p["name"].startswith("John")]
    assert len(after) == 1 and after[0]["signals"]["audience"] == 4
    assert sorted(after[0]["addresses"]) == [again, boss]
    assert "under several records" not in patron.ok("influence")
    assert patron.ok("people duplicates").strip() == "No two people look like one."
    assert json.loads(patron.ok("people duplicates --merge --json")) == {"groups": [], "merged": 0}


def _two_records(store: Store) -> tuple[int, int]:
    with store.begin() as conn:
        directory = people.Directory(conn)
        first = directory.person("john.lavorato@enron.com")
        second = directory.person("john.j.lavorato@enron.com")
    assert first is not None and second is not None
    return first, second


def test_a_persons_page_offers_their_other_record_and_merges_it(store: Store) -> None:
    from tests.web_helpers import JSON, client, csrf

    first, second = _two_records(store)
    web = client(store)
    html = web.get(f"/people/{first}").text
    assert "Likely the same person" in html and f'href="/people/{second}"' in html
    twin = web.get(f"/people/{first}", headers=JSON).json()
    other = {"id": second, "name": "John J Lavorato", "emails": ["john.j.lavorato@enron.com"]}
    assert twin["also"] == [other]
    assert web.get(f"/people/{second}", headers=JSON).json()["also"][0]["id"] == first  # from either side
    merged = web.post(f"/people/{first}/merge", data={"csrf_token": csrf(html), "other": str(second)})
    assert merged.status_code == 303
    assert merged.headers["location"].startswith(f"/people/{first}?note=Merged+John+J+Lavorato")
    after = web.get(f"/people/{first}", headers=JSON).json()
    assert after["also"] == [] and after["emails"] == ["john.j.lavorato@enron.com", "john.lavorato@enron.com"]
    assert web.get(f"/people/{second}").status_code == 404
    gone = web.post(f"/people/{first}/merge", data={"csrf_token": csrf(html), "other": str(second)},
                    headers=JSON)
    assert gone.status_code == 404 and "error" in gone.json()
    themselves = web.post(f"/people/{first}/merge", data={"csrf_token": csrf(html), "other": str(first)},
                          headers=JSON)
    assert themselves.status_code == 400
    for keep, other in ((2**63, first), (first, 2**63), (-1, first), (first, -1)):  # beyond any column
        beyond = web.post(f"/people/{keep}/merge", data={"csrf_token": csrf(html), "other": str(other)},
                          headers=JSON)
        assert beyond.status_code == 404, (keep, other, beyond.text)
    assert web.get(f"/people/{first}", headers=JSON).json()["emails"] == after["emails"]


def test_merging_on_a_persons_page_in_chromium(tmp_path: Path) -> None:
    from patron.store.database import open_store
    from tests.browser_helpers import ARTEFACTS, Watch, browser, serving

    store = open_store(str(tmp_path / "register.sqlite"))
    first, second = _two_records(store)
    try:
        with serving(store) as url, browser() as chromium:
            watch = Watch(url)
            page = watch.attach(chromium.new_page(viewport={"width": 1280, "height": 800}))
            page.goto(f"{url}/people/{second}")
            section = page.get_by_role("region", name="Likely the same person")
            assert section.get_by_role("link", name="John Lavorato").count() == 1
            page.screenshot(path=str(ARTEFACTS / "person-duplicates.png"), full_page=True)
            section.get_by_role("button", name=f"Merge John Lavorato (#{first}) into John J Lavorato").click()
            page.wait_for_url(f"**/people/{second}?note=*")
            assert page.locator("p.flash").inner_text().startswith("Merged John Lavorato")
            assert page.get_by_role("region", name="Likely the same person").count() == 0
            assert "john.lavorato@enron.com" in page.locator("main").inner_text()
            page.screenshot(path=str(ARTEFACTS / "person-duplicates-merged.png"), full_page=True)
            assert watch.clean(), (watch.dialogs, watch.errors, watch.strays)
    finally:
        store.close()
