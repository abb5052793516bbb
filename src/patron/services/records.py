"""Register use cases: add, edit, remove, show and list any kind of record.

Values come in as a person typed them ("friday", "Helen", "1h30") or as
Python values; either way they are checked against the record's description
in ``domain.records`` before anything is written. Each call runs inside the
caller's transaction, so a failure leaves nothing half-written.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Table, delete, insert, select, update

from patron import dates
from patron.domain import anniversaries
from patron.domain.records import BY_KIND, Field, FieldKind, RecordKind
from patron.domain.salience import ROLE_DEFAULTS
from patron.domain.vocabulary import BOSS_KIND_OF_ENGAGEMENT, EngagementKind, Role
from patron.errors import Conflict, InvalidInput, NotFound
from patron.services.names import MAX_ID, labels_for, resolve, table_of
from patron.store import schema
from patron.store.pieces import chunks

Record = dict[str, Any]

_EMAIL = re.compile(r"[^@\s<>(),;:\"\[\]]+@[^@\s<>(),;:\"\[\]]+\.[^@\s<>(),;:\"\[\]]+")
_DOMAIN = re.compile(r"(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")

DEFAULTS: dict[str, dict[str, Any]] = {
    # Static and clock defaults, applied on add when a value is not given.
    "engagement": {"kind": "client", "status": "active", "success_criteria": []},
    "stakeholder": {"stance": "neutral", "added_on": "today"},
    "ask": {"status": "open", "created_at": "now"},
    "commitment": {"status": "open", "made_at": "now"},
    "interaction": {"kind": "meeting", "occurred_at": "now", "direction": "both"},
    "feedback": {"received_on": "today"},
    "time_entry": {"started_at": "now"},
    "goal": {"kind": "other", "status": "active", "created_on": "today"},
    "prospect": {"status": "screening", "created_on": "today"},
}


@dataclass
class Change:
    """An edit: fields to set, optional fields to clear, list values to add or remove."""

    set: dict[str, Any] = field(default_factory=dict)
    clear: list[str] = field(default_factory=list)
    add: dict[str, list[Any]] = field(default_factory=dict)
    remove: dict[str, list[Any]] = field(default_factory=dict)


# --- reading values ---------------------------------------------------------


def coerce(conn: Connection, kind: RecordKind, f: Field, raw: Any, now: datetime) -> Any:
    """One value for field ``f``, checked; strings are read as a person would type them."""
    if raw is None:
        return None
    what = f"{kind.name} {f.cli_name}"
    if f.is_many:
        items = [raw] if isinstance(raw, str | int) else list(raw)
        return _many(conn, kind, f, items, now)
    if isinstance(raw, str):
        raw = raw.strip()
        if raw == "" and f.kind is not FieldKind.TEXT:
            raise InvalidInput(f"{what}: an empty value")
    match f.kind:
        case FieldKind.TEXT:
            return str(raw) if str(raw) else None
        case FieldKind.INT:
            return _bounded(what, f, _whole(what, raw))
        case FieldKind.FLOAT:
            return _bounded(what, f, _number(what, raw))
        case FieldKind.DAY:
            return _day(raw, now)
        case FieldKind.ANNUAL:
            return _day(raw, now) if isinstance(raw, date) else anniversaries.parse(str(raw), now.date())
        case FieldKind.MOMENT:
            return _moment(raw, now)
        case FieldKind.DURATION:
            return dates.parse_duration(raw) if isinstance(raw, str) else _whole(what, raw)
        case FieldKind.CHOICE:
            value = str(raw).lower()
            if value not in f.choices:
                raise InvalidInput(f"{what} must be one of {', '.join(f.choices)}, not {raw!r}")
            return value
        case FieldKind.REF:
            return resolve(conn, BY_KIND[f.ref], str(raw))
    raise AssertionError(f.kind)  # pragma: no cover


def _whole(what: str, raw: Any) -> int:
    if isinstance(raw, bool):
        raise InvalidInput(f"{what} must be a whole number, not {raw!r}")
    if isinstance(raw, int):
        return raw
    try:
        return int(str(raw).strip())
    except ValueError:
        raise InvalidInput(f"{what} must be a whole number, not {raw!r}") from None


def _number(what: str, raw: Any) -> float:
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise InvalidInput(f"{what} must be a number, not {raw!r}") from None
    if not math.isfinite(value):
        raise InvalidInput(f"{what} must be a finite number, not {raw!r}")
    return value


def _bounded(what: str, f: Field, value: float) -> Any:
    low, high = f.low, f.high
    if (low is not None and value < low) or (high is not None and value > high):
        span = f"from {_num(low)} to {_num(high)}" if high is not None else f"at least {_num(low)}"
        raise InvalidInput(f"{what} must be {span}, not {_num(value)}")
    return value


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _day(raw: Any, now: datetime) -> date:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    return dates.parse_day(str(raw), now.date())


def _moment(raw: Any, now: datetime) -> datetime:
    if isinstance(raw, datetime):
        return raw.replace(tzinfo=None, microsecond=0)
    if isinstance(raw, date):
        return datetime(raw.year, raw.month, raw.day)
    return dates.parse_moment(str(raw), now)


def _many(
    conn: Connection, kind: RecordKind, f: Field, items: Sequence[Any], now: datetime
) -> list[Any]:
    out: list[Any] = []
    for item in items:
        if f.kind is FieldKind.LINKS:
            value: Any = item if isinstance(item, int) else resolve(conn, BY_KIND[f.ref], str(item))
        elif f.column == "address":
            value = _email(str(item))
        elif f.column == "domain":
            value = _domain(str(item))
        else:
            value = str(item).strip()
            if not value:
                raise InvalidInput(f"{kind.name} {f.cli_name}: an empty value")
        if value not in out:
            out.append(value)
    return out


def _email(text: str) -> str:
    address = text.strip().lower()
    if not _EMAIL.fullmatch(address):
        raise InvalidInput(f"{text!r} is not an e-mail address")
    return address


def _domain(text: str) -> str:
    domain = text.strip().lower().removeprefix("@")
    if not _DOMAIN.fullmatch(domain):
        raise InvalidInput(f"{text!r} is not a mail domain")
    return domain


# --- writing ----------------------------------------------------------------


def add(conn: Connection, kind: RecordKind, values: Mapping[str, Any], now: datetime,
        found: Collection[str] = ()) -> int:
    """Add one record; returns its id. ``found`` names reference fields whose values are ids
    the caller has just found or made (an importer, a thousand rows at a time): they are not
    looked up again."""
    row = new_row(conn, kind, values, now, found)
    table = table_of(kind)
    ident = insert_row(conn, table, row)
    for f in kind.child_fields:
        _add_children(conn, kind, f, ident, coerce(conn, kind, f, values.get(f.name, []), now))
    return ident


def new_row(conn: Connection, kind: RecordKind, values: Mapping[str, Any], now: datetime,
            found: Collection[str] = ()) -> Record:
    """The row ``add`` writes for ``values``: checked, with the kind's defaults. A field named
    in ``found`` holds an id the caller looked up itself (an import, for many records at
    once) and is taken as it is; list fields kept in child tables are left to the caller."""
    _known(kind, values)
    row: Record = {}
    for f in kind.row_fields:
        raw = values.get(f.name)
        if raw is None:  # not given (or given as None): the kind's default, if it has one
            raw = DEFAULTS.get(kind.name, {}).get(f.name)
        row[f.name] = raw if f.name in found and type(raw) is int else coerce(conn, kind, f, raw, now)
    _derive(conn, kind, row, now)
    _check(conn, kind, row, None)
    _required(kind, row)
    return row


def edited_row(conn: Connection, kind: RecordKind, current: Mapping[str, Any],
               values: Mapping[str, Any], now: datetime, found: Collection[str] = ()) -> Record:
    """The row ``edit`` writes when it sets ``values`` (fields of the row itself) on the
    record ``current``, for an import that writes many edits at once; ``found`` as in
    ``new_row``."""
    _known(kind, values)
    row: Record = dict(current)
    for name, raw in values.items():
        f = kind.field(name)
        if f.in_child_table:
            raise ValueError(f"{name} is kept in a table of its own")
        row[name] = raw if name in found and type(raw) is int else coerce(conn, kind, f, raw, now)
    _derive(conn, kind, row, now)
    _check(conn, kind, row, int(current["id"]))
    _required(kind, {k: v for k, v in row.items() if k in values})
    return row


def insert_row(conn: Connection, table: Table, values: Mapping[str, Any]) -> int:
    """Insert one row and return its new id."""
    inserted = conn.execute(insert(table), dict(values)).inserted_primary_key  # one statement, compiled once
    assert inserted is not None
    return int(inserted[0])


def edit(conn: Connection, kind: RecordKind, ident: int, change: Change, now: datetime,
         found: Collection[str] = ()) -> None:
    """Change one record; fields not mentioned keep their value. ``found`` as for ``add``."""
    _known(kind, {**change.set, **{n: None for n in change.clear}, **change.add, **change.remove})
    table = table_of(kind)
    current = None if not -MAX_ID <= ident <= MAX_ID else \
        conn.execute(select(table).where(table.c.id == ident)).mappings().first()
    if current is None:
        raise NotFound(f"no {kind.name} with id {ident}")
    row: Record = dict(current)
    for name, raw in change.set.items():
        f = kind.field(name)
        if f.in_child_table:
            _replace_children(conn, kind, f, ident, coerce(conn, kind, f, raw, now))
        else:
            row[name] = raw if name in found and type(raw) is int else coerce(conn, kind, f, raw, now)
    for name in change.clear:
        f = kind.field(name)
        if f not in clearable(kind):
            raise InvalidInput(f"{kind.name} {f.cli_name} cannot be empty; give it a new value instead")
        row[name] = [] if f.kind is FieldKind.TEXTS else None
        if f.kind in (FieldKind.VALUES, FieldKind.LINKS):
            _replace_children(conn, kind, f, ident, [])
    for name, items in change.add.items():
        f = kind.field(name)
        added = coerce(conn, kind, f, items, now)
        if f.kind is FieldKind.TEXTS:
            row[name] = list(row[name] or []) + [i for i in added if i not in (row[name] or [])]
        else:
            existing = set(children(conn, kind, f, [ident]).get(ident, []))
            _add_children(conn, kind, f, ident, [i for i in added if i not in existing])
    for name, items in change.remove.items():
        f = kind.field(name)
        _remove_many(conn, kind, f, ident, row, coerce(conn, kind, f, items, now))
    _derive(conn, kind, row, now)
    _check(conn, kind, row, ident)
    # Only what this edit touches must be given: a link the register cleared (a removed
    # person) does not block later edits of a record that outlived it.
    _required(kind, {k: v for k, v in row.items() if k in change.set})
    conn.execute(update(table).where(table.c.id == ident), row)  # one statement, compiled once


def clearable(kind: RecordKind) -> list[Field]:
    """The fields an edit may empty: optional ones the database lets be empty."""
    table = table_of(kind)
    return [f for f in kind.fields if not f.required
            and (f.in_child_table or f.kind is FieldKind.TEXTS or table.c[f.name].nullable)]


def remove(conn: Connection, kind: RecordKind, ident: int) -> str:
    """Remove one record (and what belongs to it); returns how it was shown."""
    label = labels_for(conn, kind, [ident])[ident]
    table = table_of(kind)
    conn.execute(delete(table).where(table.c.id == ident))
    return label


def _known(kind: RecordKind, values: Mapping[str, Any]) -> None:
    unknown = sorted(set(values) - _names(kind))
    if unknown:
        raise InvalidInput(f"{noun(kind)} has no field {', '.join(unknown)}")


def _names(kind: RecordKind) -> frozenset[str]:
    """A kind's field names, kept by the kind's name: hashing the kind itself hashes every
    field it has, which an import checking ten thousand records feels."""
    if kind.name not in _NAMES:
        _NAMES[kind.name] = frozenset(f.name for f in kind.fields)
    return _NAMES[kind.name]


_NAMES: dict[str, frozenset[str]] = {}


def _required(kind: RecordKind, row: Record) -> None:
    for f in kind.row_fields:
        if f.required and f.name in row and row[f.name] in (None, ""):
            raise InvalidInput(f"{noun(kind)} needs a {f.cli_name.replace('-', ' ')}")


def noun(kind: RecordKind) -> str:
    """'an ask', 'a time entry': how messages name a kind."""
    words = kind.name.replace("_", " ")
    return f"{'an' if words[0] in 'aeiou' else 'a'} {words}"


def _derive(conn: Connection, kind: RecordKind, row: Record, now: datetime) -> None:
    """Values that follow from others: a role's usual attributes, the time entry's boss."""
    if kind.name == "stakeholder":
        usual = ROLE_DEFAULTS[Role(row["role"])]
        for attr in ("power", "interest", "legitimacy", "urgency"):
            if row.get(attr) is None:
                row[attr] = getattr(usual, attr)
    elif kind.name == "time_entry" and row.get("boss_kind") is None and row.get("engagement_id"):
        eng_kind = conn.execute(
            select(schema.engagement.c.kind).where(schema.engagement.c.id == row["engagement_id"])
        ).scalar_one()
        row["boss_kind"] = BOSS_KIND_OF_ENGAGEMENT[EngagementKind(eng_kind)].value
    elif kind.name == "ask" and row.get("status") == "done" and row.get("done_at") is None:
        row["done_at"] = now
    elif (kind.name == "commitment" and row.get("status") in ("kept", "broken")
          and row.get("resolved_at") is None):
        row["resolved_at"] = now


def _check(conn: Connection, kind: RecordKind, row: Record, ident: int | None) -> None:
    """Rules of the register that span fields or records."""
    if kind.name in ("organisation", "engagement", "prospect"):
        _unique_name(conn, kind, row["name"], ident)
    starts, ends = row.get("starts_on"), row.get("ends_on")
    if kind.name == "engagement" and starts and ends and ends < starts:
        raise InvalidInput(
            f"engagement {row['name']!r} would end ({ends}) before it starts ({starts})"
        )
    if kind.name == "stakeholder":
        st = schema.stakeholder
        clash = conn.execute(
            select(st.c.id).where(
                st.c.person_id == row["person_id"],
                st.c.engagement_id == row["engagement_id"],
                st.c.role == row["role"],
                st.c.id != (ident or 0),
            )
        ).first()
        if clash:
            raise Conflict(
                f"that person is already a {row['role']} of that engagement "
                f"(stakeholder #{clash[0]})"
            )


def _unique_name(conn: Connection, kind: RecordKind, name: str | None, ident: int | None) -> None:
    if not name:
        return
    table = table_of(kind)
    clash = conn.execute(
        select(table.c.id).where(table.c.name == name, table.c.id != (ident or 0))
    ).first()
    if clash:
        raise Conflict(f"there is already {noun(kind)} called {name!r} (#{clash[0]})")


# --- child tables -----------------------------------------------------------


def _child_table(f: Field) -> Table:
    return schema.metadata.tables[f.table]


def _parent_column(kind: RecordKind) -> str:
    return f"{kind.table}_id"


def _add_children(
    conn: Connection, kind: RecordKind, f: Field, ident: int, items: Iterable[Any]
) -> None:
    table = _child_table(f)
    items = list(items)
    if f.kind is FieldKind.VALUES:
        _values_free(conn, kind, f, ident, items)
    if f.kind is FieldKind.LINKS and f.name == "depends_on":
        _no_cycle(conn, f, ident, items)
    elif f.kind is FieldKind.LINKS and f.ref == kind.name and ident in items:
        raise Conflict(f"{kind.name} #{ident} cannot be linked to itself ({f.cli_name})")
    for item in items:
        conn.execute(insert(table).values({_parent_column(kind): ident, f.column: item}))


def _replace_children(
    conn: Connection, kind: RecordKind, f: Field, ident: int, items: list[Any]
) -> None:
    table = _child_table(f)
    conn.execute(delete(table).where(table.c[_parent_column(kind)] == ident))
    _add_children(conn, kind, f, ident, items)


def _remove_many(
    conn: Connection, kind: RecordKind, f: Field, ident: int, row: Record, items: list[Any]
) -> None:
    if f.kind is FieldKind.TEXTS:
        current = list(row[f.name] or [])
        missing = [i for i in items if i not in current]
        row[f.name] = [i for i in current if i not in items]
    else:
        current = children(conn, kind, f, [ident]).get(ident, [])
        missing = [i for i in items if i not in current]
        table = _child_table(f)
        conn.execute(
            delete(table).where(
                table.c[_parent_column(kind)] == ident, table.c[f.column].in_(items)
            )
        )
    if missing:
        raise NotFound(f"{kind.name} #{ident} has no {f.cli_name} {missing[0]!r} to remove")


def _values_free(
    conn: Connection, kind: RecordKind, f: Field, ident: int, items: list[Any]
) -> None:
    """An address or domain belongs to one record only."""
    table = _child_table(f)
    parent = table.c[_parent_column(kind)]
    for item in items:
        owner = conn.execute(select(parent).where(table.c[f.column] == item)).first()
        if owner and owner[0] != ident:
            label = labels_for(conn, kind, [owner[0]])[owner[0]]
            raise Conflict(f"{item} already belongs to {label} (#{owner[0]})")


def _no_cycle(conn: Connection, f: Field, ident: int, items: list[int]) -> None:
    """An ask cannot wait, directly or not, on itself."""
    table = _child_table(f)
    seen: set[int] = set()
    frontier = list(items)
    while frontier:
        current = frontier.pop()
        if current == ident:
            raise Conflict(f"ask #{ident} would depend on itself")
        if current in seen:
            continue
        seen.add(current)
        frontier.extend(
            r[0] for r in conn.execute(select(table.c[f.column]).where(table.c.ask_id == current))
        )


def children(
    conn: Connection, kind: RecordKind, f: Field, ids: Sequence[int]
) -> dict[int, list[Any]]:
    """The list values of ``f`` for each of ``ids``."""
    table = _child_table(f)
    parent = table.c[_parent_column(kind)]
    out: dict[int, list[Any]] = {}
    for chunk in chunks(sorted(set(ids)), 900):
        query = (
            select(parent, table.c[f.column])
            .where(parent.in_(chunk))
            .order_by(parent, table.c[f.column])
        )
        for owner, value in conn.execute(query):
            out.setdefault(int(owner), []).append(value)
    return out


# --- reading records --------------------------------------------------------


def get_many(conn: Connection, kind: RecordKind, ids: Sequence[int]) -> dict[int, Record]:
    """Records as ``get`` shows them, many in a few queries; ids not found are left out."""
    return {int(r["id"]): r for r in _shown(conn, kind, sorted(set(ids)))}


def get(conn: Connection, kind: RecordKind, ident: int) -> Record:
    records = _shown(conn, kind, [ident])
    if not records:
        raise NotFound(f"no {kind.name} with id {ident}")
    return records[0]


def find(
    conn: Connection,
    kind: RecordKind,
    filters: Mapping[str, Any],
    now: datetime,
    limit: int | None = None,
) -> list[Record]:
    """The records matching every filter (field name -> value as typed), in the kind's order."""
    table = table_of(kind)
    query = select(table.c.id)
    for name, raw in filters.items():
        f = kind.field(name)
        if f.kind is FieldKind.LINKS:
            link = _child_table(f)
            target = resolve(conn, BY_KIND[f.ref], str(raw))
            query = query.where(
                table.c.id.in_(
                    select(link.c[_parent_column(kind)]).where(link.c[f.column] == target)
                )
            )
        else:
            query = query.where(table.c[name] == coerce(conn, kind, f, raw, now))
    query = query.order_by(*_ordering(table, kind.order_by))
    if limit is not None:
        query = query.limit(limit)
    ids = [int(r[0]) for r in conn.execute(query)]
    return _shown(conn, kind, ids)


