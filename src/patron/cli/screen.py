"""``patron screen``: should you take this client at all?"""

from __future__ import annotations

import sys
from dataclasses import asdict

import click

from patron.cli.app import App, pass_app
from patron.cli.output import echo_json, say
from patron.services import screening


@click.command()
@click.argument("prospect")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@pass_app
def screen(app: App, prospect: str, as_json: bool) -> None:
    """Screen a prospect: the partnership questions, red flags found in its notes
    and touchpoints, a fit score and a recommendation. Give '-' to screen a block
    of text from standard input instead (a mail, call notes).

    Examples:

        patron screen Vantor

        pbpaste | patron screen -
    """
    if prospect == "-":
        result = screening.screen_text(app.settings(), sys.stdin.read(), "standard input")
    else:
        from patron.domain.records import PROSPECT
        from patron.services.names import resolve

        with app.store(create=False).read() as conn:
            result = screening.screen_prospect(conn, app.settings(), resolve(conn, PROSPECT, prospect))
    if as_json:
        echo_json(asdict(result))
        return
    say(f"Screening {result.prospect}: fit {result.fit}/100, {result.recommendation}")
    for answer in result.answers:
        say(f"  {answer.question:<40} {answer.answer:<8} {answer.why}", hang=52)
    if result.flags:
        say("  red flags:")
        for flag in result.flags:
            say(f"    {flag.kind.replace('_', ' ')}: \"{flag.sentence}\" ({flag.source})")
    if result.reasons:
        say("  because:")
        for reason in result.reasons:
            say(f"    - {reason}")
