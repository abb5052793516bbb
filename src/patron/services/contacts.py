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
organisation when no organisation has it yet, and an organisation the shared
rule had only named after that domain (``people.Directory.named_by_rule``)
takes the card's proper name; the name it held goes on to the next domain
that wants it (``Directory.give_up``). A card without ORG is given no
organisation.

An import is the importer's ``Reading`` stored by ``_CardWriter`` (built by
``vcard_import``) in one transaction; what each file's cards gave is kept, so
an unchanged card is not parsed again (it is still compared).
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.exc import DataError, IntegrityError

from patron.domain.addresses import display_name, organisation_domain
from patron.domain.records import ORGANISATION, PERSON
from patron.errors import Conflict, PatronError
from patron.importers import vcard
from patron.importers.base import Outcome, Problem
from patron.services import records
from patron.services.imports import Import
from patron.services.people import Directory
from patron.store import schema
from patron.store.pieces import chunks

BATCH = 500
"""Cards stored per savepoint: their addresses and people are looked up in one query each,
and their new addresses and card ties inserted together."""
READ_STATE = "vcard-file:"
"""``import_state`` key of what the cards of an address book file gave when last read."""
_READ_FORMAT = 1  # raise when what is kept of a read changes, so old keeps are read again
_FAILED = (PatronError, DataError, IntegrityError)


def vcard_import(conn: Connection, chunks: list[vcard.Chunk], problems: list[Problem], source: str,
                 now: datetime, batch: int = BATCH) -> Import[vcard.CardDraft]:
    """Cards (cut from their files by ``vcard.chunks``) to import, ``batch`` at a time. A card
    read before, unchanged since, is not read again: what it gave is kept per file in
    ``import_state`` (read here, in ``conn``; written by the import). The result is the same
    whatever the batch: cards are taken one after another against what the cards before them
    stored, and a card that fails leaves nothing behind."""
    kept = _kept_reads(conn, sorted({c.source for c in chunks}))
    mark = _reader()
    known = {card: values for state in kept.values() if state.get("mark") == mark
             for card, values in state.get("cards", {}).items()}
    return Import(vcard.reading(chunks, problems, known), _CardWriter(now, kept), source, "card",
                  batch=batch)


@functools.lru_cache(maxsize=1024)
def _read_key(source: str) -> str:
    """Where what a file's cards gave is kept: its resolved path ('-' for standard input)."""
    path = "-" if source == "standard input" else str(Path(source).resolve())
    key = READ_STATE + path
    if len(key) > 600:
        return READ_STATE + "sha256:" + hashlib.sha256(path.encode("utf-8")).hexdigest()
    return key


@functools.cache
def _reader() -> str:
    """What a card's draft depends on besides its lines: the reader's code (and the address
    rules it reads addresses with) and vobject's version."""
    from importlib.metadata import version

    from patron.domain import addresses

    digest = hashlib.sha256(str(_READ_FORMAT).encode())
    for module in (vcard, addresses):
        digest.update(Path(str(module.__file__)).read_bytes())
    digest.update(version("vobject").encode())
    return digest.hexdigest()


def _kept_reads(conn: Connection, sources: list[str]) -> dict[str, dict[str, Any]]:
    s = schema.import_state
    keys = sorted({_read_key(source) for source in sources})
    found: dict[str, dict[str, Any]] = {}
    for chunk in chunks(keys):
        for key, state in conn.execute(select(s.c.source, s.c.state).where(s.c.source.in_(chunk))):
            if isinstance(state, dict) and isinstance(state.get("cards"), dict):
                found[key] = state
    return found


