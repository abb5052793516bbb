"""``/engagements`` (the portfolio, as ``patron overview``) and ``/engagements/{id}``:
who is THE client (``patron client``), the stakeholder grid, open asks (``patron next
-e``), conflicts, visibility, and the hire-me-back score (``patron why -e``) with its
history month by month; ``POST /engagements/{id}/time`` logs time on it (as ``patron
time``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from patron.domain.hire import HIRE_TERMS
from patron.domain.records import ENGAGEMENT, TIME_ENTRY
from patron.services import client, hire, overview, ranking, records, relationships
from patron.services.names import resolve
from patron.store.reader import ConnectionReader
from patron.web import charts
from patron.web.pages.today import ask_line
from patron.web.remember import remembered
from patron.web.render import page, reading, writing, written

router = APIRouter()
ASKS_SHOWN = 50


@router.get("/engagements")
@remembered
def engagements(request: Request) -> Response:
    with reading(request) as (conn, where):
        portfolio = overview.build(conn, where.settings, where.now(), 1)
    return page(request, "engagements.html", {"today": portfolio.today,
                                              "engagements": portfolio.engagements})


@router.get("/engagements/{ident}")
@remembered
def engagement(request: Request, ident: int) -> Response:
    with reading(request) as (conn, where):
        settings, now = where.settings, where.now()
        found = resolve(conn, ENGAGEMENT, str(ident))
        view = client.client(conn, settings, now, found)
        members = client.members(conn, settings, now, found)
        ranked = ranking.rank(ConnectionReader(conn), settings, now, engagement_id=found,
                              limit=ASKS_SHOWN)
        collisions, load = client.conflicts(conn, settings, now, found)
        seen = relationships.visibility(conn, now, 90, settings, found)
        months = hire.history(conn, settings, now, found) if view.hire is not None else []
    score: dict[str, Any] | None = None
    if view.hire is not None:
        score = {"score": view.hire.score, "out_of": view.hire.out_of,
                 "verdict": view.hire.verdict, "ratings_trend": view.hire.ratings_trend,
                 "breakdown": [{"term": name, "factor": f, "coefficient": c, "contribution": f * c,
                                "meaning": meaning} for (name, meaning), f, c
                               in zip(HIRE_TERMS, view.hire.factors, view.hire.coefficients,
                                      strict=True)],
                 "history": months}
    return page(request, "engagement.html", {
        "id": found, "name": view.engagement, "kind": view.kind,
        "client": {key: value for key, value in vars(view).items() if key != "hire"},
        "stakeholders": members,
        "grid": charts.grid(members, int(settings["stakeholders.high"])),
        "open_asks": ranked.open_asks,
        "asks": [ask_line(item, ranked.coefficients) for item in ranked.asks],
        "conflicts": collisions, "capacity": load,
        "visibility": seen[0] if seen else None,
        "hire_me_back": score,
        "chart": charts.history(months, view.hire.out_of) if view.hire is not None else None,
    })


@router.post("/engagements/{ident}/time")
def log_time(request: Request, ident: int, duration: str = Form(""), at: str = Form(""),
             note: str = Form("")) -> Response:
    """Time spent, as ``patron time DURATION ENGAGEMENT --at WHEN --note TEXT``."""
    with writing(request) as (conn, where):
        made = relationships.log_time(conn, duration, str(resolve(conn, ENGAGEMENT, str(ident))),
                                      where.now(), at=at.strip() or None, note=note.strip() or None)
        record = records.get(conn, TIME_ENTRY, made)
    minutes = int(record["minutes"])
    return written(request, record, f"/engagements/{ident}", 201,
                   note=f"Logged {minutes // 60}h{minutes % 60:02d} as time entry #{made}")
