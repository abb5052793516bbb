"""The search index: what each searchable kind of record is found by, kept by the database.

SQLite: one FTS5 table per kind (``search_person`` ...), columns ``title`` and ``body``,
tokenised by ``unicode61`` without diacritics (so case and accents do not matter). The
rowid is the record's id, or for asks and touchpoints their minute then their id
(``Indexed.key``), so the index itself lists them newest first. Triggers on the
record's tables keep it current: any change to a record, or to the addresses or domains
found with it, takes its entry out and puts the new one in. A bulk write (each batch of
the mail import) sets them aside and writes the entries of what it touched at its end,
in rowid order (``deferred``), leaving the same index. The tables hold a copy of
the text they index (subjects, names: a few MB for 80,000 messages) so that a changed
address can be taken out by rowid alone.

PostgreSQL: GIN indexes on expressions (``to_tsvector('simple', ...)``) over the record's
own columns, and over addresses and domains apart; the database keeps them current.
ASCII punctuation becomes a space and accented Latin letters their plain letter (with
``translate``, which is immutable, so no extension is needed), so both backends split
``helen.brandt@meridian.com`` into the same words.

None of this is data: backups leave it out; ``install`` builds it from the records
(migration 0006, and ``restore`` after loading), ``uninstall`` takes it away. A change to
what is indexed is a new migration that runs ``uninstall`` then ``install``; so is one
that rebuilds an indexed table on SQLite (batch mode), which drops the table's triggers.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection, text


@dataclass(frozen=True)
class Indexed:
    """One searchable kind: the SQL giving its title and body, per backend."""

    kind: str  # the record kind (domain/records.py)
    table: str
    title: str  # SQL over the record's row (alias r)
    body_sqlite: str  # SQL over r, may read the tables its records own
    body_postgres: str  # SQL over the record's own columns only (an index expression)
    columns: tuple[str, ...]  # the record's columns it reads: a change to them updates the entry
    owned: tuple[tuple[str, str, str], ...] = ()  # (table, link column, text column)
    moment: str | None = None  # when it happened (a touchpoint, an ask): listed newest first

    @property
    def fts(self) -> str:
        return f"search_{self.kind}"

    def key(self, row: str) -> str:
        """The SQLite index's rowid for a row (``new``, ``old``, ``r``): the record's id, or
        for what happened, its minute then its id (``moment_key``), so the index lists the
        newest first by itself, without reading and sorting every match."""
        if self.moment is None:
            return f"{row}.id"
        minutes = f"coalesce(CAST(strftime('%s', {row}.{self.moment}) AS INTEGER), 0) / 60"
        return f"(({minutes}) * {ID_SPAN} + {row}.id % {ID_SPAN})"


ID_SPAN = 2**30
"""A moment key is minutes since 1970 times this plus the id: ids below a billion come back
whole (``record_id``), and every minute to the year 10000 fits a 64-bit rowid."""


def record_id(rowid: int) -> int:
    """The record's id from a rowid of the SQLite index (a moment key or the id itself)."""
    return rowid % ID_SPAN


def _words(*columns: str) -> str:
    return " || ' ' || ".join(f"coalesce({c}, '')" for c in columns)


def _owned_text(table: str, link: str, column: str) -> str:
    return f"(SELECT group_concat({column}, ' ') FROM {table} WHERE {link} = r.id)"


INDEXED: tuple[Indexed, ...] = (
    Indexed("person", "person", "r.name",
            _words("r.title", _owned_text("person_email", "person_id", "address")),
            _words("name", "title"), ("name", "title"),
            owned=(("person_email", "person_id", "address"),)),
    Indexed("organisation", "organisation", "r.name",
            _owned_text("organisation_domain", "organisation_id", "domain"),
            "name", ("name",),
            owned=(("organisation_domain", "organisation_id", "domain"),)),
    Indexed("engagement", "engagement", "r.name", "r.goal", _words("name", "goal"), ("name", "goal")),
    Indexed("ask", "ask", "r.title",
            _words("r.notes", "(SELECT group_concat(value, ' ') FROM json_each("
                   "CASE WHEN json_valid(r.annotations) THEN r.annotations END))"),
            _words("title", "notes", "annotations::text"),
            ("title", "notes", "annotations", "created_at"), moment="created_at"),
    Indexed("interaction", "interaction", "r.summary", "r.notes", _words("summary", "notes"),
            ("summary", "notes", "occurred_at"), moment="occurred_at"),
)
BY_KIND = {i.kind: i for i in INDEXED}


# --- PostgreSQL: the words as both the indexes and the queries read them --------------------

