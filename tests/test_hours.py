"""Time for billing, from the user's side: logging time at a given moment, and hours per
engagement and per boss kind with their value where a rate is set."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from tests.conftest import Patron


@pytest.fixture
def world(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Patron:
    """Time over two months, on SQLite and PostgreSQL, on the morning of 1 December."""
    monkeypatch.setenv("PATRON_NOW", "2026-12-01T09:00")
    world = Patron(db_url, CliRunner())
    world.ok("engagement add Ledger --kind client --rate 120")
    world.ok("engagement add Clinic --kind client")
    world.ok("engagement add Job --kind employer")
    world.ok("engagement add 'Own development' --kind self")
    for line in ("time 4h Ledger --at '2026-11-03 09:00'", "time 1h30 Ledger --at '2026-11-20 14:00'",
                 "time 2h Clinic --at '2026-11-04 09:00'", "time 1h Job --at '2026-11-05 09:00'",
                 "time 45m 'Own development' --at '2026-11-06 07:00'",
                 "time 3h Ledger --at '2026-10-30 09:00'"):
        world.ok(line)
    return world


def test_time_at_yesterday_afternoon_is_stored_then(world: Patron) -> None:
    world.ok("time 1h30 Ledger --at 'yesterday 14:00'")
    entries = json.loads(world.ok("time-entry list --json"))
    assert entries[0]["started_at"].startswith("2026-11-30T14:00") and entries[0]["minutes"] == 90


def test_the_timer_can_start_earlier(world: Patron) -> None:
    assert "Timer started at 08:15" in world.ok("start Ledger --at 8:15")
    assert "0h45" in world.ok("stop")
    assert "later than now" in world.fails("start Ledger --at 'tomorrow 9:00'", 2)


def test_hours_per_engagement_and_boss_with_their_value(world: Patron) -> None:
    data = json.loads(world.ok("hours --json"))
    assert data["period"]["name"] == "November 2026"  # on the 1st: the month just ended
    lines = {line["engagement"]: line for line in data["engagements"]}
    assert lines["Ledger"]["minutes"] == 330 and lines["Ledger"]["value"] == 660.0
    assert lines["Clinic"]["value"] is None and lines["Clinic"]["hours"] == 2.0
    bosses = {b["boss"]: b for b in data["bosses"]}
    assert bosses["customer"]["minutes"] == 450 and bosses["customer"]["value"] == 660.0
    assert bosses["employer"]["minutes"] == 60 and bosses["self"]["minutes"] == 45
    assert data["total"] == {"engagement": "total", "boss": None, "minutes": 555, "hours": 9.25,
                             "rate": None, "value": 660.0}


def test_hours_as_text_and_csv(world: Patron) -> None:
    text = world.ok("hours")
    assert "Covering November 2026, the month just ended" in text
    assert "Ledger\tcustomer\t5h30\t5.5\t120\t660.00" in text
    assert "Total: 9h15 (9.25 hours), worth 660.00" in text and "3h00" not in text
    rows = list(csv.DictReader(io.StringIO(world.ok("hours --csv"))))
    assert rows[0].keys() == {"engagement", "boss", "hours", "minutes", "rate", "value"}
    assert {r["engagement"]: r["value"] for r in rows} == {
        "Clinic": "", "Job": "", "Ledger": "660.00", "Own development": ""}


def test_hours_for_one_engagement_and_other_periods(world: Patron) -> None:
    one = json.loads(world.ok("hours -e Ledger --period last-quarter --json"))
    assert one["total"]["minutes"] == 0  # Q3 holds none
    one = json.loads(world.ok("hours --engagement Ledger --from 2026-10-01 --to 2026-11-10 --json"))
    assert [line["minutes"] for line in one["engagements"]] == [420]
    assert "No time logged in December 2026" in world.ok("hours --period month")
    assert "'Dec 10'" in world.fails("hours --to blursday --from 2026-11-01", 2)


def test_the_review_and_hours_count_one_period_alike(world: Patron) -> None:
    """Time logged ahead (this afternoon, on the morning of the 1st) is the period's time for
    both; so is time at the last second of its last day."""
    world.ok("time-entry add Ledger --duration 2h --at '2026-12-01 15:00'")
    world.ok("time-entry add Job --duration 30m --at '2026-12-31 23:59:59'")
    world.ok("time-entry add Job --duration 1h --at '2027-01-01 00:00'")  # the next period's
    for period in ("--period month", "--from 2026-12-01 --to 2026-12-31", "--period last-month"):
        review = json.loads(world.ok(f"review {period} --json"))["time_minutes"]
        bosses = {b["boss"]: b["minutes"] for b in json.loads(world.ok(f"hours {period} --json"))["bosses"]}
        assert review == bosses, period
    month = json.loads(world.ok("review --period month --json"))["time_minutes"]
    assert month == {"employer": 30, "customer": 120, "self": 0}
    one = json.loads(world.ok("review --period month -e Ledger --json"))["time_minutes"]
    ledger = json.loads(world.ok("hours --period month -e Ledger --json"))["total"]["minutes"]
    assert one["customer"] == ledger == 120
