"""``patron export`` and ``patron restore``: the whole register out and back in."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path

import click
from sqlalchemy import Connection

from patron.cli.app import App, pass_app
from patron.errors import InvalidInput
from patron.services import backup


@click.group(invoke_without_command=True)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of standard output.",
)
@pass_app
@click.pass_context
def export(ctx: click.Context, app: App, output: Path | None) -> None:
    """Write the whole register as one JSON document (a backup).

    The document restores into an empty database with 'patron restore';
    export, restore, export again gives the same document. The folder of
    --output must exist.

    Examples:

        patron export -o patron-backup.json

        patron export csv -o backup-folder
    """
    if ctx.invoked_subcommand is not None:
        return
    with app.store(create=False).read() as conn:
        _emit(backup.export_text(conn), output)


_OUTPUT = click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
                       help="Write to this file instead of standard output.")


def _export(app: App, output: Path | None, produce: Callable[[Connection, datetime], str]) -> None:
    """Read the register once, turn it into text, and write that out."""
    with app.store(create=False).read() as conn:
        content = produce(conn, app.now())
    _emit(content, output)


def _emit(content: str | Iterable[str], output: Path | None) -> None:
    """To standard output, or whole into a file (never half a file)."""
    if output is None:
        sys.stdout.writelines([content] if isinstance(content, str) else content)
    else:
        backup.write_atomically(output, content)
        click.echo(f"Wrote {output}", err=True)


@export.command("taskwarrior")
@_OUTPUT
@pass_app
def export_taskwarrior(app: App, output: Path | None) -> None:
    """Write every ask as Taskwarrior JSON, for 'task import' (docs/taskwarrior.md).

    Examples:

        patron export taskwarrior -o tasks.json && task import tasks.json
    """
    import json

    from patron.services.exchange import export_taskwarrior as tasks

    _export(app, output, lambda conn, now: json.dumps(tasks(conn, now), indent=1,
                                                      ensure_ascii=False) + "\n")


@export.command("todotxt")
@_OUTPUT
@pass_app
def export_todotxt(app: App, output: Path | None) -> None:
    """Write every ask as a todo.txt line; 'patron import todotxt' reads it back.

    Examples:

        patron export todotxt -o todo.txt
    """
    from patron.services.exchange import export_todotxt as lines

    _export(app, output, lines)


@export.command("ics")
@_OUTPUT
@pass_app
def export_ics(app: App, output: Path | None) -> None:
    """Write past and upcoming meetings, calls and presentations as one iCalendar file.

    Participants with an e-mail address are attendees (the organiser as
    ORGANIZER); times are written as they are kept, without a zone, and a
    meeting at 00:00 as an all-day event. Imported events keep their UID, so
    importing the file again changes nothing.

    Examples:

        patron export ics -o patron.ics
    """
    from patron.services.calendar import export_calendar

    _export(app, output, export_calendar)


@export.command("feed")
@_OUTPUT
@click.option("--url", "url", is_flag=True,
              help="Print the address 'patron serve' serves the feed at, instead of the feed.")
@click.option("--new-url", "new_url", is_flag=True,
              help="Make a new secret address and print it; the old one stops working.")
@pass_app
def export_feed(app: App, output: Path | None, url: bool, new_url: bool) -> None:
    """Write a calendar feed to subscribe to: open asks with a due date (a task,
    and an all-day event on the due day for apps without tasks), your promises
    with a due date, check-ins due (with an alarm at 9:00), milestones, and the
    birthdays and anniversaries of the people in your active engagements.

    UIDs stay the same from one export to the next and SEQUENCE rises when an
    item changes, so a subscribed calendar updates its items instead of adding
    copies; a done or removed item leaves the feed. Each export records what it
    wrote, so export to the file your calendar app reads (a synced folder, a
    web server) and run it every morning.

    Or subscribe to 'patron serve': --url prints the feed's secret address
    (under web.public_url, which a phone needs), --new-url replaces it.

    Examples:

        patron export feed -o ~/Sync/patron.ics

        patron export feed --url
    """
    from patron.services.feed import export_feed as feed
    from patron.services.feed import subscription

    if (url or new_url) and output is not None:
        raise InvalidInput("--url and --new-url print an address, not the feed: leave out -o")
    if not (url or new_url):
        with app.store(create=False).begin() as conn:
            content = feed(conn, app.settings(), app.now())
        _emit(content, output)
        return
    with app.store(create=False).begin() as conn:
        found = subscription(conn, app.settings(), app.now(), renew=new_url)
    click.echo(found.url)
    if found.local:
        click.echo("note: this address works on this computer only, while 'patron serve' runs "
                   "on port 8765; for a phone, serve Patron where it can reach it and set "
                   "'patron config set web.public_url https://...'", err=True)
    if new_url:
        click.echo("The address given out before no longer works: subscribe to this one.",
                   err=True)


@export.command("vcard")
@_OUTPUT
@pass_app
def export_vcard(app: App, output: Path | None) -> None:
    """Write every person as a vCard 3.0 (name, addresses, organisation, title, phones, notes,
    birthday, anniversary).

    Each card's UID stays the person's ('patron-person-<id>', or the UID the
    card came in with), so importing the file again finds the same people.

    Examples:

        patron export vcard -o contacts.vcf
    """
    from patron.services.contacts import export_cards

    _export(app, output, export_cards)


@export.command("csv")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="The folder to write one CSV file per table into (created if missing); with --table, "
    "the file to write (standard output if not given).",
)
@click.option("--table", type=click.Choice(["people", "asks", "interactions", "time"]),
              help="Write one sheet that 'patron import csv --table' reads back.")
@pass_app
def export_csv(app: App, output: Path | None, table: str | None) -> None:
    """Write one CSV file per table into a folder, or one sheet with --table.

    The folder holds every table as stored (ids and all), a faithful copy. A sheet
    (--table people, asks, interactions or time) names people, engagements and goals
    instead of ids, so it opens well in a spreadsheet and 'patron import csv'
    reads it back (docs/spreadsheets.md).

    Examples:

        patron export csv -o backup-folder

        patron export csv --table asks -o asks.csv

        patron export csv --table time -o hours.csv
    """
    if table is not None:
        from patron.services.sheets import export_sheet

        with app.store(create=False).read() as conn:
            content = export_sheet(conn, table, app.now())
        _emit(content, output)
        return
    if output is None:
        raise InvalidInput("give the folder to write into with -o FOLDER, or one table with --table")
    with app.store(create=False).read() as conn:
        files = backup.csv_files(backup.export_document(conn))
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidInput(f"cannot create folder {output}: {exc.strerror}") from None
    for name, content in files.items():
        backup.write_atomically(output / name, content)
    click.echo(f"Wrote {len(files)} CSV files to {output}", err=True)


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@pass_app
def restore(app: App, file: Path) -> None:
    """Read an export (JSON) into an empty database; '-' reads standard input.

    All or nothing: the whole document is checked before anything is written,
    and a damaged document or a database that is not empty changes nothing.
    Exporting the restored database gives the same document. A backup written
    by an older Patron is brought up to date as its database would be.

    Examples:

        patron --db restored.sqlite restore patron-backup.json
    """
    source = "standard input" if str(file) == "-" else str(file)
    try:
        raw = sys.stdin.read() if str(file) == "-" else file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidInput(f"{source}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{source}: cannot read it ({exc})") from None
    document = backup.loads(raw, source, app.now().date())
    with app.store().begin() as conn:
        counts = backup.restore(conn, document)
    click.echo(
        f"Restored {backup.counts_line(counts) or 'an empty register'} into {app.store().location}"
    )
