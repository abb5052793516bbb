"""Influence from the mail graph: the method on generated org charts whose bosses are
known, the generator itself, and the use case and command on SQLite and PostgreSQL
with mail rows written straight into the store."""

from __future__ import annotations

import json
import mailbox
import re
from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, insert, select, update

from patron.domain.influence import (
    Message,
    degree,
    influence,
    pagerank,
    pairwise_accuracy,
    proposed_power,
    signals,
)
from patron.samples.orgmail import generate, write_mbox
from patron.services import influence as service
from patron.store import schema
from patron.store.database import Store, open_store
from tests.conftest import Patron

T0 = datetime(2026, 3, 2, 9, 0)


def scores(messages: Iterable[Message]) -> dict[str, float]:
    return {found.person: found.score for found in influence(messages)}


# The method on generated organisations -------------------------------------------------


@settings(max_examples=10, deadline=None, derandomize=True)
@given(st.integers(0, 2**32 - 1))
def test_bosses_outrank_their_subordinates_and_beat_degree_centrality(seed: int) -> None:
    mail = generate(seed, employees=100, outsiders=50, messages=4000)
    ours = pairwise_accuracy(scores(mail.messages), mail.pairs)
    baseline = pairwise_accuracy(degree(mail.messages), mail.pairs)
    assert ours >= 0.90, (seed, ours)
    assert ours > baseline, (seed, ours, baseline)


def test_a_larger_organisation_is_ordered_as_well() -> None:
    mail = generate(7, employees=600, outsiders=1000, messages=30000)
    ours = pairwise_accuracy(scores(mail.messages), mail.pairs)
    assert ours >= 0.90
    assert ours > pairwise_accuracy(degree(mail.messages), mail.pairs)


def test_the_chief_gets_the_top_power_and_most_people_little() -> None:
    mail = generate(3, employees=150, outsiders=100, messages=6000)
    ranked = influence(mail.messages)
    chief = next(p for p, level in mail.org.level.items() if level == 0)
    assert next(f for f in ranked if f.person == chief).power >= 4
    low = sum(1 for f in ranked if f.power <= 2)
    assert low > len(ranked) / 2


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 10_000))
def test_scores_and_powers_stay_in_range_and_agree(seed: int) -> None:
    ranked = influence(generate(seed, employees=20, outsiders=10, messages=300).messages)
    assert all(0.0 <= f.score <= 1.0 and 0 <= f.power <= 5 for f in ranked)
    by_score = sorted(ranked, key=lambda f: f.score)
    assert [f.power for f in by_score] == sorted(f.power for f in by_score)
    assert [f.score for f in ranked] == sorted((f.score for f in ranked), reverse=True)


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10_000))
def test_renaming_people_changes_no_score(seed: int) -> None:
    messages = generate(seed, employees=20, outsiders=10, messages=300).messages
    renamed = [Message(sender="x" + m.sender, to=tuple("x" + p for p in m.to),
                       cc=tuple("x" + p for p in m.cc), sent_at=m.sent_at, message_id=m.message_id,
                       reply_to=m.reply_to, thread=m.thread) for m in messages]
    before, after = scores(messages), scores(renamed)
    assert all(before[p] == after["x" + p] for p in before)


def test_pagerank_sums_to_one_and_flows_to_who_is_written_to() -> None:
    ranks = pagerank({"a": {"c": 1.0}, "b": {"c": 1.0}}, ["a", "b", "c"])
    assert sum(ranks.values()) == pytest.approx(1.0)
    assert ranks["c"] > ranks["a"] == pytest.approx(ranks["b"])


