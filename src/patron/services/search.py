"""Search: people, organisations, engagements, asks and touchpoints found by words.

Each word of the query is matched as the start of a word in the record (``bud`` finds
"Budget"), every word must be found, case and accents aside. The query is cut into
words here (letters and digits; everything else separates words, as the index does), so
no character the user types reaches the database as query syntax: each word is quoted
(FTS5) or passed as one lexeme (PostgreSQL).

Hits come kind by kind (people, organisations, engagements, asks, touchpoints); ``limit``
caps the whole list. Asks and touchpoints come newest first, as a mailbox lists mail.
People, organisations and engagements whose name holds every word come first, best match
first (SQLite's bm25, PostgreSQL's ts_rank, the name weighing more than the rest), then
those found by other words (addresses, domains, a goal). Both orders are ones the
index gives without reading and ranking every match: "re" is in 31,000 of the 77,000
Enron subjects, and ranking them all took longer than the whole search should. The
matched words are given as spans of the title and of a short snippet, not as markup: the
web page and the terminal each show them their own way.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, select, text

from patron.errors import InvalidInput
from patron.store import schema
from patron.store import search as index
from patron.store.database import Store

MAX_WORDS = 16
"""Words of a query that count; a pasted page is not a query."""
MAX_WORD = 64
"""Characters of a word that count (a longer word still matches by its start)."""
TITLE_WEIGHT = 4.0
"""How much more a word in a record's title (name, subject) counts than one in the rest."""
SNIPPET = 90
"""Characters of a snippet, about: enough to read the matched words in their sentence."""

KINDS: dict[str, str] = {
    "people": "person",
    "organisations": "organisation",
    "engagements": "engagement",
    "asks": "ask",
    "touchpoints": "interaction",
}
"""The kinds searched, by the word the command line uses, to their record kind."""

_ALIASES = {**KINDS, **{kind: kind for kind in KINDS.values()}, "person": "person",
            "touchpoint": "interaction", "interactions": "interaction", "orgs": "organisation",
            "org": "organisation", "organizations": "organisation"}

Span = tuple[int, int]


@dataclass(frozen=True)
class Hit:
    """One record found: what it is, how it reads, where the words are, how well it matched."""

    kind: str  # the record kind: person, organisation, engagement, ask, interaction
    id: int
    title: str
    title_marks: tuple[Span, ...]  # [start, end) of each matched word in the title
    snippet: str  # a short piece of the rest of the record (addresses, goal, notes)
    marks: tuple[Span, ...]  # [start, end) of each matched word in the snippet
    when: datetime | None  # when a touchpoint happened, when an ask was made
    rank: float  # how well it matched (bm25, ts_rank): higher is better


_WORD = re.compile(r"[^\W_]+")


def words(query: str | Sequence[str]) -> list[str]:
    """The words of a query as the index cuts text: runs of letters and digits."""
    joined = query if isinstance(query, str) else " ".join(query)
    found = _WORD.findall(unicodedata.normalize("NFKC", joined))
    return [word[:MAX_WORD] for word in found[:MAX_WORDS]]


def kinds_named(names: Iterable[str] | None) -> list[str]:
    """Record kinds, in search order, from the names a caller gives (all when None)."""
    if names is None:
        return list(KINDS.values())
    if isinstance(names, str):  # one kind named alone
        names = [names]
    wanted = set()
    for name in names:
        kind = _ALIASES.get(name.lower().strip())
        if kind is None:
            raise InvalidInput(f"cannot search {name!r}: choose from {', '.join(KINDS)}")
        wanted.add(kind)
    return [kind for kind in KINDS.values() if kind in wanted]


def search(source: Connection | Store, query: str | Sequence[str], *,
           kinds: Iterable[str] | None = None, limit: int = 50) -> list[Hit]:
    """The records that hold every word of the query, kind by kind, best first."""
    chosen = kinds_named(kinds)
    terms = words(query)
    if not terms or limit <= 0:
        return []
    if isinstance(source, Store):
        with source.read() as conn:
            return _search(conn, terms, chosen, limit)
    return _search(source, terms, chosen, limit)


