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


def import_cards(conn: Connection, chunks: list[vcard.Chunk], problems: list[Problem], now: datetime,
                 progress: Progress = no_progress) -> Outcome:
    """Import cards (cut from their files by ``vcard.chunks``) inside the caller's transaction."""
    outcome = Outcome(problems=list(problems))
    book = _Book(conn, now)
    for chunk in chunks:
        progress(1)
        try:
            draft = vcard.read(chunk)
        except InvalidInput as exc:
            outcome.problems.append(Problem(chunk.where, str(exc)))
            continue
        try:
            with conn.begin_nested():  # a card that fails leaves nothing behind
                book.take(draft, outcome)
        except (PatronError, DataError, IntegrityError) as exc:
            reason = str(exc) if isinstance(exc, PatronError) else "the database refused it"
            outcome.problems.append(Problem(chunk.where, reason))
            book = _Book(conn, now)  # its indexes may hold what was rolled back
    return outcome


@dataclass
class _Book:
    """One import's view of the register, read once: people by name, organisations by name,
    and which cards (by UID) earlier imports tied to which people."""

    conn: Connection
    now: datetime
    people: Directory = field(init=False)
    bound: dict[str, int] = field(init=False)              # card source -> person
    ties: dict[int, set[str]] = field(init=False)           # person -> card sources
    names: dict[str, set[int]] = field(init=False)          # lower-case name -> people
    orgs: dict[str, int] = field(init=False)                # lower-case name -> organisation
    owners: dict[str, int | None] = field(init=False)       # address -> person, as looked up

    def __post_init__(self) -> None:
        self.people = Directory(self.conn, organisations=False)
        self.owners = {}
        p, o, s = schema.person, schema.organisation, schema.import_state
        self.names = {}
        for ident, name in self.conn.execute(select(p.c.id, p.c.name)):
            self.names.setdefault(str(name).lower(), set()).add(int(ident))
        orgs = self.conn.execute(select(o.c.id, o.c.name))
        self.orgs = {str(name).lower(): int(ident) for ident, name in orgs}
        self.bound, self.ties = {}, {}
        cards = self.conn.execute(select(s.c.source, s.c.state).where(s.c.source.like("vcard:%")))
        for source, state in cards:
            if isinstance(state, dict) and isinstance(state.get("person"), int):
                self._tie(source, state["person"])

    def _tie(self, source: str, person: int) -> None:
        self.bound[source] = person
        self.ties.setdefault(person, set()).add(source)

    def take(self, draft: vcard.CardDraft, outcome: Outcome) -> None:
        person, how = self._found(draft), "found"
        if person is None:
            person, how = self._namesake(draft)
        if person is None:
            person, how = self._create(draft), "new"
        changed = how != "new" and self._fill(person, draft, rename=how == "made")
        if how in ("new", "made"):
            outcome.created += 1
            self.names.setdefault(draft.name.lower(), set()).add(person)
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
            return self.bound[source] if self._exists(self.bound[source]) else None
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
        before = self.people.tally.people_created
        person = self.people.person(draft.emails[0], draft.name)
        self.owners[draft.emails[0]] = person
        return person, "made" if self.people.tally.people_created > before else "joined"

    def _exists(self, person: int) -> bool:
        p = schema.person
        return self.conn.execute(select(p.c.id).where(p.c.id == person)).first() is not None

    # --- creating and filling in --------------------------------------------------------

    def _create(self, draft: vcard.CardDraft) -> int:
        values: dict[str, Any] = {"name": draft.name, "title": draft.title, "notes": draft.notes,
                                  "phones": draft.phones, "emails": draft.emails}
        if draft.organisation:
            values["organisation_id"] = f"#{self._organisation(draft)}"
        person = records.add(self.conn, PERSON, values, self.now)
        self.owners.update(dict.fromkeys(draft.emails, person))
        return person

    def _fill(self, person: int, draft: vcard.CardDraft, rename: bool = False) -> bool:
        """Give the person what the card has and they lack (and, for a person just made from
        the card, its exact name); True when anything changed."""
        row = self.conn.execute(select(schema.person).where(schema.person.c.id == person)).mappings().one()
        change = records.Change()
        if rename and row["name"] != draft.name:
            change.set["name"] = draft.name
        if row["organisation_id"] is None and draft.organisation:
            change.set["organisation_id"] = f"#{self._organisation(draft)}"
        for name in ("title", "notes"):
            if not row[name] and getattr(draft, name):
                change.set[name] = getattr(draft, name)
        known = {vcard.phone_key(p) for p in row["phones"] or []}
        phones = [p for p in draft.phones if vcard.phone_key(p) not in known]
        addresses = [a for a in draft.emails if self._owner(a) is None]
        if phones:
            change.add["phones"] = phones
        if addresses:
            change.add["emails"] = addresses
        if not (change.set or change.add):
            return False
        records.edit(self.conn, PERSON, person, change, self.now)
        self.owners.update(dict.fromkeys(addresses, person))
        return True

    def _owner(self, address: str) -> int | None:
        if address not in self.owners:
            self.owners[address] = self.people.known(address)
        return self.owners[address]

    def _organisation(self, draft: vcard.CardDraft) -> int:
        assert draft.organisation
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
        if domain is not None and self.conn.execute(
                select(od.c.domain).where(od.c.domain == domain)).first() is None:
            self.conn.execute(insert(od).values(domain=domain, organisation_id=found))
        return found

    # --- remembering the card -----------------------------------------------------------

    def _bind(self, draft: vcard.CardDraft, person: int) -> None:
        """Tie the card's UID to its person (kept until that person is removed)."""
        if not draft.uid:
            return
        source = vcard.uid_source(draft.uid)
        tied = self.bound.get(source)
        if tied == person or (tied is not None and self._exists(tied)):
            return  # already tied; or the card's addresses now lead elsewhere: the first tie stays
        state = {"person": person, "name": draft.name, "uid": draft.uid}
        s = schema.import_state
        if tied is None:
            self.conn.execute(insert(s).values(source=source, state=state, updated_at=self.now))
        else:
            self.conn.execute(update(s).where(s.c.source == source).values(state=state, updated_at=self.now))
            self.ties.get(tied, set()).discard(source)
        self._tie(source, person)


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
