"""Taskwarrior's JSON, in and out: the mapping, idempotence, bad records, the real tool."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from patron.importers import taskwarrior as tw
from tests.conftest import Patron

U1, U2, U3 = ("f565e5c1-0059-43e6-a8a2-5c9ca9de21f2", "ea7a80b6-9358-4c27-b31b-71b1d5ae817d",
              "0b2a3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d")
TASKS = [
    {"uuid": U1, "description": "Write report", "status": "pending", "entry": "20261101T090000Z",
     "due": "20261201T170000Z", "project": "Ledger", "priority": "H", "tags": ["board"],
     "depends": [U2], "annotations": [{"entry": "20261101T090000Z", "description": "draft"}],
     "requester": "Helen Brandt", "effort": 3},
    {"uuid": U2, "description": "Call Helen", "status": "pending", "entry": "20261101T090000Z",
     "start": "20261102T090000Z", "project": "Ledger"},
    {"uuid": U3, "description": "Old thing", "status": "completed", "entry": "20261001T090000Z",
     "end": "20261005T090000Z", "priority": "L"},
]


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Patron:
    monkeypatch.setenv("TZ", "UTC")
    return Patron(str(tmp_path / "tw.sqlite"), CliRunner())


def write(tmp_path: Path, tasks: object, name: str = "tasks.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(tasks))
    return path


def test_the_mapping(world: Patron, tmp_path: Path) -> None:
    out = world.ok(f"import taskwarrior {write(tmp_path, TASKS)}")
    assert "3 created" in out
    asks = {a["title"]: a for a in json.loads(world.ok("ask list --json"))}
    report = asks["Write report"]
    assert report["engagement"] == "Ledger" and report["value"] == 5 and report["tags"] == ["board"]
    assert report["due_at"] == "2026-12-01T17:00:00" and report["requester"] == "Helen Brandt"
    assert report["depends_on"] == [{"id": asks["Call Helen"]["id"], "name": "Call Helen"}]
    assert report["annotations"] == ["draft"] and report["effort_hours"] == 3
    assert asks["Call Helen"]["status"] == "doing"
    assert asks["Old thing"]["status"] == "done" and asks["Old thing"]["done_at"] == "2026-10-05T09:00:00"


def test_importing_twice_changes_nothing(world: Patron, tmp_path: Path) -> None:
    path = write(tmp_path, TASKS)
    world.ok(f"import taskwarrior {path}")
    first = world.ok("export")
    assert "0 created, 0 updated, 3 unchanged" in world.ok(f"import taskwarrior {path}")
    assert world.ok("export") == first


def test_a_changed_task_is_updated_not_duplicated(world: Patron, tmp_path: Path) -> None:
    world.ok(f"import taskwarrior {write(tmp_path, TASKS)}")
    changed = [dict(TASKS[0], description="Write the report", status="completed",
                    end="20261110T090000Z")]
    assert "1 updated" in world.ok(f"import taskwarrior {write(tmp_path, changed, 'b.json')}")
    asks = json.loads(world.ok("ask list --json"))
    assert len(asks) == 3 and asks[0]["title"] == "Write the report" and asks[0]["status"] == "done"


def test_dry_run_changes_nothing(world: Patron, tmp_path: Path) -> None:
    world.ok("person add Someone")
    before = world.ok("export")
    assert "Would import: 3 created" in world.ok(f"import taskwarrior {write(tmp_path, TASKS)} --dry-run")
    assert world.ok("export") == before


def test_bad_records_are_skipped_with_where(world: Patron, tmp_path: Path) -> None:
    bad = [TASKS[1], {"uuid": "not-a-uuid", "description": "x"}, {"uuid": U3, "description": ""},
           {"uuid": U1, "description": "y", "due": "tomorrowish"}, "text",
           {"uuid": U3, "description": "template", "status": "recurring"}]
    result = world("import", "taskwarrior", str(write(tmp_path, bad)))
    assert result.exit_code == 0
    assert "1 created" in result.stdout and "5 skipped" in result.stdout
    for needle in ("record 2", "record 3: an empty description", "'tomorrowish' is not a Taskwarrior date",
                   "record 5: not a task object", "recurring template"):
        assert needle in result.stderr
    assert "Traceback" not in result.output


def test_a_file_that_is_not_json_is_one_clear_error(world: Patron, tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text("[{")
    assert "not Taskwarrior JSON (line 1" in world.fails(f"import taskwarrior {path}", 2)
    assert "no such file" in world.fails(f"import taskwarrior {tmp_path / 'absent.json'}", 2)


def test_one_object_a_line_is_read_too(world: Patron, tmp_path: Path) -> None:
    path = tmp_path / "lines.json"
    path.write_text("\n".join(json.dumps(t) for t in TASKS[:2]) + "\n{broken\n")
    result = world("import", "taskwarrior", str(path))
    assert "2 created" in result.stdout and "line 3: not JSON" in result.stderr


def test_patron_to_taskwarrior_and_back_is_the_identity(world: Patron, tmp_path: Path) -> None:
    world.ok(f"import taskwarrior {write(tmp_path, TASKS)}")
    world.ok("ask add 'Native ask' --due friday --tag x --effort 2 --value 3 --status waiting")
    out = tmp_path / "out.json"
    world.ok(f"export taskwarrior -o {out}")
    again = Patron(str(tmp_path / "again.sqlite"), CliRunner())
    again.ok(f"import taskwarrior {out}")
    second = tmp_path / "second.json"
    again.ok(f"export taskwarrior -o {second}")
    assert json.loads(second.read_text()) == json.loads(out.read_text())


@pytest.mark.skipif(shutil.which("task") is None, reason="Taskwarrior is not installed")
def test_the_real_taskwarrior_reads_our_export_and_gives_it_back(world: Patron, tmp_path: Path) -> None:
    world.ok(f"import taskwarrior {write(tmp_path, TASKS)}")
    out = tmp_path / "out.json"
    world.ok(f"export taskwarrior -o {out}")
    env = dict(os.environ, TASKRC=str(tmp_path / "taskrc"), TASKDATA=str(tmp_path / "taskdata"))
    (tmp_path / "taskrc").write_text(f"data.location={tmp_path / 'taskdata'}\nconfirmation=off\n"
                                     "verbose=nothing\nuda.requester.type=string\n"
                                     "uda.effort.type=numeric\n")
    subprocess.run(["task", "import", str(out)], env=env, check=True, capture_output=True)
    exported = subprocess.run(["task", "export"], env=env, check=True, capture_output=True,
                              text=True).stdout
    back = Patron(str(tmp_path / "back.sqlite"), CliRunner())
    back.ok(f"import taskwarrior {write(tmp_path, json.loads(exported), 'back.json')}")
    mine = {a["title"]: a for a in json.loads(world.ok("ask list --json"))}
    theirs = {a["title"]: a for a in json.loads(back.ok("ask list --json"))}
    assert mine.keys() == theirs.keys()
    for title, ask in mine.items():
        for key in ("status", "due_at", "engagement", "tags", "requester", "effort_hours",
                    "annotations", "source"):
            assert theirs[title][key] == ask[key], (title, key)
        assert [d["name"] for d in theirs[title]["depends_on"]] == [d["name"] for d in ask["depends_on"]]


def test_uuids_are_stable() -> None:
    assert tw.task_uuid(7, None) == tw.task_uuid(7, None) != tw.task_uuid(8, None)
    assert tw.task_uuid(7, tw.SOURCE + U1) == U1


def test_our_own_export_comes_back_to_the_same_asks(world: Patron, tmp_path: Path) -> None:
    world.ok("ask add 'Native ask' --due friday")
    world.ok("ask add 'Another' --depends-on 1")
    out = tmp_path / "mine.json"
    world.ok(f"export taskwarrior -o {out}")
    assert "0 created" in world.ok(f"import taskwarrior {out}")
    assert len(json.loads(world.ok("ask list --json"))) == 2


def test_odd_list_fields_and_missing_entry_dates(world: Patron, tmp_path: Path) -> None:
    odd = [{"uuid": U1, "description": "One tag", "tags": "work", "annotations": None},
           {"uuid": U2, "description": "No tags", "tags": None},
           {"uuid": U3, "description": "Bad tags", "tags": 5}]
    path = write(tmp_path, odd)
    result = world("import", "taskwarrior", str(path))
    assert "2 created" in result.stdout and "tags must be a list" in result.stderr
    asks = {a["title"]: a for a in json.loads(world.ok("ask list --json"))}
    assert asks["One tag"]["tags"] == ["work"] and asks["No tags"]["tags"] is None
    asked = asks["One tag"]["created_at"]
    assert "2 unchanged" in world.ok(f"import taskwarrior {path}")
    assert json.loads(world.ok("ask show 1 --json"))["created_at"] == asked


def test_tasks_waiting_on_each_other_keep_the_first_link_and_say_so(world: Patron,
                                                                     tmp_path: Path) -> None:
    """Dependencies are checked in memory for the whole file; a loop is refused as an edit
    would refuse it, and the task that closes it is named."""
    loop = [dict(TASKS[0], depends=[U2]), dict(TASKS[1], depends=[U1])]
    result = world("import", "taskwarrior", str(write(tmp_path, loop)))
    assert result.exit_code == 0 and "2 created" in result.stdout
    assert f"task {U2}: ask #2 would depend on itself" in result.stderr
    asks = {a["title"]: a for a in json.loads(world.ok("ask list --json"))}
    assert [d["name"] for d in asks["Write report"]["depends_on"]] == ["Call Helen"]
    assert asks["Call Helen"]["depends_on"] == []
    again = world("import", "taskwarrior", str(write(tmp_path, loop)))
    assert "0 created, 0 updated, 2 unchanged" in again.stdout  # the loop is said again, not stored
    assert f"task {U2}: ask #2 would depend on itself" in again.stderr


def test_many_tasks_in_batches_link_across_them(world: Patron, tmp_path: Path) -> None:
    """More tasks than one batch holds: each depends on the one before, whichever batch it
    was written in, and a task twice in the file is one ask."""
    uuids = [f"00000000-0000-4000-8000-{n:012d}" for n in range(1203)]
    tasks = [{"uuid": u, "description": f"Step {n}", "status": "pending",
              **({"depends": [uuids[n - 1]]} if n else {})} for n, u in enumerate(uuids)]
    tasks.append(dict(tasks[700], description="Step 700, renamed"))
    out = world.ok(f"import taskwarrior {write(tmp_path, tasks)}")
    assert "1203 created, 1 updated" in out
    asks = {a["title"]: a for a in json.loads(world.ok("ask list --json"))}
    assert len(asks) == 1203 and "Step 700" not in asks
    assert [d["name"] for d in asks["Step 1202"]["depends_on"]] == ["Step 1201"]
    assert [d["name"] for d in asks["Step 701"]["depends_on"]] == ["Step 700, renamed"]
