"""Spreadsheets in and out: people, asks, interactions and time entries as CSV
(docs/spreadsheets.md).

A row is the same record as before when:

* people: one of its addresses is known (``people.Directory``), or, for a row with
  no address, one person has exactly its name;
* asks and interactions: it has the same ``source`` (a column ``export csv``
  writes); without a source, the same title and asked date (asks) or summary and
  date (interactions), as an export of asks made by hand gives; without either,
  the key ``csv:<table>:<hash>`` of its title (summary), requester (participants)
  and engagement, kept as the record's source, so that a status or due date
  changed in the sheet updates the record instead of adding one.

* time entries: the same engagement and start (the nth row of a sheet with one engagement
  and start is the nth entry stored with them, so a day's rows without a time of day stay
  apart); its length, boss and note are updated from the sheet.

Patron's ids are not written or read: they differ from one database to the next.
A mapped column's empty cell clears the value (a required one, the status or the
asked date keep theirs); a column that is not mapped leaves the field alone.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, event, func, insert, select, tuple_
from sqlalchemy.exc import DataError, IntegrityError

from patron import dates
from patron.domain.addresses import display_name, normal_address
from patron.domain.records import ASK, GOAL, INTERACTION, ORGANISATION, PERSON, TIME_ENTRY, RecordKind
from patron.domain.vocabulary import BOSS_KIND_OF_ENGAGEMENT, EngagementKind
from patron.errors import Ambiguous, InvalidInput, NotFound, PatronError
from patron.importers.base import Outcome, Problem
from patron.importers.csv_table import FIELDS, Cell, Row, Sheet, join_list, person_ref, show_person
from patron.services import records
from patron.services.exchange import SELF_PROJECT, engagement_named
from patron.services.imports import Import
from patron.services.names import resolve
from patron.services.people import Directory
from patron.store import schema
from patron.store.pieces import chunks

ASK_FIELDS = {"title": "title", "requester": "requester_id", "engagement": "engagement_id",
              "status": "status", "due": "due_at", "effort": "effort_hours", "value": "value",
              "tags": "tags", "asked": "created_at", "done": "done_at",
              "deliverable": "deliverable", "goal": "goal_id", "annotations": "annotations",
              "notes": "notes", "source": "source"}
INTERACTION_FIELDS = {"summary": "summary", "kind": "kind", "at": "occurred_at",
                      "engagement": "engagement_id", "participants": "participants",
                      "direction": "direction", "sentiment": "sentiment", "notes": "notes",
                      "source": "source"}
KEEP_WHEN_EMPTY = frozenset({"title", "summary", "status", "created_at", "kind", "occurred_at",
                             "direction"})
"""Fields a record cannot be without: an empty cell leaves them as they are."""

VALUE_WORDS = {"high": 5, "h": 5, "medium": 3, "m": 3, "low": 1, "l": 1,
               "a": 5, "b": 4, "c": 3, "d": 2, "e": 1}
"""Priorities as other tools write them, read as an ask's value (0-5)."""


class CellError(InvalidInput):
    """A cell that cannot be read; the problem names its column."""

    def __init__(self, cell: Cell, message: str) -> None:
        super().__init__(message)
        self.column = cell.column


BATCH = 500
"""Rows stored per savepoint; the records they may be and their people's addresses are looked
up once for the batch, and new asks and time entries inserted together."""


@dataclass
class _Known:
    """The records of a table a batch of rows may be, looked up together: by source, and
    (with no source) by label. A key is answered from here while it is ``covered``; storing a
    record uncovers its keys, so the next row asks the database again."""

    by_source: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    by_label: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    sources: set[str] = field(default_factory=set)
    labels: set[str] = field(default_factory=set)
    bases: dict[tuple[int, str], str] = field(default_factory=dict)  # (line, label) -> key base
    entries: dict[tuple[int, datetime], list[dict[str, Any]]] = field(default_factory=dict)
    pairs: set[tuple[str, datetime]] = field(default_factory=set)  # (engagement, start) looked up


@dataclass
class _Import:
    conn: Connection
    sheet: Sheet
    now: datetime
    directory: Directory
    outcome: Outcome = field(default_factory=Outcome)
    seen: dict[str, int] = field(default_factory=dict)
    engagements: dict[str, int | None] = field(default_factory=dict)
    known: _Known = field(default_factory=_Known)
    people: dict[int, dict[str, Any]] = field(default_factory=dict)  # person records, as read
    organisations: dict[str, int] = field(default_factory=dict)      # by name, lower case
    organisations_read: tuple[int, int] | None = None  # the directory's tally when they were read
    plain: dict[str, Any] | None = None  # the row's cells that need no look-up, read already
    pending: list[dict[str, Any]] = field(default_factory=list)  # new asks or entries, inserted together
    bosses: dict[int, str] = field(default_factory=dict)  # an engagement's boss kind, by id
    cells: dict[tuple[Any, ...], Any] = field(default_factory=dict)  # cells read, by text
    refs: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)  # person_ref's
    plains: dict[int, dict[str, Any]] = field(default_factory=dict)  # plain cells read, by line
    persons: dict[str, int] = field(default_factory=dict)  # people named by address, by cell text
    fields: list[tuple[str, str]] = field(default_factory=list)  # the mapped (field, column)s
    made: bool = False  # the batch's people were made before its rows were taken

    def flush(self) -> None:
        """Insert the new asks (or time entries) taken since the last flush (one statement)."""
        if self.pending:
            table = schema.time_entry if self.sheet.table == "time" else schema.ask
            self.conn.execute(insert(table), self.pending)
            self.pending = []

    def saved(self) -> Callable[[], None]:
        """A way back to what the import knows now, for after a row's savepoint is rolled
        back (cheaper than forgetting, and exactly as true)."""
        d = self.directory
        state = (d._people.copy(), d._absent.copy(), {k: v.copy() for k, v in d._namesakes.items()},
                 d._orgs.copy(), replace(d.tally), self.engagements.copy(), self.people.copy(),
                 self.organisations.copy(), self.organisations_read, self.persons.copy())

        def restore() -> None:
            (d._people, d._absent, d._namesakes, d._orgs, d.tally, self.engagements, self.people,
             self.organisations, self.organisations_read, self.persons) = state
            self.directory = d
        return restore

    def forget(self) -> None:
        """What a rolled-back savepoint may have undone. ``known`` stays: storing a record
        uncovered its keys, so what is still covered was not touched."""
        self.directory = Directory(self.conn, organisations=self.directory.organisations,
                                   tally=self.directory.tally)
        self.engagements.clear()
        self.people.clear()
        self.organisations.clear()
        self.organisations_read = None
        self.persons.clear()
        self.bosses.clear()
        self.pending = []


