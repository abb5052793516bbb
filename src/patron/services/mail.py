"""Bringing mail in: each message one interaction, its people found by address.

Messages are parsed in a pool of worker processes (parsing is most of the work) and
written by this process in batches, each batch one transaction (the import use case,
``services/imports.py``, policy ``BATCHES``): a killed import
leaves a consistent register, and the next run skips what is stored, because a
message is known by its source (``mid:<Message-ID>``, else ``sha256:<hash of its
bytes>``). The same message found in several folders or mailboxes is stored once.

Direction is read from the user's side: a message from one of your addresses
(``me.emails``, or ``--owner``) is ``out``; one that names you among its recipients, or
that sits in your mailbox without naming you (a list, a Bcc), is ``in``. Where nobody
is "me" (an organisation's archive of several people's mailboxes), each message is
read from its own sender's point of view: ``out``.

Each message newly stored goes to ``on_message``; by default to the inbox, a batch at a
time, which suggests the asks in mail to you and the promises in mail from you
(``services/inbox.py``); they wait there to be accepted.

Mail sent to many (lists, newsletters, notifications: ``domain.bulk``) is kept as mail:
it is stored and linked to the people already known by its addresses, but it creates
no person or organisation and suggests nothing, unless ``bulk_people`` (the setting
``mail.bulk_people``) asks for the same treatment as any other message.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections import Counter, deque
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from itertools import chain, islice
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table, insert, select, update

from patron.domain.addresses import normal_address
from patron.domain.vocabulary import Direction, InteractionKind
from patron.importers import mail as parser
from patron.importers import mailfiles
from patron.importers.base import Outcome, Problem, Progress, Reading, no_progress
from patron.importers.mail import MailDraft
from patron.importers.rawmail import RawMessage
from patron.services import imports, inbox
from patron.services.imports import Import, Policy
from patron.services.people import Directory, Engagements, hold_writers
from patron.store import schema, search
from patron.store.database import Store
from patron.store.pieces import chunks

BATCH = 2000
"""Messages written per transaction: large enough to be fast, small enough to lose little."""
CHUNK = 50
"""Messages sent to a worker at once."""
CHUNK_BYTES = 4 * 1024 * 1024
"""...or fewer, where messages are large."""
IN_FLIGHT = 2 * BATCH // CHUNK
"""Chunks read ahead of the writer at most: memory stays bounded whatever the mailbox."""
SMALL = 300
"""Fewer messages than this are parsed in this process: a pool would cost more than it saves."""
NO_SUBJECT = "(no subject)"
CACHE_KB = 64 * 1024
FILE_STATE = "mailfile:"


@dataclass(frozen=True)
class StoredMessage:
    """A message just stored, as ``on_message`` hears of it (ask detection hooks in here)."""

    interaction_id: int
    draft: MailDraft
    sender_id: int | None
    recipient_ids: tuple[int, ...]
    copied_ids: tuple[int, ...]
    from_me: bool
    engagement_id: int | None
    to_me: bool = False  # its words are meant for you (importers.mail.addressed_to_me)
    bulk: bool = False  # sent to many and kept as mail only: no people made, nothing suggested


@dataclass
class MailOutcome(Outcome):
    """An import's summary, with the people and organisations the mail brought."""

    people_created: int = 0
    organisations_created: int = 0
    files_unchanged: int = 0
    bulk: int = 0
    """Messages stored that were sent to many (lists, newsletters, notifications)."""
    bulk_people: bool = False
    """Whether those made people and suggestions like any other mail (``mail.bulk_people``)."""

    def line(self) -> str:
        files = f", {self.files_unchanged} unchanged files not read" if self.files_unchanged else ""
        bulk = ""
        if self.bulk:
            bulk = f"; {self.bulk} bulk or list" + ("" if self.bulk_people else
                                                    " (kept as mail: no people, no asks)")
        return (f"{super().line()}; {self.people_created} people, "
                f"{self.organisations_created} organisations created{files}{bulk}")


