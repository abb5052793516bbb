"""Time ``patron import ics`` on the hostile calendars of tests/fixtures/ics.

Each fixture holds one hostile repeating event and a good weekly one. For each: the whole
import as a process on a fresh SQLite file (wall time, CPU time and peak resident memory of
that process), and, in this process, the CPU time ``ics.parse`` takes to read the file into
drafts (median of 5): the expansion's own share. A file with only the good event gives the
fixed cost to compare with.

    .venv/bin/python bench/ics_hostile.py
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "ics"
NOW = datetime(2026, 11, 20, 10, 0)
GOOD_ONLY = "good_weekly_only"
GENERATED = {  # hostile rules beyond the fixtures, written beside the good event
    "minutely_since_2020": ("DTSTART:20200101T090000", "RRULE:FREQ=MINUTELY"),
    "sparse_secondly": ("DTSTART:20261101T090000", "RRULE:FREQ=SECONDLY;BYHOUR=9;BYMINUTE=0;BYSECOND=0"),
}


def files(folder: Path) -> list[Path]:
    """The good event of a fixture alone, the hostile fixtures, and the generated rules."""
    hostile = sorted(FIXTURES.glob("rrule_*.ics"))
    text = hostile[0].read_text()
    head, rest = text.split("BEGIN:VEVENT", 1)
    good_event = "BEGIN:VEVENT" + rest.split("BEGIN:VEVENT", 1)[1]
    good = folder / f"{GOOD_ONLY}.ics"
    good.write_text(head + good_event)
    generated = []
    for name, lines in GENERATED.items():
        event = "".join(f"{line}\r\n" for line in ("BEGIN:VEVENT", f"UID:{name}", *lines,
                                                     f"SUMMARY:{name}", "END:VEVENT"))
        path = folder / f"{name}.ics"
        path.write_text(head + event + good_event)
        generated.append(path)
    return [good, *hostile, *generated]


def whole_import(path: Path, db: Path) -> tuple[float, float, int, str]:
    """Wall seconds, CPU seconds and peak memory (KB) of one import process, and its summary."""
    env = {**os.environ, "PATRON_NOW": NOW.isoformat(), "CI": "1", "TZ": "Europe/Berlin"}
    began = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "patron.cli.main", "--db", str(db), "import", "ics",
                              str(path)], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert child.stdout is not None
    summary = child.stdout.read().decode().strip().splitlines()[-1]
    _, _, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - began
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, summary


def parse_time(path: Path) -> tuple[float, int]:
    """Median CPU seconds of reading the file into drafts in this process (CPU rather than
    wall time: the machine is shared), and the drafts."""
    from patron.importers import ics

    text, window = path.read_text(), ics.Window.around(NOW)
    times, drafts = [], 0
    for _ in range(5):
        began = time.process_time()
        found, _ = ics.parse(text, str(path), window)
        times.append(time.process_time() - began)
        drafts = len(found)
    return statistics.median(times), drafts


def main() -> None:
    os.environ["TZ"] = "Europe/Berlin"
    time.tzset()
    print("| file | meetings | reading it (CPU, in process) | whole import: wall | CPU | peak memory |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    with tempfile.TemporaryDirectory() as folder:
        for path in files(Path(folder)):
            wall, cpu, peak, summary = whole_import(path, Path(folder) / f"{path.stem}.sqlite")
            parsed, drafts = parse_time(path)
            created = summary.split(":", 1)[1].split(",")[0].strip()
            print(f"| {path.name} | {drafts:,} ({created}) | {parsed:.3f} s | {wall:.2f} s | "
                  f"{cpu:.2f} s | {peak / 1024:.0f} MB |")


if __name__ == "__main__":
    main()
