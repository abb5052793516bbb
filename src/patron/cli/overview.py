"""``patron overview`` and ``patron demo``: the portfolio at a glance."""

from __future__ import annotations

import os
import tempfile
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

import click

from patron.cli.app import App, demo_path, pass_app
from patron.cli.output import echo_json, people, say, table, text
from patron.errors import InvalidInput
from patron.services import demo as demo_portfolio
from patron.services import overview as portfolio
from patron.services.mail import import_messages
from patron.services.overview import Contact, Overview
from patron.store.database import open_store, url_for


@click.command()
@click.option("--limit", type=click.IntRange(min=1), help="How many open asks to show.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@pass_app
def overview(app: App, limit: int | None, as_json: bool) -> None:
    """The portfolio at a glance: open asks in order, and for each engagement
    who pays, who directs the work and who is overdue for contact.

    Examples:

        patron overview

        patron --demo overview --limit 20
    """
    with app.store(create=False).read() as conn:
        result = portfolio.build(conn, app.settings(), app.now(), limit)
    show(result, as_json)


@click.command()
@click.option(
    "--path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to build the demo database (default: demo.sqlite in the data folder).",
)
@click.option("--limit", type=click.IntRange(min=1), help="How many open asks to show.")
@click.option("--json", "as_json", is_flag=True, help="Print the overview as JSON.")
@pass_app
def demo(app: App, path: Path | None, limit: int | None, as_json: bool) -> None:
    """Build the demo portfolio in its own database and show its overview.

    The demo never touches your own register. It follows Sam Okafor, a
    consultant with three bosses (employer, customers, self): a CFO and a
    finance manager who want different things, a hospital project with four
    customers plus Sam's own manager, a retainer going cold, and a prospect
    Sam is not sure about. Building it twice on the same day gives the same
    database. Afterwards every command works on it with --demo.

    Examples:

        patron demo

        patron --demo ask list
    """
    target = (path or demo_path()).expanduser().resolve()
    if url_for(app.target()) == url_for(str(target)) and not app.demo:
        raise InvalidInput(f"{target} is your own register; the demo needs a file of its own")
    now = app.now()
    _build_demo(target, now)
    store = open_store(str(target), create=False)
    try:
        with store.read() as conn:
            result = portfolio.build(conn, app.settings(), now, limit)
    finally:
        store.close()
    if as_json:
        echo_json(asdict(result))
        return
    click.echo(f"Demo portfolio built in {target}")
    click.echo("Sam Okafor, senior consultant at Larkspur Advisory, serving three bosses.\n")
    show(result, False)
    say(
        "\nExplore it: patron --demo ask list · patron --demo stakeholder list "
        "--engagement Ledger · patron --demo person show Helen · patron --demo inbox"
    )


def _build_demo(target: Path, now: datetime) -> None:
    """Build into a temporary file beside the target, then swap it in whole."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".demo-", suffix=".sqlite", dir=target.parent)
    os.close(handle)
    os.unlink(temporary)
    try:
        store = open_store(temporary)
        try:
            with store.begin() as conn:
                demo_portfolio.build(conn, now)
            import_messages(store, demo_portfolio.mailbox(now), demo_portfolio.my_addresses(), now)
        finally:
            store.close()
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def show(result: Overview, as_json: bool) -> None:
    if as_json:
        echo_json(asdict(result))
        return
    c = result.counts
    say(", ".join(_count(c[table], word) for table, word in (
        ("person", "people"), ("organisation", "organisations"), ("engagement", "engagements"),
        ("interaction", "interactions"), ("ask", "asks"), ("commitment", "promises"),
        ("feedback", "feedback"), ("time_entry", "time entries"), ("prospect", "prospects"),
    )))
    table(
        f"Next: {len(result.asks)} of {result.open_asks} open asks, best first "
        "('patron why ID' explains a score)",
        ["id", "score", "ask", "from", "role", "engagement", "due", "status"],
        [[a.id, f"{a.score:.1f}", a.title, a.requester, a.requester_role, a.engagement,
          _due(a.days_late, a.due_at), a.status] for a in result.asks],
        empty="No open asks.", wrap="ask",
    )
    for view in result.engagements:
        say("")
        worth = f", worth {text(view.value)}" if view.value else ""
        org = f", {view.organisation}" if view.organisation else ""
        say(f"{view.name} ({view.kind}{org}{worth}; {view.open_asks} open asks)")
        say(
            f"  pays:     {_people(view.pays) or 'nobody recorded as sponsor: find out who signs'}"
        )
        say(
            f"  directs:  {_people(view.directs) or 'no manager recorded: who judges the work?'}"
        )
        for person, wants in view.incentives.items():
            say(f"  {person} wants: {wants}")
        if view.overdue:
            say("  overdue for contact:")
            for contact in view.overdue:
                say(f"    {contact.person} ({contact.role}): {_late(contact)}")
        else:
            say("  overdue for contact: nobody")


def _count(n: int, plural: str) -> str:
    singular = {"people": "person", "entries": "entry", "feedback": "feedback"}
    if n == 1:
        last = plural.split()[-1]
        plural = plural.replace(last, singular.get(last, last.removesuffix("s")))
    return f"{n} {plural}"


def _people(contacts: list[Contact]) -> str:
    return people([(c.person, c.title) for c in contacts])


def _due(days_late: int | None, due_at: object) -> str:
    if days_late is None:
        return ""
    if days_late > 0:
        return f"{text(due_at)} ({days_late}d late)"
    if days_late == 0:
        return f"{text(due_at)} (today)"
    return f"{text(due_at)} (in {-days_late}d)"


def _late(contact: Contact) -> str:
    return contact.due.describe()