def test_answer_times_are_measured_against_the_message_answered() -> None:
    found = signals([
        Message(sender="sub", to=("boss",), sent_at=T0, message_id="1"),
        Message(sender="boss", to=("sub",), sent_at=T0 + timedelta(hours=8), message_id="2",
                reply_to="1"),
        Message(sender="boss", to=("sub",), cc=("peer",), sent_at=T0 + timedelta(days=1),
                message_id="3"),
        Message(sender="sub", to=("boss",), sent_at=T0 + timedelta(days=1, hours=1),
                message_id="4", reply_to="3"),
    ])
    assert found["boss"].answered_in == 1.0 and found["boss"].answers_in == 8.0
    assert found["sub"].answered_in == 8.0 and found["sub"].answers_in == 1.0
    assert found["boss"].copies == 1 and found["peer"].copied == 1
    assert found["boss"].threads_started == 1 and found["boss"].replies_received == 1
    assert found["boss"].correspondents == 2 and found["peer"].correspondents == 1
    assert found["boss"].audience == 1 and found["peer"].audience == 1 and found["sub"].audience == 1


def test_a_wide_audience_outweighs_one_chatty_correspondent() -> None:
    """Four people each write ten times to their own confidant and once to 'wide': each
    further message between the same two people adds less, so the one message of four
    people outweighs one person's ten (counted raw, each confidant would rank above)."""
    mail = [Message(sender=f"p{i}", to=(f"confidant{i}",), sent_at=T0 + timedelta(hours=n))
            for i in range(4) for n in range(10)]
    mail += [Message(sender=f"p{i}", to=("wide",), sent_at=T0 + timedelta(days=1)) for i in range(4)]
    found = {f.person: f for f in influence(mail)}
    assert found["wide"].signals.audience == 4 and found["confidant0"].signals.audience == 1
    assert found["wide"].signals.rank > found["confidant0"].signals.rank
    assert found["wide"].score > found["confidant0"].score


def test_being_copied_by_many_counts_and_being_copied_by_one_often_does_not() -> None:
    """Cc upward: three people each copy 'boss' once on mail to a client; one colleague
    copies 'friend' on ten messages. Both are written to by nobody else."""
    mail = [Message(sender=f"staff{i}", to=("client",), cc=("boss",), sent_at=T0 + timedelta(hours=i))
            for i in range(3)]
    mail += [Message(sender="colleague", to=("client",), cc=("friend",),
                     sent_at=T0 + timedelta(days=1, hours=n)) for n in range(10)]
    found = {f.person: f for f in influence(mail)}
    assert found["boss"].signals.copied_by == 3 and found["friend"].signals.copied_by == 1
    assert found["boss"].signals.copied == 3 and found["friend"].signals.copied == 10
    assert found["boss"].score > found["friend"].score
    assert found["boss"].reasons[0].startswith("3 people copy them")


def test_writing_to_everyone_counts_against_being_written_to() -> None:
    """'coordinator' and 'director' each hear from the same four people; the coordinator
    writes to twelve people, the director to one: the director ranks higher, and says why."""
    mail = [Message(sender=f"p{i}", to=(who,), sent_at=T0 + timedelta(hours=i))
            for i in range(4) for who in ("coordinator", "director")]
    mail += [Message(sender="coordinator", to=(f"x{n}",), sent_at=T0 + timedelta(days=1, hours=n))
             for n in range(12)]
    mail += [Message(sender="director", to=("p0",), sent_at=T0 + timedelta(days=2))]
    found = {f.person: f for f in influence(mail)}
    assert found["coordinator"].signals.writes_to == 12 and found["director"].signals.writes_to == 1
    assert found["coordinator"].signals.audience == found["director"].signals.audience == 4
    assert found["director"].score > found["coordinator"].score
    assert any(r.startswith("they write to 12 people") and r.endswith("counts against them")
               for r in found["coordinator"].reasons)


