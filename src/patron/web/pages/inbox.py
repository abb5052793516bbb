"""``/inbox``: each pending suggestion from mail beside the message it came from, the
detected phrase marked (as ``patron inbox``); and its writes, the same use cases as
``patron inbox accept``, ``edit`` and ``reject``, each one transaction."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from patron.domain.records import ASK, COMMITMENT, ENGAGEMENT
from patron.services import inbox, records
from patron.web.render import page, reading, writing, written

router = APIRouter()


@router.get("/inbox")
def pending(request: Request) -> Response:
    with reading(request) as (conn, where):
        found = inbox.in_context(conn, inbox.pending(conn))
        engagements = records.find(conn, ENGAGEMENT, {"status": "active"}, where.now())
    return page(request, "inbox.html", {
        "suggestions": [{**vars(item.suggestion), "message": item.message,
                         "passage": item.passage} for item in found],
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
