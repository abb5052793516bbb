"""``add / list / show / edit / remove`` for every kind of record, made from its description.

Each command reads its arguments, calls one use case in ``services.records``
inside one transaction, and prints the result.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import click

from patron.cli.app import App, pass_app, stdin_is_terminal
from patron.cli.engagement import FLAGS, required
from patron.cli.output import echo_json, pairs, table, unpage
from patron.domain.records import Field, FieldKind, RecordKind
from patron.errors import InvalidInput
from patron.services import records
from patron.services.names import resolve
from patron.services.related import related


def json_option() -> click.Option:
    return click.Option(["--json", "as_json"], is_flag=True, help="Print JSON instead of text.")


class KindGroup(click.Group):
    """A kind's commands; ``default`` takes anything that is not one of them, so that
    ``patron feedback Helen --rating 9 "..."`` works beside ``patron feedback list``."""

    default: click.Command | None = None

    def resolve_command(self, ctx: click.Context, args: list[str]) -> tuple[Any, ...]:
        if self.default is not None and args and args[0] not in self.commands \
                and not args[0].startswith("-"):
            return self.default.name, self.default, args
        return super().resolve_command(ctx, args)


def kind_group(kind: RecordKind) -> click.Group:
    group = KindGroup(
        kind.cli_name,
        help=f"{kind.plural.capitalize()}: {kind.summary}.\n\nExample:\n\n    {kind.example}",
        short_help=f"{kind.plural.capitalize()}: {kind.summary}.",
    )
    for make in (add_command, list_command, show_command, edit_command, remove_command):
        group.add_command(make(kind))
    if kind.name == "goal":
        from patron.cli.relationships import goal_done, goal_note

        group.add_command(goal_done)
        group.add_command(goal_note)
    if kind.name == "ask":
        from patron.cli.asks import done

        group.add_command(done)
    if kind.name == "person":
        from patron.cli.people import person_duplicates, person_merge

        group.add_command(person_merge)
        group.add_command(person_duplicates)
    if kind.name == "feedback":
        from patron.cli.relationships import feedback_link, feedback_log

        group.default = feedback_log
        group.add_command(feedback_log)
        group.add_command(feedback_link)
        group.help = (f"{group.help}\n\nOr in one line: patron feedback PERSON [--rating N] "
                      "[\"what they said\"]\n\nA link the client answers: patron feedback link "
                      "PERSON [-e ENGAGEMENT]")
    return group


def _metavar(f: Field) -> str:
    return {
        FieldKind.INT: "N",
        FieldKind.FLOAT: "N",
        FieldKind.DAY: "DAY",
        FieldKind.ANNUAL: "DAY",
        FieldKind.MOMENT: "WHEN",
        FieldKind.DURATION: "DURATION",
        FieldKind.REF: f.ref.upper(),
        FieldKind.LINKS: f.ref.upper(),
    }.get(f.kind, "TEXT")


def _is_engagement(f: Field) -> bool:
    return f.kind is FieldKind.REF and f.ref == "engagement"


def _flags(f: Field, prefix: str = "") -> list[str]:
    """An option's spellings: an engagement is ``-e/--engagement`` on every command."""
    name = f"{prefix}{f.cli_name}"
    return [*(FLAGS[:1] if _is_engagement(f) and not prefix else []), f"--{name}"]


def _option(f: Field, prefix: str = "", verb: str = "") -> click.Option:
    name = f"{prefix}{f.cli_name}"
    return click.Option(
        [*_flags(f, prefix), f"{prefix.replace('-', '_')}{f.name}" if prefix
         else name.replace("-", "_")],
        multiple=f.is_many,
        type=click.Choice(f.choices, case_sensitive=False) if f.choices else None,
        metavar=None if f.choices else _metavar(f),
        help=f"{verb}{f.help}",
    )


def _param_name(f: Field) -> str:
    return f.cli_name.replace("-", "_")


ENGAGEMENT_OPTION = "engagement_option"


