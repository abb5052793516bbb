"""``patron done ASK...`` (also ``patron ask done``): asks dealt with."""

from __future__ import annotations

from dataclasses import asdict

import click

from patron.cli.app import App, pass_app
from patron.cli.output import echo_json, text


@click.command("done")
@click.argument("names", nargs=-1, required=True, metavar="ASK...")
@click.option("--at", metavar="WHEN", help="When it was done (default: now).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@pass_app
def done(app: App, names: tuple[str, ...], at: str | None, as_json: bool) -> None:
    """Mark asks done.

    Each ask is named by its id or a unique part of its title; a name that
    matches several asks lists them, and then no ask is changed.

    Examples:

        patron done 12

        patron done "Board dashboard" 14 --at "yesterday 17:00"
    """
    from patron.services.asks import finish

    with app.store(create=False).begin() as conn:
        finished = finish(conn, names, app.now(), at)
    if as_json:
        echo_json([asdict(f) for f in finished])
        return
    for f in finished:
        when = f" (on {text(f.done_at)})" if f.done_at else ""
        click.echo(f"Ask #{f.id} was already done{when}: {f.title}" if f.already
                   else f"Ask #{f.id} done: {f.title}")
