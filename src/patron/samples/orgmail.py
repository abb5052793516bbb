"""Mail from an organisation whose chart is known: ground truth for influence.

``generate(seed, ...)`` builds a random hierarchy (a chief executive, vice
presidents, managers, staff, an assistant to the chief, and outsiders) and
writes a year of mail with the habits studies of office mail report:
subordinates report up and copy their boss, bosses write less and answer
slowly, people answer their superiors fast, peers talk, threads run a few
turns, outsiders write in, and announcements go to many. Noise is part of it:
everyone sometimes writes across the organisation, and the assistant writes a
lot. The result carries the true (boss, subordinate) pairs, so a method's
pairwise accuracy can be measured. ``write_mbox`` writes the same mail as
RFC 5322 messages for end-to-end tests of mail import.

The habits are put in on purpose, so a method tuned to them will find them:
this measures whether a method reads those habits well, not whether real
organisations have them (the Enron annotations in ``bench/influence.py`` do that).
"""

from __future__ import annotations

import mailbox
import math
import random
import string
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from pathlib import Path

from patron.domain.influence import Message

FIRST = ("Ada", "Ben", "Cleo", "Dev", "Eva", "Femi", "Gus", "Hana", "Ivo", "Jun", "Kai", "Lena",
         "Mira", "Nils", "Omar", "Pia", "Quin", "Rosa", "Sami", "Tara", "Uma", "Vik", "Wes", "Yara")
LAST = ("Abbott", "Baker", "Chen", "Diaz", "Eze", "Fischer", "Garcia", "Haddad", "Ito", "Jensen",
        "Khan", "Lopez", "Moreau", "Novak", "Okafor", "Patel", "Quist", "Rossi", "Silva", "Tanaka",
        "Ueda", "Varga", "Weber", "Yilmaz")
OUTSIDE_DOMAINS = ("client.example", "vendor.example", "partner.example", "bank.example",
                   "agency.example", "law.example")
START = datetime(2025, 1, 6, 8, 0)
DAYS = 365


