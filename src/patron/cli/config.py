"""``patron config``: where the settings file is and what is in effect."""

from __future__ import annotations

import click

from patron import settings
from patron.cli.app import App, pass_app
from patron.cli.output import echo_json


@click.group()
def config() -> None:
    """The settings: one TOML file, documented in docs/configuration.md.

    Examples:

        patron config show
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
