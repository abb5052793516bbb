"""``patron influence``: who holds influence, read from the mail."""

from __future__ import annotations

from dataclasses import asdict

import click

from patron.cli.app import App, pass_app
from patron.cli.output import echo_json, say, table
from patron.errors import InvalidInput
from patron.services import influence as service


@click.command()
@click.option("--engagement", "-e", metavar="ENGAGEMENT",
              help="Only mail filed under this engagement or with its stakeholders taking part.")
@click.option("--limit", "-n", type=click.IntRange(min=0), default=25, show_default=True,
              help="Show this many people (0: everyone).")
@click.option("--accept", is_flag=True,
              help="Set the engagement's stakeholders' power to the proposed values (needs --engagement).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@pass_app
def influence(app: App, engagement: str | None, limit: int, accept: bool, as_json: bool) -> None:
    """Who holds influence, inferred from the mail: how many different people write to
    them or copy them, how many copy them, and how many they write to themselves (people
    who direct write to a few and hear from many). Each person gets a score from 0 to 1
    (the share of people in the mail they rank above), a proposed power from 0 to 5 and
    the two or three signals that place them, in words; --json adds every count. Each
    person is measured by the mail found in mailboxes other than their own, so you are
    not scored from your own mail (import each mailbox of an archive with --owner). See
    docs/influence.md for the method, how well it does on real mail, and its limits.

    Examples:

        patron influence --limit 10

        patron influence --engagement Ledger --accept
    """
    if accept and not engagement:  # the service refuses it too, in words that name no option
        raise InvalidInput("--accept sets stakeholders' power in one engagement: give --engagement")
    store = app.store(create=False)
    with store.begin() if accept else store.read() as conn:
        found = service.view(conn, app.settings(), engagement, limit or None, take=accept, look=not as_json)
    if as_json:
        echo_json({"engagement": found.engagement, "people": [asdict(r) for r in found.people],
                   **({"accepted": found.accepted} if found.accepted is not None else {})})
        return
    name = found.engagement
    table(f"Influence in the mail{f' of {name}' if name else ''}",
          ["person", "addresses", "score", "power", "now", "why"],
          [[r.name, r.addresses, f"{r.score:.2f}", r.power, r.current_power, "; ".join(r.reasons)]
           for r in found.people],
          empty="No mail with a sender recorded.",
          wrap="why", optional=("addresses",))
    if found.accepted is not None:
        click.echo(f"Set the power of {found.accepted} stakeholder roles of {name} to the proposed values.")
    if found.split:
        say(f"{found.split:,} {'person appears' if found.split == 1 else 'people appear'} under several "
            "records, each scored on part of their mail: see patron people duplicates")