def sheet_import(sheet: Sheet, source: str, now: datetime, batch: int = BATCH) -> Import[Row]:
    """A sheet to import (``csv_table.load`` read it): every row as a person, an ask, an
    interaction or a time entry, stored ``batch`` rows at a time in the import's one
    transaction (a dry run rolls it back). A row that fails is a problem and leaves nothing
    behind; what is stored does not depend on where batches end."""
    return Import(sheet.reading(), _SheetWriter(sheet, source, now), source, "row", batch=batch)


@dataclass
class _SheetWriter:
    """Stores a sheet's rows a batch at a time, in a savepoint each. Rows are taken one after
    another against what the rows before them stored, whatever the batch: a row refused
    before it wrote anything is a problem and the batch goes on; a batch in which a row failed
    after writing is rolled back and taken again row by row, each in its own savepoint."""

    sheet: Sheet
    source: str
    now: datetime
    job: _Import | None = None

    @property
    def outcome(self) -> Outcome:
        return Outcome() if self.job is None else self.job.outcome

    def write(self, conn: Connection, batch: Sequence[Row]) -> None:
        job = self._job(conn)
        job.made = False
        rows = list(batch)
        outcome = replace(job.outcome, problems=list(job.outcome.problems))
        seen = dict(job.seen)
        with _counted(conn) as writes:
            try:
                with conn.begin_nested():
                    _learn(job, rows)
                    for row in rows:
                        _take(job, row, self.source, writes)
                    job.flush()
            except (PatronError, DataError, IntegrityError):
                job.outcome, job.seen = outcome, seen
                job.forget()
                job.known = _Known()
                for row in rows:
                    _one(job, row, self.source)

    def finish(self, conn: Connection) -> None:
        """Nothing links rows of different batches."""

    def _job(self, conn: Connection) -> _Import:
        if self.job is None:
            organisations = not (self.sheet.table == "people" and self.sheet.mapped("organisation"))
            self.job = _Import(conn, self.sheet, self.now, Directory(conn, organisations=organisations))
            every = ASK_FIELDS if self.sheet.table == "asks" else INTERACTION_FIELDS
            self.job.fields = [(n, c) for n, c in every.items() if self.sheet.mapped(n)]
        self.job.conn = conn
        self.job.directory.conn = conn
        return self.job


def _take(job: _Import, row: Row, source: str, writes: list[int]) -> None:
    """One row of a batch; an error after the row wrote something is left to the batch."""
    try:
        job.plain = job.plains.pop(row.line) if row.line in job.plains else _plain_cells(job, row)
    except PatronError as exc:
        if _by_address(job, row):
            # Its people are named by address, which cannot fail: the cell that failed is the
            # one taking the row reports, and there is nothing to make and take back.
            _problem(job, row, source, exc)
            return
        # It fails, but may first create its requester or engagement (and which error it
        # reports depends on the order of its cells): it is taken in a savepoint of its own,
        # and what the import knew put back after it, unless it names nobody new.
        _one(job, row, source, job.saved() if _may_write(job, row) else _as_it_was)
        return
    before = writes[0]
    try:
        result = _ROWS[job.sheet.table](job, row)
    except PatronError as exc:
        if writes[0] != before or job.made:  # it may have been the one to need a person made
            raise
        _problem(job, row, source, exc)
        return
    finally:
        job.plain = None
    setattr(job.outcome, result, getattr(job.outcome, result) + 1)


def _by_address(job: _Import, row: Row) -> bool:
    """Whether an ask or interaction row names every person by address (its requester and
    participants can then be found or made, never refused)."""
    if job.sheet.table not in _STORED:
        return False
    cells = [c for c in [row.text("requester")] if c is not None] if job.sheet.mapped("requester") else []
    if job.sheet.mapped("participants"):
        cells += row.items("participants")
    return all(_ref(job, c.text)[1] is not None for c in cells)


def _may_write(job: _Import, row: Row) -> bool:
    """Whether taking the row may make a person, an engagement or a goal: whether it names
    one the import has not met yet."""
    for name in ("requester", "engagement", "goal", "participants"):
        if not job.sheet.mapped(name):
            continue
        if name == "participants":
            cells = row.items(name)
        else:
            cell = row.text(name)
            cells = [] if cell is None else [cell]
        for cell in cells:
            met = job.engagements if name == "engagement" else job.persons
            if name == "goal" or (cell.text.strip() if name == "engagement" else cell.text) not in met:
                return True
    return False


