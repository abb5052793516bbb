"""What every importer reports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

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
