"""``patron mcp``: Patron's decisions for an assistant, as an MCP server over stdio."""

from __future__ import annotations

import importlib.util

import click

from patron.cli.app import App, pass_app
from patron.errors import InvalidInput

INSTALL = "pip install 'patron[mcp]'"


@click.command()
@click.option("--read-only", is_flag=True,
              help="Offer the reading tools only: an assistant cannot change the register.")
@pass_app
def mcp(app: App, read_only: bool) -> None:
    """Serve the register to an assistant over MCP (the Model Context Protocol) on
    standard input and output: what to do next and why, who the client really is,
    who is due a call, would they hire you back, the review; and, unless
    --read-only, tools to log touchpoints, asks, promises, feedback and time.
    An MCP client starts it; docs/mcp.md lists the tools and resources.

    Needs the mcp extra: pip install 'patron[mcp]'.

    Examples:

        patron mcp

        patron --db ~/work/patron.sqlite mcp --read-only
    """
    if importlib.util.find_spec("mcp") is None:
        raise InvalidInput(f"the MCP server needs the MCP SDK: {INSTALL}")
    from patron.mcp.server import run

    run(app, read_only=read_only)