def _as_it_was() -> None:
    """Nothing to put back: the row wrote nothing the import knows of."""


def _one(job: _Import, row: Row, source: str, restore: Callable[[], None] | None = None) -> None:
    """One row in its own savepoint, read as the rows of an import always were."""
    # The asks or entries earlier rows left to insert go in first: inserted inside the row's
    # savepoint (a look-up the batch does not cover flushes them), they would be rolled back
    # with the row.
    job.flush()
    try:
        with job.conn.begin_nested():
            result = _ROWS[job.sheet.table](job, row)
            job.flush()
    except PatronError as exc:
        _problem(job, row, source, exc)
        if restore is None:
            job.forget()  # what the row created is rolled back
        else:
            restore()
        job.known.entries.clear()  # a time entry it stored, rolled back
        job.known.pairs.clear()
        return
    setattr(job.outcome, result, getattr(job.outcome, result) + 1)


def _problem(job: _Import, row: Row, source: str, exc: PatronError) -> None:
    column = f", column {exc.column!r}" if isinstance(exc, CellError) else ""
    job.outcome.problems.append(Problem(f"{source}: line {row.line}{column}", str(exc)))


_REFERENCES = frozenset({"requester", "engagement", "goal", "participants"})
_LISTED = frozenset({"tags", "annotations"})


def _plain_cells(job: _Import, row: Row) -> dict[str, Any] | None:
    """The row's cells that need nothing from the register (dates, numbers, the title), read
    before anything is written: PatronError when one of them fails."""
    if job.sheet.table == "time":
        entry: dict[str, Any] = {"minutes": _minutes(row), "started_at": _started(job, row)}
        for name, column in (("boss", "boss_kind"), ("note", "note")):
            if job.sheet.mapped(name):
                cell = row.text(name)
                entry[column] = None if cell is None else _coerce(job, TIME_ENTRY, column, cell)
        return entry
    if job.sheet.table not in _STORED:
        return None
    kind, label, _ = _STORED[job.sheet.table]
    values: dict[str, Any] = {}
    cells = job.cells
    for name, column in job.fields:
        if name in _REFERENCES:
            continue
        if name in _LISTED:
            values[column] = [c.text.strip() for c in row.items(name)] or None
            continue
        cell = row.text(name)
        if cell is None:
            values[column] = None
        elif (found := cells.get((kind.name, column, cell.text), _UNREAD)) is not _UNREAD \
                and not isinstance(found, _Unreadable):
            values[column] = found  # read before: the usual case, without the calls
        else:
            values[column] = _cell(job, kind, name, column, cell)
    if not values.get(label):
        raise InvalidInput(f"no {label}")
    for listed in ("tags", "annotations"):  # checked as the record is stored, after every cell
        if listed in values:
            _check_items(job, kind, listed, values[listed])
    return values


@contextmanager
def _counted(conn: Connection) -> Iterator[list[int]]:
    """A count of the statements other than SELECT run on ``conn``: whether a row wrote."""
    count = [0]

    def seen(*args: Any) -> None:
        if args[2].lstrip()[:6].upper() != "SELECT":
            count[0] += 1

    event.listen(conn, "before_cursor_execute", seen)
    try:
        yield count
    finally:
        event.remove(conn, "before_cursor_execute", seen)


def _learn(job: _Import, rows: list[Row]) -> None:
    """Look up together what the batch's rows will ask for one by one: their people's
    addresses, and the records they may be (people, asks or interactions)."""
    job.directory.learn(_addresses_named(job, rows))
    if job.sheet.table == "people":
        found = {i for i in (job.directory.known(a) for r in rows for a in _cell_addresses(r))
                 if i is not None and i not in job.people}
        job.people.update(records.get_many(job.conn, PERSON, sorted(found)))
    elif job.sheet.table in ("asks", "interactions"):
        _learn_records(job, rows)
        _make_people(job, rows)
    elif job.sheet.table == "time":
        _learn_entries(job, rows)


def _addresses_named(job: _Import, rows: list[Row]) -> list[tuple[str, str | None]]:
    found: list[tuple[str, str | None]] = []
    if job.sheet.table == "people":
        for row in rows:
            name = _full_name(row)
            found += [(a, name) for a in _cell_addresses(row)]
        return found
    for row in rows:
        for name in ("requester", "participants"):
            for cell in row.items(name):
                try:
                    who, address = _ref(job, cell.text)
                except InvalidInput:
                    continue
                if address is not None:
                    found.append((address, who))
    return found


def _make_people(job: _Import, rows: list[Row]) -> None:
    """Make the people the batch's rows name by address and the register lacks, in a few
    statements, before the rows are taken: each with the name its first row gives, by the
    directory's rules, as taking the rows one by one would. Only where every person the batch
    names has an address: a bare name may find, by a word of their name, a person made for a
    later row. Only rows whose plain cells read (the others make nobody); a row that fails
    after them makes the batch be taken again row by row."""
    job.plains.clear()
    first: dict[str, str | None] = {}
    for row in rows:
        cells = [c for c in [row.text("requester")] if c is not None] if job.sheet.mapped("requester") else []
        if job.sheet.mapped("participants"):
            cells += row.items("participants")
        refs = [_ref(job, c.text) for c in cells]
        if any(address is None for _, address in refs):
            job.plains.clear()
            return
        try:
            plain = _plain_cells(job, row)
        except PatronError:
            continue
        if plain is not None:
            job.plains[row.line] = plain
        for name, address in refs:
            first.setdefault(str(address), name)
    new = [(a, n) for a, n in first.items() if job.directory.known(a) is None]
    if new:
        job.directory.people(new)
        job.made = True


