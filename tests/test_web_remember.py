"""Pages kept while the register stays as it is: a page read twice is worked out once, and
any change (a write through the pages, a command in another terminal, a plain SQL update by
another program) shows on the next request, on each backend. A property test drives random
writes and reads and compares every answer with an app that keeps nothing."""

from __future__ import annotations

import shlex
import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from patron.services import ranking
from patron.settings import defaults
from patron.store.database import Store, open_store
from patron.web.app import create_app
from patron.web.remember import Pages
from tests.conftest import NOW, Patron
from tests.web_helpers import BASE, JSON, client, csrf, opened


def _portfolio(patron: Patron) -> None:
    patron.ok("engagement add Ledger --kind client")
    patron.ok("person add 'Helen Brandt'")
    patron.ok("stakeholder add Helen Ledger --role sponsor")
    patron.ok("ask add 'Board preview' --from Helen --engagement Ledger")


@pytest.fixture
def register(patron: Patron) -> Iterator[tuple[Patron, Store]]:
    _portfolio(patron)
    store = opened(Path(patron.db))
    yield patron, store
    store.close()


def _titles(web: TestClient) -> list[str]:
    return [ask["title"] for ask in web.get("/", headers=JSON).json()["asks"]]


def _counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times Today ranked the asks."""
    calls: list[int] = []
    real = ranking.rank

    def rank(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(ranking, "rank", rank)
    return calls


def test_a_page_read_twice_is_worked_out_once(register: tuple[Patron, Store],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    _, store = register
    calls = _counted(monkeypatch)
    web = client(store)
    first, second = web.get("/"), web.get("/")
    assert first.status_code == second.status_code == 200
    assert first.text == second.text and "Board preview" in first.text
    assert len(calls) == 1
    assert web.get("/", headers=JSON).json()["asks"][0]["title"] == "Board preview"
    assert len(calls) == 1  # the same data, written out as JSON


def test_a_write_through_the_pages_shows_at_once(register: tuple[Patron, Store]) -> None:
    _, store = register
    web = client(store)
    assert _titles(web) == ["Board preview"]
    answer = web.post("/asks", data={"csrf_token": csrf(web.get("/").text),
                                     "title": "Send the minutes", "back": "/"})
    assert answer.status_code == 303
    assert sorted(_titles(web)) == ["Board preview", "Send the minutes"]


def test_a_command_in_another_terminal_shows_on_the_next_request(
        register: tuple[Patron, Store]) -> None:
    patron, store = register
    web = client(store)
    assert _titles(web) == ["Board preview"]
    patron.ok("done 1")
    assert _titles(web) == []
    patron.ok("ask add 'Quarterly figures' --from Helen --engagement Ledger")
    assert _titles(web) == ["Quarterly figures"]


def test_another_program_writing_the_file_is_seen_too(register: tuple[Patron, Store]) -> None:
    patron, store = register
    web = client(store)
    assert _titles(web) == ["Board preview"]
    with sqlite3.connect(patron.db) as other:
        other.execute("UPDATE ask SET title = 'Board preview, second draft' WHERE id = 1")
    assert _titles(web) == ["Board preview, second draft"]


def test_each_session_gets_its_own_form_token(register: tuple[Patron, Store]) -> None:
    _, store = register
    app = create_app(store, defaults(), lambda: NOW)
    one, two = (TestClient(app, base_url=BASE) for _ in range(2))
    tokens = {csrf(one.get("/").text), csrf(two.get("/").text), csrf(one.get("/").text)}
    assert len(tokens) == 2
    assert one.post("/asks", data={"csrf_token": csrf(one.get("/").text), "title": "From one",
                                   "back": "/"}, follow_redirects=False).status_code == 303


def test_the_next_minute_works_the_page_out_again(register: tuple[Patron, Store],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    _, store = register
    calls = _counted(monkeypatch)
    clock = [NOW]
    web = TestClient(create_app(store, defaults(), lambda: clock[0]), base_url=BASE)
    start = NOW.replace(second=0, microsecond=0)
    for clock[0] in (start, start + timedelta(seconds=50)):
        web.get("/")
    assert len(calls) == 1  # the same minute
    clock[0] = start + timedelta(minutes=1)
    web.get("/")
    assert len(calls) == 2


def test_pages_of_a_state_gone_by_are_dropped() -> None:
    """Kept pages of an older state of the register are let go when a newer one is seen."""
    from fastapi.responses import Response

    from patron.web.render import Filled

    pages, worked = Pages(), []

    def work() -> tuple[Response, Filled | None]:
        worked.append(1)
        return Response(b"page"), Filled("today.html", {"n": len(worked)})

    for state in ("first", "first", "second", "first"):
        pages.at(state)
        pages.get((state, "/", ""), work)
    assert len(worked) == 3  # the first state again is worked out again, not remembered


def test_errors_are_not_kept(register: tuple[Patron, Store]) -> None:
    patron, store = register
    web = client(store)
    assert web.get("/people/2", headers=JSON).status_code == 404
    patron.ok("person add 'Ida Berg'")
    assert web.get("/people/2", headers=JSON).json()["name"] == "Ida Berg"


def test_an_in_memory_register_keeps_nothing() -> None:
    store = open_store("sqlite://")
    try:
        assert store.changes.token() is None
    finally:
        store.close()


def test_the_change_token_on_each_backend(db_url: str) -> None:
    patron = Patron(db_url, CliRunner())
    _portfolio(patron)
    store = open_store(db_url, create=False)
    try:
        before = store.changes.token()
        assert before is not None
        assert store.changes.token() == before  # nothing changed, nothing told
        with store.read() as conn:
            conn.exec_driver_sql("SELECT count(*) FROM ask").scalar()
        assert store.changes.token() == before  # reading is no change
        patron.ok("done 1")
        after = store.changes.token()
        assert after != before
        store.changes.close()  # as after a failed read
        if store.dialect == "sqlite":  # a new watcher counts afresh: its tokens are new ones
            assert store.changes.token() not in (before, after)
        else:  # a snapshot tells the data themselves: nothing changed, the same token
            assert store.changes.token() == after
        after = store.changes.token()
        web = client(store)
        assert _titles(web) == []
        patron.ok("ask add 'Quarterly figures' --from Helen --engagement Ledger")
        assert store.changes.token() != after
        assert _titles(web) == ["Quarterly figures"]
    finally:
        store.close()


# -- property: a kept page is always the page worked out afresh -------------------------

WRITES = st.sampled_from(["add", "done", "met", "promise", "edit"])


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(WRITES, st.integers(0, 3)), min_size=1, max_size=8))
def test_kept_pages_equal_fresh_pages(tmp_path_factory: pytest.TempPathFactory,
                                      steps: list[tuple[str, int]]) -> None:
    folder = tmp_path_factory.mktemp("remember")
    patron = Patron(str(folder / "register.sqlite"), CliRunner())
    _portfolio(patron)
    store = opened(Path(patron.db))
    kept = client(store)
    fresh_app = create_app(store, defaults(), lambda: NOW)
    fresh_app.state.pages = Pages(size=0)
    fresh = TestClient(fresh_app, base_url=BASE)
    paths = ("/", "/engagements/1", "/people/1", "/search?q=preview", "/inbox")
    try:
        for n, (write, times) in enumerate(steps):
            for path in paths[: times + 2]:
                assert kept.get(path, headers=JSON).json() == fresh.get(path, headers=JSON).json()
            _write(patron, write, n)
        for path in paths:
            assert kept.get(path, headers=JSON).json() == fresh.get(path, headers=JSON).json()
    finally:
        store.close()


def _write(patron: Patron, write: str, n: int) -> None:
    line = {
        "add": f"ask add 'Preview {n}' --from Helen --engagement Ledger",
        "done": "done 1",
        "met": f"met Helen 'Talked through preview {n}'",
        "promise": f"promise 'Send preview {n}' --to Helen --due 2026-11-24",
        "edit": f"ask edit 1 --title 'Board preview {n}'",
    }[write]
    result = patron(*shlex.split(line))
    assert result.exit_code == 0, result.output

