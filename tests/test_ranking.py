"""The ask score: transparent, deterministic, and monotone where it must be."""

from __future__ import annotations

import json
import math
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from patron.domain import ranking as r
from patron.domain.records import BY_KIND
from patron.services import ranking, records
from patron.settings import defaults
from patron.store.database import Store, open_store
from patron.store.reader import ConnectionReader, fast_sqlite_reader
from patron.store.revision import SCHEMA_REVISION
from tests.conftest import NOW, Patron

RAMP = r.Ramp()


def rank(store: Store, **kw: Any) -> ranking.Ranking:
    with store.read() as conn:
        return ranking.rank(ConnectionReader(conn), defaults(), NOW, **kw)


def order(store: Store) -> list[int]:
    return [a.id for a in rank(store).asks]


def add(conn: Any, kind: str, **values: Any) -> int:
    return records.add(conn, BY_KIND[kind], values, NOW)


# --- the factors ------------------------------------------------------------------------------


def test_the_due_ramp_follows_taskwarrior() -> None:
    assert r.due_factor(30, RAMP) == r.due_factor(14, RAMP) == pytest.approx(0.2)
    assert r.due_factor(-7, RAMP) == r.due_factor(-30, RAMP) == pytest.approx(1.0)
    assert r.due_factor(0, RAMP) == pytest.approx(0.2 + 0.8 * 14 / 21)
    assert r.due_factor(None, RAMP) == 0.0


@given(st.floats(-60, 60), st.floats(0, 30))
def test_a_nearer_due_date_never_lowers_the_due_factor(days: float, nearer_by: float) -> None:
    assert r.due_factor(days - nearer_by, RAMP) >= r.due_factor(days, RAMP) - 1e-12


def test_quick_wins_and_age() -> None:
    assert r.quick_win_factor(0.5, RAMP) == 1.0
    assert r.quick_win_factor(4, RAMP) == 0.25
    assert r.quick_win_factor(None, RAMP) == 0.0
    assert r.age_factor(730, RAMP) == 1.0
    assert r.age_factor(-1, RAMP) == 0.0


def test_every_term_has_a_documented_coefficient() -> None:
    s = defaults()
    assert [s[f"ranking.{name}"] for name in r.TERM_NAMES]
    assert s["ranking.waiting"] < 0 and s["ranking.blocked"] < 0


# --- the ranking on a real register -------------------------------------------------------------


@pytest.fixture
def register(store: Store) -> Store:
    with store.begin() as conn:
        add(conn, "engagement", name="Ledger", value=100000)
        add(conn, "engagement", name="Retainer", value=10000)
        for name in ("Helen", "Victor", "Ines"):
            add(conn, "person", name=name)
        add(conn, "stakeholder", person_id="Helen", engagement_id="Ledger", role="sponsor")
        add(conn, "stakeholder", person_id="Victor", engagement_id="Ledger", role="manager")
        add(conn, "stakeholder", person_id="Ines", engagement_id="Ledger", role="customer")
        for person in ("Helen", "Victor", "Ines"):
            add(conn, "interaction", summary="call", participants=[person], occurred_at=NOW)
    return store


def test_the_sponsor_comes_before_the_customer_all_else_equal(register: Store) -> None:
    with register.begin() as conn:
        ines = add(conn, "ask", title="I", requester_id="Ines", engagement_id="Ledger")
        helen = add(conn, "ask", title="H", requester_id="Helen", engagement_id="Ledger")
    assert order(register) == [helen, ines]


def test_ties_go_to_the_older_ask(register: Store) -> None:
    with register.begin() as conn:
        ids = [add(conn, "ask", title=f"A{i}", created_at=NOW) for i in range(5)]
    assert order(register) == ids


def test_blocking_waiting_blocked_and_promised(register: Store) -> None:
    with register.begin() as conn:
        first = add(conn, "ask", title="first", created_at=NOW)
        second = add(conn, "ask", title="second", created_at=NOW, depends_on=[first])
        waiting = add(conn, "ask", title="waiting", created_at=NOW, status="waiting")
        promised = add(conn, "ask", title="promised", created_at=NOW)
        add(conn, "commitment", title="I'll do it", ask_id=promised)
    terms = {a.id: a.contributions(rank(register).coefficients) for a in rank(register).asks}
    assert terms[first]["blocking"] == 8.0 and terms[second]["blocked"] == -5.0
    assert terms[waiting]["waiting"] == -3.0 and terms[promised]["commitment"] == 5.0
    assert order(register) == [first, promised, waiting, second]


def test_the_breakdown_sums_to_the_score(register: Store) -> None:
    with register.begin() as conn:
        add(conn, "ask", title="x", requester_id="Helen", engagement_id="Ledger", due_at="friday",
            effort_hours=3, value=4)
    item = rank(register).asks[0]
    assert math.isclose(sum(item.contributions(rank(register).coefficients).values()), item.score)


