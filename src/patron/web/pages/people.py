"""``/people/{id}``: roles across engagements, touchpoints newest first (50 a page, ``?page=``),
their asks, your promises to them, their feedback, when they are due a call and the other
records that are likely them (as ``patron people duplicates``); and
``POST /people/{id}/touchpoints``, logging a touchpoint (as ``patron met``),
``POST /people/{id}/feedback`` (as ``patron feedback``) and ``POST /people/{id}/merge``,
another record merged into this one (as ``patron people merge``)."""

from __future__ import annotations

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response

from patron.domain.records import FEEDBACK, PERSON
from patron.domain.vocabulary import InteractionKind
from patron.errors import InvalidInput
from patron.services import duplicates, records, relationships
from patron.services.names import resolve
from patron.services.profile import PAGE_SIZE, profile
from patron.web.remember import remembered
from patron.web.render import page, reading, writing, written

router = APIRouter()


@router.get("/people/{ident}")
@remembered
def person(request: Request, ident: int, number: int = Query(1, alias="page")) -> Response:
    with reading(request) as (conn, where):
        found = profile(conn, where.settings, where.now(), str(ident), number)
        group = duplicates.of(conn, found.id)
    same = duplicates.shown([group] if group else [])  # the records as the command lists them
    also = [record for g in same for record in (g.keep, *g.others) if record.id != found.id]
    return page(request, "person.html", {**vars(found), "also": also, "page_size": PAGE_SIZE,
                                         "kinds": [k.value for k in InteractionKind]})


@router.post("/people/{ident}/merge")
def merge_into(request: Request, ident: int, other: int = Form(...)) -> Response:
    """Another record of this person merged into this one, as ``patron people merge``."""
    with writing(request) as (conn, _):
        done = duplicates.merge_named(conn, f"#{ident}", f"#{other}")  # ids only, never a name
        kept = records.get(conn, PERSON, done.kept)
    return written(request, kept, f"/people/{ident}",
                   note=f"Merged {done.merged_name} (#{done.merged}) into {done.name}")


@router.post("/people/{ident}/touchpoints")
def log_touchpoint(request: Request, ident: int, notes: str = Form(""), kind: str = Form("meeting"),
                   at: str = Form(""), sentiment: str = Form(""), engagement: str = Form("")
                   ) -> Response:
    with writing(request) as (conn, where):
        logged = relationships.met(conn, str(ident), notes, where.now(), kind=kind,
                                   engagement=engagement or None, at=at.strip() or None,
                                   sentiment=_sentiment(sentiment))
    return written(request, {"id": logged}, f"/people/{ident}", 201)


def _sentiment(text: str) -> int | None:
    """How it went, -2 to 2, as ``patron met --sentiment`` takes it; blank = not said."""
    if not text.strip():
        return None
    try:
        value = int(text)
    except ValueError:
        value = 99
    if not -2 <= value <= 2:
        raise InvalidInput(f"sentiment must be a whole number from -2 to 2, not {text!r}")
    return value


@router.post("/people/{ident}/feedback")
def record_feedback(request: Request, ident: int, rating: str = Form(""), text: str = Form(""),
                    engagement: str = Form(""), on: str = Form("")) -> Response:
    """What they said of your work, as ``patron feedback PERSON --rating N "TEXT"``."""
    with writing(request) as (conn, where):
        person_id = resolve(conn, PERSON, str(ident))
        given = {"person_id": person_id, "text": text.strip() or None,
                 "rating": rating.strip() or None, "received_on": on.strip() or None,
                 "engagement_id": engagement.strip() or relationships.engagement_of(conn, person_id)}
        made = records.add(conn, FEEDBACK, given, where.now())
        record = records.get(conn, FEEDBACK, made)
    return written(request, record, f"/people/{ident}", 201, note=f"Recorded feedback #{made}")
