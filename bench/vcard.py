"""How long `patron import vcard` takes on a big address book, first run and again, side
by side with vobject parsing the same file.

    .venv/bin/python bench/vcard.py            # 1,000 and 10,000 cards

Cards are vCard 3.0 with a name, one or two addresses (half at company
domains, shared by ten people each), an organisation, a title, a phone and
a note; one in a hundred is broken. Each run is a whole `patron` process on
a fresh SQLite file; the second import of the same file changes nothing.
The parse floor is ``vobject.readComponents`` reading the file in this
process (broken lines skipped). The ratios use CPU seconds: wall-clock time
on a shared machine says more about the neighbours.
"""

from __future__ import annotations

import io
import logging
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


def floor(text: str) -> float:
    """CPU seconds for vobject to parse every card of the book."""
    import vobject  # type: ignore[import-untyped]

    logging.getLogger("vobject.base").setLevel(logging.CRITICAL)  # the broken lines
    started = time.process_time()
    for _ in vobject.readComponents(io.StringIO(text), ignoreUnreadable=True):
        pass
    return time.process_time() - started


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
    print("| cards | vobject parse (CPU) | first import (wall / CPU) | again, unchanged (wall / CPU) "
          "| first / parse | again / first |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    for size in (1_000, 10_000):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "book.vcf"
            text = book(size)
            path.write_text(text, encoding="utf-8")
            parse = floor(text)
            db = Path(folder) / "bench.sqlite"
            wall, first, summary = run(db, path)
            wall_again, again, _ = run(db, path)
            print(f"| {size:,} | {parse:.1f} s | {wall:.1f} s / {first:.1f} s "
                  f"| {wall_again:.1f} s / {again:.1f} s | {first / parse:.1f} | {again / first:.2f} "
                  f"|  <!-- {summary} -->")


if __name__ == "__main__":
    main()