def _cell_addresses(row: Row) -> list[str]:
    return [a for a in (normal_address(c.text) for c in row.items("emails")) if a is not None]


def _learn_records(job: _Import, rows: list[Row]) -> None:
    kind, label, keyed = _STORED[job.sheet.table]
    table = schema.metadata.tables[kind.table]
    sources: set[str] = set()
    labels: set[str] = set()
    counts: dict[str, int] = {}
    bases: dict[tuple[int, str], str] = {}
    for row in rows:
        cell, title = row.text("source"), row.text(label)
        if cell is not None and cell.text.strip():
            sources.add(cell.text.strip())
        if title is None or not title.text.strip():
            continue
        labels.add(title.text.strip())
        base = _base(job, row, title.text.strip(), keyed)
        bases[(row.line, title.text.strip())] = base
        counts[base] = counts.get(base, job.seen.get(base, 0)) + 1
        sources.update(f"csv:{job.sheet.table}:{base}" + (f"-{n}" if n > 1 else "")
                       for n in range(1, counts[base] + 1))
    if not job.sheet.mapped(_MOMENTS[kind.name]):
        labels = set()  # rows are matched by label only with a moment
    known = _Known(sources=sources, labels=labels, bases=bases)
    # what a row's values are compared with: the columns the sheet maps, and the keys
    wanted = {"id", "source", label, *(c for _, c in job.fields if c in table.c)}
    columns = [c for c in table.c if c.name in wanted]
    names = [c.name for c in columns]
    for chunk in chunks(sorted(sources)):
        for found in job.conn.execute(select(*columns).where(table.c.source.in_(chunk))
                                      .order_by(table.c.id)):
            record = dict(zip(names, found, strict=True))
            known.by_source.setdefault(record["source"], []).append(record)
    for chunk in chunks(sorted(labels)):
        for found in job.conn.execute(select(*columns).where(table.c.source.is_(None),
                                                             table.c[label].in_(chunk))
                                      .order_by(table.c.id)):
            record = dict(zip(names, found, strict=True))
            known.by_label.setdefault(record[label], []).append(record)
    if kind is INTERACTION:
        every = [r for rs in (*known.by_source.values(), *known.by_label.values()) for r in rs]
        field_ = kind.field("participants")
        ids = [r["id"] for r in every]
        linked = records.children(job.conn, kind, field_, ids)
        for r in every:
            r["participants"] = linked.get(r["id"], [])
    job.known = known


def _learn_entries(job: _Import, rows: list[Row]) -> None:
    """The time entries stored with the (engagement, start) pairs the batch's rows name, the
    engagement by its name ignoring case (``engagement_named`` finds it so), in a query per
    500 pairs. Your own development ("self") is looked up row by row. What earlier batches
    looked up stays (the import keeps it true as it stores entries; a rollback forgets it): a
    sheet's days and projects recur from batch to batch."""
    pairs: set[tuple[str, datetime]] = set()
    for row in rows:
        cell = row.text("engagement")
        if cell is None or (name := cell.text.strip().lower()) == SELF_PROJECT:
            continue
        try:
            pairs.add((name, _started(job, row)))
        except PatronError:
            continue
    t, e = schema.time_entry, schema.engagement
    known = job.known
    ordered = sorted(pairs - known.pairs)
    known.pairs |= pairs
    for chunk in (ordered[i:i + 500] for i in range(0, len(ordered), 500)):
        query = (select(t).join(e, e.c.id == t.c.engagement_id)
                 .where(tuple_(func.lower(e.c.name), t.c.started_at).in_(chunk)).order_by(t.c.id))
        for found in job.conn.execute(query).mappings():
            known.entries.setdefault((found["engagement_id"], found["started_at"]), []).append(dict(found))


# --- reading cells ----------------------------------------------------------------------------


def _coerce(job: _Import, kind: RecordKind, name: str, cell: Cell) -> Any:
    """A cell read as the field ``name``; a text met before is not read again (a sheet's
    statuses, due dates and efforts repeat from row to row)."""
    key = (kind.name, name, cell.text)
    read = job.cells.get(key, _UNREAD)
    if read is _UNREAD:
        try:
            read = records.coerce(job.conn, kind, kind.field(name), cell.text, job.now)
        except InvalidInput as exc:
            read = _Unreadable(str(exc))
        job.cells[key] = read
    if isinstance(read, _Unreadable):
        raise CellError(cell, read.reason)
    return read


_UNREAD = object()


def _check_items(job: _Import, kind: RecordKind, column: str, items: list[str] | None) -> None:
    """Check a list field's items as the register would (once per list of items)."""
    key = (kind.name, column, None if items is None else tuple(items))
    if key not in job.cells:
        try:
            records.coerce(job.conn, kind, kind.field(column), items, job.now)
            job.cells[key] = None
        except InvalidInput as exc:
            job.cells[key] = _Unreadable(str(exc))
    if isinstance(found := job.cells[key], _Unreadable):
        raise InvalidInput(found.reason)


@dataclass(frozen=True)
class _Unreadable:
    """Why a cell's text could not be read, kept for the next cell with that text."""

    reason: str


def _ref(job: _Import, text: str) -> tuple[str | None, str | None]:
    """``person_ref`` of a cell, read once per text."""
    if text not in job.refs:
        job.refs[text] = person_ref(text)
    return job.refs[text]


def _value(cell: Cell) -> int:
    word = cell.text.strip().lower()
    if word in VALUE_WORDS:
        return VALUE_WORDS[word]
    try:
        number = float(word)
    except ValueError:
        raise CellError(cell, f"ask value must be 0-5 or high, medium, low, not {cell.text!r}") from None
    if not number.is_integer() or not 0 <= number <= 5:
        raise CellError(cell, f"ask value must be a whole number from 0 to 5, not {cell.text!r}")
    return int(number)


