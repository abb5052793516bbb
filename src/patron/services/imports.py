"""The one import use case: a format's drafts stored through its writer.

Every format is two halves: an importer (``patron.importers.<format>``) that reads a
source into a ``Reading`` (drafts and located problems, no SQL), and a writer (in the
format's service module) that stores a batch of drafts in the transaction it is given.
This module owns everything else, the same way for every format: the transaction policy
(one transaction for the whole import, or one per batch for mail, whose imports go on where
a killed one stopped), the dry run (always one transaction, rolled back), the batches, the
progress, the outcome and the rule for an import that brought nothing good in.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass, fields
from enum import Enum
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy import Connection

from patron.errors import InvalidInput
from patron.importers.base import Outcome, Problem, Progress, Reading, no_progress
from patron.store.database import Store
from patron.store.pieces import chunks

D = TypeVar("D")
D_contra = TypeVar("D_contra", contravariant=True)

BATCH = 500
"""Drafts stored at a time unless the format says otherwise: each batch costs a few
statements, whatever its size."""


class Writer(Protocol[D_contra]):
    """A format's store side. ``write`` stores one batch in the transaction it is given and
    counts what it did in ``outcome``; a draft the register refuses is a problem there, and
    leaves nothing behind. ``finish`` runs once after the last batch (links between records
    of different batches, files marked read), in a transaction of its own under the batches
    policy."""

    @property
    def outcome(self) -> Outcome: ...

    def write(self, conn: Connection, batch: Sequence[D_contra]) -> None: ...

    def finish(self, conn: Connection) -> None: ...


class Policy(Enum):
    """How an import's batches meet transactions."""

    WHOLE = "whole"
    """One transaction: the import is stored whole or not at all (files a person edits)."""
    BATCHES = "batches"
    """A transaction per batch: what a killed import stored stays, and running it again goes
    on from there (a mailbox of years)."""


@dataclass
class Import(Generic[D]):
    """One import, ready to run: what was read, who stores it, and how.

    ``source`` and ``noun`` name the source and its records in the outcome's messages
    ("nothing could be imported from todo.txt: every task in it was bad"); ``batches``
    splits the drafts when a format needs its own boundaries (a task met twice starts a new
    batch); ``empty_is_fine`` for a source where nothing new is the ordinary case (an IMAP
    folder)."""

    reading: Reading[D]
    writer: Writer[D]
    source: str
    noun: str = "record"
    policy: Policy = Policy.WHOLE
    batch: int = BATCH
    empty_is_fine: bool = False
    batches: Callable[[Iterable[D], int], Iterator[Sequence[D]]] | None = None


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


def run(store: Store, job: Import[D], *, dry_run: bool = False,
        progress: Progress = no_progress) -> Outcome:
    """Store what ``job`` read under its policy: one transaction (rolled back for a dry run),
    or one per batch and one for ``finish``."""
    if dry_run or job.policy is Policy.WHOLE:
        try:
            with store.begin() as conn:
                outcome = store_all(conn, job, progress)
                if dry_run:
                    raise _DryRun
        except _DryRun:
            pass
        return outcome
    with closing(_batches(job)) as batches:
        for batch in batches:
            with store.begin() as conn:
                job.writer.write(conn, batch)
            progress(len(batch))
    with store.begin() as conn:
        job.writer.finish(conn)
    return _ended(job)


def store_all(conn: Connection, job: Import[D], progress: Progress = no_progress) -> Outcome:
    """Store every batch of ``job`` in the one transaction ``conn`` is in, then finish."""
    with closing(_batches(job)) as batches:
        for batch in batches:
            job.writer.write(conn, batch)
            progress(len(batch))
    job.writer.finish(conn)
    return _ended(job)


def _batches(job: Import[D]) -> Generator[Sequence[D], None, None]:
    """The drafts in batches; closed when the import stops, so that a source being read (a
    mailbox, a server) is let go at once, on a failure too."""
    try:
        yield from (job.batches or chunks)(job.reading.drafts, job.batch)
    finally:
        close = getattr(job.reading.drafts, "close", None)
        if close is not None:
            close()


def _ended(job: Import[D]) -> Outcome:
    """The writer's outcome, with the problems met while reading first."""
    outcome = job.writer.outcome
    outcome.problems[:0] = job.reading.problems
    return outcome


def good_records(outcome: Outcome) -> int:
    """How many records came in good: every count the outcome keeps (created, matched,
    updated, unchanged, and a format's own: events that are no touchpoint, mail files
    unchanged since the last run, ...). Problems are kept apart, so they never count."""
    return sum(counts(outcome).values())


def refuse_nothing_good(outcome: Outcome, job: Import[Any]) -> None:
    """The one rule for an import that brought nothing good in: a source with no records at
    all (unless ``empty_is_fine``: an IMAP folder with no new mail), or whose every record
    was bad, is an error (``InvalidInput``, exit code 2). Records already there (all
    unchanged) and records counted but not stored (no touchpoint, bulk mail) are good input.
    The reading's ``held`` is asked only when nothing was counted good, where it knows more
    than the counts: a calendar whose events were all invitations you declined, or repeat
    only outside the window, held good events that were neither stored nor counted."""
    held = job.reading.held
    if good_records(outcome) or (held is not None and held() > outcome.skipped):
        return
    if outcome.problems:
        raise InvalidInput(f"nothing could be imported from {job.source}: every {job.noun} in it "
                           f"was bad ({outcome.skipped} skipped)")
    if not job.empty_is_fine:
        raise InvalidInput(f"nothing could be imported from {job.source}: it holds no {job.noun}s")


def counts(outcome: Outcome) -> dict[str, int]:
    """Every count an outcome keeps, by name (flags such as mail's bulk_people left out)."""
    return {f.name: value for f in fields(outcome)
            if isinstance(value := getattr(outcome, f.name), int) and not isinstance(value, bool)}


def outcome_dict(outcome: Outcome, dry_run: bool) -> dict[str, Any]:
    """The outcome as data: every count the format keeps (created, updated, unchanged,
    skipped, and its own such as people_created), its flags, and the problems, located."""
    flags = {f.name: value for f in fields(outcome) if isinstance(value := getattr(outcome, f.name), bool)}
    return {"dry_run": dry_run, **counts(outcome), **flags, "skipped": outcome.skipped,
            "problems": [located(problem) for problem in outcome.problems]}


_WHERE = re.compile(
    r"^(?P<file>.+?)(?:: line (?P<line>\d+)(?:, (?P<detail>.+))?"
    r"|(?::|,)? (?P<record>(?:record|task|uid|message|card|row) .+))?$", re.DOTALL)


def located(problem: Problem) -> dict[str, Any]:
    """A problem as file, line (or record: a task, a message, a server's uid) and reason."""
    found = _WHERE.match(problem.where)
    if found is None:
        return {"file": problem.where, "line": None, "record": None, "where": problem.where,
                "reason": problem.reason}
    return {"file": found["file"], "line": int(found["line"]) if found["line"] else None,
            "record": found["record"] or found["detail"], "where": problem.where,
            "reason": problem.reason}
