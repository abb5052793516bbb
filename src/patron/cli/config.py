"""``patron config``: where the settings file is and what is in effect."""

from __future__ import annotations

import click
import click.shell_completion

from patron import settings
from patron.cli.app import App, pass_app
from patron.cli.output import echo_json


@click.group()
def config() -> None:
    """The settings: one TOML file, documented in docs/configuration.md.

    Examples:

        patron config show

        patron config set ranking.limit 10
    """


@config.command("show")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of TOML.")
@pass_app
def show(app: App, as_json: bool) -> None:
    """Print the effective settings (defaults overlaid with your file).

    Examples:

        patron config show
    """
    effective = app.settings()
    if as_json:
        echo_json(dict(effective.values))
        return
    source = effective.source or f"{app.config or settings.config_path()} (absent: defaults)"
    click.echo(f"# settings from {source}")
    click.echo(f"# database in use: {app.target()}")
    click.echo(settings.to_toml(effective), nl=False)


@config.command("path")
@pass_app
def path(app: App) -> None:
    """Print where the settings file is (or would be).

    Examples:

        patron config path
    """
    click.echo(str(app.config or settings.config_path()))


@config.command("docs")
def docs() -> None:
    """Print the settings reference as Markdown (docs/configuration.md).

    Examples:

        patron config docs > docs/configuration.md
    """
    click.echo(settings.reference_markdown(), nl=False)


@config.command("set", context_settings={"ignore_unknown_options": True})
@click.argument("key", metavar="KEY", shell_complete=lambda ctx, param, incomplete: [
    click.shell_completion.CompletionItem(name) for name in settings.BY_NAME
    if name.startswith(incomplete)])
@click.argument("value", metavar="VALUE")
@pass_app
def set_(app: App, key: str, value: str) -> None:
    """Set one setting in the settings file, keeping its comments and layout (the file
    is made if there is none). VALUE is checked against the setting's type; a list is
    written as 'a, b, c' (or as a TOML array).

    Examples:

        patron config set ranking.limit 10

        patron config set me.emails "sam@larkspur.example, sam.okafor@example.com"
    """
    where = app.config or settings.config_path()
    typed = settings.parse_value(key, value)
    settings.write_value(where, key, typed)
    click.echo(f"{key} = {settings.toml_value(typed)} in {where}")


@config.command("unset")
@click.argument("key", metavar="KEY")
@pass_app
def unset(app: App, key: str) -> None:
    """Take one setting out of the settings file: its default applies again.

    Examples:

        patron config unset ranking.limit
    """
    where = app.config or settings.config_path()
    default = settings.toml_value(settings.known(key).default)
    if settings.remove_value(where, key):
        click.echo(f"{key} is back to its default, {default} (removed from {where})")
    else:
        click.echo(f"{key} was not set in {where}; its default is {default}")
