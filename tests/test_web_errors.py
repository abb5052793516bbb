"""Bad requests get a clear page (or JSON error) with the right status, never a traceback,
and nothing half-written."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from patron.store.database import Store
from tests.conftest import Patron
from tests.web_helpers import JSON, client, csrf, opened


@pytest.fixture
def register(patron: Patron) -> Iterator[Store]:
    patron.ok("person add 'Victor Lam'")
    patron.ok("engagement add Ledger --kind client")
    store = opened(Path(patron.db))
    yield store
    store.close()


def test_a_page_far_past_the_last_is_empty_not_an_error(register: Store, patron: Patron) -> None:
    answer = client(register).get("/people/1?page=922337203685477580800", headers=JSON)
    assert answer.status_code == 200 and answer.json()["touchpoints"] == []
    # found by the OpenAPI property test: an id past the database's integers was a 500
    assert "no person with id 9223372036854775808" in patron.fails(
        "person show 9223372036854775808", 3)


@pytest.mark.parametrize("path", ["/engagements/99", "/people/99", "/people/abc",
                                  "/no/such/page", "/people/9223372036854775808",
                                  "/engagements/69697251640561705093364338130944"])
def test_an_unknown_id_or_path_is_a_404_page_and_a_json_error(register: Store, path: str) -> None:
    web = client(register)
    html = web.get(path)
    assert html.status_code == 404 and "Not found" in html.text and "Traceback" not in html.text
    answer = web.get(path, headers=JSON)
    assert answer.status_code == 404 and set(answer.json()) == {"error", "status"}
    if path == "/people/99":
        assert answer.json()["error"] == "no person with id 99"


def test_a_bad_date_in_a_form_is_a_400_with_the_clis_message_and_nothing_written(
        register: Store, patron: Patron) -> None:
    web = client(register)
    token = csrf(web.get("/people/1").text)
    answer = web.post("/people/1/touchpoints", data={"csrf_token": token, "at": "the 45th"})
    assert answer.status_code == 400
    cli = patron.fails("met 1 --at 'the 45th'", code=2).removeprefix("patron: ").strip()
    assert cli in answer.text.replace("&#39;", "'")
    assert web.get("/people/1", headers=JSON).json()["touchpoints"] == []


def test_an_unknown_engagement_or_a_bad_sentiment_in_a_form_is_a_400(register: Store) -> None:
    web = client(register)
    token = csrf(web.get("/people/1").text)
    wrong = web.post("/people/1/touchpoints", data={"csrf_token": token, "engagement": "Nowhere"},
                     headers=JSON)
    assert wrong.status_code in (400, 404) and "Nowhere" in wrong.json()["error"]
    bad = web.post("/people/1/touchpoints", data={"csrf_token": token, "sentiment": "5"},
                   headers=JSON)
    assert bad.status_code == 400
    assert bad.json()["error"] == "sentiment must be a whole number from -2 to 2, not '5'"
    assert web.get("/people/1", headers=JSON).json()["touchpoints"] == []


def test_a_bad_page_number_is_a_400(register: Store) -> None:
    web = client(register)
    assert web.get("/people/1?page=0").status_code == 400
    assert web.get("/people/1?page=x", headers=JSON).status_code == 400


def test_a_wrong_method_is_a_405(register: Store) -> None:
    web = client(register)
    assert web.get("/asks/1/done").status_code == 405
    token = csrf(web.get("/people/1").text)
    answer = web.put("/people/1", headers={"x-csrf-token": token, **JSON})
    assert answer.status_code == 405 and "not allowed" in answer.json()["error"]


def test_an_unexpected_failure_is_a_plain_500_without_a_traceback(
        register: Store, caplog: pytest.LogCaptureFixture) -> None:
    web = client(register, raise_server_exceptions=False)

    def broken() -> None:
        raise RuntimeError("secret internals at /home/someone/register.sqlite")

    web.app.add_api_route("/broken", broken)  # type: ignore[attr-defined]
    for headers in ({}, JSON):
        answer = web.get("/broken", headers=headers)
        assert answer.status_code == 500
        assert "secret internals" not in answer.text and "Traceback" not in answer.text
    assert "secret internals" in caplog.text  # the server's log keeps what happened


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_patron_serve_prints_its_address_serves_and_stops_cleanly_on_ctrl_c(
        patron: Patron, tmp_path: Path) -> None:
    patron.ok("person add 'Victor Lam'")
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "patron.cli.main", "--db", patron.db, "serve", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ})
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        assert re.fullmatch(rf"Serving .*cli\.sqlite at http://127\.0\.0\.1:{port}/ \(Ctrl-C stops\)\n",
                            line), line
        body = ""
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/people/1") as answer:
                    body = answer.read().decode()
                break
            except OSError:
                time.sleep(0.1)
        assert "Victor Lam" in body
        server.send_signal(signal.SIGINT)
        out, err = server.communicate(timeout=20)
        assert server.returncode == 0, err
        assert "Traceback" not in err and out.strip() == "Stopped."
    finally:
        if server.poll() is None:
            server.kill()


def test_a_port_in_use_is_one_line(patron: Patron) -> None:
    patron.ok("person add 'Victor Lam'")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        error = patron.fails(f"serve --port {port}", code=2)
    assert error.startswith(f"patron: cannot listen on 127.0.0.1 port {port}: ")
    assert error.count("\n") == 1


def test_the_served_socket_lets_answers_out_at_once() -> None:
    """The listening socket names TCP, so each connection it accepts has Nagle's delay off
    (asyncio sets TCP_NODELAY only then): an answer after the first on a kept-alive
    connection does not wait for the browser's delayed acknowledgement."""
    from patron.web.server import listen

    sock = listen("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP
        with socket.create_connection(sock.getsockname()[:2]):
            accepted, _ = sock.accept()
            with accepted:
                assert accepted.proto == socket.IPPROTO_TCP
    finally:
        sock.close()
