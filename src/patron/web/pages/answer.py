"""``/answer/{token}``: the page behind a feedback link (``patron feedback link``).

It is for the client, not the owner: it needs no ``web.token`` (the signed link is the key),
shows only the question and the engagement's name, and stores the answer as feedback from
the link's person in one transaction with the link's use. A used, expired or altered link
gets a plain page saying which, with its status (410, 410, 404), and stores nothing.
"""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from patron.errors import InvalidInput
from patron.services import feedback_links
from patron.services.feedback_links import LinkRefused
from patron.web.render import page, reading, writing

router = APIRouter()
QUESTION = "How likely are you to hire us again?"
SCALE = list(range(11))


@router.get("/answer/{token}")
def ask(request: Request, token: str) -> Response:
    try:
        with reading(request) as (conn, where):
            asked = feedback_links.question(conn, token, where.now())
    except LinkRefused as refused:
        return _refused(request, refused)
    return _form(request, asked)


@router.post("/answer/{token}")
def answer(request: Request, token: str, rating: str = Form(""), comment: str = Form("")
           ) -> Response:
    try:
        number = _rating(rating)
        with writing(request) as (conn, where):
            feedback_links.answer(conn, token, where.now(), rating=number, comment=comment)
    except LinkRefused as refused:
        return _refused(request, refused)
    except InvalidInput as problem:
        try:
            with reading(request) as (conn, where):
                asked = feedback_links.question(conn, token, where.now())
        except LinkRefused as refused:
            return _refused(request, refused)
        return _form(request, asked, str(problem), rating, comment, 400)
    return page(request, "answer_thanks.html", {"recorded": True}, 201)


def _form(request: Request, asked: feedback_links.Question, problem: str = "",
          rating: str = "", comment: str = "", status: int = 200) -> Response:
    return page(request, "answer.html", {
        "question": QUESTION, "engagement": asked.engagement, "scale": SCALE,
        "expires_at": asked.expires_at, "error": problem or None,
        "given": {"rating": rating, "comment": comment}}, status)


def _refused(request: Request, refused: LinkRefused) -> Response:
    return page(request, "answer_error.html", {"error": str(refused), "status": refused.status,
                                               "reason": refused.reason}, refused.status)


def _rating(text: str) -> int | None:
    if not text.strip():
        return None
    try:
        return int(text)
    except ValueError:
        raise InvalidInput(f"the number must be a whole number from 0 to 10, not {text!r}") from None
