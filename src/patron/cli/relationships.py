"""``patron due``, ``visibility`` and the quick logging commands: ``met``, ``promise``,
``kept``, ``broke``, ``time`` and ``feedback PERSON``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import click
from sqlalchemy import Connection, select

from patron.cli.app import App, pass_app, stdin_is_terminal
from patron.cli.engagement import engagement_option, required
from patron.cli.output import Card, echo_json, prose, say, table, text, to_json, unpage
from patron.domain.periods import CHOICES, MENTOR_QUESTIONS, Period
from patron.domain.records import ENGAGEMENT
from patron.domain.vocabulary import BossKind, InteractionKind
from patron.errors import InvalidInput
from patron.services import relationships as service
from patron.services.names import resolve
from patron.store import schema


@click.command()
@click.option("--soon", type=click.IntRange(min=0), metavar="DAYS",
              help="Also list who is due within DAYS (overview.due_soon_days).")
@engagement_option(help="Only this engagement's stakeholders.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@pass_app
def due(app: App, soon: int | None, engagement: str | None, as_json: bool) -> None:
    """Who should hear from you: overdue or due soon by their cadence, and the
    people you have not contacted yet, the ones who matter most and are most
    overdue first, each with a reason to call.

    Nobody is overdue before their first check-in: a cadence after they joined
    the engagement ('stakeholder add --since').

    Someone with a meeting already booked (a touchpoint still to come, say from
    an imported calendar) shows it under "next", is not overdue, and is listed
    after the people who still need a call.

    A birthday or anniversary within digest.dates_days (of someone with a role
    in an active engagement) is a reason to call: "birthday in 3 days".

    Examples:

        patron due

        patron due --soon 7 --json

        patron due -e Ledger
    """
    with app.store(create=False).read() as conn:
        found = service.due(conn, app.settings(), app.now(), soon,
                            engagement_id=_engagement_id(conn, engagement))
    if as_json:
        echo_json([asdict(d) for d in found])
        return
    table(f"{len(found)} to get in touch with", ["person", "roles", "last contact", "next",
                                                  "every", "when", "reason"],
          [[d.person, "; ".join(d.roles), _last(d),
            text(d.booked.at) if d.booked else "", f"{d.due.cadence_days}d", _late(d),
            d.reason] for d in found],
          empty="Nobody to get in touch with: everyone is within their cadence.",
          wrap=("roles", "reason"), card=_card)


def _card(cells: list[str]) -> Card:
    """One person to get in touch with on a narrow screen: who and when, then their roles and
    rhythm, then the reason to call."""
    person, roles, last, booked, every, when, reason = cells
    rhythm = f"last contact {last}" if last[:1].isdigit() else last
    lines = [f"{roles} · {rhythm} · every {every}" + (f" · next {booked}" if booked else ""), reason]
    return person, when, lines


def _last(contact: service.DueContact) -> str:
    due = contact.due
    if due.last_contact is not None:
        return text(due.last_contact)
    return f"no contact yet (added {text(due.added_on)})" if due.added_on else "no contact yet"


def _engagement_id(conn: Connection, engagement: str | None) -> int | None:
    return resolve(conn, ENGAGEMENT, engagement) if engagement else None


def _late(contact: service.DueContact) -> str:
    if contact.booked is not None:
        return f"booked: {contact.booked.summary}"
    days, first = contact.due.days_overdue, contact.due.first
    if days > 0:
        return f"{days}d past the first check-in" if first else f"{days}d overdue"
    if first:
        return "first check-in today" if days == 0 else f"first check-in in {-days}d"
    return "due today" if days == 0 else f"due in {-days}d"


@click.command()
@click.option("--days", type=click.IntRange(min=1), default=90, show_default=True,
              help="How far back to look.")
@engagement_option(help="Only this engagement.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@pass_app
def visibility(app: App, days: int, engagement: str | None, as_json: bool) -> None:
    """How much of your contact goes to each engagement's Executive (sponsor)
    against its Manager, with a warning where the Executive barely hears from you.

    Examples:

        patron visibility --days 60

        patron visibility -e Ledger
    """
    with app.store(create=False).read() as conn:
        found = service.visibility(conn, app.now(), days, app.settings(),
                                   _engagement_id(conn, engagement))
    if as_json:
        echo_json(found)
        return
    table(f"Touchpoints in the last {days} days", ["engagement", "Executive", "Manager", "share",
                                                    "warning"],
          [[v["engagement"], v["sponsor"], v["manager"],
            "" if v["executive_share"] is None else f"{v['executive_share']:.0%}",
            "the Executive barely hears from you" if v["warning"] else ""] for v in found],
          empty="No touchpoints with sponsors or managers in that time.")


@click.command()
@click.argument("person")
@click.argument("notes", required=False, default="")
@engagement_option(help="Default: the person's one active engagement, if they have one.")
@click.option("--kind", type=click.Choice([k.value for k in InteractionKind]), default="meeting",
              show_default=True)
@click.option("--sentiment", type=click.IntRange(-2, 2), help="How it went, -2 to 2.")
@click.option("--at", metavar="WHEN", help="When (default: now).")
@pass_app
def met(app: App, person: str, notes: str, engagement: str | None, kind: str,
        sentiment: int | None, at: str | None) -> None:
    """Log a touchpoint with someone in one line.

    Examples:

        patron met Helen "Walked her through the dashboard" --sentiment 1

        patron met Victor --kind call --at "yesterday 16:00"
    """
    with app.store().begin() as conn:
        ident = service.met(conn, person, notes, app.now(), engagement=engagement, kind=kind,
                            sentiment=sentiment, at=at)
    click.echo(f"Logged interaction #{ident}")


@click.command()
@click.argument("title")
@click.option("--to", "to", metavar="PERSON", help="Whom you promised.")
@click.option("--due", metavar="WHEN", help="When it is due.")
@engagement_option(help="The engagement (default: the ask's, else the person's one active one).")
@click.option("--ask", metavar="ASK",
              help="The ask it answers ('patron next' then ranks the ask with your promise); "
                   "--to and --engagement default to the ask's.")
@pass_app
def promise(app: App, title: str, to: str | None, due: str | None, engagement: str | None,
            ask: str | None) -> None:
    """Record a promise you made.

    Examples:

        patron promise "Send the reconciliation plan" --to Victor --due monday

        patron promise "Send the Q3 figures" --ask "Q3 figures" --due friday
    """
    with app.store().begin() as conn:
        ident = service.promise(conn, title, app.now(), to=to, due=due, engagement=engagement,
                                ask=ask)
    click.echo(f"Promised #{ident}: {title}")


@click.command()
@click.argument("promise_name", metavar="PROMISE")
@click.option("--at", metavar="WHEN", help="When (default: now).")
@click.option("--close-ask/--keep-ask-open", "close_ask", default=None,
              help="Also mark the ask the promise was about done, or leave it open (default: "
                   "ask on a terminal, else leave it open).")
@pass_app
def kept(app: App, promise_name: str, at: str | None, close_ask: bool | None) -> None:
    """Mark a promise kept: you kept it. When it was about an open ask, offer to
    mark that ask done too.

    Examples:

        patron kept 12

        patron kept "Send the plan" --close-ask
    """
    with app.store().begin() as conn:
        ident = service.resolve_promise(conn, promise_name, "kept", app.now(), at)
        about = service.open_ask_of(conn, ident)
    click.echo(f"Promise #{ident} kept")
    if about is None:
        return
    ask_id, title = about
    if close_ask is None and stdin_is_terminal():
        unpage()  # the question must show before it waits for an answer
        close_ask = click.confirm(f"Mark the ask '{title}' done too?", default=True)
    if not close_ask:
        click.echo(f"Ask #{ask_id} '{title}' stays open: 'patron done {ask_id}' closes it.")
        return
    from patron.services.asks import finish_one

    with app.store().begin() as conn:
        finish_one(conn, ask_id, app.now(), at)
    click.echo(f"Ask #{ask_id} done: {title}")


@click.command()
@click.argument("promise_name", metavar="PROMISE")
@click.option("--at", metavar="WHEN", help="When (default: now).")
@pass_app
def broke(app: App, promise_name: str, at: str | None) -> None:
    """Mark a promise broken: you broke it. The ask it was about stays as it is.

    Examples:

        patron broke 12

        patron broke "Send the plan"
    """
    with app.store().begin() as conn:
        ident = service.resolve_promise(conn, promise_name, "broken", app.now(), at)
    click.echo(f"Promise #{ident} broken")


@click.command("time")
@click.argument("duration")
@click.argument("engagement", required=False)
@engagement_option(name="engagement_option", help="The engagement (instead of the argument).")
@click.option("--boss", type=click.Choice([b.value for b in BossKind]),
              help="Whose time it was (default: from the engagement's kind).")
@click.option("--at", metavar="WHEN", help="When it started (default: it ends now).")
@click.option("--note", metavar="TEXT", help="What you did.")
@pass_app
def time_spent(app: App, duration: str, engagement: str | None, engagement_option: str | None,
               boss: str | None, at: str | None, note: str | None) -> None:
    """Log time spent on an engagement.

    Examples:

        patron time 1h30 Ledger --note "reconciliation"

        patron time 45m "Own development" --at "today 8:00"

        patron time 2h -e Ledger

        patron time 1h30 Ledger --at "yesterday 14:00"
    """
    engagement = required(engagement, engagement_option)
    with app.store().begin() as conn:
        ident = service.log_time(conn, duration, engagement, app.now(), boss=boss, at=at, note=note)
    click.echo(f"Logged time entry #{ident}")


@click.command("log", hidden=True)
@click.argument("person")
@click.argument("text_", metavar="TEXT", required=False)
@click.option("--rating", type=click.IntRange(0, 10), help="Would they hire you again, 0-10.")
@engagement_option(help="The engagement (default: the person's one active one).")
@click.option("--on", metavar="DAY", help="The day they said it (default: today).")
@pass_app
def feedback_log(app: App, person: str, text_: str | None, rating: int | None,
                 engagement: str | None, on: str | None) -> None:
    """Record what someone said of your work: patron feedback PERSON [--rating N] "TEXT".

    Examples:

        patron feedback Helen --rating 9 "The board loved it"
    """
    with app.store().begin() as conn:
        ident = service.record_feedback(conn, person, app.now(), text=text_, rating=rating,
                                        engagement=engagement, on=on)
    click.echo(f"Recorded feedback #{ident}")


@click.command("link")
@click.argument("person")
@engagement_option(help="The engagement to ask about (default: the person's one active one).")
@click.option("--expires", default="14d", show_default=True, metavar="WHEN",
              help="When the link stops working: '14d', '2w', or a day.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@pass_app
def feedback_link(app: App, person: str, engagement: str | None, expires: str,
                  as_json: bool) -> None:
    """Print a link a client opens to say how likely they are to hire you again.

    The page behind it (served by 'patron serve' at web.public_url) shows only the
    question, 0-10 and a comment, and the engagement's name; the answer is recorded
    as feedback from PERSON. The link is signed, works once, and expires.

    Examples:

        patron feedback link Helen -e Ledger --expires 7d
    """
    from patron.services import feedback_links

    with app.store().begin() as conn:
        made = feedback_links.make(conn, person, str(app.settings()["web.public_url"]),
                                   app.now(), engagement=engagement, expires=expires)
    if as_json:
        echo_json({key: value for key, value in asdict(made).items() if key != "token"})
        return
    click.echo(made.url)
    click.echo(f"For {made.person} about {made.engagement}; works once, until "
               f"{made.expires_at:%Y-%m-%d %H:%M}.", err=True)


@click.command()
@click.argument("engagement", required=False)
@engagement_option(name="engagement_option", help="The engagement (instead of the argument).")
@click.option("--boss", type=click.Choice([b.value for b in BossKind]),
              help="Whose time it is (default: from the engagement's kind).")
@click.option("--note", metavar="TEXT", help="What you are doing.")
@click.option("--at", metavar="WHEN", help="When you started (default: now), e.g. '9:15'.")
@pass_app
def start(app: App, engagement: str | None, engagement_option: str | None, boss: str | None,
          note: str | None, at: str | None) -> None:
    """Start a timer on an engagement; 'patron stop' logs the time.

    Examples:

        patron start Ledger --note "mapping review"

        patron start Ledger --at 9:15
    """
    engagement = required(engagement, engagement_option)
    with app.store().begin() as conn:
        started = service.start_timer(conn, engagement, app.now(), boss=boss, note=note, at=at)
    shown = f"{started:%H:%M}" if started.date() == app.now().date() else f"{started:%Y-%m-%d %H:%M}"
    click.echo(f"Timer started at {shown}")


@click.command()
@click.option("--note", metavar="TEXT", help="What you did (replaces the note given at start).")
@click.option("--discard", is_flag=True, help="Throw the running timer away.")
@pass_app
def stop(app: App, note: str | None, discard: bool) -> None:
    """Stop the running timer and log the time spent.

    Examples:

        patron stop

        patron stop --discard
    """
    with app.store().begin() as conn:
        if discard:
            click.echo("Timer discarded" if service.discard_timer(conn) else "No timer was running")
            return
        ident, minutes = service.stop_timer(conn, app.now(), note)
    click.echo(f"Logged time entry #{ident}: {minutes // 60}h{minutes % 60:02d}")


def period_options(command: Callable[..., None]) -> Callable[..., None]:
    """--period, --from and --to: the days a review, a reflection or a sum of hours covers."""
    for option in reversed((
        click.option("--period", type=click.Choice(CHOICES), metavar="PERIOD",
                     help="week, month, quarter (the current one) or last-week, last-month, "
                          "last-quarter. Default: review.period, or in its first days "
                          "(review.just_ended_days) the one just ended."),
        click.option("--from", "start", metavar="DAY", help="First day covered (any date form)."),
        click.option("--to", "end", metavar="DAY", help="Last day covered (default: today)."),
    )):
        command = option(command)
    return command


def chosen_period(app: App, period: str | None, start: str | None, end: str | None) -> Period:
    from patron.services.review import choose

    return choose(app.settings(), app.now().date(), period, start, end)


@click.command()
@click.argument("number", type=click.IntRange(min=1), required=False)
@click.argument("answer", required=False)
@period_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@pass_app
def reflect(app: App, number: int | None, answer: str | None, period: str | None,
            start: str | None, end: str | None, as_json: bool) -> None:
    """The questions a good mentor would ask about the period reviewed, and your answers;
    give a question's number and your answer to write one. Reviews show them again.
    Answers are filed under the period 'patron review' covers with the same options (in
    the first days of a month, the month just ended).

    Examples:

        patron reflect

        patron reflect 4 "I let Helen go cold while the reconciliation dragged on"

        patron reflect --period last-quarter --json
    """
    chosen = chosen_period(app, period, start, end)
    if number is not None:
        if answer is None:
            raise InvalidInput(f"give your answer to question {number} after its number")
        with app.store().begin() as conn:
            service.reflect(conn, chosen, number, answer, app.now())
    with app.store(create=False).read() as conn:
        written = service.reflections(conn, chosen.first, chosen.last)
    if as_json:
        echo_json({"period": chosen.kind, "name": chosen.name, "first": chosen.first,
                   "last": chosen.last, "questions": [
                       {"number": n, "question": question,
                        "answers": [{"answer": a, "written_at": when}
                                    for asked, a, when in written if asked == question]}
                       for n, question in enumerate(MENTOR_QUESTIONS, start=1)]})
        return
    if chosen.note:
        say(f"Covering {chosen.note}.")
    say(f"Reflection for {chosen.name} ({chosen.first} to {chosen.last}):")
    for n, question in enumerate(MENTOR_QUESTIONS, start=1):
        say(f"  {n}. {question}")
        for asked, text_, when in written:
            if asked == question:
                say(f"     - {text_} ({when:%Y-%m-%d})")


@click.command("done")
@click.argument("goal")
@pass_app
def goal_done(app: App, goal: str) -> None:
    """Mark one of your goals done.

    Examples:

        patron goal done "cloud exam"
    """
    with app.store().begin() as conn:
        ident = service.finish_goal(conn, goal, app.now())
    click.echo(f"Goal #{ident} done")


@click.command("note")
@click.argument("goal")
@click.argument("text_", metavar="TEXT")
@pass_app
def goal_note(app: App, goal: str, text_: str) -> None:
    """Note progress on one of your goals; the review shows the notes of the period.

    Examples:

        patron goal note "cloud exam" "Passed the practice test"
    """
    with app.store().begin() as conn:
        ident = service.note_goal(conn, goal, text_, app.now())
    click.echo(f"Noted #{ident}")


@click.command()
@period_options
@click.option("--engagement", "-e", metavar="ENGAGEMENT", help="Review this engagement only.")
@click.option("--format", "fmt", type=click.Choice(["text", "md", "html"]), default="text",
              show_default=True, help="html: one self-contained page with charts.")
@click.option("--json", "as_json", is_flag=True, help="Print the whole review as JSON.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file instead of the terminal.")
@pass_app
def review(app: App, period: str | None, start: str | None, end: str | None,
           engagement: str | None, fmt: str, as_json: bool, output: Path | None) -> None:
    """The periodic review: would each client hire you back and how that moved,
    promises, feedback (and from whom none was asked), asks done, your three
    bosses' share of your time against your target, your goals, the relationships
    going cold, and the period's reflection.

    By default the current month; in its first days (review.just_ended_days) the
    month just ended, which it says.

    Examples:

        patron review

        patron review --period last-quarter --format md -o review.md

        patron review --from 2026-11-01 --to "Nov 15" -e Ledger --json
    """
    from patron.reports import review as report
    from patron.services import review as service_review
    from patron.services.backup import write_atomically

    grids = {}
    chosen = chosen_period(app, period, start, end)
    with app.store(create=False).read() as conn:
        result = service_review.build(conn, app.settings(), app.now(), chosen, engagement)
        if fmt == "html" and not as_json:
            from patron.services.client import members

            e = schema.engagement
            for ident, name in conn.execute(select(e.c.id, e.c.name).where(e.c.status == "active")
                                            .order_by(e.c.name)):
                if result.engagement in (None, name):
                    grids[name] = members(conn, app.settings(), app.now(), ident)
    if as_json:
        content = to_json(asdict(result)) + "\n"
    elif fmt == "html":
        from patron.reports.html import page

        content = page(result, grids, int(app.settings()["stakeholders.high"]))
    else:
        content = report.markdown(result) if fmt == "md" else report.text(result)
    if output is None:
        prose(content) if fmt == "text" else click.echo(content, nl=False)
    else:
        write_atomically(output, content)
        click.echo(f"Wrote {output}", err=True)
