"""The whole register as one JSON document, and back.

``export_document`` writes every table, rows in id order, columns in table
order, so the same register always gives the same document (``export_text``
writes the same bytes a thousand records at a time). ``loads`` checks a whole
document, by each column's type, before anything is written, and brings one
of an older schema revision forward; ``restore`` reads it into an empty
register inside one transaction: a bad document changes nothing.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    PrimaryKeyConstraint,
    Table,
    UniqueConstraint,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.types import JSON, TypeDecorator, TypeEngine

from patron import clock
from patron.domain.records import KINDS, FieldKind
from patron.errors import Conflict, InvalidInput
from patron.store import moments
from patron.store import search as search_index
from patron.store.database import known_revisions
from patron.store.schema import SCHEMA_REVISION, TABLES_IN_ORDER

FORMAT = "patron-export"
FORMAT_VERSION = 1

Document = dict[str, Any]


def export_document(conn: Connection) -> Document:
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "schema": SCHEMA_REVISION,
        "tables": {table.name: list(_rows(conn, table)) for table in TABLES_IN_ORDER},
    }


def dumps(document: Document) -> str:
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


EXPORT_BATCH = 1000
"""Records encoded at a time by ``export_text``."""


def export_text(conn: Connection) -> Iterator[str]:
    """``dumps(export_document(conn))`` piece by piece, a thousand records at a time.

    The same bytes, without the whole register in memory at once (a mail archive's
    export held a gigabyte as one document). JSON text holds no raw line breaks, so
    a list of records encoded alone and indented by its depth is what ``dumps``
    writes for them.
    """
    encode = json.JSONEncoder(indent=1, ensure_ascii=False).encode
    yield "{\n"
    for key, value in (("format", FORMAT), ("version", FORMAT_VERSION), ("schema", SCHEMA_REVISION)):
        yield f" {encode(key)}: {encode(value)},\n"
    yield ' "tables": {'
    for number, table in enumerate(TABLES_IN_ORDER):
        yield f'{"," if number else ""}\n  {encode(table.name)}: ['
        rows, empty = _rows(conn, table), True
        while batch := list(islice(rows, EXPORT_BATCH)):
            # '[\n {...},\n {...}\n]' without its brackets, two levels deeper
            yield ("" if empty else ",") + encode(batch)[1:-2].replace("\n", "\n  ")
            empty = False
        yield "]" if empty else "\n  ]"
    yield "\n }\n}\n"


def _rows(conn: Connection, table: Table) -> Iterator[dict[str, Any]]:
    order = [c for c in table.primary_key.columns]
    names = [c.name for c in table.columns]
    for row in conn.execute(select(table).order_by(*order)):
        yield dict(zip(names, map(_plain, row), strict=True))


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def csv_files(document: Document) -> dict[str, str]:
    """One CSV text per table (list values as JSON), keyed by file name."""
    out: dict[str, str] = {}
    for table in TABLES_IN_ORDER:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow([c.name for c in table.columns])
        for row in document["tables"][table.name]:
            writer.writerow([_csv_cell(row[c.name]) for c in table.columns])
        out[f"{table.name}.csv"] = buffer.getvalue()
    return out


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


Columns = dict[str, list[Any]]
"""A table's values column by column, in record order."""


@dataclass
class Checked:
    """A document that passed every check, ready to restore: each table's values by column,
    typed for the database (column by column: a restore reads a million values)."""

    tables: dict[str, Columns]

    def counts(self) -> dict[str, int]:
        return {name: len(next(iter(columns.values()), [])) for name, columns in self.tables.items()}


