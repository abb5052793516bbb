"""``patron sync``: asks as tasks on your phone, both ways (a vdir folder or CalDAV)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from patron.cli.app import App, pass_app
from patron.cli.output import echo_json
from patron.errors import InvalidInput, MissingExtra
from patron.services.sync import Outcome

PASSWORD = "PATRON_CALDAV_PASSWORD"


@click.group("sync")
def sync() -> None:
    """Keep your open asks as tasks (VTODO) on your phone, both ways.

    An ask added or changed here is written there; a task completed, retitled
    or given a new due date there changes the ask; a task created there becomes
    an ask; an ask removed here deletes its task; a task deleted there keeps
    its ask and drops the link (--resend sends it again). A repeating task is
    one ask per occurrence: done on either side, it moves on to the next. When
    both sides changed the same field, the newer change wins and the other is
    named in the output. See docs/sync.md.

    Examples:

        patron sync vdir ~/.local/share/vdirsyncer/tasks/work

        patron sync caldav --dry-run
    """


_dry_run = click.option("--dry-run", is_flag=True,
                        help="Say what would change on both sides and change nothing.")
_json = click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
_resend = click.option("--resend", metavar="ASK", multiple=True,
                       help="Send this ask again though its task was deleted there (its id or a "
                            "unique part of its title; repeatable).")


@sync.command("vdir", short_help="Sync asks both ways with a vdir folder.")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path), metavar="DIR")
@_dry_run
@_resend
@_json
@pass_app
def vdir(app: App, folder: Path, dry_run: bool, resend: tuple[str, ...], as_json: bool) -> None:
    """Sync asks with a vdir folder (one .ics file a task, as vdirsyncer, khal and
    todoman keep them).

    Example:

        patron sync vdir ~/.local/share/vdirsyncer/tasks/work --dry-run
    """
    from patron.services import sync as use_case
    from patron.sync.vdir import VdirStore

    tasks = VdirStore(folder.expanduser(), app.now())
    _report(use_case.run(app.store(), tasks, app.now(), dry_run=dry_run, resend=resend), as_json)


@sync.command("caldav", short_help="Sync asks both ways with a CalDAV calendar.")
@_dry_run
@_resend
@_json
@pass_app
def caldav(app: App, dry_run: bool, resend: tuple[str, ...], as_json: bool) -> None:
    """Sync asks with a calendar on your CalDAV server (Nextcloud, Fastmail,
    iCloud, Radicale): caldav.url, caldav.user and caldav.calendar in the
    settings, the password in PATRON_CALDAV_PASSWORD.

    Example:

        PATRON_CALDAV_PASSWORD=secret patron sync caldav
    """
    settings = app.settings()
    url, user, calendar = (str(settings[f"caldav.{k}"]) for k in ("url", "user", "calendar"))
    if not url:
        raise InvalidInput("no CalDAV server set: patron config set caldav.url https://dav.example.org/")
    try:
        from patron.sync.caldav import CaldavStore
    except ImportError:
        raise MissingExtra("CalDAV sync needs its extra: pip install 'patron[sync]'") from None
    from patron.services import sync as use_case

    tasks = CaldavStore(url, user, os.environ.get(PASSWORD, ""), calendar, app.now())
    _report(use_case.run(app.store(), tasks, app.now(), dry_run=dry_run, resend=resend), as_json)


def _report(outcome: Outcome, as_json: bool) -> None:
    if as_json:
        echo_json(outcome.as_json())
        return
    click.echo(summary(outcome))
    for title in outcome.unlinked:
        click.echo(f"  task deleted there; the ask stays here, no longer synced: {title!r} "
                   "(--resend to send it again)")
    for title in outcome.resent:
        click.echo(f"  sent again: {title!r}")
    for repeated in outcome.repeated:
        click.echo(f"  repeating: {repeated.line()}")
    for conflict in outcome.conflicts:
        click.echo(f"  conflict: {conflict.line()}")
    for href, why in sorted(outcome.unreadable.items()):
        click.echo(f"  skipped {href}: {why}", err=True)


def summary(o: Outcome) -> str:
    there = [f"{o.sent} sent", f"{o.updated_there} updated", f"{o.deleted_there} deleted"]
    here = [f"{o.new_asks} new", f"{o.changed_asks} changed ({o.done_asks} done)"]
    extra = []
    if o.unlinked:
        extra.append(f"{len(o.unlinked)} unlinked")
    if o.conflicts:
        extra.append(f"{len(o.conflicts)} conflict{'s' if len(o.conflicts) > 1 else ''}")
    verb = "would sync" if o.dry_run else "synced"
    return (f"{verb} {o.target}: tasks there {', '.join(there)}; asks here {', '.join(here)}; "
            f"{o.unchanged} unchanged" + (f"; {', '.join(extra)}" if extra else "")
            + (" (dry run: nothing changed)" if o.dry_run else ""))
