"""What the web tests share: the demo portfolio built through the CLI, and an in-process
client of the web app on it (the served address is 127.0.0.1:8765)."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner
from fastapi.testclient import TestClient

from patron.cli.main import main
from patron.settings import Settings, defaults
from patron.store.database import Store, open_store
from patron.web.app import create_app
from tests.conftest import NOW

BASE = "http://127.0.0.1:8765"
JSON = {"accept": "application/json"}


def build_demo(folder: Path) -> Path:
    """``patron demo --path``: the demo portfolio with its mailbox, on the frozen clock."""
    path = folder / "demo.sqlite"
    env = {"PATRON_NOW": NOW.isoformat(), "XDG_CONFIG_HOME": str(folder / "config"),
           "XDG_DATA_HOME": str(folder / "data")}
    result = CliRunner().invoke(main, ["--db", str(folder / "own.sqlite"), "demo", "--path",
                                       str(path)], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return path


def client(store: Store, settings: Settings | None = None, **options: object) -> TestClient:
    app = create_app(store, settings or defaults(), lambda: NOW)
    return TestClient(app, base_url=BASE, follow_redirects=False, **options)  # type: ignore[arg-type]


def opened(path: Path) -> Store:
    return open_store(str(path), create=False)


def csrf(page_html: str) -> str:
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page_html)
    assert found, "the page has no write form with a CSRF token"
    return found.group(1)