def _person(job: _Import, cell: Cell) -> int:
    """A requester or participant: by address (found or created), else by name: exactly, or
    as a whole word of one person's name ('Helen' is Helen Brandt), else a new person."""
    if cell.text in job.persons:
        return job.persons[cell.text]
    name, address = _ref(job, cell.text)
    if address is not None:
        found = job.directory.person(address, name)
        assert found is not None
        job.persons[cell.text] = found
        return found
    assert name is not None
    try:
        exact = _exactly_named(job, name)
        if exact is not None:
            return exact
        ident = resolve(job.conn, PERSON, name)
    except (Ambiguous, InvalidInput) as exc:
        raise CellError(cell, str(exc)) from None
    except NotFound:
        return records.add(job.conn, PERSON, {"name": name}, job.now)
    words = records.get(job.conn, PERSON, ident)["name"].lower().split()
    if name.lower().split()[0] in words and len(name.split()) == 1:
        return ident
    return records.add(job.conn, PERSON, {"name": name}, job.now)


def _exactly_named(job: _Import, name: str) -> int | None:
    """The one person with exactly this name, None when nobody has it."""
    p = schema.person
    ids = list(job.conn.execute(select(p.c.id).where(p.c.name == name)).scalars())
    if len(ids) > 1:
        raise Ambiguous("person", name, [f"#{i}" for i in ids])
    return int(ids[0]) if ids else None


def _named(job: _Import, kind: RecordKind, label: str, text: str) -> int:
    """A goal by its exact title, created when new."""
    table = schema.metadata.tables[kind.table]
    found = job.conn.execute(select(table.c.id).where(table.c[label] == text)).first()
    return int(found[0]) if found is not None else records.add(job.conn, kind, {label: text}, job.now)


def _organisation(job: _Import, name: str, addresses: list[str]) -> int:
    """The organisation a Company cell names: that of the person's domain when it is the name
    the domain wants (``Directory.named``, the rule mail follows), else the one of that name
    (ignoring case), created when there is none; under the writers' lock either way."""
    found = job.directory.named(name, addresses)
    if found is not None:
        return found
    names = _organisation_names(job)
    key = name.lower()
    if key not in names:
        names[key] = records.add(job.conn, ORGANISATION, {"name": name}, job.now)
    return names[key]


def _organisation_names(job: _Import) -> dict[str, int]:
    """Every organisation by its name in lower case (the first made where names differ only
    in case), read once under the writers' lock and kept as the import names more; read again
    after the directory made or renamed one (a domain's organisation, for ``Directory.named``)."""
    tally = job.directory.tally
    made = (tally.organisations_created, tally.organisations_renamed)
    if job.organisations_read != made:
        job.directory.hold()
        o = schema.organisation
        job.organisations.clear()
        for ident, name in job.conn.execute(select(o.c.id, o.c.name).order_by(o.c.id.desc())):
            job.organisations[str(name).lower()] = int(ident)
        job.organisations_read = made
    return job.organisations


def _same(a: Any, b: Any) -> bool:
    """Equal, an empty list and no list being the same."""
    return (a or None) == (b or None) if isinstance(a, list) or isinstance(b, list) else a == b


# --- people -----------------------------------------------------------------------------------


def _person_row(job: _Import, row: Row) -> str:
    name = _full_name(row)
    addresses = _addresses(row)
    if not name and not addresses:
        raise InvalidInput("neither a name nor an address")
    ident, created = _find_or_create_person(job, name, addresses)
    current = job.people.pop(ident, None) or _new_person(job, created, name, addresses) or records.get(
        job.conn, PERSON, ident)
    wanted: dict[str, Any] = {"name": name} if name else {}
    for text in ("title", "notes"):
        if job.sheet.mapped(text):
            cell = row.text(text)
            wanted[text] = cell.text.strip() if cell else None
    if job.sheet.mapped("organisation"):
        org = row.text("organisation")
        wanted["organisation_id"] = _organisation(job, org.text.strip(), addresses) if org else None
    change = records.Change(set={k: v for k, v in wanted.items() if current[k] != v})
    more = [a for a in addresses if a not in current["emails"]]
    if more:
        change.add["emails"] = more
    phones = list(dict.fromkeys(c.text.strip() for c in row.items("phones")))
    new_phones = [p for p in phones if p not in (current["phones"] or [])]
    if new_phones:
        change.set["phones"] = list(current["phones"] or []) + new_phones
    if change.set or change.add:
        records.edit(job.conn, PERSON, ident, change, job.now, found={"organisation_id"})
        job.directory.claim(more, ident)
        job.directory.forget([current["name"], *([name] if name else [])])
    else:
        job.people[ident] = current  # as it stands
    return "created" if created else "updated" if change.set or change.add else "unchanged"


def _addresses(row: Row) -> list[str]:
    addresses: list[str] = []
    for cell in row.items("emails"):
        address = normal_address(cell.text)
        if address is None:
            raise CellError(cell, f"{cell.text!r} is not an e-mail address")
        if address not in addresses:
            addresses.append(address)
    return addresses


def _full_name(row: Row) -> str | None:
    cell = row.text("name")
    if cell is not None:
        return cell.text.strip()
    parts = [c.text.strip() for c in (row.text("first"), row.text("middle"), row.text("last")) if c]
    return " ".join(parts) or None


