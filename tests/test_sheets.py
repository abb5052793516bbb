"""Spreadsheets in and out: contact exports, delimiters, encodings, mapping, bad cells,
idempotence, and export -> import -> export as the identity."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from patron.domain.records import BY_KIND
from patron.importers import csv_table
from patron.importers.base import Outcome
from patron.services import imports, records, sheets
from patron.store.database import Store, open_store
from tests.conftest import NOW, Patron


@pytest.fixture
def world(db_url: str) -> Patron:
    return Patron(db_url, CliRunner())


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / f"{name}.csv"
    path.write_bytes(text.encode(encoding))
    return path


def people(world: Patron) -> dict[str, dict[str, Any]]:
    return {p["name"]: p for p in json.loads(world.ok("person list --json"))}


def asks(world: Patron) -> dict[str, dict[str, Any]]:
    return {a["title"]: a for a in json.loads(world.ok("ask list --json"))}


def test_google_contacts_export(world: Patron, tmp_path: Path) -> None:
    path = write(tmp_path, "google_contacts_export",
                 "Name,Given Name,Additional Name,Family Name,Group Membership,E-mail 1 - Type,"
                 "E-mail 1 - Value,E-mail 2 - Type,E-mail 2 - Value,Phone 1 - Type,Phone 1 - Value,"
                 "Organization 1 - Type,Organization 1 - Name,Organization 1 - Title,Notes\n"
                 "Helen Brandt,Helen,,Brandt,* myContacts,* Work,helen@meridian-shipping.com ::: "
                 "hb@meridian-shipping.com,Home,helen.b@gmail.com,Mobile,+44 7700 900123,,"
                 "Meridian Shipping,CFO,\"Board, then budget\"\n"
                 ",Victor,,Lang,* myContacts,* Work,victor@meridian-shipping.com,,,,,,,,\n")
    result = world("import", "csv", "--table", "people", str(path))
    assert result.exit_code == 0, result.output
    assert "E-mail 1 - Value -> emails" in result.stderr and "E-mail 1 - Type" in result.stderr
    found = people(world)
    helen = found["Helen Brandt"]
    assert helen["emails"] == ["hb@meridian-shipping.com", "helen.b@gmail.com",
                               "helen@meridian-shipping.com"]
    assert helen["organisation"] == "Meridian Shipping" and helen["title"] == "CFO"
    assert helen["phones"] == ["+44 7700 900123"] and helen["notes"] == "Board, then budget"
    assert found["Victor Lang"]["emails"] == ["victor@meridian-shipping.com"]


def test_google_contacts_new_export(world: Patron, tmp_path: Path) -> None:
    path = write(tmp_path, "google_contacts_new_export",
                 "First Name,Middle Name,Last Name,Nickname,Organization Name,Organization Title,"
                 "Labels,E-mail 1 - Label,E-mail 1 - Value,Phone 1 - Label,Phone 1 - Value\n"
                 "Rachel,,Okafor,Rach,Northwind,Head of Ops,* myContacts,Work,rachel@northwind.example,"
                 "Work,+1 555 0100\n")
    world.ok(f"import csv --table people {path}")
    rachel = people(world)["Rachel Okafor"]
    assert rachel["organisation"] == "Northwind" and rachel["title"] == "Head of Ops"
    assert rachel["phones"] == ["+1 555 0100"]


def test_outlook_export(world: Patron, tmp_path: Path) -> None:
    path = write(tmp_path, "outlook_export",
                 "Title,First Name,Middle Name,Last Name,Suffix,Company,Department,Job Title,"
                 "Business Phone,Business Fax,Mobile Phone,E-mail Address,E-mail Type,"
                 "E-mail Display Name,E-mail 2 Address,Notes\n"
                 "Dr.,Grant,T.,Oduya,,Vantor,IT,CIO,+1 555 0199,+1 555 0198,+1 555 0197,"
                 "grant@vantor.example,SMTP,Grant Oduya (grant@vantor.example),g.oduya@gmail.com,\n")
    world.ok(f"import csv --table people {path}")
    grant = people(world)["Grant T. Oduya"]
    assert grant["title"] == "CIO"  # the job title, not the honorific
    assert grant["emails"] == ["g.oduya@gmail.com", "grant@vantor.example"]
    assert grant["phones"] == ["+1 555 0199", "+1 555 0197"] and grant["organisation"] == "Vantor"


def test_thunderbird_export(world: Patron, tmp_path: Path) -> None:
    path = write(tmp_path, "thunderbird_export",
                 "First Name,Last Name,Display Name,Nickname,Primary Email,Secondary Email,"
                 "Screen Name,Work Phone,Home Phone,Fax Number,Pager Number,Mobile Number,"
                 "Job Title,Department,Organization,Notes\n"
                 "Ana,Silva,Ana Silva (Lisbon),Ana,ana@lisboa.example,,,+351 21 000,,,,+351 91 000,"
                 "Buyer,,Lisboa Trading,met at the fair\n")
    world.ok(f"import csv --table people {path}")
    ana = people(world)["Ana Silva (Lisbon)"]
    assert ana["phones"] == ["+351 21 000", "+351 91 000"] and ana["organisation"] == "Lisboa Trading"
    assert ana["notes"] == "met at the fair" and ana["title"] == "Buyer"


def test_yahoo_export(world: Patron, tmp_path: Path) -> None:
    path = write(tmp_path, "yahoo_export",
                 "First,Middle,Last,Nickname,Email,Category,Home,Work,Mobile,Title,Company,"
                 "Alternate Email 1,Comments\n"
                 "Sam,,Reed,,sam@reed.example,,,,+1 555 0123,Partner,Reed & Co,sam.reed@yahoo.com,ok\n")
    world.ok(f"import csv --table people {path}")
    sam = people(world)["Sam Reed"]
    assert sam["emails"] == ["sam.reed@yahoo.com", "sam@reed.example"] and sam["title"] == "Partner"
    assert sam["phones"] == ["+1 555 0123"] and sam["notes"] == "ok"


def test_semicolon_delimited(world: Patron, tmp_path: Path) -> None:
    path = write(tmp_path, "semicolon_delimited",
                 "Task;From;Project;Deadline;Priority;Tags\n"
                 "Board pack, final;Helen Brandt <helen@meridian-shipping.com>;Ledger;2026-12-01 17:00;"
                 "high;board, finance\n"
                 "Call Victor;victor@meridian-shipping.com;Ledger;friday;2;\n")
    world.ok(f"import csv --table asks {path}")
    found = asks(world)
    pack = found["Board pack, final"]
    assert pack["requester"] == "Helen Brandt" and pack["engagement"] == "Ledger"
    assert pack["due_at"] == "2026-12-01T17:00:00" and pack["value"] == 5
    assert pack["tags"] == ["board", "finance"]
    assert found["Call Victor"]["due_at"] == "2026-11-27T00:00:00"  # the Friday after NOW


def test_bom_and_latin1(world: Patron, tmp_path: Path) -> None:
    bom = write(tmp_path, "bom", "\ufeffName,Email\nZoë Ångström,zoe@example.org\n")
    result = world("import", "csv", "--table", "people", str(bom))
    assert result.exit_code == 0 and "not UTF-8" not in result.stderr
    latin = write(tmp_path, "latin1", "Name;E-mail\nJosé Müller;jose@example.org\n", "cp1252")
    result = world("import", "csv", "--table", "people", str(latin))
    assert result.exit_code == 0, result.output
    assert "not UTF-8 (first at line 2); read as Windows-1252" in result.stderr
    assert {"Zoë Ångström", "José Müller"} <= set(people(world))


def test_utf16_with_tabs(world: Patron, tmp_path: Path) -> None:
    path = tmp_path / "utf16_tab_separated.csv"
    path.write_bytes("Name\tE-mail Address\nÉlise Roy\telise@example.org\n".encode("utf-16"))
    world.ok(f"import csv --table people {path}")
    assert people(world)["Élise Roy"]["emails"] == ["elise@example.org"]


def test_unknown_column_mapping(world: Patron, tmp_path: Path) -> None:
    path = write(tmp_path, "unknown_column_mapping", "Subject,Who\nA thing,Helen\n")
    error = world.fails(f"import csv --table asks {path} --map Nope=title", 2)
    assert f"{path} has no column 'Nope' (it has Subject, Who)" in error
    assert len(error.strip().splitlines()) == 1
    error = world.fails(f"import csv --table asks {path} --map Who=boss", 2)
    assert "asks have no field 'boss' (fields: title, requester," in error
    world.ok(f"import csv --table asks {path} --map Who=requester")
    assert asks(world)["A thing"]["requester"] == "Helen"


def test_no_column_for_the_title(world: Patron, tmp_path: Path) -> None:
    path = write(tmp_path, "no_title_column", "What,When\nA thing,today\n")
    error = world.fails(f"import csv --table asks {path}", 2)
    assert "no column for the title of asks; name one with --map COLUMN=title" in error
    world.ok(f"import csv --table asks {path} --map What=title --map When=due")
    assert asks(world)["A thing"]["due_at"] == "2026-11-20T00:00:00"


def test_bad_date_cell(world: Patron, tmp_path: Path) -> None:
    path = write(tmp_path, "bad_date_cell",
                 'title,due,value\nFine,2026-12-01,3\n"Two\nlines",someday,1\nToo much,,9\nAlso fine,,\n')
    result = world("import", "csv", "--table", "asks", str(path))
    assert result.exit_code == 0
    assert f"skipped {path}: line 3, column 'due': cannot read 'someday' as a date" in result.stderr
    assert f"skipped {path}: line 5, column 'value':" in result.stderr
    assert "2 created, 0 updated, 0 unchanged, 2 skipped" in result.stdout
    assert set(asks(world)) == {"Fine", "Also fine"}


def test_a_failed_row_leaves_nothing_the_next_row_needs(world: Patron, tmp_path: Path) -> None:
    path = write(tmp_path, "failed_row_created_a_person",
                 "title,from,engagement,due\nA,new@x.example,New,never\nB,new@x.example,New,friday\n")
    assert "1 created, 0 updated, 0 unchanged, 1 skipped" in world.ok(f"import csv --table asks {path}")
    (b,) = asks(world).values()
    assert b["requester"] == "New" and b["engagement"] == "New"
    assert len(people(world)) == 1


def test_second_import_changes_nothing(world: Patron, tmp_path: Path) -> None:
    files = {
        "people": "Name,Email,Company\nHelen Brandt,helen@meridian-shipping.com,Meridian\nNo Mail,,\n",
        "asks": "title,from,engagement,status\nReport,Helen Brandt,Ledger,open\nReport,,Ledger,open\n",
        "interactions": "summary,with,date\nSteering,Helen Brandt; No Mail,2026-11-19 15:00\n"
                        "Chat,helen@meridian-shipping.com,\n",
    }
    for table, text in files.items():
        world.ok(f"import csv --table {table} {write(tmp_path, table, text)}")
    before = world.ok("export")
    for table in files:
        out = world.ok(f"import csv --table {table} {tmp_path / table}.csv")
        assert "0 created, 0 updated, 2 unchanged, 0 skipped" in out
    assert world.ok("export") == before


def test_a_changed_status_updates_the_same_ask(world: Patron, tmp_path: Path) -> None:
    first = write(tmp_path, "a", "title,status,due\nReport,open,friday\n")
    world.ok(f"import csv --table asks {first}")
    second = write(tmp_path, "b", "title,status,due\nReport,done,\n")
    out = world.ok(f"import csv --table asks {second}")
    assert "0 created, 1 updated" in out
    (report,) = asks(world).values()
    assert report["status"] == "done" and report["due_at"] is None and report["done_at"]


def test_people_are_matched_by_address_then_by_exact_name(world: Patron, tmp_path: Path) -> None:
    world.ok("person add helen --email helen@meridian-shipping.com")
    world.ok("person add 'Victor Lang'")
    path = write(tmp_path, "match", "Name,Email,Title\nHelen Brandt,HELEN@meridian-shipping.com,CFO\n"
                                    "Victor Lang,,COO\nvictor lang,,\n")
    assert "1 created, 2 updated, 0 unchanged" in world.ok(f"import csv --table people {path}")
    found = people(world)
    assert found["Helen Brandt"]["title"] == "CFO" and found["Victor Lang"]["title"] == "COO"
    assert "victor lang" in found  # the exact name only: another person


def test_addresses_of_two_people_in_one_row(world: Patron, tmp_path: Path) -> None:
    world.ok("person add A --email a@x.example")
    world.ok("person add B --email b@x.example")
    path = write(tmp_path, "addresses_of_two_people", "name,email 1,email 2\nAB,a@x.example,b@x.example\n")
    result = world("import", "csv", "--table", "people", str(path))
    assert "line 2: its addresses belong to different people (#1, #2)" in result.stderr


def test_dry_run_changes_nothing(world: Patron, tmp_path: Path) -> None:
    world.ok("person add Someone")
    before = world.ok("export")
    path = write(tmp_path, "dry", "title\nA\nB\n")
    out = world.ok(f"import csv --table asks {path} --dry-run")
    assert "Would import: 2 created" in out
    assert world.ok("export") == before


def test_export_csv_table_reads_back(world: Patron, tmp_path: Path) -> None:
    world.ok("person add 'Helen Brandt' --email helen@meridian-shipping.com --phone '+1, 2'")
    world.ok("engagement add Ledger")
    world.ok("ask add 'Board pack' --from Helen --engagement Ledger --due friday --tag 'a, b' --tag c")
    world.ok("interaction add Steering --with Helen --at 'yesterday 15:00'")
    world.ok("time 1h30 Ledger --at 'yesterday 9:00' --note 'Mapping, first pass'")
    for table in ("people", "asks", "interactions", "time"):
        world.ok(f"export csv --table {table} -o {tmp_path / table}.csv")
    text = (tmp_path / "asks.csv").read_text()
    assert text.startswith("title,requester,engagement,status,due,")
    assert "Helen Brandt <helen@meridian-shipping.com>" in text and '"[""a, b"", ""c""]"' in text
    other = Patron(str(tmp_path / "other.sqlite"), CliRunner())
    assert "Mapping, first pass" in (tmp_path / "time.csv").read_text()
    for table in ("people", "asks", "interactions", "time"):
        other.ok(f"import csv --table {table} {tmp_path / table}.csv")
        assert other.ok(f"export csv --table {table}") == world.ok(f"export csv --table {table}")


def test_export_csv_needs_a_folder_or_a_table(world: Patron) -> None:
    world.ok("person add Someone")
    assert "give the folder to write into with -o FOLDER" in world.fails("export csv", 2)


def test_lists_in_cells_read_back() -> None:
    for items in (["a", "b"], ["a, b", "c"], ["[x]"], ["line\nbreak"], []):
        assert csv_table.split_list(csv_table.join_list(items)) == items
    assert csv_table.person_ref('"Doe, John" <J@X.example>') == ("Doe, John", "j@x.example")
    assert csv_table.person_ref("Helen") == ("Helen", None)


# --- export -> import -> export is the identity --------------------------------------------

letters = st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs"),
                        exclude_characters="@<>\u2028\u2029\x85")
word = st.text(letters, min_size=1, max_size=8).map(str.strip).filter(bool)
texts = st.text(st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs"),
                              include_characters="\n,\"';"), min_size=1, max_size=30
                ).map(str.strip).filter(bool)
moments = st.datetimes(min_value=NOW.replace(year=2020), max_value=NOW.replace(year=2030)).map(
    lambda d: d.replace(microsecond=0))


@st.composite
def registers(draw: st.DrawFn) -> dict[str, list[dict[str, Any]]]:
    names = draw(st.lists(st.lists(word, min_size=1, max_size=3).map(" ".join), min_size=1,
                          max_size=4, unique=True))
    persons = [{"name": n,
                "emails": draw(st.lists(st.from_regex(r"[a-z]{1,6}@[a-z]{1,5}\.example", fullmatch=True),
                                        max_size=2, unique=True)),
                "title": draw(st.none() | texts), "phones": draw(st.lists(texts, max_size=2, unique=True)),
                "notes": draw(st.none() | texts)} for n in names]
    seen: set[str] = set()
    for p in persons:  # an address belongs to one person
        p["emails"] = [a for a in p["emails"] if a not in seen]
        seen.update(p["emails"])
    engagements = st.none() | st.sampled_from(["Ledger", "Ops, 2027", 'The "big" one'])
    asks = [{"title": draw(texts), "requester": draw(st.none() | st.sampled_from(names)),
             "engagement": draw(engagements),
             "status": draw(st.sampled_from(["open", "doing", "waiting", "done", "declined"])),
             "due_at": draw(st.none() | moments), "created_at": draw(moments),
             "effort_hours": draw(st.none() | st.floats(0, 100, allow_nan=False)),
             "value": draw(st.none() | st.integers(0, 5)),
             "tags": draw(st.lists(texts, max_size=3, unique=True)),
             "annotations": draw(st.lists(texts, max_size=2)), "notes": draw(st.none() | texts),
             "source": draw(st.none() | st.sampled_from(["taskwarrior:1", "mail:<a@b>"]))}
            for _ in range(draw(st.integers(0, 4)))]
    interactions = [{"summary": draw(texts), "occurred_at": draw(moments),
                     "participants": draw(st.lists(st.sampled_from(names), max_size=3, unique=True)),
                     "engagement": draw(engagements), "sentiment": draw(st.none() | st.integers(-2, 2)),
                     "kind": draw(st.sampled_from(["meeting", "call", "mail"])),
                     "notes": draw(st.none() | texts)} for _ in range(draw(st.integers(0, 3)))]
    return {"people": persons, "asks": asks, "interactions": interactions}


def build(store: Store, register: dict[str, list[dict[str, Any]]]) -> None:
    with store.begin() as conn:
        ids = {p["name"]: records.add(conn, BY_KIND["person"], p, NOW) for p in register["people"]}
        engagements: dict[str, int] = {}

        def engagement(name: str | None) -> int | None:
            if name and name not in engagements:
                engagements[name] = records.add(conn, BY_KIND["engagement"], {"name": name}, NOW)
            return engagements.get(name) if name else None

        for number, values in enumerate(register["asks"]):
            ask = {k: v for k, v in values.items() if k not in ("requester", "engagement")}
            ask["source"] = f"{values['source']}{number}" if values["source"] else None
            ask["requester_id"] = ids[values["requester"]] if values["requester"] else None
            ask["engagement_id"] = engagement(values["engagement"])
            records.add(conn, BY_KIND["ask"], ask, NOW)
        for values in register["interactions"]:
            met = {k: v for k, v in values.items() if k != "engagement"}
            met["participants"] = [ids[n] for n in values["participants"]]
            met["engagement_id"] = engagement(values["engagement"])
            records.add(conn, BY_KIND["interaction"], met, NOW)


def exported(store: Store) -> dict[str, str]:
    with store.read() as conn:
        return {table: sheets.export_sheet(conn, table, NOW) for table in ("people", "asks", "interactions")}


def _rows(export: dict[str, str]) -> dict[str, list[str]]:
    """Each table's header and its rows in sorted order: records of one moment are listed by
    id, and ids are the database's own (an import makes them in the order of the file)."""
    return {table: [text.splitlines()[0], *sorted(text.splitlines()[1:])] for table, text in export.items()}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(registers())
