"""Time ``patron import ics``: a first import and an unchanged second one, on SQLite.

The calendar: N single events a day apart, each with an organiser and three attendees from
a pool of 300 addresses across 30 domains, plus 50 weekly series over the window (about
4,500 occurrences more). Whole processes, output thrown away; the median of 3 runs.

    .venv/bin/python bench/ics.py            # 1,000 and 10,000 single events
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

SIZES = [int(n) for n in sys.argv[1:]] or [1_000, 10_000]
NOW = datetime(2026, 11, 20, 10, 0)


def calendar(n: int) -> str:
    rng = random.Random(n)
    people = [f"person{i}@org{i % 30}.example" for i in range(300)]
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//bench//EN"]
    for i in range(n):
        start = NOW - timedelta(days=n - i) + timedelta(hours=rng.randint(0, 8))
        who = rng.sample(people, 4)
        lines += ["BEGIN:VEVENT", f"UID:single-{i}", f"DTSTART:{start:%Y%m%dT%H%M%S}Z",
                  f"SUMMARY:Meeting {i}", f"DESCRIPTION:Agenda for meeting {i}",
                  f"ORGANIZER;CN=Person {who[0]}:mailto:{who[0]}",
                  *(f"ATTENDEE;PARTSTAT=ACCEPTED:mailto:{w}" for w in who[1:]), "END:VEVENT"]
    for s in range(50):
        start = NOW - timedelta(days=400 - s)
        lines += ["BEGIN:VEVENT", f"UID:series-{s}", f"DTSTART;TZID=Europe/Berlin:{start:%Y%m%dT100000}",
                  "RRULE:FREQ=WEEKLY", f"SUMMARY:Weekly {s}", f"ATTENDEE:mailto:{people[s]}",
                  "END:VEVENT"]
    return "\r\n".join([*lines, "END:VCALENDAR", ""])


def run(db: Path, path: Path) -> float:
    env = {**os.environ, "PATRON_NOW": NOW.isoformat(), "CI": "1"}
    began = time.perf_counter()
    subprocess.run([sys.executable, "-m", "patron.cli.main", "--db", str(db), "import", "ics",
                    str(path)], check=True, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - began


def main() -> None:
    print("| single events | occurrences in all | first import | second import (unchanged) |")
    print("| ---: | ---: | ---: | ---: |")
    for n in SIZES:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "calendar.ics"
            path.write_text(calendar(n))
            firsts, seconds = [], []
            for k in range(3):
                db = Path(folder) / f"bench{k}.sqlite"
                firsts.append(run(db, path))
                seconds.append(run(db, path))
            import sqlite3

            total = sqlite3.connect(db).execute("SELECT count(*) FROM interaction").fetchone()[0]
        print(f"| {n:,} | {total:,} | {statistics.median(firsts):.2f} s | "
              f"{statistics.median(seconds):.2f} s |")


if __name__ == "__main__":
    main()
