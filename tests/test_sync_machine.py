"""The sync engine under any sequence of changes on both sides (a hypothesis state machine).

After every sync: each synced ask and its task agree on title, due date and state, and a
second sync changes nothing on either side.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import icalendar
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from sqlalchemy import select

from patron.domain.records import ASK
from patron.services import records, sync
from patron.store import schema
from patron.store.database import open_store
from patron.sync import ical
from patron.sync.vdir import VdirStore

NOW = datetime(2026, 11, 20, 10, 0)
titles = st.sampled_from(["Board dashboard", "Call Omar", "Slides", "Budget", "Renewal memo"])
days = st.integers(0, 20).map(lambda n: date(2026, 11, 21) + timedelta(days=n))


class SyncMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="patron-sync-"))
        (self.folder / "tasks").mkdir()
        self.store = open_store(str(self.folder / "register.sqlite"))
        self.tasks = VdirStore(self.folder / "tasks", NOW)
        self.phone_uids = 0

    def teardown(self) -> None:
        self.store.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    # --- Patron's side -------------------------------------------------------------

    def _ask_ids(self) -> list[int]:
        with self.store.read() as conn:
            return [int(r["id"]) for r in records.find(conn, ASK, {}, NOW)]

    @rule(title=titles, due=st.one_of(st.none(), days))
    def add_ask(self, title: str, due: date | None) -> None:
        with self.store.begin() as conn:
            records.add(conn, ASK, {"title": title, "due_at": due}, NOW)

    @rule(pick=st.integers(0, 50), title=titles)
    def retitle_ask(self, pick: int, title: str) -> None:
        self._edit(pick, records.Change(set={"title": title}))

    @rule(pick=st.integers(0, 50))
    def finish_ask(self, pick: int) -> None:
        self._edit(pick, records.Change(set={"status": "done", "done_at": NOW - timedelta(hours=3)}))

    @rule(pick=st.integers(0, 50))
    def remove_ask(self, pick: int) -> None:
        ids = self._ask_ids()
        if ids:
            with self.store.begin() as conn:
                records.remove(conn, ASK, ids[pick % len(ids)])

    def _edit(self, pick: int, change: records.Change) -> None:
        ids = self._ask_ids()
        if ids:
            with self.store.begin() as conn:
                records.edit(conn, ASK, ids[pick % len(ids)], change, NOW)

    # --- the phone's side ----------------------------------------------------------

    def _files(self) -> list[Path]:
        return sorted((self.folder / "tasks").glob("*.ics"))

    def _edit_file(self, pick: int, **props: Any) -> None:
        files = self._files()
        if not files:
            return
        path = files[pick % len(files)]
        calendar = icalendar.Calendar.from_ical(path.read_bytes())
        todo = calendar.walk("VTODO")[0]
        for name, value in {**props, "LAST-MODIFIED": (NOW - timedelta(hours=1)).astimezone(UTC)}.items():
            todo.pop(name, None)
            todo.add(name, value)
        path.write_bytes(calendar.to_ical())

    @rule(pick=st.integers(0, 50), title=titles)
    def retitle_task(self, pick: int, title: str) -> None:
        self._edit_file(pick, SUMMARY=title)

    @rule(pick=st.integers(0, 50), due=days)
    def redate_task(self, pick: int, due: date) -> None:
        self._edit_file(pick, DUE=due)

    @rule(pick=st.integers(0, 50))
    def complete_task(self, pick: int) -> None:
        self._edit_file(pick, STATUS="COMPLETED")

    @rule(pick=st.integers(0, 50))
    def delete_task(self, pick: int) -> None:
        files = self._files()
        if files:
            files[pick % len(files)].unlink()

    @rule(title=titles)
    def create_task(self, title: str) -> None:
        self.phone_uids += 1
        from patron.sync.base import Task

        text = ical.render(Task(f"phone-{self.phone_uids}", title), None, NOW)
        (self.folder / "tasks" / f"phone-{self.phone_uids}.ics").write_text(text, encoding="utf-8")

    @rule(title=titles, due=days, repeat=st.sampled_from(
        ["FREQ=DAILY", "FREQ=WEEKLY", "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR", "FREQ=WEEKLY;COUNT=2",
         "FREQ=MONTHLY;INTERVAL=2", "FREQ=WEEKLY;INTERVAL=0"]), start=st.booleans())
    def create_repeating_task(self, title: str, due: date, repeat: str, start: bool) -> None:
        self.phone_uids += 1
        from patron.sync.base import Task

        day = due.isoformat()
        task = Task(f"phone-{self.phone_uids}", title, day, repeat=repeat, start=day if start else None)
        (self.folder / "tasks" / f"phone-{self.phone_uids}.ics").write_text(
            ical.render(task, None, NOW), encoding="utf-8")

    @rule(pick=st.integers(0, 50))
    def tick_off_task(self, pick: int) -> None:
        """An occurrence of a repeating task ticked off, as a task app does it: moved on."""
        files = self._files()
        if not files:
            return
        upcoming = ical.next_occurrence(ical.parse(files[pick % len(files)].read_text(encoding="utf-8")))
        if upcoming is not None and upcoming.due is not None:
            moved = {"DUE": date.fromisoformat(upcoming.due[:10]),
                     "RRULE": icalendar.vRecur.from_ical(upcoming.repeat)}
            if upcoming.start:
                moved["DTSTART"] = date.fromisoformat(upcoming.start[:10])
            self._edit_file(pick, **moved)

    # --- syncing -------------------------------------------------------------------

    @rule()
    def sync_both_ways(self) -> None:
        sync.run(self.store, self.tasks, NOW)

    @invariant()
    def after_a_sync_both_agree_and_a_second_changes_nothing(self) -> None:
        sync.run(self.store, self.tasks, NOW)
        files = {p.name: p.read_bytes() for p in self._files()}
        with self.store.read() as conn:
            asks = {int(r["id"]): r for r in records.find(conn, ASK, {}, NOW)}
        again = sync.run(self.store, self.tasks, NOW)
        assert (again.sent, again.updated_there, again.deleted_there, again.new_asks,
                again.changed_asks, again.conflicts, again.unlinked) == (0, 0, 0, 0, 0, [], [])
        assert {p.name: p.read_bytes() for p in self._files()} == files
        prefix = f"sync:{self.tasks.target}:"
        with self.store.read() as conn:
            t = schema.import_state
            links = {source[len(prefix):]: state["ask"] for source, state in conn.execute(
                select(t.c.source, t.c.state).where(t.c.source.startswith(prefix)))
                if not state.get("dropped")}
        for remote in self.tasks.tasks().tasks:
            uid = remote.task.uid
            if uid.startswith(sync.UID_PREFIX):
                ident = int(uid[len(sync.UID_PREFIX):].split("@")[0])
                assert ident in asks, f"the task of removed ask {ident} is still there"
            if uid in links:
                ident = links[uid]
                ask = asks[ident]
                state = {"done": "done", "declined": "cancelled"}.get(ask["status"], "open")
                due = ask["due_at"].date().isoformat() if ask["due_at"] else None
                assert (remote.task.title, remote.task.due, remote.task.state) == (
                    ask["title"], due, state)


SyncMachine.TestCase.settings = settings(max_examples=25, stateful_step_count=12, deadline=None,
                                         suppress_health_check=[HealthCheck.too_slow])
test_sync_machine = SyncMachine.TestCase


class _SlowVdir(VdirStore):
    """A vdir that takes its time to list, as a server far away does."""

    def tasks(self) -> Any:
        listing = super().tasks()
        time.sleep(0.3)
        return listing


def test_two_syncs_at_once_send_each_ask_once_and_drop_no_link(db_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "tasks"
    folder.mkdir()
    store = open_store(db_url)
    try:
        with store.begin() as conn:
            for title in ("Board dashboard", "Call Omar", "Slides"):
                records.add(conn, ASK, {"title": title}, NOW)
        outcomes: list[sync.Outcome] = []
        runs = [threading.Thread(target=lambda: outcomes.append(
            sync.run(store, _SlowVdir(folder, NOW), NOW))) for _ in range(2)]
        for run in runs:
            run.start()
        for run in runs:
            run.join()
        assert sorted(o.sent for o in outcomes) == [0, 3]
        assert all(not o.unlinked for o in outcomes)
        assert len(list(folder.glob("*.ics"))) == 3
    finally:
        store.close()
