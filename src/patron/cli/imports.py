"""``patron import``: bring in what other tools know."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

import click

from patron.cli.app import App, pass_app, stdin_is_terminal
from patron.cli.output import console, echo_json, unpage
from patron.errors import InvalidInput
from patron.importers.base import Outcome, Progress
from patron.services import imports
from patron.services.imports import Import


@click.group("import")
def import_group() -> None:
    """Bring in mail, calendars, contacts, spreadsheets and task lists from other tools.

    A bad record is reported with its file and line (or record) and skipped; an
    import that brings nothing good in (no records at all, or only bad ones)
    ends with one line saying so and exit code 2. --json prints the outcome
    (counts and problems, located) for scripts.

    Examples:

        patron import mail ~/Maildir

        patron import ics ~/.calendars/work

        patron import taskwarrior tasks.json

        patron import csv --table people contacts.csv

        patron import todotxt todo.txt

        patron import vcard ~/.contacts
    """


SHOWN_PROBLEMS = 20
"""Skipped records listed on standard error unless --verbose; the rest are counted."""

Prepare = Callable[..., Iterator[Import[Any]]]
"""A format's registration: given the app and its own options, it reads the source and
yields the import to run (a generator, so that it can hold a connection open around it)."""

FORMATS: dict[str, click.Command] = {}
"""The import commands, by format: every one made by ``importer`` from its registration."""


def importer(name: str, *options: Callable[[Any], Any], label: str) -> Callable[[Prepare], Prepare]:
    """Register a format: its ``patron import NAME`` command takes the format's own options
    (Click decorators) and the options every import shares (--dry-run, --json, --verbose);
    its help is the registration's docstring; ``label`` names the progress bar. Running it
    prepares the import, tells the reading's notes, stores it (``imports.run``) and reports."""

    def register(prepare: Prepare) -> Prepare:
        opened = contextmanager(prepare)

        def command(app: App, dry_run: bool, as_json: bool, verbose: bool, **given: Any) -> None:
            with opened(app, **given) as job:
                for note in job.reading.notes:
                    click.echo(f"{job.source}: {note}", err=True)
                with progress_bar(label, job.reading.total) as progress:
                    outcome = imports.run(app.store(), job, dry_run=dry_run, progress=progress)
            show(outcome, job, dry_run, as_json, None if verbose else SHOWN_PROBLEMS)

        callback: Callable[..., Any] = pass_app(command)
        for option in (*reversed(options), *_SHARED):
            callback = option(callback)
        made = click.command(name, help=prepare.__doc__)(callback)
        FORMATS[name] = made
        import_group.add_command(made)
        return prepare

    return register


_SHARED = (
    click.option("--verbose", is_flag=True,
                 help=f"List every skipped record, not only the first {SHOWN_PROBLEMS}."),
    click.option("--json", "as_json", is_flag=True,
                 help="Print the outcome as JSON: the counts and each skipped record, located."),
    click.option("--dry-run", is_flag=True, help="Show what would change, and change nothing."),
)


def show(outcome: Outcome, job: Import[Any], dry_run: bool, as_json: bool,
         shown: int | None = SHOWN_PROBLEMS) -> None:
    """Every import ends here: with --json one object (the counts and each skipped record,
    located); else each skipped record on standard error (the first ``shown``) and the
    summary line on standard output. An import that brought nothing good in then fails
    (``imports.refuse_nothing_good``): with --json after the object, else instead of the
    summary."""
    if as_json:
        echo_json(imports.outcome_dict(outcome, dry_run))
        imports.refuse_nothing_good(outcome, job)
        return
    listed = outcome.problems if shown is None else outcome.problems[:shown]
    for problem in listed:
        click.echo(f"skipped {problem}", err=True)
    if len(listed) < len(outcome.problems):
        click.echo(f"... and {len(outcome.problems) - len(listed)} more skipped "
                   "(--verbose lists them all)", err=True)
    imports.refuse_nothing_good(outcome, job)
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
             TimeRemainingColumn(), transient=True, console=console(stderr=True)) as bar:
        task = bar.add_task(label, total=total, rate="")

        def advance(done: int) -> None:
            bar.advance(task, done)
            speed = bar.tasks[0].speed
            bar.update(task, rate=f"{speed:,.0f}/s" if speed else "")

        yield advance


