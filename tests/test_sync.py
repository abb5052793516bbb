"""``patron sync vdir`` and ``patron sync caldav``: asks as tasks on the phone, both ways.

One round trip, run against a vdir folder of plain files and against a real Radicale server:
asks go out, a task is completed and one re-dated "on the phone", one is created there, both
sides change the same field (each side winning once), a task is deleted there and an ask
removed here, and a run with no change changes nothing on either side.
"""

from __future__ import annotations

import itertools
import json
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Protocol

import icalendar
import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from tests.conftest import NOW, Patron, Radicale, free_port

_names = itertools.count()


class Phone(Protocol):
    """The other side, changed as a phone's task app would change it."""

    def tasks(self) -> dict[str, Any]: ...
    def snapshot(self) -> dict[str, bytes]: ...
    def write(self, uid: str, todo: Any) -> None: ...
    def delete(self, uid: str) -> None: ...
    def sync(self) -> str: ...


def _calendar_of(todo: Any) -> bytes:
    cal = icalendar.Calendar()
    cal.add("PRODID", "-//A phone//EN")
    cal.add("VERSION", "2.0")
    cal.add_component(todo)
    return bytes(cal.to_ical())


def _todo_in(data: bytes | str) -> Any:
    return icalendar.Calendar.from_ical(data).walk("VTODO")[0]


class VdirPhone:
    def __init__(self, patron: Patron, folder: Path) -> None:
        self.patron, self.folder = patron, folder
        folder.mkdir()

    def tasks(self) -> dict[str, Any]:
        todos = (_todo_in(p.read_bytes()) for p in self.folder.glob("*.ics"))
        return {str(t["UID"]): t for t in todos}

    def snapshot(self) -> dict[str, bytes]:
        return {p.name: p.read_bytes() for p in sorted(self.folder.iterdir())}

    def write(self, uid: str, todo: Any) -> None:
        path = next((p for p in self.folder.glob("*.ics") if str(_todo_in(p.read_bytes())["UID"]) == uid),
                    self.folder / f"{uuid.uuid4()}.ics")
        path.write_bytes(_calendar_of(todo))

    def delete(self, uid: str) -> None:
        for p in self.folder.glob("*.ics"):
            if str(_todo_in(p.read_bytes())["UID"]) == uid:
                p.unlink()

    def sync(self, *options: str) -> str:
        return self.patron.ok(" ".join(["sync vdir", str(self.folder), *options]))


class CaldavPhone:
    def __init__(self, patron: Patron, server: Radicale, monkeypatch: pytest.MonkeyPatch) -> None:
        self.patron = patron
        name = f"Tasks {next(_names)} {uuid.uuid4().hex[:6]}"
        self.calendar = server.client().principal().make_calendar(
            name=name, supported_calendar_component_set=["VTODO"])
        patron.ok(f"config set caldav.url {server.url}")
        patron.ok(f"config set caldav.user {server.user}")
        patron.ok(f"config set caldav.calendar '{name}'")
        monkeypatch.setenv("PATRON_CALDAV_PASSWORD", server.password)

    def _objects(self) -> list[Any]:
        return list(self.calendar.search(todo=True, include_completed=True))

    def tasks(self) -> dict[str, Any]:
        todos = (_todo_in(o.data) for o in self._objects())
        return {str(t["UID"]): t for t in todos}

    def snapshot(self) -> dict[str, bytes]:
        return {str(o.url): str(o.data).encode() for o in sorted(self._objects(), key=lambda o: str(o.url))}

    def write(self, uid: str, todo: Any) -> None:
        found = [o for o in self._objects() if str(_todo_in(o.data)["UID"]) == uid]
        if found:
            found[0].data = _calendar_of(todo).decode()
            found[0].save(increase_seqno=False)
        else:
            self.calendar.add_todo(ical=_calendar_of(todo).decode(), increase_seqno=False)

    def delete(self, uid: str) -> None:
        for o in self._objects():
            if str(_todo_in(o.data)["UID"]) == uid:
                o.delete()

    def sync(self, *options: str) -> str:
        return self.patron.ok(" ".join(["sync caldav", *options]))


