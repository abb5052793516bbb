"""``GET /feed/{secret}.ics``: the calendar feed (as ``patron export feed``) for calendar apps.

A calendar app cannot log in, so the secret in the URL is its access: the Guard lets these
GETs and HEADs pass without ``web.token`` (the Host check still holds), and a secret that
is not the register's answers the same 404 as any unknown path. Apps poll, so the answer
carries an ETag (a hash of the document) and a poll naming it in If-None-Match gets 304.
"""

from __future__ import annotations

import hashlib

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from patron.services.feed import secret_matches, served_feed
from patron.web.render import reading, writing

router = APIRouter()

CALENDAR = "text/calendar; charset=utf-8"


# Not in the OpenAPI schema: the feed is iCalendar for calendar apps, not part of the JSON API.
@router.api_route("/feed/{secret}.ics", methods=["GET", "HEAD"], include_in_schema=False)
def feed(request: Request, secret: str) -> Response:
    # a wrong secret costs a read, not the write lock a feed's bookkeeping takes
    with reading(request) as (conn, _):
        known = secret_matches(conn, secret)
    content = None
    if known:
        with writing(request) as (conn, where):
            content = served_feed(conn, where.settings, where.now(), secret)
    if content is None:
        raise HTTPException(404)
    body = content.encode("utf-8")
    tag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    headers = {"etag": tag, "cache-control": "no-cache"}
    if _names(request.headers.get("if-none-match", ""), tag):
        return Response(status_code=304, headers=headers)
    if request.method == "HEAD":
        return Response(media_type=CALENDAR,
                        headers={**headers, "content-length": str(len(body))})
    return Response(body, media_type=CALENDAR, headers=headers)


def _names(header: str, tag: str) -> bool:
    """If-None-Match names ``tag`` (weakly compared, as RFC 9110 asks) or is ``*``."""
    offered = [part.strip() for part in header.split(",")]
    return "*" in offered or any(o.removeprefix("W/") == tag for o in offered)
