"""``/influence`` and ``/engagements/{id}/influence``: who holds influence, read from the mail
(all of it, or the engagement's), as ``patron influence [-e ID]``; and
``POST /engagements/{id}/influence/accept``, the engagement's stakeholders' power set to the
proposals (as ``patron influence -e ID --accept``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from patron.services import influence
from patron.web.remember import remembered
from patron.web.render import page, reading, writing, written

router = APIRouter()
LIMIT, MOST = 25, 500  # people shown unless ``?limit=`` asks for more (as ``patron influence -n``)


@router.get("/influence")
@remembered
def everyone(request: Request, limit: int = Query(LIMIT, ge=1, le=MOST)) -> Response:
    """Influence in all the mail, as ``patron influence -n LIMIT``, with how many people
    appear under several records (as ``patron people duplicates`` finds them)."""
    with reading(request) as (conn, where):
        found = influence.view(conn, where.settings, None, limit, look=True)
    return page(request, "influence.html", _shown(None, found))


@router.get("/engagements/{ident}/influence")
@remembered
def of_engagement(request: Request, ident: int,
                  limit: int = Query(LIMIT, ge=1, le=MOST)) -> Response:
    """Influence in the engagement's mail (filed under it, or with one of its stakeholders
    taking part), as ``patron influence -e ID -n LIMIT``."""
    with reading(request) as (conn, where):
        found = influence.view(conn, where.settings, str(ident), limit)
    return page(request, "influence.html", _shown(ident, found))


@router.post("/engagements/{ident}/influence/accept")
def accept(request: Request, ident: int) -> Response:
    """The engagement's stakeholders' power set to the proposed values, as
    ``patron influence -e ID --accept``."""
    with writing(request) as (conn, where):
        found = influence.view(conn, where.settings, str(ident), LIMIT, take=True)
    return written(request, {"engagement_id": ident, **vars(found)},
                   f"/engagements/{ident}/influence",
                   note=f"Set the power of {found.accepted} stakeholder roles of "
                        f"{found.engagement} to the proposed values.")


def _shown(ident: int | None, found: influence.InfluenceView) -> dict[str, Any]:
    """A page's data: ``patron influence --json`` and how many people are split."""
    return {"engagement_id": ident, "engagement": found.engagement, "people": found.people,
            "split": found.split}
