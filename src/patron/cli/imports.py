"""``patron import``: bring in what other tools know."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from patron.cli.app import App, pass_app
from patron.errors import InvalidInput


@click.group("import")
def import_group() -> None:
    """Bring in task lists from other tools.

    Examples:

        patron import taskwarrior tasks.json
    """


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


def read_source(file: Path) -> tuple[str, str]:
    """The text of a file ('-' for standard input) and how to name it in messages."""
    source = "standard input" if str(file) == "-" else str(file)
    try:
        return (sys.stdin.read() if str(file) == "-" else file.read_text(encoding="utf-8")), source
    except FileNotFoundError:
        raise InvalidInput(f"{source}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{source}: cannot read it ({exc})") from None


@import_group.command("taskwarrior")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show what would change, and change nothing.")
@pass_app
def taskwarrior(app: App, file: Path, dry_run: bool) -> None:
    """Read Taskwarrior's JSON ('task export > tasks.json') into asks.

    Projects become engagements, priorities values, dependencies links; a task
    imported before is updated, never duplicated (docs/taskwarrior.md).

    Examples:

        task export > tasks.json && patron import taskwarrior tasks.json

        patron import taskwarrior tasks.json --dry-run
    """
    from patron.services.exchange import import_taskwarrior

    text, source = read_source(file)
    store = app.store()
    try:
        with store.begin() as conn:
            outcome = import_taskwarrior(conn, text, source, app.now())
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    for problem in outcome.problems:
        click.echo(f"skipped {problem}", err=True)
    click.echo(("Would import: " if dry_run else "Imported: ") + outcome.line())
