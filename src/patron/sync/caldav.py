"""A calendar on a CalDAV server (Nextcloud, Fastmail, iCloud, Radicale), through the
``caldav`` library (extra ``sync``).

A task's href is its URL and its ETag the server's; a server that sends none gets the
SHA-256 of the task's text instead (marked ``sha256:``, never sent back as If-Match).
Every failure of the server (down, login refused, an answer that is not CalDAV) becomes one
``RemoteFailed`` line.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, TypeVar

from caldav.calendarobjectresource import Todo
from caldav.davclient import DAVClient
from caldav.elements import dav
from caldav.lib import error

from patron.errors import InvalidInput, RemoteFailed
from patron.sync import ical
from patron.sync.base import Listing, Remote, Task

T = TypeVar("T")
TIMEOUT = 30


class CaldavStore:
    def __init__(self, url: str, user: str, password: str, calendar: str, now: datetime) -> None:
        self.url, self.user, self.wanted, self.now = url, user, calendar, now
        self.client = DAVClient(url=url, username=user or None, password=password or None,
                                       timeout=TIMEOUT, enable_rfc6764=False, require_tls=False)
        self._calendar: Any = None

    @property
    def target(self) -> str:
        return f"caldav:{self.calendar().url}"

    def calendar(self) -> Any:
        if self._calendar is None:
            self._calendar = self._guarded(self._find_calendar)
        return self._calendar

    def tasks(self) -> Listing:
        calendar = self.calendar()
        found = self._guarded(lambda: calendar.search(todo=True, include_completed=True))
        listing = Listing()
        for obj in found:
            href = str(obj.url)
            text = _text(obj.data)
            try:
                task = ical.parse(text)
            except ValueError as exc:
                listing.unreadable[href] = str(exc)
                continue
            listing.tasks.append(Remote(href, _etag(obj, text), task, text))
        return listing

    def put(self, task: Task, previous: Remote | None) -> Remote:
        text = ical.render(task, previous.text if previous else None, self.now)
        calendar = self.calendar()

        def save() -> Any:
            if previous is None:
                return calendar.add_todo(ical=text, increase_seqno=False)
            props = {} if previous.etag.startswith("sha256:") else {dav.GetEtag.tag: previous.etag}
            obj = Todo(client=self.client, url=previous.href, data=text, parent=calendar,
                              props=props)
            return obj.save(increase_seqno=False)

        obj = self._guarded(save)
        written = _text(obj.data) if obj.data else text
        return Remote(str(obj.url), _etag(obj, written), ical.parse(written), written)

    def delete(self, remote: Remote) -> None:
        obj = Todo(client=self.client, url=remote.href, parent=self.calendar())
        try:
            self._guarded(obj.delete)
        except RemoteFailed:
            if not self._gone(remote.href):
                raise

    # --- finding the calendar, failing in one line ----------------------------------

    def _find_calendar(self) -> Any:
        client: Any = self.client  # the library's own calls are not all typed
        if self.wanted.startswith(("http://", "https://")):
            calendar = client.calendar(url=self.wanted)
            calendar.get_display_name()  # asks the server: a wrong URL fails here, not later
            return calendar
        calendars = client.principal().get_calendars()
        if self.wanted:
            named = [c for c in calendars if (c.get_display_name() or "") == self.wanted]
            if len(named) != 1:
                names = ", ".join(sorted(str(c.get_display_name() or c.url) for c in calendars))
                raise InvalidInput(f"{self.url}: no single calendar named {self.wanted!r} "
                                   f"(there are: {names or 'none'}); set caldav.calendar")
            return named[0]
        with_tasks = [c for c in calendars if "VTODO" in _components(c)]
        if len(with_tasks) != 1:
            names = ", ".join(sorted(str(c.get_display_name() or c.url) for c in with_tasks))
            raise InvalidInput(f"{self.url}: {len(with_tasks)} calendars hold tasks ({names or 'none'}); "
                               "name one in caldav.calendar")
        return with_tasks[0]

    def _guarded(self, call: Callable[[], T]) -> T:
        with _one_line(self.url):
            return call()

    def _gone(self, href: str) -> bool:
        try:
            Todo(client=self.client, url=href, parent=self.calendar()).load()
        except error.NotFoundError:
            return True
        except Exception:
            return False
        return False


@contextmanager
def _one_line(url: str) -> Iterator[None]:
    try:
        yield
    except (InvalidInput, RemoteFailed):
        raise
    except error.AuthorizationError:
        raise RemoteFailed(f"{url}: the server refused the login (check caldav.user and "
                           "PATRON_CALDAV_PASSWORD)") from None
    except error.ETagMismatchError:
        raise RemoteFailed(f"{url}: a task changed on the server during the sync; nothing here "
                           "changed, run it again") from None
    except error.NotFoundError:
        raise RemoteFailed(f"{url}: the server has no such calendar (check caldav.url and "
                           "caldav.calendar)") from None
    except error.DAVError as exc:
        raise RemoteFailed(f"{url}: the server answered something that is not CalDAV "
                           f"({_first_line(exc)})") from None
    except OSError as exc:  # connection refused, DNS, TLS, timeouts (niquests' are OSErrors)
        raise RemoteFailed(f"{url}: cannot reach the server ({_reason(exc)})") from None
    except Exception as exc:  # an answer the library could not read: garbage
        raise RemoteFailed(f"{url}: the server answered something Patron cannot read "
                           f"({type(exc).__name__}: {_first_line(exc)})") from None


def _components(calendar: Any) -> list[str]:
    try:
        return list(calendar.get_supported_components())
    except Exception:
        return ["VTODO"]  # a server that does not say: assume it takes tasks


def _etag(obj: Any, text: str) -> str:
    etag = obj.props.get(dav.GetEtag.tag) if getattr(obj, "props", None) else None
    return str(etag) if etag else "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def _text(data: Any) -> str:
    return data.decode("utf-8", "replace") if isinstance(data, bytes) else str(data or "")


def _reason(exc: BaseException) -> str:
    """The deepest cause that says what happened in words ("Connection refused")."""
    reason, seen = "no answer", 0
    current: BaseException | None = exc
    while current is not None and seen < 20:
        if isinstance(current, OSError) and current.strerror:
            reason = current.strerror
        elif isinstance(current, TimeoutError | ConnectionError):
            reason = type(current).__name__
        current, seen = current.__cause__ or current.__context__, seen + 1
    if reason == "no answer" and "refused" in str(exc).lower():
        return "connection refused"
    return reason


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0][:200] if lines else type(exc).__name__