def _plain_letters() -> tuple[str, str]:
    """Accented Latin letters (U+00C0-U+024F) and their base letter. Unicode never changes a
    decomposition, so this is the same on every Python, as the index expressions must be."""
    accented, plain = [], []
    for point in range(0xC0, 0x250):
        letter = chr(point)
        base = "".join(c for c in unicodedata.normalize("NFKD", letter) if not unicodedata.combining(c))
        if len(base) == 1 and base.isascii() and base.isalpha():
            accented.append(letter)
            plain.append(base)
    for letter, base in zip("øØđĐłŁħĦŧŦı", "oOdDlLhHtTi", strict=True):
        accented.append(letter)
        plain.append(base)
    return "".join(accented), "".join(plain)


_ACCENTED, _PLAIN = _plain_letters()
FOLD_FROM = string.punctuation + _ACCENTED
FOLD_TO = " " * len(string.punctuation) + _PLAIN
FOLD = str.maketrans(FOLD_FROM, FOLD_TO)
"""What PostgreSQL's ``translate`` does to indexed text, for the words of a query."""


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def vector(expression: str) -> str:
    """The tsvector of some text, exactly as the indexes compute it (one string: PostgreSQL
    uses an expression index only for the same expression)."""
    return (f"to_tsvector('simple'::regconfig, translate({expression}, "
            f"{_literal(FOLD_FROM)}, {_literal(FOLD_TO)}))")


def postgres_indexes() -> Iterator[tuple[str, str, str]]:
    """(index name, table, indexed expression) of every search index on PostgreSQL."""
    for indexed in INDEXED:
        yield f"ix_search_{indexed.kind}", indexed.table, vector(indexed.body_postgres)
        for table, _link, column in indexed.owned:
            yield f"ix_search_{table}", table, vector(column)


# --- building and taking away ---------------------------------------------------------------

def _sqlite_entry(indexed: Indexed, which: str) -> str:
    return (f"INSERT INTO {indexed.fts} (rowid, title, body) "
            f"SELECT {indexed.key('r')}, {indexed.title}, {indexed.body_sqlite} FROM {indexed.table} r "
            f"WHERE {which}")


def _sqlite_new_entry(indexed: Indexed) -> str:
    """The entry of the row a trigger was given (``new``), from its values: no read of the
    row again (a third of the cost of keeping the index as mail comes in)."""
    title, body = (re.sub(r"\br\.", "new.", sql) for sql in (indexed.title, indexed.body_sqlite))
    return (f"INSERT INTO {indexed.fts} (rowid, title, body) "
            f"VALUES ({indexed.key('new')}, {title}, {body})")


def _sqlite_triggers(indexed: Indexed) -> Iterator[str]:
    fts, table = indexed.fts, indexed.table
    yield (f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN "
           f"{_sqlite_new_entry(indexed)}; END")
    yield (f"CREATE TRIGGER {fts}_update AFTER UPDATE OF {', '.join(indexed.columns)} ON {table} "
           f"BEGIN DELETE FROM {fts} WHERE rowid = {indexed.key('old')}; "
           f"{_sqlite_new_entry(indexed)}; END")
    yield (f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN "
           f"DELETE FROM {fts} WHERE rowid = {indexed.key('old')}; END")
    for owned, link, _column in indexed.owned:
        for event, rows in (("INSERT", ("new",)), ("UPDATE", ("old", "new")), ("DELETE", ("old",))):
            steps = "".join(f"DELETE FROM {fts} WHERE rowid = {row}.{link}; "
                            f"{_sqlite_entry(indexed, f'r.id = {row}.{link}')}; " for row in rows)
            yield (f"CREATE TRIGGER {fts}_{owned}_{event.lower()} AFTER {event} ON {owned} "
                   f"BEGIN {steps}END")


def _sqlite_trigger_names(indexed: Indexed) -> Iterator[str]:
    for statement in _sqlite_triggers(indexed):
        yield statement.split()[2]


def install(conn: Connection) -> None:
    """Build the search index from the records there are, and keep it current from now on."""
    if conn.dialect.name == "sqlite":
        for indexed in INDEXED:
            conn.exec_driver_sql(
                f"CREATE VIRTUAL TABLE {indexed.fts} USING fts5(title, body, "
                "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')")
            conn.exec_driver_sql(_sqlite_entry(indexed, "1"))
            for statement in _sqlite_triggers(indexed):
                conn.exec_driver_sql(statement)
        return
    for name, table, expression in postgres_indexes():
        # through text(): it doubles the '%' of the punctuation for the driver
        conn.execute(text(f"CREATE INDEX {name} ON {table} USING gin ({expression})"))


