"""What every page shares: the served register, and ONE way to answer (``page``):
HTML by default, the same data as JSON when the request asks for application/json."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

from fastapi import Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape

from patron.settings import Settings
from patron.store.database import Store

HERE = Path(__file__).parent


@dataclass(frozen=True)
class Served:
    """The register being served, its settings and the clock: what the CLI's App gives."""

    store: Store
    settings: Settings
    now: Callable[[], datetime]


def served(request: Request) -> Served:
    found: Served = request.app.state.served
    return found


@contextmanager
def reading(request: Request) -> Iterator[tuple[Any, Served]]:
    """A read transaction on the served register (the connection goes to services only)."""
    where = served(request)
    with where.store.read() as conn:
        yield conn, where


@contextmanager
def writing(request: Request) -> Iterator[tuple[Any, Served]]:
    """A write transaction: everything in it is kept, or nothing is."""
    where = served(request)
    with where.store.begin() as conn:
        yield conn, where


def plain(value: Any) -> Any:
    """Dataclasses, tuples, dates and mappings as JSON's own types (dates as ISO strings)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, float) and value != value:  # NaN is no JSON
        return None
    return value


def wants_json(request: Request) -> bool:
    """The JSON twin: Accept names application/json before (or without) text/html."""
    accept = request.headers.get("accept", "").lower()
    kinds = [part.split(";")[0].strip() for part in accept.split(",")]
    if "application/json" not in kinds:
        return False
    return "text/html" not in kinds or kinds.index("application/json") < kinds.index("text/html")


def _when(value: Any) -> str:
    """An ISO moment as people read it: 2026-11-20 10:00 (the time left out at midnight)."""
    text = str(value or "")
    if "T" not in text:
        return text
    day, clock = text.split("T", 1)
    return day if clock.startswith("00:00:00") else f"{day} {clock[:5]}"


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(HERE / "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True))
    env.filters["when"] = _when
    env.filters["signed"] = lambda number: f"{float(number):+.1f}"
    return env


TEMPLATES = Jinja2Templates(env=_environment())


@dataclass(frozen=True)
class Filled:
    """A page before it is written out: its template, its data as JSON's types, its status."""

    template: str
    body: Any
    status: int = 200


KEEP = "keep"  # a request's state may hold a function that keeps each page it is given


def page(request: Request, template: str, data: Mapping[str, Any], status: int = 200) -> Response:
    """Every page's one answer: ``template`` filled with ``data``, or ``data`` as JSON."""
    filled = Filled(template, plain(data), status)
    keep = getattr(request.state, KEEP, None)
    if keep is not None:
        keep(filled)
    return rendered(request, filled)


def rendered(request: Request, filled: Filled) -> Response:
    """``filled`` as this request wants it: HTML with the session's form token, or JSON."""
    if wants_json(request):
        return JSONResponse(filled.body, status_code=filled.status)
    context = {"data": filled.body, "csrf_token": getattr(request.state, "csrf_token", ""),
               "path": request.url.path, "note": request.query_params.get(NOTE, "")[:NOTE_MAX]}
    return TEMPLATES.TemplateResponse(request, filled.template, context,
                                      status_code=filled.status)


NOTE, NOTE_MAX = "note", 200  # the short confirmation a page shows after a write


def written(request: Request, data: Mapping[str, Any], then: str, status: int = 200,
            note: str | None = None) -> Response:
    """A write's answer: ``data`` as JSON for the API, else back to a page of this site
    (303, so reloading does not send the form again), saying ``note`` there."""
    if wants_json(request):
        return JSONResponse(plain(data), status_code=status)
    safe = then if local(then) else "/"
    if note:
        path, _, query = safe.partition("?")
        kept = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k != NOTE]
        safe = f"{path}?{urlencode([*kept, (NOTE, note[:NOTE_MAX])])}"
    return RedirectResponse(safe, status_code=303)


def local(then: str) -> bool:
    """A path of this site: not ``//host`` nor ``/\\host`` (browsers read both as another
    site), and no control characters."""
    return (then.startswith("/") and not then.startswith(("//", "/\\"))
            and all(ch.isprintable() for ch in then))