def _search(conn: Connection, terms: list[str], kinds: list[str], limit: int) -> list[Hit]:
    found = _sqlite if conn.dialect.name == "sqlite" else _postgres
    hits: list[Hit] = []
    for kind in kinds:
        if len(hits) >= limit:
            break
        ranked = found(conn, index.BY_KIND[kind], terms, limit - len(hits))
        hits += _hits(conn, kind, ranked, terms)
    return hits


# --- finding: ids and ranks from the index ----------------------------------------------------

def _sqlite(conn: Connection, indexed: index.Indexed, terms: list[str],
            limit: int) -> list[tuple[int, float]]:
    every = " ".join(f'"{term}"*' for term in terms)  # letters and digits only: nothing to escape
    in_title = f"{{title}} : ({every})"
    score = f"-bm25({indexed.fts}, {TITLE_WEIGHT}, 1.0)"

    def rows(match: str, order: str, count: int) -> list[tuple[int, float]]:
        found = conn.execute(text(
            f"SELECT rowid, {score} AS score FROM {indexed.fts} WHERE {indexed.fts} MATCH :match "
            f"ORDER BY {order} LIMIT :limit"), {"match": match, "limit": count})
        return [(index.record_id(int(rowid)), float(rank)) for rowid, rank in found]

    if indexed.moment is not None:  # the index's rowids list the newest first
        return rows(every, "rowid DESC", limit)
    named = rows(in_title, "score DESC, rowid DESC", limit)
    if len(named) < limit:
        named += rows(f"({every}) NOT ({in_title})", "rowid DESC", limit - len(named))
    return named


def _tsquery(terms: list[str], joiner: str) -> str:
    lexemes = (term.translate(index.FOLD).replace("\\", "\\\\").replace("'", "''") for term in terms)
    return f" {joiner} ".join(f"'{lexeme}':*" for lexeme in lexemes)


def _postgres(conn: Connection, indexed: index.Indexed, terms: list[str],
              limit: int) -> list[tuple[int, float]]:
    every = "to_tsquery('simple'::regconfig, :every)"
    params: dict[str, Any] = {"every": _tsquery(terms, "&"), "limit": limit}
    own = index.vector(indexed.body_postgres)
    if not indexed.owned:
        whole, where = own, f"{own} @@ {every}"
    else:
        # Words may be found in the record or in what it owns (addresses, domains): each
        # index gives the records holding any word, and the whole text is then read for
        # those only, to keep the ones holding every word.
        any_word = "to_tsquery('simple'::regconfig, :any)"
        params["any"] = _tsquery(terms, "|")
        candidates = [f"SELECT id FROM {indexed.table} WHERE {own} @@ {any_word}"]
        parts = [indexed.body_postgres]
        for table, link, column in indexed.owned:
            candidates.append(f"SELECT {link} FROM {table} WHERE {index.vector(column)} @@ {any_word}")
            parts.append(f"coalesce((SELECT string_agg(o.{column}, ' ') FROM {table} o "
                         f"WHERE o.{link} = {indexed.table}.id), '')")
        whole = index.vector(" || ' ' || ".join(parts))
        where = f"id IN ({' UNION '.join(candidates)}) AND {whole} @@ {every}"
    if indexed.moment is not None:
        order = f"{indexed.moment} DESC, id DESC"
    else:
        title = index.vector(f"coalesce({indexed.title.removeprefix('r.')}, '')")
        order = f"{title} @@ {every} DESC, score DESC, id DESC"
    sql = (f"SELECT id, ts_rank({whole}, {every}) AS score FROM {indexed.table} "
           f"WHERE {where} ORDER BY {order} LIMIT :limit")
    return [(int(row[0]), float(row[1])) for row in conn.execute(text(sql), params)]


# --- showing: titles, snippets and marks from the records -------------------------------------

