"""Writes on promises: ``POST /promises/{id}/kept`` (as ``patron kept``, with ``close_ask``
as ``--close-ask``: the ask it was about is done in the same transaction) and
``POST /promises/{id}/broken`` (as ``patron broke``)."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from patron.domain.records import COMMITMENT
from patron.services import records, relationships
from patron.web.render import writing, written

router = APIRouter()


@router.post("/promises/{ident}/kept")
def kept(request: Request, ident: int, close_ask: str = Form(""), back: str = Form("/")
         ) -> Response:
    with writing(request) as (conn, where):
        kept = relationships.keep_promise(conn, str(ident), where.now(), close_ask=bool(close_ask))
        about, closed = kept.about, kept.closed
        record = records.get(conn, COMMITMENT, ident)
    note = f"Promise #{ident} kept"
    if closed is not None:
        note += f"; ask #{closed.id} done too"
    elif about is not None:
        note += f"; ask #{about[0]} stays open"
    return written(request, {"id": ident, "title": record["title"], "status": record["status"],
                             "ask_done": closed}, back, note=note)


@router.post("/promises/{ident}/broken")
def broken(request: Request, ident: int, back: str = Form("/")) -> Response:
    with writing(request) as (conn, where):
        relationships.resolve_promise(conn, str(ident), "broken", where.now())
        record = records.get(conn, COMMITMENT, ident)
    return written(request, {"id": ident, "title": record["title"], "status": record["status"]},
                   back, note=f"Promise #{ident} broken")
