"""Errors a user can meet, each with its exit code.

A command never shows a traceback for these (unless ``--debug``): the CLI
prints the one-line message and exits with ``exit_code``.
"""

from __future__ import annotations

from collections.abc import Sequence


class PatronError(Exception):
    """Something the user can fix; the message says what and where."""

    exit_code = 1


class InvalidInput(PatronError):
    """A value given by the user (or read from a file) cannot be used."""

    exit_code = 2


class NotFound(PatronError):
    """A name, address or id matches no record."""

    exit_code = 3


class Ambiguous(PatronError):
    """A name matches several records; the message lists them."""

    exit_code = 4

    def __init__(self, kind: str, text: str, candidates: Sequence[str]) -> None:
        self.candidates = list(candidates)
        shown = "; ".join(self.candidates[:10])
        more = f" and {len(self.candidates) - 10} more" if len(self.candidates) > 10 else ""
        super().__init__(f"{kind} {text!r} is ambiguous: it matches {shown}{more}")


class Conflict(PatronError):
    """The change would break a rule of the register (a duplicate, a record in use)."""

    exit_code = 5


class StoreError(PatronError):
    """The database cannot be opened, read or written."""

    exit_code = 6


class MissingExtra(PatronError):
    """A feature needs an optional part of Patron that is not installed."""

    exit_code = 7


class RemoteFailed(PatronError):
    """A server or folder Patron sends to or syncs with is down, refuses the login or answers
    garbage. Nothing in the register changed."""

    exit_code = 8


class DeliveryFailed(RemoteFailed):
    """Something could not be sent: the mail server refused, was unreachable, or refused the
    login."""
