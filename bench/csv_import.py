"""How long `patron import csv` takes on big sheets, side by side with reading them.

    .venv/bin/python bench/csv_import.py            # 10,000 asks, people and time entries

The asks sheet has a title, a requester (name and address; 2,000 people, a
fifth of them new to the register on each run's first import), an engagement
(20), a due date, tags, an effort and a priority; the people sheet a name,
an address (half at company domains shared by ten people), an organisation,
a title, a phone and a note; the time sheet a day (84 of them), a project (20), hours and a
note, as Harvest writes it. One row in a hundred of asks and people is broken. Each import is
a whole `patron` process on a fresh SQLite file, run twice: the second run
reads the same file and changes nothing. The parse floor is Python's csv
module reading the same file in this process. CPU seconds are what the
ratios use (wall-clock time says more about the neighbours on a shared
machine).
"""

from __future__ import annotations

import csv
import io
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def asks(size: int) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["Title", "Requester", "Project", "Due", "Tags", "Effort", "Priority", "Status"])
    for i in range(size):
        person = i % 2_000
        due = "next week" if i % 100 == 99 else f"2027-{1 + i % 12:02d}-{1 + i % 28:02d}"
        due = "the day after never" if i % 100 == 99 else due
        writer.writerow([f"Ask number {i}", f"Person {person} <person{person}@firm{person // 10}.example>",
                         f"Project {i % 20}", due, f"bench, t{i % 7}", str(1 + i % 9),
                         "HML"[i % 3], "open" if i % 5 else "doing"])
    return out.getvalue()


def people(size: int) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["Name", "E-mail Address", "Company", "Job Title", "Mobile Phone", "Notes"])
    for i in range(size):
        domain = f"firm{i // 10}.example" if i % 2 else "gmail.com"
        address = "not an address" if i % 100 == 99 else f"person{i}@{domain}"
        writer.writerow([f"Person {i} Example", address, f"Firm {i // 10}", "Director",
                         f"+44 20 {i:07d}", "Met at the conference"])
    return out.getvalue()


def times(size: int) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["Date", "Project", "Hours", "Notes"])
    for i in range(size):
        writer.writerow([f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}", f"Project {i % 20}", str(1 + i % 4),
                         f"work {i}"])
    return out.getvalue()


def floor(path: Path) -> float:
    """CPU seconds for Python's csv module to read the file: the least any import can take."""
    started = time.process_time()
    with path.open(newline="", encoding="utf-8") as handle:
        for _ in csv.reader(handle):
            pass
    return time.process_time() - started


def cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def run(db: Path, path: Path, table: str) -> tuple[float, float, str]:
    """Wall-clock and CPU seconds of one whole `patron import csv` process, and its summary."""
    started, spent = time.perf_counter(), cpu()
    done = subprocess.run([sys.executable, "-m", "patron.cli.main", "--db", str(db), "import", "csv",
                           "--table", table, str(path)], capture_output=True, text=True, check=True)
    return time.perf_counter() - started, cpu() - spent, done.stdout.strip()


def main() -> None:
    print("| sheet | csv module | first import (wall / CPU) | again (wall / CPU) "
          "| first / csv | again / first |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for table, make, size in (("asks", asks, 10_000), ("people", people, 10_000), ("time", times, 10_000)):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"{table}.csv"
            path.write_text(make(size), encoding="utf-8")
            db = Path(folder) / "bench.sqlite"
            parse = floor(path)
            wall, first, summary = run(db, path, table)
            wall_again, again, _ = run(db, path, table)
            print(f"| {size:,} {table} | {parse:.2f} s | {wall:.1f} s / {first:.1f} s "
                  f"| {wall_again:.1f} s / {again:.1f} s | {first / parse:.0f}x "
                  f"| {again / first:.2f} |  <!-- {summary} -->")


if __name__ == "__main__":
    main()
