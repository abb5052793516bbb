"""``patron people merge`` and ``patron people duplicates``: records of one person made one."""

from __future__ import annotations

import click

from patron.cli.app import App, pass_app
from patron.cli.output import echo_json, say, table
from patron.domain.duplicates import Duplicate, Someone
from patron.domain.records import PERSON
from patron.services import duplicates as service
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
        echo_json({"groups": [_group(d) for d in found], **({"merged": gone} if take else {})})
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


def _group(found: Duplicate[int]) -> dict[str, object]:
    return {"keep": {"id": found.keep.ident, "name": found.keep.name, "emails": list(found.keep.addresses)},
            "others": [{"id": o.ident, "name": o.name, "emails": list(o.addresses)} for o in found.others],
            "name": found.name, "domain": found.domain}
