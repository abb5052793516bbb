"""``patron people merge`` and ``patron people duplicates``: records of one person made one."""

from __future__ import annotations

from dataclasses import asdict

import click

from patron.cli.app import App, pass_app
from patron.cli.output import echo_json, say, table
from patron.domain.duplicates import Someone
from patron.services import duplicates as service


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
        done = service.merge_named(conn, keep, other)
    if as_json:
        echo_json(asdict(done))
    else:
        click.echo(f"Merged {done.merged_name} (#{done.merged}) into {done.name} (#{done.kept}); "
                   f"addresses: {', '.join(done.emails) or 'none'}")


@click.command("duplicates")
@click.option("--merge", "take", is_flag=True, help="Merge each group into the record shown first.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@pass_app
def person_duplicates(app: App, take: bool, as_json: bool) -> None:
    """People who are likely one person under several records: the same name at the
    same organisation's domain (john.lavorato@, john.j.lavorato@ and lavorato.john@ at
    one company), where the mail gave no name that joined them. Groups whose initials
    differ (john.a.smith and john.b.smith) or whose people belong to different
    organisations are left apart, and free-mail domains are never matched. --merge
    merges each group into the record in the most mail; one group alone: patron people
    merge KEEP OTHER.

    Examples:

        patron people duplicates

        patron people duplicates --merge
    """
    store = app.store(create=False)
    with store.begin() if take else store.read() as conn:
        found = service.find(conn)
        gone = service.merge_all(conn, found) if take else 0
    if as_json:
        echo_json({"groups": [asdict(g) for g in service.shown(found)], **({"merged": gone} if take else {})})
        return
    table("Likely one person" if not take else "Merged", ["keep", "merge into it", "domain"],
          [[_who(d.keep), ", ".join(_who(o) for o in d.others), d.domain] for d in found],
          empty="No two people look like one.", wrap=("keep", "merge into it"))
    if found and not take:
        say("Merge them all with patron people duplicates --merge, or one group with "
            "patron people merge KEEP OTHER.")
    elif found:
        say(f"Merged {gone:,} record{'s' if gone != 1 else ''} into {len(found):,} "
            f"{'person' if len(found) == 1 else 'people'}.")


def _who(someone: Someone[int]) -> str:
    return f"{someone.name} (#{someone.ident})"

