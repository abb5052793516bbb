"""Writes on asks: ``POST /asks/{id}/done`` (as ``patron done``)."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from patron.domain.records import ASK
from patron.services.asks import finish_one
from patron.services.names import resolve
from patron.web.render import writing, written

router = APIRouter()


@router.post("/asks/{ident}/done")
def done(request: Request, ident: int, back: str = Form("/")) -> Response:
    with writing(request) as (conn, where):
        finished = finish_one(conn, resolve(conn, ASK, str(ident)), where.now())
    return written(request, vars(finished), back)