Checkpoint = Callable[[Connection, Sequence["Parsed"]], None]
"""Told, inside a batch's transaction, which messages the batch stored (files wholly stored
marked read, folders' places saved): what a killed import stored and where it was agree."""


def messages_import(
    messages: Iterable[RawMessage],
    me: Sequence[str],
    now: datetime,
    *,
    source: str = "mail",
    problems: list[Problem] | None = None,
    checkpoint: Checkpoint | None = None,
    finish: Callable[[Connection], None] | None = None,
    on_message: Callable[[Connection, StoredMessage], None] | None = None,
    owner: str | None = None,
    bulk_people: bool = False,
    outcome: MailOutcome | None = None,
) -> Import[Parsed]:
    """Messages to import, each as an interaction unless stored before, a transaction per
    batch of ``BATCH`` (what a killed import stored stays; running it again goes on from
    there). The reading parses them (``parsed``); ``problems`` are those the source meets
    while it is read. ``checkpoint`` runs in each batch's transaction, ``finish`` after the
    last; ``on_message`` hears of each message newly stored (by default the inbox's
    suggestions). Mail sent to many makes no people and no suggestions unless
    ``bulk_people``. What is stored does not depend on where batches end."""
    writer = _Writer(_mine(me, owner), now, on_message,
                     outcome or MailOutcome(bulk_people=bulk_people), checkpoint=checkpoint,
                     done=finish)
    reading = Reading(parsed(messages, mine=writer.mine, bulk_people=bulk_people),
                      problems if problems is not None else [])
    return Import(reading, writer, source, "message", Policy.BATCHES, batch=BATCH)


def import_messages(store: Store, messages: Iterable[RawMessage], me: Sequence[str], now: datetime, *,
                    dry_run: bool = False, progress: Progress = no_progress,
                    batch_size: int | None = None, checkpoint: Checkpoint | None = None,
                    on_message: Callable[[Connection, StoredMessage], None] | None = None,
                    owner: str | None = None, bulk_people: bool = False) -> MailOutcome:
    """Import ``messages`` in one call (``messages_import`` run by ``imports.run``), in
    batches of ``batch_size`` (``BATCH`` unless told), and return the outcome."""
    job = messages_import(messages, me, now, checkpoint=checkpoint, on_message=on_message,
                          owner=owner, bulk_people=bulk_people)
    if batch_size:
        job.batch = batch_size
    outcome = imports.run(store, job, dry_run=dry_run, progress=progress)
    assert isinstance(outcome, MailOutcome)
    return outcome


def _mine(me: Sequence[str], owner: str | None) -> frozenset[str]:
    found = (normal_address(a) for a in (*me, *([owner] if owner else [])))
    return frozenset(a for a in found if a)


Parsed = tuple[RawMessage, "MailDraft | Problem"]


def parsed(messages: Iterable[RawMessage], workers: int | None = None,
           mine: frozenset[str] = frozenset(), bulk_people: bool = False,
           ) -> Generator[Parsed, None, None]:
    """Each message with its draft (or its problem), in order; parsed by a pool of worker
    processes, one per core, with a bounded number of messages read ahead. Mail to or from
    ``mine`` is read for asks and promises in the workers too."""
    stream = iter(messages)
    head = list(islice(stream, SMALL))
    workers = workers or os.cpu_count() or 1
    if len(head) < SMALL or workers == 1:
        for raw in chain(head, stream):
            yield raw, parser.detected(parser.parse(raw), mine, bulk_people)
        return
    yield from _pooled(chain(head, stream), workers, mine, bulk_people)


