"""What every importer gives: drafts read from its source, and located problems.

An importer (one module per format under ``patron.importers``) reads a source into a
``Reading`` and never touches the register; the import use case (``services/imports.py``)
stores the drafts through the format's writer and ends with an ``Outcome``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

Progress = Callable[[int], None]
"""Told how many more records are done; the CLI draws a progress bar from it."""


def no_progress(done: int) -> None:
    """A progress report nobody watches."""


@dataclass(frozen=True)
class Problem:
    """A record that was skipped: where it was (file, line or record) and why."""

    where: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


@dataclass
class Outcome:
    """The summary an import ends with."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    matched: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def skipped(self) -> int:
        return len(self.problems)

    def line(self) -> str:
        matched = f"{self.matched} matched, " if self.matched else ""
        return (f"{self.created} created, {matched}{self.updated} updated, "
                f"{self.unchanged} unchanged, {self.skipped} skipped")


D = TypeVar("D")


@dataclass
class Reading(Generic[D]):
    """What an importer read from its source, before anything is stored.

    ``drafts`` is a list, or an iterator for a source too big to hold (a mailbox): an iterator
    adds the problems it meets to ``problems`` as it goes. ``total`` is how many drafts to
    expect, when known, for a progress bar; ``held`` tells how many records the source held,
    good or bad, where the drafts do not say (asked only when nothing good came in: a calendar
    whose every event repeats outside the window held good events); ``notes`` are what the
    user is told before the import (the encoding guessed, the columns mapped)."""

    drafts: Iterable[D]
    problems: list[Problem] = field(default_factory=list)
    total: int | None = None
    held: Callable[[], int] | None = None
    notes: list[str] = field(default_factory=list)
