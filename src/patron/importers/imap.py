"""Mail from an IMAP server: folders read without marking anything as read, and only
the messages after where the last run stopped.

A folder's place is its UIDVALIDITY and the last UID read. UIDs only grow while
UIDVALIDITY stays the same; when it changes the server has renumbered the folder and
reading starts over (the mail service recognises messages it has by Message-ID).
"""

from __future__ import annotations

import base64
import imaplib
import re
import socket
import ssl
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from patron.errors import InvalidInput, PatronError
from patron.importers.base import Problem
from patron.importers.rawmail import RawMessage

IMAPS_PORT = 993
STARTTLS_PORT = 143
TIMEOUT = 60.0
BATCH_MESSAGES = 100
BATCH_BYTES = 20_000_000
SKIPPED_BY_ALL = ("\\Trash", "\\Junk")
"""Special-use folders that --all-folders leaves out: deleted mail and spam are nobody's
interactions."""


@dataclass(frozen=True)
class Account:
    """Where the mail is and how to reach it; certificates are verified unless ``insecure``."""

    host: str
    user: str
    password: str = field(repr=False)
    port: int | None = None
    starttls: bool = False
    insecure: bool = False
    cafile: Path | None = None

    @property
    def server_port(self) -> int:
        return self.port or (STARTTLS_PORT if self.starttls else IMAPS_PORT)

    @property
    def server(self) -> str:
        return f"{self.host}:{self.server_port}"

    def source(self, folder: str) -> str:
        """The folder's name in the import state: one place per account and folder."""
        return f"imap:{self.user}@{self.server}/{folder}"

    def where(self, folder: str) -> str:
        return f"imap://{self.user}@{self.host}/{folder}"


@dataclass(frozen=True)
class Position:
    """How far a folder has been read."""

    uidvalidity: int
    last_uid: int = 0


@dataclass(frozen=True)
class ImapMessage(RawMessage):
    """A fetched message, with the place each folder reached once it is stored: its own
    folder's (``source``, ``position``) and those of the folders finished before it."""

    source: str
    position: Position
    finished: tuple[tuple[str, Position], ...]

    def positions(self) -> dict[str, Position]:
        return {**dict(self.finished), self.source: self.position}


@dataclass(frozen=True)
class FolderPlan:
    """The new messages of one folder: their UIDs and sizes, in UID order."""

    folder: str
    uidvalidity: int
    sizes: tuple[tuple[int, int], ...]
    restarted: bool = False

    @property
    def count(self) -> int:
        return len(self.sizes)