def test_reasons_give_a_rank_among_few_people_and_a_share_among_many() -> None:
    few = influence(generate(1, employees=20, outsiders=10, messages=300).messages)
    many = influence(generate(1, employees=150, outsiders=100, messages=6000).messages)
    assert len(few) < 100 <= len(many)
    assert few[0].reasons[0].endswith(f"(1st of {len(few)})") or "(2nd of" in few[0].reasons[0]
    assert all(re.search(r"\((top|bottom) \d+ %\)", r) for f in many for r in f.reasons)
    assert not any(" of " in r.split("(")[-1] for f in many for r in f.reasons)


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10_000))
def test_every_person_gets_two_or_three_reasons_that_name_their_counts(seed: int) -> None:
    for found in influence(generate(seed, employees=20, outsiders=10, messages=300).messages):
        assert 2 <= len(found.reasons) <= 3
        assert all(re.search(r"\((?:\d+(?:st|nd|rd|th) of \d+|top \d+ %|bottom \d+ %)\)", r)
                   for r in found.reasons)
        counted = {"audience": found.signals.audience, "copied_by": found.signals.copied_by,
                   "writes_to": found.signals.writes_to}
        said = " ".join(found.reasons)
        strongest = max(counted, key=lambda name: (abs(found.terms[name] - 0.5)
                                                   * (0.5 if name == "writes_to" else 1.0)))
        assert str(counted[strongest]) in said or "one person" in said or "nobody" in said


def test_a_reply_to_oneself_or_to_an_unknown_message_is_no_answer() -> None:
    found = signals([
        Message(sender="a", to=("b",), sent_at=T0, message_id="1"),
        Message(sender="a", to=("b",), sent_at=T0 + timedelta(hours=1), message_id="2", reply_to="1"),
        Message(sender="b", to=("a",), sent_at=T0, message_id="3", reply_to="not-here"),
    ])
    assert found["a"].replies_received == 0 and found["a"].answered_in is None
    assert found["b"].threads_started == 0


def test_a_tie_counts_as_a_wrong_order() -> None:
    assert pairwise_accuracy({"boss": 1.0, "sub": 1.0, "other": 0.0},
                             [("boss", "sub"), ("boss", "other"), ("boss", "unknown")]) == 0.5


def test_a_tie_counts_half_by_the_rule_of_the_enron_labels() -> None:
    assert pairwise_accuracy({"boss": 1.0, "sub": 1.0, "other": 0.0},
                             [("boss", "sub"), ("boss", "other"), ("boss", "unknown")], tie=0.5) == 0.75


def test_power_bands() -> None:
    assert [proposed_power(s) for s in (0.0, 0.3, 0.6, 0.85, 0.95, 0.99, 1.0)] == [0, 1, 2, 3, 4, 5, 5]


def test_no_mail_no_influence() -> None:
    assert influence([]) == []


# The generator ------------------------------------------------------------------------


def test_the_same_seed_writes_the_same_mail() -> None:
    assert generate(5, 30, 10, 500) == generate(5, 30, 10, 500)
    assert generate(5, 30, 10, 500).messages != generate(6, 30, 10, 500).messages


def test_the_chart_is_a_tree_and_answers_follow_what_they_answer() -> None:
    mail = generate(11, employees=80, outsiders=20, messages=2000)
    chiefs = set(mail.org.level) - set(mail.org.boss_of)
    assert len(chiefs) == 1 and len(mail.pairs) == len(mail.org.level) - 1
    assert all(mail.org.level[sub] == mail.org.level[boss] + 1 for boss, sub in mail.pairs)
    by_id = {m.message_id: m for m in mail.messages}
    answers = [m for m in mail.messages if m.reply_to]
    assert answers and len(mail.messages) == 2000
    for answer in answers:
        parent = by_id[answer.reply_to]
        assert parent.sent_at < answer.sent_at and answer.to == (parent.sender,)


def test_the_mbox_holds_real_messages_with_their_threads(tmp_path: Path) -> None:
    mail = generate(2, employees=15, outsiders=5, messages=120)
    path = tmp_path / "org.mbox"
    assert write_mbox(mail, path) == 120
    box = list(mailbox.mbox(str(path)))
    assert len(box) == 120
    by_id = {m.message_id: m for m in mail.messages}
    for parsed, message in zip(box, mail.messages, strict=True):
        assert parsed["Message-ID"] == f"<{message.message_id}>"
        assert message.sender in parsed["From"]
        assert all(p in parsed["To"] for p in message.to)
        assert all(p in (parsed["Cc"] or "") for p in message.cc)
        assert parsedate_to_datetime(parsed["Date"]).replace(tzinfo=None) == message.sent_at.replace(
            microsecond=0)
        if message.reply_to:
            assert parsed["In-Reply-To"] == f"<{message.reply_to}>"
            assert parsed["References"].split()[-1] == f"<{message.reply_to}>"
            assert parsed["Subject"].startswith("Re: ")
            assert by_id[message.reply_to].sender in parsed["To"]
        else:
            assert parsed["In-Reply-To"] is None


