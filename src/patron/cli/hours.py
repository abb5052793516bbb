"""``patron hours``: time logged per engagement and per boss kind, with its value."""

from __future__ import annotations

import csv
import io
from typing import Any

import click

from patron.cli.app import App, pass_app
from patron.cli.output import echo_json, table
from patron.cli.relationships import chosen_period, period_options
from patron.services.hours import Hours, Line


@click.command()
@period_options
@click.option("--engagement", "-e", metavar="ENGAGEMENT", help="This engagement only.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV (one row per engagement and boss).")
@pass_app
def hours(app: App, period: str | None, start: str | None, end: str | None,
          engagement: str | None, as_json: bool, as_csv: bool) -> None:
    """Hours logged per engagement and per boss kind (employer, customer, self), and
    their value where the engagement has an hourly rate ('engagement edit X --rate 120').
    The period is the review's: by default this month, or in its first days the month
    just ended (what you bill).

    Examples:

        patron hours

        patron hours --period last-month -e Ledger --csv > ledger-november.csv

        patron hours --from 2026-11-01 --to 2026-11-15 --json
    """
    from patron.services.hours import hours as count

    chosen = chosen_period(app, period, start, end)
    with app.store(create=False).read() as conn:
        found = count(conn, chosen, engagement)
    if as_json:
        echo_json(_data(found))
    elif as_csv:
        click.echo(_csv(found), nl=False)
    else:
        _show(found)


def _line(line: Line) -> dict[str, Any]:
    return {"engagement": line.engagement or None, "boss": line.boss or None,
            "minutes": line.minutes, "hours": line.hours, "rate": line.rate, "value": line.value}


def _data(found: Hours) -> dict[str, Any]:
    p = found.period
    return {"period": {"kind": p.kind, "name": p.name, "first": p.first, "last": p.last},
            "engagements": [_line(line) for line in found.engagements],
            "bosses": [_line(line) for line in found.bosses.values()],
            "total": _line(found.total)}


def _csv(found: Hours) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["engagement", "boss", "hours", "minutes", "rate", "value"])
    for line in found.engagements:
        writer.writerow([line.engagement, line.boss, f"{line.hours:g}", line.minutes,
                         "" if line.rate is None else f"{line.rate:g}",
                         "" if line.value is None else f"{line.value:.2f}"])
    return buffer.getvalue()


def _shown(minutes: int) -> str:
    return f"{minutes // 60}h{minutes % 60:02d}"


def _money(value: float | None) -> str:
    return "" if value is None else f"{value:,.2f}"


def _show(found: Hours) -> None:
    p = found.period
    if p.note:
        click.echo(f"Covering {p.note}.")
    if not found.engagements:
        click.echo(f"No time logged in {p.name}.")
        return
    table(f"Hours in {p.name} ({p.first} to {p.last})",
          ["engagement", "boss", "time", "hours", "rate", "value"],
          [[line.engagement, line.boss, _shown(line.minutes), f"{line.hours:g}",
            "" if line.rate is None else f"{line.rate:g}", _money(line.value)]
           for line in found.engagements])
    table("Per boss", ["boss", "time", "hours", "share", "value"],
          [[boss, _shown(line.minutes), f"{line.hours:g}",
            f"{line.minutes / found.total.minutes:.0%}", _money(line.value)]
           for boss, line in found.bosses.items()])
    click.echo(f"Total: {_shown(found.total.minutes)} ({found.total.hours:g} hours)"
               + (f", worth {_money(found.total.value)}" if found.total.value is not None else ""))
