"""Shared fixtures: a real SQLite file in a temp folder, a real PostgreSQL database,
and a CLI runner that never touches the user's own folders."""

from __future__ import annotations

import imaplib
import itertools
import os
import shlex
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from patron.cli.main import main
from patron.importers.imap import Account
from patron.store.database import Store, open_store

NOW = datetime(2026, 11, 20, 10, 0)  # a Friday
POSTGRES_URL = os.environ.get("PATRON_TEST_POSTGRES_URL", "")
_counter = itertools.count()


@pytest.fixture
def berlin(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The machine's zone is Europe/Berlin (UTC+1 in November) for calendar tests."""
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture(autouse=True)
def _private_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test gets its own config and data folders and a frozen clock."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("PATRON_NOW", NOW.isoformat())
    for name in ("PATRON_DB", "PATRON_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    # dates.order 'auto' follows the locale; tests read numeric dates month first (as the C
    # locale does) on every machine.
    monkeypatch.setattr("patron.dates.locale_order", lambda: "mdy")


def _postgres_or_skip() -> str:
    if not POSTGRES_URL:
        if os.environ.get("PATRON_REQUIRE_POSTGRES"):
            pytest.fail("PATRON_REQUIRE_POSTGRES is set but PATRON_TEST_POSTGRES_URL is not")
        pytest.skip("no PostgreSQL server (set PATRON_TEST_POSTGRES_URL; ./tasks test starts one)")
    return POSTGRES_URL


def fresh_postgres_url() -> str:
    """A new, empty PostgreSQL database for one test."""
    base = make_url(_postgres_or_skip())
    name = f"patron_test_{os.getpid()}_{next(_counter)}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def drop_postgres(url: str) -> None:
    base = make_url(url)
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{base.database}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty register, on each backend the store supports."""
    if request.param == "sqlite":
        yield str(tmp_path / "register.sqlite")
        return
    url = fresh_postgres_url()
    yield url
    drop_postgres(url)


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    opened = open_store(db_url)
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def portfolio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """The demo portfolio, built once per test module (read it; do not change it)."""
    from patron.services import demo

    store = open_store(str(tmp_path_factory.mktemp("demo") / "demo.sqlite"))
    with store.begin() as conn:
        demo.build(conn, NOW)
    yield store
    store.close()


@dataclass
class Patron:
    """Runs ``patron`` in-process against one database, as a user would type it."""

    db: str
    runner: CliRunner

    def __call__(self, *args: str, input: str | None = None) -> Result:
        argv = ["--db", self.db, *args]
        return self.runner.invoke(main, argv, input=input, catch_exceptions=True)

    def ok(self, line: str, input: str | None = None) -> str:
        result = self(*shlex.split(line), input=input)
        assert result.exit_code == 0, (
            f"{line!r} failed ({result.exit_code}): {result.output}"
            f"{result.stderr if result.stderr_bytes else ''}{result.exception!r}"
        )
        return result.stdout

    def fails(self, line: str, code: int | None = None) -> str:
        """Run a command that must fail cleanly: one line, no traceback; returns stderr."""
        result = self(*shlex.split(line))
        assert result.exit_code != 0, f"{line!r} should have failed: {result.output}"
        if code is not None:
            assert result.exit_code == code, (result.exit_code, result.output)
        return result.stderr


@pytest.fixture
def patron(tmp_path: Path) -> Patron:
    return Patron(str(tmp_path / "cli.sqlite"), CliRunner())


SHARED_DATA = Path(os.environ.get("PATRON_SHARED_DATA")
                   or Path(__file__).resolve().parents[2] / "shared" / "data")
"""Real public data (../shared/data beside the clone) for acceptance tests; never copied here."""


def shared_folder(name: str) -> Path:
    """A folder of ../shared/data, or a skipped test where it is absent."""
    path = SHARED_DATA / name
    if not path.is_dir():
        pytest.skip(f"{name} is not in {SHARED_DATA}")
    return path


@dataclass(frozen=True)
class ImapServer:
    """The IMAP test server (scripts/with-dovecot: TLS with a self-signed certificate)."""

    host: str
    port: int
    user: str
    password: str
    cafile: Path
    starttls_port: int

    def account(self, **changes: object) -> Account:
        values: dict[str, object] = {"host": self.host, "user": self.user, "password": self.password,
                                     "port": self.port, "cafile": self.cafile}
        values.update(changes)
        return Account(**values)  # type: ignore[arg-type]

    def client(self) -> imaplib.IMAP4_SSL:
        """A plain imaplib session, to put test mail on the server."""
        context = ssl.create_default_context(cafile=str(self.cafile))
        client = imaplib.IMAP4_SSL(self.host, self.port, ssl_context=context)
        client.login(self.user, self.password)
        return client

    def options(self, folder: str) -> str:
        """``patron import imap`` with what reaches this server and ``folder``."""
        return (f"import imap --host {self.host} --port {self.port} --user {self.user} "
                f"--folder {folder} --cafile {self.cafile}")


@pytest.fixture(scope="session")
def imap_server() -> ImapServer:
    """The test server from PATRON_TEST_IMAP (host:port:user:password:cafile:starttls_port)."""
    given = os.environ.get("PATRON_TEST_IMAP", "")
    if not given:
        if os.environ.get("PATRON_REQUIRE_IMAP"):
            pytest.fail("PATRON_REQUIRE_IMAP is set but PATRON_TEST_IMAP is not")
        pytest.skip("no IMAP server (set PATRON_TEST_IMAP; ./tasks test starts one)")
    host, port, user, password, cafile, starttls_port = given.split(":")
    return ImapServer(host, int(port), user, password, Path(cafile), int(starttls_port))


@dataclass(frozen=True)
class Radicale:
    """A real CalDAV server on loopback: one user (htpasswd, plain), a throwaway collection."""

    url: str
    user: str
    password: str

    def client(self, password: str | None = None) -> Any:
        import caldav

        return caldav.DAVClient(url=self.url, username=self.user,
                                password=self.password if password is None else password,
                                enable_rfc6764=False, require_tls=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def radicale(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Radicale]:
    """Radicale (a test extra, so CI always has it) started once for the session; each test
    makes its own calendar."""
    folder = tmp_path_factory.mktemp("radicale")
    (folder / "users").write_text("jo:s3cret\n", encoding="utf-8")
    port = free_port()
    log = (folder / "radicale.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "radicale", "--server-hosts", f"127.0.0.1:{port}",
         "--auth-type", "htpasswd", "--auth-htpasswd-filename", str(folder / "users"),
         "--auth-htpasswd-encryption", "plain",
         "--storage-filesystem-folder", str(folder / "collections")],
        stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"Radicale did not start: {(folder / 'radicale.log').read_text()}") from None
                time.sleep(0.1)
        yield Radicale(f"http://127.0.0.1:{port}/", "jo", "s3cret")
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo portfolio for one module of web tests (what its tests write stays there)."""
    from tests.web_helpers import build_demo

    return build_demo(tmp_path_factory.mktemp("web-demo"))


@pytest.fixture
def web(demo: Path) -> Iterator[Any]:
    """The web app serving ``demo``, through the framework's test client."""
    from tests.web_helpers import client, opened

    store = opened(demo)
    yield client(store)
    store.close()
