"""Hostile calendars are bounded: a rule that repeats nothing is a located problem, and no
repeating event gives more than ``calendar.max_occurrences`` meetings (the cut is reported).

The files in tests/fixtures/ics are named by their edge case; each also holds a good weekly
event (6 occurrences) to show that the rest still imports. bench/ics_hostile.py times them.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from patron.importers import ics
from tests.conftest import NOW, Patron

FIXTURES = Path(__file__).parent / "fixtures" / "ics"
HOSTILE_LINE = 21  # where the hostile event begins in each fixture
WEEKLY = 6
WINDOW = "between 2025-11-20 and 2027-02-18"  # a year back to 90 days ahead of NOW


@pytest.fixture(autouse=True)
def _in_berlin(berlin: None) -> None:
    """Every test here runs with the machine in Europe/Berlin (conftest's ``berlin``)."""


def fixture(name: str) -> Path:
    return FIXTURES / f"{name}.ics"


def meetings(patron: Patron) -> list[dict[str, object]]:
    return list(json.loads(patron.ok("interaction list --json --limit 100000")))


def starts(patron: Patron, summary: str) -> list[str]:
    return sorted(str(m["occurred_at"]) for m in meetings(patron) if m["summary"] == summary)


def calendar(tmp_path: Path, name: str, *lines: str) -> Path:
    """One event of these lines, and somebody to meet in it (so it is a touchpoint)."""
    path = tmp_path / f"{name}.ics"
    lines = (*lines, "ATTENDEE:mailto:helen@ledger.example")
    path.write_text("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n"
                    + "".join(f"{line}\r\n" for line in lines)
                    + "END:VEVENT\r\nEND:VCALENDAR\r\n")
    return path


def test_interval_zero_keeps_only_the_first_occurrence(patron: Patron) -> None:
    path = fixture("rrule_interval_zero")
    result = patron("import", "ics", str(path))
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        f"skipped {path}: line {HOSTILE_LINE}: event daily-interval-zero@hostile.example: "
        "RRULE INTERVAL=0 repeats nothing; kept only its first occurrence"]
    assert f"{1 + WEEKLY} created" in result.stdout
    assert starts(patron, "Stand-up that never moves on") == ["2026-11-02T09:00:00"]
    assert len(starts(patron, "Weekly review")) == WEEKLY


def test_interval_zero_is_kept_as_the_occurrence_a_mended_rule_gives(patron: Patron,
                                                                     tmp_path: Path) -> None:
    """Mending the rule later updates the first meeting instead of adding a second one."""
    head = ("UID:standup", "SUMMARY:Stand-up", "DTSTART:20261116T090000")
    patron.ok(f"import ics {calendar(tmp_path, 'zero', *head, 'RRULE:FREQ=DAILY;INTERVAL=0')}")
    mended = patron.ok(f"import ics {calendar(tmp_path, 'mended', *head, 'RRULE:FREQ=DAILY;COUNT=3')}")
    assert "2 created, 0 updated, 1 unchanged" in mended
    assert starts(patron, "Stand-up") == ["2026-11-16T09:00:00", "2026-11-17T09:00:00",
                                          "2026-11-18T09:00:00"]


@pytest.mark.parametrize("interval", ["-1", "abc", "1.5", "0"])
def test_an_interval_that_is_not_a_whole_number_above_0_is_located(patron: Patron, tmp_path: Path,
                                                                    interval: str) -> None:
    path = calendar(tmp_path, "rrule_interval_bad", "UID:bad", "SUMMARY:Bad",
                    "DTSTART:20261116T090000", f"RRULE:FREQ=HOURLY;INTERVAL={interval};BYDAY=MO")
    result = patron("import", "ics", str(path))
    assert result.exit_code == 0, result.output  # its first occurrence came in
    assert (f"skipped {path}: line 4: event bad: RRULE INTERVAL={interval} repeats nothing; "
            "kept only its first occurrence") in result.stderr
    assert starts(patron, "Bad") == ["2026-11-16T09:00:00"]


@pytest.mark.parametrize("rule", ["BYMONTH=2;BYMONTHDAY=30", "BYMONTH=4,6,9,11;BYMONTHDAY=31,-31"])
def test_a_rule_on_days_no_month_has_keeps_only_the_first_occurrence(patron: Patron, tmp_path: Path,
                                                                     rule: str) -> None:
    """dateutil would look for such a day until the year 9999 (seconds per event)."""
    path = calendar(tmp_path, "rrule_no_such_day", "UID:never", "SUMMARY:Never",
                    "DTSTART:20261116T090000", f"RRULE:FREQ=DAILY;{rule}")
    result = patron("import", "ics", str(path))
    assert result.exit_code == 0, result.output
    assert (f"skipped {path}: line 4: event never: RRULE {rule} repeats on no day that exists; "
            "kept only its first occurrence") in result.stderr
    assert starts(patron, "Never") == ["2026-11-16T09:00:00"]


def test_a_leap_day_is_a_day_that_exists(patron: Patron, tmp_path: Path) -> None:
    path = calendar(tmp_path, "rrule_leap_day", "UID:leap", "SUMMARY:Leap", "DTSTART:20240229T090000",
                    "RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29")
    result = patron("import", "ics", str(path))
    assert result.exit_code == 0 and result.stderr == ""
    assert "0 created" in result.stdout  # the next 29 February is in 2028, after the window


