"""``patron import``: bring in what other tools know."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from sqlalchemy import Connection

from patron.cli.app import App, pass_app
from patron.errors import InvalidInput
from patron.importers.base import Outcome, Progress


@click.group("import")
def import_group() -> None:
    """Bring in mail and task lists from other tools.

    Examples:

        patron import mail ~/Maildir

        patron import taskwarrior tasks.json
    """


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


def run_import(app: App, dry_run: bool, work: Callable[[Connection], Outcome]) -> Outcome:
    """Run one import in one transaction (rolled back for a dry run), then report each
    skipped record on standard error and the summary on standard output."""
    store = app.store()
    outcome = Outcome()
    try:
        with store.begin() as conn:
            outcome = work(conn)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    report(outcome, dry_run)
    return outcome


def report(outcome: Outcome, dry_run: bool) -> None:
    for problem in outcome.problems:
        click.echo(f"skipped {problem}", err=True)
    click.echo(("Would import: " if dry_run else "Imported: ") + outcome.line())


@contextmanager
def progress_bar(label: str, total: int | None) -> Iterator[Progress]:
    """A progress bar (done, rate, time left) on a terminal; silent when piped or under CI."""
    if not sys.stderr.isatty() or os.environ.get("CI"):
        yield lambda done: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
    from rich.progress import Progress as Bar

    rate = TextColumn("{task.fields[rate]}")
    with Bar(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), rate,
             TimeRemainingColumn(), transient=True) as bar:
        task = bar.add_task(label, total=total, rate="")

        def advance(done: int) -> None:
            bar.advance(task, done)
            speed = bar.tasks[0].speed
            bar.update(task, rate=f"{speed:,.0f}/s" if speed else "")

        yield advance


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
    run_import(app, dry_run, lambda conn: import_taskwarrior(conn, text, source, app.now()))


SHOWN_PROBLEMS = 20


@import_group.command("mail")
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(exists=True, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show what would change, and change nothing.")
@click.option("--owner", metavar="ADDRESS",
              help="Whose mailbox this is, besides your own addresses (me.emails).")
@click.option("--verbose", is_flag=True, help="List every skipped message, not only the first 20.")
@pass_app
def mail(app: App, paths: tuple[Path, ...], dry_run: bool, owner: str | None, verbose: bool) -> None:
    """Read mail from Maildir folders, mbox files and .eml files into interactions.

    Folders are walked (Maildir++ subfolders too) and each file is told apart by
    its content. Each message becomes one mail interaction with its sender and
    recipients as people (organisations from their domains); a message already
    stored, or a file unchanged since the last run, is skipped, so running it again
    is cheap and an interrupted import picks up where it stopped. Set me.emails in the
    settings first (patron config path) so that your own mail counts as sent.

    Examples:

        patron import mail ~/Maildir

        patron import mail ~/mail/archive.mbox --dry-run

        patron import mail exported/ --owner helen@northwind.example
    """
    from patron.domain.addresses import normal_address
    from patron.importers.mailfiles import count
    from patron.services.mail import import_files, plan

    if owner is not None and normal_address(owner) is None:
        raise InvalidInput(f"--owner {owner!r} is not an e-mail address")
    store = app.store()
    chosen = plan(store, list(paths))
    me = [str(a) for a in app.settings()["me.emails"]]
    with progress_bar("Mail", count(chosen.files) if sys.stderr.isatty() else None) as progress:
        outcome = import_files(store, chosen, me, app.now(), dry_run=dry_run, progress=progress,
                               owner=owner)
    problems = outcome.problems if verbose else outcome.problems[:SHOWN_PROBLEMS]
    for problem in problems:
        click.echo(f"skipped {problem}", err=True)
    if len(problems) < len(outcome.problems):
        click.echo(f"... and {len(outcome.problems) - len(problems)} more skipped "
                   "(--verbose lists them all)", err=True)
    click.echo(("Would import: " if dry_run else "Imported: ") + outcome.line())