@dataclass
class _CardWriter:
    """Takes each batch of cards in a savepoint; when the database refuses one, the batch is
    rolled back and taken again card by card, each in a savepoint of its own, and the book
    is put back as it was before each rollback (no reading the register again). ``finish``
    keeps what each file's cards gave."""

    now: datetime
    kept: dict[str, dict[str, Any]]
    outcome: Outcome = field(default_factory=Outcome)
    book: _Book | None = None
    reads: dict[str, dict[str, list[Any]]] = field(default_factory=dict)  # key -> card -> draft

    def write(self, conn: Connection, batch: Sequence[vcard.CardDraft]) -> None:
        book = self._book(conn)
        for draft in batch:
            self.reads.setdefault(_read_key(draft.file), {})[draft.card] = vcard.frozen(draft)
        book.undo.clear()
        try:
            with conn.begin_nested():
                part = book.take_all(batch)
        except _FAILED:
            book.roll_back(0)
            part = self._one_by_one(conn, book, batch)
        _add(self.outcome, part)

    def _book(self, conn: Connection) -> _Book:
        if self.book is None or self.book.conn is not conn \
                or self.book.transaction is not conn.get_transaction():
            self.book = _Book(conn, self.now)
        return self.book

    @staticmethod
    def _one_by_one(conn: Connection, book: _Book, batch: Sequence[vcard.CardDraft]) -> Outcome:
        """A batch that failed, card by card: the card that fails is a problem, the rest stored."""
        outcome = Outcome()
        for draft in batch:
            mark = book.undo.mark()
            try:
                with conn.begin_nested():
                    part = book.take_all([draft])
            except _FAILED as exc:
                book.roll_back(mark)
                reason = str(exc) if isinstance(exc, PatronError) else "the database refused it"
                part = Outcome(problems=[Problem(draft.where, reason)])
            _add(outcome, part)
        return outcome

    def finish(self, conn: Connection) -> None:
        """Keep what each file's cards gave, where it changed."""
        mark = _reader()
        s = schema.import_state
        for key, cards in sorted(self.reads.items()):
            state = {"mark": mark, "cards": cards}
            if self.kept.get(key) == state:
                continue
            conn.execute(delete(s).where(s.c.source == key))
            conn.execute(insert(s).values(source=key, state=state, updated_at=self.now))
            self.kept[key] = state


def _add(outcome: Outcome, part: Outcome) -> None:
    outcome.created += part.created
    outcome.updated += part.updated
    outcome.unchanged += part.unchanged
    outcome.problems += part.problems


_MISSING = object()