def _pooled(stream: Iterator[RawMessage], workers: int, mine: frozenset[str], bulk_people: bool,
            ) -> Generator[Parsed, None, None]:
    """The pool reads its input in a thread of its own; a semaphore holds that thread back
    when ``IN_FLIGHT`` chunks wait, and an event frees it when the import stops early."""
    room = threading.BoundedSemaphore(IN_FLIGHT)
    stop = threading.Event()
    sent: deque[list[RawMessage]] = deque()

    def chunks() -> Iterator[list[RawMessage]]:
        while not stop.is_set() and (chunk := _chunk(stream)):
            while not room.acquire(timeout=0.1):
                if stop.is_set():
                    return
            sent.append(chunk)
            yield chunk

    # forkserver: workers do not inherit this process's threads (a progress bar) or connections
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else None
    pool = multiprocessing.get_context(method).Pool(workers)
    try:
        for results in pool.imap(partial(parser.parse_many, mine=mine, bulk_people=bulk_people), chunks()):
            raws = sent.popleft()
            room.release()
            yield from zip(raws, results, strict=True)
    finally:
        stop.set()
        pool.terminate()
        pool.join()


def _chunk(stream: Iterator[RawMessage]) -> list[RawMessage]:
    chunk: list[RawMessage] = []
    size = 0
    for raw in stream:
        chunk.append(raw)
        size += len(raw.data)
        if len(chunk) >= CHUNK or size >= CHUNK_BYTES:
            break
    return chunk


