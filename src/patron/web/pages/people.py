"""``/people/{id}``: roles across engagements, touchpoints newest first (50 a page, ``?page=``),
their asks, your promises to them, their feedback and when they are due a call."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from patron.services.profile import PAGE_SIZE, profile
from patron.web.render import page, reading

router = APIRouter()


@router.get("/people/{ident}")
def person(request: Request, ident: int, number: int = Query(1, alias="page")) -> Response:
    with reading(request) as (conn, where):
        found = profile(conn, where.settings, where.now(), str(ident), number)
    return page(request, "person.html", {**vars(found), "page_size": PAGE_SIZE})
