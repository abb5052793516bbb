"""People as importers meet them: by address first, by name where that is safe.

``Directory`` finds or creates the person behind an address during one import
(with a cache, so a mailbox of many thousand messages asks the database once
per address). A new address joins an existing person when the name given
with it is that person's full name and the domains agree (the same
organisation, or free mail on one side); otherwise it is a new person, and
``merge`` joins two by hand (``patron people merge``). Organisations come from
mail domains, free-mail domains left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Connection, delete, func, insert, select, update

from patron.domain.addresses import (
    display_name,
    normal_address,
    organisation_domain,
    organisation_name,
)
from patron.errors import InvalidInput, NotFound
from patron.store import schema


@dataclass
class Tally:
    """What a directory did: people and organisations created, addresses matched."""

    people_created: int = 0
    organisations_created: int = 0
    matched: int = 0
    addresses_added: int = 0


@dataclass
class Directory:
    """Finds or creates people by address for one import, inside the caller's transaction."""

    conn: Connection
    organisations: bool = True
    tally: Tally = field(default_factory=Tally)
    _people: dict[str, int] = field(default_factory=dict)
    _orgs: dict[str, int | None] = field(default_factory=dict)

    def person(self, address: str, name: str | None = None) -> int | None:
        """The person behind ``address`` (created if new); None when it is no address."""
        normal = normal_address(address)
        if normal is None:
            return None
        if normal in self._people:
            return self._people[normal]
        pe = schema.person_email
        row = self.conn.execute(select(pe.c.person_id).where(pe.c.address == normal)).first()
        if row is not None:
            self.tally.matched += 1
            ident = int(row[0])
        else:
            ident = self._namesake(normal, name) or self._create(normal, name)
        self._people[normal] = ident
        return ident

    def known(self, address: str) -> int | None:
        """The person behind ``address`` if there is one; never creates."""
        normal = normal_address(address)
        if normal is None:
            return None
        if normal in self._people:
            return self._people[normal]
        pe = schema.person_email
        row = self.conn.execute(select(pe.c.person_id).where(pe.c.address == normal)).first()
        return None if row is None else int(row[0])

    def organisation(self, address: str) -> int | None:
        """The organisation an address's domain stands for (created if new), None for free mail."""
        domain = organisation_domain(address)
        if domain is None or not self.organisations:
            return None
        if domain not in self._orgs:
            self._orgs[domain] = self._organisation(domain)
        return self._orgs[domain]

    def _namesake(self, address: str, name: str | None) -> int | None:
        """An existing person this address safely belongs to: same full name, agreeing domains."""
        full = display_name(name, address)
        if name is None or len(full.split()) < 2:
            return None
        p, pe = schema.person, schema.person_email
        rows = self.conn.execute(
            select(p.c.id, pe.c.address).join(pe, pe.c.person_id == p.c.id)
            .where(func.lower(p.c.name) == full.lower())
        ).all()
        people = {int(r.id) for r in rows}
        if len(people) != 1:
            return None
        mine = organisation_domain(address)
        theirs = {organisation_domain(r.address) for r in rows}
        if mine is not None and any(d is not None and d != mine for d in theirs):
            return None
        ident = people.pop()
        self.conn.execute(insert(pe).values(address=address, person_id=ident))
        self.tally.addresses_added += 1
        return ident

    def _create(self, address: str, name: str | None) -> int:
        org = self.organisation(address)
        result = self.conn.execute(insert(schema.person).values(
            name=display_name(name, address), organisation_id=org))
        ident = int(result.inserted_primary_key[0])  # type: ignore[index]
        self.conn.execute(insert(schema.person_email).values(address=address, person_id=ident))
        self.tally.people_created += 1
        return ident

    def _organisation(self, domain: str) -> int:
        od, o = schema.organisation_domain, schema.organisation
        row = self.conn.execute(select(od.c.organisation_id).where(od.c.domain == domain)).first()
        if row is not None:
            return int(row[0])
        name = organisation_name(domain)
        if self.conn.execute(select(o.c.id).where(func.lower(o.c.name) == name.lower())).first():
            name = domain  # another organisation has that name: the domain tells them apart
        ident = int(self.conn.execute(insert(o).values(name=name)).inserted_primary_key[0])  # type: ignore[index]
        self.conn.execute(insert(od).values(domain=domain, organisation_id=ident))
        self.tally.organisations_created += 1
        return ident


def merge(conn: Connection, keep: int, other: int) -> None:
    """Make ``other`` one with ``keep``: their addresses, roles, asks and meetings move over,
    then ``other`` goes. Where both held the same place (a role, a meeting), it is kept once."""
    if keep == other:
        raise InvalidInput("a person cannot be merged with themselves")
    p = schema.person
    for ident in (keep, other):
        if conn.execute(select(p.c.id).where(p.c.id == ident)).first() is None:
            raise NotFound(f"no person with id {ident}")
    _merge_links(conn, keep, other)
    for table in schema.metadata.sorted_tables:
        for column in table.columns:
            if any(fk.column is p.c.id for fk in column.foreign_keys) and table.name not in _LINKS:
                conn.execute(update(table).where(column == other).values({column.name: keep}))
    kept, gone = (conn.execute(select(p).where(p.c.id == i)).mappings().one() for i in (keep, other))
    fill = {k: gone[k] for k in ("organisation_id", "title", "notes") if kept[k] is None and gone[k]}
    if fill:
        conn.execute(update(p).where(p.c.id == keep).values(**fill))
    conn.execute(delete(p).where(p.c.id == other))


_LINKS = {"interaction_participant", "stakeholder"}


def _merge_links(conn: Connection, keep: int, other: int) -> None:
    """Tables where the person is part of a key: move the rows that do not clash, drop the rest."""
    ip = schema.interaction_participant
    shared = select(ip.c.interaction_id).where(ip.c.person_id == keep).scalar_subquery()
    conn.execute(delete(ip).where(ip.c.person_id == other, ip.c.interaction_id.in_(shared)))
    conn.execute(update(ip).where(ip.c.person_id == other).values(person_id=keep))
    s = schema.stakeholder
    theirs = conn.execute(select(s.c.id, s.c.engagement_id, s.c.role).where(s.c.person_id == other)).all()
    for row in theirs:
        clash = conn.execute(select(s.c.id).where(
            s.c.person_id == keep, s.c.engagement_id == row.engagement_id, s.c.role == row.role)).first()
        if clash is None:
            conn.execute(update(s).where(s.c.id == row.id).values(person_id=keep))
        else:
            conn.execute(delete(s).where(s.c.id == row.id))


def addresses(conn: Connection, person: int) -> list[str]:
    pe = schema.person_email
    return sorted(conn.execute(select(pe.c.address).where(pe.c.person_id == person)).scalars())




def engagement_of(conn: Connection, people: list[int]) -> int | None:
    """The engagement these people point to, where they agree on one: the engagements they are
    stakeholders of, else those serving their organisations; None when none or several."""
    if not people:
        return None
    s, e, p = schema.stakeholder, schema.engagement, schema.person
    roles = set(conn.execute(select(s.c.engagement_id).where(s.c.person_id.in_(people))).scalars())
    if len(roles) == 1:
        return int(roles.pop())
    if roles:
        return None
    orgs = select(p.c.organisation_id).where(p.c.id.in_(people), p.c.organisation_id.is_not(None))
    served = set(conn.execute(select(e.c.id).where(e.c.organisation_id.in_(orgs))).scalars())
    return int(served.pop()) if len(served) == 1 else None
