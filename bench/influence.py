"""Benchmark: how well influence orders bosses above their subordinates, against degree
centrality, and how long it takes.

1. Generated organisations (patron.samples.orgmail) of several sizes, three seeds
   each: the share of true (boss, subordinate) pairs ordered correctly.
2. The Enron power annotations (Prabhakaran et al., LREC 2012) in
   ../shared/data/enron-power-annotations/AnnotatedThreads/train: the pairs
   annotated with hierarchical power (and, apart, situational power), scored
   on the annotated threads alone, and, where ../shared/data/enron-mbox is
   there, on the whole Enron mail (about 77,600 messages; it has no
   In-Reply-To, so answers are found by subject: "Re: X" answers the latest
   earlier "X" its recipients sent).
3. Enron's officers over the other mailbox owners, where ../shared/data/enron-mbox
   is there: the 42 mailboxes run from the chairman down to traders and
   assistants, and eight of their owners were officers (chairman, presidents and
   chief executives of divisions, executive vice presidents), each attested by a
   title line in the mail itself. Every officer should outrank every other
   mailbox owner: 8 x 34 = 272 pairs. Each owner's addresses (those they send
   from in their own sent folders) are taken as one person, as `patron people
   merge` would.
4. Time to score 77,600 generated messages (and the Enron mail, where present).

    .venv/bin/python bench/influence.py
    .venv/bin/python bench/influence.py --no-enron-mbox    # skip the 45 s mbox parse
"""

from __future__ import annotations

import argparse
import mailbox
import re
import statistics
import sys
import time
from collections.abc import Iterable, Iterator
from datetime import datetime
from email.utils import getaddresses, parsedate_to_datetime
from pathlib import Path

from patron.domain.influence import Message, degree, influence, pairwise_accuracy
from patron.samples.orgmail import generate

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
ANNOTATED = SHARED / "enron-power-annotations" / "AnnotatedThreads" / "train"
MBOX = SHARED / "enron-mbox"
SIZES = ((100, 50, 4_000), (500, 1_000, 20_000), (2_000, 18_000, 77_600))


def scores(messages: list[Message]) -> dict[str, float]:
    return {found.person: found.score for found in influence(messages)}


def generated() -> None:
    print("Generated organisations (mean over seeds 1-3; pairs = true boss/subordinate pairs)")
    print(f"{'employees':>9} {'outsiders':>9} {'messages':>8} {'pairs':>6} {'influence':>9} "
          f"{'degree':>7}")
    for employees, outsiders, count in SIZES:
        ours, base, pairs = [], [], 0
        for seed in (1, 2, 3):
            mail = generate(seed, employees, outsiders, count)
            ours.append(pairwise_accuracy(scores(mail.messages), mail.pairs))
            base.append(pairwise_accuracy(degree(mail.messages), mail.pairs))
            pairs = len(mail.pairs)
        print(f"{employees:>9,} {outsiders:>9,} {count:>8,} {pairs:>6,} {statistics.mean(ours):>9.1%} "
              f"{statistics.mean(base):>7.1%}")


def timed(label: str, messages: list[Message]) -> None:
    people = {m.sender for m in messages} | {p for m in messages for p in (*m.to, *m.cc)}
    wall, cpu = [], []
    for _ in range(3):
        start, used = time.perf_counter(), time.process_time()
        influence(messages)
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - used)
    print(f"{label}: {len(messages):,} messages, {len(people):,} people: "
          f"{statistics.median(cpu):.2f} s of CPU to score, {statistics.median(wall):.2f} s elapsed "
          f"(medians of 3)")


# The annotated threads ---------------------------------------------------------------

MESSAGE = re.compile(r"<message>(.*?)</message>", re.S)
PERSON = re.compile(r'<(to|from|cc) name="([^"]*)" id="([^"]*)" address="([^"]*)"\s*/>')


def field(block: str, name: str) -> str:
    found = re.search(rf"<{name}>(.*?)</{name}>", block, re.S)
    return found.group(1).strip() if found else ""


