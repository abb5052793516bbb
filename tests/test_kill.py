"""Killed imports: kill -9 of the whole process group at any moment leaves a register that
passes its integrity check, and running the same import again gives exactly what one
uninterrupted import gives (same rows, same names, no duplicates, nothing lost); a restore
killed half-way leaves the target empty or whole.

Each case runs ``patron`` as a real process in its own process group, watches the register
through a separate read connection, and kills the group with SIGKILL when the watched table
first shows rows, when it holds about half of them, or (for an import written in one
transaction, whose rows show only at the end) after a share of an uninterrupted run's time.
Mail is imported in small batches in the killed and resumed runs (``KILL_TEST_BATCH``) and
in the default ones in the uninterrupted run, so the comparison also holds the result to
not depending on batch boundaries.

Registers are compared table by table as multisets of rows in which every id is replaced by
the row it points to, so two registers compare equal when they hold the same records and
links whatever ids they were given, and a duplicate or a renamed organisation shows.
"""

from __future__ import annotations

import csv
import imaplib
import io
import json
import mailbox
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.pool import NullPool

from patron.samples import orgmail
from patron.store import schema
from patron.store.database import open_store
from tests.conftest import NOW, ImapServer, drop_postgres, fresh_postgres_url

MESSAGES = 400
"""Mail messages (Maildir, mbox, IMAP): a second or two of import on a loaded machine."""
SMALL_BATCH = 80
"""Messages per transaction in the killed and resumed runs: several batches to kill between."""

LAUNCH = "\n".join([
    "import os",
    "import patron.services.mail as mail",
    "mail.BATCH = int(os.environ.get('KILL_TEST_BATCH') or mail.BATCH)",
    "mail.IN_FLIGHT = max(2 * mail.BATCH // mail.CHUNK, 1)",
    "from patron.cli.main import main",
    "main(prog_name='patron')",
])
"""``python -c`` for ``patron``, with the mail batch size the test chooses."""


# --- registers: where they are, how they are read and compared ---------------------------


@dataclass
class Register:
    """One register under test: a SQLite file, or a PostgreSQL database of its own."""

    url: str

    @property
    def sqlite(self) -> bool:
        return "://" not in self.url

    def engine_url(self) -> str:
        return f"sqlite:///{self.url}" if self.sqlite else self.url


class Registers:
    """Fresh registers on one backend, dropped at the end (PostgreSQL)."""

    def __init__(self, backend: str, folder: Path) -> None:
        self.backend, self.folder = backend, folder
        self.made: list[str] = []
        self.serial = 0

    def fresh(self, schema: bool = False) -> Register:
        """A new register: nothing at all, or (``schema``) an empty one at the current schema."""
        self.serial += 1
        if self.backend == "sqlite":
            register = Register(str(self.folder / f"register{self.serial}.sqlite"))
        else:
            register = Register(fresh_postgres_url())
            self.made.append(register.url)
        if schema:
            open_store(register.url).close()
        return register

    def drop(self) -> None:
        for url in self.made:
            drop_postgres(url)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def registers(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Registers]:
    made = Registers(request.param, tmp_path)
    yield made
    made.drop()


@pytest.fixture
def sqlite_registers(tmp_path: Path) -> Registers:
    return Registers("sqlite", tmp_path)


Canonical = dict[str, Counter[str]]