def test_a_neglected_key_stakeholder_raises_their_asks(register: Store) -> None:
    with register.begin() as conn:
        ask = add(conn, "ask", title="x", requester_id="Helen", engagement_id="Ledger")
    before = rank(register).asks[0].score
    later = NOW + timedelta(days=40)
    with register.read() as conn:
        after = ranking.rank(ConnectionReader(conn), defaults(), later).asks[0]
    assert after.id == ask
    assert after.contributions(ranking.coefficients(defaults()))["relationship"] == 4.0
    assert after.score > before


def test_the_fast_reader_gives_the_same_ranking(tmp_path: Path) -> None:
    from patron.services import demo

    store = open_store(str(tmp_path / "demo.sqlite"))
    with store.begin() as conn:
        demo.build(conn, NOW)
    slow = [(a.id, a.score) for a in rank(store).asks]
    store.close()
    fast = fast_sqlite_reader(str(tmp_path / "demo.sqlite"), SCHEMA_REVISION)
    assert fast is not None
    quick = [(a.id, a.score) for a in ranking.rank(fast, defaults(), NOW).asks]
    fast.close()
    assert quick == slow and len(quick) > 20


def test_the_fast_reader_declines_what_it_cannot_read(tmp_path: Path) -> None:
    assert fast_sqlite_reader(str(tmp_path / "absent.sqlite"), SCHEMA_REVISION) is None
    assert fast_sqlite_reader("postgresql://x/y", SCHEMA_REVISION) is None
    (tmp_path / "text.sqlite").write_text("hello")
    assert fast_sqlite_reader(str(tmp_path / "text.sqlite"), SCHEMA_REVISION) is None


# --- the properties the issue names -------------------------------------------------------------


portfolio = st.lists(
    st.tuples(
        st.sampled_from(["Helen", "Victor", "Ines"]),  # requester
        st.sampled_from(["Ledger", "Retainer"]),
        st.none() | st.integers(-20, 40),               # due in days
        st.none() | st.floats(0.25, 40),                # effort
        st.none() | st.integers(0, 5),                  # value
        st.sampled_from(["open", "doing", "waiting"]),
        st.integers(0, 400),                            # asked days ago
    ),
    min_size=2, max_size=12,
)


def _build(tmp: Path, asks: list[tuple[Any, ...]], attrs: dict[str, int] | None = None) -> Store:
    store = open_store(str(tmp / f"p{len(list(tmp.iterdir()))}.sqlite"))
    with store.begin() as conn:
        add(conn, "engagement", name="Ledger", value=100000)
        add(conn, "engagement", name="Retainer", value=20000)
        for name in ("Helen", "Victor", "Ines"):
            add(conn, "person", name=name)
        add(conn, "stakeholder", person_id="Helen", engagement_id="Ledger", role="customer",
            **(attrs or {"power": 1, "legitimacy": 1, "urgency": 1, "interest": 1}))
        add(conn, "stakeholder", person_id="Victor", engagement_id="Ledger", role="manager")
        add(conn, "stakeholder", person_id="Ines", engagement_id="Retainer", role="sponsor")
        for who, eng, due, effort, value, status, ago in asks:
            add(conn, "ask", title="a", requester_id=who, engagement_id=eng, status=status,
                due_at=None if due is None else NOW + timedelta(days=due), effort_hours=effort,
                value=value, created_at=NOW - timedelta(days=ago))
    return store


def _position(store: Store, ident: int) -> int:
    ranked = order(store)
    store.close()
    return ranked.index(ident)


SLOW = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                        HealthCheck.function_scoped_fixture])


@SLOW
@given(portfolio, st.sampled_from(["power", "legitimacy", "urgency", "interest"]), st.integers(2, 5))
def test_raising_a_requesters_attribute_never_lowers_their_asks(
        tmp_path: Path, asks: list[tuple[Any, ...]], attribute: str, raised: int) -> None:
    asks = [("Helen", "Ledger", *rest) for _, _, *rest in asks[:1]] + asks[1:]
    low = {"power": 1, "legitimacy": 1, "urgency": 1, "interest": 1}
    before = _position(_build(tmp_path, asks, low), 1)
    after = _position(_build(tmp_path, asks, {**low, attribute: raised}), 1)
    assert after <= before


@SLOW
@given(portfolio, st.integers(1, 30))
def test_a_nearer_due_date_never_lowers_the_rank(tmp_path: Path, asks: list[tuple[Any, ...]],
                                                  sooner: int) -> None:
    who, eng, due, *rest = asks[0]
    later = [(who, eng, due, *rest), *asks[1:]]
    nearer = [(who, eng, (30 if due is None else due) - sooner, *rest), *asks[1:]]
    assert _position(_build(tmp_path, nearer), 1) <= _position(_build(tmp_path, later), 1)


