"""The tools an assistant calls: Patron's decisions to read, and what happens in a day to
write. Each calls the use case the matching command calls, in one transaction, and answers
twice: structured content (the shape of the command's ``--json``) and a short text that
names people as the user knows them and says why. Names are resolved as on the command
line; a name that fits several records is an error listing them, and nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from typing import TYPE_CHECKING, Annotated, Any, Literal

from mcp.types import CallToolResult, TextContent, ToolAnnotations
from pydantic import BaseModel, Field, TypeAdapter

from patron.domain.hire import HIRE_TERMS
from patron.domain.ranking import TERMS
from patron.domain.records import ASK, COMMITMENT, ENGAGEMENT, FEEDBACK, INTERACTION, PERSON, TIME_ENTRY
from patron.domain.vocabulary import BossKind, InteractionKind
from patron.services import asks, duplicates, hire, ranking, records, relationships, screening
from patron.services import client as client_service
from patron.services import inbox as inbox_service
from patron.services import influence as influence_service
from patron.services import review as review_service
from patron.services import search as search_service
from patron.services.names import resolve
from patron.store.reader import ConnectionReader

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from patron.mcp.server import PatronServer, Register

READING = ToolAnnotations(readOnlyHint=True, openWorldHint=False)
WRITING = ToolAnnotations(readOnlyHint=False, destructiveHint=False, idempotentHint=False,
                          openWorldHint=False)
MERGING = ToolAnnotations(readOnlyHint=False, destructiveHint=True, idempotentHint=False,
                          openWorldHint=False)  # a record goes: the client should ask the user first

# Arguments, in the command line's words.
EngagementName = Annotated[str, Field(description="An engagement: a unique part of its name, or its id.")]
PersonName = Annotated[str, Field(description="A person: a unique part of their name, an e-mail "
                                              "address or an id.")]
AskName = Annotated[str, Field(description="An ask: its id or a unique part of its title.")]
PromiseName = Annotated[str, Field(description="A promise you made: its id or a unique part of its title.")]
When = Annotated[str | None, Field(description="When: ISO or everyday words ('yesterday 16:00', "
                                                "'friday', 'in 3 days'); default now.")]


# --- typed results -------------------------------------------------------------------------


class RankedAsk(BaseModel):
    rank: int
    id: int
    title: str
    status: str
    score: float
    requester: str | None
    engagement: str | None
    due_at: str | None
    terms: dict[str, float] = Field(description="Each term's contribution to the score.")
    mostly: list[str] = Field(description="The terms that weigh most, in words.")


class LoosePromise(BaseModel):
    id: int
    title: str
    promisee: str | None
    engagement: str | None
    due_at: str | None


class NextAnswer(BaseModel):
    open_asks: int
    asks: list[RankedAsk]
    promises: list[LoosePromise] = Field(description="Promises about no ask coming due (not scored).")


class Term(BaseModel):
    term: str
    factor: float
    coefficient: float
    contribution: float
    meaning: str


class WhyAnswer(BaseModel):
    ask: RankedAsk
    open_asks: int
    breakdown: list[Term]
    requester_standing: str


class HireAnswer(BaseModel):
    engagement: str
    score: float
    out_of: float
    verdict: str
    ratings_trend: str
    breakdown: list[Term]
    facts: dict[str, Any]


class DueAnswer(BaseModel):
    people: list[relationships.DueContact]


class ConflictsAnswer(BaseModel):
    conflicts: list[client_service.Collision]
    capacity: dict[str, float]


class SuggestionsAnswer(BaseModel):
    suggestions: list[inbox_service.Suggestion]


class SearchAnswer(BaseModel):
    hits: list[search_service.Hit] = Field(description=(
        "Records holding every word, kind by kind (people, organisations, engagements, asks, "
        "touchpoints), asks and touchpoints newest first; marks are [start, end) of each "
        "matched word in the title and the snippet."))


class DuplicatesAnswer(BaseModel):
    groups: list[duplicates.Group] = Field(description=(
        "Records likely to be one person: the others merge into keep (the one in the most mail)."))


class Recorded(BaseModel):
    kind: str = Field(description="The kind of record written: interaction, ask, commitment, ...")
    id: int
    record: dict[str, Any] = Field(description="The record as 'patron KIND show --json' gives it.")


class AskAdded(Recorded):
    rank: int = Field(description="Where the new ask ranks among the open asks.")
    open_asks: int


class DoneAnswer(BaseModel):
    asks: list[asks.Finished]


class KeptAnswer(Recorded):
    ask_done: asks.Finished | None = Field(description="The ask the promise was about, if closed too.")


class Accepted(BaseModel):
    suggestion: int
    kind: str
    id: int
    record: dict[str, Any]


class AcceptAnswer(BaseModel):
    accepted: list[Accepted]


class RejectAnswer(BaseModel):
    rejected: int


# --- plumbing ------------------------------------------------------------------------------


def answer(text: str, shape: Any, data: Any) -> CallToolResult:
    """The text an assistant reads and the structured content its client can use."""
    plain = TypeAdapter(shape).dump_python(data, mode="json")
    return CallToolResult(content=[TextContent(type="text", text=text)], structuredContent=plain)


def _listed(items: list[str], empty: str = "none") -> str:
    return "; ".join(items) if items else empty


def _when(value: Any) -> str:
    text = str(value)
    return text[:16].replace("T", " ") if text.endswith(":00") else text


class Tools:
    """The register's use cases, each one transaction."""

    def __init__(self, register: Register) -> None:
        self.register = register

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        with self.register.store(create=False).read() as conn:
            yield conn

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        with self.register.store().begin() as conn:
            yield conn

    # --- reading ---------------------------------------------------------------------------

    def next(self, engagement: Annotated[str | None, Field(
                 description="Only this engagement's asks (a unique part of its name, or its id).")] = None,
             limit: Annotated[int | None, Field(ge=1, le=500, description=(
                 "How many asks (default: the ranking.limit setting)."))] = None,
             ) -> Annotated[CallToolResult, NextAnswer]:
        """What to do next: the open asks, best first, by Patron's explained score (who asked,
        value, due date, effort, promises made, ...), each with the terms that weigh most; and
        promises about no ask coming due. As 'patron next --json'."""
        settings, now = self.register.settings(), self.register.now()
        count = limit or int(settings["ranking.limit"])
        with self.reading() as conn:
            ident = resolve(conn, ENGAGEMENT, engagement) if engagement else None
            reader = ConnectionReader(conn)
            result = ranking.rank(reader, settings, now, engagement_id=ident, limit=count)
            loose = ranking.loose_promises(reader, settings, now, engagement_id=ident)
        found = [_ranked(item, result.coefficients) for item in result.asks]
        data = NextAnswer(open_asks=result.open_asks, asks=found,
                          promises=[LoosePromise(**_plain(asdict(p))) for p in loose])
        lines = [f"Next, {len(found)} of {result.open_asks} open asks"
                 f"{' in ' + engagement if engagement else ''}:"]
        lines += [f"{a.rank}. #{a.id} {a.title}: from {a.requester or 'nobody recorded'}"
                  f"{' (' + a.engagement + ')' if a.engagement else ''}"
                  f"{', due ' + _when(a.due_at) if a.due_at else ''}; score {a.score:.1f}, mostly "
                  f"{', '.join(a.mostly) or 'nothing in particular'}" for a in found]
        if not found:
            lines.append("No open asks.")
        lines += [f"Also due, a promise about no ask: #{p.id} {p.title}"
                  f"{' to ' + p.promisee if p.promisee else ''}, due {_when(p.due_at)}"
                  for p in data.promises]
        return answer("\n".join(lines), NextAnswer, data)

    def why(self, ask: AskName) -> Annotated[CallToolResult, WhyAnswer]:
        """Why one open ask ranks where it does: each term of its score (factor x coefficient
        = contribution) and the standing of who asked. As 'patron why ASK --json'."""
        settings, now = self.register.settings(), self.register.now()
        with self.reading() as conn:
            ident = resolve(conn, ASK, ask)
            item, whole = ranking.explain(ConnectionReader(conn), settings, now, ident)
        stake = whole.stakes.get((item.requester_id or 0, item.engagement_id or 0))
        ranked = _ranked(item, whole.coefficients)
        rows = [Term(term=name, factor=f, coefficient=c, contribution=f * c, meaning=meaning)
                for (name, meaning), f, c in zip(TERMS, item.factors, whole.coefficients, strict=True)]
        standing = ranking.standing(item.requester, stake, item.engagement)
        data = WhyAnswer(ask=ranked, open_asks=whole.open_asks, breakdown=rows,
                         requester_standing=standing)
        top = sorted((r for r in rows if r.contribution), key=lambda r: -abs(r.contribution))[:4]
        text = (f"Ask #{item.id} '{item.title}' from {item.requester or 'nobody recorded'}"
                f"{' in ' + item.engagement if item.engagement else ''} ranks {item.rank} of "
                f"{whole.open_asks} open asks with a score of {item.score:.1f}. It weighs most for "
                + ", ".join(f"{r.term.replace('_', ' ')} {r.contribution:+.1f} ({r.meaning})"
                            for r in top)
                + f". {standing}")
        return answer(text, WhyAnswer, data)

    def client(self, engagement: EngagementName) -> Annotated[CallToolResult, client_service.ClientView]:
        """Who the client of an engagement really is: who pays (the Executive), who directs
        the work (the Manager), who holds the most influence, where they diverge, and whom to
        favour when they conflict, with reasons. As 'patron client ENGAGEMENT --json'."""
        with self.reading() as conn:
            view = client_service.client(conn, self.register.settings(), self.register.now(),
                                 resolve(conn, ENGAGEMENT, engagement))
        return answer(_client_text(view), client_service.ClientView, view)

    def due(self, engagement: Annotated[str | None, Field(
                description="Only this engagement's stakeholders.")] = None,
            soon: Annotated[int | None, Field(ge=0, le=365, description=(
                "Also who is due within this many days (default: overview.due_soon_days)."))] = None,
            ) -> Annotated[CallToolResult, DueAnswer]:
        """Who should hear from you: overdue or due soon by their cadence, the ones who matter
        most first, each with a reason to get in touch. As 'patron due --json'."""
        with self.reading() as conn:
            ident = resolve(conn, ENGAGEMENT, engagement) if engagement else None
            found = relationships.due(conn, self.register.settings(), self.register.now(), soon,
                                      engagement_id=ident)
        lines = [f"{len(found)} to get in touch with:" if found
                 else "Nobody to get in touch with: everyone is within their cadence."]
        lines += [f"- {d.person} ({'; '.join(d.roles)}): "
                  + (f"a touchpoint is booked ({d.booked.summary}, {d.booked.at:%Y-%m-%d %H:%M})"
                     if d.booked else d.status)
                  + f"; why: {d.reason}" for d in found]
        return answer("\n".join(lines), DueAnswer, DueAnswer(people=found))

    def conflicts(self, engagement: Annotated[str | None, Field(
                      description="Only this engagement.")] = None,
                  ) -> Annotated[CallToolResult, ConflictsAnswer]:
        """Asks that compete (opposed incentives, mutually exclusive asks, one deliverable
        wanted two ways, deadlines that cannot both be met) and committed effort beyond your
        capacity; for each, whom to renegotiate with. As 'patron conflicts --json'."""
        with self.reading() as conn:
            ident = resolve(conn, ENGAGEMENT, engagement) if engagement else None
            found, load = client_service.conflicts(conn, self.register.settings(), self.register.now(), ident)
        lines = [f"Committed effort due within {load['horizon_days']:g} days: "
                 f"{load['committed_hours']:g}h of {load['available_hours']:g}h available.",
                 f"{len(found)} conflicts:" if found else "No conflicts found."]
        lines += [f"- {c.kind}: {c.summary}"
                  + (f"; renegotiate with {c.renegotiate_with}" if c.renegotiate_with else "")
                  + (f" ({c.at_stake})" if c.at_stake else "") for c in found]
        return answer("\n".join(lines), ConflictsAnswer,
                      ConflictsAnswer(conflicts=found, capacity=load))

    def hire_me_back(self, engagement: EngagementName) -> Annotated[CallToolResult, HireAnswer]:
        """Would this client hire you back? The score term by term (ratings, promises kept,
        asks on time, contact with key people, sentiment, milestones), with the facts behind
        it. As 'patron why -e ENGAGEMENT --json'."""
        with self.reading() as conn:
            result = hire.score(conn, self.register.settings(), self.register.now(),
                                resolve(conn, ENGAGEMENT, engagement))
        rows = [Term(term=name, factor=f, coefficient=c, contribution=f * c, meaning=meaning)
                for (name, meaning), f, c in zip(HIRE_TERMS, result.factors, result.coefficients,
                                                 strict=True)]
        facts = {k: list(v) if isinstance(v, list | tuple) else v for k, v in vars(result.facts).items()}
        data = HireAnswer(engagement=result.engagement, score=result.score, out_of=result.out_of,
                          verdict=result.verdict, ratings_trend=result.ratings_trend,
                          breakdown=rows, facts=facts)
        f = result.facts
        text = (f"Would {result.engagement} hire you back? {result.score:.0f} of {result.out_of:g}: "
                f"{result.verdict}. Term by term: "
                + ", ".join(f"{r.term.replace('_', ' ')} {r.contribution:+.1f}" for r in rows)
                + f". Latest ratings (newest first): {', '.join(map(str, f.ratings)) or 'none'}, "
                f"trend {result.ratings_trend}; promises kept {f.kept}, broken {f.broken}; "
                f"{f.overdue_asks} of {f.open_asks} open asks overdue.")
        return answer(text, HireAnswer, data)

    def review(self,
               period: Annotated[Literal["week", "month", "quarter", "last-week", "last-month",
                                         "last-quarter"] | None, Field(
                   description="A named period (default: the review.period setting, or in its "
                               "first days the one just ended).")] = None,
               from_day: Annotated[str | None, Field(
                   description="First day covered, as 'patron review --from' (any date form).")] = None,
               to_day: Annotated[str | None, Field(
                   description="Last day covered, as 'patron review --to' (default today).")] = None,
               engagement: Annotated[str | None, Field(
                   description="Review this engagement only.")] = None,
               ) -> Annotated[CallToolResult, review_service.Review]:
        """The periodic review: would each client hire you back and how that moved, promises
        kept and broken, feedback, asks done, time per boss against your target, relationships
        going cold. As 'patron review --json' with --period or --from/--to."""
        settings, now = self.register.settings(), self.register.now()
        chosen = review_service.choose(settings, now.date(), period, from_day, to_day)
        with self.reading() as conn:
            result = review_service.build(conn, settings, now, chosen, engagement)
        return answer(_review_text(result), review_service.Review, result)

    def screen(self, text: Annotated[str, Field(
                   min_length=1, max_length=200_000,
                   description="What the prospect said or wrote: a mail, call notes.")],
               ) -> Annotated[CallToolResult, screening.Screening]:
        """Screen a prospect's text for red flags (they want to own you rather than work with
        you): the flags with their sentences, a fit score and a recommendation with reasons.
        As 'patron screen - --json'."""
        result = screening.screen_text(self.register.settings(), text, "the text")
        lines = [f"Fit {result.fit}/100: {result.recommendation}."]
        lines += [f"- red flag, {f.kind.replace('_', ' ')}: \"{f.sentence}\"" for f in result.flags]
        lines += [f"- {reason}" for reason in result.reasons]
        return answer("\n".join(lines), screening.Screening, result)

    def inbox(self, engagement: Annotated[str | None, Field(
                  description="Only those filed under this engagement.")] = None,
              ) -> Annotated[CallToolResult, SuggestionsAnswer]:
        """Asks and promises found in mail, waiting for a yes or a no (inbox_accept,
        inbox_reject). As 'patron inbox --json'."""
        with self.reading() as conn:
            ident = resolve(conn, ENGAGEMENT, engagement) if engagement else None
            found = inbox_service.listing(conn, False, ident)
        lines = [f"{len(found)} waiting:" if found else "Nothing waiting in the inbox."]
        lines += [f"- #{s.id} {'a request' if s.kind != 'commitment' else 'your promise'}"
                  f"{' from ' + s.person if s.person and s.kind != 'commitment' else ''}"
                  f"{' to ' + s.person if s.person and s.kind == 'commitment' else ''}: {s.title}"
                  f"{', due ' + _when(s.due_at) if s.due_at else ''} (\"{s.sentence}\")" for s in found]
        return answer("\n".join(lines), SuggestionsAnswer, SuggestionsAnswer(suggestions=found))

    def search(self, words: Annotated[str, Field(
                   min_length=1, max_length=10_000,
                   description="The words to find, each by its start, case and accents aside.")],
               kinds: Annotated[list[Literal["people", "organisations", "engagements", "asks",
                                             "touchpoints"]] | None, Field(
                   description="Only these kinds of record (default: all).")] = None,
               limit: Annotated[int, Field(ge=1, le=500, description="How many records at most.")] = 20,
               ) -> Annotated[CallToolResult, SearchAnswer]:
        """Find people, organisations, engagements, asks and touchpoints (mail subjects and
        notes included) by words. As 'patron search --json'."""
        with self.reading() as conn:
            hits = search_service.search(conn, words, kinds=kinds, limit=limit)
        lines = [f"{len(hits)} found for '{words}':" if hits else f"Nothing found for '{words}'."]
        lines += [f"- {_SHOWN_AS.get(h.kind, h.kind)} #{h.id} {h.title}"
                  f"{' (' + _when(h.when.isoformat()) + ')' if h.when else ''}"
                  f"{': ' + h.snippet if h.snippet else ''}" for h in hits]
        return answer("\n".join(lines), SearchAnswer, SearchAnswer(hits=hits))

    def influence(self, engagement: Annotated[str | None, Field(description=(
                      "Only the mail filed under this engagement or with its stakeholders taking "
                      "part (a unique part of its name, or its id)."))] = None,
                  limit: Annotated[int, Field(ge=1, le=500, description=(
                      "How many people, most influential first."))] = 25,
                  ) -> Annotated[CallToolResult, influence_service.InfluenceView]:
        """Who holds influence, read from the mail: how many different people write to them or
        copy them, how many copy them, and how many they write to (those who direct hear from
        many and write to few). Each person gets a score from 0 to 1, a proposed power from 0
        to 5 and the signals that place them, in words; each is measured by the mail found in
        mailboxes other than their own, so the user is not scored from their own mail. Also
        how many people appear under several records (see people_duplicates). As 'patron
        influence --json'."""
        with self.reading() as conn:
            found = influence_service.view(conn, self.register.settings(), engagement, limit, look=True)
        return answer(_influence_text(found), influence_service.InfluenceView, found)

    def people_duplicates(self) -> Annotated[CallToolResult, DuplicatesAnswer]:
        """People who are likely one person under several records: the same name at the same
        organisation's domain (john.lavorato@ and john.j.lavorato@ at one company), where the
        mail gave no name that joined them; initials that differ, different organisations and
        free-mail domains are left apart. Split so, a person is scored on part of their mail.
        As 'patron people duplicates --json'."""
        with self.reading() as conn:
            groups = duplicates.shown(duplicates.find(conn))
        lines = [f"{len(groups)} {'person' if len(groups) == 1 else 'people'} under several records:"
                 if groups else "No two people look like one."]
        lines += [f"- keep {_record(g.keep)}; merge into it {', '.join(map(_record, g.others))} "
                  f"(@{g.domain})" for g in groups]
        return answer("\n".join(lines), DuplicatesAnswer, DuplicatesAnswer(groups=groups))

    # --- writing ---------------------------------------------------------------------------

    def met(self, person: PersonName,
            notes: Annotated[str, Field(max_length=20_000, description="What happened.")] = "",
            engagement: Annotated[str | None, Field(description=(
                "The engagement (default: the person's one active engagement, if one)."))] = None,
            kind: Annotated[InteractionKind, Field(description="The kind of touchpoint.")] = (
                InteractionKind.MEETING),
            sentiment: Annotated[int | None, Field(ge=-2, le=2, description="How it went, -2 to 2.")] = None,
            at: When = None) -> Annotated[CallToolResult, Recorded]:
        """Log a touchpoint with someone, as 'patron met PERSON NOTES'."""
        now = self.register.now()
        with self.writing() as conn:
            ident = relationships.met(conn, person, notes, now, engagement=engagement, kind=kind.value,
                                      sentiment=sentiment, at=at)
            record = records.get(conn, INTERACTION, ident)
            name = records.get(conn, PERSON, resolve(conn, PERSON, person))["name"]
        text = (f"Logged a {kind.value} with {name}"
                f"{' (' + record['engagement'] + ')' if record.get('engagement') else ''} at "
                f"{record['occurred_at']:%Y-%m-%d %H:%M}: interaction #{ident}.")
        return answer(text, Recorded, Recorded(kind="interaction", id=ident, record=record))

    def ask_add(self, title: Annotated[str, Field(min_length=1, max_length=500,
                                                  description="What was asked.")],
                person: Annotated[str | None, Field(description=(
                    "Who asked ('patron ask add --from'): a unique part of their name, an "
                    "address or an id."))] = None,
                engagement: Annotated[str | None, Field(description="The engagement.")] = None,
                due: Annotated[str | None, Field(description="When it is due ('friday', ...).")] = None,
                effort: Annotated[float | None, Field(ge=0, le=10000, description=(
                    "Estimated effort in hours."))] = None,
                value: Annotated[int | None, Field(ge=0, le=5, description=(
                    "How much it matters, 0-5."))] = None,
                ) -> Annotated[CallToolResult, AskAdded]:
        """Add an ask someone made of you, as 'patron ask add'; says where it ranks."""
        settings, now = self.register.settings(), self.register.now()
        given = {"title": title, "requester_id": person, "engagement_id": engagement,
                 "due_at": due, "effort_hours": effort, "value": value}
        with self.writing() as conn:
            ident = records.add(conn, ASK, {k: v for k, v in given.items() if v is not None}, now)
            record = records.get(conn, ASK, ident)
            item, whole = ranking.explain(ConnectionReader(conn), settings, now, ident)
        mostly = _ranked(item, whole.coefficients).mostly
        text = (f"Added ask #{ident} '{title}'"
                f"{' from ' + record['requester'] if record.get('requester') else ''}"
                f"{' in ' + record['engagement'] if record.get('engagement') else ''}"
                f"{', due ' + _when(record['due_at'].isoformat()) if record.get('due_at') else ''}"
                f". It ranks {item.rank} of {whole.open_asks} open asks"
                f"{', mostly for ' + ', '.join(mostly) if mostly else ''}.")
        return answer(text, AskAdded, AskAdded(kind="ask", id=ident, record=record, rank=item.rank,
                                               open_asks=whole.open_asks))

    def done(self, ask: Annotated[list[str], Field(min_length=1, max_length=100, description=(
                 "The asks done: each an id or a unique part of a title."))],
             at: When = None) -> Annotated[CallToolResult, DoneAnswer]:
        """Mark asks done, as 'patron done ASK...'. Every name is resolved first: one that is
        unknown or ambiguous leaves every ask as it was."""
        with self.writing() as conn:
            finished = asks.finish(conn, ask, self.register.now(), at)
        text = "\n".join(f"Ask #{f.id} was already done: {f.title}" if f.already
                         else f"Ask #{f.id} done: {f.title}" for f in finished)
        return answer(text, DoneAnswer, DoneAnswer(asks=finished))

    def promise(self, title: Annotated[str, Field(min_length=1, max_length=500,
                                                  description="What you promised.")],
                to: Annotated[str | None, Field(description="Whom you promised (a person).")] = None,
                due: Annotated[str | None, Field(description="When it is due.")] = None,
                engagement: Annotated[str | None, Field(description=(
                    "The engagement (default: the ask's, else the person's one active one)."))] = None,
                ask: Annotated[str | None, Field(description=(
                    "The ask it answers ('next' then ranks the ask with your promise)."))] = None,
                ) -> Annotated[CallToolResult, Recorded]:
        """Record a promise you made, as 'patron promise'."""
        with self.writing() as conn:
            ident = relationships.promise(conn, title, self.register.now(), to=to, due=due,
                                          engagement=engagement, ask=ask)
            record = records.get(conn, COMMITMENT, ident)
        text = (f"Promised #{ident} '{title}'"
                f"{' to ' + record['promisee'] if record.get('promisee') else ''}"
                f"{' (' + record['engagement'] + ')' if record.get('engagement') else ''}"
                f"{', due ' + _when(record['due_at'].isoformat()) if record.get('due_at') else ''}"
                f"{', about ask #' + str(record['ask_id']) if record.get('ask_id') else ''}.")
        return answer(text, Recorded, Recorded(kind="commitment", id=ident, record=record))

    def kept(self, promise: PromiseName, at: When = None,
             close_ask: Annotated[bool, Field(description=(
                 "Also mark the ask the promise was about done."))] = False,
             ) -> Annotated[CallToolResult, KeptAnswer]:
        """Mark a promise kept, as 'patron kept'; with close_ask, the ask it was about is done
        too, in the same transaction."""
        now = self.register.now()
        with self.writing() as conn:
            kept = relationships.keep_promise(conn, promise, now, at, close_ask)
            ident, about, closed = kept.id, kept.about, kept.closed
            record = records.get(conn, COMMITMENT, ident)
        text = f"Promise #{ident} '{record['title']}' kept."
        if closed is not None:
            text += f" Ask #{closed.id} '{closed.title}' done too."
        elif about is not None:
            text += f" The ask it was about, #{about[0]} '{about[1]}', stays open."
        return answer(text, KeptAnswer, KeptAnswer(kind="commitment", id=ident, record=record,
                                                   ask_done=closed))

    def broke(self, promise: PromiseName, at: When = None) -> Annotated[CallToolResult, Recorded]:
        """Mark a promise broken, as 'patron broke'. The ask it was about stays as it is."""
        with self.writing() as conn:
            ident = relationships.resolve_promise(conn, promise, "broken", self.register.now(), at)
            record = records.get(conn, COMMITMENT, ident)
        text = (f"Promise #{ident} '{record['title']}'"
                f"{' to ' + record['promisee'] if record.get('promisee') else ''} broken.")
        return answer(text, Recorded, Recorded(kind="commitment", id=ident, record=record))

    def feedback(self, person: PersonName,
                 text: Annotated[str | None, Field(max_length=20_000,
                                                   description="What they said of your work.")] = None,
                 rating: Annotated[int | None, Field(ge=0, le=10, description=(
                     "Would they hire you again, 0-10."))] = None,
                 engagement: Annotated[str | None, Field(description=(
                     "The engagement (default: the person's one active one)."))] = None,
                 on: Annotated[str | None, Field(description="The day they said it (default today).")] = None,
                 ) -> Annotated[CallToolResult, Recorded]:
        """Record what someone said of your work, as 'patron feedback PERSON'."""
        with self.writing() as conn:
            ident = relationships.record_feedback(conn, person, self.register.now(), text=text,
                                                  rating=rating, engagement=engagement, on=on)
            record = records.get(conn, FEEDBACK, ident)
        said = (f"Recorded feedback #{ident} from {record['person']}"
                f"{' (' + record['engagement'] + ')' if record.get('engagement') else ''}"
                f"{f': would hire you again {rating}/10' if rating is not None else ''}.")
        return answer(said, Recorded, Recorded(kind="feedback", id=ident, record=record))

    def time(self, duration: Annotated[str, Field(description="How long: '1h30', '45m', '2h'.")],
             engagement: EngagementName,
             boss: Annotated[BossKind | None, Field(description=(
                 "Whose time it was (default: from the engagement's kind)."))] = None,
             at: Annotated[str | None, Field(description=(
                 "When it started (default: it ends now)."))] = None,
             note: Annotated[str | None, Field(max_length=2000, description="What you did.")] = None,
             ) -> Annotated[CallToolResult, Recorded]:
        """Log time spent on an engagement, as 'patron time DURATION ENGAGEMENT'."""
        with self.writing() as conn:
            ident = relationships.log_time(conn, duration, engagement, self.register.now(),
                                           boss=boss.value if boss else None,
                                           at=at, note=note)
            record = records.get(conn, TIME_ENTRY, ident)
        minutes = int(record["minutes"])
        text = (f"Logged {minutes // 60}h{minutes % 60:02d} on {record['engagement']}"
                f"{' (' + record['boss_kind'] + ' time)' if record.get('boss_kind') else ''}: "
                f"time entry #{ident}.")
        return answer(text, Recorded, Recorded(kind="time_entry", id=ident, record=record))

    def inbox_accept(self, ids: Annotated[list[int], Field(min_length=1, max_length=100, description=(
                         "The suggestions to accept (ids from the inbox tool)."))],
                     title: Annotated[str | None, Field(description="A better title.")] = None,
                     due: Annotated[str | None, Field(description="When it is due.")] = None,
                     engagement: Annotated[str | None, Field(description="The engagement.")] = None,
                     person: Annotated[str | None, Field(description=(
                         "Who asked (a request) or whom you promised (a commitment)."))] = None,
                     ) -> Annotated[CallToolResult, AcceptAnswer]:
        """Accept suggestions found in mail: each becomes an ask or a commitment, as
        'patron inbox accept'. All or none: one that cannot be accepted accepts none."""
        now = self.register.now()
        made: list[Accepted] = []
        with self.writing() as conn:
            kinds = {s.id: s.kind for s in inbox_service.listing(conn, everything=True)}
            for ident in ids:
                record_id = inbox_service.accept(conn, ident, now, title=title, due_at=due,
                                         engagement_id=engagement, person_id=person)
                kind = COMMITMENT if kinds.get(ident) == "commitment" else ASK
                made.append(Accepted(suggestion=ident, kind=kind.name, id=record_id,
                                     record=records.get(conn, kind, record_id)))
        text = "\n".join(f"Accepted #{a.suggestion} as {a.kind} #{a.id} '{a.record['title']}'"
                         + (f" about ask #{a.record['ask_id']}" if a.record.get("ask_id") else "")
                         for a in made)
        return answer(text, AcceptAnswer, AcceptAnswer(accepted=made))

    def inbox_reject(self, ids: Annotated[list[int], Field(min_length=1, max_length=100, description=(
                         "The suggestions to reject (ids from the inbox tool)."))],
                     ) -> Annotated[CallToolResult, RejectAnswer]:
        """Reject suggestions found in mail: they are never suggested again, as
        'patron inbox reject'."""
        with self.writing() as conn:
            count = inbox_service.reject(conn, ids)
        return answer(f"Rejected {count} suggestion{'s' if count != 1 else ''}.", RejectAnswer,
                      RejectAnswer(rejected=count))

    def influence_accept(self, engagement: EngagementName) -> Annotated[CallToolResult,
                                                                          influence_service.InfluenceView]:
        """Set the power (0-5) of an engagement's stakeholders to the power its mail proposes
        (see influence); people in the mail who are not its stakeholders are left alone. As
        'patron influence --engagement ENGAGEMENT --accept --json'."""
        with self.writing() as conn:
            found = influence_service.view(conn, self.register.settings(), engagement, 25, take=True)
        roles = found.accepted or 0
        text = (f"Set the power of {roles} stakeholder role{'s' if roles != 1 else ''} of "
                f"{found.engagement} to the proposed values.\n" + _influence_text(found, "was"))
        return answer(text, influence_service.InfluenceView, found)

    def people_merge(self, keep: Annotated[str, Field(description=(
                         "The person to keep: a unique part of their name, an e-mail address or an id."))],
                     other: Annotated[str, Field(description=(
                         "The record to merge into them, which goes: name, address or id."))],
                     ) -> Annotated[CallToolResult, duplicates.Merged]:
        """Merge another record of the same person into the one to keep: addresses, roles,
        asks, mail and meetings move over, then the other record goes (see
        people_duplicates). As 'patron people merge KEEP OTHER --json'."""
        with self.writing() as conn:
            done = duplicates.merge_named(conn, keep, other)
        text = (f"Merged {done.merged_name} (#{done.merged}) into {done.name} (#{done.kept}); "
                f"addresses: {', '.join(done.emails) or 'none'}")
        return answer(text, duplicates.Merged, done)


