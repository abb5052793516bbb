"""``patron detect`` (asks and promises in a text) and ``patron inbox`` (the ones found in
mail, waiting for a yes or a no)."""

from __future__ import annotations

import sys
from dataclasses import asdict
from typing import Any

import click

from patron.cli.app import App, pass_app
from patron.cli.engagement import engagement_option
from patron.cli.output import echo_json, table
from patron.domain.records import COMMITMENT, ENGAGEMENT
from patron.services.names import resolve


@click.command()
@click.option("--at", "at", metavar="WHEN",
              help="When the text was written, for 'friday' or 'tomorrow' (default: now).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@pass_app
def detect(app: App, at: str | None, as_json: bool) -> None:
    """Find requests made of you and promises made in a text read from standard
    input: each with its sentence, kind (request-action, request-information or
    commitment), a short title and the due date it states. Quoted replies,
    forwarded parts and the signature are left out.

    Examples:

        pbpaste | patron detect

        patron detect --at "2026-11-18 09:30" --json < message.txt
    """
    from patron import dates
    from patron.domain.speech import detect as find

    now = app.now()
    written = dates.parse_moment(at, now) if at else now
    found = find(sys.stdin.read(), written)
    if as_json:
        echo_json([asdict(f) for f in found])
        return
    table(None, ["kind", "due", "title", "sentence"],
          [[f.kind, f.due_at, f.title, f.sentence] for f in found],
          empty="No requests or promises found.", wrap="sentence")


_EDIT_OPTIONS = (
    click.option("--title", metavar="TEXT", help="A better title."),
    click.option("--due", metavar="WHEN", help="When it is due."),
    engagement_option(help="The engagement it belongs to."),
    click.option("--from", "person", metavar="PERSON",
                 help="Who asked (a request) or whom you promised (a commitment)."),
)


def _edit_options(command: Any) -> Any:
    for option in reversed(_EDIT_OPTIONS):
        command = option(command)
    return command


@click.group(invoke_without_command=True)
@click.option("--all", "everything", is_flag=True, help="Also show accepted and rejected ones.")
@engagement_option(help="Only those filed under this engagement.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@click.pass_context
def inbox(ctx: click.Context, everything: bool, engagement: str | None, as_json: bool) -> None:
    """Asks and promises found in your mail, waiting for you: accept one to make it an
    ask (or a commitment) that 'patron next' ranks, edit it first, or reject it. Nothing
    found in mail counts until you accept it. An accepted promise is tied to the ask it
    answers when there is one clear candidate: the one open ask from the same message or
    thread, else the one open ask of the person promised.

    Examples:

        patron inbox

        patron inbox accept 3 4 --engagement Ledger

        patron inbox -e Ledger

        patron inbox reject 5
    """
    if ctx.invoked_subcommand is not None:
        return
    from patron.services import inbox as service

    app: App = ctx.ensure_object(App)
    with app.store(create=False).read() as conn:
        engagement_id = resolve(conn, ENGAGEMENT, engagement) if engagement else None
        found = service.listing(conn, everything, engagement_id)
    if as_json:
        echo_json([asdict(s) for s in found])
        return
    headers = ["id", "kind", "who", "engagement", "due", "title", "sentence"]
    if everything:
        headers.insert(2, "status")
    table(None, headers, [
        [s.id, s.kind, *([s.status] if everything else []), s.person, s.engagement, s.due_at,
         s.title, s.sentence] for s in found],
        empty="Nothing waiting in the inbox.", wrap="title", optional=("sentence",))


@inbox.command()
@click.argument("ids", nargs=-1, required=True, type=int, metavar="ID...")
@_edit_options
@pass_app
def accept(app: App, ids: tuple[int, ...], title: str | None, due: str | None,
           engagement: str | None, person: str | None) -> None:
    """Accept suggestions: each becomes an ask (a request of you) or a commitment (your
    promise), with the changes given.

    Examples:

        patron inbox accept 3

        patron inbox accept 4 --title "Send the Q3 figures" --due friday --from Helen
    """
    from patron.services import inbox as service
    from patron.services import records

    with app.store().begin() as conn:
        made = [(ident, service.accept(conn, ident, app.now(), title=title, due_at=due,
                                       engagement_id=engagement, person_id=person))
                for ident in ids]
        kinds = {s.id: s.kind for s in service.listing(conn, everything=True) if s.id in ids}
        about = {record: records.get(conn, COMMITMENT, record) for ident, record in made
                 if kinds.get(ident) == "commitment"}
    for ident, record in made:
        if record not in about:
            click.echo(f"Accepted #{ident} as ask #{record}")
            continue
        ask = about[record]["ask_id"]
        tied = f", about ask #{ask} '{about[record]['ask']}'" if ask else ""
        click.echo(f"Accepted #{ident} as commitment #{record}{tied}")


@inbox.command()
@click.argument("ident", type=int, metavar="ID")
@_edit_options
@pass_app
def edit(app: App, ident: int, title: str | None, due: str | None, engagement: str | None,
         person: str | None) -> None:
    """Change a pending suggestion (its title, due date, engagement or person).

    Examples:

        patron inbox edit 3 --title "Send the Q3 figures" --due "next week"
    """
    from patron.services import inbox as service

    with app.store().begin() as conn:
        service.edit(conn, ident, app.now(), title=title, due_at=due, engagement_id=engagement,
                     person_id=person)
    click.echo(f"Changed suggestion #{ident}")


@inbox.command()
@click.argument("ids", nargs=-1, required=True, type=int, metavar="ID...")
@pass_app
def reject(app: App, ids: tuple[int, ...]) -> None:
    """Reject suggestions: they stay rejected and are never suggested again.

    Examples:

        patron inbox reject 5 6
    """
    from patron.services import inbox as service

    with app.store().begin() as conn:
        count = service.reject(conn, ids)
    click.echo(f"Rejected {count} suggestion{'s' if count != 1 else ''}")

