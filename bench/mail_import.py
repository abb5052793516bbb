"""Benchmark: ``patron import mail`` over the Enron corpus, side by side with ``notmuch new``.

Runs what a user's first import runs: mail imported with asks detected (the 42
mailbox owners, found as the most frequent sender of each mailbox's sent mail, play
"me", so mail to them and from them goes through detection), then influence computed
over everything. It imports the first 10,000, 40,000 and all messages of ../shared/data/enron-mbox (42
mailboxes, about 77,600 messages) into a fresh SQLite register in a temporary folder,
each size in its own process, and prints messages per second, wall time and peak
memory: ``getrusage`` maxrss of the importing process and of its reaped children, and
the largest sum of resident memory over the whole process tree (the importer and its
parsing workers), sampled every 0.1 s. Then the same messages are written to a Maildir
and ``notmuch new`` indexes them (Debian's ``notmuch``; skipped with a message where it
is not installed), and the ratio of the two rates is printed.

    .venv/bin/python bench/mail_import.py                     # 10,000, 40,000 and all
    .venv/bin/python bench/mail_import.py --sizes 10000       # smaller
    .venv/bin/python bench/mail_import.py --no-notmuch        # Patron only

With ``--against REV`` the same import runs side by side with an earlier commit instead
of notmuch: REV (e5eec83 unless named: the code of 2026-11-29, 44.2 s for all of Enron)
is checked out into a temporary ``git worktree``, whose own bench/mail_import.py imports
each size with that tree's ``src`` on ``PYTHONPATH``, as this tree's does with its own.
The two take turns (earlier, this, earlier, this: ``--repeat`` runs each), so the load of
a shared machine weighs on both alike; each run is a whole first import into a fresh
register, printed with the load average at its start, then the medians and their ratio.

    .venv/bin/python bench/mail_import.py --sizes 77623 --against --repeat 3
    .venv/bin/python bench/mail_import.py --sizes 10000 --against 5178e26
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from itertools import islice
from pathlib import Path

from patron.importers import mailfiles
from patron.importers.rawmail import RawMessage

DATA = Path(os.environ.get("PATRON_SHARED_DATA") or Path(__file__).resolve().parents[2] / "shared" / "data")
ENRON = DATA / "enron-mbox"
NOW = datetime(2026, 11, 20, 10, 0)
HERE = Path(__file__).resolve()
EARLIER = "e5eec83"
"""The code the whole first import is held against: 44.2 s for all of Enron on 2026-11-29."""


def enron(limit: int | None) -> Iterator[RawMessage]:
    files, _ = mailfiles.find([ENRON])
    everything = (raw for file in files for raw in mailfiles.messages(file))
    return islice(everything, limit)


_SENDER = re.compile(rb"^From: [^\n]*?([\w.+-]+@[\w.-]+)", re.MULTILINE)


def owners() -> list[str]:
    """Each mailbox's owner: the most frequent sender of its sent mail."""
    found = []
    for mailbox in sorted(p for p in ENRON.iterdir() if p.is_dir()):
        senders: Counter[bytes] = Counter()
        for file in mailbox.glob("*sent*"):
            senders.update(m.lower() for m in _SENDER.findall(file.read_bytes()))
        if senders:
            found.append(senders.most_common(1)[0][0].decode())
    return found


def tree(root: int, cpu: dict[int, float]) -> int:
    """Resident memory (bytes) of a process and all its descendants; ``cpu`` keeps the CPU
    seconds each descendant has used so far (what remains when it exits)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    used: dict[int, float] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    tick = os.sysconf("SC_CLK_TCK")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
        rss[int(entry)] = int(fields[21]) * page
        used[int(entry)] = (int(fields[11]) + int(fields[12])) / tick
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        if pid != root:
            cpu[pid] = max(cpu.get(pid, 0.0), used.get(pid, 0.0))
        todo.extend(children.get(pid, []))
    return total


def one(size: int | None) -> dict[str, float]:
    """Import ``size`` messages into a fresh register; runs in its own process."""
    from sqlalchemy import func, select

    from patron.services.influence import people_influence
    from patron.services.mail import import_messages
    from patron.store import schema
    from patron.store.database import open_store

    peak = [0]
    running = True
    workers: dict[int, float] = {}

    def sample() -> None:
        while running:
            peak[0] = max(peak[0], tree(os.getpid(), workers))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(str(Path(folder) / "bench.sqlite"))
        me = owners()
        start = time.perf_counter()
        outcome = import_messages(store, enron(size), me, NOW)
        imported = time.perf_counter()
        with store.read() as conn:
            ranked = people_influence(conn)
            suggested = conn.execute(select(func.count()).select_from(schema.suggestion)).scalar_one()
        wall = time.perf_counter() - start
        influence = time.perf_counter() - imported
        store.close()
    running = False
    sampler.join()
    done = outcome.created + outcome.unchanged + outcome.skipped
    me = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "main_cpu": me.ru_utime + me.ru_stime, "workers_cpu": sum(workers.values()),
        "messages": done, "created": outcome.created, "skipped": outcome.skipped, "wall": wall,
        "rate": done / (wall - influence), "influence": influence, "suggested": suggested,
        "ranked": len(ranked),
        "self_maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "children_maxrss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "tree_peak_mb": peak[0] / 2**20,
    }


def notmuch(size: int | None) -> dict[str, float] | None:
    """Write the same messages to a Maildir and time ``notmuch new`` on it."""
    if shutil.which("notmuch") is None:
        print("notmuch is not installed (apt-get install notmuch): its half is skipped")
        return None
    with tempfile.TemporaryDirectory() as folder:
        mail = Path(folder) / "mail"
        for sub in ("cur", "new", "tmp"):
            (mail / sub).mkdir(parents=True)
        count = 0
        for count, raw in enumerate(enron(size), start=1):
            (mail / "cur" / f"{count}.bench:2,S").write_bytes(raw.data)
        config = Path(folder) / "notmuch-config"
        config.write_text(f"[database]\npath={mail}\n[user]\nname=Bench\nprimary_email=bench@example.com\n"
                          "[new]\ntags=inbox;\n[maildir]\nsynchronize_flags=false\n")
        start = time.perf_counter()
        subprocess.run(["notmuch", f"--config={config}", "new", "--quiet"], check=True,
                       env={**os.environ, "NOTMUCH_CONFIG": str(config)})
        wall = time.perf_counter() - start
    return {"messages": count, "wall": wall, "rate": count / wall}


def imported(script: Path, size: str) -> dict[str, float]:
    """One import of ``size`` messages in a process of its own, by a tree's own benchmark
    (``script``) with that tree's ``src`` on ``PYTHONPATH``."""
    env = {**os.environ, "PYTHONPATH": str(script.parents[1] / "src"), "PATRON_SHARED_DATA": str(DATA)}
    ran = subprocess.run([sys.executable, str(script), "--one", size], check=True,
                         capture_output=True, text=True, env=env)
    result: dict[str, float] = json.loads(ran.stdout.strip().splitlines()[-1])
    return result


