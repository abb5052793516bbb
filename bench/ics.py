"""Time ``patron import ics`` beside its parse floor, on SQLite.

The calendar: N single events a day apart, each with an organiser and three attendees from
a pool of 300 addresses across 30 domains, plus 50 weekly series over the window (about
4,500 occurrences more). Three whole processes per size, output thrown away, each side's
median of 3 runs:

- the parse floor: icalendar's ``Calendar.from_ical`` and recurring-ical-events'
  ``of(calendar).between(...)`` over the window Patron uses, on the same file;
- Patron's first import, on a fresh SQLite file;
- the same import again, with nothing changed.

Wall time and CPU time (user + system, of the process) are both printed: the machine may be
shared, and CPU time is what the work costs.

    .venv/bin/python bench/ics.py            # 1,000 and 10,000 single events
"""

from __future__ import annotations

import random
import sqlite3
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from timing import median, shown, timed  # beside this script

SIZES = [int(n) for n in sys.argv[1:]] or [1_000, 10_000]
NOW = datetime(2026, 11, 20, 10, 0)
FLOOR = """
import sys
from datetime import datetime

import recurring_ical_events
from icalendar import Calendar

from patron.importers.ics import Window

window = Window.around(datetime.fromisoformat(sys.argv[2]))  # the window Patron uses
calendar = Calendar.from_ical(open(sys.argv[1], "rb").read())
recurring_ical_events.of(calendar).between(window.since, window.until)
"""


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


def patron(db: Path, path: Path) -> list[str]:
    return [sys.executable, "-m", "patron.cli.main", "--db", str(db), "import", "ics", str(path)]


def main() -> None:
    print("Each cell: wall / CPU time, median of 3.\n")
    print("| single events | meetings | parse floor | first import | unchanged re-import "
          "| import ÷ floor (wall / CPU) | re-import ÷ first (wall / CPU) |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for n in SIZES:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "calendar.ics"
            path.write_text(calendar(n))
            floors, firsts, seconds = [], [], []
            for k in range(3):
                floors.append(timed([sys.executable, "-c", FLOOR, str(path), NOW.isoformat()], NOW))
                db = Path(folder) / f"bench{k}.sqlite"
                firsts.append(timed(patron(db, path), NOW))
                seconds.append(timed(patron(db, path), NOW))
            total = sqlite3.connect(db).execute("SELECT count(*) FROM interaction").fetchone()[0]
        floor, first, second = median(floors), median(firsts), median(seconds)
        print(f"| {n:,} | {total:,} | {shown(floor)} | {shown(first)} | {shown(second)} "
              f"| {first[0] / floor[0]:.2f} / {first[1] / floor[1]:.2f} "
              f"| {second[0] / first[0]:.2f} / {second[1] / first[1]:.2f} |")


if __name__ == "__main__":
    main()
