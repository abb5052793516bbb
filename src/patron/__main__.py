"""``python -m patron``: the same as the ``patron`` script (an MCP client may start it so)."""

from patron.cli.main import run

run()
