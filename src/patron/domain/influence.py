"""Who holds influence, read from who writes to whom, who copies and who answers whom.

The input is the envelope of each message (sender, To, Cc, date, Message-ID,
the Message-ID it answers); bodies are not stored, so who is *mentioned* in
mail is not a signal here.

The score rests on the three signals that, on the Enron hierarchy labels,
order bosses above their staff better than degree centrality does
(docs/influence.md gives the figures of everything tried): **audience**, how
many distinct people write to or copy the person; **copied by**, how many
distinct people copy them (copies go up); and, counting against them,
**writes to**, how many distinct people they write to (those who direct hear
from many and write to few; coordinators write to everyone). Each enters as a
log, so neither saturates and the tenth person counts less than the first.
PageRank, answer times and message counts are measured and shown, not scored:
on the Enron labels none of them helped.

The score is that order as a percentile (0..1: "more influential than this
share of the people in the mail"), the proposed power (0-5) is a band of the
score, and each person gets the two or three signals that place them, in words.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class Message:
    """One message's envelope. People are any hashable key the caller picks, given as
    strings (an address, a person id): the method never looks inside them."""

    sender: str
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    sent_at: datetime
    message_id: str | None = None
    reply_to: str | None = None
    thread: str | None = None
    held_by: tuple[str, ...] = ()  # whose own mailboxes it was found in, where known

    def seen_for(self, person: str) -> bool:
        """Whether the message tells of ``person``: it was found in a mailbox other than
        their own, or nobody's mailbox is known."""
        return person != self.unseen()

    def unseen(self) -> str | None:
        """The one person the message tells nothing of: the only one whose own mailbox
        held it (a second holder's mailbox saw the first, and the other way round)."""
        holders = set(self.held_by)
        return holders.pop() if len(holders) == 1 else None


@dataclass(slots=True)
class Signals:
    """What the mail says of one person (counts over the messages given)."""

    sent: int = 0
    received: int = 0  # as a To recipient
    copied: int = 0  # as a Cc recipient: copied by others
    copies: int = 0  # Cc recipients on the messages they sent: copying others
    threads_started: int = 0
    replies_received: int = 0
    answered_in: float | None = None  # median hours others take to answer them
    answers_in: float | None = None  # median hours they take to answer others
    rank: float = 0.0  # PageRank on "A answered B", "A wrote to B" and "A copied B"
    audience: int = 0  # distinct people who wrote to them or copied them
    copied_by: int = 0  # distinct people who copied them on their mail
    writes_to: int = 0  # distinct people they wrote to (To)
    correspondents: int = 0  # distinct people written to or heard from: degree centrality

    @property
    def messages(self) -> int:
        """How many messages the person appears in: the evidence behind the signals."""
        return self.sent + self.received + self.copied


@dataclass(frozen=True, slots=True)
class Term:
    """One part of the score: how to read it from Signals (on a log scale, so a person
    with ten times the audience gains as much as one copied by ten times as many), its
    weight in the sum, and what it counts in words ("12 people copy them")."""

    name: str
    weight: float
    value: Callable[[Signals], float]
    says: Callable[[Signals], str]


def _people(count: int, one: str, many: str, none: str) -> str:
    return none if count == 0 else one if count == 1 else many.format(count=f"{count:,}")


TERMS: tuple[Term, ...] = (
    # Many different people write to them or keep them informed.
    Term("audience", 1.0, lambda s: math.log1p(s.audience),
         lambda s: _people(s.audience, "one person writes to them or copies them",
                           "{count} people write to them or copy them", "nobody writes to them")),
    # People copy their superiors on what they send to others: copies go up.
    Term("copied_by", 1.0, lambda s: math.log1p(s.copied_by),
         lambda s: _people(s.copied_by, "one person copies them", "{count} people copy them",
                           "nobody copies them")),
    # Those who direct write to a few and are written to by many; those who write to
    # everyone (coordinators, traders) are reached by it less than it seems.
    Term("writes_to", -0.5, lambda s: math.log1p(s.writes_to),
         lambda s: _people(s.writes_to, "they write to one person", "they write to {count} people",
                           "they write to nobody")),
)
SHOWN_REASONS = 3  # at most; the two strongest always
STRONG = 0.1  # a third reason is given when |weight| x its distance from the middle reaches this
FEW = 100  # among fewer people than this, a reason gives a rank ("2nd of 6"), not a percentage

POWER_BANDS: tuple[tuple[float, int], ...] = ((0.99, 5), (0.95, 4), (0.85, 3), (0.60, 2), (0.30, 1))
"""Score (a percentile) from which each proposed power holds; below the last, 0. An
organisation is a pyramid: few people at the top."""