class Thread:
    """One annotated thread: its messages (people by corpus id), who is who, and the
    (superior, subordinate) pairs for each kind of power."""

    def __init__(self, text: str) -> None:
        self.messages: list[Message] = []
        self.by_name: dict[str, str] = {}
        self.addresses: dict[str, set[str]] = {}
        body, _, notes = text.partition("</xml>")
        for block in MESSAGE.findall(body):
            self._message(block)
        self.pairs = {kind: list(self._pairs(notes, kind)) for kind in ("Hierarchical", "Situational")}

    def _message(self, block: str) -> None:
        roles: dict[str, list[str]] = {"to": [], "from": [], "cc": []}
        for role, name, ident, address in PERSON.findall(block):
            if ident not in roles[role]:
                roles[role].append(ident)
            self.by_name.setdefault(name.lower(), ident)
            self.addresses.setdefault(ident, set()).add(address.lower())
        if not roles["from"]:
            return
        self.messages.append(Message(
            sender=roles["from"][0], to=tuple(roles["to"]), cc=tuple(roles["cc"]),
            sent_at=datetime.fromisoformat(field(block, "date_time")),
            message_id=field(block, "message_id"), reply_to=field(block, "parent_id") or None,
            thread=field(block, "thread_id")))

    def _pairs(self, notes: str, kind: str) -> Iterator[tuple[str, str]]:
        section = re.search(rf"{kind} Power Annotation:(.*?)(?:\n[A-Z][a-z]+[^\n]*Annotation:|\Z)",
                            notes, re.S)
        if not section:
            return
        people = re.findall(r"Person_1:[ \t]*(.*)\nPerson_2:[ \t]*(.*)", section.group(1))
        for superior, subordinate in people:
            one, two = self._who(superior), self._who(subordinate)
            if one and two and one != two:
                yield one, two

    def _who(self, text: str) -> str | None:
        """A corpus id from 'Name' or 'Name(address:"x@y")' (the address wins: some names
        in the annotations are copied wrongly, the addresses are not)."""
        address = re.search(r'address:\s*"([^"]+)"', text)
        if address:
            wanted = address.group(1).lower()
            return next((i for i, found in self.addresses.items() if wanted in found), None)
        return self.by_name.get(text.strip().lower()) if text.strip() else None


def annotated() -> list[Thread] | None:
    if not ANNOTATED.is_dir():
        print(f"Enron power annotations: skipped ({ANNOTATED} is absent)")
        return None
    return [Thread(path.read_text(encoding="utf-8", errors="replace"))
            for path in sorted(ANNOTATED.glob("*.xml"))]


def on_threads(threads: list[Thread]) -> None:
    messages = [m for t in threads for m in t.messages]
    ours, base = scores(messages), degree(messages)
    print(f"Enron annotated threads ({len(threads)} threads, {len(messages)} messages, scored together)")
    for kind in ("Hierarchical", "Situational"):
        pairs = [p for t in threads for p in t.pairs[kind]]
        print(f"  {kind.lower()} power, {len(pairs)} pairs: influence {pairwise_accuracy(ours, pairs):.1%}, "
              f"degree {pairwise_accuracy(base, pairs):.1%}")


# The whole Enron mail ----------------------------------------------------------------


def mailboxes() -> dict[str, list[tuple[Message, str]]]:
    """Each mailbox's messages, each once (the same message sits in several folders),
    people by address, with their subjects."""
    return {folder.name: _distinct(path for path in sorted(folder.glob("*.mbox")))
            for folder in sorted(p for p in MBOX.iterdir() if p.is_dir())}


def _distinct(paths: Iterable[Path]) -> list[tuple[Message, str]]:
    seen: set[tuple[str, str, str]] = set()
    found: list[tuple[Message, str]] = []
    for path in paths:
        for parsed in mailbox.mbox(str(path)):
            envelope = _envelope(parsed)
            if envelope is None:
                continue
            message, subject = envelope
            key = (message.sender, message.sent_at.isoformat(), subject)
            if key not in seen:
                seen.add(key)
                found.append(envelope)
    return found