def loads(raw: str, source: str, today: date | None = None) -> Checked:
    """Parse and check an export document; every problem names where it is.

    A document written at an older schema revision is brought forward first
    (``_bring_forward``); ``today`` is the day a migration would have used.
    """
    try:
        document = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            f"{source}: not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise InvalidInput(f'{source}: not a Patron export (no "format": "{FORMAT}")')
    if document.get("version") != FORMAT_VERSION:
        raise InvalidInput(
            f"{source}: export format version {document.get('version')!r} "
            f"is not one this Patron reads ({FORMAT_VERSION})"
        )
    tables = document.get("tables")
    if not isinstance(tables, dict):
        raise InvalidInput(f'{source}: "tables" is missing or not an object')
    known = {t.name for t in TABLES_IN_ORDER}
    unknown = sorted(set(tables) - known)
    if unknown:
        raise InvalidInput(f"{source}: unknown table {unknown[0]!r}")
    for table in TABLES_IN_ORDER:
        rows = tables.setdefault(table.name, [])
        if not isinstance(rows, list):
            raise InvalidInput(f"{source}: table {table.name} is not a list of records")
        if not all(isinstance(row, dict) for row in rows):
            index = next(i for i, row in enumerate(rows, start=1) if not isinstance(row, dict))
            raise InvalidInput(f"{source}: table {table.name}, record {index}: not an object")
    _bring_forward(source, document, today or clock.today())
    checked = Checked({t.name: _columns(source, t, tables.pop(t.name)) for t in TABLES_IN_ORDER})
    for table in TABLES_IN_ORDER:
        _check_unique(source, table, checked.tables[table.name])
    _check_references(source, checked.tables)
    return checked


def _bring_forward(source: str, document: Document, today: date) -> None:
    """Make a document of an older schema revision one of this revision.

    Every migration so far added tables or columns: a table an older document
    lacks is empty, a column it lacks that may be empty is empty, and the
    columns a migration filled in are filled here the same way (``_FILLED_BY``).
    """
    written = document.get("schema")
    if written == SCHEMA_REVISION:
        return
    oldest_first = list(reversed(known_revisions()))
    if written not in oldest_first:
        raise InvalidInput(
            f"{source}: written with schema {written!r}; this Patron restores schemas "
            f"{oldest_first[0]} to {SCHEMA_REVISION} (use the Patron that wrote it, or a newer one)"
        )
    for revision in oldest_first[oldest_first.index(written) + 1:]:
        fill = _FILLED_BY.get(revision)
        if fill is not None:
            fill(document["tables"], today)
    document["schema"] = SCHEMA_REVISION


def _stakeholders_joined(tables: dict[str, list[dict[str, Any]]], today: date) -> None:
    """0005: a stakeholder joined on the engagement's first day if known and past, else today."""
    starts = {row.get("id"): row.get("starts_on") for row in tables["engagement"]
              if isinstance(row.get("id"), int)}
    for row in tables["stakeholder"]:
        if row.get("added_on") is not None:
            continue
        engagement = row.get("engagement_id")
        started = starts.get(engagement) if isinstance(engagement, int) else None
        try:
            day = date.fromisoformat(started) if isinstance(started, str) else None
        except ValueError:
            day = None  # reported as the engagement's own bad value
        row["added_on"] = (day if day is not None and day < today else today).isoformat()


_FILLED_BY: dict[str, Callable[[dict[str, list[dict[str, Any]]], date], None]] = {
    "0005": _stakeholders_joined,
}
"""Per schema revision, how to fill the required columns its migration added."""


def _check_unique(source: str, table: Table, columns: Columns) -> None:
    """No two records share an id or a name that must be unique."""
    keys = [tuple(c.name for c in table.primary_key.columns)]
    keys += [(c.name,) for c in table.columns if c.unique]
    keys += [tuple(c.name for c in u.columns) for u in table.constraints
             if isinstance(u, UniqueConstraint) and not isinstance(u, PrimaryKeyConstraint)]
    for key in keys:
        values = (columns[key[0]] if len(key) == 1
                  else list(zip(*(columns[name] for name in key), strict=True)))
        if len(set(values)) == len(values):
            continue
        seen: dict[Any, int] = {}
        for index, value in enumerate(values, start=1):
            if value in seen and value is not None:
                raise InvalidInput(f"{source}: table {table.name}, record {index}: "
                                   f"{', '.join(key)} {value!r} "
                                   f"is already used by record {seen[value]}")
            seen[value] = index


def _check_references(source: str, tables: dict[str, Columns]) -> None:
    """Every link points at a record in the document, so restore cannot fail halfway."""
    for table in TABLES_IN_ORDER:
        for fk in table.foreign_keys:
            target = fk.column.table.name
            values = tables[table.name][fk.parent.name]
            stray = set(values) - set(tables[target][fk.column.name]) - {None}
            if stray:
                index = next(i for i, v in enumerate(values, start=1) if v in stray)
                raise InvalidInput(
                    f"{source}: table {table.name}, record {index}: "
                    f"{fk.parent.name} {values[index - 1]!r} refers to no {target} record"
                )


