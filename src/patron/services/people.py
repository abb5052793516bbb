"""People as importers meet them: by address first, by name where that is safe.

``Directory`` finds or creates the person behind an address during one import
(with a cache, so a mailbox of many thousand messages asks the database once
per address). A new address joins an existing person when the name given
with it is that person's full name and the domains agree (the same
organisation, or free mail on one side); otherwise it is a new person, and
``merge`` joins two by hand (``patron people merge``). Organisations come from
mail domains, free-mail domains left out, one per domain; where several domains want
one name, ``claim_order`` decides which gets it, so that names do not depend on the order
mail arrives in.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from patron.domain.addresses import (
    display_name,
    normal_address,
    organisation_domain,
    organisation_name,
)
from patron.errors import InvalidInput, NotFound
from patron.services.names import MAX_ID
from patron.store import schema
from patron.store.pieces import chunks

WRITERS_LOCK = 0x70617472  # 'patr'
"""PostgreSQL advisory lock taken by the transactions that find or create people."""


def hold_writers(conn: Connection) -> None:
    """Make this transaction the only one finding or creating people until it ends. SQLite
    already writes one transaction at a time (``Store.begin`` takes the write lock up front);
    on PostgreSQL two imports would both read "no such person" or "no such organisation" and
    both insert, and one would fail on a unique key. Reentrant, released at commit."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITERS_LOCK})")


@dataclass
class Tally:
    """What a directory did: people and organisations created, addresses matched."""

    people_created: int = 0
    organisations_created: int = 0
    matched: int = 0
    addresses_added: int = 0
    organisations_renamed: int = 0


