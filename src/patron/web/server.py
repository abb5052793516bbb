"""Running the app: uvicorn on one address until Ctrl-C."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Callable
from datetime import datetime

import uvicorn

from patron.errors import InvalidInput
from patron.settings import Settings
from patron.store.database import Store
from patron.web.app import create_app


def listen(host: str, port: int) -> socket.socket:
    """The listening socket, taken before anything is printed: a port in use is one line."""
    try:
        # the protocol given (TCP) matters: asyncio turns Nagle's delay off only on sockets
        # that name it, and without that every request after the first on a connection
        # waits some 40 ms for the browser's delayed acknowledgement
        family, kind, protocol, _, _ = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        sock = socket.socket(family, kind, protocol)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise InvalidInput(f"cannot listen on {host} port {port}: {reason}") from None
    sock.listen(128)
    return sock


def run(store: Store, settings: Settings, now: Callable[[], datetime], sock: socket.socket,
        host: str, port: int) -> None:
    """Serve until interrupted; uvicorn finishes the requests under way, then returns."""
    app = create_app(store, settings, now, host=host, port=port)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", server_header=False))
    # uvicorn shuts down cleanly, then passes Ctrl-C on: for a server that is how it
    # ends, not a failure.
    with contextlib.suppress(KeyboardInterrupt):
        server.run(sockets=[sock])