@dataclass
class _Writer:
    """Writes parsed messages batch by batch, keeping what it learnt (people, engagements)
    from one batch to the next."""

    mine: frozenset[str]
    now: datetime
    on_message: Callable[[Connection, StoredMessage], None] | None
    outcome: MailOutcome = field(default_factory=MailOutcome)
    directory: Directory | None = None
    engagements: Engagements | None = None
    checkpoint: Checkpoint | None = None
    done: Callable[[Connection], None] | None = None

    def write(self, conn: Connection, batch: Sequence[Parsed]) -> None:
        if conn.dialect.name == "sqlite":  # a larger page cache: indexes grow in random order
            conn.exec_driver_sql(f"PRAGMA cache_size = -{CACHE_KB}")
        hold_writers(conn)  # before reading what is stored: another import may be writing it
        drafts = self._fresh(conn, batch)
        if drafts:
            with search.deferred(conn):  # entries of a batch at once, in the index's order
                self._store(conn, drafts)
        if self.checkpoint is not None:
            self.checkpoint(conn, batch)

    def finish(self, conn: Connection) -> None:
        if self.done is not None:
            self.done(conn)

    def _fresh(self, conn: Connection, batch: Sequence[Parsed]) -> list[MailDraft]:
        """The batch's messages not stored before (and each once); problems noted."""
        by_source: dict[str, MailDraft] = {}
        for _raw, result in batch:
            if isinstance(result, Problem):
                self.outcome.problems.append(result)
            elif result.source in by_source:
                self.outcome.unchanged += 1
            else:
                by_source[result.source] = result
        known = _known_sources(conn, list(by_source))
        self.outcome.unchanged += len(known)
        if known and self.mine:
            self._found_in_own_mailbox(conn, list(known.values()))
        return [d for s, d in by_source.items() if s not in known]

    def _found_in_own_mailbox(self, conn: Connection, interactions: list[int]) -> None:
        """Messages stored before, found again in the mailbox of one of ``mine`` (the same
        message in several people's mailboxes): it is theirs too."""
        directory, _ = self._helpers(conn)
        mine = sorted(set(directory.existing(sorted(self.mine)).values()))
        ip = schema.interaction_participant
        for chunk in chunks(interactions if mine else [], 500):
            conn.execute(update(ip).where(
                ip.c.interaction_id.in_(chunk), ip.c.person_id.in_(mine),
                ip.c.own_mailbox.is_not(True)).values(own_mailbox=True))

    def _store(self, conn: Connection, drafts: list[MailDraft]) -> None:
        directory, engagements = self._helpers(conn)
        before = (directory.tally.people_created, directory.tally.organisations_created)
        people = self._people(directory, drafts)
        mine = {people[a] for a in self.mine if a in people}
        found = [self._people_of(d, people, mine, engagements, self.mine) for d in drafts]
        bulk_insert(conn, schema.interaction, _INTERACTION,
                    [_interaction(d, f[4], self.mine) for d, f in zip(drafts, found, strict=True)])
        ids = _known_sources(conn, [d.source for d in drafts])
        stored = [StoredMessage(ids[d.source], d, *f, bulk=self._kept_as_mail(d))
                  for d, f in zip(drafts, found, strict=True)]
        bulk_insert(conn, schema.interaction_participant,
                    ("interaction_id", "person_id", "role", "occurred_at", "own_mailbox"),
                    [p for m in stored for p in _participants(m, mine)])
        self.outcome.created += len(stored)
        self.outcome.bulk += sum(d.bulk for d in drafts)
        self.outcome.people_created += directory.tally.people_created - before[0]
        self.outcome.organisations_created += directory.tally.organisations_created - before[1]
        if self.on_message is None:  # the inbox, told of the whole batch at once
            inbox.suggest_all(conn, (w for m in stored if (w := _written(m)) is not None))
        else:
            for message in stored:
                self.on_message(conn, message)

    def _kept_as_mail(self, draft: MailDraft) -> bool:
        """Mail sent to many, stored without making people or suggestions."""
        return draft.bulk and not self.outcome.bulk_people

    def _people(self, directory: Directory, drafts: list[MailDraft]) -> dict[str, int]:
        """The people behind the batch's addresses: created where new, except those only met in
        mail sent to many, which links the people known and makes none."""
        people = directory.people((a, n) for d in drafts if not self._kept_as_mail(d)
                                  for n, a in _everyone(d))
        rest = sorted({a for d in drafts if self._kept_as_mail(d) for _, a in _everyone(d)} - set(people))
        return {**people, **directory.existing(rest)} if rest else people

    def _helpers(self, conn: Connection) -> tuple[Directory, Engagements]:
        if self.directory is None or self.engagements is None:
            self.directory, self.engagements = Directory(conn), Engagements(conn)
        self.directory.conn = self.engagements.conn = conn
        return self.directory, self.engagements

    @staticmethod
    def _people_of(draft: MailDraft, people: dict[str, int], mine: set[int], engagements: Engagements,
                   addresses: frozenset[str],
                   ) -> tuple[int | None, tuple[int, ...], tuple[int, ...], bool, int | None, bool]:
        """sender, to, cc, from me, engagement, to me: the fields of a StoredMessage after its id."""
        def ids(found: Iterable[tuple[str, str]]) -> tuple[int, ...]:
            return tuple(dict.fromkeys(people[a] for _, a in found if a in people))

        sender = people.get(draft.sender[1]) if draft.sender else None
        to, cc = ids(draft.to), ids(draft.cc)
        others = {*to, *cc} if sender is None else {sender, *to, *cc}
        return (sender, to, cc, sender in mine, engagements.of(sorted(others - mine)),
                draft.for_me if draft.for_me is not None else parser.addressed_to_me(draft, addresses))


def suggest_asks(conn: Connection, message: StoredMessage) -> None:
    """Put the asks in a message to you, and the promises in one from you, in the inbox;
    mail sent to many and kept as mail only asks and promises nothing. (An import with no
    ``on_message`` of its own does the same for each batch at once.)"""
    written = _written(message)
    if written is not None:
        inbox.suggest_all(conn, [written])


def _written(message: StoredMessage) -> inbox.Written | None:
    """The message as the inbox reads it, where it may suggest something."""
    if message.bulk or not (message.from_me or message.to_me):
        return None
    draft = message.draft
    return inbox.Written(message.interaction_id, draft.text, draft.date, message.sender_id,
                         message.recipient_ids, message.from_me, message.to_me,
                         message.engagement_id, draft.source, draft.findings)


def _everyone(draft: MailDraft) -> Iterator[tuple[str, str]]:
    if draft.sender:
        yield draft.sender
    yield from draft.to
    yield from draft.cc


