"""Resources for an assistant's context: each engagement's summary and each stakeholder's
card, as JSON, readable by URI. The active engagements are listed; anyone else is one read
away by name or id."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote

from mcp.types import Resource
from pydantic import AnyUrl

from patron.domain.records import ENGAGEMENT, PERSON
from patron.errors import PatronError
from patron.services import cards
from patron.services.names import resolve

if TYPE_CHECKING:
    from patron.mcp.server import PatronServer, Register

JSON = "application/json"
ENGAGEMENTS = "patron://engagements/{engagement}"
PEOPLE = "patron://people/{person}"


def add(server: PatronServer, register: Register) -> None:
    def engagement(engagement: str) -> str:
        """An engagement's summary: its client (who pays, who directs), goal, relationship
        health, open asks and whether they would hire you back. Name it by id or by a unique
        part of its name."""
        with register.store(create=False).read() as conn:
            ident = resolve(conn, ENGAGEMENT, unquote(engagement))
            summary = cards.engagement_summary(conn, register.settings(), register.now(), ident)
        return _json(asdict(summary))

    def person(person: str) -> str:
        """A stakeholder's card: roles, last contact, where they stand against their cadence,
        their open asks and the promises you made them. Name them by id, address or a unique
        part of their name."""
        with register.store(create=False).read() as conn:
            ident = resolve(conn, PERSON, unquote(person))
            card = cards.person_card(conn, register.settings(), register.now(), ident)
        return _json(asdict(card))

    server.resource(ENGAGEMENTS, name="engagement", mime_type=JSON)(engagement)
    server.resource(PEOPLE, name="person", mime_type=JSON)(person)


def engagement_list(register: Register) -> list[Resource]:
    """A resource for each active engagement, as the register holds them now."""
    try:
        with register.store(create=False).read() as conn:
            found = cards.active_engagements(conn)
    except PatronError:  # no register yet: nothing to list, and nothing worth an error
        return []
    return [Resource(uri=AnyUrl(engagement_uri(ident)), name=name, mimeType=JSON,
                     description=f"{name}: who the client is, health, open asks, hire-me-back")
            for ident, name in found]


def engagement_uri(name_or_id: str | int) -> str:
    return ENGAGEMENTS.format(engagement=quote(str(name_or_id), safe=""))


def person_uri(name_or_id: str | int) -> str:
    return PEOPLE.format(person=quote(str(name_or_id), safe=""))


def _json(values: dict[str, Any]) -> str:
    return json.dumps(values, default=_plain, indent=2, ensure_ascii=False)


def _plain(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")