def uninstall(conn: Connection) -> None:
    """Take the search index away (before a bulk load; ``install`` builds it again)."""
    if conn.dialect.name == "sqlite":
        for indexed in INDEXED:
            for trigger in _sqlite_trigger_names(indexed):
                conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {trigger}")
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {indexed.fts}")
        return
    for name, _table, _expression in postgres_indexes():
        conn.exec_driver_sql(f"DROP INDEX IF EXISTS {name}")


# --- a bulk write: its entries written once, at its end, in rowid order --------------------

@contextmanager
def deferred(conn: Connection) -> Iterator[None]:
    """Keep the index through a bulk write (a batch of the mail import) by writing the
    entries of the records it touched once, at its end, in rowid order, not row by row.

    FTS5 writes its pending words out as a new segment whenever a rowid comes that is lower
    than the one before, or the same as the one just written: mail's moments come in any
    order, and each address given to a new person takes out the entry just written for them
    and puts it back, so row by row most rows made a segment of their own, merged again and
    again. Within the block the triggers are set aside (inside the transaction: no one
    outside it sees them gone) and temporary ones note what they would have done: the rowids
    they would have taken out, the records whose entries they would have written. At the end
    those rowids go and those records' entries are written from what the records then hold.
    That is what the triggers leave: each entry they write is made from the record as it is
    at that moment, and every later change to what it is made of fires them again.

    A failure within leaves the triggers set aside: the transaction must then be rolled
    back, which puts them back (an import's batch always is). On PostgreSQL the indexes are
    the database's own: nothing to do."""
    if conn.dialect.name != "sqlite":
        yield
        return
    for indexed in INDEXED:
        for trigger in _sqlite_trigger_names(indexed):
            conn.exec_driver_sql(f"DROP TRIGGER {trigger}")
    conn.exec_driver_sql("CREATE TEMP TABLE search_gone (kind TEXT, key INTEGER)")
    conn.exec_driver_sql("CREATE TEMP TABLE search_due (kind TEXT, id INTEGER)")
    for indexed in INDEXED:
        for statement in _noting_triggers(indexed):
            conn.exec_driver_sql(statement)
    yield
    _write_noted(conn)


def _noting_triggers(indexed: Indexed) -> Iterator[str]:
    """Temporary triggers that note what ``_sqlite_triggers`` would do, in the same events."""
    fts, table, kind = indexed.fts, indexed.table, _literal(indexed.kind)

    def gone(key: str) -> str:
        return f"INSERT INTO search_gone VALUES ({kind}, {key}); "

    def due(row: str) -> str:
        return f"INSERT INTO search_due VALUES ({kind}, {row}); "

    yield f"CREATE TEMP TRIGGER {fts}_noted_insert AFTER INSERT ON {table} BEGIN {due('new.id')}END"
    yield (f"CREATE TEMP TRIGGER {fts}_noted_update AFTER UPDATE OF {', '.join(indexed.columns)} "
           f"ON {table} BEGIN {gone(indexed.key('old'))}{due('new.id')}END")
    yield (f"CREATE TEMP TRIGGER {fts}_noted_delete AFTER DELETE ON {table} "
           f"BEGIN {gone(indexed.key('old'))}END")
    for owned, link, _column in indexed.owned:
        for event, rows in (("INSERT", ("new",)), ("UPDATE", ("old", "new")), ("DELETE", ("old",))):
            steps = "".join(gone(f"{row}.{link}") + due(f"{row}.{link}") for row in rows)
            yield (f"CREATE TEMP TRIGGER {fts}_{owned}_noted_{event.lower()} AFTER {event} ON {owned} "
                   f"BEGIN {steps}END")


def _write_noted(conn: Connection) -> None:
    """Take out the rowids noted, write the noted records' entries in rowid order, and put
    the triggers back."""
    for indexed in INDEXED:
        kind = _literal(indexed.kind)
        for statement in _noting_triggers(indexed):
            conn.exec_driver_sql(f"DROP TRIGGER temp.{statement.split()[3]}")
        conn.exec_driver_sql(f"DELETE FROM {indexed.fts} WHERE rowid IN "
                             f"(SELECT key FROM temp.search_gone WHERE kind = {kind})")
        conn.exec_driver_sql(_sqlite_entry(indexed, f"r.id IN (SELECT id FROM temp.search_due "
                                                    f"WHERE kind = {kind})") + " ORDER BY 1")
        for statement in _sqlite_triggers(indexed):
            conn.exec_driver_sql(statement)
    conn.exec_driver_sql("DROP TABLE temp.search_gone")
    conn.exec_driver_sql("DROP TABLE temp.search_due")


def is_index(name: str | None) -> bool:
    """Whether a table or index name belongs to the search index (not to the declared
    schema): the FTS5 tables and their shadow tables, and the PostgreSQL indexes."""
    return bool(name) and str(name).startswith(("search_", "ix_search_"))
