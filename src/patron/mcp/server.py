"""The MCP server: Patron's decisions for an assistant, over stdio.

Built on the official MCP Python SDK (``pip install 'patron[mcp]'``). The server is made
from what every command shares (the register, the settings, the clock), so an assistant
reads and writes the same register the command line does, by the same use cases. Over
stdio the protocol owns standard output: nothing here prints.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from mcp.server.fastmcp import FastMCP
from mcp.server.fastmcp.exceptions import ToolError
from mcp.types import ContentBlock, Resource
from pydantic import ValidationError

from patron import __version__
from patron.errors import PatronError
from patron.mcp import resources, tools
from patron.settings import Settings
from patron.store.database import Store

INSTRUCTIONS = (
    "Patron knows the user's clients, their stakeholders, the asks made of the user and the "
    "promises the user made. Prefer its decisions to guesses: 'next' says what to do next and "
    "why, 'client' who really decides, 'due' whom to call, 'hire_me_back' whether a client would "
    "hire the user again. Name people, engagements and asks as the user does (a unique part of "
    "the name, an e-mail address or an id); when a name fits several records the tool lists them "
    "and changes nothing, so ask the user which one is meant."
)


class Register(Protocol):
    """What the server needs from the command line's App: the register, settings and clock."""

    def store(self, *, create: bool = True) -> Store: ...

    def settings(self) -> Settings: ...

    def now(self) -> datetime: ...


class PatronServer(FastMCP):
    """FastMCP, listing a resource for each active engagement as the register holds it now
    (the engagements change while the server runs)."""

    def __init__(self, register: Register, read_only: bool) -> None:
        super().__init__("patron", instructions=INSTRUCTIONS, log_level="WARNING")
        self._mcp_server.version = __version__
        self.register = register
        self.read_only = read_only

    async def list_resources(self) -> list[Resource]:
        return [*await super().list_resources(), *resources.engagement_list(self.register)]

    async def call_tool(self, name: str, arguments: dict[str, Any]
                        ) -> Sequence[ContentBlock] | dict[str, Any]:
        try:
            return await super().call_tool(name, arguments)
        except ToolError as exc:
            raise ToolError(one_line(name, exc)) from None


def one_line(tool: str, exc: ToolError) -> str:
    """A failed call as the command line would say it: one line, no traceback. A name that
    fits several records lists them; a value the schema refuses names its argument."""
    cause = exc.__cause__
    if isinstance(cause, PatronError):
        return str(cause)
    if isinstance(cause, ValidationError):
        return f"{tool}: " + "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or 'arguments'}: {error['msg']}"
            for error in cause.errors(include_url=False))
    if cause is None:
        return str(exc)  # an unknown tool, say
    return f"{tool}: unexpected error: {type(cause).__name__}: {cause}"


def build(register: Register, *, read_only: bool = False) -> PatronServer:
    """The server with its reading tools, its writing tools unless ``read_only``, and its
    resources."""
    server = PatronServer(register, read_only)
    tools.add_reading(server, register)
    if not read_only:
        tools.add_writing(server, register)
    resources.add(server, register)
    return server


def run(register: Register, *, read_only: bool = False) -> None:
    """Serve over stdio until the client closes the connection."""
    build(register, read_only=read_only).run("stdio")
