"""People in the register who are likely one person, and merging them.

The rule is ``domain.duplicates``; this reads the register's people for it (name,
addresses, organisation, how much mail each takes part in) and merges what the user
takes, each group in the record to keep (``people.merge``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import Connection, func, select

from patron.domain.duplicates import Duplicate, Someone, duplicates
from patron.services.people import merge
from patron.store import schema


def find(conn: Connection) -> list[Duplicate[int]]:
    """Groups of people who are likely one person, the one in the most mail to keep."""
    return duplicates(_people(conn))


def merge_all(conn: Connection, found: Sequence[Duplicate[int]]) -> int:
    """Merge each group into its record to keep; how many records went."""
    gone = 0
    for group in found:
        for other in group.others:
            merge(conn, group.keep.ident, other.ident)
            gone += 1
    return gone


def _people(conn: Connection) -> list[Someone[int]]:
    p, pe, ip = schema.person, schema.person_email, schema.interaction_participant
    addresses: dict[int, list[str]] = defaultdict(list)
    for person, address in conn.execute(select(pe.c.person_id, pe.c.address).order_by(pe.c.address)):
        addresses[int(person)].append(str(address))
    counts = {int(person): int(n) for person, n in conn.execute(
        select(ip.c.person_id, func.count()).group_by(ip.c.person_id))}
    return [Someone(int(ident), name, tuple(addresses[int(ident)]), org, counts.get(int(ident), 0))
            for ident, name, org in conn.execute(
                select(p.c.id, p.c.name, p.c.organisation_id).order_by(p.c.id))
            if addresses.get(int(ident))]
