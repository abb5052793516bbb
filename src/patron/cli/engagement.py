"""One spelling for the engagement on every command: ``-e/--engagement``.

Where a positional form reads naturally (``patron client Ledger``, ``patron time 2h
Ledger``) it stays beside the option; giving both, naming different engagements, is a
usage error. ``tests/test_cli_engagement.py`` walks the command tree so that a new
command cannot take an engagement under another spelling.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

FLAGS = ("-e", "--engagement")
F = TypeVar("F", bound=Callable[..., Any])


def engagement_option(help: str = "The engagement (a unique prefix of its name, or its id).",
                      name: str = "engagement", **kw: Any) -> Callable[[F], F]:
    """``-e/--engagement ENGAGEMENT``, stored under ``name``."""
    return click.option(*FLAGS, name, metavar="ENGAGEMENT", help=help, **kw)


def either(positional: str | None, option: str | None) -> str | None:
    """The engagement named by the argument or by ``-e``; both are fine when they agree."""
    if positional is not None and option is not None and \
            positional.strip().casefold() != option.strip().casefold():
        raise click.UsageError(
            f"two engagements given: {positional!r} and -e {option!r}; give one")
    return positional if positional is not None else option


def required(positional: str | None, option: str | None) -> str:
    """Like ``either``, for a command that cannot go on without an engagement."""
    found = either(positional, option)
    if found is None:
        raise click.UsageError("missing the engagement: give it as ENGAGEMENT or -e ENGAGEMENT")
    return found
