"""``patron search``: people, organisations, engagements, asks and touchpoints by words."""

from __future__ import annotations

from dataclasses import asdict

import click

from patron.cli.app import App, pass_app
from patron.cli.output import echo_json, table
from patron.services.search import KINDS
from patron.services.search import search as find

SHOWN_AS = {"person": "person", "organisation": "organisation", "engagement": "engagement",
            "ask": "ask", "interaction": "touchpoint"}


@click.command()
@click.argument("words", nargs=-1, required=True)
@click.option("--kind", "kinds", type=click.Choice(list(KINDS)), multiple=True,
              help="Search only this kind of record (repeatable).")
@click.option("--limit", "-n", type=click.IntRange(min=1), default=50, show_default=True,
              help="Show at most this many records.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_app
def search(app: App, words: tuple[str, ...], kinds: tuple[str, ...], limit: int, as_json: bool) -> None:
    """Find people, organisations, engagements, asks and touchpoints (mail subjects
    included) by words. Each word matches the start of a word ("bud" finds "Budget"),
    every word must be found, case and accents aside. Records come kind by kind: asks
    and touchpoints newest first, people, organisations and engagements with the words
    in their name first.

    Examples:

        patron search budget helen

        patron search --kind touchpoints --limit 10 quarterly review
    """
    with app.store(create=False).read() as conn:
        hits = find(conn, words, kinds=kinds or None, limit=limit)
    if as_json:
        echo_json([asdict(hit) for hit in hits])
        return
    table(None, ["kind", "title", "found in", "when"],
          [(SHOWN_AS[h.kind], h.title, h.snippet, h.when) for h in hits],
          empty=f"nothing found for {' '.join(words)!r}")
