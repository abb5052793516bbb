"""Benchmark: how well influence orders bosses above their subordinates, against degree
centrality, and how long it takes; and how well requests are found in mail.

1. Generated organisations (patron.samples.orgmail) of several sizes, three seeds
   each: the share of true (boss, subordinate) pairs ordered correctly.
2. The Enron power annotations (Prabhakaran et al., LREC 2012) in
   ../shared/data/enron-power-annotations/AnnotatedThreads/train: the pairs
   annotated with hierarchical power (and, apart, situational power), scored
   on the annotated threads alone.
3. The Enron hierarchy's dev pairs (../shared/data/enron-hierarchy-dev: job titles,
   Perry & Wolfe's seniority, the Columbia gold hierarchy) scored by the rule of their
   README (a tie counts 0.5; only pairs whose both people degree centrality has) on the
   mail of ../shared/data/enron-mbox: all 42 mailboxes merged, then each mailbox alone
   with its owner as "me" (median and spread over the mailboxes), degree centrality beside
   each figure; each as imported and with the people ``patron people duplicates`` finds
   merged; and where the pairs the score gets wrong lie (the bosses against whom most are
   wrong, and how much of their own mail the mailboxes kept). The mail is read once by
   Patron's parser and cached (bench/enron.py).
4. Time to score 77,600 generated messages and the Enron mail.
5. Request detection's sentence F1 on the annotated threads (bench/detect.py's measure).

    .venv/bin/python bench/influence.py
    .venv/bin/python bench/influence.py --enron-only    # 3-5 only: under a minute with the cache
    .venv/bin/python bench/influence.py --enron-only --register   # and the product's own path:
        # the 42 mailboxes imported by ``patron import mail --owner``, then ``patron influence``,
        # then again after ``patron people duplicates --merge``
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import detect
from enron import MBOX, SHARED, Mail, mailboxes

from patron.domain.duplicates import Someone, duplicates
from patron.domain.influence import Message, degree, influence, pairwise_accuracy
from patron.samples.orgmail import generate
from patron.services import influence as service
from patron.store.database import open_store

ANNOTATED = SHARED / "enron-power-annotations" / "AnnotatedThreads" / "train"
PAIRS = SHARED / "enron-hierarchy-dev" / "pairs.csv"
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


# The Enron hierarchy pairs --------------------------------------------------------------


Pairs = dict[str, list[tuple[str, str]]]


def hierarchy() -> tuple[Pairs, dict[str, str]] | None:
    """The dev pairs by label set, and each address's person.

    The file names a person by their ``;``-joined addresses, not always the same ones in
    each set ("greg.whalley@enron.com" in one, with a second address in another), so the
    addresses named together anywhere are taken as one person (as ``patron people merge``
    would make them), named by the first of them."""
    if not PAIRS.is_file():
        return None
    with PAIRS.open(newline="", encoding="utf-8") as stream:
        rows = [(row["set"], row["boss"].split(";"), row["subordinate"].split(";"))
                for row in csv.DictReader(stream)]
    joined: dict[str, str] = {}

    def root(address: str) -> str:
        while joined.get(address, address) != address:
            address = joined[address]
        return address

    for _, *people in rows:
        for addresses in people:
            for address in addresses[1:]:
                first, other = root(addresses[0]), root(address)
                if first != other:
                    joined[other] = first
    alias = {a: root(a) for _, *people in rows for addresses in people for a in addresses}
    sets: Pairs = {}
    for name, boss, subordinate in rows:
        sets.setdefault(name, []).append((alias[boss[0]], alias[subordinate[0]]))
    return sets, alias


def readme_degree(mails: list[Mail], sets: Pairs, alias: dict[str, str]) -> str:
    """Degree centrality as the labels' README computes it, each address on its own and a
    person as their best-connected address: the check that the data read here are theirs."""
    by_address = degree(envelopes(mails, {}))
    best: dict[str, float] = {}
    for address, person in alias.items():
        if address in by_address:
            best[person] = max(best.get(person, 0.0), by_address[address])
    return ", ".join(f"{name} {pairwise_accuracy(best, pairs, tie=0.5):.3f} "
                     f"(n={sum(a in best and b in best for a, b in pairs):,})"
                     for name, pairs in sets.items())


def distinct(mails: Iterable[Mail]) -> list[Mail]:
    """Each message once, by Message-ID (the same message sits in several folders)."""
    seen: set[str] = set()
    found: list[Mail] = []
    for mail in mails:
        if mail.message_id is None or mail.message_id not in seen:
            if mail.message_id:
                seen.add(mail.message_id)
            found.append(mail)
    return found


def envelopes(mails: Iterable[Mail], alias: dict[str, str],
              held: Callable[[Mail], tuple[str, ...]] = lambda _: ()) -> list[Message]:
    """The messages as ``influence`` reads them, each labelled person's addresses as one
    person (as ``patron people merge`` would make them); ``held`` gives whose own
    mailboxes each was found in (nobody's by default: degree centrality reads them so)."""
    def one(address: str) -> str:
        return alias.get(address, address)

    return [Message(sender=one(m.sender), to=tuple(dict.fromkeys(map(one, m.to))),
                    cc=tuple(dict.fromkeys(map(one, m.cc))), sent_at=m.sent_at,
                    message_id=m.message_id, reply_to=m.in_reply_to, held_by=held(m))
            for m in mails]


def holders(boxes: dict[str, list[Mail]], alias: dict[str, str]) -> Callable[[Mail], tuple[str, ...]]:
    """Whose own mailboxes each message was found in (by Message-ID), as ``patron import
    mail --owner ADDRESS`` records it: each mailbox's owner by one address (``main_address``)."""
    found_in: dict[str, set[str]] = {}
    for name, mails in boxes.items():
        me = {alias.get(a, a) for a in main_address(mails, name)}
        for mail in mails:
            if mail.message_id:
                found_in.setdefault(mail.message_id, set()).update(me)
    return lambda mail: tuple(sorted(found_in.get(mail.message_id or "", ())))


def agreement(scored: dict[str, float], base: dict[str, float], pairs: list[tuple[str, str]],
              ) -> tuple[float, float, int]:
    """Both rankings on the pairs whose people degree centrality has: (ours, degree, pairs).
    Someone influence leaves unscored (seen only in their own mailbox) ranks lowest."""
    judged = [(a, b) for a, b in pairs if a in base and b in base]
    ours = {person: scored.get(person, -1.0) for pair in judged for person in pair}
    return (pairwise_accuracy(ours, judged, tie=0.5), pairwise_accuracy(base, judged, tie=0.5),
            len(judged))


def owner(mails: list[Mail], name: str) -> set[str]:
    """A mailbox's owner: the addresses with their surname that sent ten of its messages or more."""
    surname = name.split("-")[0]
    counts = Counter(m.sender for m in mails)
    return {a for a, n in counts.items() if n >= 10 and _theirs(a, surname)}


def main_address(mails: list[Mail], name: str) -> set[str]:
    """A mailbox owner's address: of those with their surname, the one found most often in
    the mailbox, as sender or recipient (Kenneth Lay's mail was sent by his assistant)."""
    surname = name.split("-")[0]
    counts = Counter(a for m in mails for a in (m.sender, *m.to, *m.cc) if _theirs(a, surname))
    return {address for address, _ in counts.most_common(1)}


def _theirs(address: str, surname: str) -> bool:
    last = address.split("@")[0].split(".")[-1]
    return surname in address.split("@")[0] or (len(last) > 3 and last in surname)


def joined(mails: Iterable[Mail], alias: dict[str, str]) -> dict[str, str]:
    """Each address's person once the people ``patron people duplicates --merge`` finds
    are merged, as the product finds them in a register of this mail: by the addresses the
    mail holds (the labels' own addresses only join them as ``alias`` does), a person's
    name read from them (the bench keeps no display names; the import names people who
    come without one so)."""
    groups: dict[str, set[str]] = {}
    seen: Counter[str] = Counter()
    for mail in mails:
        for address in (mail.sender, *mail.to, *mail.cc):
            seen[alias.get(address, address)] += 1
            groups.setdefault(alias.get(address, address), set()).add(address)
    people = [Someone(person, None, tuple(sorted(found)), messages=seen[person])
              for person, found in sorted(groups.items())]
    into = {other.ident: group.keep.ident for group in duplicates(people) for other in group.others}
    return {**{address: into.get(person, person) for address, person in alias.items()},
            **{address: into.get(person, person) for person, found in groups.items() for address in found}}


def relabelled(sets: Pairs, alias: dict[str, str]) -> Pairs:
    return {name: [(alias.get(a, a), alias.get(b, b)) for a, b in pairs] for name, pairs in sets.items()}


def on_hierarchy(boxes: dict[str, list[Mail]], sets: Pairs, alias: dict[str, str]) -> None:
    """The whole archive, then each mailbox alone with its owner as "me"; each as the mail
    gives it and with the people ``patron people duplicates`` finds merged."""
    whole = distinct(m for mails in boxes.values() for m in mails)
    print("Degree centrality by the labels' README rule (an address alone): "
          + readme_degree(whole, sets, alias))
    print(f"Enron hierarchy, dev pairs, whole archive ({len(whole):,} distinct messages; a tie "
          "counts 0.5; pairs that degree centrality has):")
    print(f"  {'':<9} {'as imported':^27} {'duplicates merged':^27}")
    print(f"  {'set':<7} " + f"{'pairs':>6} {'influence':>9} {'degree':>7}    " * 2)
    one = joined(whole, alias)
    figures = [on_archive(boxes, whole, sets, alias), on_archive(boxes, whole, relabelled(sets, one), one)]
    for name in sets:
        print(f"  {name:<7} " + "    ".join(f"{judged:>6,} {mine:>9.3f} {theirs:>7.3f}"
                                            for mine, theirs, judged in (f[name] for f in figures)))
    wrong_pairs(boxes, whole, relabelled(sets, one), one)
    for label, mailbox_alias in (("as imported", lambda _: alias), ("duplicates merged",
                                                                    lambda mails: joined(mails, alias))):
        on_mailboxes(boxes, sets, mailbox_alias, label)


def on_archive(boxes: dict[str, list[Mail]], whole: list[Mail], sets: Pairs, alias: dict[str, str],
               ) -> dict[str, tuple[float, float, int]]:
    ours = scores(envelopes(whole, alias, holders(boxes, alias)))
    base = degree(envelopes(whole, alias))
    return {name: agreement(ours, base, pairs) for name, pairs in sets.items()}


def wrong_pairs(boxes: dict[str, list[Mail]], whole: list[Mail], sets: Pairs, alias: dict[str, str],
                top: int = 5) -> None:
    """Where the pairs the score gets wrong lie (duplicates merged): the titles and seniority
    sets pair every person of a higher level with every one of a lower, so one misplaced
    boss is wrong against dozens; how many of the wrong pairs the ``top`` bosses with the
    most hold, and how many messages of theirs any mailbox other than their own kept."""
    found = {f.person: f for f in influence(envelopes(whole, alias, holders(boxes, alias)))}
    base = degree(envelopes(whole, alias))
    print(f"  where the wrong pairs lie (duplicates merged), the {top} bosses with the most; messages "
          "seen sent: in mailboxes other than their own")
    for name, pairs in sets.items():
        judged = [(a, b) for a, b in pairs if a in base and b in base]
        score = {p: found[p].score if p in found else -1.0 for pair in judged for p in pair}
        wrong = Counter(a for a, b in judged if score[a] < score[b])
        worst = wrong.most_common(top)
        sent = sorted(found[a].signals.sent if a in found else 0 for a, _ in worst)
        held = sum(n for _, n in worst)
        print(f"    {name:<7} {sum(wrong.values()):>4} wrong of {len(judged):,}, {held:>4} "
              f"of them against {len(worst)} bosses; their messages seen sent: {', '.join(map(str, sent))}")


def on_mailboxes(boxes: dict[str, list[Mail]], sets: Pairs,
                 alias_of: Callable[[list[Mail]], dict[str, str]], label: str) -> None:
    """Each mailbox alone, its owner as "me": the median and spread over the mailboxes."""
    per_box: list[tuple[str, float, float, int]] = []
    for name, mails in boxes.items():
        alone = distinct(mails)
        alias = alias_of(alone)
        me = {alias.get(a, a) for a in owner(mails, name)}
        mine = tuple(sorted({alias.get(a, a) for a in main_address(mails, name)}))
        ours = scores(envelopes(alone, alias, lambda _, held=mine: held))
        base = degree(envelopes(alone, alias))
        everyone = [p for pairs in relabelled(sets, alias).values() for p in pairs]
        pairs = [(a, b) for a, b in dict.fromkeys(everyone) if a not in me and b not in me]
        scored, theirs, judged = agreement(ours, base, pairs)
        if judged:
            per_box.append((name, scored, theirs, judged))
    if not per_box:
        return
    print(f"  each mailbox alone, its owner as me, {label} ({len(per_box)} mailboxes with pairs, "
          f"{sum(n for *_, n in per_box):,} pairs in all, every set once):")
    for column, kind in ((1, "influence"), (2, "degree")):
        values = sorted(float(row[column]) for row in per_box)
        quarters = statistics.quantiles(values, n=4) if len(values) > 1 else values * 3
        print(f"    {kind:<9} median {statistics.median(values):.3f}, quartiles {quarters[0]:.3f}-"
              f"{quarters[2]:.3f}, range {values[0]:.3f}-{values[-1]:.3f}")


def on_requests() -> None:
    """Sentence F1 of request detection on the annotated threads (bench/detect.py's measure)."""
    if not detect.THREADS.is_dir():
        print(f"Request detection: skipped ({detect.THREADS} is absent)")
        return
    messages = list(detect.annotated_messages(detect.THREADS))
    counts = detect.score(messages, False)
    c = detect.requests(messages)
    kinds = sum((counts[kind] for kind in detect.MEASURED), Counter())
    print(f"Request detection, sentence F1 on {detect.THREADS.name}: a request of either kind "
          f"{detect.f1(c):.3f} ({c['tp'] + c['fn']} tagged); of the right kind {detect.f1(kinds):.3f}; "
          + ", ".join(f"{kind} {detect.f1(counts[kind]):.3f}" for kind in detect.MEASURED))


def on_register(boxes: dict[str, list[Mail]], sets: Pairs, alias: dict[str, str]) -> None:
    """The product's own path: each mailbox imported by ``patron import mail --owner`` into
    one fresh register, then ``patron influence``; then again after ``patron people
    duplicates --merge``. A labelled person is the best-scored of the register's people
    holding one of their addresses."""
    with tempfile.TemporaryDirectory() as folder:
        db = str(Path(folder) / "enron.sqlite")
        start = time.perf_counter()
        for name, mails in boxes.items():
            owners = (f"--owner={a}" for a in main_address(mails, name))
            _patron(db, "import", "mail", str(MBOX / name), *owners)
        imported = time.perf_counter() - start
        before = on_stored(db, sets, alias)
        start = time.perf_counter()
        _patron(db, "people", "duplicates", "--merge")
        merged = time.perf_counter() - start
        after = on_stored(db, sets, alias)
    print(f"Enron hierarchy, dev pairs, the 42 mailboxes imported one by one with --owner "
          f"({imported:.0f} s), then patron influence; then again after patron people duplicates "
          f"--merge ({merged:.0f} s):")
    print(f"  {'set':<7} " + f"{'pairs':>6} {'influence':>9} {'degree':>7}    " * 2)
    for name in sets:
        print(f"  {name:<7} " + "    ".join(f"{judged:>6,} {mine:>9.3f} {theirs:>7.3f}"
                                            for mine, theirs, judged in (before[name], after[name])))


def _patron(db: str, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "patron", "--db", db, *args], check=True,
                   stdout=subprocess.DEVNULL, env={**os.environ, "CI": "true"})