@SLOW
@given(portfolio)
def test_marking_an_ask_blocked_never_raises_it(tmp_path: Path, asks: list[tuple[Any, ...]]) -> None:
    free = _build(tmp_path, asks)
    before = _position(free, 1)
    blocked = _build(tmp_path, asks)
    with blocked.begin() as conn:
        records.edit(conn, BY_KIND["ask"], 1, records.Change(add={"depends_on": [2]}), NOW)
    assert _position(blocked, 1) >= before


@SLOW
@given(portfolio)
def test_the_ranking_is_deterministic_and_why_agrees_with_next(
        tmp_path: Path, asks: list[tuple[Any, ...]]) -> None:
    store = _build(tmp_path, asks)
    first, second = rank(store), rank(store)
    assert [(a.id, a.score) for a in first.asks] == [(a.id, a.score) for a in second.asks]
    scores = [a.score for a in first.asks]
    assert scores == sorted(scores, reverse=True)
    for item in first.asks:  # the database's sum, which ordered them, is the breakdown's sum
        assert math.isclose(item.sql_score, item.score, rel_tol=1e-9, abs_tol=1e-9)
    with store.read() as conn:
        for shown in first.asks:
            item, _ = ranking.explain(ConnectionReader(conn), defaults(), NOW, shown.id)
            assert math.isclose(sum(item.contributions(first.coefficients).values()), shown.score)
            assert item.rank == shown.rank
    store.close()


def test_only_open_asks_are_explained(register: Store) -> None:
    with register.begin() as conn:
        done = add(conn, "ask", title="done", status="done")
    with register.read() as conn, pytest.raises(Exception, match="only open asks"):
        ranking.explain(ConnectionReader(conn), defaults(), NOW, done)


def test_a_limit_keeps_the_best(register: Store) -> None:
    with register.begin() as conn:
        for i in range(10):
            add(conn, "ask", title=f"a{i}", due_at=NOW + timedelta(days=i))
    whole = [a.id for a in rank(register).asks]
    assert [a.id for a in rank(register, limit=3).asks] == whole[:3]
    assert rank(register, limit=3).open_asks == 10


def test_the_database_sum_equals_the_breakdown_on_every_backend(register: Store) -> None:
    with register.begin() as conn:
        for i in range(8):
            add(conn, "ask", title=f"a{i}", requester_id=("Helen", "Victor", "Ines")[i % 3],
                engagement_id="Ledger" if i % 2 else "Retainer", due_at=NOW + timedelta(days=i * 5 - 20),
                effort_hours=i or None, value=i % 6, status=("open", "doing", "waiting")[i % 3])
    for item in rank(register).asks:
        assert math.isclose(item.sql_score, item.score, rel_tol=1e-12, abs_tol=1e-12), item.id


# --- the relationship term waits for the first check-in ------------------------------------------


def test_why_has_no_relationship_term_before_the_first_check_in(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    world = Patron(str(tmp_path / "why.sqlite"), CliRunner())
    for line in ("engagement add Atlas", "person add 'Ann Exec'", "person add 'Mo Man'",
                 "stakeholder add Ann Atlas --role sponsor", "stakeholder add Mo Atlas --role manager",
                 "ask add 'Draft the plan' --from Ann --engagement Atlas"):
        world.ok(line)

    def relationship() -> float:
        shown = json.loads(world.ok("why 1 --json"))
        return float(next(t["contribution"] for t in shown["breakdown"] if t["term"] == "relationship"))

    assert relationship() == 0.0
    text = world.ok("why 1")
    assert "late" not in text and "Contact:" not in text and "overdue by" not in text
    monkeypatch.setenv("PATRON_NOW", (NOW + timedelta(days=20)).isoformat())
    assert math.isclose(relationship(), 6 / 14 * defaults()["ranking.relationship"])
    assert ("Contact: no contact yet, added 20 days ago, 6 days past the first check-in."
            in world.ok("why 1"))
    standing = json.loads(world.ok("why 1 --json"))["requester_standing"]
    assert standing["contact_overdue_days"] == 6


@given(st.integers(0, 60), st.integers(1, 60), st.integers(0, 120))
def test_the_relationship_factor_is_zero_before_the_first_check_in(
        added_ago: int, cadence: int, later: int) -> None:
    from patron.domain.cadence import contact_due

    today = NOW.date()
    added = today - timedelta(days=added_ago)
    due = contact_due(None, cadence, today + timedelta(days=later), added_on=added)
    factor = r.relationship_factor(due)
    assert 0.0 <= factor <= 1.0
    assert (factor == 0.0) == (added_ago + later <= cadence)
