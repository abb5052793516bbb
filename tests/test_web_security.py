"""Safe by default: the served name only, a token when one is set, CSRF on every write,
a strict Content-Security-Policy, and no body over 1 MB."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from patron.settings import Settings, defaults
from patron.store.database import Store
from tests.conftest import Patron
from tests.web_helpers import JSON, client, csrf, opened

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")


@pytest.fixture
def register(patron: Patron) -> Iterator[Store]:
    patron.ok("ask add 'Send the plan'")
    store = opened(Path(patron.db))
    yield store
    store.close()


def _status(patron: Patron) -> str:
    return patron.ok("ask show 1 --json")


def test_only_the_served_name_is_answered(register: Store) -> None:
    web = client(register)
    assert web.get("/").status_code == 200
    assert web.get("/", headers={"host": "localhost:8765"}).status_code == 200
    for other in ("evil.example", "evil.example:8765", "127.0.0.1:9999", "localhost"):
        answer = web.get("/", headers={"host": other})
        assert answer.status_code == 400, other
        assert "Send the plan" not in answer.text
    assert web.get("/", headers={"host": "evil.example", **JSON}).json() == {
        "error": "this server answers only to its own address (the Host header names another)"}


def test_every_answer_carries_the_security_headers(register: Store) -> None:
    web = client(register)
    for answer in (web.get("/"), web.get("/nowhere"), web.get("/static/patron.css"),
                   web.get("/", headers={"host": "evil.example"})):
        assert answer.headers["content-security-policy"] == CSP
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["referrer-policy"] == "no-referrer"


def test_the_session_cookie_is_httponly_and_samesite_strict(register: Store) -> None:
    cookie = client(register).get("/").headers["set-cookie"]
    assert cookie.startswith("patron_session=") and "HttpOnly" in cookie
    assert "SameSite=Strict" in cookie


def test_a_write_without_a_valid_csrf_token_is_refused_and_changes_nothing(
        register: Store, patron: Patron) -> None:
    web = client(register)
    token = csrf(web.get("/").text)
    before = _status(patron)
    for form in ({}, {"csrf_token": "0" * 64}, {"csrf_token": token[:-1] + "x"}):
        answer = web.post("/asks/1/done", data=form)
        assert answer.status_code == 403, form
        assert "CSRF" in answer.text
    stranger = client(register)  # another session: its own cookie, so the token does not fit
    stranger.get("/")
    assert stranger.post("/asks/1/done", data={"csrf_token": token}).status_code == 403
    assert _status(patron) == before
    assert web.post("/asks/1/done", data={"csrf_token": token}).status_code == 303
    assert '"status": "done"' in _status(patron)


def test_a_program_may_send_the_csrf_token_as_a_header(register: Store, patron: Patron) -> None:
    web = client(register)
    token = csrf(web.get("/").text)
    answer = web.post("/asks/1/done", headers={"x-csrf-token": token, **JSON})
    assert answer.status_code == 200 and answer.json()["title"] == "Send the plan"


def test_bodies_over_a_megabyte_get_413(register: Store, patron: Patron) -> None:
    web = client(register)
    token = csrf(web.get("/").text)
    big = {"csrf_token": token, "back": "/" + "x" * (1024 * 1024)}
    assert web.post("/asks/1/done", data=big).status_code == 413
    chunks = (b"x" * 65536 for _ in range(20))  # no Content-Length: counted as it comes
    assert web.post("/asks/1/done", content=chunks,
                    headers={"x-csrf-token": token}).status_code == 413
    assert '"status": "open"' in _status(patron)


def _with_token(secret: str) -> Settings:
    return Settings({**defaults().values, "web.token": secret}, None)


def test_with_a_token_set_every_request_needs_it(register: Store) -> None:
    web = client(register, _with_token("s3cret-token"))
    assert web.get("/").status_code == 401
    assert web.get("/?token=wrong").status_code == 401
    # the style sheet holds nothing of the register, and a client answering a feedback link
    # (who has no token) needs it
    assert web.get("/static/patron.css").status_code == 200
    assert web.get("/static/../people/1").status_code in (401, 404)
    assert web.get("/", headers={"authorization": "Bearer s3cret-token"}).status_code == 200
    answer = web.get("/engagements?token=s3cret-token")
    assert answer.status_code == 303 and answer.headers["location"] == "/engagements"
    assert "HttpOnly" in answer.headers["set-cookie"]
    assert "SameSite=Strict" in answer.headers["set-cookie"]
    assert web.get("/engagements").status_code == 200  # the cookie now carries it
    assert client(register, _with_token("s3cret-token")).get("/").status_code == 401


def test_serving_beyond_loopback_without_a_token_is_refused(patron: Patron) -> None:
    error = patron.fails("serve --host 0.0.0.0", code=2)
    assert error.count("\n") == 1 and "web.token" in error and "Traceback" not in error


def test_serve_without_the_web_extra_says_how_to_install_it(
        patron: Patron, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "patron.web.server", None)
    error = patron.fails("serve", code=7)
    assert error == "patron: the web app needs its extra: pip install 'patron[web]'\n"

