"""The command reference (docs/cli.md), made from the commands themselves.

``python -m patron.cli.reference > docs/cli.md``; a test fails when the file
and the commands differ, so the reference never goes stale.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator

import click

from patron.cli.main import main


def walk(
    command: click.Command, path: tuple[str, ...] = ("patron",)
) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    """Every command, depth first, with its full name."""
    yield path, command
    if isinstance(command, click.Group):
        for name in command.list_commands(click.Context(command)):
            sub = command.get_command(click.Context(command), name)
            if sub is not None and not sub.hidden:
                yield from walk(sub, (*path, name))


def markdown() -> str:
    lines = [
        "# Command reference",
        "",
        "Generated from the commands (`python -m patron.cli.reference > docs/cli.md`);",
        "a test fails when this page and the commands differ. `patron COMMAND --help`",
        "prints the same text.",
        "",
    ]
    for path, command in walk(main):
        with _context(path) as ctx:
            usage = command.get_usage(ctx).removeprefix("Usage: ")
            options = [p.get_help_record(ctx) for p in command.get_params(ctx)]
        lines += [f"## `{' '.join(path)}`", "", "```", usage, "```", ""]
        lines += [_paragraphs(command.help or ""), ""]
        shown = [o for o in options if o is not None and o[1]]
        if shown:
            lines += ["| option | meaning |", "| --- | --- |"]
            lines += [f"| `{_cell(name)}` | {_cell(meaning)} |" for name, meaning in shown]
            lines.append("")
    return "\n".join(lines)


def _context(path: tuple[str, ...]) -> click.Context:
    """The context the real command line would give: each inherits its parent's settings
    (the root's -h/--help), so the page does not depend on which commands ran before."""
    ctx = main.make_context("patron", [], resilient_parsing=True)
    group: click.Command = main
    for name in path[1:]:
        assert isinstance(group, click.Group)
        found = group.get_command(ctx, name)
        assert found is not None
        ctx = click.Context(found, info_name=name, parent=ctx)
        group = found
    return ctx


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _paragraphs(text: str) -> str:
    """Click's help text, with its indented examples kept as code."""
    out: list[str] = []
    for line in inspect.cleandoc(click.unstyle(text)).splitlines():
        stripped = line.strip()
        out.append(f"    {stripped}" if line.startswith("    ") and stripped else stripped)
    return "\n".join(out).strip()


if __name__ == "__main__":  # pragma: no cover
    click.echo(markdown(), nl=False)