def read_bytes(file: Path) -> tuple[bytes, str]:
    """The bytes of a file ('-' for standard input) and how to name it in messages."""
    source = "standard input" if str(file) == "-" else str(file)
    try:
        return (sys.stdin.buffer.read() if str(file) == "-" else file.read_bytes()), source
    except FileNotFoundError:
        raise InvalidInput(f"{source}: no such file") from None
    except OSError as exc:
        raise InvalidInput(f"{source}: cannot read it ({exc.strerror})") from None


def read_source(file: Path) -> tuple[str, str]:
    """The text of a file ('-' for standard input) and how to name it in messages."""
    source = "standard input" if str(file) == "-" else str(file)
    try:
        return (sys.stdin.read() if str(file) == "-" else file.read_text(encoding="utf-8")), source
    except FileNotFoundError:
        raise InvalidInput(f"{source}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{source}: cannot read it ({exc})") from None


@importer("taskwarrior",
          click.argument("file", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path)),
          label="Importing tasks")
def taskwarrior(app: App, file: Path) -> Iterator[Import[Any]]:
    """Read Taskwarrior's JSON ('task export > tasks.json') into asks.

    Projects become engagements, priorities values, dependencies links; a task
    imported before is updated, never duplicated (docs/taskwarrior.md).

    Examples:

        task export > tasks.json && patron import taskwarrior tasks.json

        patron import taskwarrior tasks.json --dry-run
    """
    from patron.services.exchange import taskwarrior_import

    text, source = read_source(file)
    yield taskwarrior_import(text, source, app.now())


@importer("mail",
          click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path)),
          click.option("--owner", metavar="ADDRESS",
                       help="Whose mailbox this is, besides your own addresses (me.emails)."),
          label="Mail")
def mail(app: App, paths: tuple[Path, ...], owner: str | None) -> Iterator[Import[Any]]:
    """Read mail from Maildir folders, mbox files and .eml files into interactions.

    Folders are walked (Maildir++ subfolders too) and each file is told apart by
    its content. Each message becomes one mail interaction with its sender and
    recipients as people (organisations from their domains); mail sent to many (lists,
    newsletters, no-reply senders) is kept as mail but makes no new people and no
    asks (mail.bulk_people changes that). A message already stored, or a file
    unchanged since the last run, is skipped, so running it again is cheap and an
    interrupted import picks up where it stopped. Set me.emails in the settings
    first (patron config path) so that your own mail counts as sent.

    Examples:

        patron import mail ~/Maildir

        patron import mail ~/mail/archive.mbox --dry-run

        patron import mail exported/ --owner helen@northwind.example
    """
    from patron.domain.addresses import normal_address
    from patron.services.mail import files_import

    if owner is not None and normal_address(owner) is None:
        raise InvalidInput(f"--owner {owner!r} is not an e-mail address")
    me = [str(a) for a in app.settings()["me.emails"]]
    # counting the messages reads every file once more: only for a progress bar
    yield files_import(app.store(), list(paths), me, app.now(), owner=owner,
                       bulk_people=bool(app.settings()["mail.bulk_people"]), counted=sys.stderr.isatty())


PASSWORD_ENV = "PATRON_IMAP_PASSWORD"


