"""``/search?q=WORDS``: people, organisations, engagements, asks and touchpoints found by
words, as ``patron search`` finds them; the matched words marked."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from patron.domain.records import ASK, INTERACTION
from patron.services import records
from patron.services import search as finding
from patron.web.remember import remembered
from patron.web.render import page, reading

router = APIRouter()
LIMIT = 50
SHOWN_AS = {"person": "person", "organisation": "organisation", "engagement": "engagement",
            "ask": "ask", "interaction": "touchpoint"}
PAGES = {"person": "/people/{}", "engagement": "/engagements/{}"}


@router.get("/search")
@remembered
def search(request: Request, q: str = Query(""), kind: str = Query("")) -> Response:
    kinds = [kind] if kind.strip() else None
    with reading(request) as (conn, _):
        finding.kinds_named(kinds)  # an unknown kind is a 400 even with no words
        hits = finding.search(conn, q, kinds=kinds, limit=LIMIT) if q.strip() else []
        asks = records.get_many(conn, ASK, [h.id for h in hits if h.kind == "ask"])
        met = records.get_many(conn, INTERACTION, [h.id for h in hits if h.kind == "interaction"])
    found = {("ask", k): v for k, v in asks.items()} | {("interaction", k): v
                                                         for k, v in met.items()}
    return page(request, "search.html", {
        "q": q, "kind": kind.strip() or None, "kinds": list(finding.KINDS),
        "limit": LIMIT, "hits": [_hit(h, found.get((h.kind, h.id), {})) for h in hits],
    })


def _hit(hit: finding.Hit, record: dict[str, Any]) -> dict[str, Any]:
    """A hit as ``patron search --json`` gives it, with where it leads (an ask: whoever asked
    it, whose page lists it; its engagement), and its title and snippet cut into parts, the
    matched words marked (each part escaped by the template)."""
    where = PAGES.get(hit.kind)
    person_id = record.get("requester_id")
    href = (where.format(hit.id) if where else
            f"/people/{person_id}" if person_id else None)
    return {**asdict(hit), "shown_as": SHOWN_AS.get(hit.kind, hit.kind), "href": href,
            "person_id": person_id, "person": record.get("requester"),
            "engagement_id": record.get("engagement_id"), "engagement": record.get("engagement"),
            "title_parts": parts(hit.title, hit.title_marks),
            "snippet_parts": parts(hit.snippet, hit.marks)}


def parts(text: str, marks: Sequence[tuple[int, int]]) -> list[dict[str, Any]]:
    """``text`` as runs of plain and marked words: joined, the text again."""
    out: list[dict[str, Any]] = []
    at = 0
    for start, end in sorted(marks):
        start, end = max(start, at), min(end, len(text))
        if start >= end:
            continue
        if start > at:
            out.append({"text": text[at:start], "mark": False})
        out.append({"text": text[start:end], "mark": True})
        at = end
    if at < len(text):
        out.append({"text": text[at:], "mark": False})
    return out
