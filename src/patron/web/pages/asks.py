"""Writes on asks: ``POST /asks/{id}/done`` (as ``patron done``)."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from patron.domain.records import ASK
from patron.services.asks import finish_one
from patron.services.names import resolve
from patron.web.render import page, wants_json, writing

router = APIRouter()


@router.post("/asks/{ident}/done")
def done(request: Request, ident: int, back: str = Form("/")) -> Response:
    with writing(request) as (conn, where):
        finished = finish_one(conn, resolve(conn, ASK, str(ident)), where.now())
    if wants_json(request):
        return page(request, "error.html", {"id": finished.id, "title": finished.title,
                                            "done_at": finished.done_at,
                                            "already": finished.already})
    # Only a path of this site: a form cannot send the browser elsewhere.
    target = back if back.startswith("/") and not back.startswith("//") else "/"
    return RedirectResponse(target, status_code=303)