@dataclass
class Directory:
    """Finds or creates people by address for one import, inside the caller's transaction."""

    conn: Connection
    organisations: bool = True
    tally: Tally = field(default_factory=Tally)
    _people: dict[str, int] = field(default_factory=dict)
    _orgs: dict[str, int | None] = field(default_factory=dict)
    _held: object = None  # the transaction that holds the writers' lock
    _absent: set[str] = field(default_factory=set)  # addresses nobody had when learnt
    _namesakes: dict[str, set[tuple[int, str]]] = field(default_factory=dict)  # as learnt

    def hold(self) -> None:
        """Hold the writers' lock (``hold_writers``) before reading what may be created: what
        another import added is then committed and seen. Once per transaction."""
        transaction = self.conn.get_transaction()
        if transaction is not self._held:
            hold_writers(self.conn)
            self._held = transaction

    def learn(self, found: Iterable[tuple[str, str | None]]) -> None:
        """Read, in a few queries, who owns these (address, name) pairs' addresses and who
        bears the new addresses' names, so that ``person`` and ``known`` then ask the database
        nothing for them. What this directory writes keeps what it learnt true; a caller that
        changes people's names or addresses behind its back calls ``forget``."""
        self.hold()
        names: dict[str, str | None] = {}
        for address, name in found:
            normal = normal_address(address)
            if normal is not None and normal not in self._people and normal not in self._absent:
                names[normal] = names.get(normal) or name or None
        pe, p = schema.person_email, schema.person
        unknown = sorted(names)
        self._read_owners(unknown)
        new = [a for a in unknown if a not in self._people]
        self._absent.update(new)
        wanted = sorted({f.lower() for a in new if names[a] is not None
                         and len((f := display_name(names[a], a)).split()) >= 2} - set(self._namesakes))
        for chunk in chunks(wanted, 5000):  # lower() scans the table: few, long lists
            for name in chunk:
                self._namesakes[name] = set()
            for ident, name, address in self.conn.execute(
                    select(p.c.id, p.c.name, pe.c.address).join(pe, pe.c.person_id == p.c.id)
                    .where(func.lower(p.c.name).in_(chunk))):
                self._namesakes.setdefault(name.lower(), set()).add((int(ident), address))

    def _read_owners(self, addresses: list[str], count: bool = True) -> None:
        """Who owns these addresses, read a chunk at a time; with ``count``, each one found
        counts as matched."""
        pe = schema.person_email
        for chunk in chunks(addresses):
            for address, ident in self.conn.execute(
                    select(pe.c.address, pe.c.person_id).where(pe.c.address.in_(chunk))):
                self._people[address] = int(ident)
                self.tally.matched += count

    def claim(self, addresses: Iterable[str], person: int) -> None:
        """Addresses the caller gave a person itself (``records.edit``)."""
        for address in addresses:
            self._people[address] = person
            self._absent.discard(address)

    def forget(self, names: Iterable[str]) -> None:
        """Names whose bearers or addresses changed elsewhere: asked of the database again."""
        for name in names:
            self._namesakes.pop(name.lower(), None)

    def person(self, address: str, name: str | None = None) -> int | None:
        """The person behind ``address`` (created if new); None when it is no address."""
        normal = normal_address(address)
        if normal is None:
            return None
        if normal not in self._people:
            self.hold()
            stored = None if normal in self._absent else self._stored(normal)
            if stored is not None:
                self.tally.matched += 1
            self._people[normal] = stored or self._namesake(normal, name) or self._create(normal, name)
            self._absent.discard(normal)
        return self._people[normal]

    def known(self, address: str) -> int | None:
        """The person behind ``address`` if there is one; never creates."""
        normal = normal_address(address)
        if normal is None:
            return None
        if normal in self._absent:
            return None
        return self._people.get(normal) or self._stored(normal)

    def _stored(self, address: str) -> int | None:
        pe = schema.person_email
        row = self.conn.execute(select(pe.c.person_id).where(pe.c.address == address)).first()
        return None if row is None else int(row[0])

    def organisation(self, address: str) -> int | None:
        """The organisation an address's domain stands for (created if new), None for free mail."""
        domain = organisation_domain(address)
        if domain is None or not self.organisations:
            return None
        if domain not in self._orgs:
            self.hold()
            self._orgs[domain] = self._organisation(domain)
        return self._orgs[domain]

    def named(self, name: str, addresses: Sequence[str]) -> int | None:
        """The organisation a sheet's Company cell names for a person with these addresses,
        when it is the organisation of their domain: the addresses share one company domain
        and the name is the one that domain wants (``organisation_name``, ignoring case). It is
        then found or created by the rule mail follows (``claim_order``), whatever name the rule
        gives it, so that a sheet and a mailbox give the same register in either order: "Enron"
        for ``ect.enron.com`` is the organisation of ``ect.enron.com``, which a mailbox with
        ``enron.com`` in it names by its domain. None otherwise (the caller names it by hand)."""
        domains = {d for d in map(organisation_domain, addresses) if d is not None}
        if len(domains) != 1:
            return None
        domain = domains.pop()
        if organisation_name(domain).lower() != name.strip().lower():
            return None
        self.hold()
        if domain not in self._orgs:
            self._organisations_for([f"@{domain}"], always=True)
        return self._orgs.get(domain)

    def people(self, found: Iterable[tuple[str, str | None]]) -> dict[str, int]:
        """The people behind many (address, name) pairs at once, created where new, by the same
        rules as ``person`` but in a few queries and bulk inserts: a mailbox of a hundred
        thousand messages meets tens of thousands of addresses. Keys are normal addresses."""
        names: dict[str, str | None] = {}
        for address, name in found:
            normal = address if address in names or address in self._people else normal_address(address)
            if normal is not None and (names.get(normal) is None):
                names[normal] = name or None
        unknown = [a for a in names if a not in self._people]
        if unknown:
            self.hold()
        self._read_owners(unknown)
        new = [a for a in unknown if a not in self._people]
        if new:
            self._create_many(new, names)
        return {a: self._people[a] for a in names}

    def existing(self, addresses: Sequence[str]) -> dict[str, int]:
        """The people already behind these normal addresses, in a few queries; creates nobody
        (mail sent to many links the people you know and makes no new ones)."""
        self._read_owners(sorted({a for a in addresses if a not in self._people}), count=False)
        return {a: self._people[a] for a in addresses if a in self._people}

    def _create_many(self, new: list[str], names: dict[str, str | None]) -> None:
        """New addresses: each joins a namesake (existing, or new earlier in the list) by the
        rule of ``_namesake``, or becomes a new person; people go in with one bulk insert."""
        full = {a: display_name(names[a], a) for a in new}
        wanted = {f.lower() for a, f in full.items() if names[a] is not None and len(f.split()) >= 2}
        namesakes: dict[str, dict[tuple[str, int], list[str]]] = {}  # name -> person -> addresses
        p, pe = schema.person, schema.person_email
        for chunk in chunks(sorted(wanted), 5000):  # lower() scans the table: few, long lists
            for ident, name, address in self.conn.execute(
                    select(p.c.id, p.c.name, pe.c.address).join(pe, pe.c.person_id == p.c.id)
                    .where(func.lower(p.c.name).in_(chunk))):
                namesakes.setdefault(name.lower(), {}).setdefault(("old", int(ident)), []).append(address)
        created: list[str] = []  # the first address of each new person
        joins: list[tuple[str, tuple[str, int]]] = []
        for address in new:
            key = full[address].lower()
            person = _namesake_of(address, namesakes.get(key)) if key in wanted else None
            if person is None:
                person = ("new", len(created))
                created.append(address)
            if key in wanted:
                namesakes.setdefault(key, {}).setdefault(person, []).append(address)
            joins.append((address, person))
        self._organisations_for(new)
        orgs: dict[tuple[str, int], int] = {}  # a person's organisation: any address's will do
        for address, person in joins:
            if (org := self.organisation(address)) is not None:
                orgs.setdefault(person, org)
        rows = [{"name": full[a], "organisation_id": orgs.get(("new", n))} for n, a in enumerate(created)]
        idents = self._insert_people(rows)
        links = []
        for address, (origin, ident) in joins:
            self._people[address] = idents[ident] if origin == "new" else ident
            links.append({"address": address, "person_id": self._people[address]})
            if origin == "old" or created[ident] != address:
                self.tally.addresses_added += 1
        self.conn.execute(insert(pe), links)
        self.tally.people_created += len(created)
        for (origin, ident), org in sorted(orgs.items()):
            if origin == "old":
                self._join(ident, org)

    def _join(self, person: int, org: int) -> None:
        """A person known without an organisation (met by free mail first) joins the one an
        address of theirs now shows: the same as had that address come first."""
        p = schema.person
        self.conn.execute(update(p).where(p.c.id == person, p.c.organisation_id.is_(None))
                          .values(organisation_id=org))

    def _insert_people(self, rows: list[dict[str, Any]]) -> list[int]:
        """Insert people in bulk; their ids in the order of ``rows``. RETURNING in bulk does not
        keep the order (asking it to makes SQLite insert row by row), but rows with the same
        name and organisation are alike, so matching on those two is exact."""
        if not rows:
            return []
        p = schema.person
        made: dict[tuple[str, int | None], list[int]] = {}
        for ident, name, org in self.conn.execute(
                insert(p).returning(p.c.id, p.c.name, p.c.organisation_id), rows):
            made.setdefault((name, org), []).append(int(ident))
        for idents in made.values():
            idents.reverse()
        return [made[(r["name"], r["organisation_id"])].pop() for r in rows]

    def _organisations_for(self, addresses: list[str], always: bool = False) -> None:
        """Find or create the organisations of many addresses' domains in a few statements
        (``always``: even for a directory that gives new people no organisation)."""
        if not self.organisations and not always:
            return
        domains = sorted({d for a in addresses
                          if (d := organisation_domain(a)) is not None and d not in self._orgs})
        od, o = schema.organisation_domain, schema.organisation
        for chunk in chunks(domains):
            for domain, ident in self.conn.execute(
                    select(od.c.domain, od.c.organisation_id).where(od.c.domain.in_(chunk))):
                self._orgs[domain] = int(ident)
        missing = [d for d in domains if d not in self._orgs]
        claims: dict[str, list[str]] = {}  # wanted name (lower case) -> its new claimants
        for domain in missing:
            claims.setdefault(organisation_name(domain).lower(), []).append(domain)
        held = self._holders(sorted(claims.keys() | set(missing)))
        names: dict[str, str] = {}
        for wanted, claimants in sorted(claims.items()):
            names.update(self._named(wanted, sorted(claimants, key=claim_order), held))
        rows = [{"name": n, "domain": d} for d, n in names.items()]
        for domain in missing:
            if domain not in names:  # its domain names another organisation already
                self._orgs[domain] = None
        if not rows:
            return
        named = [{"name": r["name"]} for r in rows]
        ids = {name: int(ident)  # names are unique
               for name, ident in self.conn.execute(insert(o).returning(o.c.name, o.c.id), named)}
        made = {r["domain"]: int(ids[r["name"]]) for r in rows}
        self.conn.execute(insert(od), [{"domain": d, "organisation_id": i} for d, i in made.items()])
        self._orgs.update(made)
        self.tally.organisations_created += len(made)

    def _holders(self, names: list[str]) -> dict[str, tuple[int, str | None]]:
        """The organisations holding these names (lower case): id, and the domain it was named
        after when it has one domain only (else None)."""
        o, od = schema.organisation, schema.organisation_domain
        held: dict[str, tuple[int, str | None]] = {}
        for chunk in chunks(names, 5000):  # lower() scans the table: few, long lists
            rows = self.conn.execute(select(o.c.id, o.c.name).where(func.lower(o.c.name).in_(chunk))).all()
            domains: dict[int, list[str]] = {}
            for ident, domain in self.conn.execute(select(od.c.organisation_id, od.c.domain)
                                                   .where(od.c.organisation_id.in_([r.id for r in rows]))):
                domains.setdefault(int(ident), []).append(domain)
            for row in rows:
                theirs = domains.get(int(row.id), [])
                held[row.name.lower()] = (int(row.id), theirs[0] if len(theirs) == 1 else None)
        return held

    def _free(self, name: str, held: dict[str, tuple[int, str | None]]) -> bool:
        o = schema.organisation
        return name not in held and self.conn.execute(
            select(o.c.id).where(func.lower(o.c.name) == name)).first() is None

    def _named(self, wanted: str, claimants: list[str], held: dict[str, tuple[int, str | None]],
               ) -> dict[str, str]:
        """Names for new domains that all want the name ``wanted``: the first claimant in
        ``claim_order`` gets it, unless an organisation holds it that comes first or that was
        not named after a claimant (named by hand); the others are named by their domain.
        An organisation that held the name for a claimant coming later takes its domain's name."""
        names = {d: d for d in claimants}
        holder = held.get(wanted)
        best = claimants[0]
        if holder is None:
            names[best] = organisation_name(best)
        else:
            ident, theirs = holder
            if (theirs is not None and organisation_name(theirs).lower() == wanted
                    and claim_order(best) < claim_order(theirs) and self._free(theirs, held)):
                o = schema.organisation
                self.conn.execute(update(o).where(o.c.id == ident).values(name=theirs))
                held[theirs] = (ident, theirs)
                del held[wanted]
                names[best] = organisation_name(best)
                self.tally.organisations_renamed += 1
        for domain, name in list(names.items()):
            if name == domain and domain in held:
                del names[domain]
        for name in names.values():
            held.setdefault(name.lower(), (0, None))
        return names

    def named_by_rule(self, domain: str) -> tuple[int, str] | None:
        """The organisation of ``domain`` (id, name) when it looks named by the rule: that one
        domain only, and the name the domain wants, or the domain itself. Such an organisation
        may take a name someone gives it (a card's ORG); one named otherwise keeps its own."""
        self.hold()
        o, od = schema.organisation, schema.organisation_domain
        owner = self.conn.execute(select(o.c.id, o.c.name).join(od, od.c.organisation_id == o.c.id)
                                  .where(od.c.domain == domain)).first()
        if owner is None or str(owner.name).lower() not in (organisation_name(domain).lower(), domain):
            return None
        domains = self.conn.execute(select(func.count()).select_from(od)
                                    .where(od.c.organisation_id == owner.id)).scalar_one()
        return (int(owner.id), str(owner.name)) if domains == 1 else None

    def give_up(self, name: str) -> tuple[int, str, str] | None:
        """An organisation that held ``name`` for its domain took another (a card's): the name
        goes to the first, in ``claim_order``, of the organisations named by their one domain
        that want it, as if it had never been held. The one renamed (id, old name, new name),
        or None when nobody wants it or another organisation holds it (case aside)."""
        self.hold()
        wanted = name.lower()
        if not self._free(wanted, {}):
            return None
        o, od = schema.organisation, schema.organisation_domain
        claimants = [(int(ident), str(domain)) for ident, domain in self.conn.execute(
            select(o.c.id, od.c.domain).join(od, od.c.organisation_id == o.c.id)
            .where(o.c.name == od.c.domain)) if organisation_name(domain).lower() == wanted]
        if not claimants:
            return None
        counts: dict[int, int] = {}
        for ident, in self.conn.execute(select(od.c.organisation_id).where(
                od.c.organisation_id.in_([i for i, _ in claimants]))):
            counts[int(ident)] = counts.get(int(ident), 0) + 1
        alone = [(i, d) for i, d in claimants if counts.get(i) == 1]
        if not alone:
            return None
        ident, domain = min(alone, key=lambda claimant: claim_order(claimant[1]))
        new = organisation_name(domain)
        self.conn.execute(update(o).where(o.c.id == ident).values(name=new))
        self.tally.organisations_renamed += 1
        return ident, domain, new

    def _namesake(self, address: str, name: str | None) -> int | None:
        """An existing person this address safely belongs to: same full name, agreeing domains."""
        full = display_name(name, address)
        if name is None or len(full.split()) < 2:
            return None
        p, pe = schema.person, schema.person_email
        key = full.lower()
        if key in self._namesakes:
            rows = sorted(self._namesakes[key])
        else:
            rows = [(int(r.id), str(r.address)) for r in self.conn.execute(
                select(p.c.id, pe.c.address).join(pe, pe.c.person_id == p.c.id)
                .where(func.lower(p.c.name) == key))]
        people = {ident for ident, _ in rows}
        if len(people) != 1:
            return None
        mine = organisation_domain(address)
        theirs = {organisation_domain(a) for _, a in rows}
        if mine is not None and any(d is not None and d != mine for d in theirs):
            return None
        ident = people.pop()
        self.conn.execute(insert(pe).values(address=address, person_id=ident))
        self.tally.addresses_added += 1
        if (org := self.organisation(address)) is not None:
            self._join(ident, org)
        if key in self._namesakes:
            self._namesakes[key].add((ident, address))
        return ident

    def _create(self, address: str, name: str | None) -> int:
        org = self.organisation(address)
        result = self.conn.execute(insert(schema.person), {
            "name": display_name(name, address), "organisation_id": org})
        ident = int(result.inserted_primary_key[0])  # type: ignore[index]
        self.conn.execute(insert(schema.person_email), {"address": address, "person_id": ident})
        self.tally.people_created += 1
        key = display_name(name, address).lower()
        if key in self._namesakes:
            self._namesakes[key].add((ident, address))
        return ident

    def _organisation(self, domain: str) -> int | None:
        self._organisations_for([f"@{domain}"])
        return self._orgs[domain]


