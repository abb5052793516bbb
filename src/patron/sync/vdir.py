"""A vdir folder: one ``.ics`` file a task, as vdirsyncer, khal and todoman keep them.

A task's href is its file name and its ETag the SHA-256 of the file's bytes (an mtime can
stay the same across two writes within its resolution; the bytes cannot lie).
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from datetime import datetime
from pathlib import Path

from patron.errors import InvalidInput, RemoteFailed
from patron.sync import ical
from patron.sync.base import Listing, Remote, Task


class VdirStore:
    def __init__(self, folder: Path, now: datetime) -> None:
        if not folder.is_dir():
            raise InvalidInput(f"{folder}: no such folder (a vdir is a folder of .ics files)")
        self.folder = folder.resolve()
        self.now = now

    @property
    def target(self) -> str:
        return f"vdir:{self.folder}"

    def tasks(self) -> Listing:
        listing = Listing()
        try:
            paths = sorted(self.folder.glob("*.ics"))
        except OSError as exc:
            raise RemoteFailed(f"{self.folder}: cannot read the folder ({exc.strerror})") from None
        for path in paths:
            try:
                data = path.read_bytes()
                text = data.decode("utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                listing.unreadable[path.name] = str(exc)
                continue
            try:
                task = ical.parse(text)
            except ical.NotATask:
                continue  # an event beside the tasks: not ours to sync
            except ValueError as exc:
                listing.unreadable[path.name] = str(exc)
                continue
            listing.tasks.append(Remote(path.name, _etag(data), task, text))
        return listing

    def put(self, task: Task, previous: Remote | None) -> Remote:
        text = ical.render(task, previous.text if previous else None, self.now)
        href = previous.href if previous else _file_name(task.uid, self.folder)
        data = text.encode("utf-8")
        _write_atomically(self.folder / href, data)
        return Remote(href, _etag(data), ical.parse(text), text)

    def delete(self, remote: Remote) -> None:
        try:
            (self.folder / remote.href).unlink(missing_ok=True)
        except OSError as exc:
            raise RemoteFailed(f"{self.folder / remote.href}: cannot delete ({exc.strerror})") from None


def _etag(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _file_name(uid: str, folder: Path) -> str:
    """The UID made safe as a file name (vdirsyncer's habit), unique in the folder."""
    base = re.sub(r"[^A-Za-z0-9@._-]", "_", uid)[:120] or "task"
    name, n = f"{base}.ics", 1
    while (folder / name).exists():
        n += 1
        name = f"{base}-{n}.ics"
    return name


def _write_atomically(path: Path, data: bytes) -> None:
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".patron-", suffix=".tmp")
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except OSError as exc:
        raise RemoteFailed(f"{path}: cannot write ({exc.strerror})") from None
