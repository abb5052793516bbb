"""The whole register as one JSON document, and back.

``export_document`` writes every table, rows in id order, columns in table
order, so the same register always gives the same document. ``restore``
reads such a document into an empty register inside one transaction: a bad
document changes nothing.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    Date,
    DateTime,
    Float,
    Integer,
    PrimaryKeyConstraint,
    Table,
    UniqueConstraint,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.types import JSON

from patron.errors import Conflict, InvalidInput
from patron.store.schema import SCHEMA_REVISION, TABLES_IN_ORDER

FORMAT = "patron-export"
FORMAT_VERSION = 1

Document = dict[str, Any]


def export_document(conn: Connection) -> Document:
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "schema": SCHEMA_REVISION,
        "tables": {table.name: _rows(conn, table) for table in TABLES_IN_ORDER},
    }


def dumps(document: Document) -> str:
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


def _rows(conn: Connection, table: Table) -> list[dict[str, Any]]:
    order = [c for c in table.primary_key.columns]
    result = conn.execute(select(table).order_by(*order)).mappings()
    return [{c.name: _plain(row[c.name]) for c in table.columns} for row in result]


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


def loads(raw: str, source: str) -> Document:
    """Parse and check an export document; every problem names where it is."""
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
    if document.get("schema") != SCHEMA_REVISION:
        raise InvalidInput(
            f"{source}: written with schema {document.get('schema')!r}; this "
            f"Patron restores schema {SCHEMA_REVISION} (use the Patron that "
            "wrote it, or a newer one)"
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
        for index, row in enumerate(rows, start=1):
            rows[index - 1] = _checked_row(source, table, index, row)
    for table in TABLES_IN_ORDER:
        _check_unique(source, table, tables[table.name])
    _check_references(source, tables)
    return document


def _check_unique(source: str, table: Table, rows: list[dict[str, Any]]) -> None:
    """No two records share an id or a name that must be unique."""
    keys = [tuple(c.name for c in table.primary_key.columns)]
    keys += [(c.name,) for c in table.columns if c.unique]
    keys += [tuple(c.name for c in u.columns) for u in table.constraints
             if isinstance(u, UniqueConstraint) and not isinstance(u, PrimaryKeyConstraint)]
    for key in keys:
        seen: dict[tuple[Any, ...], int] = {}
        for index, row in enumerate(rows, start=1):
            value = tuple(row[name] for name in key)
            if value in seen:
                raise InvalidInput(f"{source}: table {table.name}, record {index}: "
                                   f"{', '.join(key)} {value[0] if len(value) == 1 else value!r} "
                                   f"is already used by record {seen[value]}")
            seen[value] = index


def _check_references(source: str, tables: dict[str, list[dict[str, Any]]]) -> None:
    """Every link points at a record in the document, so restore cannot fail halfway."""
    keys: dict[str, set[Any]] = {}
    for table in TABLES_IN_ORDER:
        for fk in table.foreign_keys:
            target = fk.column.table.name
            present = keys.setdefault(target, {r[fk.column.name] for r in tables[target]})
            for index, row in enumerate(tables[table.name], start=1):
                value = row[fk.parent.name]
                if value is not None and value not in present:
                    raise InvalidInput(
                        f"{source}: table {table.name}, record {index}: "
                        f"{fk.parent.name} {value!r} refers to no {target} record"
                    )


def _checked_row(source: str, table: Table, index: int, row: Any) -> dict[str, Any]:
    where = f"{source}: table {table.name}, record {index}"
    if not isinstance(row, dict):
        raise InvalidInput(f"{where}: not an object")
    unknown = sorted(set(row) - {c.name for c in table.columns})
    if unknown:
        raise InvalidInput(f"{where}: unknown column {unknown[0]!r}")
    checked: dict[str, Any] = {}
    for column in table.columns:
        value = row.get(column.name)
        if value is None:
            if not column.nullable:
                raise InvalidInput(f"{where}: {column.name} is missing")
            checked[column.name] = value
            continue
        checked[column.name] = _typed(where, column.name, column.type, value)
    return checked


def _typed(where: str, name: str, kind: Any, value: Any) -> Any:
    try:
        if isinstance(kind, DateTime):
            return datetime.fromisoformat(value)
        if isinstance(kind, Date):
            return date.fromisoformat(value)
        if isinstance(kind, Integer) and not (
            isinstance(value, int) and not isinstance(value, bool) and -(2**63) <= value < 2**63
        ):
            raise TypeError
        if isinstance(kind, Float) and not isinstance(value, int | float):
            raise TypeError
        if isinstance(kind, JSON) and not isinstance(value, list):
            raise TypeError
        if not isinstance(kind, Integer | Float | JSON) and not isinstance(value, str):
            raise TypeError
    except (TypeError, ValueError):
        raise InvalidInput(f"{where}: {name} has an unusable value {value!r}") from None
    return value


def restore(conn: Connection, document: Document) -> dict[str, int]:
    """Load a checked document into an empty register; returns rows per table."""
    _must_be_empty(conn)
    counts: dict[str, int] = {}
    for table in TABLES_IN_ORDER:
        rows = document["tables"][table.name]
        if rows:
            conn.execute(insert(table), rows)
        counts[table.name] = len(rows)
    if conn.dialect.name == "postgresql":
        _advance_sequences(conn)
    return counts


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


def write_atomically(path: Path, content: str) -> None:
    """Write a file whole or not at all: into a temporary file, then renamed."""
    temporary = path.with_name(f".{path.name}.partial")
    temporary.write_text(content, encoding="utf-8")
    temporary.replace(path)


def counts_line(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{n} {name}" for name, n in counts.items() if n)
