"""``/``, Today: the ranked asks (each with its score's terms, as ``patron why``), check-ins
due (``patron due``), promises coming due, relationships going cold (``patron visibility``)
and how many suggestions wait in the inbox."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from patron.domain.ranking import TERMS
from patron.services import inbox, ranking, relationships
from patron.store.reader import ConnectionReader
from patron.web.remember import remembered
from patron.web.render import page, reading

router = APIRouter()
# Check-ins due shown on Today, the most urgent first; ``patron due`` lists them all.
DUE_SHOWN = 30


@router.get("/")
@remembered
def today(request: Request) -> Response:
    with reading(request) as (conn, where):
        settings, now = where.settings, where.now()
        ranked = ranking.rank(ConnectionReader(conn), settings, now,
                              limit=int(settings["ranking.limit"]))
        due = relationships.checkins(conn, settings, now, int(settings["overview.due_soon_days"]))
        shown = relationships.describe(conn, due[:DUE_SHOWN], now)
        promises = relationships.promises_due(conn, relationships.due_horizon(settings, now))
        cold = [v for v in relationships.visibility(conn, now, 90, settings) if v["warning"]]
        waiting = inbox.count_pending(conn)
    return page(request, "today.html", {
        "today": now.date(),
        "open_asks": ranked.open_asks,
        "asks": [ask_line(item, ranked.coefficients) for item in ranked.asks],
        "due": shown,
        "due_total": len(due),
        "promises": promises,
        "going_cold": cold,
        "inbox": waiting,
    })


def ask_line(item: ranking.Ranked, coefficients: tuple[float, ...]) -> dict[str, object]:
    """One ranked ask as ``patron next --json`` gives it, with ``why``'s breakdown."""
    return {
        "rank": item.rank, "id": item.id, "title": item.title, "status": item.status,
        "score": item.score, "requester_id": item.requester_id, "requester": item.requester,
        "engagement_id": item.engagement_id, "engagement": item.engagement, "due_at": item.due_at,
        "breakdown": [{"term": name, "factor": factor, "coefficient": coefficient,
                       "contribution": factor * coefficient + 0.0, "meaning": meaning}
                      for (name, meaning), factor, coefficient
                      in zip(TERMS, item.factors, coefficients, strict=True)],
    }
