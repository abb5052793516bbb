"""Search, as a user meets it: ``patron search`` finds records by words on SQLite and
PostgreSQL, keeps up with every change, survives any input and a backup's round trip."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, event, text

from patron.services import search as service
from patron.store.database import Store, migrate_to, open_store
from tests.conftest import Patron, drop_postgres, fresh_postgres_url

HOSTILE = ['"', "*", '"*', "NEAR(", "NEAR(a b", "a OR b", "AND", "NOT budget", "'; drop table ask; --",
           "\x00", "budget\x00", "x" * 10_000, "é " * 5_000, "^budget", "title:budget", "{title}: budget",
           "(", ")", "-budget", "+", "a:*", "'a':* & 'b'", "\\", "%", "_", "$$", "🙂", "\u0301"]


def mail(folder: Path, name: str, subject: str, body: str = "Could you send the figures?",
         sender: str = "Ana Silva <ana@contoso.example>", day: int = 2) -> None:
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.eml").write_text(
        f"From: {sender}\nTo: Me <me@example.org>\nSubject: {subject}\n"
        f"Date: {day:02d} Mar 2026 09:00:00 +0000\nMessage-ID: <{name}@contoso.example>\n\n{body}\n",
        encoding="utf-8")


@pytest.fixture
def register(db_url: str) -> Patron:
    """The command line on an empty register, on SQLite and on PostgreSQL."""
    return Patron(db_url, CliRunner())


@pytest.fixture
def filled(register: Patron, tmp_path: Path) -> Patron:
    register.ok('organisation add "Meridian Shipping" --domain meridian-shipping.com')
    register.ok('person add "Helen Brandt" --email helen.brandt@meridian-shipping.com --org Meridian '
                '--title CFO')
    register.ok('person add "Zoë Müller-Lüdenscheidt" --email zoe@example.org --title Controller')
    register.ok('engagement add "Ledger migration" --goal "Move the general ledger to Dynamics"')
    register.ok('ask add "Board dashboard draft" --from Helen --engagement Ledger '
                '--notes "needs the Q3 figures" --annotation "Helen prefers a one-pager"')
    mail(tmp_path / "mail", "m1", "Quarterly budget for Meridian")
    mail(tmp_path / "mail", "m2", "Lunch on Friday", body="Shall we meet at noon?")
    register.ok(f"import mail {tmp_path / 'mail'}")
    return register


def hits(db: str, query: str) -> list[service.Hit]:
    """What the service finds in the register at ``db``."""
    store = open_store(db)
    try:
        return service.search(store, query)
    finally:
        store.close()


def found(register: Patron, line: str) -> list[tuple[str, str]]:
    """(kind, title) of every record a search shows."""
    hits = json.loads(register.ok(f"search --json {line}"))
    return [(hit["kind"], hit["title"]) for hit in hits]


# --- what it finds -------------------------------------------------------------------------

def test_a_word_of_a_mail_subject_finds_the_touchpoint(filled: Patron) -> None:
    assert found(filled, "budget") == [("interaction", "Quarterly budget for Meridian")]
    shown = filled.ok("search budget")
    assert "touchpoint\tQuarterly budget for Meridian\t\t2026-03-02" in shown
    assert "Lunch" not in shown


def test_words_match_by_their_start_and_all_must_be_found(filled: Patron) -> None:
    assert found(filled, "quart budg") == [("interaction", "Quarterly budget for Meridian")]
    assert found(filled, "arterly") == []  # the middle of a word is not its start
    assert found(filled, "budget lunch") == []


def test_case_and_accents_do_not_matter(filled: Patron) -> None:
    person = [("person", "Zoë Müller-Lüdenscheidt")]
    for line in ("zoe muller", "ZOË", "MÜLLER lüden", "Lud", "Zoe Muller Ludenscheidt"):
        assert found(filled, line) == person, line
    assert found(filled, "QUARTERLY BUDGET") == [("interaction", "Quarterly budget for Meridian")]


def test_each_kind_is_found_by_its_words(filled: Patron) -> None:
    assert found(filled, "helen.brandt@meridian") == [("person", "Helen Brandt")]  # an address
    assert found(filled, "cfo") == [("person", "Helen Brandt")]  # a job title
    assert found(filled, "meridian-shipping.com") == [
        ("person", "Helen Brandt"), ("organisation", "Meridian Shipping")]  # a domain
    assert found(filled, "dynamics") == [("engagement", "Ledger migration")]  # a goal
    assert found(filled, "one-pager") == [("ask", "Board dashboard draft")]  # an annotation
    assert found(filled, "q3 figures") == [("ask", "Board dashboard draft")]  # its notes
    assert found(filled, "meridian") == [
        ("person", "Helen Brandt"), ("organisation", "Meridian Shipping"),
        ("interaction", "Quarterly budget for Meridian")]  # kind by kind


def test_kind_and_limit_narrow_the_list(filled: Patron) -> None:
    assert found(filled, "--kind touchpoints meridian") == [
        ("interaction", "Quarterly budget for Meridian")]
    assert found(filled, "--kind people --kind organisations meridian") == [
        ("person", "Helen Brandt"), ("organisation", "Meridian Shipping")]
    assert found(filled, "--limit 1 meridian") == [("person", "Helen Brandt")]
    assert "is not one of 'people'" in filled.fails("search --kind mails meridian", code=2)


def test_touchpoints_come_newest_first_and_names_before_other_words(
        register: Patron, tmp_path: Path) -> None:
    for day in (3, 9, 5):
        mail(tmp_path / "mail", f"m{day}", f"Harbour report {day}", day=day)
    register.ok(f"import mail {tmp_path / 'mail'}")
    assert found(register, "harbour") == [("interaction", f"Harbour report {day}") for day in (9, 5, 3)]
    register.ok('person add "Silvana Ortiz"')  # 'silva' in her name; Ana Silva's too
    register.ok('person add "Bo Lind" --email silva.fan@example.org')  # only in his address
    people = found(register, "--kind people silva")
    assert people[-1] == ("person", "Bo Lind")
    assert set(people[:2]) == {("person", "Ana Silva"), ("person", "Silvana Ortiz")}


def test_matched_words_are_given_as_spans(filled: Patron) -> None:
    [hit] = json.loads(filled.ok("search --json helen.brandt"))
    assert hit["title"] == "Helen Brandt" and hit["title_marks"] == [[0, 5], [6, 12]]
    assert hit["snippet"] == "CFO · helen.brandt@meridian-shipping.com"
    assert [hit["snippet"][a:b] for a, b in hit["marks"]] == ["helen", "brandt"]
    assert hit["when"] is None and hit["rank"] > 0


def test_a_long_text_gives_a_short_snippet_around_the_words(register: Patron) -> None:
    filler = " ".join(f"word{n}" for n in range(200))
    register.ok(f'engagement add "Long one" --goal "{filler} the reconciliation plan {filler}"')
    [hit] = hits(register.db, "reconciliation")
    assert len(hit.snippet) <= service.SNIPPET + 2 and hit.snippet.startswith("…")
    assert [hit.snippet[a:b] for a, b in hit.marks] == ["reconciliation"]


def test_nothing_found_says_so(filled: Patron) -> None:
    assert filled.ok("search zebra").strip() == "nothing found for 'zebra'"
    assert json.loads(filled.ok("search --json zebra")) == []


def test_searching_never_creates_a_register(tmp_path: Path) -> None:
    absent = Patron(str(tmp_path / "absent.sqlite"), CliRunner())
    assert "no database" in absent.fails("search budget")
    assert not (tmp_path / "absent.sqlite").exists()


# --- any input ------------------------------------------------------------------------------

def test_hostile_input_gives_results_or_nothing_and_leaves_the_register_whole(filled: Patron) -> None:
    for query in HOSTILE:
        assert all(hit.kind in service.KINDS.values() for hit in hits(filled.db, query)), query
        # argv cannot hold NUL; after "--" a word may start with "-"
        result = filled("search", "--json", "--", query.replace("\x00", ""))
        assert result.exit_code == 0, (query, result.output)
        assert isinstance(json.loads(result.stdout), list)
    assert found(filled, "board") == [("ask", "Board dashboard draft")]


@pytest.fixture
def opened(filled: Patron) -> Iterator[Store]:
    store = open_store(filled.db)
    yield store
    store.close()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.text(max_size=60) | st.lists(st.text(max_size=12), max_size=5))
def test_any_text_query_never_raises(opened: Store, query: str | list[str]) -> None:
    hits = service.search(opened, query, limit=5)
    assert len(hits) <= 5
    for hit in hits:
        assert all(0 <= a < b <= len(hit.title) for a, b in hit.title_marks)
        assert all(0 <= a < b <= len(hit.snippet) for a, b in hit.marks)


# --- the index keeps up -------------------------------------------------------------------

def test_an_edited_ask_is_found_by_its_new_words_not_its_old(filled: Patron) -> None:
    filled.ok('ask edit Board --title "Steering deck outline"')
    assert found(filled, "steering") == [("ask", "Steering deck outline")]
    assert found(filled, "dashboard") == []
    assert found(filled, "q3") == [("ask", "Steering deck outline")]  # notes kept
    filled.ok('ask edit Steering --notes "no figures yet"')
    assert found(filled, "q3") == []
    filled.ok("ask remove Steering --yes")
    assert found(filled, "steering") == []


def test_addresses_and_domains_keep_their_people_and_organisations_findable(filled: Patron) -> None:
    filled.ok("person edit Helen --add-email hb@private.example")
    assert found(filled, "private") == [("person", "Helen Brandt")]
    assert found(filled, "meridian-shipping.com") == [
        ("person", "Helen Brandt"), ("organisation", "Meridian Shipping")]
    filled.ok("person edit Helen --remove-email hb@private.example")
    assert found(filled, "private") == []
    filled.ok('organisation edit Meridian --name "Meridian Logistics"')
    assert found(filled, "logistics") == [("organisation", "Meridian Logistics")]
    filled.ok("person remove Helen --yes")
    assert found(filled, "helen") == [("ask", "Board dashboard draft")]  # in its annotation
    assert found(filled, "cfo") == []


def test_an_edited_and_a_removed_touchpoint(filled: Patron) -> None:
    [hit] = hits(filled.db, "lunch")
    filled.ok(f'interaction edit {hit.id} --summary "Dinner on Friday" --notes "at the harbour"')
    assert found(filled, "lunch") == []
    assert found(filled, "harbour dinner") == [("interaction", "Dinner on Friday")]
    filled.ok(f'interaction edit {hit.id} --at "2025-01-10 19:00"')  # its place in the index moves
    assert found(filled, "dinner") == [("interaction", "Dinner on Friday")]
    [moved] = hits(filled.db, "dinner")
    assert moved.when is not None and moved.when.year == 2025
    filled.ok(f"interaction remove {hit.id} --yes")
    assert found(filled, "dinner") == []


# --- the index is no data: backups and upgrades --------------------------------------------

def test_export_then_restore_finds_the_same(filled: Patron, tmp_path: Path) -> None:
    filled.ok(f"export -o {tmp_path / 'backup.json'}")
    assert "search_" not in (tmp_path / "backup.json").read_text(encoding="utf-8")
    target = (fresh_postgres_url() if "://" in filled.db else str(tmp_path / "restored.sqlite"))
    try:
        restored = Patron(target, filled.runner)
        restored.ok(f"restore {tmp_path / 'backup.json'}")
        for line in ("meridian", "zoe", "dynamics", "one-pager", "budget", "lunch"):
            assert found(restored, line) == found(filled, line), line
        restored.ok('ask add "Budget appendix"')  # and it keeps up after the restore
        assert ("ask", "Budget appendix") in found(restored, "budget")
    finally:
        if "://" in target:
            drop_postgres(target)


def test_an_upgraded_register_finds_what_it_held(db_url: str) -> None:
    """A register of schema 0005 gets the index filled from its records by migration 0006."""
    old = Store(create_engine(db_url if "://" in db_url else f"sqlite:///{db_url}"), db_url)
    migrate_to(old, "0005")
    with old.engine.begin() as conn:
        conn.execute(text("INSERT INTO person (id, name, title) VALUES (1, 'Ines Álvarez', 'Head of IT')"))
        conn.execute(text("INSERT INTO person_email (address, person_id) VALUES ('ines@vantor.example', 1)"))
        conn.execute(text("INSERT INTO interaction (id, summary, kind, occurred_at, direction) VALUES "
                          "(1, 'Vantor kickoff', 'meeting', '2026-03-02 09:00:00', 'out')"))
    old.engine.dispose()
    upgraded = open_store(db_url)
    try:
        assert upgraded.upgraded_from == "0005"
        assert [(h.kind, h.id) for h in service.search(upgraded, "alvarez")] == [("person", 1)]
        assert [(h.kind, h.id) for h in service.search(upgraded, "vantor")] == [
            ("person", 1), ("interaction", 1)]
    finally:
        upgraded.close()


@pytest.mark.postgres
def test_postgresql_answers_from_the_search_indexes() -> None:
    """The queries repeat the indexed expressions exactly; were they to drift apart, every
    search would read whole tables. With sequential scans off, each kind's index shows."""
    url = fresh_postgres_url()
    store = open_store(url)
    statements: list[tuple[str, dict[str, object]]] = []

    def seen(conn: object, cursor: object, statement: str, params: dict[str, object],
             context: object, many: bool) -> None:
        if "ts_rank" in statement:
            statements.append((statement, params))

    try:
        event.listen(store.engine, "before_cursor_execute", seen)
        service.search(store, "budget helen")
        event.remove(store.engine, "before_cursor_execute", seen)
        used = set()
        with store.read() as conn:
            conn.exec_driver_sql("SET enable_seqscan = off")
            for statement, params in statements:
                plan = "\n".join(conn.exec_driver_sql("EXPLAIN " + statement, params).scalars())
                used |= set(re.findall(r"ix_search_\w+", plan))
        assert used == {f"ix_search_{name}" for name in (
            "person", "person_email", "organisation", "organisation_domain", "engagement", "ask",
            "interaction")}
    finally:
        store.close()
        drop_postgres(url)