@importer("imap",
          click.option("--host", required=True, help="The IMAP server."),
          click.option("--port", type=click.IntRange(1, 65535),
                       help="The server's port  [default: 993, or 143 with --starttls]"),
          click.option("--user", required=True, help="The login name, often the address."),
          click.option("--folder", "folders", multiple=True, metavar="FOLDER",
                       help="A folder to read (again for more)  [default: INBOX]"),
          click.option("--all-folders", is_flag=True, help="Read every folder but Trash and Junk."),
          click.option("--starttls", is_flag=True,
                       help="Connect in plain text, then switch to TLS (port 143)."),
          click.option("--insecure", is_flag=True,
                       help="Do not verify the server's certificate (a self-signed server you trust)."),
          click.option("--cafile", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                       help="Verify the server's certificate against these certificates (PEM)."),
          click.option("--password-env", default=PASSWORD_ENV, show_default=True, metavar="NAME",
                       help="The environment variable that holds the password."),
          label="Reading mail")
def imap(app: App, host: str, port: int | None, user: str, folders: tuple[str, ...],
         all_folders: bool, starttls: bool, insecure: bool, cafile: Path | None,
         password_env: str) -> Iterator[Import[Any]]:
    """Read mail from an IMAP server into interactions, without marking it as read.

    The password comes from $PATRON_IMAP_PASSWORD (or the variable --password-env
    names), or is asked for on a terminal; never from the command line. Each
    folder's place is kept, so the next run fetches only new mail, and an import
    that was stopped goes on where it was.

    Examples:

        PATRON_IMAP_PASSWORD=... patron import imap --host imap.example.com --user me@example.com

        patron import imap --host imap.example.com --user me@example.com --folder INBOX --folder Sent
    """
    from patron.importers.imap import Account, connect
    from patron.services.imap import imap_import

    password = _password(password_env, user, host)
    account = Account(host, user, password, port, starttls, insecure, cafile)
    me = [*app.settings()["me.emails"], *([user] if "@" in user else [])]
    store = app.store()
    with connect(account) as session:
        yield imap_import(store, session, folders, me, app.now(), all_folders=all_folders,
                          bulk_people=bool(app.settings()["mail.bulk_people"]))


def _password(variable: str, user: str, host: str) -> str:
    """The password from the environment, or asked for (hidden) on a terminal."""
    password = os.environ.get(variable)
    if password:
        return password
    if stdin_is_terminal():
        unpage()  # the question must show before the answer is read
        entered: str = click.prompt(f"Password for {user} on {host}", hide_input=True)
        return entered
    raise InvalidInput(f"no IMAP password: set {variable} (or name another variable with "
                       "--password-env), or run on a terminal to be asked")


@importer("csv",
          click.argument("file", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path)),
          click.option("--table", type=click.Choice(["people", "asks", "interactions", "time"]),
                       required=True, help="What each row is."),
          click.option("--map", "overrides", multiple=True, metavar="COLUMN=FIELD",
                       help="Read this column as this field (repeatable); COLUMN= ignores the column."),
          label="Importing rows")
def import_csv(app: App, file: Path, table: str, overrides: tuple[str, ...]) -> Iterator[Import[Any]]:
    """Read a spreadsheet (CSV) of people, asks, interactions or time entries
    (docs/spreadsheets.md).

    Columns are matched to fields by their header (Google, Outlook, Thunderbird and
    Yahoo contact exports included); the mapping used is shown on standard error.
    People are matched by address, then by exact name; time entries by engagement
    and start (columns such as Date, Start, Duration or Hours, Project, Note);
    importing a file again changes nothing.

    Examples:

        patron import csv --table people google-contacts.csv

        patron import csv --table asks tasks.csv --map Subject=title --map Owner=requester

        patron import csv --table interactions calls.csv --dry-run

        patron import csv --table time harvest-november.csv
    """
    from patron.importers import csv_table
    from patron.services.sheets import sheet_import

    raw, source = read_bytes(file)
    yield sheet_import(csv_table.load(raw, table, source, overrides), source, app.now())


@importer("todotxt",
          click.argument("file", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path)),
          label="Importing tasks")