@dataclass(frozen=True)
class Org:
    """The chart: who reports to whom, each one's level (0 the chief), and names."""

    boss_of: dict[str, str]
    level: dict[str, int]
    outsiders: tuple[str, ...]
    names: dict[str, str]
    assistant: str | None = None

    @property
    def employees(self) -> list[str]:
        return list(self.level)

    @property
    def pairs(self) -> list[tuple[str, str]]:
        """The true (boss, direct subordinate) pairs."""
        return [(boss, sub) for sub, boss in self.boss_of.items()]

    def subordinates(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for sub, boss in self.boss_of.items():
            found.setdefault(boss, []).append(sub)
        return found


@dataclass(frozen=True)
class OrgMail:
    org: Org
    messages: list[Message] = field(default_factory=list)

    @property
    def pairs(self) -> list[tuple[str, str]]:
        return self.org.pairs


def generate(seed: int, employees: int = 120, outsiders: int = 60, messages: int = 5000,
             span: tuple[int, int] = (3, 8)) -> OrgMail:
    """An organisation of about ``employees`` people and ``messages`` messages among them
    and ``outsiders`` others, the same for the same arguments."""
    rng = random.Random(seed)
    org = chart(rng, employees, outsiders, span)
    return OrgMail(org, _Writer(rng, org).write(messages))


def chart(rng: random.Random, employees: int, outsiders: int,
          span: tuple[int, int] = (3, 8)) -> Org:
    """A tree filled level by level, each boss with ``span`` reports, plus the chief's assistant."""
    names = _Names(rng)
    chief = names.new("corp.example")
    level = {chief: 0}
    boss_of: dict[str, str] = {}
    queue = [chief]
    while len(level) < max(employees - 1, 2):
        boss = queue.pop(0)
        for _ in range(rng.randint(*span)):
            if len(level) >= max(employees - 1, 2):
                break
            sub = names.new("corp.example")
            boss_of[sub] = boss
            level[sub] = level[boss] + 1
            queue.append(sub)
    assistant = names.new("corp.example")
    boss_of[assistant] = chief
    level[assistant] = 1
    others = tuple(names.new(rng.choice(OUTSIDE_DOMAINS)) for _ in range(outsiders))
    return Org(boss_of, level, others, names.full, assistant)


class _Names:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.full: dict[str, str] = {}
        self.names: set[str] = set()

    def new(self, domain: str) -> str:
        """A new person's address. Two people never share a full name: a mail import
        rightly takes one name at one domain for one person, so a second Ben Silva
        becomes Ben K. Silva."""
        first, last = self.rng.choice(FIRST), self.rng.choice(LAST)
        name, tries = f"{first} {last}", 0
        while name in self.names:
            tries += 1  # one initial while they last, then two, then three...
            initials = "".join(self.rng.choice(string.ascii_uppercase) for _ in range(1 + tries // 20))
            name = f"{first} {'. '.join(initials)}. {last}"
        address = f"{name.replace('. ', '.').replace(' ', '.').lower()}@{domain}"
        self.names.add(name)
        self.full[address] = name
        return address


# How likely a recipient answers, and the median hours they take, by where the
# recipient stands against the writer: above (a superior answering), level, below.
ANSWER = {"above": (0.45, 9.0), "level": (0.55, 4.0), "below": (0.85, 1.0), "outside": (0.5, 6.0)}


class _Writer:
    """Writes the mail: conversations started by kind, then answered turn by turn."""

    def __init__(self, rng: random.Random, org: Org) -> None:
        self.rng = rng
        self.org = org
        self.staff = org.employees
        self.subs = org.subordinates()
        self.bosses = list(self.subs)
        self.peers: dict[str, list[str]] = {}
        for group in self.subs.values():
            for person in group:
                self.peers[person] = [p for p in group if p != person]
        # Lower in the chart, more mail written: bosses write less. Higher in the chart,
        # more mail received from across the organisation and outside: people seek the powerful.
        self.activity = [1.0 + 0.5 * org.level[p] for p in self.staff]
        self.sought = [1.0 / (1 + org.level[p]) ** 1.5 for p in self.staff]
        self.count = 0
        self.kinds = (
            (self._report_up, 0.30), (self._direct_down, 0.12), (self._to_peer, 0.22),
            (self._across, 0.12), (self._from_outside, 0.10), (self._to_outside, 0.06),
            (self._announce, 0.04), (self._assist, 0.04),
        )

    def write(self, total: int) -> list[Message]:
        found: list[Message] = []
        starts, weights = zip(*self.kinds, strict=True)
        while len(found) < total:
            start = self.rng.choices(starts, weights)[0]
            first = start()
            if first is None:
                continue
            found.extend(self._conversation(first))
        found = found[:total]
        found.sort(key=lambda m: m.sent_at)
        return found

    # Conversation starters -------------------------------------------------------------

    def _someone(self) -> str:
        return self.rng.choices(self.staff, self.activity)[0]

    def _sought(self) -> str:
        return self.rng.choices(self.staff, self.sought)[0]

    def _message(self, sender: str, to: list[str], cc: list[str] | None = None) -> Message:
        when = START + timedelta(days=self.rng.uniform(0, DAYS))
        return Message(sender=sender, to=tuple(to), cc=tuple(cc or ()), sent_at=when,
                       message_id=self._id())

    def _id(self) -> str:
        self.count += 1
        return f"{self.count}.{self.rng.getrandbits(32):08x}@orgmail.example"

    def _maybe(self, chance: float, person: str | None) -> list[str]:
        return [person] if person is not None and self.rng.random() < chance else []

    def _report_up(self) -> Message | None:
        sender = self._someone()
        boss = self.org.boss_of.get(sender)
        if boss is None:
            return None
        cc = self._maybe(0.15, self.org.boss_of.get(boss))
        cc += self._maybe(0.2, self._peer(sender))
        return self._message(sender, [boss], cc)

    def _direct_down(self) -> Message | None:
        boss = self.rng.choice(self.bosses)
        team = self.subs[boss]
        to = self.rng.sample(team, self.rng.randint(1, min(3, len(team))))
        return self._message(boss, to, self._maybe(0.05, self.org.boss_of.get(boss)))

    def _to_peer(self) -> Message | None:
        sender = self._someone()
        peer = self._peer(sender)
        if peer is None:
            return None
        return self._message(sender, [peer], self._maybe(0.35, self.org.boss_of.get(sender)))

    def _across(self) -> Message | None:
        sender, other = self._someone(), self._sought()
        if other == sender:
            return None
        return self._message(sender, [other], self._maybe(0.2, self.org.boss_of.get(sender)))

    def _from_outside(self) -> Message | None:
        if not self.org.outsiders:
            return None
        return self._message(self.rng.choice(self.org.outsiders), [self._sought()])

    def _to_outside(self) -> Message | None:
        if not self.org.outsiders:
            return None
        sender = self._someone()
        return self._message(sender, [self.rng.choice(self.org.outsiders)],
                             self._maybe(0.1, self.org.boss_of.get(sender)))

    def _announce(self) -> Message | None:
        sender = self._sought()
        many = self.rng.sample(self.staff, min(len(self.staff), self.rng.randint(8, 30)))
        return self._message(sender, [p for p in many if p != sender])

    def _assist(self) -> Message | None:
        """The chief's assistant arranges things with anyone, copying the chief at times."""
        helper = self.org.assistant
        if helper is None:
            return None
        other = self.rng.choice(self.staff)
        chief = self.org.boss_of[helper]
        if other in (helper, chief):
            return None
        return self._message(helper, [other], self._maybe(0.3, chief))

    def _peer(self, person: str) -> str | None:
        peers = self.peers.get(person)
        return self.rng.choice(peers) if peers else None

    # Answers ---------------------------------------------------------------------------

    def _conversation(self, first: Message) -> Iterator[Message]:
        yield first
        current, turns = first, 0
        while turns < 4 and current.to:
            replier = current.to[0] if len(current.to) == 1 else self.rng.choice(current.to)
            chance, hours = ANSWER[self._standing(replier, current.sender)]
            if self.rng.random() >= chance * (0.7 ** turns):
                return
            delay = timedelta(hours=self.rng.lognormvariate(math.log(hours), 1.0))
            cc = [p for p in current.cc if p != replier] if self.rng.random() < 0.5 else []
            current = Message(sender=replier, to=(current.sender,), cc=tuple(cc),
                              sent_at=current.sent_at + delay, message_id=self._id(),
                              reply_to=current.message_id,
                              thread=current.thread or current.message_id)
            turns += 1
            yield current

    def _standing(self, replier: str, writer: str) -> str:
        """Where the one who answers stands against the one who wrote."""
        level = self.org.level
        if replier not in level or writer not in level:
            return "outside"
        if level[replier] < level[writer]:
            return "above"
        if level[replier] > level[writer]:
            return "below"
        return "level"


def write_mbox(mail: OrgMail, path: Path) -> int:
    """The mail as an mbox of RFC 5322 messages (Message-ID, In-Reply-To, References,
    From, To, Cc, Date, Subject); returns how many were written."""
    by_id = {m.message_id: m for m in mail.messages}
    names = mail.org.names
    box = mailbox.mbox(str(path), create=True)
    box.lock()
    try:
        for message in mail.messages:
            box.add(_rfc5322(message, by_id, names))
        box.flush()
    finally:
        box.unlock()
        box.close()
    return len(mail.messages)


def _rfc5322(message: Message, by_id: dict[str | None, Message], names: dict[str, str]) -> EmailMessage:
    email = EmailMessage()
    email["From"] = formataddr((names.get(message.sender, ""), message.sender))
    if message.to:
        email["To"] = ", ".join(formataddr((names.get(p, ""), p)) for p in message.to)
    if message.cc:
        email["Cc"] = ", ".join(formataddr((names.get(p, ""), p)) for p in message.cc)
    email["Date"] = format_datetime(message.sent_at)
    email["Message-ID"] = f"<{message.message_id}>"
    chain = _ancestors(message, by_id)
    email["Subject"] = ("Re: " if chain else "") + f"Conversation {chain[0] if chain else message.message_id}"
    if chain:
        email["In-Reply-To"] = f"<{chain[-1]}>"
        email["References"] = " ".join(f"<{ident}>" for ident in chain)
    email.set_content(f"Message {message.message_id} from {names.get(message.sender, message.sender)}.\n")
    return email


def _ancestors(message: Message, by_id: dict[str | None, Message]) -> list[str]:
    """The Message-IDs this one answers, oldest first."""
    chain: list[str] = []
    current = by_id.get(message.reply_to) if message.reply_to else None
    while current is not None and current.message_id:
        chain.append(current.message_id)
        current = by_id.get(current.reply_to) if current.reply_to else None
    return chain[::-1]
