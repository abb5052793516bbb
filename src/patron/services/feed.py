"""The calendar feed: what is coming, as one iCalendar document any calendar app subscribes to.

It holds the open asks with a due date (a VTODO, and an all-day VEVENT on the due day for
apps that show no tasks), your open promises with a due date (the same pair), the check-ins
due (an all-day VEVENT with an alarm at 9:00), the milestones not reached yet, and the
birthdays and anniversaries of the people who matter (yearly VEVENTs).

A subscribed calendar keeps an item by its UID and takes a new version when SEQUENCE rises.
So each UID is made of the record's kind and id and the register's own identity (a random
token kept with the register, so two registers never share UIDs and a restored backup keeps
them), and the feed keeps, per UID, a hash of what it last wrote and the SEQUENCE it had, in
``import_state`` under ``feed:items``, written with each export. A done or removed record is
simply no longer in the feed; its UID is remembered, so if it comes back it comes back with
a higher SEQUENCE. Each item's DTSTAMP is when its content last changed (RFC 5545's meaning
of DTSTAMP in a feed without METHOD), so the same register gives the same document until
something in it changes: a served feed's ETag then holds from one poll to the next.

``patron serve`` serves the feed at ``/feed/<secret>.ics``: the secret, kept apart in
``import_state`` under ``feed:secret``, is the only access a calendar app has, so it is
long (``secrets.token_urlsafe(32)``), compared in constant time, and replaced on demand.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, insert, select

from patron.domain.anniversaries import UNKNOWN_YEAR, shown, year_known
from patron.domain.vocabulary import OPEN_ASK_STATUSES
from patron.errors import InvalidInput
from patron.services import relationships
from patron.settings import Settings
from patron.store import schema

PRODID = "-//Patron//patron export feed//EN"
STATE_SOURCE = "feed:items"
SECRET_SOURCE = "feed:secret"
LOCAL_URL = "http://127.0.0.1:8765"   # where 'patron serve' listens unless told otherwise
ALARM_AT = timedelta(hours=9)   # an all-day check-in rings at 9:00 on its day


@dataclass(frozen=True)
class Item:
    """One component of the feed, before it is written."""

    key: str                     # "ask-12-todo": the record's kind and id, and which part
    component: str               # VTODO or VEVENT
    summary: str
    day: date | datetime         # DTSTART of an event (a date: all day), DUE of a task
    description: str = ""
    status: str = ""             # a task's NEEDS-ACTION or IN-PROCESS
    alarm: bool = False
    yearly: bool = False

    def digest(self) -> str:
        content = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in asdict(self).items()}
        return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def export_feed(conn: Connection, settings: Settings, now: datetime) -> str:
    """The feed as iCalendar text; records what it wrote (so run it in a writing transaction)."""
    found = items(conn, settings, now)
    state = _state(conn)
    kept = json.dumps(state, sort_keys=True)
    register = state.setdefault("register", secrets.token_hex(6))
    known: dict[str, dict[str, Any]] = state.setdefault("items", {})
    stamp = now.astimezone(UTC).replace(microsecond=0).isoformat()
    versions = {}
    for item in found:
        digest = item.digest()
        before = known.get(item.key)
        if before is None:
            known[item.key] = {"hash": digest, "sequence": 0, "stamp": stamp}
        elif before["hash"] != digest:
            known[item.key] = {"hash": digest, "sequence": int(before["sequence"]) + 1,
                               "stamp": stamp}
        else:
            before.setdefault("stamp", stamp)  # kept by a version that wrote no stamp
        versions[item.key] = known[item.key]
    for key in set(known) - set(versions):
        known[key]["hash"] = None  # gone: if it comes back, it comes back changed
    if json.dumps(state, sort_keys=True) != kept:  # a poll that changes nothing writes nothing
        _keep(conn, STATE_SOURCE, state, now)
    return _calendar(found, versions, register)


@dataclass(frozen=True)
class Subscription:
    """The address a calendar app subscribes to."""

    url: str
    local: bool   # no web.public_url: only this machine reaches it


def subscription(conn: Connection, settings: Settings, now: datetime, *,
                 renew: bool = False) -> Subscription:
    """The feed's URL under ``web.public_url`` (else the local default address), its secret
    made on first use; ``renew`` makes a new secret, so the URL handed out before stops
    working. Run it in a writing transaction."""
    base = str(settings["web.public_url"]).strip()
    if base and not base.lower().startswith(("http://", "https://")):
        raise InvalidInput(f"web.public_url must start with http:// or https:// (it is {base!r}): "
                           "'patron config set web.public_url https://patron.example.org/'")
    secret = _new_secret(conn, now) if renew else _stored_secret(conn) or _new_secret(conn, now)
    return Subscription(f"{(base or LOCAL_URL).rstrip('/')}/feed/{secret}.ics", local=not base)


def secret_matches(conn: Connection, offered: str) -> bool:
    """True when ``offered`` is the feed's secret, compared in constant time (no secret made
    yet matches nothing)."""
    stored = _stored_secret(conn)
    return stored is not None and hmac.compare_digest(offered.encode(), stored.encode())


def served_feed(conn: Connection, settings: Settings, now: datetime, offered: str) -> str | None:
    """The feed for the holder of its secret (recorded as ``export_feed`` records it); None
    for any other secret. Run it in a writing transaction."""
    if not secret_matches(conn, offered):
        return None
    return export_feed(conn, settings, now)


def _stored_secret(conn: Connection) -> str | None:
    s = schema.import_state
    state = conn.execute(select(s.c.state).where(s.c.source == SECRET_SOURCE)).scalar_one_or_none()
    secret = state.get("secret") if isinstance(state, dict) else None
    return secret if isinstance(secret, str) and secret else None


def _new_secret(conn: Connection, now: datetime) -> str:
    secret = secrets.token_urlsafe(32)
    _keep(conn, SECRET_SOURCE, {"secret": secret}, now)
    return secret


def items(conn: Connection, settings: Settings, now: datetime) -> list[Item]:
    return [*_asks(conn), *_promises(conn), *_check_ins(conn, settings, now), *_milestones(conn),
            *_dates(conn)]


def _asks(conn: Connection) -> list[Item]:
    a, p, e = schema.ask, schema.person, schema.engagement
    rows = conn.execute(
        select(a.c.id, a.c.title, a.c.status, a.c.due_at, p.c.name, e.c.name)
        .outerjoin(p, p.c.id == a.c.requester_id).outerjoin(e, e.c.id == a.c.engagement_id)
        .where(a.c.status.in_(OPEN_ASK_STATUSES), a.c.due_at.is_not(None)).order_by(a.c.id))
    found = []
    for ident, title, status, due_at, requester, engagement in rows:
        about = _joined(f"asked by {requester}" if requester else "", engagement,
                        f"patron why {ident}")
        found += [Item(f"ask-{ident}-todo", "VTODO", title, due_at, about,
                       "IN-PROCESS" if status == "doing" else "NEEDS-ACTION"),
                  Item(f"ask-{ident}-due", "VEVENT", f"Due: {title}", due_at.date(), about)]
    return found


def _promises(conn: Connection) -> list[Item]:
    found = []
    for promise in relationships.promises_due(conn):
        if promise.due_at is None:  # only dated promises are asked for
            continue
        about = _joined(f"to {promise.promisee}" if promise.promisee else "", promise.engagement,
                        f"about '{promise.ask}'" if promise.ask else "")
        found += [Item(f"promise-{promise.id}-todo", "VTODO", f"Promised: {promise.title}",
                       promise.due_at, about, "NEEDS-ACTION"),
                  Item(f"promise-{promise.id}-due", "VEVENT", f"Due (promised): {promise.title}",
                       promise.due_at.date(), about)]
    return found


def _check_ins(conn: Connection, settings: Settings, now: datetime) -> list[Item]:
    """Overdue and due within overview.due_soon_days, nothing booked: on their due day, or
    today when it is past (a day gone by rings no alarm)."""
    soon = int(settings["overview.due_soon_days"])
    found = []
    for contact in relationships.due(conn, settings, now, soon):
        state = contact.due
        if contact.booked is not None or state.due_on is None or state.days_overdue < -soon:
            continue
        day = max(state.due_on, now.date())
        found.append(Item(f"checkin-{contact.person_id}", "VEVENT",
                          f"Check in with {contact.person}", day,
                          _joined("; ".join(contact.roles), f"every {state.cadence_days} days",
                                  contact.reason),
                          alarm=True))
    return found


def _milestones(conn: Connection) -> list[Item]:
    m, e = schema.milestone, schema.engagement
    rows = conn.execute(select(m.c.id, m.c.title, m.c.due_on, e.c.name)
                        .join(e, e.c.id == m.c.engagement_id)
                        .where(m.c.done_on.is_(None), m.c.due_on.is_not(None),
                               e.c.status == "active").order_by(m.c.id))
    return [Item(f"milestone-{ident}", "VEVENT", f"Milestone: {title}", due_on,
                 f"milestone of {engagement}") for ident, title, due_on, engagement in rows]


def _dates(conn: Connection) -> list[Item]:
    found = []
    for person, name, kind, day in relationships.dates_that_matter(conn):
        # a year not known starts the series in 2000 (a leap year, for 29 February)
        start = day if year_known(day) else day.replace(year=2000)
        since = f"since {day.year}" if day.year != UNKNOWN_YEAR else shown(day)
        found.append(Item(f"{kind}-{person}", "VEVENT", f"{name}'s {kind}", start,
                          f"{kind} of {name}, {since}", yearly=True))
    return found


def _joined(*parts: str | None) -> str:
    return " · ".join(p for p in parts if p)


# --- writing --------------------------------------------------------------------------------


def _calendar(found: list[Item], versions: dict[str, dict[str, Any]], register: str) -> str:
    from icalendar import Alarm, Calendar, Event, Todo

    out = Calendar()
    out.add("prodid", PRODID)
    out.add("version", "2.0")
    out.add("x-wr-calname", "Patron")
    for item in found:
        version = versions[item.key]
        part = Todo() if item.component == "VTODO" else Event()
        part.add("uid", f"{item.key}.{register}@patron")
        part.add("dtstamp", datetime.fromisoformat(version["stamp"]).astimezone(UTC))
        part.add("sequence", version["sequence"])
        part.add("summary", item.summary)
        if item.component == "VTODO":
            part.add("due", item.day)
            part.add("status", item.status)
        else:
            part.add("dtstart", item.day)
            if not isinstance(item.day, datetime):
                part.add("dtend", item.day + timedelta(days=1))
                part.add("transp", "TRANSPARENT")  # a reminder, not a busy day
        if item.yearly:
            part.add("rrule", {"freq": "yearly"})
        if item.description:
            part.add("description", item.description)
        if item.alarm:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", item.summary)
            alarm.add("trigger", ALARM_AT)
            part.add_component(alarm)
        out.add_component(part)
    return str(out.to_ical().decode("utf-8"))


def _state(conn: Connection) -> dict[str, Any]:
    s = schema.import_state
    state = conn.execute(select(s.c.state).where(s.c.source == STATE_SOURCE)).scalar_one_or_none()
    return dict(state) if isinstance(state, dict) else {}


def _keep(conn: Connection, source: str, state: dict[str, Any], now: datetime) -> None:
    s = schema.import_state
    conn.execute(delete(s).where(s.c.source == source))
    conn.execute(insert(s).values(source=source, state=state, updated_at=now))
