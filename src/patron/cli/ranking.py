"""``patron next`` and ``patron why``: what to do next, and why."""

from __future__ import annotations

from contextlib import ExitStack

import click

from patron.cli.app import App, pass_app
from patron.cli.engagement import engagement_option
from patron.cli.output import echo_json, say, table, text
from patron.domain.ranking import TERMS
from patron.services import ranking
from patron.store.reader import ConnectionReader, Reader


def _reader(app: App, stack: ExitStack) -> Reader:
    """The fast sqlite3 reader when it can be had, else the full store."""
    fast = app.fast_reader()
    if fast is not None:
        stack.callback(fast.close)
        return fast
    conn = stack.enter_context(app.store(create=False).read())
    return ConnectionReader(conn)


@click.command("next")
@engagement_option(help="Only this engagement's asks (and promises).")
@click.option("--limit", "-n", type=click.IntRange(min=1), help="How many to show (ranking.limit).")
@click.option("--all", "show_all", is_flag=True, help="Show every open ask.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON, with every term of every score.")
@pass_app
def next_asks(app: App, engagement: str | None, limit: int | None, show_all: bool,
              as_json: bool) -> None:
    """Open asks, best first, by a score you can explain.

    The score adds up terms, each a factor from 0 to 1 times a coefficient from
    the settings: who asked (role, salience, power-interest quadrant), the
    engagement's and the ask's value, the due date, age, effort, promises you
    made, asks it blocks, whether it waits, your own goals, and a key
    stakeholder you are neglecting. 'patron why ASK' shows one score term by
    term. A promise about an ask ('patron promise --ask') lifts that ask; promises
    about no ask that fall due within the due horizon are listed apart, unscored.

    Examples:

        patron next

        patron next --engagement Ledger --limit 5
    """
    settings = app.settings()
    count = None if show_all else (limit or int(settings["ranking.limit"]))
    with ExitStack() as stack:
        engagement_id = None
        if engagement is not None:
            from patron.domain.records import ENGAGEMENT
            from patron.services.names import resolve

            conn = stack.enter_context(app.store(create=False).read())
            engagement_id = resolve(conn, ENGAGEMENT, engagement)
            reader: Reader = ConnectionReader(conn)
        else:
            reader = _reader(app, stack)
        result = ranking.rank(reader, settings, app.now(), engagement_id=engagement_id, limit=count)
        promises = [] if as_json else ranking.loose_promises(reader, settings, app.now(),
                                                              engagement_id=engagement_id)
    if as_json:
        echo_json([_as_dict(item, result.coefficients) for item in result.asks])
        return
    table(
        f"Next: {len(result.asks)} of {result.open_asks} open asks",
        ["#", "id", "score", "ask", "from", "engagement", "due", "mostly"],
        [[item.rank, item.id, f"{item.score:.1f}", item.title, item.requester, item.engagement,
          text(item.due_at), _mostly(item, result.coefficients)] for item in result.asks],
        empty="No open asks. Add one with 'patron ask add'.", wrap="ask", optional=("mostly",),
    )
    if promises:
        table(
            f"Also due: {len(promises)} promise{'s' if len(promises) != 1 else ''} about no ask "
            "(not scored)",
            ["id", "promise", "to", "engagement", "due"],
            [[p.id, p.title, p.promisee, p.engagement, text(p.due_at)] for p in promises],
        )


def _as_dict(item: ranking.Ranked, coefficients: tuple[float, ...]) -> dict[str, object]:
    return {
        "rank": item.rank, "id": item.id, "title": item.title, "status": item.status,
        "score": item.score, "requester": item.requester, "engagement": item.engagement,
        "due_at": item.due_at, "terms": item.contributions(coefficients),
    }


def _mostly(item: ranking.Ranked, coefficients: tuple[float, ...]) -> str:
    """The two terms that weigh most, so a glance says why."""
    parts = sorted(item.contributions(coefficients).items(), key=lambda kv: -abs(kv[1]))
    return ", ".join(f"{name.replace('_', ' ')} {value:+.1f}" for name, value in parts[:2] if value)