def enron_mail(boxes: dict[str, list[tuple[Message, str]]]) -> list[Message]:
    """Every message of every mailbox once, answers found by subject."""
    seen: set[tuple[str, str, str]] = set()
    found: list[tuple[Message, str]] = []
    for envelopes in boxes.values():
        for message, subject in envelopes:
            key = (message.sender, message.sent_at.isoformat(), subject)
            if key not in seen:
                seen.add(key)
                found.append((message, subject))
    return list(_threaded(found))


def _envelope(parsed: mailbox.mboxMessage) -> tuple[Message, str] | None:
    senders = [a.lower() for _, a in getaddresses(parsed.get_all("From", [])) if "@" in a]
    try:
        when = parsedate_to_datetime(str(parsed["Date"]))
    except (TypeError, ValueError):
        return None
    if not senders:
        return None

    def people(header: str) -> tuple[str, ...]:
        return tuple(dict.fromkeys(a.lower() for _, a in getaddresses(
            [str(v) for v in parsed.get_all(header, [])]) if "@" in a))

    sent_at = when.replace(tzinfo=None) - (when.utcoffset() or (when - when))
    return (Message(sender=senders[0], to=people("To"), cc=people("Cc"), sent_at=sent_at,
                    message_id=str(parsed["Message-ID"]).strip("<> ")),
            " ".join(str(parsed["Subject"] or "").split()))


REPLY = re.compile(r"^(?:(?:re|fw|fwd)\s*:\s*)+", re.I)


def _threaded(found: list[tuple[Message, str]]) -> Iterable[Message]:
    """'Re: X' answers the latest earlier message on X sent by one of its recipients."""
    found.sort(key=lambda item: item[0].sent_at)
    latest: dict[tuple[str, str], Message] = {}
    for message, subject in found:
        topic = REPLY.sub("", subject).lower()
        parent = None
        if REPLY.match(subject) and subject.lower().startswith("re"):
            parent = next((latest[(p, topic)] for p in message.to if (p, topic) in latest), None)
        if parent is not None:
            message = Message(sender=message.sender, to=message.to, cc=message.cc,
                              sent_at=message.sent_at, message_id=message.message_id,
                              reply_to=parent.message_id)
        latest[(message.sender, topic)] = message
        yield message


def on_enron_mail(threads: list[Thread]) -> None:
    if not MBOX.is_dir():
        print(f"Enron mail: skipped ({MBOX} is absent)")
        return
    start = time.perf_counter()
    boxes = mailboxes()
    messages = enron_mail(boxes)
    print(f"Enron mail: read {len(messages):,} distinct messages in {time.perf_counter() - start:.0f} s "
          f"({sum(1 for m in messages if m.reply_to):,} answers found by subject)")
    ours, base = scores(messages), degree(messages)
    for kind in ("Hierarchical", "Situational"):
        pairs = [(_best(t, a, base), _best(t, b, base)) for t in threads for a, b in t.pairs[kind]]
        judged = [(a, b) for a, b in pairs if a and b]
        print(f"  {kind.lower()} power, {len(judged)} of {len(pairs)} pairs found in the mail: "
              f"influence {pairwise_accuracy(ours, judged):.1%}, "
              f"degree {pairwise_accuracy(base, judged):.1%}")
    on_officers(messages, boxes)
    timed("Enron mail", messages)


# Enron's officers ----------------------------------------------------------------------

OFFICERS = {  # mailbox: a title line that Enron's own mail carries for its owner
    "lay-k": "Lay - Office of the Chairman",
    "whalley-g": "Whalley, President & COO",
    "lavorato-j": "Lavorato, President and CEO",
    "delainey-d": "Delainey, President and CEO",
    "shankman-j": "Shankman, President and COO",
    "derrick-j": "Derrick - Exec VP & General Counsel",
    "buy-r": "Buy - Exec VP & Chief Risk",
    "horton-s": "Horton - Chairman & CEO",
}
SENT = ("_sent", "_sent_mail", "sent", "sent_items")