def _new_person(job: _Import, created: bool, name: str | None,
                addresses: list[str]) -> dict[str, Any] | None:
    """A person this row just made, as ``records.get`` would show the fields it compares:
    the directory's (name from the first address, no organisation when the sheet maps it),
    else a bare name. None where that is not known without reading it."""
    if not created or (addresses and job.directory.organisations):
        return None
    return {"name": display_name(name, addresses[0]) if addresses else name, "title": None,
            "notes": None, "organisation_id": None, "phones": None, "emails": addresses[:1]}


def _find_or_create_person(job: _Import, name: str | None,
                           addresses: list[str]) -> tuple[int, bool]:
    found = {i for i in (job.directory.known(a) for a in addresses) if i is not None}
    if len(found) > 1:
        ids = ", #".join(map(str, sorted(found)))
        raise InvalidInput(f"its addresses belong to different people (#{ids})")
    if found:
        return found.pop(), False
    if addresses:
        before = job.directory.tally.people_created
        ident = job.directory.person(addresses[0], name)
        assert ident is not None
        created = job.directory.tally.people_created > before
        if not created:
            # The address joined a namesake (``Directory.person``), and maybe its organisation:
            # the person as the batch read them lacks both, so they are read again.
            job.people.pop(ident, None)
        return ident, created
    assert name is not None
    found_by_name = _exactly_named(job, name)
    if found_by_name is not None:
        return found_by_name, False
    return records.add(job.conn, PERSON, {"name": name}, job.now), True


# --- asks and interactions --------------------------------------------------------------------


def _values(job: _Import, row: Row, kind: RecordKind) -> dict[str, Any]:
    """The record's values from the row's mapped columns (empty cells as None)."""
    values: dict[str, Any] = {}
    plain = job.plain
    for name, column in job.fields:
        if plain is not None and name not in _REFERENCES:
            values[column] = plain[column]
        elif name == "requester" and (cell := row.text(name)) is not None and cell.text in job.persons:
            values[column] = job.persons[cell.text]  # the usual case, without the calls
        elif name in _LISTED:
            values[column] = [c.text.strip() for c in row.items(name)] or None
        elif name == "participants":
            values[column] = list(dict.fromkeys(_person(job, c) for c in row.items(name)))
        else:
            cell = row.text(name)
            values[column] = None if cell is None else _cell(job, kind, name, column, cell)
    for column in KEEP_WHEN_EMPTY:
        if column in values and values[column] is None:
            del values[column]
    return values


def _cell(job: _Import, kind: RecordKind, name: str, column: str, cell: Cell) -> Any:
    if name == "requester":
        return _person(job, cell)
    if name == "engagement":
        text = cell.text.strip()
        if text not in job.engagements:  # a sheet names few engagements, in many rows
            job.engagements[text] = engagement_named(job.conn, text, job.now)
        return job.engagements[text]
    if name == "goal":
        return _named(job, GOAL, "title", cell.text.strip())
    if name == "value":
        return _value(cell)
    return _coerce(job, kind, column, cell)


def _ask_row(job: _Import, row: Row) -> str:
    values = _values(job, row, ASK)
    if not values.get("title"):
        raise InvalidInput("no title")
    if values.get("status") == "done" and values.get("done_at") is None:
        values.pop("done_at", None)  # the register dates it on creation; a re-import keeps that
    return _store(job, row, ASK, values, ("title", "created_at"), ("requester", "engagement"))


def _interaction_row(job: _Import, row: Row) -> str:
    values = _values(job, row, INTERACTION)
    if not values.get("summary"):
        raise InvalidInput("no summary")
    return _store(job, row, INTERACTION, values, ("summary", "occurred_at"),
                  ("participants", "engagement"))


def _time_row(job: _Import, row: Row) -> str:
    engagement = row.text("engagement")
    if engagement is None:
        raise InvalidInput("no engagement (project, client)")
    values: dict[str, Any] = {
        "engagement_id": _cell(job, TIME_ENTRY, "engagement", "engagement_id", engagement),
        **(job.plain if job.plain is not None else _plain_cells(job, row) or {})}
    if values.get("boss_kind") is None:
        values.pop("boss_kind", None)  # the engagement's kind decides, as on the command line
    eng, start = values["engagement_id"], values["started_at"]
    nth = _count(job, json.dumps(["time", eng, start.isoformat()])) - 1
    covered = (engagement.text.strip().lower(), start) in job.known.pairs
    existing = _entry(job, eng, start, nth, covered)
    if existing is None:
        new = records.new_row(job.conn, TIME_ENTRY, {"boss_kind": _boss(job, eng), **values},
                              job.now, found=_FOUND)
        job.pending.append(new)
        if covered:
            job.known.entries.setdefault((eng, start), []).append(new)
        return "created"
    changed = {k: v for k, v in values.items() if existing[k] != v}
    if not changed:
        return "unchanged"
    records.edit(job.conn, TIME_ENTRY, existing["id"], records.Change(set=changed), job.now,
                 found=_FOUND)
    existing.update(changed)
    return "updated"


def _entry(job: _Import, engagement: int, start: datetime, nth: int,
           covered: bool) -> dict[str, Any] | None:
    """The nth time entry stored with this engagement and start: from the batch's look-up
    (with the entries it made since) where it ``covered`` them, else from the database."""
    if covered:
        alike = job.known.entries.get((engagement, start), [])
        return alike[nth] if nth < len(alike) else None
    job.flush()
    t = schema.time_entry
    found = job.conn.execute(select(t).where(t.c.engagement_id == engagement, t.c.started_at == start)
                             .order_by(t.c.id).offset(nth)).mappings().first()
    return None if found is None else dict(found)


