"""Address books in and out: each card finds its person, fills in what is missing, and never
makes a second one.

A card finds its person by, in order: any of its e-mail addresses (the way
every importer matches, ``people.Directory``); the card's UID, when an
earlier import tied it to a person (a UID is the card's identity, whatever
its name becomes), or when it is one of Patron's own ``patron-person-<id>``
and the name agrees; for a card without an address, the one person of that
exact name who is not tied to another card (two cards of one name with
different UIDs are two people).
A card with addresses that finds nobody goes to ``Directory.person``, which
joins a namesake with agreeing domains or creates the person.

What Patron holds wins: a card fills empty fields (organisation, title, birthday, anniversary,
notes) and adds addresses and phone numbers it does not know, but never
overwrites or removes anything, so a stale card cannot undo what was typed.
Importing the same cards again changes nothing.

Organisations come from ORG, matched by name (ignoring case). Where the
card's addresses share one company domain, the domain is recorded for that
organisation when no organisation has it yet, and an organisation Patron had
only named after that domain (from mail) takes the card's proper name. A
card without ORG is given no organisation.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import DataError, IntegrityError

from patron.domain.addresses import display_name, organisation_domain, organisation_name
from patron.domain.records import ORGANISATION, PERSON
from patron.errors import Conflict, InvalidInput, PatronError
from patron.importers import vcard
from patron.importers.base import Outcome, Problem, Progress, no_progress
from patron.services import records
from patron.services.people import Directory
from patron.store import schema

T = TypeVar("T")


BATCH = 500
"""Cards stored per savepoint: their addresses and people are looked up in one query each,
and their new addresses and card ties inserted together."""


def import_cards(conn: Connection, chunks: list[vcard.Chunk], problems: list[Problem], now: datetime,
                 progress: Progress = no_progress, batch: int = BATCH) -> Outcome:
    """Import cards (cut from their files by ``vcard.chunks``) inside the caller's transaction,
    ``batch`` cards at a time. The result is the same whatever the batch: cards are taken
    one after another against what the cards before them stored, and a batch that fails is
    taken again card by card, so that a card that fails leaves nothing behind."""
    outcome = Outcome(problems=list(problems))
    book = _Book(conn, now)
    for start in range(0, len(chunks), max(batch, 1)):
        read = [_read(chunk) for chunk in chunks[start:start + max(batch, 1)]]
        try:
            with conn.begin_nested():
                part = book.take_all(read)
        except (PatronError, DataError, IntegrityError):
            book = _Book(conn, now)  # its indexes hold what was rolled back
            part, book = _one_by_one(conn, book, read, now)
        _add(outcome, part)
        progress(len(read))
    return outcome


def _read(chunk: vcard.Chunk) -> tuple[vcard.Chunk, vcard.CardDraft | Problem]:
    try:
        return chunk, vcard.read(chunk)
    except InvalidInput as exc:
        return chunk, Problem(chunk.where, str(exc))


def _one_by_one(conn: Connection, book: _Book, read: list[tuple[vcard.Chunk, vcard.CardDraft | Problem]],
                now: datetime) -> tuple[Outcome, _Book]:
    """A batch that failed, card by card: the card that fails is a problem, the rest stored."""
    outcome = Outcome()
    for chunk, draft in read:
        try:
            with conn.begin_nested():
                part = book.take_all([(chunk, draft)])
        except (PatronError, DataError, IntegrityError) as exc:
            reason = str(exc) if isinstance(exc, PatronError) else "the database refused it"
            part = Outcome(problems=[Problem(chunk.where, reason)])
            book = _Book(conn, now)
        _add(outcome, part)
    return outcome, book


def _add(outcome: Outcome, part: Outcome) -> None:
    outcome.created += part.created
    outcome.updated += part.updated
    outcome.unchanged += part.unchanged
    outcome.problems += part.problems


@dataclass
class _Book:
    """One import's view of the register, read once: people by name, organisations by name,
    and which cards (by UID) earlier imports tied to which people; each batch adds the owners
    of its addresses and the rows of the people they lead to."""

    conn: Connection
    now: datetime
    people: Directory = field(init=False)
    bound: dict[str, int] = field(init=False)              # card source -> person
    ties: dict[int, set[str]] = field(init=False)           # person -> card sources
    names: dict[str, set[int]] = field(init=False)          # lower-case name -> people
    everyone: set[int] = field(init=False)                  # every person's id
    orgs: dict[str, int] = field(init=False)                # lower-case name -> organisation
    owners: dict[str, int | None] = field(init=False)       # address -> person, as looked up
    rows: dict[int, dict[str, Any]] = field(init=False)     # person -> their row, as stored
    addresses: list[dict[str, Any]] = field(init=False)     # person_email rows to insert
    cards: dict[str, tuple[bool, dict[str, Any]]] = field(init=False)  # card ties to write
    domains: set[str] = field(init=False)                   # mail domains of organisations
    dirty: bool = False                                     # the card being taken wrote

    def __post_init__(self) -> None:
        self.people = Directory(self.conn, organisations=False)
        self.owners, self.rows, self.addresses, self.cards = {}, {}, [], {}
        p, o, s = schema.person, schema.organisation, schema.import_state
        self.names, self.everyone = {}, set()
        for ident, name in self.conn.execute(select(p.c.id, p.c.name)):
            self.names.setdefault(str(name).lower(), set()).add(int(ident))
            self.everyone.add(int(ident))
        orgs = self.conn.execute(select(o.c.id, o.c.name))
        self.orgs = {str(name).lower(): int(ident) for ident, name in orgs}
        od = schema.organisation_domain
        self.domains = set(self.conn.execute(select(od.c.domain)).scalars())
        self.bound, self.ties = {}, {}
        cards = self.conn.execute(select(s.c.source, s.c.state).where(s.c.source.like("vcard:%")))
        for source, state in cards:
            if isinstance(state, dict) and isinstance(state.get("person"), int):
                self._tie(source, state["person"])

    def _tie(self, source: str, person: int) -> None:
        self.bound[source] = person
        self.ties.setdefault(person, set()).add(source)

    def take_all(self, read: list[tuple[vcard.Chunk, vcard.CardDraft | Problem]]) -> Outcome:
        """Take cards one after another; a card refused before it wrote anything (a name
        shared by two people, an address the register refuses) is a problem. Errors of the
        database are left to the caller, which takes the batch again card by card."""
        outcome = Outcome()
        drafts = [d for _, d in read if isinstance(d, vcard.CardDraft)]
        self._learn(drafts)
        for chunk, draft in read:
            if isinstance(draft, Problem):
                outcome.problems.append(draft)
                continue
            try:
                self.take(draft, outcome)
            except _Refused as exc:
                outcome.problems.append(Problem(chunk.where, str(exc.error)))
        self.flush()
        return outcome

    def _learn(self, drafts: list[vcard.CardDraft]) -> None:
        """The owners of the batch's addresses and the rows of the people they (and the
        cards' UIDs) lead to, each in a query per 500."""
        pe, p = schema.person_email, schema.person
        wanted = sorted({a for d in drafts for a in d.emails if a not in self.owners})
        for chunk in _chunks(wanted):
            self.owners.update(dict.fromkeys(chunk))
            self.owners.update((str(a), int(i)) for a, i in self.conn.execute(
                select(pe.c.address, pe.c.person_id).where(pe.c.address.in_(chunk))))
        found = {self.owners[a] for d in drafts for a in d.emails} | {
            self.bound.get(vcard.uid_source(d.uid), None) for d in drafts if d.uid}
        missing = sorted(i for i in found if i is not None and i not in self.rows)
        for ids in _chunks(missing):
            for row in self.conn.execute(select(p).where(p.c.id.in_(ids))).mappings():
                self.rows[int(row["id"])] = dict(row)

    def take(self, draft: vcard.CardDraft, outcome: Outcome) -> None:
        """Take one card; a card refused before it wrote anything raises ``_Refused``."""
        self.dirty = False
        try:
            self._take(draft, outcome)
        except PatronError as exc:
            if self.dirty:
                raise
            raise _Refused(exc) from None

    def _take(self, draft: vcard.CardDraft, outcome: Outcome) -> None:
        person, how = self._found(draft), "found"
        if person is None:
            person, how = self._namesake(draft)
        if person is None:
            person, how = self._create(draft), "new"
        changed = how != "new" and self._fill(person, draft, rename=how == "made")
        if how in ("new", "made"):
            outcome.created += 1
            self.names.setdefault(draft.name.lower(), set()).add(person)
            self.everyone.add(person)
        elif changed or how == "joined":
            outcome.updated += 1
        else:
            outcome.unchanged += 1
        self._bind(draft, person)

    # --- finding ------------------------------------------------------------------------

    def _found(self, draft: vcard.CardDraft) -> int | None:
        for address in draft.emails:
            person = self._owner(address)
            if person is not None:
                return person
        person = self._by_uid(draft)
        if person is not None or draft.emails:
            return person
        return self._by_name(draft)

    def _by_uid(self, draft: vcard.CardDraft) -> int | None:
        """The person an earlier import tied this UID to (a UID is a card's identity, whatever
        its name becomes), else the one Patron's own UID names, if the name agrees: ids are
        only meaningful in the register that wrote them."""
        if not draft.uid:
            return None
        source = vcard.uid_source(draft.uid)
        if source in self.bound:
            return self.bound[source] if self.bound[source] in self.everyone else None
        own = _own_uid(draft.uid)
        if own is None or self._tied_elsewhere(draft, own):
            return None
        return own if own in self.names.get(draft.name.lower(), set()) else None

    def _by_name(self, draft: vcard.CardDraft) -> int | None:
        """The one person of this exact name not tied to another card; ambiguity is refused."""
        ids = {i for i in self.names.get(draft.name.lower(), set()) if not self._tied_elsewhere(draft, i)}
        if len(ids) > 1:
            raise Conflict(f"{len(ids)} people are called {draft.name!r}; give the card an e-mail "
                           "address, or merge them (patron people merge)")
        return ids.pop() if ids else None

    def _tied_elsewhere(self, draft: vcard.CardDraft, person: int) -> bool:
        """Whether the person stands for a card with another UID (never for a card without)."""
        return bool(draft.uid) and bool(self.ties.get(person, set()) - {vcard.uid_source(draft.uid or "")})

    def _namesake(self, draft: vcard.CardDraft) -> tuple[int | None, str]:
        """For a card with addresses, ``Directory``'s answer for its first address: a namesake
        joined ('joined': same full name, agreeing domains) or a new person ('made'). Asked
        only when someone has that name, and never about a person who stands for a card with
        another UID; (None, '') otherwise."""
        if not draft.emails or not draft.named:
            return None, ""
        namesakes = self.names.get(display_name(draft.name, draft.emails[0]).lower(), set())
        if not namesakes or any(self._tied_elsewhere(draft, i) for i in namesakes):
            return None, ""
        self.flush()  # the directory reads addresses from the database
        self.dirty = True
        before = self.people.tally.people_created
        person = self.people.person(draft.emails[0], draft.name)
        assert person is not None
        self.owners[draft.emails[0]] = person
        return person, "made" if self.people.tally.people_created > before else "joined"

    # --- creating and filling in --------------------------------------------------------

    def _create(self, draft: vcard.CardDraft) -> int:
        emails = self._valid("emails", draft.emails)
        row: dict[str, Any] = {"name": draft.name, "organisation_id": None,
                               "title": self._valid("title", draft.title),
                               "notes": self._valid("notes", draft.notes),
                               "phones": self._valid("phones", draft.phones),
                               "birthday": draft.birthday, "anniversary": draft.anniversary}
        if draft.organisation:
            row["organisation_id"] = self._organisation(draft)
        self.dirty = True
        inserted = self.conn.execute(insert(schema.person), row).inserted_primary_key
        assert inserted is not None
        person = int(inserted[0])
        self.rows[person] = {"id": person, **row}
        self._own(person, emails)
        return person

    def _fill(self, person: int, draft: vcard.CardDraft, rename: bool = False) -> bool:
        """Give the person what the card has and they lack (and, for a person just made from
        the card, its exact name); True when anything changed."""
        row = self._row(person)
        known = {vcard.phone_key(p) for p in row["phones"] or []}
        phones = self._valid("phones", [p for p in draft.phones if vcard.phone_key(p) not in known])
        addresses = self._valid("emails", [a for a in draft.emails if self._owner(a) is None])
        change: dict[str, Any] = {}
        if rename and row["name"] != draft.name:
            change["name"] = draft.name
        for name in ("title", "notes"):
            if not row[name] and getattr(draft, name):
                change[name] = self._valid(name, getattr(draft, name))
        for name in ("birthday", "anniversary"):
            if row.get(name) is None and getattr(draft, name) is not None:
                change[name] = getattr(draft, name)
        if phones:
            current = list(row["phones"] or [])
            change["phones"] = current + [p for p in phones if p not in current]
        if row["organisation_id"] is None and draft.organisation:
            change["organisation_id"] = self._organisation(draft)
        if not (change or addresses):
            return False
        self.dirty = True
        if change:
            p = schema.person
            self.conn.execute(update(p).where(p.c.id == person).values(**change))
            row.update(change)
        self._own(person, addresses)
        return True

    def _valid(self, name: str, value: Any) -> Any:
        """A card's value as the register keeps it (addresses checked, lists without
        duplicates), as ``records`` would store it."""
        return records.coerce(self.conn, PERSON, PERSON.field(name), value, self.now)

    def _own(self, person: int, addresses: list[str]) -> None:
        self.addresses += [{"address": a, "person_id": person} for a in addresses]
        self.owners.update(dict.fromkeys(addresses, person))

    def _row(self, person: int) -> dict[str, Any]:
        if person not in self.rows:
            p = schema.person
            self.rows[person] = dict(self.conn.execute(select(p).where(p.c.id == person)).mappings().one())
        return self.rows[person]

    def _owner(self, address: str) -> int | None:
        if address not in self.owners:
            self.flush()
            self.owners[address] = self.people.known(address)
        return self.owners[address]

    def _organisation(self, draft: vcard.CardDraft) -> int:
        assert draft.organisation
        self.dirty = True
        o, od = schema.organisation, schema.organisation_domain
        domain = _one_domain(draft.emails)
        found = self.orgs.get(draft.organisation.lower())
        if found is None and domain is not None:
            owner = self.conn.execute(select(o.c.id, o.c.name).join(od, od.c.organisation_id == o.c.id)
                                      .where(od.c.domain == domain)).first()
            if owner is not None and owner.name in (organisation_name(domain), domain):
                self.conn.execute(update(o).where(o.c.id == owner.id).values(name=draft.organisation))
                self.orgs.pop(str(owner.name).lower(), None)
                self.orgs[draft.organisation.lower()] = int(owner.id)
                return int(owner.id)
        if found is None:
            found = records.add(self.conn, ORGANISATION, {"name": draft.organisation}, self.now)
            self.orgs[draft.organisation.lower()] = found
        if domain is not None and domain not in self.domains:
            if self.conn.execute(select(od.c.domain).where(od.c.domain == domain)).first() is None:
                self.conn.execute(insert(od).values(domain=domain, organisation_id=found))
            self.domains.add(domain)
        return found

    # --- remembering the card -----------------------------------------------------------

    def _bind(self, draft: vcard.CardDraft, person: int) -> None:
        """Tie the card's UID to its person (kept until that person is removed)."""
        if not draft.uid:
            return
        source = vcard.uid_source(draft.uid)
        tied = self.bound.get(source)
        if tied == person or (tied is not None and tied in self.everyone):
            return  # already tied; or the card's addresses now lead elsewhere: the first tie stays
        state = {"person": person, "name": draft.name, "uid": draft.uid}
        new = tied is None or self.cards.get(source, (False, {}))[0]
        self.cards[source] = (new, state)
        if tied is not None:
            self.ties.get(tied, set()).discard(source)
        self._tie(source, person)

    def flush(self) -> None:
        """Write the addresses and card ties taken since the last flush."""
        if self.addresses:
            self.conn.execute(insert(schema.person_email), self.addresses)
            self.addresses = []
        if not self.cards:
            return
        s = schema.import_state
        rows = [{"source": k, "state": state, "updated_at": self.now}
                for k, (new, state) in self.cards.items() if new]
        if rows:
            self.conn.execute(insert(s), rows)
        for source, (new, state) in self.cards.items():
            if not new:
                self.conn.execute(update(s).where(s.c.source == source)
                                  .values(state=state, updated_at=self.now))
        self.cards = {}


