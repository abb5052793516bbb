"""``GET /feed/<secret>.ics``: ``patron export feed`` served to calendar apps behind a secret
URL (``patron export feed --url``), with HEAD, ETag and 304 for their polling."""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from patron.settings import Settings, defaults
from patron.store.database import Store, open_store
from patron.web.app import create_app
from tests.conftest import NOW, Patron
from tests.web_helpers import BASE, client, opened

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

TODAY = NOW.date()
URL = re.compile(r"http://127\.0\.0\.1:8765(/feed/[A-Za-z0-9_-]{43}\.ics)\n")


def _world(patron: Patron) -> None:
    for line in (
        "engagement add Ledger",
        "person add Helen",
        "stakeholder add Helen Ledger --role sponsor",
        f"ask add 'Board preview' --from Helen -e Ledger --due '{TODAY + timedelta(days=3)} 17:00'",
        f"promise 'Send the plan' --to Helen --due {TODAY + timedelta(days=2)}",
        f"milestone add 'Cut-over' -e Ledger --due {TODAY + timedelta(days=20)}",
    ):
        patron.ok(line)


def _path(patron: Patron) -> str:
    """The feed's path, from ``patron export feed --url``."""
    found = URL.fullmatch(patron.ok("export feed --url"))
    assert found, "the URL is not the local default with a long secret"
    return found.group(1)


def _items(body: bytes) -> dict[str, Any]:
    calendar = Calendar.from_ical(body)
    return {str(c["SUMMARY"]): c for c in calendar.walk() if c.name in ("VTODO", "VEVENT")}


def _with_token(secret: str) -> Settings:
    return Settings({**defaults().values, "web.token": secret}, None)


@pytest.fixture
def register(patron: Patron) -> Iterator[Store]:
    _world(patron)
    store = opened(Path(patron.db))
    yield store
    store.close()


def test_the_secret_url_serves_the_feed(patron: Patron, register: Store, tmp_path: Path) -> None:
    path = _path(patron)
    answer = client(register).get(path)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/calendar; charset=utf-8"
    assert "set-cookie" not in answer.headers       # a calendar app keeps no session
    items = _items(answer.content)
    assert items["Board preview"].name == "VTODO"
    assert {"Due: Board preview", "Promised: Send the plan", "Milestone: Cut-over"} <= set(items)
    # the same document as the file, byte for byte (DTSTAMP is when an item last changed)
    patron.ok(f"export feed -o {tmp_path / 'feed.ics'}")
    assert (tmp_path / "feed.ics").read_bytes() == answer.content


def test_a_wrong_secret_is_an_unknown_page(patron: Patron, register: Store) -> None:
    web = client(register)
    nowhere = web.get("/nowhere").text
    assert web.get(f"/feed/{'A' * 43}.ics").status_code == 404   # no secret made yet
    path = _path(patron)
    secret = path.removeprefix("/feed/").removesuffix(".ics")
    for wrong in (secret[:-1], secret[:-1] + ("A" if secret[-1] != "A" else "B"), secret + "x",
                  secret.upper() if secret != secret.upper() else secret.lower(), "feed"):
        answer = web.get(f"/feed/{wrong}.ics")
        assert answer.status_code == 404, wrong
        assert "Board preview" not in answer.text and "Helen" not in answer.text
        # the very answer any unknown path gets: a prober learns nothing of the feed
        assert answer.text.replace(f"/feed/{wrong}.ics", "/nowhere") == nowhere
    assert web.get(f"/feed/{secret}").status_code == 404       # the name ends in .ics
    assert web.get(f"/feed/{secret}.ics/x").status_code == 404


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(string.ascii_letters + string.digits + "-_", min_size=1, max_size=60))
def test_no_other_secret_opens_the_feed(register: Store, patron: Patron, guess: str) -> None:
    path = _path(patron)
    if f"/feed/{guess}.ics" != path:
        assert client(register).get(f"/feed/{guess}.ics").status_code == 404


def test_head_answers_the_headers_of_get(patron: Patron, register: Store) -> None:
    path = _path(patron)
    web = client(register)
    full, head = web.get(path), web.head(path)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == full.headers["etag"]
    assert head.headers["content-length"] == str(len(full.content))
    assert head.headers["content-type"] == "text/calendar; charset=utf-8"
    assert client(register).head(f"/feed/{'A' * 43}.ics").status_code == 404