# The use case and the command, on the store -------------------------------------------


def store_mail(conn: Connection, messages: Iterable[Message], engagement_id: int | None = None,
               angle_brackets: bool = False) -> dict[str, int]:
    """Mail rows as the mail importer writes them: people by address, interactions of kind
    mail with source mid:<id>, reply_to and thread as bare Message-IDs, participants by role."""
    people: dict[str, int] = {}

    def person(address: str) -> int:
        if address not in people:
            name = address.split("@")[0].replace(".", " ").title()
            ident = conn.execute(insert(schema.person).values(name=name)).inserted_primary_key[0]
            conn.execute(insert(schema.person_email).values(address=address, person_id=ident))
            people[address] = int(ident)
        return people[address]

    def mid(value: str | None) -> str | None:
        return None if value is None else (f"<{value}>" if angle_brackets else value)

    for m in messages:
        ident = conn.execute(insert(schema.interaction).values(
            summary=f"mail {m.message_id}", kind="mail", occurred_at=m.sent_at, direction="in",
            engagement_id=engagement_id, source=f"mid:{m.message_id}", reply_to=mid(m.reply_to),
            thread=mid(m.thread or m.message_id))).inserted_primary_key[0]
        roles: dict[int, str] = {}
        for role, addresses in (("cc", m.cc), ("to", m.to), ("from", (m.sender,))):
            for address in addresses:
                roles[person(address)] = role
        conn.execute(insert(schema.interaction_participant), [
            {"interaction_id": ident, "person_id": p, "role": r} for p, r in roles.items()])
    return people


def engagement(conn: Connection, name: str) -> int:
    return int(conn.execute(insert(schema.engagement).values(
        name=name, kind="project", status="active", success_criteria=[])).inserted_primary_key[0])


def stakeholder(conn: Connection, person_id: int, engagement_id: int, power: int = 2) -> None:
    conn.execute(insert(schema.stakeholder).values(
        person_id=person_id, engagement_id=engagement_id, role="customer", power=power, interest=3,
        legitimacy=3, urgency=2, stance="neutral", added_on=date(2026, 1, 5)))


SMALL = generate(21, employees=40, outsiders=20, messages=1500)


def chief_of() -> str:
    return next(p for p, level in SMALL.org.level.items() if level == 0)


def test_the_store_gives_the_same_scores_as_the_messages(store: Store) -> None:
    with store.begin() as conn:
        people = store_mail(conn, SMALL.messages, angle_brackets=True)
    with store.read() as conn:
        rows = service.people_influence(conn)
    expected = {people[p]: s for p, s in scores(SMALL.messages).items()}
    assert {r.person_id: r.score for r in rows} == pytest.approx(expected, abs=1e-4)
    top = rows[0]
    assert top.addresses == [chief_of()] and top.current_power is None
    assert top.signals["sent"] == sum(1 for m in SMALL.messages if m.sender == chief_of())
    assert top.signals["answered_in_hours"] is not None


def test_an_engagement_limits_the_mail_to_its_own_and_its_stakeholders(store: Store) -> None:
    early = [m for m in SMALL.messages if m.reply_to is None][:3]
    with store.begin() as conn:
        filed = engagement(conn, "Ledger")
        people = store_mail(conn, early[:1], engagement_id=filed)
        people |= store_mail(conn, early[1:])
        stakeholder(conn, people[early[2].sender], filed)
    with store.read() as conn:
        rows = service.people_influence(conn, filed)
    theirs = [m for m in early[1:] if early[2].sender in (m.sender, *m.to, *m.cc)]
    expected = {a for m in [early[0], *theirs] for a in (m.sender, *m.to, *m.cc)}
    assert {a for r in rows for a in r.addresses} == expected