def owners() -> dict[str, set[str]]:
    """Each mailbox's owner as the addresses they send from in their own sent folders
    (ten messages or more, with their surname in the address)."""
    found: dict[str, set[str]] = {}
    for folder in sorted(p for p in MBOX.iterdir() if p.is_dir()):
        surname = folder.name.split("-")[0]
        counts: dict[str, int] = {}
        for path in (folder / f"{name}.mbox" for name in SENT):
            if path.is_file():
                for parsed in mailbox.mbox(str(path)):
                    for _, address in getaddresses(parsed.get_all("From", [])):
                        counts[address.lower()] = counts.get(address.lower(), 0) + 1
        found[folder.name] = {a for a, n in counts.items() if n >= 10 and _theirs(a, surname)}
    return found


def _theirs(address: str, surname: str) -> bool:
    last = address.split("@")[0].split(".")[-1]
    return surname in address.split("@")[0] or (len(last) > 3 and last in surname)


def attested() -> dict[str, int]:
    """How many mail files carry each officer's title line."""
    counts = dict.fromkeys(OFFICERS, 0)
    wanted = {mailbox_: line.encode() for mailbox_, line in OFFICERS.items()}
    for path in MBOX.rglob("*.mbox"):
        data = path.read_bytes()
        for mailbox_, line in wanted.items():
            counts[mailbox_] += data.count(line)
    return counts


def on_officers(messages: list[Message], boxes: dict[str, list[tuple[Message, str]]]) -> None:
    """The officers over the other owners in the whole mail, then in each mailbox alone
    (the view one user has), leaving out pairs with the mailbox's own owner."""
    people = owners()
    alias = {address: name for name, addresses in people.items() for address in addresses}
    titles = attested()
    officers = [name for name in OFFICERS if titles[name] and people.get(name)]
    rest = [name for name, addresses in people.items() if addresses and name not in OFFICERS]
    pairs = [(boss, other) for boss in officers for other in rest]
    merged = _as_people(messages, alias)
    ours, base = scores(merged), degree(merged)
    seen = [titles[name] for name in officers] or [0]
    print(f"Enron officers over the other mailbox owners ({len(officers)} officers, each title "
          f"attested {min(seen)}-{max(seen)} times in the mail; {len(rest)} others; "
          f"{len(pairs)} pairs): influence {pairwise_accuracy(ours, pairs):.1%}, "
          f"degree {pairwise_accuracy(base, pairs):.1%}")
    right, baseline, judged = 0, 0, 0
    for owner, envelopes in boxes.items():
        alone = _as_people(list(_threaded(list(envelopes))), alias)
        ours, base = scores(alone), degree(alone)
        theirs = [(a, b) for a, b in pairs if owner not in (a, b) and a in ours and b in ours]
        judged += len(theirs)
        right += sum(ours[a] > ours[b] for a, b in theirs)
        baseline += sum(base[a] > base[b] for a, b in theirs)

    def share(count: int) -> float:
        return count / judged if judged else 0.0

    print(f"  each mailbox alone ({judged:,} pairs seen, summed over the {len(boxes)} mailboxes): "
          f"influence {share(right):.1%}, degree {share(baseline):.1%}")


def _as_people(messages: list[Message], alias: dict[str, str]) -> list[Message]:
    def one(address: str) -> str:
        return alias.get(address, address)

    return [Message(sender=one(m.sender), to=tuple(dict.fromkeys(map(one, m.to))),
                    cc=tuple(dict.fromkeys(map(one, m.cc))), sent_at=m.sent_at,
                    message_id=m.message_id, reply_to=m.reply_to) for m in messages]


def _best(thread: Thread, ident: str, scored: dict[str, float]) -> str:
    """The person's address with the most correspondents in the mail, or '' if none."""
    known = [a for a in thread.addresses.get(ident, ()) if a in scored]
    return max(known, key=lambda a: scored[a]) if known else ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-enron-mbox", action="store_true", help="Skip the whole Enron mail.")
    args = parser.parse_args(argv)
    generated()
    mail = generate(7, 2_000, 18_000, 77_600)
    timed("Generated mail", mail.messages)
    threads = annotated()
    if threads is not None:
        on_threads(threads)
        if not args.no_enron_mbox:
            on_enron_mail(threads)
    return 0


if __name__ == "__main__":
    sys.exit(main())
