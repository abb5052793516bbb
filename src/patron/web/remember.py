"""Pages kept while the register stays as it is: ``@remembered`` on a page that only reads.

Today ranks every open ask and weighs every stakeholder; doing that again for each tab or
client that asks within the same minute, on a register that has not changed, is waste. What
a page shows is kept under what it depends on: the register's change token (any committed
change, by this server or by a command in another terminal, gives a new one), the minute of
the clock, and the path and query. Each request still gets its own answer written out from
it (its session's form token, HTML or JSON). Requests for a page not yet kept wait for the
one that works it out. Errors are not kept; a register whose changes cannot be told keeps
nothing.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from patron.web.render import KEEP, Filled, rendered, served, wants_json

KEPT = 128  # pages kept at one state of the register, the least recently used dropped first

Work = Callable[[], tuple[Response, Filled | None]]


@dataclass(frozen=True)
class Sent:
    """An answer as it was sent, to send again to the same session."""

    body: bytes
    headers: tuple[tuple[bytes, bytes], ...]

    @classmethod
    def of(cls, answer: Response) -> Sent | None:
        body = getattr(answer, "body", None)
        if answer.status_code != 200 or not isinstance(body, bytes) or answer.background:
            return None
        return cls(body, tuple(answer.raw_headers))

    def response(self) -> Response:
        answer = Response(self.body)
        answer.raw_headers = list(self.headers)
        return answer


class Pages:
    """The pages kept by one app."""

    def __init__(self, size: int = KEPT) -> None:
        self._size = size
        self._kept: OrderedDict[Hashable, Filled] = OrderedDict()
        self._sent: OrderedDict[Hashable, Sent] = OrderedDict()
        self._working: dict[Hashable, Future[Filled | None]] = {}
        self._lock = threading.Lock()
        self._state: Hashable = None

    def at(self, state: Hashable) -> None:
        """The register's state (its change token and the minute) of a request: pages kept
        at another state can never be asked for again (the token and the clock move on),
        so they are dropped."""
        with self._lock:
            if state != self._state:
                self._state = state
                self._kept.clear()
                self._sent.clear()

    def get(self, key: Hashable, work: Work) -> tuple[Response | None, Filled | None]:
        """The page kept under ``key``; else ``work``'s answer and page, kept; the answer is
        None when the page was kept or worked out by another request."""
        with self._lock:
            found = self._kept.get(key)
            if found is not None:
                self._kept.move_to_end(key)
                return None, found
            waiting = self._working.get(key)
            mine: Future[Filled | None] = Future()
            if waiting is None:
                self._working[key] = mine
        if waiting is not None:
            return None, waiting.result()
        try:
            answer, filled = work()
        except BaseException as exc:
            self._finish(key, None)
            mine.set_exception(exc)
            raise
        self._finish(key, filled)
        mine.set_result(filled)
        return answer, filled

    def sent(self, key: Hashable) -> Response | None:
        with self._lock:
            found = self._sent.get(key)
            if found is None:
                return None
            self._sent.move_to_end(key)
        return found.response()

    def send(self, key: Hashable, answer: Response) -> Response:
        sent = Sent.of(answer)
        if sent is not None:
            with self._lock:
                _put(self._sent, key, sent, self._size)
        return answer

    def _finish(self, key: Hashable, filled: Filled | None) -> None:
        with self._lock:
            self._working.pop(key, None)
            if filled is not None:
                _put(self._kept, key, filled, self._size)


def _put(kept: OrderedDict[Hashable, Any], key: Hashable, value: Any, size: int) -> None:
    kept[key] = value
    while len(kept) > size:
        kept.popitem(last=False)


def remembered(endpoint: Callable[..., Response]) -> Callable[..., Response]:
    """The page worked out once for each state of the register and minute."""

    @functools.wraps(endpoint)
    def page(**values: Any) -> Response:
        request: Request = values["request"]
        state = _state(request)
        if state is None:
            return endpoint(**values)
        pages: Pages = request.app.state.pages
        pages.at(state)
        key = (state, request.url.path, request.url.query)
        # the same page written out for this session (its form token) and kind
        own = (key, wants_json(request), getattr(request.state, "csrf_token", ""))
        again = pages.sent(own)
        if again is not None:
            return again
        answer, filled = pages.get(key, lambda: _work(endpoint, values, request))
        if answer is None:
            if filled is None:  # the request that worked it out met an error: meet it too
                return endpoint(**values)
            answer = rendered(request, filled)
        return pages.send(own, answer)

    return page


def _work(endpoint: Callable[..., Response], values: dict[str, Any], request: Request
          ) -> tuple[Response, Filled | None]:
    given: list[Filled] = []
    setattr(request.state, KEEP, given.append)
    answer = endpoint(**values)
    keep = given[-1] if given and answer.status_code == 200 == given[-1].status else None
    return answer, keep


def _state(request: Request) -> Hashable | None:
    where = served(request)
    token = where.store.changes.token()
    if token is None:
        return None
    return token, where.now().replace(second=0, microsecond=0)