class _Refused(Exception):
    """A card refused before it wrote anything: a problem, and the batch goes on."""

    def __init__(self, error: PatronError) -> None:
        super().__init__(str(error))
        self.error = error


def _chunks(items: list[T], size: int = 500) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _own_uid(uid: str) -> int | None:
    """The person id in one of Patron's own UIDs ('patron-person-12')."""
    number = uid.removeprefix(vcard.UID_PREFIX)
    return int(number) if number != uid and number.isdigit() and len(number) < 12 else None


def _one_domain(addresses: list[str]) -> str | None:
    """The company domain a card's addresses share, if exactly one (free mail left out)."""
    domains = {d for d in (organisation_domain(a) for a in addresses) if d}
    return domains.pop() if len(domains) == 1 else None


# --- export --------------------------------------------------------------------------------


def export_cards(conn: Connection, now: datetime) -> str:
    """Every person as a vCard 3.0, in id order; the UID a card brought in stays the person's
    UID, the others are ``patron-person-<id>``."""
    uids = _card_uids(conn)
    people = sorted(records.find(conn, PERSON, {}, now), key=lambda r: int(r["id"]))
    return "".join(vcard.to_card(person, uids.get(int(person["id"]))) for person in people)


def _card_uids(conn: Connection) -> dict[int, str]:
    s = schema.import_state
    found: dict[int, str] = {}
    rows = conn.execute(select(s.c.source, s.c.state).where(s.c.source.like("vcard:%"))
                        .order_by(s.c.source))
    for _, state in rows:
        if _usable(state):
            found.setdefault(int(state["person"]), str(state["uid"]))
    return found


def _usable(state: Any) -> bool:
    return isinstance(state, dict) and isinstance(state.get("person"), int) and bool(state.get("uid"))