@pytest.mark.parametrize(("name", "uid", "summary", "first"), [
    ("rrule_secondly_no_end", "every-second", "Every second", "2026-11-01T09:00:00"),
    ("rrule_minutely_no_end", "every-minute", "Every minute", "2025-12-15T09:00:00"),
])
def test_an_endless_fast_rule_stops_at_the_cap(patron: Patron, name: str, uid: str, summary: str,
                                               first: str) -> None:
    path = fixture(name)
    result = patron("import", "ics", str(path))
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        f"skipped {path}: line {HOSTILE_LINE}: event {uid}@hostile.example repeats more than "
        f"1,000 times {WINDOW}; kept the first 1,000"]
    assert f"{1000 + WEEKLY} created" in result.stdout
    kept = starts(patron, summary)
    assert len(kept) == 1000 and kept[0] == first  # the first ones, in order
    assert len(starts(patron, "Weekly review")) == WEEKLY


def test_the_first_thousand_seconds_are_kept(patron: Patron) -> None:
    patron.ok(f"import ics {fixture('rrule_secondly_no_end')}")
    assert starts(patron, "Every second")[-1] == "2026-11-01T09:16:39"  # 999 s after 09:00:00


def test_the_cut_is_the_same_on_a_second_import(patron: Patron) -> None:
    path = fixture("rrule_minutely_no_end")
    patron.ok(f"import ics {path}")
    again = patron("import", "ics", str(path))
    assert again.exit_code == 0
    assert f"0 created, 0 updated, {1000 + WEEKLY} unchanged, 1 skipped" in again.stdout
    assert "kept the first 1,000" in again.stderr


def test_a_huge_count_under_the_cap_is_no_problem(patron: Patron) -> None:
    result = patron("import", "ics", str(fixture("rrule_daily_count_huge")))
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    daily = starts(patron, "Daily for ever and a day")
    assert len(daily) == (datetime(2027, 2, 18) - datetime(2025, 12, 1)).days + 1  # to the window's end
    assert daily[0] == "2025-12-01T09:30:00"


def test_the_cap_is_a_setting(patron: Patron, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[calendar]\nmax_occurrences = 10\n")
    path = fixture("rrule_daily_count_huge")
    result = patron("--config", str(config), "import", "ics", str(path))
    assert result.exit_code == 0, result.output
    assert (f"event daily-count-huge@hostile.example repeats more than 10 times {WINDOW}; "
            "kept the first 10") in result.stderr
    assert starts(patron, "Daily for ever and a day")[-1] == "2025-12-10T09:30:00"
    assert len(starts(patron, "Weekly review")) == WEEKLY  # 6: under the cap, no problem


def test_a_cap_of_zero_is_refused(patron: Patron, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[calendar]\nmax_occurrences = 0\n")
    result = patron("--config", str(config), "import", "ics", str(fixture("rrule_interval_zero")))
    assert result.exit_code != 0
    assert "calendar.max_occurrences must be more than 0" in result.stderr


def test_a_fast_rule_from_long_ago_is_skipped_and_nothing_good_is_exit_code_2(patron: Patron,
                                                                              tmp_path: Path) -> None:
    """Reaching the window would mean reading millions of repetitions: the event is skipped."""
    path = calendar(tmp_path, "rrule_minutely_since_2020", "UID:old", "SUMMARY:Old",
                    "DTSTART:20200101T090000", "RRULE:FREQ=MINUTELY")
    result = patron("import", "ics", str(path))
    assert result.exit_code == 2
    assert (f"skipped {path}: line 4: event old repeats more than 20,000 times from its start "
            "on 2020-01-01 to 2027-02-18; skipped") in result.stderr
    assert "nothing could be imported" in result.stderr


def test_an_event_that_costs_too_much_is_cut(patron: Patron, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ics, "EXPANSION_CPU", 0.0)  # any rule now costs too much at once
    path = calendar(tmp_path, "rrule_sparse_secondly", "UID:sparse", "SUMMARY:Sparse",
                    "DTSTART:20261116T090000", "RRULE:FREQ=SECONDLY;BYHOUR=9;BYMINUTE=0;BYSECOND=0")
    result = patron("import", "ics", str(path))
    assert result.exit_code == 2, result.output
    assert (f"skipped {path}: line 4: event sparse takes more than 0.0 s to work out when it "
            "repeats; skipped") in result.stderr


# --- the invariant ---------------------------------------------------------------------------


FREQS = ["SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(freq=st.sampled_from(FREQS), interval=st.integers(1, 5), limit=st.integers(1, 30),
       days=st.integers(-400, 60), count=st.one_of(st.none(), st.integers(1, 100)))
def test_never_more_than_the_cap_and_always_the_first_ones(freq: str, interval: int, limit: int,
                                                           days: int, count: int | None) -> None:
    start = NOW + timedelta(days=days)
    rule = f"RRULE:FREQ={freq};INTERVAL={interval}" + (f";COUNT={count}" if count else "")
    text = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\n"
            f"DTSTART:{start:%Y%m%dT%H%M%S}\r\n{rule}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    capped, problems = ics.parse(text, "f.ics", ics.Window.around(NOW, limit=limit))
    wider, _ = ics.parse(text, "f.ics", ics.Window.around(NOW, limit=limit * 4))
    assert len(capped) <= limit
    assert [d.start for d in capped] == [d.start for d in wider][:len(capped)]  # the first ones
    if len(wider) > limit:
        assert problems  # a cut is always reported
    if not problems:
        assert capped == wider  # nothing reported: nothing left out