def test_a_poll_naming_the_etag_gets_304_until_something_changes(
        patron: Patron, register: Store) -> None:
    path = _path(patron)
    web = client(register)
    first = web.get(path)
    tag = first.headers["etag"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', tag)
    for offered in (tag, f"W/{tag}", f'"other", {tag}', "*"):
        unchanged = web.get(path, headers={"if-none-match": offered})
        assert unchanged.status_code == 304 and unchanged.content == b"", offered
        assert unchanged.headers["etag"] == tag
    assert web.head(path, headers={"if-none-match": tag}).status_code == 304
    assert web.get(path, headers={"if-none-match": '"other"'}).status_code == 200
    patron.ok(f"ask edit 'Board preview' --due {TODAY + timedelta(days=4)}")
    changed = web.get(path, headers={"if-none-match": tag})
    assert changed.status_code == 200 and changed.headers["etag"] != tag


def test_polls_later_the_same_day_are_the_same_document(patron: Patron, register: Store) -> None:
    path = _path(patron)
    clock = [NOW]
    web = TestClient(create_app(register, defaults(), lambda: clock[0]), base_url=BASE)
    tag = web.get(path).headers["etag"]
    clock[0] = NOW + timedelta(hours=3, minutes=17, seconds=5)
    later = web.get(path, headers={"if-none-match": tag})
    assert later.status_code == 304      # a DTSTAMP of "now" would change it at every poll


def test_the_feed_needs_no_access_token_but_the_right_host(patron: Patron, register: Store) -> None:
    path = _path(patron)
    web = client(register, _with_token("s3cret-token"))
    assert web.get("/").status_code == 401
    assert web.get("/engagements/1").status_code == 401
    answer = web.get(path)
    assert answer.status_code == 200 and "Board preview" in _items(answer.content)
    assert web.head(path).status_code == 200
    assert web.get(f"/feed/{'A' * 43}.ics").status_code == 404
    assert web.get(path, headers={"host": "evil.example"}).status_code == 400
    assert web.post(path).status_code == 401         # only reading passes on the secret
    assert web.get(f"{path}?token=s3cret-token").status_code == 200   # no redirect, no cookie


def test_sequence_rises_through_the_served_feed(db_url: str, tmp_path: Path) -> None:
    patron = Patron(db_url, CliRunner())  # SQLite and PostgreSQL
    _world(patron)
    path = _path(patron)
    store = open_store(db_url, create=False)
    try:
        web = client(store)
        first = _items(web.get(path).content)
        assert int(first["Board preview"]["SEQUENCE"]) == 0
        patron.ok(f"ask edit 'Board preview' --due {TODAY + timedelta(days=4)}")
        after = _items(web.get(path).content)
        assert after["Board preview"]["UID"] == first["Board preview"]["UID"]
        assert int(after["Board preview"]["SEQUENCE"]) == 1
        assert int(after["Promised: Send the plan"]["SEQUENCE"]) == 0
        # the file and the served feed keep one bookkeeping: the change counts once
        patron.ok(f"export feed -o {tmp_path / 'feed.ics'}")
        assert int(_items((tmp_path / "feed.ics").read_bytes())["Board preview"]["SEQUENCE"]) == 1
        patron.ok("ask edit 'Board preview' --title 'Board preview, v2'")
        patron.ok(f"export feed -o {tmp_path / 'feed.ics'}")
        served = _items(web.get(path).content)["Board preview, v2"]
        assert int(served["SEQUENCE"]) == 2 and served["UID"] == first["Board preview"]["UID"]
        patron.ok("done 'Board preview, v2'")
        assert not any("Board preview" in s for s in _items(web.get(path).content))
    finally:
        store.close()


def test_url_prints_the_address_and_keeps_it(patron: Patron, register: Store) -> None:
    result = patron("export", "feed", "--url")
    assert result.exit_code == 0
    assert URL.fullmatch(result.stdout) and "BEGIN:VCALENDAR" not in result.stdout
    assert "web.public_url" in result.stderr and result.stderr.count("\n") == 1
    assert patron.ok("export feed --url") == result.stdout           # made once, then kept


def test_url_follows_web_public_url(patron: Patron, register: Store) -> None:
    patron.ok("config set web.public_url https://patron.example.org/")
    result = patron("export", "feed", "--url")
    assert result.exit_code == 0 and result.stderr == ""
    assert re.fullmatch(r"https://patron\.example\.org/feed/[A-Za-z0-9_-]{43}\.ics\n",
                        result.stdout)
    patron.ok("config set web.public_url https://example.org/patron")   # behind a proxy's path
    assert patron.ok("export feed --url").startswith("https://example.org/patron/feed/")


def test_new_url_replaces_the_secret(patron: Patron, register: Store) -> None:
    old = _path(patron)
    result = patron("export", "feed", "--new-url")
    assert result.exit_code == 0 and "no longer works" in result.stderr
    new = URL.fullmatch(result.stdout)
    assert new and new.group(1) != old
    assert _path(patron) == new.group(1)                        # --url now gives the new one
    web = client(register)
    assert web.get(old).status_code == 404
    assert web.get(new.group(1)).status_code == 200


def test_url_refusals_are_one_line(patron: Patron, tmp_path: Path) -> None:
    error = patron.fails("export feed --url")
    assert error.count("\n") == 1 and "Traceback" not in error     # no register yet
    _world(patron)
    error = patron.fails(f"export feed --url -o {tmp_path / 'x.ics'}", code=2)
    assert error.count("\n") == 1 and "-o" in error and not (tmp_path / "x.ics").exists()
    patron.ok("config set web.public_url patron.example.org")
    error = patron.fails("export feed --url", code=2)
    assert error.count("\n") == 1 and "http" in error