def _boss(job: _Import, engagement: int) -> str:
    """The boss an engagement's time goes to by default (its kind's), read once per import."""
    if engagement not in job.bosses:
        e = schema.engagement
        kind = job.conn.execute(select(e.c.kind).where(e.c.id == engagement)).scalar_one()
        job.bosses[engagement] = BOSS_KIND_OF_ENGAGEMENT[EngagementKind(kind)].value
    return job.bosses[engagement]


def _minutes(row: Row) -> int:
    """A duration ('1:30', '1h30', '01:30:00'), else hours (1.5, '1,5') plus minutes."""
    duration = row.text("duration")
    if duration is not None:
        try:
            return dates.parse_duration(duration.text)
        except InvalidInput as exc:
            raise CellError(duration, str(exc)) from None
    total = 0.0
    for name, per in (("hours", 60), ("minutes", 1)):
        cell = row.text(name)
        if cell is None:
            continue
        text = cell.text.strip().replace(",", ".") if "." not in cell.text else cell.text.strip()
        try:
            number = float(text)
        except ValueError:
            raise CellError(cell, f"{name} must be a number, not {cell.text!r}") from None
        if not 0 <= number <= 24 * 60 / per:
            raise CellError(cell, f"{name} must be from 0 to a day, not {cell.text!r}")
        total += number * per
    if round(total) <= 0:
        raise InvalidInput("no time spent (a duration, hours or minutes)")
    return round(total)


def _started(job: _Import, row: Row) -> datetime:
    """The start: a date-time cell, or a day and a time of day, or a day alone (00:00); read
    once per pair of texts (a sheet's days repeat)."""
    day, start = row.text("date"), row.text("start")
    if day is None and start is None:
        raise InvalidInput("no date or start")
    cell = start or day
    assert cell is not None
    key = ("time", day.text if day else None, start.text if start else None)
    read = job.cells.get(key, _UNREAD)
    if read is _UNREAD:
        try:
            read = _moment_of(job, day, start, cell)
        except CellError as exc:
            read = _Unreadable(str(exc))
        job.cells[key] = read
    if isinstance(read, _Unreadable):
        raise CellError(cell, read.reason)
    assert isinstance(read, datetime)
    return read


def _moment_of(job: _Import, day: Cell | None, start: Cell | None, cell: Cell) -> datetime:
    try:
        if day is not None and start is not None:
            try:
                return dates.parse_moment(f"{day.text} {start.text}", job.now)
            except InvalidInput:
                pass  # the start holds its own day
        return dates.parse_moment(cell.text, job.now)
    except InvalidInput as exc:
        raise CellError(cell, str(exc)) from None


def _store(job: _Import, row: Row, kind: RecordKind, values: dict[str, Any],
           natural: tuple[str, str], keyed: tuple[str, str]) -> str:
    table = schema.metadata.tables[kind.table]
    label, moment = natural
    if values.get("source"):
        existing = _by_source(job, table, values["source"])
    elif values.get(moment) is not None:
        skip = _count(job, json.dumps([label, values[label], values[moment].isoformat()])) - 1
        existing = _by_label(job, table, (label, values[label]), (moment, values[moment]), skip)
    else:
        values["source"] = _key(job, row, values[label], keyed)
        existing = _by_source(job, table, values["source"])
    if existing is None:
        if kind is ASK:  # no links to insert with it: it waits for the batch's one insert
            job.pending.append(records.new_row(job.conn, kind, values, job.now, found=_FOUND))
        else:
            records.add(job.conn, kind, values, job.now, found=_FOUND)
        _uncover(job, values, label)
        return "created"
    current = dict(existing)
    if "participants" in values:
        if "participants" not in current:
            field_ = kind.field("participants")
            current["participants"] = records.children(job.conn, kind, field_, [current["id"]]).get(
                current["id"], [])
        values["participants"] = sorted(values["participants"])
    changed = {k: v for k, v in values.items() if current[k] != v and not _same(current[k], v)}
    if not changed:
        return "unchanged"
    records.edit(job.conn, kind, current["id"], records.Change(set=changed), job.now)
    _uncover(job, current, label)
    _uncover(job, values, label)
    return "updated"


_FOUND = frozenset({"requester_id", "engagement_id", "goal_id"})
"""References a row's values hold as ids the import has just found or made."""


def _by_source(job: _Import, table: Table, source: str) -> dict[str, Any] | None:
    """The first record with this source: from the batch's look-up while it covers it."""
    if _storable(source) in job.known.sources:
        return next(iter(job.known.by_source.get(_storable(source), [])), None)
    job.flush()
    query = select(table).where(table.c.source == source).order_by(table.c.id)
    found = job.conn.execute(query).mappings().first()
    return None if found is None else dict(found)


def _by_label(job: _Import, table: Table, label: tuple[str, str], moment: tuple[str, Any],
              skip: int) -> dict[str, Any] | None:
    """The (skip+1)th record with no source and this label and moment."""
    if _storable(label[1]) in job.known.labels:
        alike = [r for r in job.known.by_label.get(_storable(label[1]), []) if r[moment[0]] == moment[1]]
        return alike[skip] if skip < len(alike) else None
    job.flush()
    query = select(table).where(table.c.source.is_(None), table.c[label[0]] == label[1],
                                table.c[moment[0]] == moment[1])
    found = job.conn.execute(query.order_by(table.c.id).offset(skip)).mappings().first()
    return None if found is None else dict(found)


def _uncover(job: _Import, values: dict[str, Any], label: str) -> None:
    """A record was stored under these keys: the batch's look-up no longer answers for them."""
    for key, covered in (("source", job.known.sources), (label, job.known.labels)):
        if isinstance(values.get(key), str):
            covered.discard(_storable(values[key]))