def test_accept_sets_only_the_engagements_stakeholders(store: Store) -> None:
    with store.begin() as conn:
        people = store_mail(conn, SMALL.messages)
        ledger, other = engagement(conn, "Ledger"), engagement(conn, "Other")
        chief = people[chief_of()]
        stakeholder(conn, chief, ledger, power=1)
        stakeholder(conn, chief, other, power=1)
    with store.begin() as conn:
        rows = service.people_influence(conn, ledger)
        assert service.accept(conn, ledger, rows) == 1
    with store.read() as conn:
        st = schema.stakeholder
        powers = dict(conn.execute(select(st.c.engagement_id, st.c.power)).all())
        again = service.people_influence(conn, ledger, limit=1)
    assert powers[ledger] == next(r.power for r in rows if r.person_id == chief) >= 4
    assert powers[other] == 1
    assert again[0].current_power == powers[ledger]


@pytest.mark.parametrize("value, expected", [
    ("mid:abc@host", "abc@host"), ("<abc@host>", "abc@host"), (" mid:<abc@host> ", "abc@host"),
    ("sha256:0f1e", None), ("", None), (None, None)])
def test_message_ids_compare_without_prefix_or_brackets(value: str | None, expected: str | None) -> None:
    assert service.message_id(value) == expected


def _filled(db: str) -> dict[str, int]:
    store = open_store(db)
    try:
        with store.begin() as conn:
            people = store_mail(conn, SMALL.messages)
            ledger = engagement(conn, "Ledger")
            stakeholder(conn, people[chief_of()], ledger, power=1)
    finally:
        store.close()
    return people


def test_the_command_shows_a_table_and_json(patron: Patron) -> None:
    _filled(patron.db)
    shown = patron.ok("influence --limit 5")
    assert chief_of() in shown and "why" in shown and "people copy them (" in shown
    assert "answered in h" not in shown and "audience" not in shown  # counts are for --json
    data = json.loads(patron.ok("influence --json --limit 3"))
    assert data["engagement"] is None and len(data["people"]) == 3
    first = data["people"][0]
    assert set(first) == {"person_id", "name", "addresses", "score", "power", "current_power",
                          "signals", "terms", "reasons"}
    assert first["addresses"] == [chief_of()] and first["current_power"] == 1
    assert 2 <= len(first["reasons"]) <= 3
    assert all(re.search(r"\(\d+(?:st|nd|rd|th) of \d+\)", r) for r in first["reasons"])
    assert set(first["terms"]) == {"audience", "copied_by", "writes_to"}
    assert {"sent", "received", "copied", "copies", "threads_started", "replies_received",
            "answered_in_hours", "answers_in_hours", "rank", "audience", "copied_by", "writes_to",
            "correspondents"} == set(first["signals"])


def test_the_command_accepts_proposed_power_for_an_engagement(patron: Patron) -> None:
    _filled(patron.db)
    data = json.loads(patron.ok("influence --engagement Ledger --accept --json"))
    assert data["accepted"] == 1
    after = json.loads(patron.ok("influence --engagement Ledger --json --limit 1"))
    assert after["people"][0]["current_power"] == after["people"][0]["power"] >= 4
    assert "Set the power of 0 stakeholder roles" in patron.ok("influence -e Ledger --accept")


def test_accept_needs_an_engagement(patron: Patron) -> None:
    _filled(patron.db)
    assert "--engagement" in patron.fails("influence --accept", 2)


def test_the_command_on_each_backend(db_url: str) -> None:
    from click.testing import CliRunner

    _filled(db_url)
    runner = Patron(db_url, CliRunner())
    data = json.loads(runner.ok("influence -e Ledger --accept --json --limit 0"))
    theirs = [m for m in SMALL.messages if chief_of() in (m.sender, *m.to, *m.cc)]
    assert data["accepted"] == 1
    assert {a for p in data["people"] for a in p["addresses"]} == {
        a for m in theirs for a in (m.sender, *m.to, *m.cc)}


