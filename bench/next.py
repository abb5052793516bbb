"""Benchmark: ``patron next`` against Taskwarrior's ``task next`` on the same tasks.

Generates a portfolio (500 engagements, 10,000 people, their stakeholder roles,
interactions, and N open asks of which one in ten depends on another), writes
the same tasks as a Taskwarrior import file, and times both commands as whole
processes. Prints the medians, the ratio and Patron's cost per ask at each size.

    .venv/bin/python bench/next.py                      # 1,000 10,000 100,000 asks
    .venv/bin/python bench/next.py --sizes 1000 10000   # smaller
    .venv/bin/python bench/next.py --no-taskwarrior     # Patron only

Taskwarrior (Debian's ``taskwarrior`` package, 2.6) runs only where ``task`` is
installed; at 100,000 tasks with dependencies it takes minutes a run, so its
runs there default to one (--task-runs-large).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from patron.store import schema
from patron.store.database import open_store

ENGAGEMENTS = 500
PEOPLE = 10_000
ROLES = ("sponsor", "manager", "customer", "customer", "customer", "teammate", "gatekeeper", "boss")
NOW = datetime(2026, 11, 20, 10, 0)


def generate(path: Path, asks: int, seed: int = 1) -> list[dict[str, object]]:
    """Write the portfolio into a new register at ``path``; return the same tasks for Taskwarrior."""
    rng = random.Random(seed)
    store = open_store(str(path))
    people = [{"id": i, "name": f"Person {i:05d}"} for i in range(1, PEOPLE + 1)]
    engagements = [{"id": i, "name": f"Engagement {i:03d}", "kind": "client", "status": "active",
                    "value": float(rng.randrange(5_000, 500_000, 1_000)), "success_criteria": []}
                   for i in range(1, ENGAGEMENTS + 1)]
    members: dict[int, list[int]] = {}
    stakeholders = []
    for e in engagements:
        chosen = rng.sample(range(1, PEOPLE + 1), 20)
        members[int(e["id"])] = chosen  # type: ignore[call-overload]
        for n, person in enumerate(chosen):
            stakeholders.append({
                "person_id": person, "engagement_id": e["id"], "role": ROLES[n % len(ROLES)],
                "power": rng.randint(0, 5), "interest": rng.randint(0, 5),
                "legitimacy": rng.randint(0, 5), "urgency": rng.randint(0, 5), "stance": "neutral",
                "added_on": (NOW - timedelta(days=365)).date()})
    interactions, participants = [], []
    for i in range(1, 20_001):
        interactions.append({"id": i, "summary": "call", "kind": "call", "direction": "both",
                             "occurred_at": NOW - timedelta(days=rng.uniform(0, 180))})
        participants.append({"interaction_id": i, "person_id": rng.randint(1, PEOPLE)})
    rows, deps, tasks = [], [], []
    uuids = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(asks)]
    for i in range(1, asks + 1):
        engagement = rng.randint(1, ENGAGEMENTS)
        due = NOW + timedelta(days=rng.uniform(-30, 60)) if rng.random() < 0.7 else None
        created = NOW - timedelta(days=rng.uniform(0, 400))
        value = rng.choice((None, 1, 3, 5))
        row = {"id": i, "title": f"Ask {i}", "requester_id": rng.choice(members[engagement]),
               "engagement_id": engagement, "status": rng.choice(("open",) * 8 + ("doing", "waiting")),
               "due_at": due, "effort_hours": rng.choice((None, 0.5, 1, 2, 4, 8)), "value": value,
               "created_at": created}
        rows.append(row)
        task: dict[str, object] = {
            "uuid": uuids[i - 1], "description": row["title"], "status": "pending",
            "entry": _stamp(created), "project": f"Engagement {engagement:03d}"}
        if due:
            task["due"] = _stamp(due)
        if value:
            task["priority"] = {1: "L", 3: "M", 5: "H"}[value]
        if i > 1 and rng.random() < 0.1:
            target = rng.randint(1, i - 1)
            deps.append({"ask_id": i, "depends_on_id": target})
            task["depends"] = [uuids[target - 1]]
        tasks.append(task)
    with store.begin() as conn:
        for table, data in ((schema.person, people), (schema.engagement, engagements),
                            (schema.stakeholder, stakeholders), (schema.interaction, interactions),
                            (schema.interaction_participant, participants), (schema.ask, rows),
                            (schema.ask_dependency, deps)):
            for start in range(0, len(data), 5000):
                conn.execute(insert(table), data[start:start + 5000])
    store.close()
    return tasks


def _stamp(value: datetime) -> str:
    return value.strftime("%Y%m%dT%H%M%SZ")


def timed(command: list[str], env: dict[str, str], runs: int) -> float:
    """The median wall time of ``runs`` runs of a whole process, its output thrown away."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def taskwarrior(folder: Path, tasks: list[dict[str, object]], runs: int) -> float:
    rc = folder / "taskrc"
    # Taskwarrior's defaults, but for what a script needs: no questions, no chatter.
    rc.write_text(f"data.location={folder / 'task'}\nconfirmation=off\nverbose=nothing\n")
    env = dict(os.environ, TASKRC=str(rc), TASKDATA=str(folder / "task"))
    source = folder / "tasks.json"
    source.write_text(json.dumps(tasks))
    subprocess.run(["task", "import", str(source)], env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return timed(["task", "next"], env, runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--task-runs-large", type=int, default=1,
                        help="Taskwarrior runs at 100,000 tasks and above")
    parser.add_argument("--no-taskwarrior", action="store_true")
    args = parser.parse_args()
    patron = str(Path(sys.executable).with_name("patron"))
    use_task = not args.no_taskwarrior and shutil.which("task") is not None
    if not use_task and not args.no_taskwarrior:
        print("task not found: Taskwarrior is left out (apt-get install taskwarrior)")
    print(f"machine: {os.cpu_count()} cores; patron next vs task next, medians of whole processes")
    print(f"{'asks':>8} {'patron s':>9} {'us/ask':>7} {'task s':>9} {'patron/task':>11}")
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            db = folder / "bench.sqlite"
            tasks = generate(db, size)
            env = dict(os.environ, PATRON_NOW=NOW.isoformat(), PATRON_CONFIG=str(folder / "none.toml"))
            ours = timed([patron, "--db", str(db), "next"], env, args.runs)
            theirs = None
            if use_task:
                theirs = taskwarrior(folder, tasks, args.task_runs_large if size >= 100_000 else args.runs)
            ratio = f"{ours / theirs:11.3f}" if theirs else f"{'-':>11}"
            shown = f"{theirs:9.3f}" if theirs else f"{'-':>9}"
            print(f"{size:>8} {ours:9.3f} {ours / size * 1e6:7.2f} {shown} {ratio}", flush=True)


if __name__ == "__main__":
    main()