def add_command(kind: RecordKind) -> click.Command:
    def callback(app: App, as_json: bool, **given: Any) -> None:
        if ENGAGEMENT_OPTION in given:  # the engagement as an argument or as -e
            given["engagement"] = required(given["engagement"], given.pop(ENGAGEMENT_OPTION))
        values = _values(kind, given)
        with app.store().begin() as conn:
            ident = records.add(conn, kind, values, app.now())
            record = records.get(conn, kind, ident)
        if as_json:
            echo_json(record)
        else:
            click.echo(f"Added {kind.name.replace('_', ' ')} #{ident}: {_label(kind, record)}")

    params: list[click.Parameter] = []
    for f in (f for f in kind.fields if f.positional):
        if _is_engagement(f):
            params.append(click.Argument([_param_name(f)], metavar=f"[{f.cli_name.upper()}]",
                                         required=False))
            params.append(click.Option([*FLAGS, ENGAGEMENT_OPTION], metavar="ENGAGEMENT",
                                       help=f"{f.help} (instead of the argument)"))
        else:
            params.append(click.Argument([_param_name(f)], metavar=f.cli_name.upper()))
    params += [_option(f) for f in kind.fields if not f.positional]
    return _command("add", kind, callback, params, f"Add {records.noun(kind)}.", [kind.example])


def list_command(kind: RecordKind) -> click.Command:
    def callback(app: App, as_json: bool, limit: int | None, **given: Any) -> None:
        filters = {
            f.name: given[_param_name(f)]
            for f in _filters(kind)
            if given.get(_param_name(f)) is not None
        }
        with app.store(create=False).read() as conn:
            found = records.find(conn, kind, filters, app.now(), limit)
        if as_json:
            echo_json(found)
            return
        shown = [f for f in kind.fields if f.in_list]
        table(
            None,
            ["id", *(_header(f) for f in shown)],
            [[r["id"], *(_cell(f, r) for f in shown)] for r in found],
            empty=f"no {kind.plural}",
            wrap=next((_header(f) for f in shown if f.name == kind.label), None),
        )

    params: list[click.Parameter] = [
        click.Option(
            [*_flags(f), _param_name(f)],
            type=click.Choice(f.choices, case_sensitive=False) if f.choices else None,
            help=f"only those with this {f.cli_name}",
        )
        for f in _filters(kind)
    ]
    params.append(click.Option(["--limit"], type=click.IntRange(min=1), help="show at most N"))
    return _command(
        "list",
        kind,
        callback,
        params,
        f"List {kind.plural}.",
        [f"patron {kind.cli_name} list", f"patron {kind.cli_name} list --json"],
    )


def show_command(kind: RecordKind) -> click.Command:
    def callback(app: App, as_json: bool, item: str) -> None:
        with app.store(create=False).read() as conn:
            ident = resolve(conn, kind, item)
            record = records.get(conn, kind, ident)
            connected = related(conn, kind, ident, app.now())
        if as_json:
            echo_json({**record, "related": connected} if connected else record)
            return
        rows = [(_header(f), _shown_value(f, record)) for f in kind.fields]
        rows += [(name, "\n".join(value) if isinstance(value, list) else value)
                 for name, value in connected.items()]
        pairs(
            f"{kind.name.replace('_', ' ').capitalize()} #{record['id']}: {_label(kind, record)}",
            rows,
        )

    params = [click.Argument(["item"], metavar=kind.name.upper())]
    return _command(
        "show",
        kind,
        callback,
        params,
        f"Show one {kind.name.replace('_', ' ')}.",
        [f"patron {kind.cli_name} show {_example_name(kind)}"],
    )


def edit_command(kind: RecordKind) -> click.Command:
    def callback(app: App, as_json: bool, item: str, clear: tuple[str, ...], **given: Any) -> None:
        change = records.Change(
            set=_values(kind, given),
            clear=[_by_cli_name(kind, c).name for c in clear],
            add={
                f.name: list(given[f"add_{f.name}"])
                for f in kind.fields
                if f.is_many and given.get(f"add_{f.name}")
            },
            remove={
                f.name: list(given[f"remove_{f.name}"])
                for f in kind.fields
                if f.is_many and given.get(f"remove_{f.name}")
            },
        )
        if not (change.set or change.clear or change.add or change.remove):
            raise InvalidInput(
                f"nothing to change: give at least one option "
                f"(see 'patron {kind.cli_name} edit --help')"
            )
        with app.store().begin() as conn:
            ident = resolve(conn, kind, item)
            records.edit(conn, kind, ident, change, app.now())
            record = records.get(conn, kind, ident)
        if as_json:
            echo_json(record)
        else:
            click.echo(f"Changed {kind.name.replace('_', ' ')} #{ident}: {_label(kind, record)}")

    params: list[click.Parameter] = [click.Argument(["item"], metavar=kind.name.upper())]
    for f in kind.fields:
        params.append(_option(f, verb="replace: " if f.is_many else ""))
        if f.is_many:
            params.append(_option(f, "add-", "add "))
            params.append(_option(f, "remove-", "remove "))
    optional = [f.cli_name for f in records.clearable(kind)]
    params.append(
        click.Option(
            ["--clear"], multiple=True, type=click.Choice(optional), help="empty this field"
        )
    )
    return _command(
        "edit",
        kind,
        callback,
        params,
        f"Change {records.noun(kind)}.",
        [f"patron {kind.cli_name} edit {_example_name(kind)} --notes '...'"],
    )