def _hits(conn: Connection, kind: str, ranked: list[tuple[int, float]], terms: list[str]) -> list[Hit]:
    if not ranked:
        return []
    shown = _shown(conn, kind, [record for record, _ in ranked])
    prefixes = [_folded(term) for term in terms]
    hits = []
    for record, rank in ranked:
        if record not in shown:  # gone between the two reads
            continue
        title, rest, when = shown[record]
        snippet = _snippet(rest, prefixes)
        hits.append(Hit(kind, record, title, marked(title, prefixes), snippet,
                        marked(snippet, prefixes), when, rank))
    return hits


Shown = dict[int, tuple[str, str, datetime | None]]


def _shown(conn: Connection, kind: str, ids: list[int]) -> Shown:
    """Each record's title, the rest of its searchable text, and its moment."""
    if kind == "person":
        return _with_owned(conn, schema.person, ids, schema.person_email.c.address,
                           schema.person_email.c.person_id, lambda r: [r.title])
    if kind == "organisation":
        return _with_owned(conn, schema.organisation, ids, schema.organisation_domain.c.domain,
                           schema.organisation_domain.c.organisation_id, lambda r: [])
    if kind == "engagement":
        t = schema.engagement
        rows = conn.execute(select(t.c.id, t.c.name, t.c.goal).where(t.c.id.in_(ids)))
        return {r.id: (r.name, r.goal or "", None) for r in rows}
    if kind == "ask":
        a = schema.ask
        rows = conn.execute(select(a.c.id, a.c.title, a.c.notes, a.c.annotations, a.c.created_at)
                            .where(a.c.id.in_(ids)))
        return {r.id: (r.title, _joined([r.notes, *_texts(r.annotations)]), r.created_at) for r in rows}
    i = schema.interaction
    rows = conn.execute(select(i.c.id, i.c.summary, i.c.notes, i.c.occurred_at).where(i.c.id.in_(ids)))
    return {r.id: (r.summary, r.notes or "", r.occurred_at) for r in rows}


def _with_owned(conn: Connection, table: Any, ids: list[int], owned: Any, link: Any,
                own_rest: Any) -> Shown:
    extra: dict[int, list[str]] = {}
    for record, value in conn.execute(select(link, owned).where(link.in_(ids)).order_by(owned)):
        extra.setdefault(record, []).append(value)
    rows = conn.execute(select(table).where(table.c.id.in_(ids)))
    return {r.id: (r.name, _joined([*own_rest(r), *extra.get(r.id, [])]), None) for r in rows}


def _texts(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _joined(parts: Sequence[str | None]) -> str:
    return " · ".join(part for part in parts if part)


@lru_cache(maxsize=8192)
def _folded(word: str) -> str:
    """A word as matching sees it: no case, no accents."""
    if word.isascii():
        return word.lower()
    stripped = "".join(c for c in unicodedata.normalize("NFKD", word.casefold())
                       if not unicodedata.combining(c))
    return stripped.translate(index.FOLD).lower()


def marked(content: str, prefixes: Sequence[str]) -> tuple[Span, ...]:
    """The spans of the words of ``content`` that start with one of the (folded) prefixes."""
    return tuple((m.start(), m.end()) for m in _WORD.finditer(content)
                 if any(_folded(m.group()).startswith(p) for p in prefixes))


def _snippet(content: str, prefixes: Sequence[str]) -> str:
    """About ``SNIPPET`` characters of the text around its first matched word, cut between
    words, "…" where it was cut."""
    flat = " ".join(content.split())
    if len(flat) <= SNIPPET:
        return flat
    spans = marked(flat, prefixes)
    start = max(0, spans[0][0] - SNIPPET // 3) if spans else 0
    if start:
        space = flat.find(" ", start)
        start = space + 1 if 0 <= space < (spans[0][0] if spans else start + 20) else start
    end = min(len(flat), start + SNIPPET)
    if end < len(flat):
        space = flat.rfind(" ", start, end)
        end = space if space > start + SNIPPET // 2 else end
    return ("…" if start else "") + flat[start:end] + ("…" if end < len(flat) else "")
