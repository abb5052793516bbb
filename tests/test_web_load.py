"""A burst of requests, more than the register has connections: they queue, none fails."""

from __future__ import annotations

import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from sqlalchemy import create_engine

from patron.settings import defaults
from patron.store.database import Store
from tests.conftest import NOW
from tests.web_helpers import build_demo


def test_more_concurrent_requests_than_connections_all_get_their_page(tmp_path: Path) -> None:
    """The server's pool times out a request that waits too long for a connection (here
    after 0.3 s, one connection): worker threads are as many as the connections, so twelve
    clients at once wait their turn and every one gets Today, none an error page."""
    import uvicorn

    from patron.web.app import create_app

    path = build_demo(tmp_path)
    engine = create_engine(f"sqlite:///{path}", pool_size=1, max_overflow=0, pool_timeout=0.3)
    store = Store(engine, str(path))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(create_app(store, defaults(), lambda: NOW, port=port),
                                           host="127.0.0.1", port=port, log_level="critical"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        while not server.started:
            time.sleep(0.05)
        with ThreadPoolExecutor(12) as pool:
            answers = list(pool.map(lambda _: httpx.get(f"http://127.0.0.1:{port}/", timeout=60),
                                    range(24)))
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        engine.dispose()
    assert [a.status_code for a in answers] == [200] * 24
    assert all("Check-ins due" in a.text for a in answers)