@pytest.fixture(params=["vdir", "caldav"])
def phone(request: pytest.FixtureRequest, patron: Patron, tmp_path: Path,
          monkeypatch: pytest.MonkeyPatch) -> Phone:
    if request.param == "vdir":
        return VdirPhone(patron, tmp_path / "tasks")
    return CaldavPhone(patron, request.getfixturevalue("radicale"), monkeypatch)


def register(patron: Patron) -> tuple[list[Any], list[Any]]:
    """Every ask and every sync state, as stored (SQLite file or PostgreSQL URL)."""
    url = patron.db if "://" in patron.db else f"sqlite:///{patron.db}"
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            asks = [tuple(r) for r in conn.execute(text("SELECT * FROM ask ORDER BY id"))]
            states = [tuple(r) for r in conn.execute(text("SELECT * FROM import_state ORDER BY source"))]
    finally:
        engine.dispose()
    return asks, states


def ask(patron: Patron, ident: int) -> dict[str, Any]:
    shown = json.loads(patron.ok(f"ask show {ident} --json"))
    return dict(shown)


def hours_ago(hours: float) -> datetime:
    """A moment on the phone's clock (UTC) this long before the frozen now, in any zone."""
    return (NOW - timedelta(hours=hours)).astimezone(UTC)


def edited(todo: Any, at: datetime, **props: Any) -> Any:
    """``todo`` changed on the phone at ``at``: its properties replaced."""
    for name, value in props.items():
        todo.pop(name.replace("_", "-"), None)
        todo.add(name.replace("_", "-"), value)
    todo.pop("LAST-MODIFIED", None)
    todo.add("LAST-MODIFIED", at)
    return todo


def by_title(tasks: dict[str, Any]) -> dict[str, Any]:
    return {str(t["SUMMARY"]): t for t in tasks.values()}


def _portfolio(patron: Patron) -> None:
    patron.ok("person add Helen")
    patron.ok("engagement add Ledger")
    patron.ok('ask add "Board dashboard" --from Helen -e Ledger --due 2026-11-27 --value 4 --tag board')
    patron.ok('ask add "Call Omar back" --due "2026-11-25 15:00"')
    patron.ok('ask add "Old report" --status done --done "2026-11-01 12:00"')


def test_the_whole_round_trip(patron: Patron, phone: Phone) -> None:
    round_trip(patron, phone)


def test_the_round_trip_on_each_backend(db_url: str, tmp_path: Path) -> None:
    patron = Patron(db_url, CliRunner())
    round_trip(patron, VdirPhone(patron, tmp_path / "tasks"))


