"""Benchmark: ``patron export`` and ``patron restore`` of the Enron register.

Imports ../shared/data/enron-mbox (every mbox file, the 42 mailbox owners as "me",
so asks are suggested, and each file marked read in import_state) into a fresh
SQLite register, exports it, restores the export into a new register, exports that
again and checks the two documents are byte for byte the same. Each step runs in
its own process, as the command would, so its peak memory (getrusage maxrss) is its
own. Prints export and restore time (wall and CPU, medians of --repeat runs), their
ratio (the goal: restore at most twice the export), the document's size and each
step's peak memory.

    .venv/bin/python bench/backup.py                 # import, then export/restore/export
    .venv/bin/python bench/backup.py --work /tmp/bk  # keep the imported register there
                                                     # and reuse it on the next run
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

DATA = Path(os.environ.get("PATRON_SHARED_DATA") or Path(__file__).resolve().parents[2] / "shared" / "data")
ENRON = DATA / "enron-mbox"
NOW = datetime(2026, 11, 20, 10, 0)


def step_import(register: Path) -> dict[str, float]:
    sys.path.insert(0, str(Path(__file__).parent))
    from mail_import import owners  # the same "me" as the mail benchmark

    from patron.services import imports
    from patron.services.mail import files_import
    from patron.store.database import open_store

    store = open_store(str(register))
    start = time.perf_counter()
    outcome = imports.run(store, files_import(store, [ENRON], owners(), NOW))
    store.close()
    return {"seconds": time.perf_counter() - start, "messages": outcome.created}


def step_export(register: Path, target: Path) -> dict[str, float]:
    """What ``patron export -o`` runs."""
    from patron.services import backup
    from patron.store.database import open_store

    start = time.perf_counter()
    store = open_store(str(register), create=False)
    with store.read() as conn:
        backup.write_atomically(target, backup.export_text(conn))
    store.close()
    return {"seconds": time.perf_counter() - start}


def step_restore(source: Path, register: Path) -> dict[str, float]:
    """What ``patron restore`` runs."""
    from patron.services import backup
    from patron.store.database import open_store

    start = time.perf_counter()
    document = backup.loads(source.read_text(encoding="utf-8"), str(source), NOW.date())
    store = open_store(str(register))
    with store.begin() as conn:
        counts = backup.restore(conn, document)
    store.close()
    return {"seconds": time.perf_counter() - start, "rows": sum(counts.values())}


def run(*args: str) -> dict[str, float]:
    """One step in its own process; its figures and peak memory."""
    ran = subprocess.run([sys.executable, __file__, "--step", *args], check=True,
                         capture_output=True, text=True)
    return dict(json.loads(ran.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", type=Path, help="keep (and reuse) the imported register here")
    parser.add_argument("--repeat", type=int, default=3,
                        help="export and restore this many times; medians are shown")
    parser.add_argument("--step", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        name, *paths = args.step
        steps = {"import": step_import, "export": step_export, "restore": step_restore}
        figures = steps[name](*map(Path, paths))
        used = resource.getrusage(resource.RUSAGE_SELF)
        figures["maxrss_mb"] = used.ru_maxrss / 1024
        figures["cpu"] = used.ru_utime + used.ru_stime
        print(json.dumps(figures))
        return
    if not ENRON.is_dir():
        print(f"skipped: {ENRON} is not there (this benchmark reads the shared Enron mboxes)")
        return
    with tempfile.TemporaryDirectory() as scratch:
        work = args.work or Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        imported = work / "imported.sqlite"
        if not imported.exists():
            figures = run("import", str(imported))
            print(f"import: {figures['messages']:,.0f} messages in {figures['seconds']:.1f} s")
        first, second = work / "a.json", work / "b.json"
        restored = work / "restored.sqlite"
        exports, restores, same = [], [], True
        for _ in range(args.repeat):
            restored.unlink(missing_ok=True)
            exports.append(run("export", str(imported), str(first)))
            restores.append(run("restore", str(first), str(restored)))
            run("export", str(restored), str(second))
            same = same and first.read_bytes() == second.read_bytes()
        export, restore = median(exports), median(restores)
        print(f"{'rows':>9} {'MB':>6} {'export s':>8} {'restore s':>9} {'ratio':>5} "
              f"{'export cpu':>10} {'restore cpu':>11} {'cpu ratio':>9} "
              f"{'export MB':>9} {'restore MB':>10} identical")
        print(f"{restore['rows']:>9,.0f} {first.stat().st_size / 2**20:>6.1f} "
              f"{export['seconds']:>8.2f} {restore['seconds']:>9.2f} "
              f"{restore['seconds'] / export['seconds']:>5.2f} "
              f"{export['cpu']:>10.2f} {restore['cpu']:>11.2f} "
              f"{restore['cpu'] / export['cpu']:>9.2f} "
              f"{export['maxrss_mb']:>9.0f} {restore['maxrss_mb']:>10.0f} {'yes' if same else 'NO'}")
        if not same:
            sys.exit("the second export differs from the first")


def median(runs: list[dict[str, float]]) -> dict[str, float]:
    """Each figure's median over the runs (the machine is shared; single runs wander)."""
    return {key: statistics.median(r[key] for r in runs) for key in runs[0]}


if __name__ == "__main__":
    main()