class Session:
    """A logged-in connection to one account."""

    def __init__(self, account: Account, imap: imaplib.IMAP4) -> None:
        self.account = account
        self.imap = imap
        self.problems: list[Problem] = []

    def folders(self, *, with_bins: bool = True) -> list[str]:
        """The folders that can be read (Trash and Junk too, unless ``with_bins`` is false)."""
        status, lines = self._call("LIST", lambda: self.imap.list())
        if status != "OK":
            raise PatronError(f"{self.account.server}: cannot list the folders ({_text(lines)})")
        found = []
        for flags, name in _listed(lines):
            if "\\noselect" in flags or "\\nonexistent" in flags:
                continue
            if not with_bins and any(f.lower() in flags for f in SKIPPED_BY_ALL):
                continue
            found.append(name)
        return found

    def plan(self, folder: str, since: Position | None) -> FolderPlan:
        """The messages of ``folder`` after ``since`` (all of them if the folder was renumbered)."""
        uidvalidity = self._select(folder)
        restarted = since is not None and since.uidvalidity != uidvalidity
        last = since.last_uid if since is not None and not restarted else 0
        status, data = self._call(folder, lambda: self.imap.uid("FETCH", f"{last + 1}:*", "(RFC822.SIZE)"))
        if status != "OK":
            raise PatronError(f"{self.account.where(folder)}: cannot list the messages ({_text(data)})")
        # "n:*" names the last message even when its UID is below n, hence the filter.
        sizes = sorted((uid, size) for uid, size in _sizes(data) if uid > last)
        return FolderPlan(folder, uidvalidity, tuple(sizes), restarted)

    def messages(self, plans: Sequence[FolderPlan]) -> Iterator[ImapMessage]:
        """Fetch the planned messages, folder by folder, in batches; a message that cannot be
        fetched is noted in ``problems`` and skipped."""
        finished: list[tuple[str, Position]] = []
        for plan in plans:
            source = self.account.source(plan.folder)
            if self._select(plan.folder) != plan.uidvalidity:
                raise PatronError(f"{self.account.where(plan.folder)}: the server renumbered the "
                                  f"folder while it was being read; run the import again")
            reached = None
            for batch in _batches(plan.sizes):
                for uid, data in self._fetch(plan.folder, batch):
                    reached = Position(plan.uidvalidity, uid)
                    yield ImapMessage(f"{self.account.where(plan.folder)} uid {uid}", data,
                                      source, reached, tuple(finished))
            if reached is not None:
                finished.append((source, reached))

    def _select(self, folder: str) -> int:
        status, data = self._call(folder, lambda: self.imap.select(quoted(folder), readonly=True))
        if status != "OK":
            raise InvalidInput(f"{self.account.where(folder)}: no such folder on {self.account.server} "
                               f"({_text(data)}); 'patron import imap --all-folders --dry-run' "
                               "lists what there is")
        _, values = self.imap.response("UIDVALIDITY")
        value = values[-1] if values else None
        if not isinstance(value, bytes) or not value.strip().isdigit():
            raise PatronError(f"{self.account.where(folder)}: the server gave no UIDVALIDITY, "
                              "so Patron cannot tell new mail from old")
        return int(value)

    def _fetch(self, folder: str, uids: Sequence[int]) -> Iterator[tuple[int, bytes]]:
        wanted = ",".join(str(uid) for uid in uids)
        status, data = self._call(folder, lambda: self.imap.uid("FETCH", wanted, "(UID BODY.PEEK[])"))
        if status != "OK" and len(uids) > 1:
            for uid in uids:  # one bad message must not cost the whole batch
                yield from self._fetch(folder, [uid])
            return
        fetched = dict(_bodies(data)) if status == "OK" else {}
        for uid in uids:
            if uid in fetched:
                yield uid, fetched[uid]
            else:
                reason = "the server sent nothing" if status == "OK" else _text(data)
                self.problems.append(Problem(f"{self.account.where(folder)} uid {uid}",
                                             f"cannot fetch it ({reason})"))

    def _call(self, what: str, command: Callable[[], tuple[str, Any]]) -> tuple[str, list[Any]]:
        try:
            status, data = command()
        except imaplib.IMAP4.abort as exc:
            raise PatronError(f"{self.account.server}: the connection broke while reading {what} "
                              f"({_said(exc)}); run the import again to go on from there") from None
        except imaplib.IMAP4.error as exc:
            return "NO", [_said(exc)]
        except OSError as exc:
            raise PatronError(f"{self.account.server}: the connection broke while reading {what} "
                              f"({_reason(exc)}); run the import again to go on from there") from None
        return str(status), list(data)


@contextmanager
def connect(account: Account) -> Iterator[Session]:
    """A logged-in session over TLS (implicit, or STARTTLS); one clear error line otherwise."""
    imap = _open(account)
    try:
        try:
            _login(imap, account)
        except imaplib.IMAP4.error as exc:
            raise InvalidInput(f"{account.user}@{account.server}: the server refused the login "
                               f"({_said(exc)})") from None
        yield Session(account, imap)
    finally:
        with suppress(imaplib.IMAP4.error, OSError):  # the server may have hung up first
            imap.logout()


def _login(imap: imaplib.IMAP4, account: Account) -> None:
    if account.user.isascii() and account.password.isascii():
        imap.login(account.user, account.password)
        return
    # LOGIN carries only ASCII; SASL PLAIN carries UTF-8.
    secret = f"\0{account.user}\0{account.password}".encode()
    imap.authenticate("PLAIN", lambda _challenge: secret)


def _open(account: Account) -> imaplib.IMAP4:
    context = _tls(account)
    try:
        if not account.starttls:
            return imaplib.IMAP4_SSL(account.host, account.server_port, ssl_context=context,
                                     timeout=TIMEOUT)
        imap = imaplib.IMAP4(account.host, account.server_port, timeout=TIMEOUT)
        try:
            imap.starttls(context)
        except imaplib.IMAP4.error as exc:
            imap.shutdown()
            raise PatronError(f"{account.server}: STARTTLS failed ({_said(exc)}); "
                              "leave out --starttls to use TLS from the start") from None
        return imap
    except ssl.SSLCertVerificationError as exc:
        raise PatronError(f"{account.server}: the server's certificate cannot be verified "
                          f"({exc.verify_message}); give its certificate with --cafile, "
                          "or use --insecure to skip the check") from None
    except ssl.SSLError as exc:
        raise PatronError(f"{account.server}: TLS failed ({exc.reason or exc}); "
                          "is the port right (993 for TLS, 143 with --starttls)?") from None
    except imaplib.IMAP4.error as exc:
        raise PatronError(f"{account.server}: not an IMAP server ({_said(exc)})") from None
    except (OSError, EOFError) as exc:
        raise PatronError(f"{account.server}: cannot connect ({_reason(exc)})") from None


