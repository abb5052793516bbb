"""Tests for patron.dates: the date, moment and duration forms a person types."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from patron.dates import ORDERS, parse_day, parse_duration, parse_moment, use_order
from patron.dates import locale_order as REAL_LOCALE_ORDER
from patron.errors import InvalidInput
from tests.conftest import Patron

NOW = datetime(2026, 11, 20, 10, 0)  # a Friday
TODAY = NOW.date()

WEEKDAY_NAMES = [
    ("monday", "mon", 0),
    ("tuesday", "tue", 1),
    ("wednesday", "wed", 2),
    ("thursday", "thu", 3),
    ("friday", "fri", 4),
    ("saturday", "sat", 5),
    ("sunday", "sun", 6),
]
ALL_NAMES = [name for full, short, _ in WEEKDAY_NAMES for name in (full, short)]
WEEKDAY_OF = {name: n for full, short, n in WEEKDAY_NAMES for name in (full, short)}


def test_fixed_now_is_a_friday() -> None:
    assert TODAY.weekday() == 4


# --- parse_moment ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-01", datetime(2026, 12, 1, 0, 0)),
        ("2026-12-01 15:00", datetime(2026, 12, 1, 15, 0)),
        ("2026-12-01T15:00", datetime(2026, 12, 1, 15, 0)),
        ("2026-12-01t15:00", datetime(2026, 12, 1, 15, 0)),
        ("2026-12-01T15:00:30", datetime(2026, 12, 1, 15, 0, 30)),
        ("2026-12-01 3pm", datetime(2026, 12, 1, 15, 0)),
        ("now", NOW),
        ("  NOW ", NOW),
        ("today", datetime(2026, 11, 20)),
        ("tomorrow", datetime(2026, 11, 21)),
        ("yesterday", datetime(2026, 11, 19)),
        ("friday", datetime(2026, 11, 27)),
        ("Fri", datetime(2026, 11, 27)),
        ("next friday", datetime(2026, 11, 27)),
        ("last friday", datetime(2026, 11, 13)),
        ("saturday", datetime(2026, 11, 21)),
        ("thursday", datetime(2026, 11, 26)),
        ("last thursday", datetime(2026, 11, 19)),
        ("last saturday", datetime(2026, 11, 14)),
        ("friday 15:00", datetime(2026, 11, 27, 15, 0)),
        ("tomorrow 9:30", datetime(2026, 11, 21, 9, 30)),
        ("friday at 3pm", datetime(2026, 11, 27, 15, 0)),
        ("friday at 3:45 pm", datetime(2026, 11, 27, 15, 45)),
        ("tomorrow 9am", datetime(2026, 11, 21, 9, 0)),
        ("tomorrow 12am", datetime(2026, 11, 21, 0, 0)),
        ("tomorrow 12pm", datetime(2026, 11, 21, 12, 0)),
        ("tomorrow at 14", datetime(2026, 11, 21, 14, 0)),
        ("tomorrow noon", datetime(2026, 11, 21, 12, 0)),
        ("15:00", datetime(2026, 11, 20, 15, 0)),
        ("at 3pm", datetime(2026, 11, 20, 15, 0)),
        ("in 3 days", datetime(2026, 11, 23, 10, 0)),
        ("in 1 day", datetime(2026, 11, 21, 10, 0)),
        ("in 2 weeks", datetime(2026, 12, 4, 10, 0)),
        ("in 1 month", datetime(2026, 12, 20, 10, 0)),
        ("in 4 hours", datetime(2026, 11, 20, 14, 0)),
        ("in 1 hour", datetime(2026, 11, 20, 11, 0)),
        ("in 30 minutes", datetime(2026, 11, 20, 10, 30)),
        ("in 45 min", datetime(2026, 11, 20, 10, 45)),
        ("3 days ago", datetime(2026, 11, 17, 10, 0)),
        ("2 weeks ago", datetime(2026, 11, 6, 10, 0)),
        ("1 month ago", datetime(2026, 10, 20, 10, 0)),
        ("2 hours ago", datetime(2026, 11, 20, 8, 0)),
        ("+3d", datetime(2026, 11, 23, 10, 0)),
        ("3d", datetime(2026, 11, 23, 10, 0)),
        ("-2w", datetime(2026, 11, 6, 10, 0)),
        ("+4h", datetime(2026, 11, 20, 14, 0)),
        ("in 3 days 15:00", datetime(2026, 11, 23, 15, 0)),
    ],
)
def test_moment_forms(text: str, expected: datetime) -> None:
    assert parse_moment(text, NOW) == expected


def test_moment_month_offset_clamps_to_month_end() -> None:
    jan31 = datetime(2026, 1, 31, 8, 15)
    assert parse_moment("in 1 month", jan31) == datetime(2026, 2, 28, 8, 15)
    assert parse_moment("in 1 month", datetime(2028, 1, 31)) == datetime(2028, 2, 29)


@pytest.mark.parametrize(
    "text",
    [
        "blursday",
        "",
        "   ",
        "next",
        "in 3",
        "in three days",
        "friday 3",
        "3 fortnights",
        "2026-12-01 15",
        "soonish",
        "13/13/2026",
        "2026-12-01T15:00Z",
        "thursday friday",
    ],
)
def test_moment_garbage_names_the_text(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_moment(text, NOW)
    message = str(caught.value)
    assert "\n" not in message
    assert repr(text.strip()) in message or "no date given" in message


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("2026-02-30", "not a real date"),
        ("2026-13-01", "not a real date"),
        ("2026-00-10", "not a real date"),
        ("2026-02-30 10:00", "not a real date"),
        ("2026-12-01 25:00", "not a real time"),
        ("2026-12-01T10:60", "not a real time"),
        ("25:00", "not a real time"),
        ("tomorrow 24:00", "not a real time"),
        ("friday at 13pm", "not a real time"),
        ("friday at 0am", "not a real time"),
        ("in 99999999999 days", "too far"),
        ("in 100000 years", "too far"),
        ("in 99999999999 minutes", "too far"),
    ],
)
def test_moment_impossible_values(text: str, what: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_moment(text, NOW)
    assert repr(text) in str(caught.value)
    assert what in str(caught.value)


def test_unreadable_message_suggests_forms() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_moment("blursday", NOW)
    message = str(caught.value)
    assert message.startswith("cannot read 'blursday' as a date; try 2026-12-10, 'Dec 10', '10 Dec'")
    assert "dates.order" in message and "'next week'" in message and "\n" not in message
    assert caught.value.exit_code == 2


# --- parse_day ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-01", date(2026, 12, 1)),
        ("2026-1-5", date(2026, 1, 5)),
        (" Today ", TODAY),
        ("tomorrow", date(2026, 11, 21)),
        ("yesterday", date(2026, 11, 19)),
        ("friday", date(2026, 11, 27)),
        ("FRI", date(2026, 11, 27)),
        ("next friday", date(2026, 11, 27)),
        ("last friday", date(2026, 11, 13)),
        ("mon", date(2026, 11, 23)),
        ("last mon", date(2026, 11, 16)),
        ("in 3 days", date(2026, 11, 23)),
        ("in 2 weeks", date(2026, 12, 4)),
        ("in 1 month", date(2026, 12, 20)),
        ("in 1 year", date(2027, 11, 20)),
        ("3 days ago", date(2026, 11, 17)),
        ("2 weeks ago", date(2026, 11, 6)),
        ("+3d", date(2026, 11, 23)),
        ("-2w", date(2026, 11, 6)),
        ("3d", date(2026, 11, 23)),
    ],
)
def test_day_forms(text: str, expected: date) -> None:
    assert parse_day(text, TODAY) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2026-12-01 15:00",
        "2026-12-01T15:00",
        "friday 15:00",
        "tomorrow 9am",
        "now",
        "in 4 hours",
        "in 30 minutes",
        "+4h",
        "15:00",
        "at noon",
    ],
)
def test_day_rejects_a_time(text: str) -> None:
    with pytest.raises(InvalidInput, match="has a time of day"):
        parse_day(text, TODAY)


@pytest.mark.parametrize("text", ["2026-02-30", "2026-13-01", "2025-02-29"])
def test_day_impossible_dates(text: str) -> None:
    with pytest.raises(InvalidInput, match=f"'{text}' is not a real date"):
        parse_day(text, TODAY)


@pytest.mark.parametrize("text", ["blursday", "", "next", "last", "in 3", "soonish", "1 janvier"])
def test_day_garbage(text: str) -> None:
    with pytest.raises(InvalidInput, match="try 2026-12-10, 'Dec 10', '10 Dec'"):
        parse_day(text, TODAY)


def test_day_leap_day_is_real() -> None:
    assert parse_day("2028-02-29", TODAY) == date(2028, 2, 29)


def test_day_month_offset_clamps() -> None:
    assert parse_day("in 1 month", date(2026, 3, 31)) == date(2026, 4, 30)
    assert parse_day("1 month ago", date(2026, 3, 31)) == date(2026, 2, 28)
    assert parse_day("in 13 months", date(2026, 1, 31)) == date(2027, 2, 28)


# --- parse_duration -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("1h30", 90),
        ("1h 30m", 90),
        ("1h30m", 90),
        ("90m", 90),
        ("90", 90),
        ("1.5h", 90),
        ("2h", 120),
        ("2 hours", 120),
        ("45min", 45),
        ("45 minutes", 45),
        ("1:30", 90),
        ("0:05", 5),
        (" 1H30 ", 90),
        ("0.25h", 15),
        (".5h", 30),
        ("24h", 1440),
        ("24:00", 1440),
        ("1", 1),
    ],
)
def test_duration_forms(text: str, minutes: int) -> None:
    assert parse_duration(text) == minutes


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("0", "more than zero"),
        ("0h", "more than zero"),
        ("0:00", "more than zero"),
        ("-30", "more than zero"),
        ("30h", "longer than a day"),
        ("24h1", "longer than a day"),
        ("1441", "longer than a day"),
        ("99999999999999999999h", "longer than a day"),
        ("1:75", "more than 59 minutes"),
        ("abc", "cannot read 'abc' as a duration"),
        ("1.5", "cannot read '1.5' as a duration"),
        ("h", "cannot read 'h' as a duration"),
        ("1h30h", "cannot read '1h30h' as a duration"),
        ("", "no duration given"),
    ],
)
def test_duration_invalid(text: str, what: str) -> None:
    with pytest.raises(InvalidInput, match=what):
        parse_duration(text)


# --- properties -----------------------------------------------------------

nearby_days = st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31))


@given(st.dates())
def test_iso_roundtrip(d: date) -> None:
    assert parse_day(d.isoformat(), TODAY) == d
    assert parse_moment(d.isoformat(), NOW) == datetime(d.year, d.month, d.day)


@given(st.datetimes(), st.sampled_from(["T", "t", " "]))
def test_iso_moment_roundtrip(moment: datetime, sep: str) -> None:
    moment = moment.replace(microsecond=0)
    assert parse_moment(moment.isoformat(sep), NOW) == moment


@given(st.integers(min_value=0, max_value=3650), nearby_days)
def test_relative_days(n: int, today: date) -> None:
    assert parse_day(f"in {n} days", today) == today + timedelta(days=n)
    assert parse_day(f"{n} days ago", today) == today - timedelta(days=n)
    assert parse_day(f"+{n}d", today) == today + timedelta(days=n)
    assert parse_day(f"-{n}d", today) == today - timedelta(days=n)


@given(st.integers(min_value=0, max_value=520), nearby_days)
def test_relative_weeks(n: int, today: date) -> None:
    assert parse_day(f"in {n} weeks", today) == today + timedelta(weeks=n)
    assert parse_day(f"{n} weeks ago", today) == today - timedelta(weeks=n)


@given(st.integers(min_value=0, max_value=1200), nearby_days)
def test_relative_months_stay_in_target_month(n: int, today: date) -> None:
    later = parse_day(f"in {n} months", today)
    assert (later.year * 12 + later.month) - (today.year * 12 + today.month) == n
    assert later.day == today.day or (later.day < today.day and later.day >= 28)


@given(nearby_days, st.sampled_from(ALL_NAMES), st.sampled_from(["", "next "]))
def test_weekday_is_one_to_seven_days_ahead(today: date, name: str, prefix: str) -> None:
    day = parse_day(prefix + name, today)
    assert 1 <= (day - today).days <= 7
    assert day.weekday() == WEEKDAY_OF[name]


@given(nearby_days, st.sampled_from(ALL_NAMES))
def test_last_weekday_is_one_to_seven_days_back(today: date, name: str) -> None:
    day = parse_day(f"last {name}", today)
    assert 1 <= (today - day).days <= 7
    assert day.weekday() == WEEKDAY_OF[name]


@given(
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1)),
    st.sampled_from(ALL_NAMES),
    st.integers(min_value=0, max_value=23),
    st.integers(min_value=0, max_value=59),
)
def test_weekday_with_time(now: datetime, name: str, hour: int, minute: int) -> None:
    moment = parse_moment(f"{name} {hour}:{minute:02d}", now)
    assert moment.date() == parse_day(name, now.date())
    assert (moment.hour, moment.minute, moment.second) == (hour, minute, 0)


@given(st.integers(min_value=1, max_value=12), st.sampled_from(["am", "pm"]))
def test_twelve_hour_clock(hour: int, half: str) -> None:
    moment = parse_moment(f"tomorrow at {hour}{half}", NOW)
    assert moment.hour == hour % 12 + (12 if half == "pm" else 0)


@given(st.integers(min_value=0, max_value=23), st.integers(min_value=0, max_value=59))
def test_duration_hours_minutes(h: int, m: int) -> None:
    if h == m == 0:
        with pytest.raises(InvalidInput):
            parse_duration(f"{h}h{m}")
        return
    assert parse_duration(f"{h}h{m}") == h * 60 + m
    assert parse_duration(f"{h}h {m}m") == h * 60 + m
    assert parse_duration(f"{h}:{m:02d}") == h * 60 + m


@given(st.integers(min_value=1, max_value=1440))
def test_duration_plain_minutes(n: int) -> None:
    assert parse_duration(str(n)) == n
    assert parse_duration(f"{n}m") == n
    assert parse_duration(f"{n} min") == n


@given(st.text(max_size=30))
def test_any_text_gives_a_value_or_invalid_input(text: str) -> None:
    for parse in (
        lambda: parse_moment(text, NOW),
        lambda: parse_day(text, TODAY),
        lambda: parse_duration(text),
    ):
        try:
            parse()
        except InvalidInput as error:
            assert "\n" not in str(error)


@pytest.mark.parametrize("text", ["٢٠٢٦-١٢-٠١", "in ٣ days"])
def test_only_ascii_digits(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_day(text, TODAY)


# --- the forms mail and people write (one parser for the CLI, sheets and mail) ----------------

DEC_1 = date(2026, 12, 1)  # a Tuesday, the first day of a month


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Dec 10", date(2026, 12, 10)),
        ("10 Dec", date(2026, 12, 10)),
        ("December 10th", date(2026, 12, 10)),
        ("10th of December", date(2026, 12, 10)),
        ("dec. 10, 2027", date(2027, 12, 10)),
        ("Nov 25", date(2026, 11, 25)),  # the nearest occurrence: six days ago
        ("Jan 15", date(2027, 1, 15)),
        ("next week", date(2026, 12, 7)),
        ("end of week", date(2026, 12, 4)),
        ("end of the month", date(2026, 12, 31)),
        ("end of month", date(2026, 12, 31)),
        ("next month", date(2027, 1, 1)),
        ("eod", DEC_1),
        ("end of day", DEC_1),
        ("2026/12/10", date(2026, 12, 10)),
        ("this friday", date(2026, 12, 4)),
    ],
)
def test_words_people_write(text: str, expected: date) -> None:
    assert parse_day(text, DEC_1) == expected


@pytest.mark.parametrize(
    ("order", "text", "expected"),
    [
        ("dmy", "12/10/2026", date(2026, 10, 12)),
        ("mdy", "12/10/2026", date(2026, 12, 10)),
        ("ymd", "2026/12/10", date(2026, 12, 10)),
        ("dmy", "12.10.2026", date(2026, 10, 12)),
        ("dmy", "12/10/26", date(2026, 10, 12)),
        ("dmy", "25/12", date(2026, 12, 25)),
        ("mdy", "12/25", date(2026, 12, 25)),
    ],
)
def test_numeric_dates_follow_the_order_setting(order: str, text: str, expected: date) -> None:
    use_order(lambda: order)
    try:
        assert parse_day(text, DEC_1) == expected
    finally:
        use_order(None)


@pytest.mark.parametrize("text", ["13/13/2026", "31/02/2026", "0/5/2026"])
def test_impossible_numeric_dates_list_the_forms(text: str) -> None:
    use_order(lambda: "dmy")
    try:
        with pytest.raises(InvalidInput, match="not a real date; try 2026-12-10") as caught:
            parse_day(text, DEC_1)
        assert "10/12/2026 (day first, dates.order)" in str(caught.value)
    finally:
        use_order(None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("eod", datetime(2026, 12, 1, 17, 0)),
        ("yesterday 14:00", datetime(2026, 11, 30, 14, 0)),
        ("friday 9am", datetime(2026, 12, 4, 9, 0)),
        ("2pm", datetime(2026, 12, 1, 14, 0)),
        ("Dec 10 15:30", datetime(2026, 12, 10, 15, 30)),
        ("in 3 days", datetime(2026, 12, 4, 10, 0)),
    ],
)
def test_moments_people_write(text: str, expected: datetime) -> None:
    assert parse_moment(text, datetime(2026, 12, 1, 10, 0)) == expected


def test_a_bad_order_setting_is_named() -> None:
    use_order(lambda: "dym")
    try:
        with pytest.raises(InvalidInput, match=r"dates\.order"):
            parse_day("1/2/2026", DEC_1)
    finally:
        use_order(None)


@given(st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)),
       st.sampled_from(["auto", *ORDERS]))
def test_an_iso_date_reads_back_as_itself(day: date, order: str) -> None:
    use_order(lambda: order)
    try:
        assert parse_day(day.isoformat(), DEC_1) == day
        assert parse_moment(day.isoformat() + " 14:00", NOW) == datetime.combine(day, time(14))
    finally:
        use_order(None)


@given(st.text(max_size=40))
def test_any_text_reads_as_a_date_or_raises_the_documented_error(text: str) -> None:
    for parse in (lambda: parse_day(text, DEC_1), lambda: parse_moment(text, NOW)):
        try:
            parse()
        except InvalidInput as exc:
            assert "\n" not in str(exc)


@given(st.from_regex(r"(in )?[0-9]{1,12} ?(days?|weeks?|months?|years?|h|min)( ago)?|"
                     r"[0-9]{1,3}[/.-][0-9]{1,3}([/.-][0-9]{1,5})?|"
                     r"(jan|dec|feb) [0-9]{1,3}(, [0-9]{4})?|[0-9]{1,2} (may|sept)( [0-9]{4})?",
                     fullmatch=True))
def test_date_like_text_reads_or_raises_the_documented_error(text: str) -> None:
    for parse in (lambda: parse_day(text, DEC_1), lambda: parse_moment(text, NOW)):
        with contextlib.suppress(InvalidInput):
            parse()


# --- through the command line ------------------------------------------------------------------


@pytest.fixture
def ordered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[str], Patron]:
    """A register on 1 December whose settings read numeric dates in the order given."""
    monkeypatch.setenv("PATRON_NOW", "2026-12-01T10:00")
    config = tmp_path / "config.toml"
    monkeypatch.setenv("PATRON_CONFIG", str(config))

    def world(order: str) -> Patron:
        config.write_text(f'[dates]\norder = "{order}"\n')
        return Patron(str(tmp_path / "d.sqlite"), CliRunner())

    return world


@pytest.mark.parametrize(
    ("order", "due", "expected"),
    [
        ("dmy", "Dec 10", "2026-12-10T00:00:00"),
        ("dmy", "10 Dec", "2026-12-10T00:00:00"),
        ("dmy", "December 10th", "2026-12-10T00:00:00"),
        ("dmy", "next week", "2026-12-07T00:00:00"),
        ("dmy", "eod", "2026-12-01T17:00:00"),
        ("dmy", "end of month", "2026-12-31T00:00:00"),
        ("dmy", "12/10/2026", "2026-10-12T00:00:00"),
        ("mdy", "12/10/2026", "2026-12-10T00:00:00"),
        ("ymd", "2026/12/10", "2026-12-10T00:00:00"),
    ],
)
def test_ask_due_dates_people_write(ordered: Callable[[str], Patron], order: str, due: str,
                                    expected: str) -> None:
    world = ordered(order)
    world.ok(f"ask add X --due '{due}'")
    assert json.loads(world.ok("ask list --json"))[0]["due_at"] == expected


@pytest.mark.parametrize("due", ["13/13/2026", "soonish"])
def test_unreadable_due_dates_are_refused_with_the_forms(ordered: Callable[[str], Patron],
                                                         due: str) -> None:
    said = ordered("dmy").fails(f"ask add X --due '{due}'", 2)
    assert repr(due) in said and said.count("\n") == 1
    assert "'Dec 10'" in said and "10/12/2026 (day first, dates.order)" in said


def test_auto_follows_the_locale_order() -> None:
    from patron import dates

    assert dates.locale_order() == "mdy"  # conftest: as the C locale writes dates
    use_order(lambda: "auto")
    try:
        assert parse_day("12/10/2026", DEC_1) == date(2026, 12, 10)
    finally:
        use_order(None)


def test_the_real_locale_order_is_one_of_the_orders() -> None:
    assert REAL_LOCALE_ORDER() in ORDERS  # taken before conftest replaces it