def round_trip(patron: Patron, phone: Phone) -> None:
    _portfolio(patron)

    # Asks go out: open ones only, with what a task app shows.
    out = phone.sync()
    assert "2 sent" in out
    there = by_title(phone.tasks())
    assert set(there) == {"Board dashboard", "Call Omar back"}
    board = there["Board dashboard"]
    assert str(board["UID"]) == "patron-ask-1@patron"
    assert board["DUE"].dt == date(2026, 11, 27)
    assert str(board["STATUS"]) == "NEEDS-ACTION"
    assert int(board["PRIORITY"]) == 3
    assert "Engagement: Ledger" in str(board["DESCRIPTION"])
    assert "Requester: Helen" in str(board["DESCRIPTION"])
    assert [str(c) for c in board["CATEGORIES"].cats] == ["board"]
    assert there["Call Omar back"]["DUE"].dt == datetime(2026, 11, 25, 15, 0)

    # A second run with no change changes nothing on either side.
    before_there, before_here = phone.snapshot(), register(patron)
    out = phone.sync()
    assert "0 sent, 0 updated, 0 deleted" in out and "0 new, 0 changed" in out
    assert "2 unchanged" in out
    assert phone.snapshot() == before_there
    assert register(patron) == before_here

    # On the phone: one task completed, one re-dated, one created. Here: a new ask.
    tasks = phone.tasks()
    phone.write("patron-ask-1@patron", edited(
        tasks["patron-ask-1@patron"], hours_ago(2), status="COMPLETED", completed=hours_ago(2)))
    phone.write("patron-ask-2@patron", edited(
        tasks["patron-ask-2@patron"], hours_ago(1.9), due=date(2026, 11, 26)))
    cake = icalendar.Todo()
    cake.add("UID", "phone-cake-1")
    cake.add("SUMMARY", "Buy cake for the team")
    cake.add("DUE", date(2026, 11, 24))
    cake.add("STATUS", "NEEDS-ACTION")
    cake.add("DESCRIPTION", "Chocolate, no nuts")
    phone.write("phone-cake-1", cake)
    patron.ok('ask add "Slides for the board" --from Helen -e Ledger')

    out = phone.sync()
    assert "1 sent" in out and "1 new" in out and "2 changed (1 done)" in out
    assert ask(patron, 1)["status"] == "done"
    assert ask(patron, 2)["due_at"].startswith("2026-11-26")
    cake_ask = ask(patron, 5)
    assert cake_ask["title"] == "Buy cake for the team"
    assert cake_ask["due_at"].startswith("2026-11-24")
    assert cake_ask["source"].endswith(":phone-cake-1")
    assert cake_ask["notes"] == "Chocolate, no nuts"
    assert str(phone.tasks()["phone-cake-1"]["DESCRIPTION"]) == "Chocolate, no nuts"
    assert "Slides for the board" in by_title(phone.tasks())
    assert "Old report" not in by_title(phone.tasks())

    # Both sides change one field: title (Patron's edit, dated by this sync, is newer) and
    # being done (the phone's LAST-MODIFIED is after the ask's done_at).
    patron.ok('ask edit 2 --title "Call Omar back about the SOW"')
    patron.ok('done 4 --at "2026-11-19 08:00"')
    tasks = phone.tasks()
    phone.write("patron-ask-2@patron", edited(
        tasks["patron-ask-2@patron"], hours_ago(1), summary="Call Omar (urgent)"))
    phone.write("patron-ask-4@patron", edited(
        tasks["patron-ask-4@patron"], hours_ago(1), status="CANCELLED"))

    out = phone.sync()
    assert "2 conflicts" in out
    assert ("'Call Omar back about the SOW': both changed title; kept Patron's "
            "'Call Omar back about the SOW', dropped the task's 'Call Omar (urgent)'") in out
    assert ("'Slides for the board': both changed state; kept the task's 'cancelled', "
            "dropped Patron's 'done'") in out
    assert ask(patron, 2)["title"] == "Call Omar back about the SOW"
    assert ask(patron, 4)["status"] == "declined"
    there = phone.tasks()
    assert str(there["patron-ask-2@patron"]["SUMMARY"]) == "Call Omar back about the SOW"
    assert str(there["patron-ask-4@patron"]["STATUS"]) == "CANCELLED"

    # A task deleted on the phone keeps its ask; an ask removed here deletes its task.
    phone.delete("phone-cake-1")
    patron.ok("ask remove 1 --yes")
    out = phone.sync()
    assert "1 deleted" in out and "1 unlinked" in out
    assert "task deleted there; the ask stays here, no longer synced: 'Buy cake for the team'" in out
    assert ask(patron, 5)["title"] == "Buy cake for the team"
    assert "patron-ask-1@patron" not in phone.tasks()
    assert "phone-cake-1" not in phone.tasks()

    # And once more with no change: nothing moves, the unlinked ask is not sent again.
    before_there, before_here = phone.snapshot(), register(patron)
    out = phone.sync()
    assert "0 sent, 0 updated, 0 deleted" in out and "0 new, 0 changed" in out
    assert "conflict" not in out and "unlinked" not in out
    assert phone.snapshot() == before_there
    assert register(patron) == before_here