@contextmanager
def checkout(rev: str) -> Iterator[Path]:
    """A commit of this repository checked out into a temporary worktree, removed afterwards."""
    repo = HERE.parents[1]
    with tempfile.TemporaryDirectory(prefix="patron-bench-") as folder:
        tree = Path(folder) / "tree"
        subprocess.run(["git", "-C", str(repo), "worktree", "add", "--quiet", "--detach", str(tree), rev],
                       check=True)
        try:
            yield tree
        finally:
            subprocess.run(["git", "-C", str(repo), "worktree", "remove", "--force", str(tree)], check=True)


def _commit(tree: Path) -> str:
    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(tree), *args], check=True, capture_output=True,
                              text=True).stdout.strip()
    return git("rev-parse", "--short", "HEAD") + ("+changes" if git("status", "--porcelain", "src") else "")


def against(rev: str, sizes: list[str], repeat: int) -> None:
    """Each size imported by ``rev``'s code and by this tree's in turns, ``repeat`` times each."""
    with checkout(rev) as tree:
        earlier = tree / "bench" / "mail_import.py"
        if not earlier.is_file():
            sys.exit(f"{rev} has no bench/mail_import.py to run its own import with")
        codes = {_commit(tree): earlier, _commit(HERE.parents[1]): HERE}
        print(f"{'code':>15} {'messages':>9} {'total s':>7} {'infl. s':>7} {'asks':>6} {'main cpu':>8} "
              f"{'workers':>8} {'load':>5}")
        for size in sizes:
            walls: dict[str, list[float]] = {code: [] for code in codes}
            for _ in range(repeat):
                for code, script in codes.items():
                    load = os.getloadavg()[0]
                    ours = imported(script, size)
                    walls[code].append(ours["wall"])
                    print(f"{code:>15} {ours['messages']:>9,.0f} {ours['wall']:>7.1f} "
                          f"{ours['influence']:>7.1f} {ours['suggested']:>6.0f} {ours['main_cpu']:>8.1f} "
                          f"{ours['workers_cpu']:>8.1f} {load:>5.2f}", flush=True)
            (old, old_walls), (new, new_walls) = walls.items()
            before, after = statistics.median(old_walls), statistics.median(new_walls)
            print(f"{size} messages, median of {repeat}: {old} {before:.1f} s, {new} {after:.1f} s, "
                  f"ratio {after / before:.2f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="*", default=["10000", "40000", "all"])
    parser.add_argument("--no-notmuch", action="store_true")
    parser.add_argument("--against", nargs="?", const=EARLIER, metavar="REV",
                        help=f"run side by side with commit REV ({EARLIER} if not named), not notmuch")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each code with --against")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(None if args.one == "all" else int(args.one))))
        return
    if not ENRON.is_dir():
        sys.exit(f"{ENRON} is not there: this benchmark reads the shared Enron mboxes")
    if args.against:
        against(args.against, args.sizes, args.repeat)
        return
    print(f"{'messages':>9} {'total s':>7} {'infl. s':>7} {'asks':>6} {'msg/s':>7} {'main cpu':>8} "
          f"{'workers':>8} {'self MB':>8} "
          f"{'children MB':>11} {'tree MB':>8} {'notmuch s':>9} {'nm msg/s':>8} {'ratio':>6}")
    for size in args.sizes:
        ours = imported(HERE, size)
        theirs = None if args.no_notmuch else notmuch(None if size == "all" else int(size))
        nm = (f"{theirs['wall']:>9.1f} {theirs['rate']:>8.0f} {ours['rate'] / theirs['rate']:>6.1f}"
              if theirs else f"{'-':>9} {'-':>8} {'-':>6}")
        print(f"{ours['messages']:>9,.0f} {ours['wall']:>7.1f} {ours['influence']:>7.1f} "
              f"{ours['suggested']:>6.0f} {ours['rate']:>7.0f} "
              f"{ours['main_cpu']:>8.1f} {ours['workers_cpu']:>8.1f} "
              f"{ours['self_maxrss_mb']:>8.0f} {ours['children_maxrss_mb']:>11.0f} "
              f"{ours['tree_peak_mb']:>8.0f} {nm}", flush=True)

if __name__ == "__main__":
    main()
