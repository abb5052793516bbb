"""The ``patron`` command: global options, the command list, and one-line errors."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

import click

from patron import __version__, dates
from patron.cli import output
from patron.cli.app import App
from patron.cli.output import COLOR_CHOICES
from patron.errors import PatronError

COMMANDS = {
    # name -> "module:attribute", imported only when the command runs, so that a quick
    # command (``patron next``) does not pay for the others' imports.
    "next": "patron.cli.ranking:next_asks",
    "why": "patron.cli.ranking:why",
    "done": "patron.cli.asks:done",
    "client": "patron.cli.client:client",
    "conflicts": "patron.cli.client:conflicts",
    "stakeholders": "patron.cli.client:stakeholders",
    "influence": "patron.cli.influence:influence",
    "due": "patron.cli.relationships:due",
    "visibility": "patron.cli.relationships:visibility",
    "met": "patron.cli.relationships:met",
    "promise": "patron.cli.relationships:promise",
    "kept": "patron.cli.relationships:kept",
    "broke": "patron.cli.relationships:broke",
    "time": "patron.cli.relationships:time_spent",
    "start": "patron.cli.relationships:start",
    "stop": "patron.cli.relationships:stop",
    "hours": "patron.cli.hours:hours",
    "reflect": "patron.cli.relationships:reflect",
    "review": "patron.cli.relationships:review",
    "screen": "patron.cli.screen:screen",
    "search": "patron.cli.search:search",
    "detect": "patron.cli.inbox:detect",
    "inbox": "patron.cli.inbox:inbox",
    "digest": "patron.cli.digest:digest",
    "overview": "patron.cli.overview:overview",
    "demo": "patron.cli.overview:demo",
    "export": "patron.cli.backup:export",
    "restore": "patron.cli.backup:restore",
    "import": "patron.cli.imports:import_group",
    "sync": "patron.cli.sync:sync",
    "config": "patron.cli.config:config",
    "serve": "patron.cli.serve:serve",
    "mcp": "patron.cli.mcp:mcp",
}


def _record_commands() -> dict[str, str]:
    from patron.domain.records import KINDS

    return {kind.cli_name: kind.name for kind in KINDS}


def _aliases() -> dict[str, str]:
    """The plural and short names each kind of record declares (``people``, ``org``)."""
    from patron.domain.records import KINDS

    return {alias: kind.cli_name for kind in KINDS for alias in kind.aliases}


ALIASES = _aliases()


class PatronGroup(click.Group):
    """Loads commands lazily, accepts the plural and short names people type (``people``,
    ``org``), and turns every failure into one line and an exit code (a traceback only
    with ``--debug``)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*COMMANDS, *_record_commands()])

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.exceptions.UsageError as exc:
            _one_line(ctx, exc)
            raise  # pragma: no cover - _one_line exits

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.exceptions.UsageError as exc:
            _one_line(ctx, exc)
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
        except BrokenPipeError:
            # The reader went away (``patron ask list | head``): not an error worth a line.
            _quiet_stdout()
            ctx.exit(0)
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
        command = self._command(cmd_name)
        if command is not None and ctx.resilient_parsing:
            from patron.cli import completion

            if completion.completing():
                completion.attach(command)
        return command

    def _command(self, cmd_name: str) -> click.Command | None:
        name = ALIASES.get(cmd_name, cmd_name)
        if name in COMMANDS:
            module, attribute = COMMANDS[name].split(":")
            command = getattr(importlib.import_module(module), attribute)
            assert isinstance(command, click.Command)
            return command
        kinds = _record_commands()
        if name in kinds:
            from patron.cli.records import kind_group
            from patron.domain.records import BY_KIND

            return kind_group(BY_KIND[kinds[name]])
        return None

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
@click.option("--color", "--colour", "color", type=click.Choice(COLOR_CHOICES),
              help="Style the output: auto (a terminal, unless NO_COLOR is set), always "
                   "(even into a pipe), never (no escape sequences)  [default: output.color]")
@click.option("--no-pager", is_flag=True,
              help="Print long output straight out instead of through the pager (PATRON_PAGER, "
                   "PAGER, else 'less -FRX').")
@click.version_option(__version__, prog_name="patron")
@click.pass_context
def main(ctx: click.Context, db: str | None, config: Path | None, demo: bool, debug: bool,
         color: str | None, no_pager: bool) -> None:
    """Patron: who your client really is, what to do next and why, and whether
    each client would hire you back.

    Everything lives in one local database (SQLite by default, PostgreSQL given
    a URL). Names can be a unique prefix, an e-mail address or an id; dates can
    be ISO or everyday words ("friday", "in 3 days", "Dec 10", "2026-12-01 15:00").
    """
    app = App(db=db, config=config, demo=demo, debug=debug)
    ctx.obj = app
    # Numeric dates (12/10/2026) are read in the user's order; the settings are loaded
    # only if a command meets one.
    dates.use_order(lambda: str(app.settings()["dates.order"]))
    ctx.call_on_close(lambda: dates.use_order(None))
    ctx.call_on_close(app.close)
    if ctx.resilient_parsing:  # shell completion: print nothing else
        return
    chosen_color, pager = _output_settings(app, color, no_pager)
    output.configure(chosen_color)
    ctx.with_resource(output.paging(pager))


def _output_settings(app: App, color: str | None, no_pager: bool) -> tuple[str, bool]:
    """--color and --no-pager, else [output] in the settings. A settings file that cannot be
    read is reported by the command that needs it (``config set`` may be fixing it)."""
    if color is not None and (no_pager or not sys.stdout.isatty()):
        return color, False
    try:
        settings = app.settings()
    except PatronError:
        return color or "auto", not no_pager
    return color or str(settings["output.color"]), not no_pager and bool(settings["output.pager"])


def _one_line(ctx: click.Context, exc: click.exceptions.UsageError) -> None:
    """A usage error as one line, like every other error; the usage is one --help away."""
    where = exc.ctx.command_path if exc.ctx else "patron"
    click.echo(f"patron: {exc.format_message()} (see '{where} --help')", err=True)
    ctx.exit(exc.exit_code)


def _quiet_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush does not fail again."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


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
