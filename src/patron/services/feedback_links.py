"""Feedback links: a signed, expiring, single-use URL a client answers without an account.

A link's token is ``<payload>.<signature>``, both base64url without padding: the payload is
compact JSON naming the person, the engagement, the expiry (local wall-clock time, to the
minute) and a random nonce; the signature is HMAC-SHA256 over it with the register's own
secret (``import_state``, key ``web:secret``, made by the first link). Only the register that
made a link can read it, and any change to any character of it is refused: each half must
be exactly the encoding of what it decodes to.

A link is used once: the answer stores its feedback and records the nonce
(``feedback-link:<nonce>``) in the same transaction, so two answers to one link store one
feedback (the second meets the first's row and is refused; on PostgreSQL it waits for the
first to commit, then fails on the key).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.exc import IntegrityError

from patron.dates import parse_moment
from patron.domain.records import BY_KIND, PERSON
from patron.errors import InvalidInput, PatronError
from patron.services import records, relationships
from patron.services.names import resolve
from patron.store import schema

SECRET_KEY = "web:secret"
USED_PREFIX = "feedback-link:"
PURPOSE = b"patron feedback link v1\n"  # keeps these signatures apart from any other use
MAX_COMMENT = 10_000


class LinkRefused(PatronError):
    """A feedback link that cannot be answered; ``status`` is its HTTP status."""

    exit_code = 2
    status = 400
    reason = "refused"


class LinkAltered(LinkRefused):
    status = 404
    reason = "altered"

    def __init__(self) -> None:
        super().__init__("This link is not one Patron made: it may have been cut short or "
                         "changed. Copy the whole link from the message you received.")


class LinkExpired(LinkRefused):
    status = 410
    reason = "expired"

    def __init__(self, expired_at: datetime) -> None:
        super().__init__(f"This link expired on {expired_at:%Y-%m-%d at %H:%M}. Ask for a new "
                         "one if you would still like to answer.")


class LinkUsed(LinkRefused):
    status = 410
    reason = "used"

    def __init__(self) -> None:
        super().__init__("This link has been used already: an answer was recorded with it, "
                         "and a link takes one answer only.")


class LinkStale(LinkRefused):
    status = 410
    reason = "withdrawn"

    def __init__(self) -> None:
        super().__init__("This link is no longer valid: what it asked about has been removed.")


@dataclass(frozen=True)
class Link:
    """What a token carries."""

    person_id: int
    engagement_id: int
    expires_at: datetime
    nonce: str


@dataclass(frozen=True)
class Made:
    """A link handed out: its URL and whom and what it asks about."""

    url: str
    token: str
    person_id: int
    person: str
    engagement_id: int
    engagement: str
    expires_at: datetime


@dataclass(frozen=True)
class Question:
    """All the answer page shows: the engagement's name and until when it may be answered."""

    engagement: str
    expires_at: datetime


def make(conn: Connection, person: str, public_url: str, now: datetime, *,
         engagement: str | None = None, expires: str = "14d") -> Made:
    """A new link asking ``person`` about ``engagement`` (default: their one active one)."""
    base = public_url.strip().rstrip("/")
    if not base:
        raise InvalidInput("web.public_url is not set: feedback links need the address your "
                           "clients reach 'patron serve' at; set it with 'patron config set "
                           "web.public_url https://patron.example.org'")
    if not base.startswith(("https://", "http://")):
        raise InvalidInput(f"web.public_url {base!r} must start with https:// (or http://)")
    expires_at = parse_moment(expires, now).replace(second=0, microsecond=0)
    if expires_at.time() == time() and ":" not in expires:  # a day: the link works all of it
        expires_at = expires_at.replace(hour=23, minute=59)
    if expires_at <= now:
        raise InvalidInput(f"--expires {expires!r} is not in the future; try '14d' or a day")
    person_id = resolve(conn, PERSON, person)
    engagement_id = _engagement(conn, person_id, engagement)
    link = Link(person_id, engagement_id, expires_at, secrets.token_urlsafe(12))
    token = sign(_secret(conn, now), link)
    return Made(f"{base}/answer/{token}", token, person_id,
                records.get(conn, PERSON, person_id)["name"], engagement_id,
                records.get(conn, BY_KIND["engagement"], engagement_id)["name"], expires_at)


def question(conn: Connection, token: str, now: datetime) -> Question:
    """What the page behind a link asks, or ``LinkRefused`` saying why it cannot be answered."""
    link = _valid(conn, token, now)
    return Question(_names(conn, link)[1], link.expires_at)