def _ordering(table: Table, order_by: Sequence[str]) -> list[Any]:
    """The kind's order: ``-column`` is newest (largest) first; empty values come last."""
    terms: list[Any] = []
    for name in order_by:
        column = table.c[name.removeprefix("-")]
        terms.append((column.desc() if name.startswith("-") else column.asc()).nulls_last())
    return [*terms, table.c.id.desc() if order_by[-1:] == ("-id",) else table.c.id]


def _shown(conn: Connection, kind: RecordKind, ids: Sequence[int]) -> list[Record]:
    """Records as a person (and ``--json``) sees them: ids with the names they stand for."""
    if not ids:
        return []
    table = table_of(kind)
    rows: dict[int, Record] = {}
    for chunk in chunks(ids, 900):
        for row in conn.execute(select(table).where(table.c.id.in_(chunk))).mappings():
            rows[int(row["id"])] = dict(row)
    ordered = [rows[i] for i in ids if i in rows]
    for f in kind.fields:
        if f.kind is FieldKind.REF:
            refs = labels_for(conn, BY_KIND[f.ref], [r[f.name] for r in ordered if r[f.name]])
            for r in ordered:
                r[f.name.removesuffix("_id")] = refs.get(r[f.name]) if r[f.name] else None
        elif f.kind in (FieldKind.VALUES, FieldKind.LINKS):
            found = children(conn, kind, f, ids)
            if f.kind is FieldKind.LINKS:
                every = [i for values in found.values() for i in values]
                names = labels_for(conn, BY_KIND[f.ref], every)
                for r in ordered:
                    r[f.name] = [{"id": i, "name": names[i]} for i in found.get(r["id"], [])]
            else:
                for r in ordered:
                    r[f.name] = found.get(r["id"], [])
    if kind.name == "stakeholder":
        labels = labels_for(conn, kind, ids)
        for r in ordered:
            r["label"] = labels[r["id"]]
    return ordered