@click.command()
@click.argument("ask", required=False)
@click.option("-e", "--engagement", "--client", "client", metavar="ENGAGEMENT",
              help="Explain the engagement's hire-me-back score instead (--client is the "
                   "older spelling).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@pass_app
def why(app: App, ask: str | None, client: str | None, as_json: bool) -> None:
    """Explain one ask's score term by term: factor x coefficient = contribution;
    or, with -e ENGAGEMENT, whether that client would hire you back.

    Examples:

        patron why 12

        patron why -e Ledger
    """
    from patron.domain.records import ASK
    from patron.errors import InvalidInput
    from patron.services.names import resolve

    if client is not None:
        if ask is not None:
            raise click.UsageError("give an ask or -e ENGAGEMENT, not both")
        _why_client(app, client, as_json)
        return
    if ask is None:
        raise InvalidInput("name an ask (its id or title), or give -e ENGAGEMENT")
    settings = app.settings()
    with app.store(create=False).read() as conn:
        ident = resolve(conn, ASK, ask)
        item, whole = ranking.explain(ConnectionReader(conn), settings, app.now(), ident)
    stake = whole.stakes.get((item.requester_id or 0, item.engagement_id or 0))
    rows = [
        {"term": name, "factor": factor, "coefficient": coefficient, "contribution": factor * coefficient,
         "meaning": meaning}
        for (name, meaning), factor, coefficient in zip(TERMS, item.factors, whole.coefficients, strict=True)
    ]
    if as_json:
        echo_json({**_as_dict(item, whole.coefficients), "open_asks": whole.open_asks,
                   "breakdown": rows, "requester_standing": _standing_dict(stake)})
        return
    say(f"Ask #{item.id}: {item.title}")
    say(f"  from {item.requester or 'nobody recorded'}"
               f"{' in ' + item.engagement if item.engagement else ''}; "
               f"ranked {item.rank} of {whole.open_asks} open asks")
    table(None, ["term", "factor", "× coefficient", "= contribution", "what it measures"],
          [[row["term"], f"{row['factor']:.3f}", f"{row['coefficient']:g}",
            f"{row['contribution']:+.3f}", row["meaning"]] for row in rows])
    say(f"  score {item.score:.3f}")
    say(f"  {ranking.standing(item.requester, stake, item.engagement)}")


def _why_client(app: App, client: str, as_json: bool) -> None:
    from patron.domain.hire import HIRE_TERMS
    from patron.domain.records import ENGAGEMENT
    from patron.services import hire
    from patron.services.names import resolve

    with app.store(create=False).read() as conn:
        result = hire.score(conn, app.settings(), app.now(), resolve(conn, ENGAGEMENT, client))
    rows = [{"term": name, "factor": f, "coefficient": c, "contribution": f * c, "meaning": meaning}
            for (name, meaning), f, c in zip(HIRE_TERMS, result.factors, result.coefficients,
                                             strict=True)]
    facts = vars(result.facts)
    if as_json:
        echo_json({"engagement": result.engagement, "score": result.score, "out_of": result.out_of,
                   "verdict": result.verdict, "ratings_trend": result.ratings_trend,
                   "breakdown": rows, "facts": {k: list(v) if isinstance(v, list | tuple) else v
                                                for k, v in facts.items()}})
        return
    say(f"Would {result.engagement} hire you back? {result.score:.0f} of "
               f"{result.out_of:g}: {result.verdict}")
    table(None, ["term", "factor", "× coefficient", "= contribution", "what it measures"],
          [[row["term"], f"{row['factor']:.3f}", f"{row['coefficient']:g}",
            f"{row['contribution']:+.1f}", row["meaning"]] for row in rows])
    ratings = ", ".join(str(r) for r in result.facts.ratings) or "none"
    say(f"  latest ratings (newest first): {ratings}; trend {result.ratings_trend}")
    say(f"  promises kept {result.facts.kept}, broken {result.facts.broken}; "
               f"{result.facts.overdue_asks} of {result.facts.open_asks} open asks overdue")


def _standing_dict(stake: ranking.Stake | None) -> dict[str, object] | None:
    if stake is None:
        return None
    return {"roles": list(stake.roles), "salience_class": stake.salience_class,
            "quadrant": stake.quadrant, "attributes": vars(stake.attributes),
            "contact_overdue_days": stake.overdue_days}