@dataclass
class _Undo:
    """What the book changed since a point, to put it back when the database rolls back."""

    steps: list[Callable[[], None]] = field(default_factory=list)

    def mark(self) -> int:
        return len(self.steps)

    def clear(self) -> None:
        self.steps = []

    def put(self, mapping: dict[Any, Any], key: Any, value: Any) -> None:
        old = mapping.get(key, _MISSING)
        mapping[key] = value
        if old is _MISSING:
            self.steps.append(lambda: mapping.pop(key, None))
        else:
            self.steps.append(lambda: mapping.__setitem__(key, old))

    def pop(self, mapping: dict[Any, Any], key: Any) -> None:
        if key in mapping:
            old = mapping.pop(key)
            self.steps.append(lambda: mapping.__setitem__(key, old))

    def add(self, items: set[Any], item: Any) -> None:
        if item not in items:
            items.add(item)
            self.steps.append(lambda: items.discard(item))

    def discard(self, items: set[Any], item: Any) -> None:
        if item in items:
            items.discard(item)
            self.steps.append(lambda: items.add(item))

    def back_to(self, mark: int) -> None:
        while len(self.steps) > mark:
            self.steps.pop()()


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
    undo: _Undo = field(default_factory=_Undo)              # what to put back on a rollback
    transaction: Any = None                                 # the transaction it was read in

    def __post_init__(self) -> None:
        self.people = Directory(self.conn, organisations=False)
        self.people.hold()  # before reading: another import may be creating people
        self.transaction = self.conn.get_transaction()
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
        self.undo.put(self.bound, source, person)
        self.undo.add(self.ties.setdefault(person, set()), source)

    def roll_back(self, mark: int) -> None:
        """The database rolled back what was taken since ``mark``: put the book back as it was
        then. What was waiting to be written is dropped (the batch or card that failed flushed
        everything before it), and the directory starts again (it reads lazily)."""
        self.undo.back_to(mark)
        self.addresses, self.cards = [], {}
        self.people = Directory(self.conn, organisations=False)

    def take_all(self, drafts: Sequence[vcard.CardDraft]) -> Outcome:
        """Take cards one after another; a card refused before it wrote anything (a name
        shared by two people, an address the register refuses) is a problem. Errors of the
        database are left to the caller, which takes the batch again card by card."""
        outcome = Outcome()
        self._learn(drafts)
        for draft in drafts:
            try:
                self.take(draft, outcome)
            except _Refused as exc:
                outcome.problems.append(Problem(draft.where, str(exc.error)))
        self.flush()
        return outcome

    def _learn(self, drafts: Sequence[vcard.CardDraft]) -> None:
        """The owners of the batch's addresses and the rows of the people they (and the
        cards' UIDs) lead to, each in a query per 500. Read before the batch writes, so true
        whether it is kept or rolled back: nothing to undo."""
        pe, p = schema.person_email, schema.person
        wanted = sorted({a for d in drafts for a in d.emails if a not in self.owners})
        for chunk in chunks(wanted):
            self.owners.update(dict.fromkeys(chunk))
            self.owners.update((str(a), int(i)) for a, i in self.conn.execute(
                select(pe.c.address, pe.c.person_id).where(pe.c.address.in_(chunk))))
        found = {self.owners[a] for d in drafts for a in d.emails} | {
            self.bound.get(vcard.uid_source(d.uid), None) for d in drafts if d.uid}
        missing = sorted(i for i in found if i is not None and i not in self.rows)
        for ids in chunks(missing):
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
            self.undo.add(self.names.setdefault(draft.name.lower(), set()), person)
            self.undo.add(self.everyone, person)
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
        self.undo.put(self.owners, draft.emails[0], person)
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
        self.undo.put(self.rows, person, {"id": person, **row})
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
            self.undo.put(self.rows, person, {**row, **change})
        self._own(person, addresses)
        return True

    def _valid(self, name: str, value: Any) -> Any:
        """A card's value as the register keeps it (addresses checked, lists without
        duplicates), as ``records`` would store it."""
        return records.coerce(self.conn, PERSON, PERSON.field(name), value, self.now)

    def _own(self, person: int, addresses: list[str]) -> None:
        self.addresses += [{"address": a, "person_id": person} for a in addresses]
        for address in addresses:
            self.undo.put(self.owners, address, person)

    def _row(self, person: int) -> dict[str, Any]:
        if person not in self.rows:
            p = schema.person
            self.undo.put(self.rows, person,
                          dict(self.conn.execute(select(p).where(p.c.id == person)).mappings().one()))
        return self.rows[person]

    def _owner(self, address: str) -> int | None:
        if address not in self.owners:
            self.flush()
            self.undo.put(self.owners, address, self.people.known(address))
        return self.owners[address]

    def _organisation(self, draft: vcard.CardDraft) -> int:
        """The organisation the card names: the one of that name (case aside); else the
        organisation of the card's one company domain when the shared rule named it (after its
        domain), which takes the card's name, and the name it gives up goes on by the rule;
        else a new one. The card's domain is recorded for it when no organisation has it."""
        assert draft.organisation
        self.dirty = True
        domain = _one_domain(draft.emails)
        found = self.orgs.get(draft.organisation.lower())
        if found is None and domain is not None:
            owner = self.people.named_by_rule(domain)
            if owner is not None:
                self._rename(*owner, draft.organisation)
                if owner[1] != domain:  # it held the name its domain wants: that name goes on
                    renamed = self.people.give_up(owner[1])
                    if renamed is not None:
                        self._renamed(*renamed)
                return owner[0]
        if found is None:
            found = records.add(self.conn, ORGANISATION, {"name": draft.organisation}, self.now)
            self.undo.put(self.orgs, draft.organisation.lower(), found)
        if domain is not None and domain not in self.domains:
            od = schema.organisation_domain
            if self.conn.execute(select(od.c.domain).where(od.c.domain == domain)).first() is None:
                self.conn.execute(insert(od).values(domain=domain, organisation_id=found))
            self.undo.add(self.domains, domain)
        return found

    def _rename(self, organisation: int, old: str, new: str) -> None:
        o = schema.organisation
        self.conn.execute(update(o).where(o.c.id == organisation).values(name=new))
        self._renamed(organisation, old, new)

    def _renamed(self, organisation: int, old: str, new: str) -> None:
        self.undo.pop(self.orgs, old.lower())
        self.undo.put(self.orgs, new.lower(), organisation)

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
            self.undo.discard(self.ties.get(tied, set()), source)
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
