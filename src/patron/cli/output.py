"""Printing results: readable tables in a terminal, JSON for scripts."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

import click


def to_json(value: Any) -> str:
    return json.dumps(value, default=_jsonable, indent=2, ensure_ascii=False)


def _jsonable(value: object) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def echo_json(value: Any) -> None:
    click.echo(to_json(value))


def text(value: Any) -> str:
    """One value as a person reads it."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M") if (value.hour, value.minute) != (0, 0) \
            else value.strftime("%Y-%m-%d")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"
    if isinstance(value, Mapping):
        return str(value.get("name", value.get("id", "")))
    if isinstance(value, list | tuple):
        return ", ".join(text(v) for v in value)
    return str(value)


def people(named: Sequence[tuple[str, str | None]]) -> str:
    """'Helen Brandt, CFO; Victor Lam' from (name, title) pairs."""
    return "; ".join(name + (f", {title}" if title else "") for name, title in named)


def console() -> Any:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False)


def table(title: str | None, headers: Sequence[str], rows: Sequence[Sequence[Any]],
          empty: str = "nothing to show") -> None:
    """A table in a terminal; plain tab-separated lines when piped, so scripts can cut them."""
    if not rows:
        click.echo(empty)
        return
    if not sys.stdout.isatty():
        if title:
            click.echo(f"# {title}")
        click.echo("\t".join(headers))
        for row in rows:
            click.echo("\t".join(text(v).replace("\t", " ").replace("\n", " ") for v in row))
        return
    from rich.table import Table

    grid = Table(title=title, title_justify="left", header_style="bold", show_lines=False)
    for header in headers:
        grid.add_column(header, overflow="fold")
    for row in rows:
        grid.add_row(*(_escape(text(v)) for v in row))
    console().print(grid)


def pairs(title: str, items: Sequence[tuple[str, Any]]) -> None:
    """One record, field by field."""
    width = max((len(k) for k, _ in items), default=0)
    click.echo(title)
    for key, value in items:
        shown = text(value)
        if "\n" in shown:
            shown = shown.replace("\n", "\n" + " " * (width + 4))
        click.echo(f"  {key.ljust(width)}  {shown}")


def _escape(value: str) -> str:
    from rich.markup import escape

    return escape(value)