def on_stored(db: str, sets: Pairs, alias: dict[str, str]) -> dict[str, tuple[float, float, int]]:
    """``patron influence`` on a register, and degree centrality on its people, per label set."""
    store = open_store(db, create=False)
    try:
        with store.read() as conn:
            rows = service.people_influence(conn)
            plain = [replace(m, held_by=()) for m in service.mail(conn)]
    finally:
        store.close()
    base_by_id = degree(plain)
    ours: dict[str, float] = {}
    base: dict[str, float] = {}
    for row in rows:
        for address in row.addresses:
            person = alias.get(address, address)
            ours[person] = max(ours.get(person, -1.0), row.score)
            base[person] = max(base.get(person, -1.0), base_by_id.get(str(row.person_id), 0.0))
    return {name: agreement(ours, base, pairs) for name, pairs in sets.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--enron-only", action="store_true",
                        help="Only the Enron figures: hierarchy pairs, request detection, timing.")
    parser.add_argument("--register", action="store_true",
                        help="Also import the 42 mailboxes into a register (patron import mail "
                             "--owner) and score the pairs on what patron influence gives.")
    args = parser.parse_args(argv)
    if not args.enron_only:
        generated()
        mail = generate(7, 2_000, 18_000, 77_600)
        timed("Generated mail", mail.messages)
        threads = annotated()
        if threads is not None:
            on_threads(threads)
    labels = hierarchy()
    if labels is None:
        print(f"Enron hierarchy: skipped ({PAIRS} is absent)")
    elif not MBOX.is_dir():
        print(f"Enron hierarchy: skipped ({MBOX} is absent)")
    else:
        boxes = mailboxes()
        on_hierarchy(boxes, *labels)
        if args.register:
            on_register(boxes, *labels)
        timed("Enron mail", envelopes(distinct(m for mails in boxes.values() for m in mails), labels[1],
                                      holders(boxes, labels[1])))
    on_requests()
    return 0


if __name__ == "__main__":
    sys.exit(main())