def rows_of(register: Register) -> dict[str, list[dict[str, Any]]]:
    """Every table's rows, read through a connection of the test's own."""
    engine = create_engine(register.engine_url(), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return {table.name: [dict(row._mapping) for row in conn.execute(select(table))]
                    for table in schema.metadata.sorted_tables}
    finally:
        engine.dispose()


def canonical(tables: dict[str, list[dict[str, Any]]]) -> Canonical:
    """Each table as a multiset of rows without ids: a reference to another row is that row
    (itself without ids), so equal registers compare equal whatever ids they were given."""
    by_id = {name: {row["id"]: row for row in rows} for name, rows in tables.items()
             if "id" in schema.metadata.tables[name].c}
    memo: dict[tuple[str, int], Any] = {}

    def pointed(table: str, ident: int | None, seen: frozenset[tuple[str, int]]) -> Any:
        if ident is None:
            return None
        if (table, ident) in memo:
            return memo[table, ident]
        if (table, ident) in seen:
            return f"<cycle in {table}>"
        row = by_id[table].get(ident)
        found = f"<no {table} {ident}>" if row is None else described(table, row, seen | {(table, ident)})
        memo[table, ident] = found
        return found

    def described(table: str, row: dict[str, Any], seen: frozenset[tuple[str, int]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for column in schema.metadata.tables[table].c:
            value = row[column.name]
            if column.name == "id" and column.primary_key:
                continue
            targets = list(column.foreign_keys)
            out[column.name] = (pointed(targets[0].column.table.name, value, seen) if targets
                                else value)
        return out

    return {name: Counter(json.dumps(described(name, row, frozenset()), sort_keys=True, default=str)
                          for row in rows)
            for name, rows in tables.items()}


def differences(expected: Canonical, got: Canonical, shown: int = 3) -> list[str]:
    """What one register has and the other has not, table by table (duplicates count)."""
    lines: list[str] = []
    for table in expected:
        missing, extra = expected[table] - got[table], got[table] - expected[table]
        if missing or extra:
            lines.append(f"{table}: {sum(missing.values())} rows missing, {sum(extra.values())} "
                         "rows extra (or duplicated)")
            lines += [f"  - {row[:400]}" for row in list(missing)[:shown]]
            lines += [f"  + {row[:400]}" for row in list(extra)[:shown]]
    return lines


def assert_same(expected: Canonical, got: Canonical, what: str) -> None:
    found = differences(expected, got)
    assert not found, f"{what} differs from one uninterrupted import:\n" + "\n".join(found)


def assert_sound(register: Register) -> None:
    """SQLite's own checks pass (on PostgreSQL the server keeps its constraints itself)."""
    if not register.sqlite or not Path(register.url).exists():
        return
    conn = sqlite3.connect(register.url)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        conn.close()


def count(register: Register, table: str) -> int | None:
    """Rows of a table as another reader sees them now; None where it cannot be read yet."""
    if register.sqlite:
        if not Path(register.url).exists():
            return None
        try:
            reader = sqlite3.connect(f"file:{register.url}?mode=ro", uri=True, timeout=0.05)
            try:
                return int(reader.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
            finally:
                reader.close()
        except sqlite3.Error:
            return None
    engine = create_engine(register.url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(schema.metadata.tables[table]))
                       .scalar_one())
    except Exception:  # the schema is not there yet
        return None
    finally:
        engine.dispose()


def writing(register: Register) -> bool:
    """A transaction is open: SQLite's rollback journal is there, or PostgreSQL shows another
    session of the database in a transaction."""
    if register.sqlite:
        return Path(register.url + "-journal").exists()
    engine = create_engine(register.url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return bool(conn.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND xact_start IS NOT NULL")).scalar_one())
    except Exception:  # the database is busy being made or dropped
        return False
    finally:
        engine.dispose()


def empty(register: Register) -> bool:
    """No database, no tables, or every table of the schema empty."""
    if register.sqlite and not Path(register.url).exists():
        return True
    engine = create_engine(register.engine_url(), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            names = set(conn.execute(text(
                "SELECT name FROM sqlite_master WHERE type = 'table'" if register.sqlite else
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars())
            return all(conn.execute(select(func.count()).select_from(table)).scalar_one() == 0
                       for table in schema.metadata.sorted_tables if table.name in names)
    finally:
        engine.dispose()


# --- running patron and killing it ---------------------------------------------------------


@dataclass(frozen=True)
class Point:
    """When to kill: after ``share`` of an uninterrupted run's time, once the watched table
    holds ``rows`` of its final count (a share; 0 means its first row), and, with
    ``writing``, while a transaction writes (SQLite's rollback journal is there)."""

    share: float
    rows: float | None = None
    writing: bool = False

    def __str__(self) -> str:
        when = [f"after {self.share:.0%} of the time"]
        when += [] if self.rows is None else [f"at {self.rows:.0%} of the rows"]
        return " ".join(when + (["while writing"] if self.writing else []))


BATCHED = [Point(0.0, rows=0.0), Point(0.0, rows=0.5)]
"""Imports that commit batch by batch: kill when the first batch shows, then half-way."""
ONE_TRANSACTION = [Point(0.0, writing=True), Point(0.6, writing=True)]
"""Imports written in one transaction: kill as it starts writing, then later in it."""


@dataclass
class Command:
    """``patron --db REGISTER ARGS...`` as a process of its own."""

    args: list[str]
    env: dict[str, str] = field(default_factory=dict)

    def argv(self, register: Register) -> list[str]:
        return [sys.executable, "-c", LAUNCH, "--db", register.url, *self.args]

    def environment(self, batch: int | None) -> dict[str, str]:
        env = {**os.environ, **self.env, "PATRON_NOW": NOW.isoformat(), "CI": "1", "TZ": "UTC"}
        env.pop("KILL_TEST_BATCH", None)
        if batch:
            env["KILL_TEST_BATCH"] = str(batch)
        return env

    def run(self, register: Register, batch: int | None = None) -> float:
        """Run to the end; its wall-clock seconds."""
        began = time.monotonic()
        done = subprocess.run(self.argv(register), env=self.environment(batch), capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, f"{self.args} failed ({done.returncode}): {done.stderr[-2000:]}"
        return time.monotonic() - began

    def kill(self, register: Register, point: Point, watch: tuple[str, int], seconds: float,
             batch: int | None = None) -> bool:
        """Start it, kill its process group at ``point``; False when it ended first."""
        table, final = watch
        rows = None if point.rows is None else max(1, int(final * point.rows))
        process = subprocess.Popen(self.argv(register), env=self.environment(batch),
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   start_new_session=True)
        began = time.monotonic()
        try:
            while process.poll() is None:
                if (time.monotonic() - began >= point.share * seconds
                        and (not point.writing or writing(register))
                        and (rows is None or (count(register, table) or 0) >= rows)):
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
                    print(f"killed {self.args[:2]} {point}: at {time.monotonic() - began:.2f} s"
                          f" of {seconds:.2f}; then: transaction left {writing(register)}, {table} "
                          f"{count(register, table)} of {final}", file=sys.stderr)  # shown on failure
                    return process.returncode == -signal.SIGKILL
                time.sleep(0.02)
            return False
        finally:
            _reap(process.pid)


def _reap(group: int) -> None:
    """Kill whatever is left of the group (pool workers), and wait until it is gone."""
    for _ in range(100):
        try:
            os.killpg(group, signal.SIGKILL)
        except ProcessLookupError:
            return
        time.sleep(0.02)


@dataclass
class Case:
    """An import, the table that shows its progress, and where to kill it."""

    command: Command
    watch: str
    points: list[Point]
    batch: int | None = None
    schema: bool = False
    """Kill it in a register made (empty) beforehand, so that the transaction seen writing is
    the import's and not the making of the schema."""


def killed(command: Command, registers: Registers, point: Point, watch: tuple[str, int],
           seconds: float, schema: bool = False, batch: int | None = None) -> Register:
    """A fresh register in which the command was killed at ``point``, or sooner where it
    ended first (the machine ran faster than in the uninterrupted run)."""
    for attempt in (point, Point(point.share / 3)):
        register = registers.fresh(schema)
        if command.kill(register, attempt, watch, seconds, batch):
            return register
    raise AssertionError(f"{command.args[:2]} ended before it could be killed {point}")


def check_kills(case: Case, registers: Registers) -> None:
    """One uninterrupted import; then for each point a killed one (sound afterwards), run
    again to the end, equal to the uninterrupted one."""
    whole = registers.fresh()
    seconds = case.command.run(whole)
    expected_rows = rows_of(whole)
    final = len(expected_rows[case.watch])
    assert final > 0, f"the uninterrupted import stored no {case.watch}"
    expected = canonical(expected_rows)
    for point in case.points:
        register = killed(case.command, registers, point, (case.watch, final), seconds,
                          case.schema, case.batch)
        assert_sound(register)
        case.command.run(register, case.batch)
        assert_sound(register)
        assert_same(expected, canonical(rows_of(register)), f"killed at {point}, then run again,")


# --- inputs --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An organisation's year of mail (people, outsiders, threads), fixed by its seed."""
    path = tmp_path_factory.mktemp("mail") / "org.mbox"
    orgmail.write_mbox(orgmail.generate(11, employees=80, outsiders=40, messages=MESSAGES), path)
    return path


@pytest.fixture(scope="module")
def maildirs(mbox: Path, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The same mail as two Maildir folders (inbox and archive), one file a message."""
    root = tmp_path_factory.mktemp("maildir")
    folders = [root / "inbox", root / "archive"]
    for folder in folders:
        for sub in ("cur", "new", "tmp"):
            (folder / sub).mkdir(parents=True)
    for i, message in enumerate(mailbox.mbox(str(mbox))):
        (folders[i % 2] / "cur" / f"{1_700_000_000 + i}.{i}.test:2,S").write_bytes(message.as_bytes())
    return folders


def calendar(events: int) -> str:
    rng = random.Random(3)
    people = [f"Person {i} <person{i}@org{i % 12}.example>" for i in range(150)]
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//kill test//EN"]
    for i in range(events):
        start = NOW - timedelta(days=events - i, hours=rng.randint(0, 8))
        who = rng.sample(people, 3)
        lines += ["BEGIN:VEVENT", f"UID:kill-{i}", f"DTSTART:{start:%Y%m%dT%H%M%S}",
                  f"DTEND:{start + timedelta(hours=1):%Y%m%dT%H%M%S}", f"SUMMARY:Meeting {i}",
                  *(f"ATTENDEE;CN={w.split(' <')[0]};PARTSTAT=ACCEPTED:mailto:{w.split('<')[1][:-1]}"
                    for w in who), "END:VEVENT"]
    return "\r\n".join([*lines, "END:VCALENDAR", ""])


def address_book(cards: int) -> str:
    """Cards with names, one or two addresses (half at firms shared by ten), organisations,
    titles and phones; some people appear twice (the same address on two cards)."""
    out = []
    for i in range(cards):
        n = i - 7 if i % 25 == 0 and i else i  # every 25th card repeats an earlier person's address
        domain = f"firm{n // 10}.example" if n % 2 else "mail.example"
        lines = [f"UID:kill-card-{i}", f"FN:Person {n} Example", f"N:Example;Person {n};;;",
                 f"EMAIL:person{n}@{domain}", f"ORG:Firm {n // 10}", "TITLE:Director",
                 f"TEL:+44 20 {n:07d}"]
        if i % 3 == 0:
            lines.append(f"EMAIL:p{n}@home.example")
        out.append("BEGIN:VCARD\r\nVERSION:3.0\r\n" + "".join(f"{x}\r\n" for x in lines) + "END:VCARD\r\n")
    return "".join(out)


def people_sheet(rows: int) -> str:
    sheet = io.StringIO()
    writer = csv.writer(sheet)
    writer.writerow(["Name", "Email", "Company", "Title", "Phone"])
    for i in range(rows):
        n = i - 3 if i % 20 == 0 and i else i  # some rows repeat a person
        writer.writerow([f"Person {n} Sheet", f"person{n}@firm{n % 40}.example", f"Firm {n % 40}",
                         "Manager", f"+1 555 {n:07d}"])
    return sheet.getvalue()


def asks_sheet(rows: int) -> str:
    sheet = io.StringIO()
    writer = csv.writer(sheet)
    writer.writerow(["title", "from", "engagement", "status", "due", "value"])
    for i in range(rows):
        writer.writerow([f"Ask number {i}", f"person{i % 60}@firm{i % 15}.example", f"Project {i % 8}",
                         "done" if i % 7 == 0 else "open", (date(2026, 12, 1) + timedelta(days=i % 90))
                         .isoformat(), str(1 + i % 5)])
    return sheet.getvalue()


def todo_txt(tasks: int) -> str:
    lines = []
    for i in range(tasks):
        done = "x 2026-11-10 " if i % 9 == 0 else ""
        priority = f"({'ABCDE'[i % 5]}) " if i % 3 else ""
        lines.append(f"{done}{priority}2026-10-{1 + i % 28:02d} Task {i} for the report "
                     f"+project{i % 12} @context{i % 4} due:2026-12-{1 + i % 28:02d}")
    return "\n".join(lines) + "\n"


def taskwarrior_export(tasks: int) -> str:
    rng = random.Random(5)
    ids = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(tasks)]
    out = []
    for i, ident in enumerate(ids):
        task: dict[str, Any] = {"uuid": ident, "description": f"Task {i}", "status": "pending",
                                "entry": f"202610{1 + i % 28:02d}T090000Z", "project": f"Project {i % 10}",
                                "tags": [f"tag{i % 6}"]}
        if i % 4 == 0:
            task["priority"] = "HML"[i % 3]
        if i % 5 == 0 and i:
            task["depends"] = [ids[i - 1]]
        if i % 11 == 0:
            task.update(status="completed", end="20261105T090000Z")
        out.append(task)
    return json.dumps(out)


# --- the cases -----------------------------------------------------------------------------


def mail_case(paths: list[Path]) -> Case:
    return Case(Command(["import", "mail", *map(str, paths)]), "interaction", BATCHED, SMALL_BATCH)


def test_killed_maildir_import_resumes_to_the_same_register(maildirs: list[Path],
                                                            registers: Registers) -> None:
    check_kills(mail_case(maildirs), registers)


def test_killed_mbox_import_resumes_to_the_same_register(mbox: Path,
                                                         sqlite_registers: Registers) -> None:
    case = mail_case([mbox])
    case.points = BATCHED[1:]  # one point: the mail is the Maildir's, the reading differs
    check_kills(case, sqlite_registers)


def test_folder_order_does_not_change_the_register(maildirs: list[Path],
                                                   sqlite_registers: Registers) -> None:
    """The same folders named in the other order, in small batches, give the same register."""
    forward, backward = sqlite_registers.fresh(), sqlite_registers.fresh()
    mail_case(maildirs).command.run(forward)
    mail_case(maildirs[::-1]).command.run(backward, SMALL_BATCH)
    assert_same(canonical(rows_of(forward)), canonical(rows_of(backward)),
                "the folders in the other order, in small batches,")


ONE_TRANSACTION_CASES: dict[str, tuple[Callable[[int], str], str, list[str], str, int]] = {
    "ics": (calendar, "calendar.ics", ["import", "ics"], "interaction", 300),
    "vcard": (address_book, "book.vcf", ["import", "vcard"], "person", 160),
    "csv-people": (people_sheet, "people.csv", ["import", "csv", "--table", "people"], "person", 200),
    "csv-asks": (asks_sheet, "asks.csv", ["import", "csv", "--table", "asks"], "ask", 250),
    "todotxt": (todo_txt, "todo.txt", ["import", "todotxt"], "ask", 300),
    "taskwarrior": (taskwarrior_export, "tasks.json", ["import", "taskwarrior"], "ask", 300),
}


@pytest.mark.parametrize("name", list(ONE_TRANSACTION_CASES))
def test_killed_import_resumes_to_the_same_register(name: str, tmp_path: Path,
                                                    sqlite_registers: Registers) -> None:
    make, file, args, watch, size = ONE_TRANSACTION_CASES[name]
    path = tmp_path / file
    path.write_text(make(size), encoding="utf-8")
    check_kills(Case(Command([*args, str(path)]), watch, ONE_TRANSACTION, schema=True),
                sqlite_registers)


# --- IMAP, against the Dovecot of scripts/with-dovecot --------------------------------------


@pytest.fixture
def imap_folder(imap_server: ImapServer, mbox: Path) -> Iterator[str]:
    """A fresh folder holding the generated mail."""
    name = f"kill-{uuid.uuid4().hex[:12]}"
    client = imap_server.client()
    assert client.create(name)[0] == "OK"
    for message in mailbox.mbox(str(mbox)):
        assert client.append(name, r"(\Seen)", imaplib.Time2Internaldate(time.time()),
                             message.as_bytes())[0] == "OK"
    yield name
    client.delete(name)
    client.logout()


def test_killed_imap_import_resumes_to_the_same_register(imap_server: ImapServer, imap_folder: str,
                                                         sqlite_registers: Registers) -> None:
    command = Command(["import", "imap", *imap_server.options(imap_folder).split()[2:]],
                      {"PATRON_IMAP_PASSWORD": imap_server.password})
    check_kills(Case(command, "interaction", BATCHED, SMALL_BATCH), sqlite_registers)


# --- restore -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def backup(mbox: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An export of a register holding the generated mail and a calendar."""
    folder = tmp_path_factory.mktemp("backup")
    register = Register(str(folder / "source.sqlite"))
    (folder / "calendar.ics").write_text(calendar(300), encoding="utf-8")
    Command(["import", "mail", str(mbox)]).run(register)
    Command(["import", "ics", str(folder / "calendar.ics")]).run(register)
    target = folder / "backup.json"
    Command(["export", "-o", str(target)]).run(register)
    return target


def test_killed_restore_leaves_the_target_empty_or_whole(backup: Path, registers: Registers) -> None:
    command = Command(["restore", str(backup)])
    whole = registers.fresh()
    seconds = command.run(whole)
    expected = canonical(rows_of(whole))
    final = sum(expected["interaction"].values())
    # into nothing at all (killed while starting or making the schema), then into an empty
    # register made beforehand (killed while the restore's transaction is open)
    for point, made in [(Point(0.4), False), (Point(0.2, writing=True), True)]:
        register = killed(command, registers, point, ("interaction", final), seconds, made)
        assert_sound(register)
        if empty(register):
            command.run(register)  # an empty target takes the restore again
        assert_same(expected, canonical(rows_of(register)), f"a restore killed at {point}")


def test_the_comparison_sees_a_duplicate_and_a_renamed_organisation(tmp_path: Path) -> None:
    """What the cases above rely on: ids do not count, a duplicate and a new name do."""
    book = tmp_path / "book.vcf"
    book.write_text(address_book(30), encoding="utf-8")
    registers = Registers("sqlite", tmp_path)
    first, second = registers.fresh(), registers.fresh()
    for register in (first, second):
        Command(["import", "vcard", str(book)]).run(register)
    expected = canonical(rows_of(first))
    engine = create_engine(second.engine_url(), poolclass=NullPool)
    with engine.begin() as conn:
        person = conn.execute(select(schema.person).limit(1)).mappings().one()
        conn.execute(schema.person.insert().values({k: v for k, v in person.items() if k != "id"}))
        conn.execute(schema.organisation.update().where(schema.organisation.c.id == 1)
                     .values(name="Renamed Ltd"))
    engine.dispose()
    got = canonical(rows_of(second))
    found = "\n".join(differences(expected, got))
    assert got["person"].total() == expected["person"].total() + 1
    assert any(times == 2 for times in got["person"].values())
    assert "organisation: 1 rows missing, 1 rows extra" in found and "Renamed Ltd" in found
    assert differences(expected, canonical(rows_of(first))) == []
