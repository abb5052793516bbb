"""Running the app: uvicorn on one address until Ctrl-C."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import datetime

import uvicorn

from patron.settings import Settings
from patron.store.database import Store
from patron.web.app import create_app


def run(store: Store, settings: Settings, now: Callable[[], datetime], host: str, port: int) -> None:
    """Serve until interrupted; uvicorn finishes the requests under way, then returns."""
    app = create_app(store, settings, now, host=host, port=port)
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning",
                                           server_header=False))
    # uvicorn shuts down cleanly, then passes Ctrl-C on: for a server that is how it
    # ends, not a failure.
    with contextlib.suppress(KeyboardInterrupt):
        server.run()
