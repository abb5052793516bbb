"""``/screen``: paste a prospect's mail or notes and see the red flags (the phrase marked in
its sentence), the partnership question, a fit score and a recommendation, as ``patron
screen -``. Nothing is stored; the text is sent by POST (with the CSRF token), so it stays
out of the address bar, the history and the server's log."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from patron.domain.passage import marked, whole
from patron.domain.screening import FLAG_KINDS
from patron.services import screening
from patron.web.render import page, served

router = APIRouter()
SOURCE = "pasted text"


@router.get("/screen")
def empty(request: Request) -> Response:
    return page(request, "screen.html", {"text": "", "screening": None, "marked": []})


@router.post("/screen")
def screen(request: Request, text: str = Form("")) -> Response:
    found = screening.screen_text(served(request).settings, text, SOURCE)
    return page(request, "screen.html", {"text": text, "screening": asdict(found),
                                         "marked": [_flag(f) for f in found.flags]})


def _flag(flag: Any) -> dict[str, Any]:
    """A red flag as the page shows it: what it means, its sentence with the phrase marked."""
    meaning = dict(FLAG_KINDS).get(flag.kind, flag.kind)
    return {"kind": flag.kind, "meaning": meaning, "phrase": flag.phrase,
            "passage": marked(flag.sentence, flag.phrase) or whole(flag.sentence)}
