"""What the real-browser tests share: Debian's chromium driven by Playwright, the web app
served by uvicorn in a thread on a free loopback port, and a watch on everything a page does
that it should not (dialogs, script errors, CSP violations, requests)."""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from patron.settings import Settings, defaults
from patron.store.database import Store
from tests.conftest import NOW, free_port

ARTEFACTS = Path(__file__).parent / "artefacts"


def chromium() -> str:
    """Debian's chromium (``.ci/run`` installs it); the test is skipped without it, outside CI."""
    found = shutil.which("chromium")
    if not found:
        if os.environ.get("CI"):
            pytest.fail("CI is set but there is no chromium to drive")
        pytest.skip("no chromium on this machine")
    return found


@contextmanager
def serving(store: Store, settings: Settings | None = None,
            now: Callable[[], datetime] = lambda: NOW) -> Iterator[str]:
    """The app on ``store`` served by uvicorn in a thread; yields its base URL."""
    import uvicorn

    from patron.web.app import create_app

    port = free_port()
    app = create_app(store, settings or defaults(), now, port=port)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def browser() -> Iterator[Any]:
    """A headless Chromium (Playwright's ``Browser``)."""
    executable = chromium()
    sync_api = pytest.importorskip("playwright.sync_api")
    ARTEFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            yield launched
        finally:
            launched.close()


@dataclass
class Watch:
    """What pages did that they must not: open dialogs, throw, break the CSP (a console
    error), or ask for anything outside the site (``x`` from an ``<img src=x>``,
    ``javascript:``)."""

    base: str
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    strays: list[str] = field(default_factory=list)

    def attach(self, page: Any) -> Any:
        page.on("dialog", self._dialog)
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("request", lambda r: self._request(r.url))
        return page

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _request(self, url: str) -> None:
        path = url[len(self.base):] if url.startswith(self.base) else None
        if path is None or path == "/x" or path.startswith("/x?") or url.startswith("javascript:"):
            self.strays.append(url)

    def clean(self) -> bool:
        return not (self.dialogs or self.errors or self.strays)