def _known_sources(conn: Connection, sources: list[str]) -> dict[str, int]:
    """The interactions stored under these sources (one IN query per 500)."""
    i = schema.interaction
    known: dict[str, int] = {}
    for start in range(0, len(sources), 500):
        chunk = sources[start:start + 500]
        known.update((s, int(n)) for s, n in conn.execute(select(i.c.source, i.c.id)
                                                          .where(i.c.source.in_(chunk))))
    return known


def direction(draft: MailDraft, mine: frozenset[str]) -> Direction:
    """``out`` from you; ``in`` to you (or found in your mailbox); from the sender's point of
    view (``out``) where nobody is you."""
    if not mine or (draft.sender and draft.sender[1] in mine):
        return Direction.OUTBOUND
    return Direction.INBOUND


_INTERACTION = ("summary", "kind", "occurred_at", "engagement_id", "direction", "source", "thread",
                "reply_to")


def _interaction(draft: MailDraft, engagement: int | None, mine: frozenset[str]) -> tuple[Any, ...]:
    return (draft.subject or NO_SUBJECT, InteractionKind.MAIL.value, draft.date, engagement,
            direction(draft, mine).value, draft.source, draft.thread, draft.in_reply_to)


def _participants(message: StoredMessage, mine: set[int]) -> list[tuple[int, int, str, Any, bool]]:
    """One row per person: their first role (from before to before cc), the message's
    moment (given here, the database need not look it up), and whether it was found in
    their own mailbox (they are one of ``mine``: you, or the mailbox's owner)."""
    roles: dict[int, str] = {}
    for role, people in (("from", (message.sender_id,) if message.sender_id else ()),
                         ("to", message.recipient_ids), ("cc", message.copied_ids)):
        for person in people:
            roles.setdefault(person, role)
    return [(message.interaction_id, p, r, message.draft.date, p in mine) for p, r in roles.items()]


def bulk_insert(conn: Connection, table: Table, columns: Sequence[str],
                rows: list[tuple[Any, ...]]) -> None:
    """Insert many rows of plain values straight through the driver: SQLAlchemy's per-row
    parameter handling costs more than the database's own work at a hundred thousand rows."""
    if not rows:
        return
    processors = [(n, p) for n, name in enumerate(columns)
                  if (p := table.c[name].type.dialect_impl(conn.dialect).bind_processor(conn.dialect))
                  is not None]
    if processors:  # values the driver cannot take as they are (dates on SQLite), column by column
        values: list[Sequence[Any]] = list(zip(*rows, strict=True))
        for n, process in processors:
            values[n] = _processed(values[n], process)
        rows = list(zip(*values, strict=True))
    compiled = insert(table).compile(dialect=conn.dialect, column_keys=list(columns))
    if compiled.positiontup is not None:
        order = [columns.index(name) for name in compiled.positiontup]
        params: list[Any] = rows if order == sorted(order) else [tuple(row[i] for i in order)
                                                                  for row in rows]
    else:
        params = [dict(zip(columns, row, strict=True)) for row in rows]
    conn.exec_driver_sql(str(compiled), params)


def _processed(values: Sequence[Any], process: Callable[[Any], Any]) -> list[Any]:
    """A column's values as the driver takes them. A value that is the very object of the row
    before is processed once: a message's moment, copied to each of its participants."""
    done: list[Any] = []
    last, result = object(), None
    for value in values:
        if value is not last:
            last, result = value, process(value)
        done.append(result)
    return done


# Files: what changed since the last run is read; what did not is skipped unread.


@dataclass
class Plan:
    """The mail files to read, those unchanged since the last run, and what is not mail."""

    files: list[mailfiles.MailFile]
    unchanged: list[mailfiles.MailFile]
    problems: list[Problem]
    known_messages: int = 0


