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

What Patron holds wins: a card fills empty fields (organisation, title,
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

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from patron.domain.addresses import display_name, organisation_domain, organisation_name
from patron.domain.records import ORGANISATION, PERSON
from patron.errors import Conflict, PatronError
from patron.importers import vcard
from patron.importers.base import Outcome, Problem, Progress, no_progress
from patron.services import records
from patron.services.people import Directory
from patron.store import schema


def import_cards(conn: Connection, chunks: list[vcard.Chunk], problems: list[Problem], now: datetime,
                 progress: Progress = no_progress) -> Outcome:
    """Import cards (cut from their files by ``vcard.chunks``) inside the caller's transaction."""
    outcome = Outcome(problems=list(problems))
    book = _Book(conn, now)
    for chunk in chunks:
        try:
            draft = vcard.read(chunk)
            with conn.begin_nested():  # a card that fails leaves nothing behind
                book.take(draft, outcome)
        except PatronError as exc:
            outcome.problems.append(Problem(chunk.where, str(exc)))
            book = _Book(conn, now)  # its caches may name what was rolled back
        progress(1)
    return outcome


@dataclass
class _Binding:
    person: int
    uid: str


@dataclass
class _Book:
    """One import's view of the register: the people directory and the cards seen before."""

    conn: Connection
    now: datetime
    people: Directory = field(init=False)
    bound: dict[str, _Binding] = field(init=False)

    def __post_init__(self) -> None:
        self.people = Directory(self.conn, organisations=False)
        s = schema.import_state
        rows = self.conn.execute(select(s.c.source, s.c.state).where(s.c.source.like("vcard:%")))
        self.bound = {}
        for source, state in rows:
            if isinstance(state, dict) and isinstance(state.get("person"), int):
                self.bound[source] = _Binding(state["person"], str(state.get("uid", "")))

    def take(self, draft: vcard.CardDraft, outcome: Outcome) -> None:
        person = self._found(draft)
        created = person is None
        if person is None:
            person, created = self._created(draft)
        if self._fill(person, draft, created) or created:
            outcome.created += created
            outcome.updated += not created
        else:
            outcome.unchanged += 1
        self._bind(draft, person)

    # --- finding ------------------------------------------------------------------------

    def _found(self, draft: vcard.CardDraft) -> int | None:
        for address in draft.emails:
            person = self.people.known(address)
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
        p = schema.person
        binding = self.bound.get(vcard.uid_source(draft.uid))
        if binding is not None:
            if self.conn.execute(select(p.c.id).where(p.c.id == binding.person)).first() is not None:
                return binding.person
            return None
        own = _own_uid(draft.uid)
        if own is None or own in self._tied_elsewhere(draft):
            return None
        name = self.conn.execute(select(p.c.name).where(p.c.id == own)).scalar()
        return own if name is not None and str(name).lower() == draft.name.lower() else None

    def _by_name(self, draft: vcard.CardDraft) -> int | None:
        """The one person of this exact name not tied to another card; ambiguity is refused."""
        p = schema.person
        ids = set(self.conn.execute(
            select(p.c.id).where(func.lower(p.c.name) == draft.name.lower())).scalars())
        ids -= self._tied_elsewhere(draft)
        if len(ids) > 1:
            raise Conflict(f"{len(ids)} people are called {draft.name!r}; give the card an e-mail "
                           "address, or merge them (patron people merge)")
        return ids.pop() if ids else None

    def _tied_elsewhere(self, draft: vcard.CardDraft) -> set[int]:
        """People tied to a card with another UID (none when this card has no UID)."""
        if not draft.uid:
            return set()
        mine = vcard.uid_source(draft.uid)
        return {b.person for source, b in self.bound.items() if source != mine}

    # --- creating -----------------------------------------------------------------------

    def _created(self, draft: vcard.CardDraft) -> tuple[int, bool]:
        """A new person, or (for a card with addresses) the namesake ``Directory`` joins it to;
        True when new."""
        if not draft.emails or self._namesake_tied_elsewhere(draft):
            return records.add(self.conn, PERSON, {"name": draft.name}, self.now), True
        before = self.people.tally.people_created
        person = self.people.person(draft.emails[0], draft.name if draft.named else None)
        assert person is not None  # the draft holds only normal addresses
        return person, self.people.tally.people_created > before

    def _namesake_tied_elsewhere(self, draft: vcard.CardDraft) -> bool:
        full = display_name(draft.name, draft.emails[0]).lower()
        p = schema.person
        ids = set(self.conn.execute(select(p.c.id).where(func.lower(p.c.name) == full)).scalars())
        return bool(ids & self._tied_elsewhere(draft))

    # --- filling in ---------------------------------------------------------------------

    def _fill(self, person: int, draft: vcard.CardDraft, created: bool) -> bool:
        """Give the person what the card has and they lack; True when anything changed."""
        row = self.conn.execute(select(schema.person).where(schema.person.c.id == person)).mappings().one()
        change = records.Change()
        if created and row["name"] != draft.name:
            change.set["name"] = draft.name
        if row["organisation_id"] is None and draft.organisation:
            change.set["organisation_id"] = self._organisation(draft)
        for name in ("title", "notes"):
            if not row[name] and getattr(draft, name):
                change.set[name] = getattr(draft, name)
        known = {vcard.phone_key(p) for p in row["phones"] or []}
        phones = [p for p in draft.phones if vcard.phone_key(p) not in known]
        addresses = [a for a in draft.emails if self.people.known(a) is None]
        if phones:
            change.add["phones"] = phones
        if addresses:
            change.add["emails"] = addresses
        if not (change.set or change.add):
            return False
        records.edit(self.conn, PERSON, person, change, self.now)
        return True

    def _organisation(self, draft: vcard.CardDraft) -> int:
        assert draft.organisation
        o, od = schema.organisation, schema.organisation_domain
        domain = _one_domain(draft.emails)
        found = self.conn.execute(
            select(o.c.id).where(func.lower(o.c.name) == draft.organisation.lower())).scalar()
        if found is None and domain is not None:
            owner = self.conn.execute(select(o.c.id, o.c.name).join(od, od.c.organisation_id == o.c.id)
                                      .where(od.c.domain == domain)).first()
            if owner is not None and owner.name in (organisation_name(domain), domain):
                self.conn.execute(update(o).where(o.c.id == owner.id).values(name=draft.organisation))
                return int(owner.id)
        ident = int(found) if found is not None else records.add(
            self.conn, ORGANISATION, {"name": draft.organisation}, self.now)
        if domain is not None and self.conn.execute(
                select(od.c.domain).where(od.c.domain == domain)).first() is None:
            self.conn.execute(insert(od).values(domain=domain, organisation_id=ident))
        return ident

    # --- remembering the card -----------------------------------------------------------

    def _bind(self, draft: vcard.CardDraft, person: int) -> None:
        """Tie the card's UID to its person (kept until that person is removed)."""
        if not draft.uid:
            return
        source = vcard.uid_source(draft.uid)
        binding = self.bound.get(source)
        if binding is not None and binding.person == person:
            return
        p = schema.person
        if binding is not None and self.conn.execute(
                select(p.c.id).where(p.c.id == binding.person)).first() is not None:
            return  # the card's addresses now point elsewhere; the tie stays with the first
        state = {"person": person, "name": draft.name, "uid": draft.uid}
        s = schema.import_state
        if binding is None:
            self.conn.execute(insert(s).values(source=source, state=state, updated_at=self.now))
        else:
            self.conn.execute(update(s).where(s.c.source == source).values(state=state, updated_at=self.now))
        self.bound[source] = _Binding(person, draft.uid)


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
