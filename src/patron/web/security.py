"""Safe by default: what every request passes before a page sees it.

One ASGI middleware (``Guard``), outermost, checks in this order:

- the Host header names the served address (DNS rebinding), else 400;
- with ``web.token`` set, the request carries it (a cookie set after ``/?token=...``
  once, or ``Authorization: Bearer``), else 401; the pages a client opens from a feedback
  link (``/answer/<token>``, their own signed token being the key) and the stylesheet are
  the only ones without it (``PUBLIC``), with a GET or HEAD of a secret URL
  (``SECRET_URLS``: the calendar feed), its secret being the access;
- a body is at most ``MAX_BODY`` bytes, else 413;
- a write (POST, PUT, PATCH, DELETE) carries the CSRF token signed for its session
  cookie (form field ``csrf_token`` or header ``X-CSRF-Token``), else 403 and nothing
  changes.

Every answer gets the Content-Security-Policy and the other headers of ``HEADERS``.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import re
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from starlette.requests import Request

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_BODY = 1024 * 1024
SESSION_COOKIE = "patron_session"
TOKEN_COOKIE = "patron_token"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# A feedback link's page and the static files it needs: one path segment each, nothing more.
PUBLIC = re.compile(r"/answer/[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+|/static/[A-Za-z0-9_\-]+\.(?:css|svg)")
SECRET_URLS = re.compile(r"/feed/[^/]+\.ics")
"""Paths that carry their own secret, for clients that cannot log in (calendar apps): read
without ``web.token``; the page itself answers 404 to a wrong secret."""
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
HEADERS = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def served_names(host: str, port: int) -> frozenset[str]:
    """The Host headers a browser sends for this server: loopback names and the bound host."""
    bound = f"[{host}]" if ":" in host and not host.startswith("[") else host
    names = {f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}", f"{bound}:{port}"}
    if port == 80:
        names |= {"127.0.0.1", "localhost", "[::1]", bound}
    return frozenset(name.lower() for name in names)


def public_names(public_url: str) -> frozenset[str]:
    """The Host header of requests reaching this server by ``web.public_url`` (through a
    proxy): its host and port as written, and without the scheme's default port."""
    if not public_url.strip():
        return frozenset()
    parts = urlsplit(public_url.strip())
    if not parts.hostname:
        return frozenset()
    default = {"http": 80, "https": 443}.get(parts.scheme)
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    port = parts.port or default
    names = {parts.netloc.rsplit("@", 1)[-1], f"{host}:{port}" if port else host}
    if port in (None, default):
        names.add(host)
    return frozenset(name.lower() for name in names)


def sign(secret: bytes, session: str) -> str:
    """The CSRF token of a session: an HMAC, so only this server can make one."""
    return hmac.new(secret, session.encode(), hashlib.sha256).hexdigest()