def claim_order(domain: str) -> tuple[int, int, str]:
    """Which of several domains wanting one name gets it: the organisation's own domain before
    its subdomains (``enron.com`` before ``ect.enron.com``), then the shorter, then the first
    in alphabetical order. A rule on the set of domains, so that names do not depend on the
    order in which mail arrives."""
    parts = domain.split(".")
    return (len(parts) - _registrable_length(parts), len(domain), domain)


def _registrable_length(parts: list[str]) -> int:
    """How many labels the domain an organisation registered has (``organisation_name``'s
    reading: 'x.co.uk' has three, 'x.com' two)."""
    length = 2
    while len(parts) > length and parts[-length] in _SECOND_LEVEL:
        length += 1
    return min(length, len(parts))


_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "ac", "gov", "edu"})


def _namesake_of(address: str, candidates: dict[tuple[str, int], list[str]] | None,
                 ) -> tuple[str, int] | None:
    """The one person of that name whose addresses' domains agree with ``address``."""
    if not candidates or len(candidates) != 1:
        return None
    person, theirs = next(iter(candidates.items()))
    mine = organisation_domain(address)
    domains = {organisation_domain(a) for a in theirs}
    if mine is not None and any(d is not None and d != mine for d in domains):
        return None
    return person


@dataclass
class Engagements:
    """``engagement_of`` for many groups of people in one import: the stakeholder roles and
    organisations of the people met are read once, in bulk, and the same rule applied."""

    conn: Connection
    _roles: dict[int, set[int]] = field(default_factory=dict)
    _orgs: dict[int, int | None] = field(default_factory=dict)
    _served: dict[int, set[int]] = field(default_factory=dict)
    _any: bool | None = None

    def learn(self, people: Iterable[int]) -> None:
        """Read what is needed about these people (those not seen before) in a few queries."""
        if self._any is None:
            self._any = self.conn.execute(select(schema.engagement.c.id).limit(1)).first() is not None
        if not self._any:
            return
        unseen = sorted({p for p in people if p not in self._orgs})
        if not unseen:
            return
        s, e, p = schema.stakeholder, schema.engagement, schema.person
        for chunk in chunks(unseen):
            for ident in chunk:
                self._roles[ident] = set()
            for person, engagement in self.conn.execute(
                    select(s.c.person_id, s.c.engagement_id).where(s.c.person_id.in_(chunk))):
                self._roles[int(person)].add(int(engagement))
            for person, org in self.conn.execute(select(p.c.id, p.c.organisation_id)
                                                 .where(p.c.id.in_(chunk))):
                self._orgs[int(person)] = None if org is None else int(org)
        orgs = sorted({o for o in self._orgs.values() if o is not None and o not in self._served})
        for chunk in chunks(orgs):
            for org in chunk:
                self._served[org] = set()
            for org, engagement in self.conn.execute(
                    select(e.c.organisation_id, e.c.id).where(e.c.organisation_id.in_(chunk))):
                self._served[int(org)].add(int(engagement))

    def of(self, people: list[int]) -> int | None:
        """The engagement these people point to, where they agree on one: the engagements
        they are stakeholders of, else those serving their organisations; None when none or
        several. Read from what ``learn`` read."""
        self.learn(people)
        if not people or not self._any:
            return None
        roles = set().union(*(self._roles.get(p, set()) for p in people))
        if len(roles) == 1:
            return roles.pop()
        if roles:
            return None
        orgs = {self._orgs.get(p) for p in people} - {None}
        served = set().union(*(self._served.get(o, set()) for o in orgs if o is not None))
        return served.pop() if len(served) == 1 else None


