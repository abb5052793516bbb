"""``patron client``, ``patron conflicts`` and ``patron stakeholders``."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import click

from patron.cli.app import App, pass_app
from patron.cli.engagement import either, engagement_option, required
from patron.cli.output import echo_json, people, say, table
from patron.domain.records import ENGAGEMENT
from patron.errors import InvalidInput
from patron.services import client as service
from patron.services.names import resolve
from patron.store import schema


@click.command()
@click.argument("engagement", required=False)
@engagement_option(name="engagement_option", help="The engagement (instead of the argument).")
@click.option("--all", "every", is_flag=True, help="Every active engagement.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@pass_app
def client(app: App, engagement: str | None, engagement_option: str | None, every: bool,
           as_json: bool) -> None:
    """Who the client really is: who pays (the Executive), who directs and judges
    the work (the Manager), who holds the most influence, whether they diverge,
    and whom to favour when they conflict. When the two weigh within
    client.too_close of each other it says so, with what to find out to decide;
    --json then gives "favour": null and "too_close": true.

    Examples:

        patron client Ledger

        patron client --all
    """
    engagement = either(engagement, engagement_option)
    if not engagement and not every:
        raise InvalidInput("name an engagement, or give --all")
    with app.store(create=False).read() as conn:
        if every:
            e = schema.engagement
            ids = list(conn.execute(e.select().with_only_columns(e.c.id)
                                    .where(e.c.status.in_(("active", "paused", "proposed")))
                                    .order_by(e.c.name)).scalars())
        else:
            ids = [resolve(conn, ENGAGEMENT, str(engagement))]
        views = [service.client(conn, app.settings(), app.now(), i) for i in ids]
    if as_json:
        echo_json([asdict(v) for v in views])
        return
    for number, view in enumerate(views):
        if number:
            click.echo("")
        _show(view)


def _who(members: list[service.Member]) -> str:
    return people([(m.name, m.title) for m in members])


def _show(view: service.ClientView) -> None:
    say(f"{view.engagement} ({view.kind})")
    say(f"  pays (the Executive):      {_who(view.executive) or 'not recorded'}")
    say(f"  directs (the Manager):     {_who(view.manager) or 'not recorded'}")
    top = view.most_influential
    if top is not None:
        say(f"  most influence:            {top.name} ({top.role}, {top.salience_class}, "
                   f"{top.quadrant})")
    if view.diverge:
        say("  they diverge:")
        for line in view.diverge:
            say(f"    - {line}")
    else:
        say("  they diverge:              nothing recorded")
    if view.too_close:
        say("  whom to favour when they conflict: too close to call")
        for reason in view.reasons:
            say(f"    - {reason}")
        say("  to decide, find out:")
        for line in view.to_decide:
            say(f"    - {line}")
    elif view.favour is not None:
        say(f"  favour {view.favour.name} when they conflict, because:")
        for reason in view.reasons:
            say(f"    - {reason}")
    for line in view.find_out:
        say(f"  find out: {line}")
    if view.hire is not None:
        say(f"  would they hire you back: {view.hire.score:.0f} of {view.hire.out_of:g} "
                   f"({view.hire.verdict}; ratings {view.hire.ratings_trend}): "
                   f"patron why -e {view.engagement!r}")


@click.command()
@engagement_option(help="Only this engagement.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@pass_app
def conflicts(app: App, engagement: str | None, as_json: bool) -> None:
    """Asks that compete (opposed incentives, asks marked mutually exclusive, one
    deliverable wanted two ways, deadlines that cannot both be met) and committed
    effort beyond your capacity; for each, whom to renegotiate with and what is
    at stake for them.

    Examples:

        patron conflicts

        patron conflicts --engagement Ledger --json
    """
    with app.store(create=False).read() as conn:
        engagement_id = resolve(conn, ENGAGEMENT, engagement) if engagement else None
        found, load = service.conflicts(conn, app.settings(), app.now(), engagement_id)
    if as_json:
        echo_json({"conflicts": [asdict(c) for c in found], "capacity": load})
        return
    click.echo(f"Committed effort due within {load['horizon_days']:g} days: "
               f"{load['committed_hours']:g}h of {load['available_hours']:g}h available.")
    table(f"{len(found)} conflicts", ["kind", "what", "renegotiate with", "at stake for them"],
          [[c.kind, c.summary, c.renegotiate_with, c.at_stake] for c in found],
          empty="No conflicts found.", wrap="what")


@click.command()
@click.argument("engagement", required=False)
@engagement_option(name="engagement_option", help="The engagement (instead of the argument).")
@click.option("--svg", type=click.Path(dir_okay=False, path_type=Path), help="Write the grid as SVG.")
@click.option("--png", type=click.Path(dir_okay=False, path_type=Path), help="Write the grid as PNG.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@pass_app
def stakeholders(app: App, engagement: str | None, engagement_option: str | None, svg: Path | None,
                 png: Path | None, as_json: bool) -> None:
    """An engagement's stakeholders with their salience class and quadrant, and the
    power-interest grid drawn in the terminal (--svg/--png need 'patron[charts]').

    Examples:

        patron stakeholders Ledger

        patron stakeholders Ledger --svg ledger-grid.svg

        patron stakeholders -e Ledger --json
    """
    engagement = required(engagement, engagement_option)
    settings = app.settings()
    with app.store(create=False).read() as conn:
        ident = resolve(conn, ENGAGEMENT, engagement)
        name = conn.execute(schema.engagement.select().with_only_columns(schema.engagement.c.name)
                            .where(schema.engagement.c.id == ident)).scalar_one()
        members = service.members(conn, settings, app.now(), ident)
    high = int(settings["stakeholders.high"])
    for path in (p for p in (svg, png) if p is not None):
        from patron.reports.grid import Point, draw

        draw(f"{name}: power and interest", [Point(m.name, m.role, m.attributes.power,
                                                   m.attributes.interest) for m in members], high, path)
        click.echo(f"Wrote {path}", err=True)
    if as_json:
        echo_json({"engagement": name, "stakeholders": [asdict(m) for m in members]})
        return
    table(f"{name}: stakeholders",
          ["person", "role", "P", "I", "L", "U", "salience", "quadrant", "stance", "weight"],
          [[m.name, m.role, m.attributes.power, m.attributes.interest, m.attributes.legitimacy,
            m.attributes.urgency, m.salience_class, m.quadrant, m.stance, f"{m.weight:.1f}"]
           for m in members], empty="No stakeholders recorded.")
    _grid(members, high)


def _grid(members: list[service.Member], high: int) -> None:
    """Mendelow's grid as four labelled cells."""
    if not members:
        return
    cells: dict[str, list[str]] = {q: [] for q in ("keep satisfied", "manage closely", "monitor",
                                                    "keep informed")}
    for m in members:
        cells[m.quadrant].append(f"{m.name} ({m.role})")
    click.echo(f"\nPower-interest grid (high from {high} on the 0-5 scales)")
    table(None, ["", "low interest", "high interest"], [
        ["high power", "keep satisfied:\n" + "\n".join(cells["keep satisfied"]),
         "manage closely:\n" + "\n".join(cells["manage closely"])],
        ["low power", "monitor:\n" + "\n".join(cells["monitor"]),
         "keep informed:\n" + "\n".join(cells["keep informed"])],
    ])
