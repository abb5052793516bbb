"""``/review``: the periodic review (as ``patron review``) for the period picked: this or
last week, month or quarter (``?period=``), or any days (``?from=&to=``); with the review's
charts and each active engagement's grid, and a print style sheet."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from patron.domain.periods import MENTOR_QUESTIONS
from patron.domain.records import ENGAGEMENT
from patron.reports.review import covering, no_time, title
from patron.services import client, records, review
from patron.web import charts
from patron.web.remember import remembered
from patron.web.render import page, reading

router = APIRouter()

PERIODS = (("week", "This week"), ("last-week", "Last week"), ("month", "This month"),
           ("last-month", "Last month"), ("quarter", "This quarter"),
           ("last-quarter", "Last quarter"))


@router.get("/review")
@remembered
def periodic(request: Request, period: str = Query(""), start: str = Query("", alias="from"),
             end: str = Query("", alias="to")) -> Response:
    with reading(request) as (conn, where):
        settings, now = where.settings, where.now()
        chosen = review.choose(settings, now.date(), period.strip() or None,
                               start.strip() or None, end.strip() or None)
        found = review.build(conn, settings, now, chosen)
        active = records.find(conn, ENGAGEMENT, {"status": "active"}, now)
        high = int(settings["stakeholders.high"])
        grids = [{"engagement_id": e["id"], "engagement": e["name"],
                  "grid": charts.grid(members, high)} for e in active
                 if (members := client.members(conn, settings, now, e["id"]))]
    return page(request, "review.html", {
        **asdict(found),
        "title": title(found), "covering": _covering(found),
        "no_time": no_time(found).replace("`", ""),
        "picked": {"period": period.strip() or None, "from": start.strip() or None,
                   "to": end.strip() or None},
        "periods": [{"period": key, "label": label} for key, label in PERIODS],
        "questions": MENTOR_QUESTIONS,
        "scores_chart": charts.scores(found.clients),
        "time_chart": charts.bosses(found.time_minutes, found.time_target),
        "grids": grids,
    })


def _covering(found: review.Review) -> str:
    """Why this period, without the command line's hint (the picker is on the page)."""
    said = covering(found)
    return said.split("; --period")[0].rstrip(".") + "." if said else ""
