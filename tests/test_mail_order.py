"""What an import stores does not depend on the order mail arrives in: where batches end,
the order folders are given in, a resumed import, or two imports writing at once all give
the register one uninterrupted import gives. Sibling domains (``enron.com``,
``ect.enron.com``, ``enron.co.uk``) want one name; which gets it is a rule on the set.
Compared without ids: people by their addresses, organisations by name and domains."""

from __future__ import annotations

import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from patron.importers.rawmail import RawMessage
from patron.services.mail import import_messages
from patron.services.people import claim_order
from patron.store import schema
from patron.store.database import open_store
from tests.conftest import Patron

NOW = datetime(2026, 11, 20, 10, 0)
DOMAINS = ["enron.com", "ect.enron.com", "enron.co.uk", "mail.example.com", "example.com",
           "example.org", "northwind-traders.co.uk", "northwind-traders.com"]
FIRST = ["Helen", "Victor", "Sam", "Ana", "Jeff", "Sally", "Kay", "Louise", "Vince", "Tana"]
LAST = ["Brandt", "Lam", "Okafor", "Costa", "Skilling", "Beck", "Mann", "Kitchen", "Kaminski", "Jones"]


def _people(rng: random.Random, count: int) -> list[tuple[str, list[str]]]:
    """People with names of their own: each writes from one organisation's domain, some also
    from free mail (the same person, whichever address comes first)."""
    names = rng.sample([f"{f} {last}" for f in FIRST for last in LAST], count)
    found = []
    for name in names:
        local = name.lower().replace(" ", ".")
        domain = rng.choice(DOMAINS)
        addresses = [f"{local}@{domain}"]
        if rng.random() < 0.3:
            addresses.append(f"{local.replace('.', '')}@gmail.com")
        if rng.random() < 0.2:
            addresses.append(f"{local[0]}{local.split('.')[1]}@{domain}")
        found.append((name, addresses))
    return found


def _messages(seed: int, count: int, people: int = 30, tag: str = "") -> list[bytes]:
    rng = random.Random(seed)
    who = [(name, address) for name, addresses in _people(rng, people) for address in addresses]
    messages = []
    for n in range(count):
        sender, *to = rng.sample(who, rng.randint(2, 4))
        messages.append(
            (f"From: {sender[0]} <{sender[1]}>\nTo: {', '.join(f'{a} <{b}>' for a, b in to)}\n"
             f"Subject: Note {tag}{n}\nDate: Mon, {1 + n % 28} Jun 2026 10:00:00 +0000\n"
             f"Message-ID: <{tag}{seed}.{n}@order.test>\n\nAbout the numbers, part {n}.\n").encode())
    return messages


def _snapshot(url: str) -> dict[str, Any]:
    """The register as a user sees it, without ids."""
    o, od, p, pe = schema.organisation, schema.organisation_domain, schema.person, schema.person_email
    i, ip = schema.interaction, schema.interaction_participant
    store = open_store(url)
    try:
        with store.read() as conn:
            domains: dict[int, set[str]] = {}
            for ident, domain in conn.execute(select(od.c.organisation_id, od.c.domain)):
                domains.setdefault(ident, set()).add(domain)
            orgs = {ident: (name, frozenset(domains.get(ident, ())))
                    for ident, name in conn.execute(select(o.c.id, o.c.name))}
            addresses: dict[int, set[str]] = {}
            for ident, address in conn.execute(select(pe.c.person_id, pe.c.address)):
                addresses.setdefault(ident, set()).add(address)
            people = {ident: (frozenset(addresses.get(ident, ())), name, orgs.get(org))
                      for ident, name, org in conn.execute(select(p.c.id, p.c.name, p.c.organisation_id))}
            sources = dict(conn.execute(select(i.c.id, i.c.source)).all())
            return {
                "organisations": Counter(orgs.values()),
                "people": Counter(people.values()),
                "interactions": Counter(tuple(r[1:]) for r in conn.execute(
                    select(i.c.id, i.c.source, i.c.summary, i.c.direction, i.c.occurred_at))),
                "participants": Counter((sources[m], people[n][0], role) for m, n, role in
                                        conn.execute(select(ip.c.interaction_id, ip.c.person_id, ip.c.role))),
            }
    finally:
        store.close()


