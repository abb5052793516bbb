"""People in the register who are likely one person, and merging them.

The rule is ``domain.duplicates``; this reads the register's people for it (name,
addresses, organisation, how much mail each takes part in) and merges what the user
takes, each group in the record to keep (``people.merge``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, func, or_, select

from patron.domain.duplicates import Duplicate, Someone, duplicates, name_words
from patron.domain.records import PERSON
from patron.services.names import resolve
from patron.services.people import addresses, merge
from patron.store import schema
from patron.store.pieces import chunks


@dataclass(frozen=True)
class Record:
    """One record of a group, as the commands and the assistant show it."""

    id: int
    name: str | None
    emails: list[str]


@dataclass(frozen=True)
class Group:
    """Records likely to be one person: ``others`` merge into ``keep``; the name they share
    (as words) and the organisation's domain that joins them."""

    keep: Record
    others: list[Record]
    name: str
    domain: str


@dataclass(frozen=True)
class Merged:
    """One record merged into another: who stays, who went, and the addresses kept."""

    kept: int
    merged: int
    name: str | None
    merged_name: str | None
    emails: list[str]


def find(conn: Connection) -> list[Duplicate[int]]:
    """Groups of people who are likely one person, the one in the most mail to keep."""
    return duplicates(_people(conn))


def of(conn: Connection, person: int) -> Duplicate[int] | None:
    """The group ``person`` belongs to, if any, read from the people who hold the longest
    word of their name in theirs or in an address (a person's page asks this: a few
    queries, not the whole register)."""
    p, pe = schema.person, schema.person_email
    them = _people(conn, [person])
    words = sorted(name_words(them[0]), key=lambda w: (-len(w), w)) if them else []
    if not words:
        return None
    like = f"%{words[0]}%"
    # SQLite's LIKE already ignores ASCII case, and its ILIKE (lower() on every row) costs
    # seven times as much; PostgreSQL's LIKE heeds case. Addresses are stored lower-case.
    named = p.c.name.like(like) if conn.dialect.name == "sqlite" else p.c.name.ilike(like)
    near = conn.execute(select(p.c.id).where(or_(
        p.c.id == person, named,
        p.c.id.in_(select(pe.c.person_id).where(pe.c.address.like(like)))))).scalars()
    found = duplicates(_people(conn, sorted(near)))
    return next((d for d in found if person in {d.keep.ident, *(o.ident for o in d.others)}), None)


def shown(found: Sequence[Duplicate[int]]) -> list[Group]:
    """The groups as ``patron people duplicates --json`` gives them."""
    return [Group(_record(d.keep), [_record(o) for o in d.others], d.name, d.domain) for d in found]


def _record(someone: Someone[int]) -> Record:
    return Record(someone.ident, someone.name, list(someone.addresses))


def merge_named(conn: Connection, keep: str, other: str) -> Merged:
    """Merge the person ``other`` names into the one ``keep`` names (names as the user
    types them: part of a name, an address, an id or ``#id``), as ``patron people merge``."""
    kept, gone = resolve(conn, PERSON, keep), resolve(conn, PERSON, other)
    p = schema.person
    gone_name = conn.execute(select(p.c.name).where(p.c.id == gone)).scalar()
    merge(conn, kept, gone)
    name = conn.execute(select(p.c.name).where(p.c.id == kept)).scalar_one()
    return Merged(kept, gone, name, gone_name, addresses(conn, kept))


def merge_all(conn: Connection, found: Sequence[Duplicate[int]]) -> int:
    """Merge each group into its record to keep; how many records went."""
    gone = 0
    for group in found:
        for other in group.others:
            merge(conn, group.keep.ident, other.ident)
            gone += 1
    return gone


def _people(conn: Connection, only: Sequence[int] | None = None) -> list[Someone[int]]:
    """Everyone with an address, or those of ``only``, as the rule reads them."""
    if only is None:
        return _read(conn, None)
    return [someone for chunk in chunks(only) for someone in _read(conn, chunk)]


def _read(conn: Connection, ids: Sequence[int] | None) -> list[Someone[int]]:
    p, pe, ip = schema.person, schema.person_email, schema.interaction_participant
    emails = select(pe.c.person_id, pe.c.address).order_by(pe.c.address)
    counted = select(ip.c.person_id, func.count()).group_by(ip.c.person_id)
    named = select(p.c.id, p.c.name, p.c.organisation_id).order_by(p.c.id)
    if ids is not None:
        emails = emails.where(pe.c.person_id.in_(ids))
        counted = counted.where(ip.c.person_id.in_(ids))
        named = named.where(p.c.id.in_(ids))
    addresses: dict[int, list[str]] = defaultdict(list)
    for person, address in conn.execute(emails):
        addresses[int(person)].append(str(address))
    counts = {int(person): int(n) for person, n in conn.execute(counted)}
    return [Someone(int(ident), name, tuple(addresses[int(ident)]), org, counts.get(int(ident), 0))
            for ident, name, org in conn.execute(named) if addresses.get(int(ident))]