def test_an_empty_register_says_so(patron: Patron) -> None:
    open_store(patron.db).close()
    assert "No mail" in patron.ok("influence")


# Each person measured by the mailboxes other than their own ---------------------------


def _at(hour: int) -> datetime:
    return datetime(2026, 11, 2, hour)


def test_a_message_found_only_in_someones_own_mailbox_says_nothing_of_them() -> None:
    mail = [
        Message(sender="xena", to=("olga",), sent_at=_at(9), held_by=("olga",)),
        Message(sender="yann", to=("olga",), sent_at=_at(10), held_by=("olga", "yann")),
        Message(sender="zoe", cc=("olga",), to=("yann",), sent_at=_at(11), held_by=("olga",)),
        Message(sender="xena", to=("pia",), sent_at=_at(12), held_by=("pia",)),
    ]
    found = signals(mail)
    assert found["olga"].audience == 1 and found["olga"].received == 1  # yann's copy saw it
    assert found["olga"].copied_by == 0  # zoe's message sat in olga's mailbox alone
    assert found["xena"].sent == 2 and found["xena"].writes_to == 2  # olga's and pia's saw xena
    assert found["yann"].audience == 1  # zoe wrote to yann: olga's mailbox saw it
    assert "pia" not in found  # seen in her own mailbox only: nothing to measure her by
    assert [m.seen_for("olga") for m in mail] == [False, True, False, True]


def test_a_message_in_nobodys_known_mailbox_tells_of_everyone_in_it() -> None:
    plain = Message(sender="xena", to=("olga",), cc=("pia",), sent_at=_at(9))
    assert all(plain.seen_for(p) for p in ("xena", "olga", "pia"))
    assert signals([plain])["pia"].copied_by == 1


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10_000), st.integers(0, 39))
def test_one_persons_own_mailbox_changes_nobody_elses_counts(seed: int, pick: int) -> None:
    mail = generate(seed, employees=40, outsiders=10, messages=600).messages
    owner = sorted({p for m in mail for p in (m.sender, *m.to, *m.cc)})[pick]
    held = [replace(m, held_by=(owner,)) for m in mail]
    before, after = signals(mail), signals(held)
    assert owner not in after
    counted = ("sent", "received", "copied", "copies", "threads_started", "replies_received",
               "audience", "copied_by", "writes_to", "correspondents", "answered_in", "answers_in")
    for person, found in after.items():
        assert all(getattr(found, name) == getattr(before[person], name) for name in counted)


def _mbox(path: Path, *messages: tuple[str, str, str, str]) -> Path:
    """An mbox of (Message-ID, From, To, Date) messages."""
    path.write_text("".join(
        f"From {sender} Mon Nov 02 09:00:00 2026\nFrom: {sender}\nTo: {to}\nSubject: Figures\n"
        f"Date: {day}\nMessage-ID: <{ident}@mail.example>\n\nThe figures.\n\n"
        for ident, sender, to, day in messages))
    return path


def _own(db: str) -> set[tuple[str, str]]:
    """(Message-ID, address) of each participant whose own mailbox held the message."""
    store = open_store(db, create=False)
    try:
        with store.read() as conn:
            i, ip, pe = schema.interaction, schema.interaction_participant, schema.person_email
            rows = conn.execute(select(i.c.source, pe.c.address).join(ip, ip.c.interaction_id == i.c.id)
                                .join(pe, pe.c.person_id == ip.c.person_id)
                                .where(ip.c.own_mailbox.is_(True)))
            return {(source.removeprefix("mid:").split("@")[0], address) for source, address in rows}
    finally:
        store.close()


