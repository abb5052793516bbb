"""Benchmark: ``patron search`` on a mailbox of 80,000 messages, and what the index costs.

Imports ../shared/data/enron-mbox (77,623 messages, as ``bench/mail_import.py`` reads
it) into a fresh SQLite register twice: once as Patron does (the search index kept by
triggers while mail comes in), once with the index taken away first, and then built in
one pass from the imported records (what migration 0006 and ``restore`` do). Where the
Enron mboxes are absent, 80,000 messages are generated with ``patron.samples.orgmail``
instead (said so in the output).

Then searches run through the service, as the web page calls it, on the open register:
common words, rare words, prefixes and two-word queries, across every kind (50 hits at
most) and touchpoints only; each query 40 times after one warm-up, p50 and p95 printed.

    .venv/bin/python bench/search.py                   # import twice, then search
    .venv/bin/python bench/search.py --work /tmp/sb    # keep the registers there, reuse them
    .venv/bin/python bench/search.py --no-import-cost  # one import only
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

DATA = Path(os.environ.get("PATRON_SHARED_DATA") or Path(__file__).resolve().parents[2] / "shared" / "data")
ENRON = DATA / "enron-mbox"
NOW = datetime(2026, 11, 20, 10, 0)
GENERATED = 80_000

QUERIES = {
    "common": ["re", "enron", "meeting", "a", "gas"],
    "rare": ["budget", "california", "skilling", "reconciliation", "zebra"],
    "two words": ["gas price", "jeff skil", "energy california", "power plant"],
}
RUNS = 40


def mail_source(work: Path) -> tuple[Path, str]:
    """The folder of mail to import, and what it is."""
    if ENRON.is_dir():
        return ENRON, f"the Enron subset ({ENRON})"
    from patron.samples.orgmail import generate, write_mbox

    folder = work / "generated"
    if not folder.is_dir():
        folder.mkdir(parents=True)
        write_mbox(generate(1, employees=400, outsiders=200, messages=GENERATED), folder / "org.mbox")
    return folder, f"{GENERATED:,} generated messages ({ENRON} is absent)"


def cpu() -> float:
    """CPU seconds of this process: the importer, which writes (and runs the triggers);
    the parsing workers are other processes. Less swayed by other work on the machine
    than the wall clock."""
    used = resource.getrusage(resource.RUSAGE_SELF)
    return used.ru_utime + used.ru_stime


def imported(register: Path, mail: Path, with_index: bool) -> tuple[float, float]:
    """Import the mail into a fresh register; its wall and importer CPU seconds (0 when
    reused)."""
    from patron.services.mail import import_files, plan
    from patron.store import search
    from patron.store.database import open_store

    if register.exists():
        return 0.0, 0.0
    store = open_store(str(register))
    if not with_index:
        with store.begin() as conn:
            search.uninstall(conn)
    start, began = time.perf_counter(), cpu()
    import_files(store, plan(store, [mail]), [], NOW)
    seconds, used = time.perf_counter() - start, cpu() - began
    store.close()
    return seconds, used


def built(register: Path) -> float:
    """Build the index in one pass over the records of a register imported without it."""
    from patron.store import search
    from patron.store.database import open_store

    store = open_store(str(register))
    start = time.perf_counter()
    with store.begin() as conn:
        search.uninstall(conn)
        search.install(conn)
    seconds = time.perf_counter() - start
    store.close()
    return seconds


def percentiles(samples: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(samples, n=20, method="inclusive")
    return statistics.median(samples), cuts[18]


def searches(register: Path) -> None:
    from patron.services.search import search
    from patron.store.database import open_store

    store = open_store(str(register), create=False)
    print(f"\n{'query':<22} {'kinds':<12} {'hits':>5} {'p50 ms':>8} {'p95 ms':>8}")
    everything: list[float] = []
    with store.read() as conn:
        for group, words in QUERIES.items():
            for query in words:
                for kinds in (None, ["touchpoints"]):
                    hits = search(conn, query, kinds=kinds)
                    times = []
                    for _ in range(RUNS):
                        start = time.perf_counter()
                        search(conn, query, kinds=kinds)
                        times.append((time.perf_counter() - start) * 1000)
                    everything += times
                    p50, p95 = percentiles(times)
                    print(f"{query + ' (' + group + ')':<22} {'touchpoints' if kinds else 'all':<12} "
                          f"{len(hits):>5} {p50:>8.1f} {p95:>8.1f}")
    p50, p95 = percentiles(everything)
    print(f"{'every query above':<22} {'':<12} {'':>5} {p50:>8.1f} {p95:>8.1f}")
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, help="keep the registers here and reuse them")
    parser.add_argument("--no-import-cost", action="store_true",
                        help="import once, with the index; skip the import without it")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="patron-search-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    mail, what = mail_source(work)
    print(f"mail: {what}; registers in {work}; load {os.getloadavg()[0]:.1f}")
    with_index = work / "with-index.sqlite"
    seconds, used = imported(with_index, mail, with_index=True)
    print(f"import with the index kept by triggers: {seconds:.1f} s, importer cpu {used:.1f} s"
          if seconds else f"import with the index: reused {with_index}")
    if not args.no_import_cost:
        without = work / "without-index.sqlite"
        bare, bare_used = imported(without, mail, with_index=False)
        if bare:
            print(f"import without the index: {bare:.1f} s, importer cpu {bare_used:.1f} s")
            if seconds:
                print(f"cost of keeping the index during the import: {seconds - bare:+.1f} s "
                      f"({(seconds - bare) / bare:+.1%}), importer cpu {used - bare_used:+.1f} s "
                      f"({(used - bare_used) / bare_used:+.1%})")
        print(f"building the index once over the imported records: {built(without):.2f} s")
        without.unlink()
    searches(with_index)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
