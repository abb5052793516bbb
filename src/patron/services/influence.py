"""Influence read from the mail in the register, and taking it as stakeholders' power.

Mail is what the mail importers store: interactions of kind ``mail`` whose
``source`` is ``mid:<Message-ID>`` (or ``sha256:...`` for a message without
one), whose ``reply_to`` is the Message-ID answered and ``thread`` the
thread's first, and whose participants carry the role ``from``, ``to`` or
``cc``. Message-IDs are compared without angle brackets or surrounding
space, so ``mid:a@b``, ``<a@b>`` and ``a@b`` are the same message.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence, Set
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, or_, select, update

from patron.domain.addresses import normal_address
from patron.domain.influence import Influence, Message, influence
from patron.domain.records import ENGAGEMENT
from patron.errors import InvalidInput
from patron.services import duplicates
from patron.services.names import resolve
from patron.settings import Settings
from patron.store import schema
from patron.store.pieces import chunks

MAIL = "mail"
HELD = "held"  # beside the roles: the participants in whose own mailbox a message was found


@dataclass
class PersonInfluence:
    """One person's row: who, score 0..1, proposed power 0-5, current power where a
    stakeholder (of the engagement asked about, else the highest of their roles), signals."""

    person_id: int
    name: str
    addresses: list[str]
    score: float
    power: int
    current_power: int | None
    signals: dict[str, Any] = field(default_factory=dict)
    terms: dict[str, float] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)


@dataclass
class InfluenceView:
    """What ``patron influence`` shows: the engagement asked about, its people most
    influential first, how many stakeholder roles took the proposed power (when asked to)
    and how many people appear under several records (when asked to look)."""

    engagement: str | None
    people: list[PersonInfluence]
    accepted: int | None = None
    split: int = 0


def view(conn: Connection, settings: Settings, engagement: str | None = None, limit: int | None = None,
         *, take: bool = False, look: bool = False) -> InfluenceView:
    """Influence in the mail (of ``engagement``, named as the user names it), the first
    ``limit`` people, you (``me.emails``) scored only by others' mailboxes; ``take``: set the
    engagement's stakeholders' power to the proposals (all of them, whatever ``limit``);
    ``look``: count the people who appear under several records (``patron people
    duplicates``: about a second on a large register)."""
    if take and not engagement:
        raise InvalidInput("accepting sets stakeholders' power in one engagement: name the engagement")
    ident = resolve(conn, ENGAGEMENT, engagement) if engagement else None
    name = None if ident is None else str(conn.execute(
        select(schema.engagement.c.name).where(schema.engagement.c.id == ident)).scalar_one())
    me = [str(address) for address in settings["me.emails"]]
    rows = people_influence(conn, ident, None if take else limit, me)
    changed = accept(conn, ident, rows) if take and ident is not None else None
    split = len(duplicates.find(conn)) if look and rows else 0
    return InfluenceView(name, rows if limit is None else rows[:limit], changed, split)


def message_id(value: str | None) -> str | None:
    """A Message-ID as compared here: no ``mid:`` prefix, no angle brackets, no space."""
    if value is None:
        return None
    text = value.strip()
    if text.startswith("mid:"):
        text = text[4:]
    elif text.startswith("sha256:"):
        return None  # a message without a Message-ID: nothing can answer it
    text = text.strip().strip("<>").strip()
    return text or None


def people_influence(conn: Connection, engagement_id: int | None = None,
                     limit: int | None = None, me: Sequence[str] = ()) -> list[PersonInfluence]:
    """Everyone in the mail (limited to an engagement's mail when given), most influential
    first: mail filed under the engagement, or with one of its stakeholders taking part.
    ``me``: your addresses (``me.emails``); you are taken to hold every message you take
    part in, so you are scored only by mail found in others' mailboxes, also in mail
    imported before the import recorded whose mailbox held it."""
    ranked = influence(mail(conn, engagement_id, _people_of(conn, me)))
    shown = ranked if limit is None else ranked[:limit]
    ids = [int(found.person) for found in shown]
    names, addresses = _people(conn, ids)
    powers = _current_power(conn, ids, engagement_id)
    return [_row(found, names, addresses, powers) for found in shown]


def accept(conn: Connection, engagement_id: int, rows: Iterable[PersonInfluence]) -> int:
    """Set the power of each row's person, in their stakeholder roles of the engagement,
    to the proposed power; people who are not its stakeholders are left alone. Returns
    how many stakeholder roles changed."""
    st = schema.stakeholder
    changed = 0
    for row in rows:
        result = conn.execute(update(st).where(
            st.c.engagement_id == engagement_id, st.c.person_id == row.person_id,
            st.c.power != row.power).values(power=row.power))
        changed += result.rowcount
    return changed


def mail(conn: Connection, engagement_id: int | None = None,
         holders: Set[int] = frozenset()) -> list[Message]:
    """The mail's envelopes, people named by their id (as text); each message held by the
    participants whose own mailbox it was found in, and by those of ``holders`` in it."""
    i, ip = schema.interaction, schema.interaction_participant
    query = select(i.c.id, i.c.occurred_at, i.c.source, i.c.reply_to, i.c.thread).where(i.c.kind == MAIL)
    roles = select(ip.c.interaction_id, ip.c.person_id, ip.c.role, ip.c.own_mailbox).join(
        i, i.c.id == ip.c.interaction_id).where(i.c.kind == MAIL)
    if engagement_id is not None:  # the database picks the engagement's mail, both times
        st = schema.stakeholder
        theirs = select(ip.c.interaction_id).join(st, st.c.person_id == ip.c.person_id).where(
            st.c.engagement_id == engagement_id)
        scope = or_(i.c.engagement_id == engagement_id, i.c.id.in_(theirs))
        query, roles = query.where(scope), roles.where(scope)
    heads = {row.id: row for row in conn.execute(query)}
    parts: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for interaction_id, person_id, role, own_mailbox in conn.execute(roles):
        if interaction_id in heads:
            parts[interaction_id][role or "to"].append(str(person_id))
            if own_mailbox or person_id in holders:
                parts[interaction_id][HELD].append(str(person_id))
    return list(_messages(heads, parts))


def _messages(heads: dict[int, Any], parts: dict[int, dict[str, list[str]]]) -> Iterable[Message]:
    for ident, head in heads.items():
        who = parts.get(ident, {})
        senders = who.get("from", [])
        if not senders:
            continue  # nobody to credit or blame: a message without a sender tells nothing here
        yield Message(sender=senders[0], to=tuple(who.get("to", ())), cc=tuple(who.get("cc", ())),
                      sent_at=_naive(head.occurred_at), message_id=message_id(head.source),
                      reply_to=message_id(head.reply_to), thread=message_id(head.thread),
                      held_by=tuple(who.get(HELD, ())))


def _people_of(conn: Connection, addresses: Sequence[str]) -> frozenset[int]:
    """The people behind these addresses (compared as the import stores them)."""
    wanted = sorted({a for a in map(normal_address, addresses) if a})
    if not wanted:
        return frozenset()
    pe = schema.person_email
    return frozenset(int(n) for n in conn.execute(
        select(pe.c.person_id).where(pe.c.address.in_(wanted))).scalars())


def _naive(value: datetime) -> datetime:
    return value.replace(tzinfo=None) if value.tzinfo else value


def _people(conn: Connection, ids: Sequence[int]) -> tuple[dict[int, str], dict[int, list[str]]]:
    p, pe = schema.person, schema.person_email
    names: dict[int, str] = {}
    addresses: dict[int, list[str]] = defaultdict(list)
    for chunk in chunks(ids):
        names.update((int(r.id), r.name) for r in conn.execute(
            select(p.c.id, p.c.name).where(p.c.id.in_(chunk))))
        for person_id, address in conn.execute(select(pe.c.person_id, pe.c.address).where(
                pe.c.person_id.in_(chunk)).order_by(pe.c.address)):
            addresses[int(person_id)].append(address)
    return names, addresses


def _current_power(conn: Connection, ids: Sequence[int], engagement_id: int | None) -> dict[int, int]:
    st = schema.stakeholder
    found: dict[int, int] = {}
    for chunk in chunks(ids):
        query = select(st.c.person_id, st.c.power).where(st.c.person_id.in_(chunk))
        if engagement_id is not None:
            query = query.where(st.c.engagement_id == engagement_id)
        for person_id, power in conn.execute(query):
            found[int(person_id)] = max(int(power), found.get(int(person_id), 0))
    return found


def _row(found: Influence, names: dict[int, str], addresses: dict[int, list[str]],
         powers: dict[int, int]) -> PersonInfluence:
    ident = int(found.person)
    s = found.signals
    signals: dict[str, Any] = {
        "sent": s.sent, "received": s.received, "copied": s.copied, "copies": s.copies,
        "threads_started": s.threads_started, "replies_received": s.replies_received,
        "answered_in_hours": _round(s.answered_in), "answers_in_hours": _round(s.answers_in),
        "rank": round(s.rank, 6), "audience": s.audience, "copied_by": s.copied_by,
        "writes_to": s.writes_to, "correspondents": s.correspondents,
    }
    return PersonInfluence(ident, names.get(ident, f"#{ident}"), addresses.get(ident, []),
                           round(found.score, 4), found.power, powers.get(ident), signals,
                           {name: round(value, 4) for name, value in found.terms.items()},
                           list(found.reasons))


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)
