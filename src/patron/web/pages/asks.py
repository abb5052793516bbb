"""Writes on asks: ``POST /asks/{id}/done`` (as ``patron done``)."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from patron.domain.records import ASK
from patron.services import records
from patron.services.asks import finish_one
from patron.services.names import resolve
from patron.web.render import writing, written

router = APIRouter()


@router.post("/asks/{ident}/done")
def done(request: Request, ident: int, back: str = Form("/")) -> Response:
    with writing(request) as (conn, where):
        finished = finish_one(conn, resolve(conn, ASK, str(ident)), where.now())
    return written(request, vars(finished), back)


@router.post("/asks")
def add(request: Request, title: str = Form(""), person: str = Form(""), engagement: str = Form(""),
        due: str = Form(""), back: str = Form("/")) -> Response:
    """A new ask, as ``patron ask add TITLE --from PERSON --engagement E --due WHEN``."""
    given = {"title": title.strip(), "requester_id": person.strip(),
             "engagement_id": engagement.strip(), "due_at": due.strip()}
    with writing(request) as (conn, where):
        ident = records.add(conn, ASK, {k: v for k, v in given.items() if v}, where.now())
        record = records.get(conn, ASK, ident)
    return written(request, record, back, 201, note=f"Added ask #{ident}: {record['title']}")
