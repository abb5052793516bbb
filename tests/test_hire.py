"""Would they hire you back? The score's terms and its promises."""

from __future__ import annotations

import json
import math
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from patron.domain import hire as h
from patron.domain.records import ENGAGEMENT
from patron.services import hire
from patron.services.names import resolve
from patron.settings import defaults
from patron.store.database import Store
from tests.conftest import NOW, Patron

facts = st.builds(
    h.ClientFacts,
    ratings=st.lists(st.integers(0, 10), max_size=6),
    kept=st.integers(0, 20), broken=st.integers(0, 20),
    open_asks=st.integers(0, 20),
    overdue_asks=st.just(0),
    contact_health=st.lists(st.floats(0, 1), max_size=4),
    sentiments=st.lists(st.integers(-2, 2), max_size=10),
    milestones_due=st.just(0), milestones_reached=st.just(0),
)


def total(f: h.ClientFacts) -> float:
    coefficients = hire.coefficients(defaults())
    return sum(x * c for x, c in zip(h.factors(f), coefficients, strict=True))


@given(facts)
def test_a_new_broken_promise_never_raises_the_score(f: h.ClientFacts) -> None:
    worse = h.ClientFacts(f.ratings, f.kept, f.broken + 1, f.open_asks, f.overdue_asks,
                          f.contact_health, f.sentiments, f.milestones_due, f.milestones_reached)
    assert total(worse) <= total(f)


@given(facts)
def test_every_factor_is_between_zero_and_one(f: h.ClientFacts) -> None:
    assert all(0.0 <= x <= 1.0 for x in h.factors(f))
    assert 0.0 <= total(f) <= 100.0 + 1e-9


def test_the_promoter_scale() -> None:
    assert [h.promoter_class(r) for r in (0, 6, 7, 8, 9, 10)] == \
        ["detractor", "detractor", "passive", "passive", "promoter", "promoter"]
    assert h.trend([9, 8, 5]) == "falling" and h.trend([6, 9]) == "rising"
    assert h.trend([]) == "none yet" and h.trend([7]) == "one so far"


def test_unknowns_are_neutral_not_zero() -> None:
    nothing = h.ClientFacts([], 0, 0, 0, 0, [], [], 0, 0)
    assert h.factors(nothing) == (0.5, 0.5, 1.0, 0.5, 0.5, 1.0)


def test_the_demo_ledger(portfolio: Store) -> None:
    with portfolio.read() as conn:
        result = hire.score(conn, defaults(), NOW, resolve(conn, ENGAGEMENT, "Ledger"))
    assert result.facts.ratings[:2] == [5, 7]  # Victor after the late report, then Helen
    assert (result.facts.kept, result.facts.broken) == (2, 1)
    assert result.ratings_trend == "falling"
    assert math.isclose(sum(result.contributions().values()), result.score)
    assert result.verdict in ("unsure", "at risk")


def test_why_client_on_the_command_line(tmp_path: Path) -> None:
    world = Patron(str(tmp_path / "h.sqlite"), CliRunner())
    for line in ("engagement add Audit", "person add Ann", "stakeholder add Ann Audit --role sponsor",
                 "feedback Ann --rating 10 'Superb'", "met Ann 'review'", "promise 'Report' --to Ann",
                 "kept Report"):
        world.ok(line)
    shown = json.loads(world.ok("why --client Audit --json"))
    assert shown["verdict"] == "likely" and shown["score"] > 80
    assert {row["term"] for row in shown["breakdown"]} == set(h.HIRE_TERM_NAMES)
    assert "would they hire you back" in world.ok("client Audit")
    assert "Would Audit hire you back?" in world.ok("why --client Audit")
    assert "name an ask" in world.fails("why", 2)


def test_people_added_today_are_on_time_and_late_only_past_their_first_check_in(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    world = Patron(str(tmp_path / "new.sqlite"), CliRunner())
    for line in ("engagement add Atlas", "person add Ann", "person add Mo",
                 "stakeholder add Ann Atlas --role sponsor", "stakeholder add Mo Atlas --role manager"):
        world.ok(line)
    shown = json.loads(world.ok("why --client Atlas --json"))
    assert shown["facts"]["contact_health"] == [1.0, 1.0]  # nobody owes a first check-in yet
    monkeypatch.setenv("PATRON_NOW", (NOW + timedelta(days=20)).isoformat())
    shown = json.loads(world.ok("why --client Atlas --json"))
    ann, mo = shown["facts"]["contact_health"]
    assert math.isclose(ann, 1 - 6 / 14) and mo == 0.0  # 6 days past 14; 13 days past 7