def answer(conn: Connection, token: str, now: datetime, *, rating: int | None,
           comment: str) -> int:
    """Store the client's answer as feedback from the link's person; returns its id.

    Call it in the transaction that should keep both the feedback and the used nonce.
    """
    link = _valid(conn, token, now)
    text = comment.strip()
    if rating is None and not text:
        raise InvalidInput("choose a number from 0 to 10, or write a comment")
    if rating is not None and not 0 <= rating <= 10:
        raise InvalidInput("the number must be from 0 to 10")
    if len(text) > MAX_COMMENT:
        raise InvalidInput(f"the comment is longer than {MAX_COMMENT:,} characters")
    _names(conn, link)
    used = schema.import_state
    try:
        with conn.begin_nested():
            conn.execute(used.insert().values(
                source=USED_PREFIX + link.nonce, updated_at=now,
                state={"person_id": link.person_id, "engagement_id": link.engagement_id}))
    except IntegrityError:
        raise LinkUsed() from None
    ident = relationships.record_feedback(
        conn, link.person_id, now, text=text or None, rating=rating,
        engagement=str(link.engagement_id), on=None)
    conn.execute(used.update().where(used.c.source == USED_PREFIX + link.nonce).values(
        state={"person_id": link.person_id, "engagement_id": link.engagement_id,
               "feedback_id": ident}))
    return ident


# --- the token ------------------------------------------------------------------------------


def sign(secret: bytes, link: Link) -> str:
    payload = json.dumps({"p": link.person_id, "e": link.engagement_id,
                          "x": link.expires_at.strftime("%Y-%m-%dT%H:%M"), "n": link.nonce},
                         separators=(",", ":"), sort_keys=True).encode()
    return f"{_b64(payload)}.{_b64(_mac(secret, payload))}"


def read(secret: bytes, token: str) -> Link:
    """The link a token carries, or ``LinkAltered`` for anything this secret did not sign."""
    parts = token.split(".")
    if len(parts) != 2:
        raise LinkAltered()
    payload, signature = (_unb64(part) for part in parts)
    if not hmac.compare_digest(signature, _mac(secret, payload)):
        raise LinkAltered()
    try:
        fields: dict[str, Any] = json.loads(payload)
        return Link(int(fields["p"]), int(fields["e"]),
                    datetime.strptime(fields["x"], "%Y-%m-%dT%H:%M"), str(fields["n"]))
    except (ValueError, KeyError, TypeError):  # signed by us, so never; but never a 500
        raise LinkAltered() from None


def _mac(secret: bytes, payload: bytes) -> bytes:
    return hmac.new(secret, PURPOSE + payload, hashlib.sha256).digest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    """Strict: only the one spelling ``_b64`` gives (no padding, no stray bits, no other
    characters), so two different tokens never read as the same."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise LinkAltered() from None
    if not text or _b64(raw) != text:
        raise LinkAltered()
    return raw


# --- the register ---------------------------------------------------------------------------


def _secret(conn: Connection, now: datetime | None = None) -> bytes:
    """The register's signing secret; made and stored when ``now`` is given and none exists."""
    s = schema.import_state
    state = conn.execute(select(s.c.state).where(s.c.source == SECRET_KEY)).scalar()
    if isinstance(state, dict) and isinstance(state.get("key"), str):
        return bytes.fromhex(state["key"])
    if now is None:  # no link was ever made here: nothing can verify
        raise LinkAltered()
    try:
        with conn.begin_nested():
            conn.execute(s.insert().values(source=SECRET_KEY, updated_at=now,
                                           state={"key": secrets.token_hex(32)}))
    except IntegrityError:  # another process made it first: use theirs
        pass
    return _secret(conn)


def _valid(conn: Connection, token: str, now: datetime) -> Link:
    link = read(_secret(conn), token)
    s = schema.import_state
    if conn.execute(select(s.c.source).where(s.c.source == USED_PREFIX + link.nonce)).first():
        raise LinkUsed()
    if now >= link.expires_at:
        raise LinkExpired(link.expires_at)
    return link


def _names(conn: Connection, link: Link) -> tuple[str, str]:
    p, e = schema.person, schema.engagement
    person = conn.execute(select(p.c.name).where(p.c.id == link.person_id)).scalar()
    engagement = conn.execute(select(e.c.name).where(e.c.id == link.engagement_id)).scalar()
    if person is None or engagement is None:
        raise LinkStale()
    return str(person), str(engagement)


def _engagement(conn: Connection, person_id: int, named: str | None) -> int:
    if named:
        return resolve(conn, BY_KIND["engagement"], named)
    found = relationships.engagement_of(conn, person_id)
    if found is None:
        name = records.get(conn, PERSON, person_id)["name"]
        raise InvalidInput(f"{name} has no one active engagement to ask about; name it with "
                           "-e ENGAGEMENT")
    return found
