"""The ``patron`` command: global options, the command list, and one-line errors."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from patron import __version__
from patron.cli.app import App
from patron.errors import PatronError

ALIASES = {
    "org": "organisation",
    "orgs": "organisation",
    "organisations": "organisation",
    "organization": "organisation",
    "organizations": "organisation",
    "people": "person",
    "engagements": "engagement",
    "eng": "engagement",
    "milestones": "milestone",
    "stakeholders-list": "stakeholder",
    "asks": "ask",
    "commitments": "commitment",
    "interactions": "interaction",
    "time-entries": "time-entry",
    "timelog": "time-entry",
    "goals": "goal",
    "prospects": "prospect",
}


class PatronGroup(click.Group):
    """Accepts the plural and short names people type (``people``, ``org``), and turns
    every failure into one line and an exit code (a traceback only with ``--debug``)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except PatronError as exc:
            if ctx.params.get("debug"):
                raise
            click.echo(f"patron: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("patron: interrupted; nothing half-written was kept", err=True)
            ctx.exit(130)
        except Exception as exc:
            if ctx.params.get("debug"):
                raise
            click.echo(
                f"patron: unexpected error: {type(exc).__name__}: {exc} "
                "(run again with --debug for the traceback)",
                err=True,
            )
            ctx.exit(70)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return super().get_command(ctx, ALIASES.get(cmd_name, cmd_name))

    def resolve_command(self, ctx: click.Context, args: list[str]) -> Any:
        name, command, rest = super().resolve_command(ctx, args)
        return (command.name if command else name), command, rest


@click.group(
    cls=PatronGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog="Start with 'patron demo', then try 'patron --demo ask list'.",
)
@click.option(
    "--db",
    envvar="PATRON_DB",
    metavar="PATH|URL",
    help="The database: a SQLite file or a SQLAlchemy URL (env PATRON_DB).",
)
@click.option(
    "--config",
    "config",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="PATRON_CONFIG",
    help="The settings file (env PATRON_CONFIG).",
)
@click.option("--demo", is_flag=True, help="Use the demo database that 'patron demo' builds.")
@click.option("--debug", is_flag=True, help="Show the full traceback when something fails.")
@click.version_option(__version__, prog_name="patron")
@click.pass_context
def main(ctx: click.Context, db: str | None, config: Path | None, demo: bool, debug: bool) -> None:
    """Patron: who your client really is, what to do next and why, and whether
    each client would hire you back.

    Everything lives in one local database (SQLite by default, PostgreSQL given
    a URL). Names can be a unique prefix, an e-mail address or an id; dates can
    be ISO or everyday words ("friday", "in 3 days", "2026-12-01 15:00").
    """
    app = App(db=db, config=config, demo=demo, debug=debug)
    ctx.obj = app
    ctx.call_on_close(app.close)


def _register() -> None:
    from patron.cli import backup, config, overview, records

    records.register(main)
    for module in (overview, backup, config):
        module.register(main)


_register()


def run() -> None:
    """Entry point for the ``patron`` script."""
    try:
        main.main(prog_name="patron")
    except BrokenPipeError:
        # The reader went away (``patron ask list | head``): not an error worth a line.
        sys.stderr.close()
        sys.exit(0)


if __name__ == "__main__":  # pragma: no cover
    run()