TO_WEIGHT, CC_WEIGHT, ANSWER_WEIGHT = 1.0, 0.5, 2.0
"""Edge weights of the influence graph: writing to someone, copying them, answering them.
The weights of each pair add up, and the graph ranks on log(1 + sum): the tenth message
to the same person counts far less than the first to someone new."""


@dataclass(frozen=True, slots=True)
class Influence:
    """One person's standing: score 0..1, proposed power 0-5, and the signals behind them."""

    person: str
    score: float
    power: int
    signals: Signals
    terms: Mapping[str, float] = field(default_factory=dict)  # each term's percentile
    reasons: tuple[str, ...] = ()  # the signals that place them most, in words


def influence(messages: Iterable[Message], terms: Sequence[Term] = TERMS) -> list[Influence]:
    """Everyone in the mail, most influential first."""
    found = signals(messages)
    if not found:
        return []
    values = {term.name: {p: term.value(s) for p, s in found.items()} for term in terms}
    combined = {person: sum(term.weight * values[term.name][person] for term in terms) for person in found}
    scores = _percentile_of(combined)
    standing = {term.name: _percentile_of(values[term.name]) for term in terms}
    ranked = sorted(found, key=lambda p: (-combined[p], p))
    result = []
    for p in ranked:
        places = {term.name: standing[term.name][p] for term in terms}
        result.append(Influence(p, scores[p], proposed_power(scores[p]), found[p], places,
                                reasons(found[p], places, terms, len(found))))
    return result


def reasons(found: Signals, places: Mapping[str, float], terms: Sequence[Term] = TERMS,
            people: int = FEW) -> tuple[str, ...]:
    """The two or three terms that place a person most, in words, strongest first: each
    says what it counts, where that stands among the ``people`` in the mail (a share of
    them, or a rank among few), and, for a term that counts against (writing to many),
    which way it pulls.

    A term places someone by how far from the middle it puts them, times its weight."""
    def strength(term: Term) -> float:
        return abs(term.weight) * abs(places[term.name] - 0.5)

    chosen = sorted(terms, key=lambda t: (-strength(t), t.name))
    shown = [t for n, t in enumerate(chosen[:SHOWN_REASONS]) if n < 2 or strength(t) >= STRONG]
    return tuple(_reason(term, found, places[term.name], people) for term in shown)


def _reason(term: Term, found: Signals, place: float, people: int) -> str:
    if people < FEW:  # ties share their mean rank, so two people first of six are both 2nd
        where = f"{_ordinal(1 + round((1 - place) * (people - 1)))} of {people}"
    elif place >= 0.5:
        where = f"top {max(1, round((1 - place) * 100))} %"
    else:
        where = f"bottom {max(1, round(place * 100))} %"
    text = f"{term.says(found)} ({where})"
    if term.weight < 0:
        text += ", which counts against them" if place >= 0.5 else ", which counts for them"
    return text


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def proposed_power(score: float) -> int:
    return next((power for floor, power in POWER_BANDS if score >= floor), 0)


def signals(messages: Iterable[Message]) -> dict[str, Signals]:
    """Counts, answer times, correspondents and rank for everyone in the mail.

    Each person is measured by what the mailboxes other than their own saw of them
    (``Message.seen_for``). A person's own mailbox holds every message they received, while
    anyone else is seen only in the mail shared with the mailboxes at hand; counted
    together, the owners of mailboxes look heard by many for that alone. Someone seen only
    in their own mailbox (you, in your own mail) gets no signals and no score."""
    mail = list(messages)
    known = {m.message_id: m for m in mail if m.message_id}
    people: dict[str, Signals] = defaultdict(Signals)
    answered: dict[str, list[float]] = defaultdict(list)
    answering: dict[str, list[float]] = defaultdict(list)
    edges: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    neighbours: dict[str, set[str]] = defaultdict(set)
    heard_from: dict[str, set[str]] = defaultdict(set)
    copied_by: dict[str, set[str]] = defaultdict(set)
    writes_to: dict[str, set[str]] = defaultdict(set)
    for message in mail:
        sender = message.sender
        hidden = message.unseen()
        written_to = set(message.to) - {sender}
        copied = set(message.cc) - written_to - {sender}
        if sender != hidden:
            _sent(people[sender], message, written_to, copied, neighbours[sender], writes_to[sender])
        to, cc = written_to - {hidden}, copied - {hidden}
        out = edges[sender]
        for person in to:
            people[person].received += 1
            out[person] += TO_WEIGHT
        for person in cc:
            people[person].copied += 1
            out[person] += CC_WEIGHT
            copied_by[person].add(sender)
        for person in to | cc:
            neighbours[person].add(sender)
            heard_from[person].add(sender)
        parent = known.get(message.reply_to) if message.reply_to else None
        if parent is not None and parent.sender != sender:
            hours = (message.sent_at - parent.sent_at).total_seconds() / 3600
            if parent.sender != hidden:
                people[parent.sender].replies_received += 1
                out[parent.sender] += ANSWER_WEIGHT
                if hours >= 0:
                    answered[parent.sender].append(hours)
            if hours >= 0 and sender != hidden:
                answering[sender].append(hours)
    damped = {a: {b: math.log1p(w) for b, w in out.items()} for a, out in edges.items()}
    ranks = pagerank(damped, people.keys())
    for person, found in people.items():
        found.rank = ranks[person]
        found.audience = len(heard_from[person])
        found.copied_by = len(copied_by[person])
        found.writes_to = len(writes_to[person])
        found.correspondents = len(neighbours[person])
        if answered[person]:
            found.answered_in = statistics.median(answered[person])
        if answering[person]:
            found.answers_in = statistics.median(answering[person])
    return dict(people)


