"""How long `patron import vcard` takes on a big address book, first run and again.

    .venv/bin/python bench/vcard.py            # 1,000 and 10,000 cards

Cards are vCard 3.0 with a name, one or two addresses (half at company
domains, shared by ten people each), an organisation, a title, a phone and
a note; one in a hundred is broken. Each run is a whole `patron` process on
a fresh SQLite file; the second import of the same file changes nothing.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def book(size: int) -> str:
    cards = []
    for i in range(size):
        if i % 100 == 99:
            cards.append("BEGIN:VCARD\r\nVERSION:3.0\r\nthis line is broken\r\nEND:VCARD\r\n")
            continue
        domain = f"firm{i // 10}.example" if i % 2 else "gmail.com"
        lines = [f"FN:Person {i} Example", f"N:Example;Person {i};;;", f"EMAIL:person{i}@{domain}",
                 f"ORG:Firm {i // 10}", "TITLE:Director", f"TEL:+44 20 {i:07d}",
                 "NOTE:Met at the conference\\nfollow up in spring"]
        if i % 3 == 0:
            lines.append(f"EMAIL:p{i}@home.example")
        cards.append("BEGIN:VCARD\r\nVERSION:3.0\r\n" + "".join(f"{x}\r\n" for x in lines) + "END:VCARD\r\n")
    return "".join(cards)


def cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def run(db: Path, path: Path) -> tuple[float, float, str]:
    """Wall-clock and CPU seconds of one whole `patron import vcard` process (CPU time says
    more on a shared machine), and its summary line."""
    started, spent = time.perf_counter(), cpu()
    done = subprocess.run([sys.executable, "-m", "patron.cli.main", "--db", str(db), "import", "vcard",
                           str(path)], capture_output=True, text=True, check=True)
    return time.perf_counter() - started, cpu() - spent, done.stdout.strip()


def main() -> None:
    print("| cards | first import (wall / CPU) | cards/s (CPU) | again, unchanged (wall / CPU) |")
    print("| ---: | ---: | ---: | ---: |")
    for size in (1_000, 10_000):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "book.vcf"
            path.write_text(book(size), encoding="utf-8")
            db = Path(folder) / "bench.sqlite"
            wall, first, summary = run(db, path)
            wall_again, again, _ = run(db, path)
            print(f"| {size:,} | {wall:.1f} s / {first:.1f} s | {size / first:,.0f} "
                  f"| {wall_again:.1f} s / {again:.1f} s |  <!-- {summary} -->")


if __name__ == "__main__":
    main()