def test_each_mailboxs_owner_is_measured_by_the_other_mailboxes(db_url: str, tmp_path: Path) -> None:
    from click.testing import CliRunner

    patron = Patron(db_url, CliRunner())
    ann, bob, cy = "ann@firm.example", "bob@firm.example", "cy@client.example"
    day = "Mon, 02 Nov 2026 09:00:00 +0000"
    _mbox(tmp_path / "ann.mbox", ("one", bob, ann, day), ("two", ann, bob, day))
    _mbox(tmp_path / "bob.mbox", ("two", ann, bob, day), ("three", cy, bob, day))
    patron.ok(f"import mail {tmp_path / 'ann.mbox'} --owner {ann}")
    assert _own(db_url) == {("one", ann), ("two", ann)}
    patron.ok(f"import mail {tmp_path / 'bob.mbox'} --owner {bob}")
    assert _own(db_url) == {("one", ann), ("two", ann), ("two", bob), ("three", bob)}
    people = {p["addresses"][0]: p["signals"] for p in json.loads(patron.ok("influence --json"))["people"]}
    assert (people[ann]["sent"], people[ann]["audience"]) == (1, 0)  # "one" sat in her mailbox alone
    assert (people[bob]["sent"], people[bob]["audience"]) == (1, 1)  # ann's "two"; not cy's "three"
    assert people[cy]["writes_to"] == 1


def test_you_are_not_scored_from_your_own_mailbox(patron: Patron, tmp_path: Path) -> None:
    me, helen, ida = "sam@firm.example", "helen@ledger.example", "ida@ledger.example"
    day = "Mon, 02 Nov 2026 09:00:00 +0000"
    patron.ok(f"config set me.emails {me}")
    mine = _mbox(tmp_path / "mine.mbox", ("a", helen, me, day), ("b", me, helen, day),
                 ("c", ida, f"{me}, {helen}", day))
    patron.ok(f"import mail {mine}")
    listed = {p["addresses"][0] for p in json.loads(patron.ok("influence --json"))["people"]}
    assert listed == {helen, ida}
    store = open_store(patron.db, create=False)
    try:  # mail imported before the import recorded whose mailbox held it
        with store.begin() as conn:
            conn.execute(update(schema.interaction_participant).values(own_mailbox=None))
    finally:
        store.close()
    listed = {p["addresses"][0] for p in json.loads(patron.ok("influence --json"))["people"]}
    assert listed == {helen, ida}  # you, by me.emails, all the same
    patron.ok("config set me.emails nobody@else.example")
    listed = {p["addresses"][0] for p in json.loads(patron.ok("influence --json"))["people"]}
    assert listed == {me, helen, ida}


def test_a_merged_person_keeps_the_mail_found_in_their_own_mailbox(store: Store) -> None:
    from patron.services.people import merge

    with store.begin() as conn:
        people = store_mail(conn, [Message(sender="a@x.example", to=("b@x.example",), sent_at=_at(9))])
        ip = schema.interaction_participant
        conn.execute(update(ip).where(ip.c.person_id == people["b@x.example"]).values(own_mailbox=True))
        merge(conn, people["a@x.example"], people["b@x.example"])
        flags = conn.execute(select(ip.c.person_id, ip.c.own_mailbox)).all()
    assert flags == [(people["a@x.example"], True)]


def test_a_register_of_schema_0008_upgrades_and_keeps_its_touchpoints_moments(db_url: str) -> None:
    from sqlalchemy import create_engine, text

    from patron.store.database import migrate_to

    engine = create_engine(db_url if "://" in db_url else f"sqlite:///{db_url}")
    migrate_to(Store(engine, db_url), "0008")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO person (id, name) VALUES (1, 'Helen Brandt')"))
        conn.execute(text("INSERT INTO interaction (id, summary, kind, occurred_at, direction) "
                          "VALUES (1, 'Figures', 'mail', '2026-11-02 09:00:00', 'in')"))
    engine.dispose()
    upgraded = open_store(db_url)
    try:
        assert upgraded.upgraded_from == "0008"
        with upgraded.begin() as conn:  # the moments' triggers survived the new column
            conn.execute(insert(schema.interaction_participant).values(interaction_id=1, person_id=1))
            row = conn.execute(select(schema.interaction_participant)).one()
        assert row.occurred_at == datetime(2026, 11, 2, 9) and row.own_mailbox is None
    finally:
        upgraded.close()