class Guard:
    """The checks above, around the whole app."""

    def __init__(self, app: ASGIApp, *, names: frozenset[str], token: str,
                 secret: bytes | None = None) -> None:
        self.app = app
        self.names = names
        self.token = token
        self.secret = secret or secrets.token_bytes(32)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        cookies = _cookies(headers.get("cookie", ""))
        session = cookies.get(SESSION_COOKIE, "")
        new_session = not _well_formed(session)
        if new_session:
            session = secrets.token_hex(16)
        by_secret = scope["method"] in ("GET", "HEAD") and bool(
            SECRET_URLS.fullmatch(scope.get("path", "")))
        # a calendar app keeps no session: its answers set no cookie
        set_cookies = [_cookie(SESSION_COOKIE, session)] if new_session and not by_secret else []
        reply = _with_headers(send, set_cookies)
        json_wanted = "application/json" in headers.get("accept", "")

        if headers.get("host", "").lower() not in self.names:
            await _refuse(reply, 400, "this server answers only to its own address "
                          "(the Host header names another)", json_wanted)
            return
        if self.token and not by_secret and not PUBLIC.fullmatch(scope.get("path", "")):
            passed = await self._token(scope, headers, cookies, reply, json_wanted)
            if not passed:
                return
        body = await _body(scope, headers, receive)
        if body is None:
            await _refuse(reply, 413, f"the request is larger than {MAX_BODY // 1024} KB",
                          json_wanted)
            return
        token = sign(self.secret, session)
        scope.setdefault("state", {})["csrf_token"] = token
        if scope["method"] in WRITES and not await _carries(scope, headers, body, token):
            await _refuse(reply, 403, "this form is out of date or did not come from Patron "
                          "(no valid CSRF token); reload the page and try again", json_wanted)
            return
        await self.app(scope, _replay(body, receive), reply)

    async def _token(self, scope: Scope, headers: dict[str, str], cookies: dict[str, str],
                     reply: Send, json_wanted: bool) -> bool:
        """True when the request carries the token; else it has been answered."""
        bearer = headers.get("authorization", "")
        offered = [cookies.get(TOKEN_COOKIE, ""),
                   bearer[7:].strip() if bearer.lower().startswith("bearer ") else ""]
        if any(_same(o, self.token) for o in offered):
            return True
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        given = [v for k, v in query if k == "token"]
        if given and _same(given[0], self.token):
            rest = urlencode([(k, v) for k, v in query if k != "token"])
            location = scope.get("path", "/") + (f"?{rest}" if rest else "")
            await reply({"type": "http.response.start", "status": 303, "headers": [
                (b"location", location.encode()),
                (b"set-cookie", _cookie(TOKEN_COOKIE, self.token).encode()),
                (b"content-length", b"0")]})
            await reply({"type": "http.response.body", "body": b""})
            return False
        await _refuse(reply, 401, "this server needs its token: open /?token=... once, or send "
                      "'Authorization: Bearer ...'", json_wanted)
        return False


def _same(offered: str, token: str) -> bool:
    return bool(offered) and hmac.compare_digest(offered.encode(), token.encode())


def _well_formed(session: str) -> bool:
    return len(session) == 32 and all(c in "0123456789abcdef" for c in session)


def _cookies(header: str) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(header)
    except Exception:  # a malformed Cookie header is no cookie at all
        return {}
    return {name: morsel.value for name, morsel in jar.items()}


def _cookie(name: str, value: str) -> str:
    return f"{name}={value}; Path=/; HttpOnly; SameSite=Strict"


async def _body(scope: Scope, headers: dict[str, str], receive: Receive) -> bytes | None:
    """The whole request body, or None when it is over MAX_BODY."""
    declared = headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        return None
    chunks: list[bytes] = []
    size = 0
    more = scope["method"] not in ("GET", "HEAD") or bool(declared and declared != "0")
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
        more = bool(message.get("more_body"))
    return b"".join(chunks)


def _replay(body: bytes, then: Receive | None = None) -> Receive:
    """The body read already, once; after it, the connection's own messages (a response
    that listens for the client going away must not hear it too early)."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        if then is not None:
            return await then()
        return {"type": "http.disconnect"}

    return receive


async def _carries(scope: Scope, headers: dict[str, str], body: bytes, token: str) -> bool:
    """The write names the session's CSRF token, in a header or as a form field."""
    offered = headers.get(CSRF_HEADER, "")
    if not offered and headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        try:
            form = await Request(scope, _replay(body)).form()
        except Exception:  # a broken form carries no token
            return False
        value = form.get(CSRF_FIELD)
        offered = value if isinstance(value, str) else ""
    return _same(offered, token)


def _with_headers(send: Send, cookies: list[str]) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = [*message.get("headers", []), *HEADERS,
                                  *((b"set-cookie", c.encode()) for c in cookies)]
        await send(message)

    return wrapped


async def _refuse(send: Send, status: int, message: str, as_json: bool) -> None:
    """A refusal before any page runs: the one-line reason, as JSON or as a plain page."""
    if as_json:
        body, kind = json.dumps({"error": message}).encode(), b"application/json"
    else:
        from html import escape

        body = (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{status}"
                f"</title></head><body><main><h1>{status}</h1><p>{escape(message)}</p></main>"
                "</body></html>").encode()
        kind = b"text/html; charset=utf-8"
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", kind), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
