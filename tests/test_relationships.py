"""Keeping relationships warm: who is due, visibility, and one-line logging."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from patron.domain.cadence import contact_due
from patron.services import relationships
from patron.settings import defaults
from patron.store.database import Store
from tests.conftest import NOW, Patron


def test_due_on_the_demo(portfolio: Store) -> None:
    with portfolio.read() as conn:
        found = relationships.due(conn, defaults(), NOW)
    names = [d.person for d in found]
    assert "Helen Brandt" in names and "Grace Whitmore" in names
    assert "Victor Lam" not in names  # met yesterday
    urgencies = [d.urgency for d in found]
    assert urgencies == sorted(urgencies, reverse=True)
    grace = next(d for d in found if d.person == "Grace Whitmore")
    assert grace.due.overdue and "their ask" in grace.reason
    assert all(d.due.overdue or d.due.due_within(3) for d in found)


def test_visibility_warns_where_the_executive_barely_hears_from_you(portfolio: Store) -> None:
    with portfolio.read() as conn:
        found = {v["engagement"]: v for v in relationships.visibility(conn, NOW)}
    clinic = found["Clinic scheduling rollout"]
    assert clinic["warning"] and clinic["manager"] > clinic["sponsor"]
    assert found["Larkspur role"]["manager"] > 0  # the boss directs one's own job


@given(st.integers(0, 400), st.integers(1, 60), st.integers(0, 400))
def test_a_new_contact_never_makes_anyone_more_overdue(last_ago: int, cadence: int, new_ago: int) -> None:
    today = NOW.date()
    before = contact_due(today - timedelta(days=last_ago), cadence, today)
    newest = min(last_ago, new_ago)  # the latest contact is the later of the two
    after = contact_due(today - timedelta(days=newest), cadence, today)
    assert before is not None and after is not None
    assert after.days_overdue <= before.days_overdue


@pytest.fixture
def world(tmp_path: Path) -> Patron:
    patron = Patron(str(tmp_path / "warm.sqlite"), CliRunner())
    for line in ("engagement add Ledger --value 1000", "person add Helen", "person add Victor",
                 "stakeholder add Helen Ledger --role sponsor",
                 "stakeholder add Victor Ledger --role manager"):
        patron.ok(line)
    return patron


def test_met_logs_a_touchpoint_and_clears_the_due_list(world: Patron) -> None:
    due = json.loads(world.ok("due --json"))
    assert {d["person"] for d in due} == {"Helen", "Victor"}  # never met
    assert all(d["reason"].startswith("ask for feedback") for d in due)
    world.ok("met Helen 'Walked her through the plan' --sentiment 1")
    met = json.loads(world.ok("interaction list --json"))[0]
    assert met["engagement"] == "Ledger" and met["participants"][0]["name"] == "Helen"
    assert met["sentiment"] == 1 and met["summary"] == "Walked her through the plan"
    assert [d["person"] for d in json.loads(world.ok("due --json"))] == ["Victor"]


def test_promises_are_kept_or_broken_once(world: Patron) -> None:
    world.ok("promise 'Send the plan' --to Victor --due friday")
    victor = next(d for d in json.loads(world.ok("due --json")) if d["person"] == "Victor")
    assert victor["reason"] == "your promise #1 'Send the plan', due 2026-11-27"
    world.ok("kept 'Send the plan'")
    shown = json.loads(world.ok("commitment show 1 --json"))
    assert shown["status"] == "kept" and shown["engagement"] == "Ledger"
    assert "already kept" in world.fails("broke 1", 2)
    world.ok("promise 'Call back'")
    world.ok("broke 'Call back' --at yesterday")
    assert json.loads(world.ok("commitment show 2 --json"))["resolved_at"] == "2026-11-19T00:00:00"


def test_time_and_one_line_feedback(world: Patron) -> None:
    world.ok("time 1h30 Ledger --note reconciling")
    entry = json.loads(world.ok("time-entry show 1 --json"))
    assert entry["minutes"] == 90 and entry["boss_kind"] == "customer"
    assert entry["started_at"] == "2026-11-20T08:30:00"  # it ends now
    world.ok("feedback Helen --rating 9 'The board loved it'")
    given_ = json.loads(world.ok("feedback show 1 --json"))
    assert (given_["rating"], given_["text"], given_["engagement"]) == (9, "The board loved it", "Ledger")
    assert given_["received_on"] == "2026-11-20"
    assert "The board loved it" in world.ok("feedback list")


def test_bad_quick_input_is_one_clear_line(world: Patron) -> None:
    assert "Nobody" in world.fails("met Nobody", 3)
    assert "11" in world.fails("feedback Helen --rating 11", 2)
    assert "longer than a day" in world.fails("time 30h Ledger", 2)
    assert "99" in world.fails("kept 99", 3)
    assert "No touchpoints" in world.ok("visibility")  # none yet: says so plainly


def test_the_timer_logs_what_ran(world: Patron, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATRON_NOW", "2026-11-20T09:00")
    world.ok("start Ledger --note mapping")
    assert "running for Ledger since 2026-11-20 09:00" in world.fails("start Ledger", 5)
    monkeypatch.setenv("PATRON_NOW", "2026-11-20T10:40")
    assert "1h40" in world.ok("stop")
    entry = json.loads(world.ok("time-entry show 1 --json"))
    assert (entry["minutes"], entry["note"], entry["started_at"]) == (100, "mapping", "2026-11-20T09:00:00")
    assert "no timer is running" in world.fails("stop", 2)
    world.ok("start Ledger")
    monkeypatch.setenv("PATRON_NOW", "2026-11-22T10:40")
    assert "has run for 48 hours" in world.fails("stop", 2)
    assert "discarded" in world.ok("stop --discard")
    assert len(json.loads(world.ok("time-entry list --json"))) == 1


def test_goal_notes_done_and_reflections(world: Patron) -> None:
    world.ok("goal add 'Cloud exam' --kind learning")
    world.ok("goal note cloud 'Passed the practice test'")
    world.ok("goal done cloud")
    assert json.loads(world.ok("goal show 1 --json"))["status"] == "done"
    assert "needs some text" in world.fails("goal note cloud ''", 2)
    shown = world.ok("reflect 4 'I let Helen go cold'")
    assert "4. Whose relationship did you let cool" in shown and "I let Helen go cold" in shown
    assert "I let Helen go cold" not in world.ok("reflect --period week")  # another period
    assert "is not one" in world.fails("reflect 7 x", 2)
    assert "give your answer" in world.fails("reflect 2", 2)


def test_visibility_counts_each_engagement_its_own_touchpoints(world: Patron) -> None:
    world.ok("engagement add Other")
    world.ok("stakeholder add Helen Other --role sponsor")
    for _ in range(3):
        world.ok("met Victor --engagement Ledger")
    world.ok("met Helen --engagement Ledger")
    found = {v["engagement"]: v for v in json.loads(world.ok("visibility --json"))}
    assert (found["Ledger"]["sponsor"], found["Ledger"]["manager"]) == (1, 3)
    assert "Other" not in found  # Helen's Ledger meeting is not Other's


def test_ranking_settings_that_would_divide_by_zero_are_refused(world: Patron, tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text("[ranking]\nage_full_days = 0\n")
    assert "age_full_days must be more than 0" in world.fails(f"--config {config} next", 2)


# --- nobody is overdue before their first check-in ------------------------------------------------

_DAYS = st.integers(0, 400)
_CADENCE = st.integers(1, 60)


@given(_CADENCE)
def test_someone_added_today_is_never_overdue(cadence: int) -> None:
    today = NOW.date()
    due = contact_due(None, cadence, today, added_on=today)
    assert due is not None and not due.overdue and not due.wanted
    assert due.state == "no contact yet" and due.due_on == today + timedelta(days=cadence)
    assert "overdue" not in due.describe() and "past" not in due.describe()


@given(_DAYS, _CADENCE, _DAYS, st.one_of(st.none(), _DAYS))
def test_a_touchpoint_since_they_joined_never_makes_anyone_more_overdue(
        added_ago: int, cadence: int, contact_ago: int, earlier_ago: int | None) -> None:
    today = NOW.date()
    added = today - timedelta(days=added_ago)
    earlier = None if earlier_ago is None else today - timedelta(days=max(earlier_ago, contact_ago))
    newest = today - timedelta(days=min(contact_ago, added_ago))  # on or after the day they joined
    before = contact_due(earlier, cadence, today, added_on=added)
    after = contact_due(max(newest, earlier) if earlier else newest, cadence, today, added_on=added)
    assert before is not None and after is not None
    assert after.days_overdue <= before.days_overdue


@given(_DAYS, _CADENCE, st.one_of(st.none(), _DAYS), st.integers(1, 100))
def test_overdue_days_grow_with_the_clock(added_ago: int, cadence: int, contact_ago: int | None,
                                          later: int) -> None:
    today = NOW.date()
    added = today - timedelta(days=added_ago)
    last = None if contact_ago is None else today - timedelta(days=contact_ago)
    now = contact_due(last, cadence, today, added_on=added)
    then = contact_due(last, cadence, today + timedelta(days=later), added_on=added)
    assert now is not None and then is not None
    assert then.days_overdue == now.days_overdue + later
    assert (now.overdue and then.overdue) or not now.overdue  # once late, late until a contact


@pytest.fixture
def fresh(tmp_path: Path) -> Patron:
    """A new engagement with its Executive and Manager added today, nobody contacted yet."""
    patron = Patron(str(tmp_path / "fresh.sqlite"), CliRunner())
    for line in ("engagement add Atlas --kind client", "person add 'Ann Exec'", "person add 'Mo Man'",
                 "stakeholder add Ann Atlas --role sponsor",
                 "stakeholder add Mo Atlas --role manager"):
        patron.ok(line)
    return patron


def test_people_added_today_are_no_contact_yet_and_not_overdue(fresh: Patron) -> None:
    out = fresh.ok("due")
    assert out.count("no contact yet (added 2026-11-20)") == 2
    assert "first check-in in 14d" in out and "first check-in in 7d" in out
    assert "overdue" not in out and "never" not in out
    found = {d["person"]: d for d in json.loads(fresh.ok("due --json"))}
    assert found["Ann Exec"]["status"] == "no contact yet, added today, first check-in due in 14 days"
    assert found["Ann Exec"]["due"]["days_overdue"] == -14
    overview = fresh.ok("overview")
    assert "overdue for contact: nobody" in overview and "never" not in overview
    review = fresh.ok("review")
    assert review.split("Relationships going cold")[1].split("\n\n")[1] == "- none"


def test_past_the_first_check_in_they_are_overdue_by_the_right_days(
        fresh: Patron, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATRON_NOW", (NOW + timedelta(days=20)).isoformat())
    out = fresh.ok("due")
    assert "6d past the first check-in" in out and "13d past the first check-in" in out
    found = {d["person"]: d for d in json.loads(fresh.ok("due --json"))}
    assert found["Ann Exec"]["status"] == ("no contact yet, added 20 days ago, "
                                           "6 days past the first check-in")
    assert found["Mo Man"]["due"]["days_overdue"] == 13
    overview = fresh.ok("overview")
    assert "Ann Exec (sponsor): no contact yet, added 20 days ago, 6 days past the first check-in" \
        in overview
    assert "Ann Exec (sponsor of Atlas): no contact yet, added 20 days ago, 6 days past the " \
        "first check-in" in fresh.ok("review")
    fresh.ok("met Ann 'Kick-off' --at 2026-12-08")
    ann = next(d for d in json.loads(fresh.ok("due --soon 14 --json")) if d["person"] == "Ann Exec")
    assert ann["status"] == "last contact 2 days ago, due in 12 days (every 14 days)"


def test_the_first_check_in_counts_from_the_day_given_and_their_own_cadence(tmp_path: Path) -> None:
    patron = Patron(str(tmp_path / "since.sqlite"), CliRunner())
    for line in ("engagement add Atlas", "person add Ann", "person add Bo",
                 "stakeholder add Ann Atlas --role sponsor --since 2026-11-01",
                 "stakeholder add Bo Atlas --role customer --cadence 3"):
        patron.ok(line)
    found = {d["person"]: d for d in json.loads(patron.ok("due --json"))}
    assert found["Ann"]["due"]["days_overdue"] == 19 - 14
    assert found["Bo"]["due"]["due_on"] == "2026-11-23"


def test_visibility_does_not_warn_before_the_executives_first_check_in(
        fresh: Patron, monkeypatch: pytest.MonkeyPatch) -> None:
    for _ in range(4):
        fresh.ok("met Mo --engagement Atlas")
    [atlas] = json.loads(fresh.ok("visibility --json"))
    assert (atlas["sponsor"], atlas["manager"], atlas["warning"]) == (0, 4, False)
    assert "barely hears" not in fresh.ok("visibility")
    monkeypatch.setenv("PATRON_NOW", (NOW + timedelta(days=20)).isoformat())
    assert "the Executive barely hears from you" in fresh.ok("visibility")
