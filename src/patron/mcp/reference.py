"""The MCP reference (docs/mcp.md), made from the server's own tools and resources.

``python -m patron.mcp.reference > docs/mcp.md``; a test fails when the file and the
server differ, so the reference never goes stale.
"""

from __future__ import annotations

import inspect
from datetime import datetime
from typing import Any

import anyio
from mcp.types import Tool

from patron.mcp.resources import ENGAGEMENTS, PEOPLE
from patron.mcp.server import PatronServer, build
from patron.mcp.tools import READING_TOOLS
from patron.settings import Settings
from patron.store.database import Store

INTRO = """\
# MCP reference

`patron mcp` serves the register in use (`--db`, `PATRON_DB`, the settings, or `--demo`)
to an assistant over the Model Context Protocol on standard input and output. It needs
the `mcp` extra: `pip install 'patron[mcp]'`. `patron mcp --read-only` offers the reading
tools only. The client configuration is in the README.

Every tool answers twice: a short text naming people as you know them and saying why,
and structured content (described by the tool's output schema, in the shape of the
matching command's `--json`). Names are given as on the command line: a unique part of
a name, an e-mail address or an id. A name that fits several records, an unknown name or
a bad value is a tool error of one line (a name lists its candidates), and nothing is
written. Each writing tool is one transaction.

This file is generated: `./tasks docs`.
"""


class _Nothing:
    """Only the tools' descriptions are read: the register is never opened."""

    def store(self, *, create: bool = True) -> Store:
        raise AssertionError("the reference opens no register")

    def settings(self) -> Settings:
        raise AssertionError("the reference opens no register")

    def now(self) -> datetime:
        raise AssertionError("the reference opens no register")


def markdown() -> str:
    server = build(_Nothing())
    tools = anyio.run(server.list_tools)
    lines = [INTRO]
    for title, reading in (("Reading tools", True), ("Writing tools", False)):
        lines += [f"## {title}", ""]
        for tool in tools:
            if (tool.name in READING_TOOLS) is reading:
                lines += _tool(tool)
    lines += _resources(server)
    return "\n".join(lines).rstrip() + "\n"


def _tool(tool: Tool) -> list[str]:
    lines = [f"### `{tool.name}`", "", inspect.cleandoc(tool.description or ""), ""]
    properties: dict[str, Any] = tool.inputSchema.get("properties", {})
    required = set(tool.inputSchema.get("required", []))
    if properties:
        lines += ["| argument | type | | what it is |", "| --- | --- | --- | --- |"]
        for name, schema in properties.items():
            need = "required" if name in required else f"default `{_json(schema.get('default'))}`"
            lines.append(f"| `{name}` | {_type(schema, tool.inputSchema)} | {need} | "
                         f"{schema.get('description', '')} |")
        lines.append("")
    output = (tool.outputSchema or {}).get("properties", {})
    if output:
        lines += ["Structured content: " + ", ".join(f"`{name}`" for name in output) + ".", ""]
    return lines


def _type(schema: dict[str, Any], root: dict[str, Any]) -> str:
    if "anyOf" in schema:
        return " or ".join(_type(s, root) for s in schema["anyOf"])
    if "$ref" in schema:
        return _type(root.get("$defs", {}).get(schema["$ref"].rsplit("/", 1)[-1], {}), root)
    if "enum" in schema:
        return " \\| ".join(f"`{v}`" for v in schema["enum"])
    if schema.get("type") == "array":
        return f"list of {_type(schema.get('items', {}), root)}"
    kind = str(schema.get("type", "any"))
    bounds = [f"{word} {schema[key]}" for key, word in (("minimum", "from"), ("maximum", "to"))
              if key in schema]
    return kind + (f" ({', '.join(bounds)})" if bounds else "")


def _json(value: Any) -> str:
    return "null" if value is None else str(value).lower() if isinstance(value, bool) else str(value)


def _resources(server: PatronServer) -> list[str]:
    templates = {t.uriTemplate: t for t in anyio.run(server.list_resource_templates)}
    lines = ["## Resources", "",
             "The active engagements are listed (`resources/list`), each as "
             f"`{ENGAGEMENTS.format(engagement='ID')}`; any engagement or person can be read "
             "by its template, named by id or by name (URL-encoded: `Ledger%20migration`). "
             "Both are JSON.", ""]
    for uri in (ENGAGEMENTS, PEOPLE):
        lines += [f"### `{uri}`", "", inspect.cleandoc(templates[uri].description or ""), ""]
    return lines


if __name__ == "__main__":  # pragma: no cover
    import sys

    sys.stdout.write(markdown())
