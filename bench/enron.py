"""The Enron mailboxes of ../shared/data/enron-mbox read once with Patron's own mail parser,
and kept in a cache outside the repository so that each later run costs seconds.

Each mailbox becomes a list of ``Mail``: the envelope (addresses lower-case), the subject,
In-Reply-To, whether the message was sent to many (``domain.bulk``) and the first
``TEXT`` characters of its plain text. The cache is a pickle named after the size and
modification time of every mbox file, under ``$PATRON_BENCH_CACHE`` (default
``/tmp/patron-bench-cache``): a changed file or a changed parser version rebuilds it.

    .venv/bin/python bench/enron.py        # build the cache (about a minute) and say where it is
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from patron.importers import mail as mailparse
from patron.importers.mailfiles import mbox_messages

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
MBOX = SHARED / "enron-mbox"
CACHE = Path(os.environ.get("PATRON_BENCH_CACHE", "/tmp/patron-bench-cache"))
TEXT = 4000
VERSION = 1  # raise when Mail changes


@dataclass(frozen=True, slots=True)
class Mail:
    """What the benches read of one Enron message."""

    message_id: str | None
    sent_at: datetime
    sender: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    subject: str
    in_reply_to: str | None
    bulk: bool
    text: str


def mailboxes(root: Path = MBOX) -> dict[str, list[Mail]]:
    """Every mailbox's messages (each file's, in folder and file order), from the cache when
    it is current."""
    files = sorted(root.glob("*/*.mbox"))
    key = hashlib.sha256(repr((VERSION, TEXT, [(str(p.relative_to(root)), p.stat().st_size,
                                                 p.stat().st_mtime_ns) for p in files])).encode())
    path = CACHE / f"enron-{key.hexdigest()[:16]}.pickle"
    if path.is_file():
        with path.open("rb") as stream:
            found: dict[str, list[Mail]] = _Reader(stream).load()
        return found
    found = {}
    for file in files:
        found.setdefault(file.parent.name, []).extend(_read(file))
    CACHE.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    with partial.open("wb") as stream:
        pickle.dump(found, stream, protocol=pickle.HIGHEST_PROTOCOL)
    partial.replace(path)
    return found


class _Reader(pickle.Unpickler):
    """Finds ``Mail`` whether the cache was written by this module run as a script or imported."""

    def find_class(self, module: str, name: str) -> Any:
        return Mail if name == "Mail" else super().find_class(module, name)


def _read(file: Path) -> list[Mail]:
    found: list[Mail] = []
    for raw in mbox_messages(file):
        draft = mailparse.parse(raw)
        if isinstance(draft, mailparse.MailDraft) and draft.sender is not None:
            found.append(Mail(draft.message_id, draft.date, draft.sender[1],
                              tuple(dict.fromkeys(a for _, a in draft.to)),
                              tuple(dict.fromkeys(a for _, a in draft.cc)),
                              draft.subject, draft.in_reply_to, draft.bulk, draft.text[:TEXT]))
    return found


def main() -> int:
    if not MBOX.is_dir():
        print(f"skipped: {MBOX} is absent")
        return 0
    start = time.perf_counter()
    boxes = mailboxes()
    print(f"{sum(map(len, boxes.values())):,} messages in {len(boxes)} mailboxes, "
          f"{time.perf_counter() - start:.1f} s; cache in {CACHE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