def plan(store: Store, paths: Sequence[Path]) -> Plan:
    """Find the mail files under ``paths`` and leave out those read before and unchanged."""
    files, problems = mailfiles.find(paths)
    with store.read() as conn:
        states = _file_states(conn, [f.path for f in files])
    fresh, unchanged, known = [], [], 0
    for file in files:
        state = states.get(_file_key(file.path))
        if state and state.get("size") == file.size and state.get("mtime_ns") == file.mtime_ns:
            unchanged.append(file)
            known += int(state.get("messages", 0))
        else:
            fresh.append(file)
    return Plan(fresh, unchanged, problems, known)


def files_import(store: Store, paths: Sequence[Path], me: Sequence[str], now: datetime, *,
                 owner: str | None = None, bulk_people: bool = False,
                 on_message: Callable[[Connection, StoredMessage], None] | None = None,
                 counted: bool = False) -> Import[Parsed]:
    """The mail files under ``paths`` to import, those read before and unchanged left out
    (``plan``) and counted. Each file is marked read (size, time) in the transaction that
    stores its last message, so a killed run reads it again and an unchanged one is skipped;
    a file that could not be read to its end, or whose every message was bad, is not, so
    the next run reports it again. ``counted``: the messages are counted first (quickly,
    without parsing), for a progress bar."""
    chosen = plan(store, paths)
    problems = list(chosen.problems)
    marks = _FileMarks(chosen.files, now)
    job = messages_import(
        mailfiles.read(chosen.files, problems, marks.failed), me, now,
        source=", ".join(str(p) for p in paths), problems=problems, checkpoint=marks.checkpoint,
        finish=marks.finish, on_message=on_message, owner=owner, bulk_people=bulk_people,
        outcome=MailOutcome(bulk_people=bulk_people, unchanged=chosen.known_messages,
                            files_unchanged=len(chosen.unchanged)))
    if counted:
        job.reading.total = mailfiles.count(chosen.files)
    return job


@dataclass
class _FileMarks:
    """Which files are wholly stored, batch by batch: a file is done once a batch ends in a
    later one (messages come in file order)."""

    files: list[mailfiles.MailFile]
    now: datetime
    failed: set[int] = field(default_factory=set)  # files the reading could not read to the end
    good: Counter[int] = field(default_factory=Counter)  # messages that parsed, by file
    marked: int = 0  # files before this one are marked read (or left, as bad)

    def checkpoint(self, conn: Connection, batch: Sequence[Parsed]) -> None:
        """Files before the one the batch ended in are wholly stored."""
        for raw, result in batch:
            if not isinstance(result, Problem):
                self.good[_file_of(raw)] += 1
        self._mark(conn, _file_of(batch[-1][0]))

    def finish(self, conn: Connection) -> None:
        self._mark(conn, len(self.files))

    def _mark(self, conn: Connection, upto: int) -> None:
        rows = [{"source": _file_key(f.path), "updated_at": self.now,
                 "state": {"size": f.size, "mtime_ns": f.mtime_ns, "messages": self.good[i]}}
                for i, f in enumerate(self.files[self.marked:upto], start=self.marked)
                if i not in self.failed and self.good[i]]
        if rows:
            s = schema.import_state
            conn.execute(s.delete().where(s.c.source.in_([r["source"] for r in rows])))
            conn.execute(insert(s), rows)
        self.marked = max(self.marked, upto)


def _file_of(raw: RawMessage) -> int:
    assert isinstance(raw, mailfiles.FileMessage)
    return raw.file


def _file_key(path: Path) -> str:
    return FILE_STATE + str(path.resolve())


def _file_states(conn: Connection, paths: list[Path]) -> dict[str, dict[str, Any]]:
    s = schema.import_state
    keys = [_file_key(p) for p in paths]
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(keys), 500):
        rows = conn.execute(select(s.c.source, s.c.state).where(s.c.source.in_(keys[start:start + 500])))
        found.update({r.source: r.state for r in rows if isinstance(r.state, dict)})
    return found
