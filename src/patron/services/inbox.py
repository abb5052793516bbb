"""The inbox: asks and commitments found in mail, waiting for the user to say yes.

A message stored from a mailbox is read for requests made of you and promises you
made (``domain.speech``); each becomes a pending *suggestion*, never an ask or a
commitment by itself. Accepting one creates the ask (or the commitment) and links
it (a promise also to the ask it answers, see ``answered``); rejecting it keeps it, so
the same sentence is never suggested twice. Each suggestion's ``source`` is the
message's source and the finding's number (``imap:...#2``), unique in the register:
running the same mail through again suggests nothing new.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select, update

from patron.domain import speech
from patron.domain.passage import Passage, marked, whole
from patron.domain.records import ASK, COMMITMENT, ENGAGEMENT, PERSON
from patron.domain.vocabulary import OPEN_ASK_STATUSES as OPEN
from patron.errors import Conflict, InvalidInput, NotFound
from patron.services import records
from patron.services.names import MAX_ID, labels_for
from patron.services.relationships import engagements_of
from patron.store import schema

PENDING, ACCEPTED, REJECTED = "pending", "accepted", "rejected"
REQUESTS = (speech.REQUEST_ACTION, speech.REQUEST_INFORMATION)


@dataclass(frozen=True)
class Suggestion:
    id: int
    kind: str
    title: str
    sentence: str
    person_id: int | None
    person: str | None
    engagement_id: int | None
    engagement: str | None
    interaction_id: int | None
    due_at: datetime | None
    found_at: datetime
    status: str
    source: str
    ask_id: int | None
    commitment_id: int | None


@dataclass(frozen=True)
class Written:
    """A message as the inbox reads it for suggestions (the arguments of ``suggest``)."""

    interaction_id: int | None
    text: str
    written_at: datetime
    sender_id: int | None
    recipient_ids: Sequence[int]
    from_me: bool
    addressed_to_me: bool
    engagement_id: int | None
    source: str
    found: Sequence[speech.Finding] | None = None


def suggest(conn: Connection, interaction_id: int | None, text: str, written_at: datetime,
            sender_id: int | None, recipient_ids: Sequence[int], from_me: bool,
            addressed_to_me: bool, engagement_id: int | None, source: str,
            found: Sequence[speech.Finding] | None = None) -> int:
    """Suggest the asks in mail to you and the promises in mail from you; returns how many
    new suggestions were made (none for a message seen before). ``found``: the findings,
    where the text was read already (by the mail importer's workers)."""
    return suggest_all(conn, [Written(interaction_id, text, written_at, sender_id, recipient_ids,
                                      from_me, addressed_to_me, engagement_id, source, found)])


def suggest_all(conn: Connection, messages: Iterable[Written]) -> int:
    """``suggest`` for many messages in a few statements (a batch of the mail import): the
    people's engagements and the suggestions made before are read in one query per 500, the
    new ones go in with one insert, in the order one message after another would give."""
    wanted: list[tuple[Written, int | None, dict[str, speech.Finding]]] = []
    for message in messages:
        if message.from_me:
            kinds: tuple[str, ...] = (speech.COMMITMENT,)
            person = message.recipient_ids[0] if message.recipient_ids else None
        elif message.addressed_to_me:
            kinds, person = REQUESTS, message.sender_id
        else:
            continue
        findings = (speech.detect(message.text, message.written_at) if message.found is None
                    else message.found)
        wanted.append((message, person, {f"{message.source}#{n}": finding
                                         for n, finding in enumerate(findings, start=1)
                                         if finding.kind in kinds}))
    engagements = engagements_of(conn, sorted({person for message, person, found in wanted if found
                                               and message.engagement_id is None and person is not None}))
    seen = _made(conn, [key for _, _, found in wanted for key in found])
    rows = []
    for message, person, found in wanted:
        engagement = message.engagement_id
        if engagement is None and person is not None:
            engagement = engagements.get(person)
        for key, finding in found.items():
            if key not in seen:  # made before, or by a message met earlier in this call
                seen.add(key)
                rows.append({
                    "kind": finding.kind, "title": finding.title[:500], "sentence": finding.sentence,
                    "person_id": person, "engagement_id": engagement,
                    "interaction_id": message.interaction_id, "due_at": finding.due_at,
                    "found_at": _local(message.written_at), "status": PENDING, "source": key})
    if rows:
        conn.execute(schema.suggestion.insert(), rows)
    return len(rows)


def _made(conn: Connection, sources: list[str]) -> set[str]:
    """Those of these sources that name a suggestion already (one query per 500)."""
    s = schema.suggestion
    return {found for start in range(0, len(sources), 500)
            for found in conn.execute(select(s.c.source).where(s.c.source.in_(sources[start:start + 500])))
            .scalars()}


def _local(moment: datetime) -> datetime:
    """Naive local wall-clock time, as the register keeps every time."""
    if moment.tzinfo is not None:
        moment = moment.astimezone().replace(tzinfo=None)
    return moment.replace(microsecond=0)


def listing(conn: Connection, everything: bool = False,
            engagement_id: int | None = None, limit: int | None = None,
            offset: int = 0) -> list[Suggestion]:
    """Pending suggestions (all of them with ``everything``), newest message first; with
    ``engagement_id``, only those filed under that engagement; ``limit`` of them from
    ``offset`` on, for a page."""
    s = schema.suggestion
    query = select(s).order_by(s.c.found_at.desc(), s.c.id)  # a message's own in its order
    if limit is not None:
        query = query.limit(limit).offset(offset)
    if not everything:
        query = query.where(s.c.status == PENDING)
    if engagement_id is not None:
        query = query.where(s.c.engagement_id == engagement_id)
    rows = list(conn.execute(query).mappings())
    people = labels_for(conn, PERSON, [r["person_id"] for r in rows if r["person_id"]])
    engagements = labels_for(conn, ENGAGEMENT, [r["engagement_id"] for r in rows if r["engagement_id"]])
    return [Suggestion(**{k: r[k] for k in (
        "id", "kind", "title", "sentence", "person_id", "engagement_id", "interaction_id", "due_at",
        "found_at", "status", "source", "ask_id", "commitment_id")},
        person=people.get(r["person_id"]), engagement=engagements.get(r["engagement_id"]))
        for r in rows]


def count_pending(conn: Connection) -> int:
    """How many suggestions wait for an answer."""
    s = schema.suggestion
    return int(conn.execute(select(func.count()).where(s.c.status == PENDING)).scalar_one())


def pending(conn: Connection) -> list[Suggestion]:
    return listing(conn)


def accept(conn: Connection, ident: int, now: datetime, title: str | None = None,
           due_at: Any = None, engagement_id: Any = None, person_id: Any = None) -> int:
    """Make a pending suggestion an ask (a request) or a commitment (a promise), with the
    changes given; returns the new record's id. Values may be typed as on the command line
    ('friday', a name) or given as Python values."""
    row = _pending(conn, ident)
    values = _changed(conn, row, now, title, due_at, engagement_id, person_id)
    if row["kind"] == speech.COMMITMENT:
        made = records.add(conn, COMMITMENT, {
            "title": values["title"], "promisee_id": values["person_id"],
            "engagement_id": values["engagement_id"], "due_at": values["due_at"],
            "made_at": row["found_at"], "ask_id": answered(conn, row, values["person_id"])}, now)
        link = {"commitment_id": made}
    else:
        made = records.add(conn, ASK, {
            "title": values["title"], "requester_id": values["person_id"],
            "engagement_id": values["engagement_id"], "due_at": values["due_at"],
            "created_at": row["found_at"], "source": _message_source(row["source"])}, now)
        link = {"ask_id": made}
    s = schema.suggestion
    conn.execute(update(s).where(s.c.id == ident).values(status=ACCEPTED, **values, **link))
    return made


def answered(conn: Connection, row: Any, person_id: int | None) -> int | None:
    """The open ask a promise found in mail is about, when there is one clear candidate:
    the one open ask from the promise's own message or thread (narrowed to the person
    promised when there are several), else the one open ask of the person promised."""
    a = schema.ask
    still_open = a.c.status.in_(OPEN)
    threaded = _asks_in_thread(conn, row["interaction_id"])
    if threaded:
        found = list(conn.execute(select(a.c.id, a.c.requester_id)
                                  .where(a.c.id.in_(threaded), still_open)))
        if len(found) > 1 and person_id is not None:
            found = [f for f in found if f.requester_id == person_id]
        if found:
            return int(found[0].id) if len(found) == 1 else None
    if person_id is None:
        return None
    theirs = list(conn.execute(select(a.c.id).where(a.c.requester_id == person_id, still_open)
                               .limit(2)).scalars())
    return int(theirs[0]) if len(theirs) == 1 else None


def _asks_in_thread(conn: Connection, interaction_id: int | None) -> list[int]:
    """Asks made from the messages of an interaction's mail thread (itself included):
    accepted from their suggestions, or with a message of the thread as their source."""
    if interaction_id is None:
        return []
    i, s, a = schema.interaction, schema.suggestion, schema.ask
    thread = conn.execute(select(i.c.thread).where(i.c.id == interaction_id)).scalar()
    messages = (select(i.c.id).where(i.c.thread == thread) if thread
                else select(i.c.id).where(i.c.id == interaction_id))
    sources = select(i.c.source).where(i.c.id.in_(messages), i.c.source.is_not(None))
    linked = conn.execute(select(s.c.ask_id).where(s.c.interaction_id.in_(messages),
                                                   s.c.ask_id.is_not(None))).scalars()
    named = conn.execute(select(a.c.id).where(a.c.source.in_(sources))).scalars()
    return sorted({int(x) for x in (*linked, *named)})


def edit(conn: Connection, ident: int, now: datetime, title: str | None = None,
         due_at: Any = None, engagement_id: Any = None, person_id: Any = None) -> None:
    """Change a pending suggestion before accepting it."""
    row = _pending(conn, ident)
    values = _changed(conn, row, now, title, due_at, engagement_id, person_id)
    s = schema.suggestion
    conn.execute(update(s).where(s.c.id == ident).values(**values))


def reject(conn: Connection, idents: Sequence[int]) -> int:
    """Say no to pending suggestions; they stay, so they are not suggested again."""
    for ident in idents:
        _pending(conn, ident)
    s = schema.suggestion
    conn.execute(update(s).where(s.c.id.in_(list(idents))).values(status=REJECTED))
    return len(set(idents))


def _pending(conn: Connection, ident: int) -> Any:
    s = schema.suggestion
    row = (conn.execute(select(s).where(s.c.id == ident)).mappings().first()
           if -MAX_ID <= ident <= MAX_ID else None)  # beyond a column's range: no such row
    if row is None:
        raise NotFound(f"no suggestion #{ident} (see 'patron inbox --all')")
    if row["status"] != PENDING:
        raise Conflict(f"suggestion #{ident} is already {row['status']}")
    return row


def _changed(conn: Connection, row: Any, now: datetime, title: str | None, due_at: Any,
             engagement_id: Any, person_id: Any) -> dict[str, Any]:
    """The suggestion's values with the given changes, checked as an ask's fields are."""
    if title is not None and not title.strip():
        raise InvalidInput("a suggestion's title cannot be empty")
    return {
        "title": title.strip() if title is not None else row["title"],
        "due_at": _field(conn, "due_at", due_at, now) if due_at is not None else row["due_at"],
        "engagement_id": (_field(conn, "engagement_id", engagement_id, now)
                          if engagement_id is not None else row["engagement_id"]),
        "person_id": (_field(conn, "requester_id", person_id, now)
                      if person_id is not None else row["person_id"]),
    }


def _field(conn: Connection, name: str, raw: Any, now: datetime) -> Any:
    return records.coerce(conn, ASK, ASK.field(name), raw, now)


def _message_source(source: str) -> str:
    """The message a suggestion came from: its source without the finding's number."""
    return source.rpartition("#")[0] or source


# --- the inbox beside its mail ------------------------------------------------


@dataclass(frozen=True)
class Message:
    """What the register keeps of the message a suggestion came from: mail keeps its
    subject (the body is read for suggestions, not stored); a logged touchpoint keeps its
    notes."""

    interaction_id: int
    subject: str
    occurred_at: datetime
    direction: str
    text: str | None


@dataclass(frozen=True)
class InContext:
    suggestion: Suggestion
    message: Message | None
    passage: Passage


def passage(suggestion: Suggestion, text: str | None) -> Passage:
    """The words to show with the detected phrase marked: the sentence within the message's
    stored text when it is there; else the sentence itself, with the words its title was
    made of marked (the whole sentence when the title rephrased it)."""
    if text:
        found = marked(text, suggestion.sentence)
        if found is not None:
            return found
    said = suggestion.title.removeprefix("Answer: ")
    return marked(suggestion.sentence, said) or whole(suggestion.sentence)


def in_context(conn: Connection, suggestions: Sequence[Suggestion]) -> list[InContext]:
    """Each suggestion beside the message it came from, the detected phrase marked."""
    i = schema.interaction
    ids = sorted({s.interaction_id for s in suggestions if s.interaction_id is not None})
    messages: dict[int, Message] = {}
    for start in range(0, len(ids), 500):
        rows = conn.execute(select(i.c.id, i.c.summary, i.c.occurred_at, i.c.direction, i.c.notes)
                            .where(i.c.id.in_(ids[start:start + 500])))
        messages.update((int(r.id), Message(int(r.id), r.summary, r.occurred_at, r.direction,
                                            r.notes)) for r in rows)
    out = []
    for s in suggestions:
        message = messages.get(s.interaction_id) if s.interaction_id is not None else None
        out.append(InContext(s, message, passage(s, message.text if message else None)))
    return out


def kind_of(conn: Connection, ident: int) -> str:
    """A suggestion's kind (a request or a commitment), whatever its status."""
    s = schema.suggestion
    found = (conn.execute(select(s.c.kind).where(s.c.id == ident)).scalar()
             if -MAX_ID <= ident <= MAX_ID else None)
    if found is None:
        raise NotFound(f"no suggestion #{ident} (see 'patron inbox --all')")
    return str(found)
