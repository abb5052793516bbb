"""``patron people merge``: two records of one person made one."""

from __future__ import annotations

import click

from patron.cli.app import App, pass_app
from patron.cli.output import echo_json
from patron.domain.records import PERSON
from patron.services import records
from patron.services.names import resolve
from patron.services.people import addresses, merge


@click.command("merge")
@click.argument("keep", metavar="KEEP")
@click.argument("other", metavar="OTHER")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@pass_app
def person_merge(app: App, keep: str, other: str, as_json: bool) -> None:
    """Merge OTHER into KEEP: addresses, roles, asks, mail and meetings move to KEEP,
    then OTHER goes. Use it where mail brought one person in under two addresses.

    Examples:

        patron people merge "Helen Brandt" helen.brandt@gmail.com

        patron people merge 12 31
    """
    with app.store(create=False).begin() as conn:
        kept, gone = resolve(conn, PERSON, keep), resolve(conn, PERSON, other)
        gone_name = records.get(conn, PERSON, gone)["name"]
        merge(conn, kept, gone)
        name = records.get(conn, PERSON, kept)["name"]
        emails = addresses(conn, kept)
    if as_json:
        echo_json({"kept": kept, "merged": gone, "name": name, "emails": emails})
    else:
        click.echo(f"Merged {gone_name} (#{gone}) into {name} (#{kept}); "
                   f"addresses: {', '.join(emails) or 'none'}")
