"""People who are likely one person: the same name at the same organisation's domain.

Mail brings one person in under several addresses (``john.lavorato@``,
``john.j.lavorato@``, ``lavorato.john@``), and each becomes a person of its own
when the mail gives no display name that would join them. Split so, a person's
mail, asks and influence are spread over records that each look smaller than
the one person they are.

The rule is kept narrow, because merging two people wrongly is worse than
leaving one person in two records: two records are the same person when they
share an organisation's domain (never a free-mail one, where anyone can have any
address) and a name of two or three words of two letters or more, in any order
(taken from the record's name or from an address's local part: ``john.j.lavorato``
reads as John Lavorato with the initial J); and a group is proposed only when
the initials its records carry agree (``john.a.smith`` and ``john.b.smith`` are two
people), and no two of its records belong to different organisations.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from patron.domain.addresses import organisation_domain

K = TypeVar("K", bound=Hashable)

_WORD = re.compile(r"[^\W\d_]+|\d+", re.UNICODE)
MIN_WORDS, MAX_WORDS = 2, 3  # a name: first and last, perhaps a middle name
Key = tuple[str, tuple[str, ...]]  # (organisation domain, the name's words)


@dataclass(frozen=True, slots=True)
class Someone(Generic[K]):
    """One record of a person: its key, name, addresses, organisation and how much mail it
    takes part in (the record kept when several merge)."""

    ident: K
    name: str | None
    addresses: tuple[str, ...]
    organisation: int | None = None
    messages: int = 0


@dataclass(frozen=True, slots=True)
class Duplicate(Generic[K]):
    """Records that are likely one person: ``keep`` takes the ``others`` in."""

    keep: Someone[K]
    others: tuple[Someone[K], ...]
    name: str  # the name they share, as words: "john lavorato"
    domain: str


@dataclass(frozen=True, slots=True)
class _Name:
    words: tuple[str, ...]  # the words of two letters or more, sorted
    initials: frozenset[str]


def read_name(text: str) -> _Name | None:
    """The name a record's name or an address's local part reads as, or None when it reads
    as no full name (one word, an initial for a first or last name, digits)."""
    parts = [p.casefold() for p in _WORD.findall(text)]
    if not parts or any(p.isdigit() for p in parts):
        return None
    words = [p for p in parts if len(p) > 1]
    if not MIN_WORDS <= len(words) <= MAX_WORDS or len(parts[0]) == 1 or len(parts[-1]) == 1:
        return None
    return _Name(tuple(sorted(words)), frozenset(p for p in parts if len(p) == 1))


def duplicates(people: Iterable[Someone[K]]) -> list[Duplicate[K]]:
    """Groups of records that are likely one person, each with the record to keep (the one
    in the most mail, else the first given), largest groups first."""
    records = list(people)
    by_key: dict[Key, list[int]] = {}
    initials: dict[int, set[frozenset[str]]] = {}
    for n, someone in enumerate(records):
        names = list(_names(someone))
        for key in sorted({(domain, name.words) for domain, name in names if domain is not None}):
            by_key.setdefault(key, []).append(n)
        initials[n] = {name.initials for _, name in names}
    groups = _joined(by_key, len(records))
    found = []
    for (domain, words), members in groups:
        chosen = [records[n] for n in members]
        if _agree(members, initials) and len({s.organisation for s in chosen} - {None}) <= 1:
            first = min(members, key=lambda n: (-records[n].messages, n))
            others = tuple(records[n] for n in members if n != first)
            found.append(Duplicate(records[first], others, " ".join(words), domain))
    return sorted(found, key=lambda d: (-len(d.others), d.domain, d.name))


def name_words(someone: Someone[K]) -> set[str]:
    """The words of every name the record reads as: a record it may be one person with
    holds one of them in its name or an address (a search for candidates)."""
    return {word for _, name in _names(someone) for word in name.words}


def _names(someone: Someone[K]) -> Iterator[tuple[str | None, _Name]]:
    """Every name the record reads as, each with the organisation domain it is a key at
    (None for a free-mail address: its name still tells whose record it is, by its
    initials): the record's name at each of its addresses' organisation domains, and each
    address's local part at its own."""
    domains = [organisation_domain(a) for a in someone.addresses]
    named = read_name(someone.name) if someone.name else None
    if named is not None:
        places = sorted({d for d in domains if d is not None})
        yield from ((place, named) for place in places) if places else [(None, named)]
    for address, domain in zip(someone.addresses, domains, strict=True):
        if (name := read_name(address.rsplit("@", 1)[0])) is not None:
            yield domain, name


def _joined(by_key: dict[Key, list[int]], count: int) -> list[tuple[Key, list[int]]]:
    """The records sharing a key, joined across keys (a record with two names' keys joins
    both groups); each group of two records or more, with the first key that made it."""
    parent = list(range(count))

    def root(n: int) -> int:
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    for members in by_key.values():
        for other in members[1:]:
            a, b = root(members[0]), root(other)
            if a != b:
                parent[max(a, b)] = min(a, b)
    groups: dict[int, tuple[Key, set[int]]] = {}
    for key, members in by_key.items():
        group = groups.setdefault(root(members[0]), (key, set()))
        group[1].update(members)
    return [(key, sorted(members)) for key, members in groups.values() if len(members) > 1]


def _agree(members: Sequence[int], initials: dict[int, set[frozenset[str]]]) -> bool:
    """Whether the records' initials can be one person's: each record carries at most one
    set of initials, and no two records carry different ones."""
    carried = set()
    for n in members:
        own = initials.get(n, set()) - {frozenset()}
        if len(own) > 1:
            return False
        carried |= own
    return len(carried) <= 1
