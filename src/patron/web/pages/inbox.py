"""``/inbox``: each pending suggestion from mail beside the message it came from, the
detected phrase marked (as ``patron inbox``); and its writes, the same use cases as
``patron inbox accept``, ``edit`` and ``reject``, each one transaction."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response

from patron.domain.records import ASK, COMMITMENT, ENGAGEMENT
from patron.errors import InvalidInput
from patron.services import inbox, records
from patron.web.remember import remembered
from patron.web.render import page, reading, writing, written

router = APIRouter()
PAGE_SIZE = 50


@router.get("/inbox")
@remembered
def pending(request: Request, number: int = Query(1, alias="page")) -> Response:
    if number < 1:
        raise InvalidInput(f"page {number}: pages count from 1")
    with reading(request) as (conn, where):
        total = inbox.count_pending(conn)
        past = (number - 1) * PAGE_SIZE >= total  # a page after the last is empty
        shown = [] if past else inbox.listing(conn, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE)
        found = inbox.in_context(conn, shown)
        engagements = records.find(conn, ENGAGEMENT, {"status": "active"}, where.now())
    return page(request, "inbox.html", {
        "suggestions": [{**vars(item.suggestion), "message": item.message,
                         "passage": item.passage} for item in found],
        "total": total, "page": number, "pages": max(1, -(-total // PAGE_SIZE)),
        "page_size": PAGE_SIZE,
        "engagements": [e["name"] for e in engagements],
    })


def _changes(title: str, due: str, engagement: str, person: str) -> dict[str, Any]:
    """The form's fields as the command's options: a blank field changes nothing."""
    return {"title": title if title.strip() else None, "due_at": due.strip() or None,
            "engagement_id": engagement.strip() or None, "person_id": person.strip() or None}


@router.post("/inbox/{ident}/accept")
def accept(request: Request, ident: int, title: str = Form(""), due: str = Form(""),
           engagement: str = Form(""), person: str = Form("")) -> Response:
    with writing(request) as (conn, where):
        kind = COMMITMENT if inbox.kind_of(conn, ident) == "commitment" else ASK
        made = inbox.accept(conn, ident, where.now(), **_changes(title, due, engagement, person))
        record = records.get(conn, kind, made)
    noun = "promise" if kind is COMMITMENT else "ask"
    return written(request, {"suggestion": ident, "kind": kind.name, "id": made, "record": record},
                   "/inbox", 201, note=f"Accepted #{ident} as {noun} #{made}: {record['title']}")


@router.post("/inbox/{ident}/edit")
def edit(request: Request, ident: int, title: str = Form(""), due: str = Form(""),
         engagement: str = Form(""), person: str = Form("")) -> Response:
    with writing(request) as (conn, where):
        inbox.edit(conn, ident, where.now(), **_changes(title, due, engagement, person))
        changed = next(s for s in inbox.listing(conn) if s.id == ident)
    return written(request, vars(changed), "/inbox", note=f"Changed suggestion #{ident}")


@router.post("/inbox/{ident}/reject")
def reject(request: Request, ident: int) -> Response:
    with writing(request) as (conn, _):
        count = inbox.reject(conn, [ident])
    return written(request, {"rejected": count}, "/inbox", note=f"Rejected suggestion #{ident}")