def merge(conn: Connection, keep: int, other: int) -> None:
    """Make ``other`` one with ``keep``: their addresses, roles, asks and meetings move over,
    then ``other`` goes. Where both held the same place (a role, a meeting), it is kept once."""
    if keep == other:
        raise InvalidInput("a person cannot be merged with themselves")
    p = schema.person
    for ident in (keep, other):
        beyond = not -MAX_ID <= ident <= MAX_ID  # no column holds it: no such person
        if beyond or conn.execute(select(p.c.id).where(p.c.id == ident)).first() is None:
            raise NotFound(f"no person with id {ident}")
    _merge_links(conn, keep, other)
    _merge_ties(conn, keep, other)
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


def _merge_ties(conn: Connection, keep: int, other: int) -> None:
    """Importers' ties to a person (a card's UID) follow them into the merge."""
    s = schema.import_state
    for source, state in conn.execute(select(s.c.source, s.c.state)).all():
        if isinstance(state, dict) and state.get("person") == other:
            conn.execute(update(s).where(s.c.source == source).values(state={**state, "person": keep}))


def _merge_links(conn: Connection, keep: int, other: int) -> None:
    """Tables where the person is part of a key: move the rows that do not clash, drop the rest."""
    ip = schema.interaction_participant
    shared = select(ip.c.interaction_id).where(ip.c.person_id == keep).scalar_subquery()
    own = select(ip.c.interaction_id).where(ip.c.person_id == other, ip.c.own_mailbox.is_(True))
    conn.execute(update(ip).where(ip.c.person_id == keep, ip.c.interaction_id.in_(own.scalar_subquery()))
                 .values(own_mailbox=True))
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
    stakeholders of, else those serving their organisations; None when none or several.
    One group at a time; an import asks ``Engagements``, which holds the rule."""
    return Engagements(conn).of(people)