def _tls(account: Account) -> ssl.SSLContext:
    if account.insecure:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    try:
        return ssl.create_default_context(cafile=str(account.cafile) if account.cafile else None)
    except (OSError, ssl.SSLError) as exc:
        raise InvalidInput(f"{account.cafile}: cannot read the certificates ({_reason(exc)})") from None


def _reason(exc: BaseException) -> str:
    if isinstance(exc, socket.gaierror):
        return "unknown host"
    if isinstance(exc, TimeoutError | socket.timeout):
        return "no answer in time"
    if isinstance(exc, EOFError):
        return "the server closed the connection"
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


def _said(exc: BaseException) -> str:
    """What the server said, from an imaplib error (which carries it as bytes or text)."""
    return _text(exc.args)


def _text(data: Sequence[object]) -> str:
    """A server's reply as one short line."""
    parts = [d.decode("utf-8", "replace") if isinstance(d, bytes) else str(d) for d in data if d]
    return " ".join(" ".join(parts).split())[:200] or "no reason given"


# Folder names: quoted for the protocol, in IMAP's modified UTF-7 (RFC 3501, 5.1.3).

def quoted(folder: str) -> str:
    encoded = encode_folder(folder)
    return '"' + encoded.replace("\\", "\\\\").replace('"', '\\"') + '"'


def encode_folder(name: str) -> str:
    out: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            raw = "".join(pending).encode("utf-16-be")
            out.append("&" + _b64(raw) + "-")
            pending.clear()

    for char in name:
        if 0x20 <= ord(char) <= 0x7E:
            flush()
            out.append("&-" if char == "&" else char)
        else:
            pending.append(char)
    flush()
    return "".join(out)


def decode_folder(name: str) -> str:
    def shifted(match: re.Match[str]) -> str:
        body = match.group(1)
        if not body:
            return "&"
        body = body.replace(",", "/")
        return base64.b64decode(body + "=" * (-len(body) % 4)).decode("utf-16-be")

    return re.sub(r"&([A-Za-z0-9+,]*)-", shifted, name)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii").rstrip("=").replace("/", ",")


_LISTED = re.compile(rb'\((?P<flags>[^)]*)\) (?:"(?:[^"\\]|\\.)*"|NIL) (?P<name>.*)$', re.IGNORECASE)


def _listed(lines: Sequence[object]) -> Iterator[tuple[str, str]]:
    """(lower-case flags, decoded name) of each LIST reply; a name may come as a literal."""
    for line in lines:
        literal = None
        if isinstance(line, tuple):
            line, literal = line
        if not isinstance(line, bytes):
            continue
        match = _LISTED.match(line.strip())
        if not match:
            continue
        raw = literal if isinstance(literal, bytes) else match.group("name")
        if raw.startswith(b'"') and raw.endswith(b'"'):
            raw = re.sub(rb"\\(.)", rb"\1", raw[1:-1])
        name = decode_folder(raw.decode("utf-8", "replace"))
        yield match.group("flags").decode("ascii", "replace").lower(), name


_UID = re.compile(rb"\bUID (\d+)", re.IGNORECASE)
_SIZE = re.compile(rb"\bRFC822\.SIZE (\d+)", re.IGNORECASE)


def _sizes(data: Sequence[object]) -> Iterator[tuple[int, int]]:
    for item in data:
        line = item[0] if isinstance(item, tuple) else item
        if not isinstance(line, bytes):
            continue
        uid, size = _UID.search(line), _SIZE.search(line)
        if uid and size:
            yield int(uid.group(1)), int(size.group(1))


def _bodies(data: Sequence[object]) -> Iterator[tuple[int, bytes]]:
    """(UID, message) from a FETCH reply: each message is a (header, literal) pair, and the
    UID may stand before the literal (in the header) or after it (in the next line)."""
    items = list(data)
    for i, item in enumerate(items):
        if not (isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes)):
            continue
        header = item[0] if isinstance(item[0], bytes) else b""
        uid = _UID.search(header)
        after = items[i + 1] if i + 1 < len(items) else None
        if uid is None and isinstance(after, bytes):
            uid = _UID.search(after)
        if uid is not None:
            yield int(uid.group(1)), item[1]


def _batches(sizes: Sequence[tuple[int, int]]) -> Iterator[list[int]]:
    """UIDs in groups of at most BATCH_MESSAGES messages and about BATCH_BYTES bytes."""
    batch: list[int] = []
    total = 0
    for uid, size in sizes:
        if batch and (len(batch) >= BATCH_MESSAGES or total + size > BATCH_BYTES):
            yield batch
            batch, total = [], 0
        batch.append(uid)
        total += size
    if batch:
        yield batch