def test_export_import_export_is_the_identity(register: dict[str, list[dict[str, Any]]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        original = open_store(str(Path(folder) / "a.sqlite"))
        build(original, register)
        first = exported(original)
        copy = open_store(str(Path(folder) / "b.sqlite"))
        for table, text in first.items():
            sheet = csv_table.read(text, table, f"{table}.csv")
            with copy.begin() as conn:
                outcome = imports.store_all(conn, sheets.sheet_import(sheet, f"{table}.csv", NOW))
            assert not outcome.problems, outcome.problems
        assert _rows(exported(copy)) == _rows(first)
        original.close()
        copy.close()


# --- time entries ------------------------------------------------------------------------------


def time_entries(world: Patron) -> list[dict[str, Any]]:
    return json.loads(world.ok("time-entry list --json"))


def test_a_toggl_time_sheet_with_day_start_and_duration(world: Patron, tmp_path: Path) -> None:
    world.ok("engagement add Ledger --kind client")
    path = write(tmp_path, "toggl", "Client,Project,Description,Start date,Start time,Duration\n"
                                    "Meridian,Ledger,Mapping,2026-11-10,09:00:00,01:30:00\n"
                                    "Meridian,Ledger,Calls,2026-11-10,14:00:00,00:20:00\n")
    result = world("import", "csv", "--table", "time", str(path))
    assert "Start date -> date" in result.stderr and "Duration -> duration" in result.stderr
    assert "2 created" in result.stdout
    found = [(t["started_at"], t["minutes"], t["note"], t["boss_kind"]) for t in time_entries(world)]
    assert found == [("2026-11-10T14:00:00", 20, "Calls", "customer"),  # newest first
                     ("2026-11-10T09:00:00", 90, "Mapping", "customer")]
    assert "0 created, 0 updated, 2 unchanged" in world.ok(f"import csv --table time {path}")
    path.write_text(path.read_text().replace("00:20:00", "00:30:00"))
    assert "0 created, 1 updated, 1 unchanged" in world.ok(f"import csv --table time {path}")


def test_hours_and_minutes_columns_in_the_users_date_order(world: Patron, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[dates]\norder = "dmy"\n')
    monkeypatch.setenv("PATRON_CONFIG", str(config))
    path = write(tmp_path, "hand", "Day;Job;Hours;Minutes;Boss;What\n"
                                   "03/11/2026;Ledger;1;15;self;Reading\n"
                                   "04/11/2026;Ledger;2,5;;;Workshop\n"
                                   "31/11/2026;Ledger;1;;;Nowhere\n"
                                   "05/11/2026;;1;;;No engagement\n")
    result = world("import", "csv", "--table", "time", str(path))
    assert "2 created" in result.stdout and "2 skipped" in result.stdout
    assert "line 4, column 'Day'" in result.stderr and "not a real date" in result.stderr
    assert "line 5" in result.stderr and "no engagement" in result.stderr
    found = [(t["started_at"], t["minutes"], t["boss_kind"]) for t in time_entries(world)]
    assert found == [("2026-11-04T00:00:00", 150, "customer"), ("2026-11-03T00:00:00", 75, "self")]


# --- batches ---------------------------------------------------------------------------------

_WHO = ["Helen Brandt <helen@meridian.example>", "Helen", "Victor Lang <victor@meridian.example>",
        "victor@meridian.example", "Ann Lee <ann@acme.example>", "Ann Lee <ann.lee@gmail.com>",
        "Bob"]
_ask_rows = st.lists(st.tuples(
    st.sampled_from(["Budget", "Board pack", "Budget ", "", "Review"]),
    st.sampled_from([*_WHO, ""]),
    st.sampled_from(["Ledger", "ledger", "Audit", ""]),
    st.sampled_from(["2026-12-10", "friday", "", "the day after never"]),
    st.sampled_from(["open", "done", "", "sideways"]),
    st.sampled_from(["", "a", "a, b", '[""]']),
    st.sampled_from(["", "2026-11-01", "2026-11-02 10:00"]),
    st.sampled_from(["", "", "src-1", "src-2"]),
), max_size=14)
_people_rows = st.lists(st.tuples(
    st.sampled_from(["Helen Brandt", "Victor Lang", "Ann Lee", ""]),
    st.sampled_from(["helen@meridian.example", "hb@meridian.example", "ann@acme.example",
                     "ann.lee@gmail.com", "", "not an address"]),
    st.sampled_from(["Meridian", "Acme", ""]),
    st.sampled_from(["CFO", ""]),
    st.sampled_from(["+44 20 7946 0000", ""]),
), max_size=14)
_interaction_rows = st.lists(st.tuples(
    st.sampled_from(["Steering committee", "Budget call", ""]),
    st.sampled_from(["meeting", "call", "", "pigeon"]),
    st.sampled_from(["2026-11-20 10:00", "yesterday", "", "never"]),
    st.sampled_from(["; ".join(p) for p in ([], _WHO[:1], _WHO[2:4], _WHO[4:6], [_WHO[0], _WHO[6]])]),
    st.sampled_from(["Ledger", "Audit", ""]),
    st.sampled_from(["", "", "src-1"]),
), max_size=14)
_time_rows = st.lists(st.tuples(
    st.sampled_from(["2026-11-30", "2026-11-30 09:00", "yesterday", "never"]),
    st.sampled_from(["1:30", "2h", "0", "45m"]),
    st.sampled_from(["Ledger", "Audit", ""]),
    st.sampled_from(["", "customer", "nobody"]),
), max_size=14)


def _sheet(header: list[str], rows: list[tuple[str, ...]]) -> str:
    import csv
    import io
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


_HEADERS = {"asks": ["Title", "Requester", "Project", "Due", "Status", "Tags", "Asked", "Source"],
            "people": ["Name", "E-mail", "Company", "Job Title", "Phone"],
            "interactions": ["Summary", "Kind", "At", "Participants", "Project", "Source"],
            "time": ["Start", "Duration", "Project", "Boss"]}


def _imported(folder: str, table: str, runs: list[list[tuple[str, ...]]],
              size: int) -> tuple[list[Outcome], dict[str, str]]:
    """Each sheet of ``runs`` imported in turn, ``size`` rows a batch, into a new register in
    which "Bob" is ambiguous: the outcomes and what the register exports then."""
    store = open_store(str(Path(folder) / f"{size}.sqlite"))
    outcomes: list[Outcome] = []
    with store.begin() as conn:
        records.add(conn, BY_KIND["person"], {"name": "Bob Stone"}, NOW)
        records.add(conn, BY_KIND["person"], {"name": "Bob Roe"}, NOW)
        for rows in runs:
            sheet = csv_table.read(_sheet(_HEADERS[table], rows), table, "s.csv")
            outcomes.append(imports.store_all(conn, sheets.sheet_import(sheet, "s.csv", NOW, batch=size)))
    with store.read() as conn:
        shown = {t: sheets.export_sheet(conn, t, NOW) for t in ("people", "asks", "interactions", "time")}
    store.close()
    return outcomes, shown


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.tuples(st.just("asks"), _ask_rows, _ask_rows),
                 st.tuples(st.just("people"), _people_rows, _people_rows),
                 st.tuples(st.just("interactions"), _interaction_rows, _interaction_rows),
                 st.tuples(st.just("time"), _time_rows, _time_rows)))
def test_the_result_never_depends_on_the_batch_size(
        case: tuple[str, list[tuple[str, ...]], list[tuple[str, ...]]]) -> None:
    table, first, second = case
    with tempfile.TemporaryDirectory() as folder:
        results = [_imported(folder, table, [first, second, first], size) for size in (1, 7, 1000)]
    assert results[0] == results[1] == results[2]


def test_an_address_joining_a_namesake_in_a_batch(tmp_path: Path) -> None:
    """The second sheet's new Gmail address joins Helen, whom the batch read before: her row is
    compared with her as she is with it (unchanged), as when it is a batch of its own."""
    phone = "+44 20 7946 0000"
    helen = ("Helen Brandt", "helen@meridian.example", "Meridian", "CFO", phone)
    first = [helen, ("Helen Brandt", "hb@meridian.example", "", "CFO", phone), helen]
    second = [("Helen Brandt", "ann.lee@gmail.com", "Meridian", "CFO", phone),
              ("Helen Brandt", "helen@meridian.example", "Acme", "CFO", phone)]
    alone, together = (_imported(str(tmp_path), "people", [first, second, first], size) for size in (1, 7))
    assert [(o.created, o.updated, o.unchanged) for o in alone[0]] == [(1, 2, 0), (0, 1, 1), (0, 3, 0)]
    assert together == alone


def test_a_row_refused_in_its_own_savepoint_keeps_the_asks_before_it(tmp_path: Path) -> None:
    """The second row names Helen by name and has an empty tag: it is taken alone, in a
    savepoint, after its look-up of "Budget" inserted the first row's ask; refusing it must
    not take that ask back with it."""
    rows = [("Budget", "", "", "", "", "", "2026-11-01", ""),
            ("Budget", "Helen", "", "", "", '[""]', "2026-11-01", "")]
    alone, together = (_imported(str(tmp_path), "asks", [rows], size) for size in (1, 7))
    ((outcome,), shown) = alone
    assert (outcome.created, [p.reason for p in outcome.problems]) == (1, ["ask tag: an empty value"])
    assert shown["asks"].count("\nBudget,") == 1
    assert together == alone


# --- organisations a sheet names ------------------------------------------------------------

_MAIL = """From: {sender}
To: {to}
Subject: {subject}
Date: Tue, 24 Nov 2026 10:00:00 +0000
Message-ID: <{subject}@example>

Shall we meet on Friday?
"""


def _register(patron: Patron) -> tuple[dict[str, str | None], list[str]]:
    """Who belongs to which organisation, and the organisations' names."""
    found = {p["name"]: p["organisation"] for p in json.loads(patron.ok("person list --json"))}
    return found, sorted(o["name"] for o in json.loads(patron.ok("organisation list --json")))


def test_a_sheets_companies_and_a_mailbox_give_one_register_in_either_order(tmp_path: Path) -> None:
    sheet = write(tmp_path, "contacts", "Name,Email,Company\n"
                                        "Jeff Skilling,jeff@ect.enron.com,Enron\n"
                                        "Helen Brandt,helen@northwind.example,Northwind\n"
                                        "Victor Lang,victor@northwind.example,NORTHWIND\n"
                                        "Ann Lee,ann@meridian.example,Meridian Consulting\n")
    mail = tmp_path / "mail"
    mail.mkdir()
    for n, (sender, to) in enumerate([
            ("Ken Lay <ken@enron.com>", "Sara Shackleton <sara@ect.enron.com>, bob@meridian.example"),
            ("Helen Brandt <helen@northwind.example>", "Ken Lay <ken@enron.com>")]):
        (mail / f"{n}.eml").write_text(_MAIL.format(sender=sender, to=to, subject=f"m{n}"))
    registers = []
    for order in (("csv", "mail"), ("mail", "csv")):
        patron = Patron(str(tmp_path / f"{'-'.join(order)}.sqlite"), CliRunner())
        for what in order:
            patron.ok(f"import csv --table people {sheet}" if what == "csv" else f"import mail {mail}")
        registers.append(_register(patron))
    assert registers[0] == registers[1]
    people, organisations = registers[0]
    # the name a domain wants goes to the domain first in claim order, as mail alone gives it;
    # a company named in other words is an organisation of its own
    assert organisations == ["Enron", "Meridian", "Meridian Consulting", "Northwind", "ect.enron.com"]
    assert people["Ken Lay"] == "Enron" and people["Jeff Skilling"] == "ect.enron.com"
    assert people["Helen Brandt"] == people["Victor Lang"] == "Northwind"
    assert people["Ann Lee"] == "Meridian Consulting"


def test_a_company_named_in_another_case_is_the_same_organisation(world: Patron, tmp_path: Path) -> None:
    world.ok("organisation add 'Acme Corp'")
    path = write(tmp_path, "cased", "Name,Email,Company\n"
                                    "Ann Lee,ann@gmail.com,ACME CORP\n"
                                    "Bob Stone,bob@outlook.com,acme corp\n")
    world.ok(f"import csv --table people {path}")
    assert {p["organisation"] for p in people(world).values()} == {"Acme Corp"}
    assert [o["name"] for o in json.loads(world.ok("organisation list --json"))] == ["Acme Corp"]