READING_TOOLS = ("next", "why", "client", "due", "conflicts", "hire_me_back", "review", "screen",
                 "inbox", "search", "influence", "people_duplicates")
_SHOWN_AS = {"interaction": "touchpoint"}
WRITING_TOOLS = ("met", "ask_add", "done", "promise", "kept", "broke", "feedback", "time",
                 "inbox_accept", "inbox_reject", "influence_accept", "people_merge")
DESTRUCTIVE_TOOLS = ("people_merge",)


def add_reading(server: PatronServer, register: Register) -> None:
    _add(server, Tools(register), READING_TOOLS, READING)


def add_writing(server: PatronServer, register: Register) -> None:
    tools = Tools(register)
    _add(server, tools, tuple(n for n in WRITING_TOOLS if n not in DESTRUCTIVE_TOOLS), WRITING)
    _add(server, tools, DESTRUCTIVE_TOOLS, MERGING)


def _add(server: PatronServer, tools: Tools, names: tuple[str, ...], hints: ToolAnnotations) -> None:
    for name in names:
        method: Callable[..., CallToolResult] = getattr(tools, name)
        server.add_tool(method, name=name, annotations=hints, structured_output=True)


# --- texts ---------------------------------------------------------------------------------


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in values.items()}


def _ranked(item: ranking.Ranked, coefficients: tuple[float, ...]) -> RankedAsk:
    terms = item.contributions(coefficients)
    top = sorted(terms.items(), key=lambda kv: -abs(kv[1]))[:2]
    return RankedAsk(rank=item.rank, id=item.id, title=item.title, status=item.status,
                     score=item.score, requester=item.requester, engagement=item.engagement,
                     due_at=item.due_at.isoformat() if item.due_at else None, terms=terms,
                     mostly=[f"{name.replace('_', ' ')} {value:+.1f}" for name, value in top if value])


