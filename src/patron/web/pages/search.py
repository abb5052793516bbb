"""``/search?q=WORDS``: people, organisations, engagements, asks and touchpoints found by
words, as ``patron search`` finds them; the matched words marked."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from patron.services import search as finding
from patron.web.render import page, reading

router = APIRouter()
LIMIT = 50
SHOWN_AS = {"person": "person", "organisation": "organisation", "engagement": "engagement",
            "ask": "ask", "interaction": "touchpoint"}
PAGES = {"person": "/people/{}", "engagement": "/engagements/{}"}


@router.get("/search")
def search(request: Request, q: str = Query(""), kind: str = Query("")) -> Response:
    kinds = [kind] if kind.strip() else None
    with reading(request) as (conn, _):
        finding.kinds_named(kinds)  # an unknown kind is a 400 even with no words
        hits = finding.search(conn, q, kinds=kinds, limit=LIMIT) if q.strip() else []
    return page(request, "search.html", {
        "q": q, "kind": kind.strip() or None, "kinds": list(finding.KINDS),
        "limit": LIMIT, "hits": [_hit(h) for h in hits],
    })


def _hit(hit: finding.Hit) -> dict[str, Any]:
    """A hit as ``patron search --json`` gives it, with where it leads and its title and
    snippet cut into parts, the matched words marked (each part escaped by the template)."""
    where = PAGES.get(hit.kind)
    return {**asdict(hit), "shown_as": SHOWN_AS.get(hit.kind, hit.kind),
            "href": where.format(hit.id) if where else None,
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
