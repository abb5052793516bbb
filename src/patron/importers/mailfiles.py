"""Mail on disk: Maildir folders (and trees of them, Maildir++ ``.Folder`` subfolders),
mbox files and single-message files (``.eml``), told apart by their shape and first bytes.

``find`` walks the paths given and names every mail file with its kind; ``messages``
reads one file as ``RawMessage`` values. An mbox is streamed in blocks and split on its
``From `` lines at byte level, so memory stays bounded by the largest message, never
the file. Nothing here knows SQL.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal

from patron.importers.base import Problem
from patron.importers.rawmail import RawMessage

Kind = Literal["mbox", "message"]

BLOCK = 1 << 20
RESCAN = 8192
MAX_MESSAGE = 32 << 20
"""Bytes of one message handed on: beyond are attachments nobody reads; the cut keeps a
message of hundreds of megabytes from being copied to a worker whole."""
SNIFF = 4096
_SKIPPED_DIRS = frozenset({".notmuch", ".git", "__pycache__"})
_HEADER = re.compile(rb"[!-9;-~]+:")  # a header field name and its colon
_FROM_LINE = re.compile(rb"From \S*.*\d\d?:\d\d")  # "From sender Mon Apr 18 14:23:23 2022"
_ESCAPED_FROM = re.compile(rb"(?m)^>(>*From )")


@dataclass(frozen=True)
class MailFile:
    """A file that holds mail: one message, or an mbox of many."""

    path: Path
    kind: Kind
    size: int
    mtime_ns: int


def find(paths: Iterable[Path]) -> tuple[list[MailFile], list[Problem]]:
    """Every mail file under ``paths`` (folders walked in name order), and the files that
    are not mail (binary, or neither a message nor an mbox) as problems."""
    found: list[MailFile] = []
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir():
            for file in _walk(path):
                _classify(file, found, problems)
        elif path.is_file():
            _classify(path, found, problems)
        else:
            problems.append(Problem(str(path), "no such file or folder"))
    return found, problems


def _walk(folder: Path) -> Iterator[Path]:
    for root, dirs, files in os.walk(folder):
        maildir = "cur" in dirs or "new" in dirs  # its tmp/ holds mail still being delivered
        dirs[:] = sorted(d for d in dirs if d not in _SKIPPED_DIRS and not (maildir and d == "tmp")
                         and not _hidden_plain(root, d))
        for name in sorted(files):
            if not name.startswith("."):
                yield Path(root, name)


def _hidden_plain(root: str, name: str) -> bool:
    """A hidden folder that is not a Maildir++ subfolder (those have cur/ or new/)."""
    if not name.startswith("."):
        return False
    full = os.path.join(root, name)
    return not (os.path.isdir(os.path.join(full, "cur")) or os.path.isdir(os.path.join(full, "new")))


def _classify(path: Path, found: list[MailFile], problems: list[Problem]) -> None:
    try:
        stat = path.stat()
        with path.open("rb") as stream:
            head = stream.read(SNIFF)
    except OSError as exc:
        problems.append(Problem(str(path), f"cannot read it ({exc.strerror or exc})"))
        return
    kind = sniff(head)
    if kind is None:
        problems.append(Problem(str(path), "not a mail file (neither a message nor an mbox)"))
        return
    found.append(MailFile(path, kind, stat.st_size, stat.st_mtime_ns))


def sniff(head: bytes) -> Kind | None:
    """What a file's first bytes say it is: an mbox starts with a ``From `` line, a message
    with a header field; anything else (binary files start otherwise) is not mail."""
    if not head.strip():
        return None
    if head.startswith(b"From "):
        return "mbox"
    first = head.lstrip(b"\r\n").split(b"\n", 1)[0]
    return "message" if _HEADER.match(first) else None


@dataclass(frozen=True)
class FileMessage(RawMessage):
    """A message with the file it was read from: its place in the files read."""

    file: int


def read(files: Sequence[MailFile], problems: list[Problem], failed: set[int]) -> Iterator[FileMessage]:
    """The messages of every file, in order, each with its file's place in ``files``; a file
    that cannot be read to its end is added to ``problems`` and its place to ``failed``."""
    for index, file in enumerate(files):
        try:
            for raw in messages(file):
                yield FileMessage(raw.where, raw.data, index)
        except OSError as exc:
            failed.add(index)
            problems.append(Problem(str(file.path), f"cannot read it ({exc.strerror or exc})"))


def messages(file: MailFile) -> Iterator[RawMessage]:
    """The messages of one file, in file order."""
    if file.kind == "message":
        with file.path.open("rb") as stream:
            yield RawMessage(str(file.path), stream.read(MAX_MESSAGE))
        return
    yield from mbox_messages(file.path)


def mbox_messages(path: Path) -> Iterator[RawMessage]:
    """An mbox's messages, split on ``From `` lines (the envelope line dropped, ``>From ``
    escapes undone), read block by block."""
    with path.open("rb") as stream:
        for number, (offset, data) in enumerate(_split(stream), start=1):
            yield RawMessage(f"{path}, message {number} at byte {offset}", _unescape(data[:MAX_MESSAGE]))


def _split(stream: BinaryIO) -> Iterator[tuple[int, bytes]]:
    read = stream.read
    buffer = b""
    base = 0  # the file offset of buffer[0]
    start = 0  # where the current message's From line starts, in buffer
    at_end = False
    resume = 1  # where to look for the next separator: what is scanned is not scanned again
    while True:
        cut = _next_separator(buffer, max(resume, start + 1), at_end)
        if cut is None:
            if at_end:
                if buffer[start:].strip():
                    yield base + start, _body_of(buffer[start:])
                return
            block = read(BLOCK)
            at_end = not block
            if start:  # drop what is done, keep the message being read
                buffer, base, resume, start = buffer[start:], base + start, resume - start, 0
            resume = max(1, len(buffer) - RESCAN)  # a From line cut by the block: seen again
            buffer += block
            continue
        yield base + start, _body_of(buffer[start:cut])
        start = cut


def _next_separator(buffer: bytes, after: int, complete: bool) -> int | None:
    """Where the next envelope line starts: a ``From `` line that looks like one (has a
    time, or a header follows), so an unescaped "From " in a body does not split."""
    position = after
    while True:
        found = buffer.find(b"\nFrom ", position)
        if found < 0:
            return None
        end = buffer.find(b"\n", found + 1)
        if end < 0 or (not complete and end + 200 > len(buffer)):
            return None  # the line or what follows is not read yet
        line = buffer[found + 1:end]
        following = buffer[end + 1:end + 200].lstrip(b"\r")
        if _FROM_LINE.match(line) or (_HEADER.match(following) and len(following) > 2):
            return found + 1
        position = end


def _body_of(chunk: bytes) -> bytes:
    """A message without its envelope line."""
    newline = chunk.find(b"\n")
    return chunk[newline + 1:] if newline >= 0 else b""


def _unescape(data: bytes) -> bytes:
    return _ESCAPED_FROM.sub(rb"\1", data) if b"\n>" in data or data.startswith(b">") else data


def count(files: Iterable[MailFile]) -> int:
    """How many messages the files hold, counted quickly (envelope lines, no parsing)."""
    total = 0
    for file in files:
        if file.kind == "message":
            total += 1
            continue
        with file.path.open("rb") as stream:
            tail = b""
            total += 1
            while block := stream.read(BLOCK * 4):
                total += (tail + block).count(b"\nFrom ") - tail.count(b"\nFrom ")
                tail = block[-6:]
    return total
