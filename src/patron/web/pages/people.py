"""``/people/{id}``: roles across engagements, touchpoints newest first (50 a page, ``?page=``),
their asks, your promises to them, their feedback and when they are due a call; and
``POST /people/{id}/touchpoints``, logging a touchpoint (as ``patron met``)."""

from __future__ import annotations

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response

from patron.domain.vocabulary import InteractionKind
from patron.errors import InvalidInput
from patron.services import relationships
from patron.services.profile import PAGE_SIZE, profile
from patron.web.render import page, reading, writing, written

router = APIRouter()


@router.get("/people/{ident}")
def person(request: Request, ident: int, number: int = Query(1, alias="page")) -> Response:
    with reading(request) as (conn, where):
        found = profile(conn, where.settings, where.now(), str(ident), number)
    return page(request, "person.html", {**vars(found), "page_size": PAGE_SIZE,
                                         "kinds": [k.value for k in InteractionKind]})


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