def test_a_dry_run_changes_nothing_on_either_side(patron: Patron, phone: Phone) -> None:
    _portfolio(patron)
    phone.sync()
    tasks = phone.tasks()
    phone.write("patron-ask-1@patron", edited(tasks["patron-ask-1@patron"], hours_ago(1),
                                              status="COMPLETED"))
    patron.ok('ask add "Another one"')
    before_there, before_here = phone.snapshot(), register(patron)
    out = phone.sync("--dry-run", "--json")
    outcome = json.loads(out)
    assert outcome["dry_run"] is True
    assert outcome["sent"] == 1 and outcome["done_asks"] == 1
    assert phone.snapshot() == before_there
    assert register(patron) == before_here


def test_an_ask_whose_task_was_deleted_there_is_sent_again_when_asked(patron: Patron, phone: Phone) -> None:
    _portfolio(patron)
    phone.sync()
    phone.delete("patron-ask-2@patron")
    assert "(--resend to send it again)" in phone.sync()

    # Only an ask whose task was deleted there, and only an open one; else nothing changes.
    before_there, before_here = phone.snapshot(), register(patron)
    assert "has no task deleted there" in patron.fails(f"{_sync_line(phone)} --resend 1", 2)
    assert "no ask called 'Atlantis'" in patron.fails(f"{_sync_line(phone)} --resend Atlantis")
    assert (phone.snapshot(), register(patron)) == (before_there, before_here)

    out = phone.sync("--resend", "'Call Omar'")
    assert "sent again: 'Call Omar back'" in out and "1 sent" in out
    assert str(phone.tasks()["patron-ask-2@patron"]["SUMMARY"]) == "Call Omar back"
    assert "2 unchanged" in phone.sync()

    phone.delete("patron-ask-2@patron")
    phone.sync()
    patron.ok("done 2")
    assert "is done: only open asks are sent" in patron.fails(f"{_sync_line(phone)} --resend 2", 2)


def _sync_line(phone: Phone) -> str:
    """The command line of this phone's sync, for a run that must fail."""
    return f"sync vdir {phone.folder}" if isinstance(phone, VdirPhone) else "sync caldav"


def _weekly(count: int) -> Any:
    """A task repeating every Monday, made on the phone."""
    weekly = icalendar.Todo()
    weekly.add("UID", "phone-weekly")
    weekly.add("SUMMARY", "Weekly status report")
    weekly.add("DTSTART", date(2026, 11, 23))
    weekly.add("DUE", date(2026, 11, 23))
    weekly.add("RRULE", {"FREQ": "WEEKLY", "BYDAY": "MO", "COUNT": count})
    weekly.add("STATUS", "NEEDS-ACTION")
    return weekly