class _Unusable(Exception):
    """The value at ``index`` of a column cannot be one of its values."""

    def __init__(self, index: int) -> None:
        self.index = index


def _columns(source: str, table: Table, rows: list[dict[str, Any]]) -> Columns:
    """A table's records as checked, typed columns: known names, required ones present."""
    names = {c.name for c in table.columns}
    if rows and not set().union(*map(dict.keys, rows)) <= names:
        index, row = next((i, r) for i, r in enumerate(rows, start=1) if not r.keys() <= names)
        raise InvalidInput(f"{source}: table {table.name}, record {index}: "
                           f"unknown column {sorted(set(row) - names)[0]!r}")
    columns: Columns = {}
    for column in table.columns:
        values = [row.get(column.name) for row in rows]
        if not column.nullable and None in values:
            raise InvalidInput(f"{source}: table {table.name}, record {values.index(None) + 1}: "
                               f"{column.name} is missing")
        texts = column.name in _LISTS_OF_TEXT.get(table.name, ())
        try:
            columns[column.name] = (_texts if texts else _reader(column.type))(values)
        except _Unusable as bad:
            raise InvalidInput(f"{source}: table {table.name}, record {bad.index + 1}: "
                               f"{column.name} has an unusable value {values[bad.index]!r}"
                               f"{' (a list of texts)' if texts else ''}") from None
    return columns


_LISTS_OF_TEXT: dict[str, set[str]] = {}
for _kind in KINDS:
    _LISTS_OF_TEXT.setdefault(_kind.table, set()).update(
        f.name for f in _kind.row_fields if f.kind is FieldKind.TEXTS)
"""JSON columns the record descriptions (``domain/records.py``) say hold a list of texts;
the rest of the register reads them so, whatever else JSON could hold."""


def _texts(values: list[Any]) -> list[Any]:
    for index, value in enumerate(values):
        if value is not None and not (isinstance(value, list)
                                      and all(isinstance(item, str) for item in value)):
            raise _Unusable(index)
    return values


ColumnReader = Callable[[list[Any]], list[Any]]


def _reader(kind: TypeEngine[Any]) -> ColumnReader:
    """How a column of JSON values becomes the Python values of a column of this type.

    Chosen by the column's type alone, so a new column needs nothing here: a
    JSON column holds any JSON value (list, object, text, number); the others
    by the Python type SQLAlchemy gives them.
    """
    if isinstance(kind, TypeDecorator):  # text cleaned at the door reads as text
        kind = kind.impl_instance
    if isinstance(kind, JSON):
        return _any_json
    wanted = kind.python_type
    if wanted not in _READERS:
        raise TypeError(f"no reader for columns of type {kind!r}")  # a schema change to handle
    return _READERS[wanted]


def _any_json(values: list[Any]) -> list[Any]:
    return values


def _of_types(*allowed: type) -> ColumnReader:
    """Values taken as they are, when each is of one of these types (bool is not an int)."""
    kinds = {*allowed, type(None)}

    def read(values: list[Any]) -> list[Any]:
        if not set(map(type, values)) <= kinds:
            raise _Unusable(next(i for i, v in enumerate(values) if type(v) not in kinds))
        return values

    return read


def _integers(values: list[Any]) -> list[Any]:
    _of_types(int)(values)
    present = [v for v in values if v is not None]
    if present and not (min(present) >= -(2**63) and max(present) < 2**63):
        raise _Unusable(next(i for i, v in enumerate(values)
                             if v is not None and not -(2**63) <= v < 2**63))
    return values