def _imported(batches: list[list[bytes]], batch_size: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        url = str(Path(folder) / "register.sqlite")
        store = open_store(url)
        try:
            for run, batch in enumerate(batches):  # each a run of its own, as a resumed import
                raws = [RawMessage(f"run {run}, message {n}", m) for n, m in enumerate(batch)]
                import_messages(store, raws, [], NOW, batch_size=batch_size)
        finally:
            store.close()
        return _snapshot(url)


POOL = _messages(7, 80)
ONCE = _imported([POOL], 2000)


def test_the_organisations_own_domain_gets_the_name_its_subdomains_want() -> None:
    names = {name: domains for name, domains in ONCE["organisations"]}
    assert names["Enron"] == {"enron.com"}
    assert names["ect.enron.com"] == {"ect.enron.com"} and names["enron.co.uk"] == {"enron.co.uk"}
    assert names["Example"] == {"example.com"} and names["mail.example.com"] == {"mail.example.com"}
    assert names["Northwind Traders"] == {"northwind-traders.com"}
    assert sorted(DOMAINS, key=claim_order)[:3] == ["enron.com", "enron.co.uk", "example.com"]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(order=st.permutations(range(len(POOL))), batch_size=st.integers(1, 30),
       runs=st.integers(1, 3))
def test_batches_in_any_order_and_size_store_the_same(order: list[int], batch_size: int,
                                                     runs: int) -> None:
    shuffled = [POOL[n] for n in order]
    cut = len(shuffled) // runs + 1
    parts = [shuffled[start:start + cut] for start in range(0, len(shuffled), cut)]
    assert _imported(parts, batch_size) == ONCE


def _maildir(folder: Path, messages: list[bytes]) -> Path:
    for sub in ("cur", "new", "tmp"):
        (folder / sub).mkdir(parents=True)
    for n, message in enumerate(messages):
        (folder / "cur" / f"{n:05d}.order:2,S").write_bytes(message)
    return folder


def _halves(tmp_path: Path) -> tuple[Path, Path]:
    """Two folders: subdomains' mail in one, the organisations' own in the other (the order
    that named them the other way round before)."""
    first, second = [], []
    for message in POOL:
        sender = message.split(b"\n", 1)[0]
        (first if b"ect.enron" in sender or b"mail.example" in sender or b".co.uk" in sender
         else second).append(message)
    return _maildir(tmp_path / "a", first), _maildir(tmp_path / "b", second)


def test_folders_in_any_order_and_resumed_imports_name_alike(tmp_path: Path) -> None:
    a, b = _halves(tmp_path)
    runs = {"a b": [f"{a} {b}"], "b a": [f"{b} {a}"], "a, then b": [str(a), str(b)],
            "b, then a": [str(b), str(a)], "a, then both": [str(a), f"{a} {b}"]}
    found = {}
    for label, commands in runs.items():
        patron = Patron(str(tmp_path / f"{label}.sqlite"), _runner())
        for command in commands:
            out = patron.ok(f"import mail {command}")
            assert "Traceback" not in out
        found[label] = _snapshot(patron.db)
    assert all(snapshot == found["a b"] for snapshot in found.values())
    listed = Patron(str(tmp_path / "b, then a.sqlite"), _runner()).ok("organisation list")
    assert "Enron" in listed and "ect.enron.com" in listed


def _runner() -> CliRunner:
    return CliRunner()


def _shared_folders(tmp_path: Path) -> tuple[Path, Path]:
    """Two mail folders of a few hundred messages between the same people and domains, and a
    few messages in both."""
    first, second = _messages(11, 260, people=60, tag="a"), _messages(11, 260, people=60, tag="b")
    both = first[:10]
    return _maildir(tmp_path / "a", first), _maildir(tmp_path / "b", second + both)


def _import(url: str, *folders: Path, start: Path | None = None) -> subprocess.Popen[str]:
    """``patron import mail`` in a process of its own; with ``start``, it waits (Python and
    Patron loaded) until that file appears, so that several begin together."""
    wait = f"while not pathlib.Path({str(start)!r}).exists(): time.sleep(0.002)\n" if start else ""
    code = (f"import pathlib, sys, time\nfrom patron.cli.main import main\n{wait}"
            "sys.exit(main(prog_name='patron'))")
    return subprocess.Popen([sys.executable, "-c", code, "--db", url, "import", "mail", *map(str, folders)],
                            text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL)


def test_two_imports_at_once_equal_one_after_the_other(db_url: str, tmp_path: Path) -> None:
    a, b = _shared_folders(tmp_path)
    open_store(db_url).close()
    start = tmp_path / "start"
    writers = [_import(db_url, a, start=start), _import(db_url, b, start=start)]
    time.sleep(2)  # both loaded and waiting
    start.touch()
    for writer in writers:
        out, err = writer.communicate(timeout=300)
        assert writer.returncode == 0, err
        for word in ("Traceback", "locked", "unique", "UniqueViolation", "IntegrityError"):
            assert word not in out + err
    together = _snapshot(db_url)
    serial = str(tmp_path / "serial.sqlite")
    for folder in (a, b):
        writer = _import(serial, folder)
        assert writer.communicate(timeout=300) and writer.returncode == 0
    assert together == _snapshot(serial)
    assert len(together["interactions"]) == 520 and len(together["organisations"]) == 8