def test_a_repeating_task_is_one_ask_per_occurrence(patron: Patron, phone: Phone) -> None:
    phone.write("phone-weekly", _weekly(3))
    assert "1 new" in phone.sync()
    assert ask(patron, 1)["due_at"].startswith("2026-11-23")

    # Done here: the task moves on to next Monday there, as a task app moves it, and the next
    # occurrence is an ask of its own; the series goes on (its count one shorter).
    patron.ok("done 1")
    out = phone.sync()
    assert "repeating: 'Weekly status report' done here (#1); the next one is #2, due 2026-11-30" in out
    assert "0 sent, 1 updated" in out and "1 new" in out
    assert ask(patron, 1)["status"] == "done" and ask(patron, 2)["status"] == "open"
    assert ask(patron, 2)["due_at"].startswith("2026-11-30")
    task = phone.tasks()["phone-weekly"]
    assert str(task["STATUS"]) == "NEEDS-ACTION"
    assert (task["DUE"].dt, task["DTSTART"].dt) == (date(2026, 11, 30), date(2026, 11, 30))
    assert task["RRULE"]["COUNT"] == [2]
    before_there, before_here = phone.snapshot(), register(patron)
    assert "1 unchanged" in phone.sync()
    assert (phone.snapshot(), register(patron)) == (before_there, before_here)

    # Ticked off there: the app moves the task on a week; the ask is done when the phone did
    # it and the next Monday is a new ask.
    phone.write("phone-weekly", edited(task, hours_ago(3), due=date(2026, 12, 7),
                                       dtstart=date(2026, 12, 7),
                                       rrule={"FREQ": "WEEKLY", "BYDAY": "MO", "COUNT": 1}))
    out = phone.sync()
    assert "repeating: 'Weekly status report' done there (#2); the next one is #3, due 2026-12-07" in out
    assert "(1 done)" in out
    done = ask(patron, 2)
    assert done["status"] == "done" and done["done_at"].startswith(NOW.date().isoformat())
    assert ask(patron, 3)["due_at"].startswith("2026-12-07")

    # The last one done here: nothing comes after it, so the task is completed there.
    patron.ok("done 3")
    out = phone.sync()
    assert "repeating:" not in out
    assert str(phone.tasks()["phone-weekly"]["STATUS"]) == "COMPLETED"
    assert len(json.loads(patron.ok("ask list --json"))) == 3  # no fourth: the series is over


def test_a_repeating_task_put_off_there_moves_its_ask(patron: Patron, phone: Phone) -> None:
    phone.write("phone-weekly", _weekly(5))
    phone.sync()
    task = phone.tasks()["phone-weekly"]
    phone.write("phone-weekly", edited(task, hours_ago(1), due=date(2026, 11, 25)))  # Wednesday
    out = phone.sync()
    assert "repeating:" not in out and "0 new" in out
    assert ask(patron, 1)["due_at"].startswith("2026-11-25")
    assert ask(patron, 1)["status"] == "open"


def test_a_task_done_there_before_patron_met_it_is_left_alone(patron: Patron, phone: Phone) -> None:
    old = icalendar.Todo()
    old.add("UID", "long-done")
    old.add("SUMMARY", "Renew passport")
    old.add("STATUS", "COMPLETED")
    phone.write("long-done", old)
    out = phone.sync()
    assert "0 new" in out
    assert register(patron)[0] == []


def test_an_unreadable_file_is_skipped_and_named_and_the_rest_syncs(patron: Patron, tmp_path: Path) -> None:
    folder = tmp_path / "tasks"
    folder.mkdir()
    (folder / "broken.ics").write_text("BEGIN:VCALENDAR\nthis is not iCalendar\n", encoding="utf-8")
    (folder / "meeting.ics").write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//EN\r\nBEGIN:VEVENT\r\nUID:m1\r\n"
        "DTSTART:20261121T100000\r\nSUMMARY:Standup\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        encoding="utf-8")
    patron.ok('ask add "Board dashboard"')
    result = patron("sync", "vdir", str(folder))
    assert result.exit_code == 0
    assert "1 sent" in result.stdout
    assert "skipped broken.ics" in result.stderr
    assert "meeting.ics" not in result.output  # an event beside the tasks is not a problem
    assert (folder / "meeting.ics").exists()


def test_a_missing_folder_is_one_line(patron: Patron, tmp_path: Path) -> None:
    patron.ok('ask add "Board dashboard"')
    err = patron.fails(f"sync vdir {tmp_path / 'nowhere'}", code=2)
    assert err.count("\n") == 1 and "no such folder" in err and "Traceback" not in err


# --- a server that fails -----------------------------------------------------------------