def remove_command(kind: RecordKind) -> click.Command:
    def callback(app: App, as_json: bool, item: str, yes: bool) -> None:
        with app.store(create=False).begin() as conn:
            ident = resolve(conn, kind, item)
            label = _label(kind, records.get(conn, kind, ident))
            if not yes:
                if not stdin_is_terminal():
                    raise InvalidInput(
                        f"removing {kind.name} #{ident} ({label}) needs --yes "
                        "when there is no terminal to ask"
                    )
                unpage()  # the question must show before the answer is read
                click.confirm(f"Remove {kind.name} #{ident} ({label})?", abort=True)
            records.remove(conn, kind, ident)
        if as_json:
            echo_json({"removed": kind.name, "id": ident, "label": label})
        else:
            click.echo(f"Removed {kind.name.replace('_', ' ')} #{ident}: {label}")

    params = [
        click.Argument(["item"], metavar=kind.name.upper()),
        click.Option(["--yes", "-y"], is_flag=True, help="do not ask for confirmation"),
    ]
    return _command(
        "remove",
        kind,
        callback,
        params,
        f"Remove {records.noun(kind)} (and what belongs only to it).",
        [f"patron {kind.cli_name} remove {_example_name(kind)} --yes"],
    )


def _command(
    name: str,
    kind: RecordKind,
    callback: Any,
    params: Sequence[click.Parameter],
    summary: str,
    examples: list[str],
) -> click.Command:
    epilog = "Examples:\n\n" + "\n".join(f"    {e}" for e in examples)
    return click.Command(
        name,
        callback=pass_app(callback),
        params=[*params, json_option()],
        help=f"{summary}\n\n{epilog}",
        short_help=summary,
    )


def _values(kind: RecordKind, given: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for f in kind.fields:
        raw = given.get(_param_name(f))
        if raw is None or (f.is_many and not raw):
            continue
        values[f.name] = list(raw) if f.is_many else raw
    return values


def _filters(kind: RecordKind) -> list[Field]:
    return [f for f in kind.fields if f.filter]


def _by_cli_name(kind: RecordKind, name: str) -> Field:
    for f in kind.fields:
        if f.cli_name == name:
            return f
    raise InvalidInput(f"a {kind.name} has no field {name}")


def _header(f: Field) -> str:
    return f.name.removesuffix("_id").replace("_", " ")


def _shown_value(f: Field, record: dict[str, Any]) -> Any:
    """A value for ``show``: lists one item a line."""
    value = _cell(f, record)
    if f.is_many and value:
        return "\n".join(str(v["name"]) if isinstance(v, dict) else str(v) for v in value)
    return value


def _cell(f: Field, record: dict[str, Any]) -> Any:
    if f.kind is FieldKind.REF:
        return record.get(f.name.removesuffix("_id"))
    if f.kind is FieldKind.DURATION:
        minutes = int(record[f.name])
        return f"{minutes // 60}h{minutes % 60:02d}"
    if f.kind is FieldKind.ANNUAL and record.get(f.name) is not None:
        from patron.domain.anniversaries import shown

        return shown(record[f.name])
    return record.get(f.name)


def _label(kind: RecordKind, record: dict[str, Any]) -> str:
    if kind.label:
        return str(record[kind.label])
    if "label" in record:
        return str(record["label"])
    first = next(f for f in kind.fields if f.positional)
    return str(_cell(first, record))


def _example_name(kind: RecordKind) -> str:
    return "1" if not kind.by_name else "NAME"