def _storable(text: str) -> str:
    """Text as the database keeps it (without NUL, see ``schema.Words``)."""
    return text.replace("\x00", "")


def _key(job: _Import, row: Row, label: str, keyed: tuple[str, str]) -> str:
    """``csv:<table>:<hash>`` of what names the record, counted when a sheet repeats it."""
    base = job.known.bases.get((row.line, label)) or _base(job, row, label, keyed)
    seen = _count(job, base)
    return f"csv:{job.sheet.table}:{base}" + (f"-{seen}" if seen > 1 else "")


def _base(job: _Import, row: Row, label: str, keyed: tuple[str, str]) -> str:
    parts = [job.sheet.table, label] + [
        "\x1f".join(c.text.strip() for c in row.cells.get(name, [])) for name in keyed]
    return hashlib.sha1(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()[:16]


def _count(job: _Import, key: str) -> int:
    """How often the sheet has named this record so far: the second of two equal rows is
    another record, matched with the second one stored."""
    job.seen[key] = job.seen.get(key, 0) + 1
    return job.seen[key]


_ROWS: dict[str, Callable[[_Import, Row], str]] = {
    "people": _person_row, "asks": _ask_row, "interactions": _interaction_row, "time": _time_row}

_STORED: dict[str, tuple[RecordKind, str, tuple[str, str]]] = {
    "asks": (ASK, "title", ("requester", "engagement")),
    "interactions": (INTERACTION, "summary", ("participants", "engagement"))}
"""The kind, label and key columns of the tables whose rows ``_store`` matches."""

_MOMENTS = {"ask": "asked", "interaction": "at"}
"""The column whose moment, with the label, matches a row that has no source."""


# --- writing ----------------------------------------------------------------------------------


def export_sheet(conn: Connection, table: str, now: datetime) -> str:
    """One table as CSV, with the header ``import csv --table`` maps without help."""
    if table not in FIELDS:
        raise InvalidInput(f"no table {table!r}; choose {', '.join(FIELDS)}")
    rows = _EXPORTS[table](conn, now)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    header = [name for name in FIELDS[table] if name not in _READ_ONLY]
    writer.writerow(header)
    for row in rows:
        writer.writerow([_text(row.get(name)) for name in header])
    return buffer.getvalue()


_READ_ONLY = frozenset({"first", "middle", "last", "date", "hours", "minutes"})
"""Fields read from other tools' sheets that an export writes as one (name, start, duration)."""


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return join_list([str(v) for v in value])
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds" if value.second else "minutes")
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _people(conn: Connection, now: datetime) -> list[dict[str, Any]]:
    return [{"name": p["name"], "emails": p["emails"], "organisation": p["organisation"],
             "title": p["title"], "phones": p["phones"], "notes": p["notes"]}
            for p in records.find(conn, PERSON, {}, now)]


def _shown_people(conn: Connection, ids: list[int]) -> dict[int, str]:
    """'Name <first address>' (or the name alone) for each person."""
    p, pe = schema.person, schema.person_email
    names: dict[int, str] = {}
    for chunk in (ids[i:i + 900] for i in range(0, len(ids), 900)):
        names.update((int(r.id), r.name) for r in conn.execute(
            select(p.c.id, p.c.name).where(p.c.id.in_(chunk))))
    first: dict[int, str] = {}
    for chunk in (ids[i:i + 900] for i in range(0, len(ids), 900)):
        for owner, address in conn.execute(select(pe.c.person_id, pe.c.address)
                                           .where(pe.c.person_id.in_(chunk))
                                           .order_by(pe.c.person_id, pe.c.address)):
            first.setdefault(int(owner), address)
    return {i: show_person(names[i], first.get(i)) for i in names}


def _asks(conn: Connection, now: datetime) -> list[dict[str, Any]]:
    asks = records.find(conn, ASK, {}, now)
    people = _shown_people(conn, sorted({a["requester_id"] for a in asks if a["requester_id"]}))
    return [{"title": a["title"], "requester": people.get(a["requester_id"]),
             "engagement": a["engagement"], "status": a["status"], "due": a["due_at"],
             "effort": a["effort_hours"], "value": a["value"], "tags": a["tags"],
             "asked": a["created_at"], "done": a["done_at"], "deliverable": a["deliverable"],
             "goal": a["goal"], "annotations": a["annotations"], "notes": a["notes"],
             "source": a["source"]} for a in asks]


def _interactions(conn: Connection, now: datetime) -> list[dict[str, Any]]:
    found = records.find(conn, INTERACTION, {}, now)
    people = _shown_people(conn, sorted({p["id"] for i in found for p in i["participants"]}))
    return [{"summary": i["summary"], "kind": i["kind"], "at": i["occurred_at"],
             "engagement": i["engagement"],
             "participants": sorted(people[p["id"]] for p in i["participants"]) or None,
             "direction": i["direction"], "sentiment": i["sentiment"], "notes": i["notes"],
             "source": i["source"]} for i in found]


def _time_entries(conn: Connection, now: datetime) -> list[dict[str, Any]]:
    return [{"start": t["started_at"], "duration": f"{t['minutes'] // 60}:{t['minutes'] % 60:02d}",
             "engagement": t["engagement"], "boss": t["boss_kind"], "note": t["note"]}
            for t in records.find(conn, TIME_ENTRY, {}, now)]


_EXPORTS: dict[str, Callable[[Connection, datetime], list[dict[str, Any]]]] = {
    "people": _people, "asks": _asks, "interactions": _interactions, "time": _time_entries}