def _configured(patron: Patron, url: str, monkeypatch: pytest.MonkeyPatch, password: str) -> None:
    patron.ok(f"config set caldav.url {url}")
    patron.ok("config set caldav.user jo")
    monkeypatch.setenv("PATRON_CALDAV_PASSWORD", password)
    patron.ok('ask add "Board dashboard" --due 2026-11-27')


def _fails_cleanly(patron: Patron, *words: str) -> None:
    before = register(patron)
    err = patron.fails("sync caldav", code=8)
    assert err.count("\n") == 1 and err.startswith("patron: "), err
    assert "Traceback" not in err
    for word in words:
        assert word in err
    assert register(patron) == before


def test_a_server_that_is_down(patron: Patron, monkeypatch: pytest.MonkeyPatch) -> None:
    _configured(patron, f"http://127.0.0.1:{free_port()}/", monkeypatch, "s3cret")
    _fails_cleanly(patron, "cannot reach the server")


def test_a_server_that_refuses_the_login(patron: Patron, radicale: Radicale,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    _configured(patron, radicale.url, monkeypatch, "wrong")
    _fails_cleanly(patron, "refused the login")


class _Garbage(BaseHTTPRequestHandler):
    def _answer(self) -> None:
        body = b"<html><body>\x00\xff not a calendar server </body"
        self.send_response(207 if self.command == "PROPFIND" else 200)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_PROPFIND = do_REPORT = do_OPTIONS = do_PUT = _answer

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def garbage_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Garbage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_a_server_that_answers_garbage(patron: Patron, garbage_server: str,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    _configured(patron, garbage_server, monkeypatch, "s3cret")
    _fails_cleanly(patron, "answered")


def test_no_server_set_says_how_to_set_one(patron: Patron) -> None:
    err = patron.fails("sync caldav", code=2)
    assert "patron config set caldav.url" in err


def test_the_calendar_may_be_named_by_its_url(patron: Patron, radicale: Radicale,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    calendar = radicale.client().principal().make_calendar(
        name=f"By URL {uuid.uuid4().hex[:6]}", supported_calendar_component_set=["VTODO"])
    _configured(patron, radicale.url, monkeypatch, radicale.password)
    patron.ok(f"config set caldav.calendar {calendar.url}")
    assert "1 sent" in patron.ok("sync caldav")
    assert [str(_todo_in(o.data)["SUMMARY"]) for o in calendar.search(todo=True)] == ["Board dashboard"]


def test_a_calendar_name_that_is_not_there_lists_the_ones_that_are(
        patron: Patron, radicale: Radicale, monkeypatch: pytest.MonkeyPatch) -> None:
    radicale.client().principal().make_calendar(name="Errands", supported_calendar_component_set=["VTODO"])
    _configured(patron, radicale.url, monkeypatch, radicale.password)
    patron.ok("config set caldav.calendar Nowhere")
    before = register(patron)
    err = patron.fails("sync caldav", code=2)
    assert "no single calendar named 'Nowhere'" in err and "Errands" in err
    assert register(patron) == before


def test_a_task_changed_there_during_the_run_is_not_overwritten(radicale: Radicale) -> None:
    """Writes go with If-Match on the server's ETag: a task the phone changed after the
    listing makes the run fail in one line rather than lose the phone's change."""
    from patron.errors import RemoteFailed
    from patron.sync.base import Task
    from patron.sync.caldav import CaldavStore

    name = f"Race {uuid.uuid4().hex[:6]}"
    radicale.client().principal().make_calendar(name=name, supported_calendar_component_set=["VTODO"])
    tasks = CaldavStore(radicale.url, radicale.user, radicale.password, name, NOW)
    tasks.put(Task("race@patron", "Board dashboard"), None)
    listed = tasks.tasks().tasks[0]
    tasks.put(Task("race@patron", "Changed on the phone"), listed)
    with pytest.raises(RemoteFailed, match="changed on the server during the sync"):
        tasks.put(Task("race@patron", "Patron's title"), listed)
    assert tasks.tasks().tasks[0].task.title == "Changed on the phone"