def _parsed(parse: Callable[[str], Any]) -> ColumnReader:
    """ISO text parsed into dates or times, naive (Patron keeps wall-clock times)."""

    def read(values: list[Any]) -> list[Any]:
        try:
            parsed = [v if v is None else parse(v) for v in values]
            if any(getattr(v, "tzinfo", None) is not None for v in parsed):
                raise ValueError
            return parsed
        except (TypeError, ValueError):
            for index, value in enumerate(values):
                try:
                    if value is not None and getattr(parse(value), "tzinfo", None) is not None:
                        raise ValueError
                except (TypeError, ValueError):
                    raise _Unusable(index) from None
            raise  # pragma: no cover - one value above is the bad one

    return read


_READERS: dict[type, ColumnReader] = {
    bool: _of_types(bool),
    int: _integers,
    float: _of_types(int, float),
    str: _of_types(str),
    datetime: _parsed(datetime.fromisoformat),
    date: _parsed(date.fromisoformat),
}


def restore(conn: Connection, checked: Checked) -> dict[str, int]:
    """Load a checked document into an empty register; returns rows per table.

    The secondary indexes are dropped first and built again at the end, inside
    the same transaction: building an index once from all its rows takes SQLite
    a fraction of keeping it up to date row by row (restore ran 40% faster on
    the Enron register). The search index, which is not in the document, is
    taken away the same way and built from the restored records; so are the
    participants' copies of their touchpoint's moment, whatever the document says
    of them.
    """
    _must_be_empty(conn)
    indexes = [index for table in TABLES_IN_ORDER for index in table.indexes]
    for index in indexes:
        index.drop(conn, checkfirst=True)
    search_index.uninstall(conn)
    moments.uninstall(conn)
    for table in TABLES_IN_ORDER:
        _insert(conn, table, checked.tables[table.name])
    moments.install(conn)
    for index in indexes:
        index.create(conn)
    search_index.install(conn)
    if conn.dialect.name == "postgresql":
        _advance_sequences(conn)
    return checked.counts()


BATCH = 20_000
"""Records sent to the database at a time (one statement, many parameter sets)."""


def _insert(conn: Connection, table: Table, columns: Columns) -> None:
    """Insert a table's columns straight through the driver: SQLAlchemy's per-row parameter
    handling costs more than the database's own work at a million values."""
    names = list(columns)
    if not names or not columns[names[0]]:
        return
    compiled = insert(table).compile(dialect=conn.dialect, column_keys=names)
    order = list(compiled.positiontup) if compiled.positiontup is not None else names
    values = [_for_driver(conn, table.c[name], columns[name]) for name in order]
    for start in range(0, len(values[0]), BATCH):
        rows = zip(*(column[start:start + BATCH] for column in values), strict=True)
        params: list[Any] = (list(rows) if compiled.positiontup is not None
                             else [dict(zip(order, row, strict=True)) for row in rows])
        conn.exec_driver_sql(str(compiled), params)


def _for_driver(conn: Connection, column: Column[Any], values: list[Any]) -> list[Any]:
    """Values as SQLAlchemy would hand them to the driver (dates as text on SQLite, JSON)."""
    process = column.type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
    return values if process is None else list(map(process, values))


def _must_be_empty(conn: Connection) -> None:
    for table in TABLES_IN_ORDER:
        count = conn.execute(select(func.count()).select_from(table)).scalar_one()
        if count:
            raise Conflict(
                f"restore needs an empty database, and this one has {count} "
                f"{table.name} records; restore into a new file with --db"
            )


def _advance_sequences(conn: Connection) -> None:
    """PostgreSQL hands out ids from sequences; move them past the restored ids."""
    for table in TABLES_IN_ORDER:
        if "id" in table.c and table.c.id.autoincrement is True:
            conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
                )
            )


def write_atomically(path: Path, content: str | Iterable[str]) -> None:
    """Write a file whole or not at all: into a temporary file, then renamed.

    A folder that is not there is an error, not created: a mistyped path
    should not leave a backup where nobody will look for it.
    """
    folder = path.parent
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise InvalidInput(f"cannot write {path}: the folder {folder} {what} (create it first)")
    temporary = path.with_name(f".{path.name}.partial")
    try:
        with temporary.open("w", encoding="utf-8") as handle:
            handle.writelines([content] if isinstance(content, str) else content)
        temporary.replace(path)
    except OSError as exc:
        raise InvalidInput(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        temporary.unlink(missing_ok=True)


def counts_line(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{n} {name}" for name, n in counts.items() if n)
