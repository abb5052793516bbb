"""Time ``patron import todotxt`` and ``patron import taskwarrior`` beside their parse floor.

The files: N todo.txt lines and N Taskwarrior tasks (``task export`` JSON), over 40
projects and 200 requesters, with priorities, due dates, tags, some done, and every tenth
task depending on the one before. Three whole processes per format, on SQLite, output
thrown away, each side's median of 3 runs:

- the parse floor: Patron's own parser alone (``importers.todotxt.parse``,
  ``importers.taskwarrior.parse``) in a process that reads the same file;
- Patron's first import, on a fresh SQLite file;
- the same import again, with nothing changed.

Wall time and CPU time (user + system, of the process) are both printed.

    .venv/bin/python bench/tasks_import.py          # 10,000 of each
    .venv/bin/python bench/tasks_import.py 1000     # another size
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
import uuid
from datetime import datetime, timedelta
from pathlib import Path

from timing import median, shown, timed  # beside this script

SIZES = [int(n) for n in sys.argv[1:]] or [10_000]
NOW = datetime(2026, 11, 20, 10, 0)
FLOOR = """
import sys
from patron.importers import taskwarrior, todotxt

text = open(sys.argv[2], encoding="utf-8").read()
(todotxt if sys.argv[1] == "todotxt" else taskwarrior).parse(text, sys.argv[2])
"""


def todo_lines(n: int) -> str:
    rng = random.Random(n)
    lines = []
    for i in range(n):
        created = NOW.date() - timedelta(days=rng.randint(0, 400))
        done = f"x {created + timedelta(days=3)} " if i % 5 == 0 else ""
        priority = rng.choice(["", "(A) ", "(B) ", "(C) "]) if not done else ""
        lines.append(f"{done}{priority}{created} Task number {i} for the board +project{i % 40} "
                     f"@context{i % 7} due:{created + timedelta(days=30)} req:p{i % 200}")
    return "\n".join(lines) + "\n"


def taskwarrior(n: int) -> str:
    rng = random.Random(n)
    uuids = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(n)]
    tasks = []
    for i, ident in enumerate(uuids):
        entry = NOW - timedelta(days=rng.randint(0, 400))
        task = {"uuid": ident, "description": f"Task number {i} for the board",
                "status": "completed" if i % 5 == 0 else "pending",
                "entry": f"{entry:%Y%m%dT%H%M%SZ}", "project": f"project{i % 40}",
                "requester": f"Person {i % 200}", "priority": rng.choice(["H", "M", "L"]),
                "due": f"{entry + timedelta(days=30):%Y%m%dT%H%M%SZ}", "tags": ["board", f"t{i % 9}"]}
        if i % 5 == 0:
            task["end"] = f"{entry + timedelta(days=3):%Y%m%dT%H%M%SZ}"
        if i % 10 == 9:
            task["depends"] = [uuids[i - 1]]
        tasks.append(task)
    return json.dumps(tasks)


def main() -> None:
    print("Each cell: wall / CPU time, median of 3.\n")
    print("| format | tasks | parse floor | first import | unchanged re-import "
          "| import ÷ floor (wall / CPU) | re-import ÷ first (wall / CPU) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for n in SIZES:
        for fmt, make, name in (("todotxt", todo_lines, "todo.txt"),
                                ("taskwarrior", taskwarrior, "tasks.json")):
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / name
                path.write_text(make(n), encoding="utf-8")
                floors, firsts, seconds = [], [], []
                for k in range(3):
                    floors.append(timed([sys.executable, "-c", FLOOR, fmt, str(path)], NOW))
                    db = Path(folder) / f"bench{k}.sqlite"
                    command = [sys.executable, "-m", "patron.cli.main", "--db", str(db), "import", fmt,
                               str(path)]
                    firsts.append(timed(command, NOW))
                    seconds.append(timed(command, NOW))
            floor, first, second = median(floors), median(firsts), median(seconds)
            print(f"| {name} | {n:,} | {shown(floor)} | {shown(first)} | {shown(second)} "
                  f"| {first[0] / floor[0]:.2f} / {first[1] / floor[1]:.2f} "
                  f"| {second[0] / first[0]:.2f} / {second[1] / first[1]:.2f} |")


if __name__ == "__main__":
    main()
