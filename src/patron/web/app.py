"""``create_app``: the web app on one register, with its security and its error pages."""

from __future__ import annotations

import importlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import datetime

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from patron.errors import Ambiguous, Conflict, InvalidInput, NotFound, PatronError
from patron.services.feedback_links import LinkAltered
from patron.settings import Settings
from patron.store.database import Store
from patron.web import pages
from patron.web.remember import Pages
from patron.web.render import HERE, Served, page
from patron.web.security import Guard, public_names, served_names

log = logging.getLogger("patron.web")

STATUS = ((NotFound, 404), (InvalidInput, 400), (Ambiguous, 400), (Conflict, 409))


def create_app(store: Store, settings: Settings, now: Callable[[], datetime], *,
               host: str = "127.0.0.1", port: int = 8765, secret: bytes | None = None) -> FastAPI:
    """The app serving ``store`` at ``host:port`` (the Host header must name it)."""
    app = FastAPI(title="Patron", docs_url=None, redoc_url=None, openapi_url="/openapi.json",
                  redirect_slashes=False,  # an altered link is refused, not sent on
                  lifespan=_threads(store.connections))
    app.state.served = Served(store, settings, now)
    app.state.pages = Pages()
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    for name in pages.ROUTERS:
        app.include_router(importlib.import_module(f"patron.web.pages.{name}").router)
    app.add_exception_handler(PatronError, _patron_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _bad_request)
    app.add_exception_handler(Exception, _unexpected)
    names = served_names(host, port) | public_names(str(settings["web.public_url"]))
    app.add_middleware(Guard, names=names, token=str(settings["web.token"]), secret=secret)
    return app


def _threads(connections: int) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """Pages run in worker threads, each holding a connection: no more threads than the store
    has connections, so a burst of requests queues instead of failing on the pool's timeout."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = connections
        yield

    return lifespan


def error(request: Request, status: int, message: str) -> Response:
    if not request.url.path.startswith("/answer/"):
        return page(request, "error.html", {"error": message, "status": status}, status)
    # a client who came by a feedback link sees a plain page, nothing of the owner's site;
    # a link cut or changed so far that no route takes it is still just a link not valid
    reason = None
    if status == 404:
        altered = LinkAltered()
        message, reason = str(altered), altered.reason
    return page(request, "answer_error.html", {"error": message, "status": status,
                                               "reason": reason}, status)


async def _patron_error(request: Request, exc: Exception) -> Response:
    status = next((code for kind, code in STATUS if isinstance(exc, kind)), 500)
    return error(request, status, str(exc))


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    message = {404: f"no page at {request.url.path}",
               405: f"{request.method} is not allowed on {request.url.path}"}.get(
        exc.status_code, str(exc.detail))
    answer = error(request, exc.status_code, message)
    for name, value in (exc.headers or {}).items():
        answer.headers[name] = value
    return answer


async def _bad_request(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    problems = list(exc.errors())
    if problems and problems[0].get("loc", ("",))[0] == "path":
        return error(request, 404, f"no page at {request.url.path}")
    parts = [f"{'.'.join(str(p) for p in e.get('loc', ())[1:]) or 'input'}: {e.get('msg', '')}"
             for e in problems]
    return error(request, 400, "; ".join(parts) or "bad request")


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return error(request, 500, "something went wrong inside Patron; the server's log says what")