def _influence_text(found: influence_service.InfluenceView, held: str = "now") -> str:
    """``held``: how to call the power the register held ("was", once the proposals are taken)."""
    where = f" of {found.engagement}" if found.engagement else ""
    lines = [f"Influence in the mail{where}, most first (score 0-1; proposed power 0-5):"
             if found.people else f"No mail{where} with a sender recorded."]
    lines += [f"{n}. {r.name}: {r.score:.2f}, power {r.power}"
              f"{f' ({held} {r.current_power})' if r.current_power is not None else ''}: "
              f"{'; '.join(r.reasons)}" for n, r in enumerate(found.people, 1)]
    if found.split:
        lines.append(f"{found.split} {'person appears' if found.split == 1 else 'people appear'} under "
                     "several records, each scored on part of their mail: see people_duplicates.")
    return "\n".join(lines)


def _record(record: duplicates.Record) -> str:
    return f"{record.name or ', '.join(record.emails)} (#{record.id})"


def _who(members: list[client_service.Member]) -> str:
    return " and ".join(f"{m.name} ({m.title})" if m.title else m.name for m in members)


def _client_text(view: client_service.ClientView) -> str:
    lines = [f"{view.engagement} ({view.kind}): {_who(view.executive) or 'nobody recorded'} pays "
             f"(the Executive); {_who(view.manager) or 'nobody recorded'} directs the work "
             "(the Manager)."]
    top = view.most_influential
    if top is not None:
        lines.append(f"Most influence: {top.name} ({top.role}, {top.salience_class}, {top.quadrant}).")
    if view.diverge:
        lines.append("They diverge: " + "; ".join(view.diverge) + ".")
    if view.too_close:
        lines.append("Whom to favour when they conflict: too close to call, because "
                     + "; ".join(view.reasons) + ". To decide, find out: " + "; ".join(view.to_decide))
    elif view.favour is not None:
        lines.append(f"Favour {view.favour.name} when they conflict, because "
                     + "; ".join(view.reasons) + ".")
    lines += [f"Find out: {line}" for line in view.find_out]
    if view.hire is not None:
        lines.append(f"Would they hire you back: {view.hire.score:.0f} of {view.hire.out_of:g} "
                     f"({view.hire.verdict}; ratings {view.hire.ratings_trend}).")
    return "\n".join(lines)


def _review_text(result: review_service.Review) -> str:
    lines = [f"Review of {result.name} ({result.first} to {result.last})"
             f"{' for ' + result.engagement if result.engagement else ''}."]
    if result.note:
        lines.append(f"Covering {result.note}.")
    for c in result.clients:
        lines.append(f"- {c.engagement}: would hire you back {c.score:.0f} (was {c.previous_score:.0f}), "
                     f"{c.verdict}; promises kept {len(c.kept)}, broken {len(c.broken)}; "
                     f"feedback {len(c.feedback)}; asks done {len(c.asks_done)}"
                     + (f"; no feedback asked of {_listed(c.not_asked)}" if c.not_asked else ""))
    total = sum(result.time_minutes.values())
    if total:
        lines.append("Time: " + ", ".join(
            f"{boss} {minutes / 60:.1f}h ({minutes / total:.0%}, target "
            f"{result.time_target.get(boss, 0):.0%})" for boss, minutes in result.time_minutes.items()))
    if result.neglected:
        lines.append("Going cold: " + "; ".join(result.neglected))
    return "\n".join(lines)