def _sent(found: Signals, message: Message, to: set[str], cc: set[str], neighbours: set[str],
          writes_to: set[str]) -> None:
    """The sender's side of a message (all its recipients, as the sender wrote them)."""
    found.sent += 1
    found.copies += len(cc)
    neighbours.update(to, cc)
    writes_to.update(to)
    if message.reply_to is None:
        found.threads_started += 1


def pagerank(edges: Mapping[str, Mapping[str, float]], nodes: Iterable[str],
             damping: float = 0.85, tolerance: float = 1e-6, rounds: int = 100) -> dict[str, float]:
    """Weighted PageRank by power iteration, until the ranks move less than ``tolerance``
    in all; a node with no out-edges spreads evenly.

    networkx's ``pagerank`` needs SciPy for one sparse product; this is that product
    over plain dicts, fast enough for tens of thousands of people."""
    order = list(dict.fromkeys(nodes))
    count = len(order)
    if not count:
        return {}
    index = {node: i for i, node in enumerate(order)}
    out: list[tuple[int, list[tuple[int, float]]]] = []
    for node, weighted in edges.items():
        total = sum(weighted.values())
        if total > 0 and node in index:
            out.append((index[node], [(index[t], w / total) for t, w in weighted.items() if t in index]))
    leaves = set(range(count)) - {i for i, _ in out}
    rank = [1.0 / count] * count
    for _ in range(rounds):
        dangling = sum(rank[i] for i in leaves)
        new = [(1.0 - damping + damping * dangling) / count] * count
        for i, targets in out:
            share = damping * rank[i]
            for target, weight in targets:
                new[target] += share * weight
        change = sum(abs(a - b) for a, b in zip(new, rank, strict=True))
        rank = new
        if change < tolerance:
            break
    return dict(zip(order, rank, strict=True))


def degree(messages: Iterable[Message]) -> dict[str, float]:
    """Degree centrality, the baseline: how many distinct people each one exchanged mail with."""
    return {person: float(found.correspondents) for person, found in signals(messages).items()}


def pairwise_accuracy(scores: Mapping[str, float], pairs: Iterable[tuple[str, str]],
                      tie: float = 0.0) -> float:
    """The share of (superior, subordinate) pairs the scores put in order, over the pairs
    whose both people have a score (Agarwal et al. 2012). A tie counts ``tie``: wrong by
    default, 0.5 in the rule of the Enron hierarchy labels."""
    judged = [(boss, sub) for boss, sub in pairs if boss in scores and sub in scores]
    if not judged:
        return 0.0
    return sum(1.0 if scores[boss] > scores[sub] else tie if scores[boss] == scores[sub] else 0.0
               for boss, sub in judged) / len(judged)


def _percentile_of(values: Mapping[str, float]) -> dict[str, float]:
    """0 for the lowest, 1 for the highest, ties sharing their mean rank."""
    if not values:
        return {}
    if len(values) == 1:
        return dict.fromkeys(values, 0.5)
    ordered = sorted(values.items(), key=lambda item: item[1])
    top = len(ordered) - 1
    result: dict[str, float] = {}
    start = 0
    while start < len(ordered):
        end = start
        while end + 1 < len(ordered) and ordered[end + 1][1] == ordered[start][1]:
            end += 1
        share = (start + end) / 2 / top
        for person, _ in ordered[start:end + 1]:
            result[person] = share
        start = end + 1
    return result
