"""``patron digest``: the morning brief, on the terminal, in a file, or by mail."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import click

from patron.cli.app import App, pass_app
from patron.cli.engagement import engagement_option
from patron.cli.output import prose, to_json


@click.command()
@click.option("--format", "fmt", type=click.Choice(["text", "md", "html"]), default="text",
              show_default=True, help="html: one page with its style inline, readable on a phone.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file instead of the terminal.")
@click.option("--mail", "by_mail", is_flag=True,
              help="Send it to me.emails over SMTP ([smtp] settings; the password from "
                   "PATRON_SMTP_PASSWORD), as HTML with a plain-text part.")
@engagement_option(help="Only this engagement.")
@click.option("--json", "as_json", is_flag=True, help="Print the brief as JSON instead.")
@pass_app
def digest(app: App, fmt: str, output: Path | None, by_mail: bool, engagement: str | None,
           as_json: bool) -> None:
    """The morning brief: the few asks to do first and why they rank high, the
    check-ins due, your promises falling due (digest.promise_days), the
    relationships going cold, birthdays and anniversaries coming, what waits in
    the inbox, and on the first working day of a week or month a pointer at the
    review. Short enough to read on a phone.

    Examples:

        patron digest

        patron digest --format html -o brief.html

        patron digest -e Ledger --json

        PATRON_SMTP_PASSWORD=... patron digest --mail
    """
    from patron.reports import digest as report
    from patron.services import digest as service

    settings = app.settings()
    with app.store(create=False).read() as conn:
        engagement_id = None
        if engagement is not None:
            from patron.domain.records import ENGAGEMENT
            from patron.services.names import labels_for, resolve

            engagement_id = resolve(conn, ENGAGEMENT, engagement)
            engagement = labels_for(conn, ENGAGEMENT, [engagement_id])[engagement_id]
        brief = service.build(conn, settings, app.now(), engagement_id, engagement)
    if by_mail:
        from patron.services import mailer

        sender, to = mailer.addresses(settings)
        chosen = mailer.server(settings)
        mailer.send(chosen, mailer.message(sender, to, report.subject(brief), report.text(brief),
                                           report.html(brief)))
        click.echo(f"Sent the morning brief to {', '.join(to)}", err=True)
    content = to_json(asdict(brief)) + "\n" if as_json else report.FORMATS[fmt](brief)
    if output is not None:
        from patron.services.backup import write_atomically

        write_atomically(output, content)
        click.echo(f"Wrote {output}", err=True)
    elif not by_mail:
        prose(content) if fmt == "text" and not as_json else click.echo(content, nl=False)

