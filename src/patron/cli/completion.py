"""Shell completion: Click's own (``_PATRON_COMPLETE=bash_source patron``), plus the names
of people, engagements, organisations, asks and the rest read from the register.

Any parameter that takes a record by name (its metavar or name is the kind's, such as
ENGAGEMENT or PERSON) completes that kind's names, so a new ``--engagement`` option
completes without more code. The names come from one small read-only query; a missing
register or any failure gives no completions, never a traceback and never a new file.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path

import click
from click.shell_completion import CompletionItem

from patron.domain.records import COMMITMENT, ENGAGEMENT, KINDS, RecordKind

COMPLETE_VAR = "_PATRON_COMPLETE"
SHOWN = 100
Completer = Callable[[click.Context, click.Parameter, str], list[CompletionItem]]


def completing() -> bool:
    return bool(os.environ.get(COMPLETE_VAR))


def _by_word() -> dict[str, RecordKind]:
    words = {kind.name.upper(): kind for kind in KINDS if kind.by_name}
    return {**words, "PROMISE": COMMITMENT, "CLIENT": ENGAGEMENT}


def attach(command: click.Command) -> None:
    """Give each parameter that names a record (and has no completion of its own) the
    completion of that kind's names, in this command and the commands under it."""
    words = _by_word()
    for param in command.params:
        if param._custom_shell_complete is not None or isinstance(param.type, click.Choice):
            continue
        kind = words.get((param.metavar or param.name or "").upper().removesuffix("..."))
        if kind is not None:
            param._custom_shell_complete = names_of(kind)
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            attach(sub)


def names_of(kind: RecordKind) -> Completer:
    def complete(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
        try:
            found = _names(ctx, kind, incomplete)
        except Exception:  # a completion never fails loudly
            return []
        bash = os.environ.get(COMPLETE_VAR, "").startswith("bash")
        return [CompletionItem(_escaped(name) if bash else name) for name in found]

    return complete


def _names(ctx: click.Context, kind: RecordKind, incomplete: str) -> list[str]:
    from patron.cli.app import App

    given = ctx.find_root().params
    target = App(db=given.get("db"), config=given.get("config"), demo=bool(given.get("demo"))).target()
    pattern = re.sub(r"([\\%_])", r"\\\1", incomplete) + "%"
    # table and column names come from the record kinds; what was typed is a parameter
    query = (f"SELECT DISTINCT {kind.label} FROM {kind.table} WHERE {kind.label} LIKE ? "
             f"ESCAPE '\\' ORDER BY {kind.label} LIMIT {SHOWN}")
    if "://" not in target:
        path = Path(target.removeprefix("sqlite:///")).expanduser()
        if not path.is_file():
            return []
        with sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=0.5) as conn:
            return [str(row[0]) for row in conn.execute(query, (pattern,)) if row[0]]
    import sqlalchemy as sa

    engine = sa.create_engine(target, connect_args=_quick(target))
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text(query.replace("?", ":p")), {"p": pattern})
            return [str(row[0]) for row in rows if row[0]]
    finally:
        engine.dispose()


def _quick(url: str) -> dict[str, object]:
    return {"connect_timeout": 2} if url.startswith("postgresql") else {}


def _escaped(name: str) -> str:
    """Bash inserts a completion as it is: quote the spaces and signs of a name with a
    backslash, doubled because Click's bash script reads each line with ``read`` (no -r),
    which takes one backslash away."""
    return re.sub(r"([^\w@%+=:,./-])", r"\\\\\1", name)