def todotxt(app: App, file: Path) -> Iterator[Import[Any]]:
    """Read a todo.txt file into asks (README, "todo.txt").

    Priorities become values (A=5 ... E=1), +projects engagements (+self your
    own development), @contexts tags; a task imported before is updated (marked done, say), never duplicated.

    Examples:

        patron import todotxt ~/todo.txt

        patron import todotxt done.txt --dry-run
    """
    from patron.services.exchange import todotxt_import

    text, source = read_source(file)
    yield todotxt_import(text, source, app.now())


@importer("ics",
          click.argument("path", type=click.Path(allow_dash=True, path_type=Path)),
          click.option("--since", metavar="DAY",
                       help="Repeating events from this day (default: a year ago)."),
          click.option("--until", metavar="DAY",
                       help="Repeating events up to this day (default: in 90 days)."),
          label="Storing meetings")
def ics(app: App, path: Path, since: str | None, until: str | None) -> Iterator[Import[Any]]:
    """Read iCalendar files (.ics), or a folder of them (khal, vdirsyncer), into meetings.

    Each event becomes a meeting; attendees and the organiser become its
    participants (you, by me.emails, are left out); cancelled events and
    invitations you declined are no meetings, and private events, events marked
    free and events with nobody but you are no touchpoints (counted, not
    stored). Repeating events are expanded
    from --since to --until (default: a year back to 90 days ahead); single
    events are read whatever their date; one repeating event gives at most
    calendar.max_occurrences meetings (1,000; a cut is reported), and a rule
    with INTERVAL=0 only its first. Meetings still to come show in
    'patron due'. Importing again updates, never duplicates. Bad events are
    reported with file and line and skipped; when nothing at all could be
    read (no event in it, or only bad ones) the command ends with exit code 2.

    Examples:

        patron import ics ~/.local/share/khal/calendars/work

        patron import ics calendar.ics --since 2026-01-01 --dry-run
    """
    from patron.dates import parse_day
    from patron.importers import ics as reader
    from patron.services.calendar import calendar_import, events_import

    now = app.now()
    window = reader.Window.around(
        now, datetime.combine(parse_day(since, now.date()), time()) if since else None,
        datetime.combine(parse_day(until, now.date()) + timedelta(days=1), time()) if until else None,
        int(app.settings()["calendar.max_occurrences"]))
    if window.since >= window.until:
        raise InvalidInput(f"--since ({window.since:%Y-%m-%d}) must come before --until")
    mine = [str(a) for a in app.settings()["me.emails"]]
    if str(path) == "-":
        text, source = read_source(path)
        yield events_import(reader.read_text(text, source, window), mine, now, source)
        return
    if not path.exists():
        raise InvalidInput(f"{path}: no such file or folder")
    files = reader.calendar_files(path)
    with progress_bar("Reading calendars", len(files)) as progress:
        job = calendar_import(app.store(), files, window, mine, now, str(path), progress)
    yield job


@importer("vcard",
          click.argument("path", type=click.Path(allow_dash=True, path_type=Path)),
          label="Cards")
def vcard(app: App, path: Path) -> Iterator[Import[Any]]:
    """Read address books (vCard 2.1, 3.0, 4.0) into people.

    PATH is a .vcf file (one card or many), a folder of them (as khard and
    vdirsyncer keep them; read recursively) or '-' for standard input. A card
    finds its person by address, then by its UID, then (with no address) by
    full name; it fills what is missing and adds addresses and phones, never
    overwriting what Patron holds. A broken card is skipped and named by file
    and line.

    Examples:

        patron import vcard contacts.vcf

        patron import vcard ~/.local/share/vdirsyncer/contacts --dry-run
    """
    from patron.importers import vcard as cards
    from patron.services.contacts import vcard_import

    source = "standard input" if str(path) == "-" else str(path)
    if str(path) == "-":
        found, problems = cards.chunks(sys.stdin.buffer.read(), source)
    else:
        found, problems = cards.books(path)
    store = app.store()
    with store.read() as conn:  # what unchanged cards gave when last read
        job = vcard_import(conn, found, problems, source, app.now())
    yield job
