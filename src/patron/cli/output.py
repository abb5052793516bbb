"""Printing results: readable tables in a terminal, JSON for scripts.

How output looks is decided once per run (``configure``, from ``--color``, ``NO_COLOR``,
``--no-pager`` and the ``[output]`` settings) and kept in ``Terminal``: whether tables
are drawn for a person or written tab-separated for scripts, whether any styling
(colour, bold, italic) may be written, and how wide the screen is. A table always fits
that width: long cells are shortened with "…", never broken inside a word.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import sys
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TextIO

import click

COLOR_CHOICES = ("auto", "always", "never")
DEFAULT_PAGER = "less -FRX"
GAP = 2  # spaces between two columns of a table
WHOLE = 16  # a column of numbers this narrow (ids, scores, times) is kept whole if it can be
NAME = 20  # a first column (names) this narrow is kept whole if it can be


@dataclass(frozen=True)
class Terminal:
    tables: bool  # draw tables for a person; else tab-separated lines for scripts
    color: bool  # any styling at all (colour, bold, italic) may be written
    width: int
    height: int
    choice: str = "auto"  # --color as given, to decide again for standard error


_terminal: Terminal | None = None


def decide(color: str = "auto", *, stdout_is_tty: bool | None = None,
           environ: Mapping[str, str] | None = None) -> Terminal:
    """``--color auto`` styles a terminal unless NO_COLOR (any non-empty value) or
    TERM=dumb; ``always`` draws styled tables even into a pipe (as ``ls --color=always``);
    ``never`` writes no escape sequence at all."""
    env = os.environ if environ is None else environ
    tty = sys.stdout.isatty() if stdout_is_tty is None else stdout_is_tty
    size = shutil.get_terminal_size((80, 24))
    if color == "always":
        return Terminal(True, True, size.columns, size.lines, color)
    if color == "never":
        return Terminal(tty, False, size.columns, size.lines, color)
    plain = bool(env.get("NO_COLOR")) or env.get("TERM") == "dumb"
    return Terminal(tty, tty and not plain, size.columns, size.lines, color)


def configure(color: str = "auto") -> Terminal:
    global _terminal
    _terminal = decide(color)
    return _terminal


def terminal() -> Terminal:
    return _terminal or decide()


def to_json(value: Any) -> str:
    return json.dumps(value, default=_jsonable, indent=2, ensure_ascii=False)


def _jsonable(value: object) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def echo_json(value: Any) -> None:
    unpage()  # JSON is for programs: never through a pager
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


def console(stderr: bool = False) -> Any:
    """A Rich console that follows the run's decisions; without colour it writes no
    escape sequence at all (Rich's own ``no_color`` would keep bold and italic)."""
    from rich.console import Console

    mode = decide(terminal().choice, stdout_is_tty=sys.stderr.isatty()) if stderr else terminal()
    return Console(
        file=sys.stderr if stderr else None, force_terminal=mode.tables,
        color_system="auto" if mode.color else None, no_color=not mode.color,
        highlight=False, soft_wrap=False, emoji=False, width=mode.width,
    )


Card = tuple[str, str, list[str]]
"""A row drawn as a card: its heading, what stands at the right of the heading, its lines."""

CRAMPED = 24
"""A wrapping column narrower than this reads badly: the table is drawn as cards instead."""


def table(title: str | None, headers: Sequence[str], rows: Sequence[Sequence[Any]],
          empty: str = "nothing to show", *, wrap: str | Sequence[str] | None = (),
          optional: Sequence[str] = (), card: Callable[[list[str]], Card] | None = None) -> None:
    """A table in a terminal; plain tab-separated lines when piped, so scripts can cut them.

    On a terminal the table fits the screen: cells are shortened with "…"; the ``wrap``
    columns (a title) instead run over several lines, broken between words; ``optional``
    columns are left out when the table would not fit whole. Where ``card`` is given and a
    wrapping column would be cramped (a narrow terminal), each row is drawn as a card that
    ``card`` makes from its cells."""
    if not rows:
        click.echo(empty)
        return
    cells = [[text(v).replace("\t", " ") for v in row] for row in rows]
    if not terminal().tables:
        if title:
            click.echo(f"# {title}")
        click.echo("\t".join(headers))
        for row in cells:
            click.echo("\t".join(cell.replace("\n", " ") for cell in row))
        return
    if card is not None and _cramped(headers, cells, wrap):
        _cards(title, [card(row) for row in cells])
        return
    _draw(title, list(headers), cells, wrap, optional)


def _cramped(headers: Sequence[str], cells: list[list[str]], wrap: str | Sequence[str] | None) -> bool:
    """Whether a wrapping column would get fewer than ``CRAMPED`` columns of the screen."""
    natural = [max([len(h), *(len(row[i]) for row in cells)]) for i, h in enumerate(headers)]
    wrapping = (wrap,) if isinstance(wrap, str) else tuple(wrap or ())
    flowing = [headers.index(name) for name in wrapping if name in headers]
    widths = fit(natural, terminal().width - GAP * (len(headers) - 1), flowing)
    return any(widths[i] < min(CRAMPED, natural[i]) for i in flowing)


def _cards(title: str | None, cards: list[Card]) -> None:
    """Rows as cards: the heading in bold with its tail at the right, then each line indented
    and broken between words."""
    import textwrap

    from rich.text import Text

    width = terminal().width
    out = console()
    if title:
        out.print(Text(title, style="italic"))
    for head, tail, lines in cards:
        heading = Text(head, style="bold")
        room = width - len(head) - len(tail)
        heading.append(" " * max(1, room) + tail if room >= 1 else "\n  " + tail)
        out.print(heading, soft_wrap=True)
        for line in lines:
            for part in textwrap.wrap(line, width=width, initial_indent="  ", subsequent_indent="    ",
                                      break_long_words=False, break_on_hyphens=False):
                out.print(Text(part), soft_wrap=True)


def _draw(title: str | None, headers: list[str], cells: list[list[str]],
          wrap: str | Sequence[str] | None,
          optional: Sequence[str]) -> None:
    from rich import box
    from rich.table import Table

    width = terminal().width
    natural = [max([len(h), *(len(line) for row in cells for line in row[i].splitlines())])
               for i, h in enumerate(headers)]
    empty = [h for i, h in enumerate(headers) if not any(row[i] for row in cells)]
    for name in [*empty, *reversed(optional)]:  # a column with nothing in it says nothing
        if sum(natural) + GAP * (len(natural) - 1) > width and name in headers:
            gone = headers.index(name)
            del headers[gone], natural[gone]
            cells = [row[:gone] + row[gone + 1:] for row in cells]
    wrapping = (wrap,) if isinstance(wrap, str) else tuple(wrap or ())
    flowing = [headers.index(name) for name in wrapping if name in headers]
    # numbers, days and times stay whole, and the first column (what the row is: a person,
    # an engagement) unless it is long or the wrapping one
    whole = [i for i, size in enumerate(natural) if (size <= WHOLE
             and all(not row[i] or any(c.isdigit() for c in row[i]) for row in cells))
             or (i == 0 and 0 not in flowing and size <= NAME)]
    widths = fit(natural, width - GAP * (len(headers) - 1), flowing, whole)
    grid = Table(title=title, title_justify="left", header_style="bold", box=box.SIMPLE_HEAD,
                 show_edge=False, pad_edge=False, padding=(0, GAP - 1, 0, 0))
    for i, (header, size) in enumerate(zip(headers, widths, strict=True)):
        grid.add_column(header, width=size, no_wrap=i not in flowing, overflow="ellipsis")
    for row in cells:
        grid.add_row(*(_escape(cell) for cell in row))
    console().print(grid)


def fit(natural: Sequence[int], budget: int, flowing: Collection[int] = (),
        whole: Collection[int] = ()) -> list[int]:
    """Column widths that add up to at most ``budget``. The widest columns give way first,
    down to a common width; ``whole`` columns (ids, scores, days) only when nothing else
    is left. ``flowing`` columns (they wrap between words) may be twice as wide as the
    others and take what is left over."""
    if sum(natural) <= budget:
        return list(natural)
    tries: list[tuple[Collection[int], Collection[int]]] = [
        (flowing, whole), ((), whole), (flowing, ()), ((), ())]
    for weighted, kept in tries:
        widths = _shrunk(natural, budget, weighted, kept)
        if sum(widths) <= budget:
            break
    for i in flowing:  # what the cap left over goes to the columns that wrap
        widths[i] = min(natural[i], widths[i] + max(0, budget - sum(widths)))
    return widths


def _shrunk(natural: Sequence[int], budget: int, flowing: Collection[int],
            whole: Collection[int]) -> list[int]:
    loose = {i: w for i, w in enumerate(natural) if i not in whole}
    cap = _cap(loose, budget - sum(natural[i] for i in whole), flowing)
    return [w if i in whole else _capped(i, w, cap, flowing) for i, w in enumerate(natural)]


def _capped(index: int, width: int, cap: int, flowing: Collection[int]) -> int:
    """A column's width under a cap; a flowing column may be twice as wide."""
    return min(width, cap * 2 if index in flowing else cap)


def _cap(widths: Mapping[int, int], budget: int, flowing: Collection[int] = ()) -> int:
    """The largest cap c (at least 1) under which the columns add up to at most budget."""
    cap = max(widths.values(), default=1)
    while cap > 1 and sum(_capped(i, w, cap, flowing) for i, w in widths.items()) > budget:
        cap -= 1
    return cap


def say(line: str = "", hang: int | None = None) -> None:
    """A line of prose: on a terminal broken between words to fit the screen, the rest
    indented under its text (or ``hang`` columns in, under an aligned value)."""
    width = terminal().width
    if not terminal().tables or len(line) <= width:
        click.echo(line)
        return
    import textwrap

    body = line.lstrip(" ")
    indent = " " * (len(line) - len(body))
    marker = re.match(r"(?:- |\d+\. )", body)
    step = len(marker.group(0)) if marker else 2
    rest = " " * hang if hang is not None and hang < width - 20 else indent + " " * step
    click.echo(textwrap.fill(body, width=width, initial_indent=indent, subsequent_indent=rest,
                             break_long_words=False, break_on_hyphens=False))


def prose(content: str) -> None:
    """A whole text report, each line wrapped between words on a terminal (see ``say``)."""
    for line in content.splitlines():
        say(line)


def pairs(title: str, items: Sequence[tuple[str, Any]]) -> None:
    """One record, field by field."""
    width = max((len(k) for k, _ in items), default=0)
    say(title)
    for key, value in items:
        for number, part in enumerate(text(value).split("\n")):
            label = key.ljust(width) if number == 0 else " " * width
            say(f"  {label}  {part}", hang=width + 4)


def _escape(value: str) -> str:
    from rich.markup import escape

    return escape(value)


# --- the pager -------------------------------------------------------------------------------


class _Held(io.StringIO):
    """Standard output held back until the command ends, to be paged if it is long."""

    def __init__(self, real: TextIO) -> None:
        super().__init__()
        self.real = real

    def isatty(self) -> bool:
        return self.real.isatty()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self.real.encoding or "utf-8"


def pager_command(environ: Mapping[str, str] | None = None) -> str:
    """PATRON_PAGER, else PAGER, else ``less -FRX``; empty or ``cat`` means no pager."""
    env = os.environ if environ is None else environ
    for name in ("PATRON_PAGER", "PAGER"):
        if name in env:
            return env[name].strip()
    return DEFAULT_PAGER


@contextmanager
def paging(enabled: bool) -> Iterator[None]:
    """Hold standard output while a command runs; at the end show it through the pager when
    it is longer than the screen (as git does), else print it as it is. Only on a terminal:
    never when piped, and ``echo_json`` or ``unpage`` let go at once."""
    command = pager_command()
    if not enabled or not sys.stdout.isatty() or command in ("", "cat"):
        yield
        return
    held = _Held(sys.stdout)
    sys.stdout = held
    try:
        yield
    finally:
        if sys.stdout is held:
            sys.stdout = held.real
            _show(held.getvalue(), command, held.real)


def unpage() -> None:
    """Stop holding output (before a prompt, or for JSON): what was held is printed now."""
    held = sys.stdout
    if isinstance(held, _Held):
        sys.stdout = held.real
        held.real.write(held.getvalue())
        held.real.flush()


def _show(output: str, command: str, real: TextIO) -> None:
    if not output:
        return
    size = terminal()
    lines = sum(max(1, -(-len(line) // max(size.width, 1))) for line in output.splitlines())
    if lines < size.height or not _through_pager(output, command):
        real.write(output)
        real.flush()


def _through_pager(output: str, command: str) -> bool:
    """Run the pager on the output; False when it cannot be started."""
    import shlex
    import subprocess

    env = dict(os.environ)
    env.setdefault("LESS", "FRX")
    env.setdefault("LV", "-c")
    try:
        process = subprocess.Popen(shlex.split(command), stdin=subprocess.PIPE, env=env)
    except (OSError, ValueError):
        return False
    assert process.stdin is not None
    try:
        with suppress(BrokenPipeError):  # the reader quit the pager early
            process.stdin.write(output.encode(sys.stdout.encoding or "utf-8", "replace"))
            process.stdin.close()
        while True:
            try:
                process.wait()
                break
            except KeyboardInterrupt:  # less handles ^C itself; wait for it to end
                continue
    finally:
        with suppress(OSError):
            process.stdin.close()
    return True
