"""Dates of the people who matter: birthdays and anniversaries, typed or from vCard, in `due`."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from patron.domain import anniversaries
from patron.errors import InvalidInput
from tests.conftest import NOW, Patron

TODAY = NOW.date()  # Friday 20 November 2026


def test_a_birthday_without_its_year_is_shown_without_one(patron: Patron) -> None:
    patron.ok("person add Helen --birthday --0415 --anniversary 2010-06-12")
    patron.ok("person add Victor --birthday 'March 3'")
    shown = patron.ok("person show Helen")
    assert "April 15" in shown and "2010-06-12" in shown
    assert "1604" not in shown
    assert "March 3" in patron.ok("person show Victor")
    patron.ok("person edit Victor --birthday 1980-03-03")
    assert "1980-03-03" in patron.ok("person show Victor")
    # JSON keeps the stored day: vCard 4's 1604 for a year not known
    assert json.loads(patron.ok("person show Helen --json"))["birthday"] == "1604-04-15"


def test_a_birthday_that_is_no_day_is_refused_in_one_line(patron: Patron) -> None:
    error = patron.fails("person add Helen --birthday --1345", code=2)
    assert "no day of the year" in error and "Traceback" not in error
    assert "Helen" not in patron.ok("person list")


@given(st.dates(date(1604, 1, 1), date(1604, 12, 31)))
def test_a_year_less_day_reads_back_from_its_vcard_form(day: date) -> None:
    assert anniversaries.from_vcard(anniversaries.vcard_text(day)) == day
    assert anniversaries.parse(anniversaries.vcard_text(day), TODAY) == day
    assert anniversaries.parse(f"{day:%m-%d}", TODAY) == day


@given(st.dates(date(1900, 1, 1), date(2030, 12, 31)), st.dates(date(2000, 1, 1), date(2040, 12, 31)))
def test_the_next_time_a_day_comes_round_is_within_a_year_and_the_same_day(
        day: date, today: date) -> None:
    on = anniversaries.next_on(day, today)
    assert today <= on < today + timedelta(days=366)
    assert (on.month, on.day) == (day.month, day.day) or (day.month, day.day, on.day) == (2, 29, 28)


def test_a_month_named_without_a_year_is_a_day_of_any_year() -> None:
    for text in ("3 Oct", "October 3", "the 3rd of october", "--1003", "10-03"):
        assert anniversaries.parse(text, TODAY) == date(1604, 10, 3), text
    assert anniversaries.parse("1980-10-03T00:00:00Z", TODAY) == date(1980, 10, 3)
    assert anniversaries.parse("Oct 3, 1980", TODAY) == date(1980, 10, 3)


def test_unreadable_vcard_dates_are_none() -> None:
    for text in ("circa 1800", "--1345", "2026-02-30", ""):
        assert anniversaries.from_vcard(text) is None
    try:
        anniversaries.parse("--1345", TODAY)
    except InvalidInput as exc:
        assert "no day" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("--1345 was read")


CARDS = (
    "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:helen\r\nFN:Helen Brandt\r\nEMAIL:helen@northwind.example\r\n"
    "BDAY:--0415\r\nANNIVERSARY:20100612\r\nEND:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:victor\r\nFN:Victor Lam\r\nEMAIL:victor@northwind.example\r\n"
    "BDAY:1980-03-03T00:00:00Z\r\nX-ANNIVERSARY:2001-09-01\r\nEND:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:odd\r\nFN:Odd Date\r\nEMAIL:odd@example.org\r\n"
    "BDAY;VALUE=text:circa 1800\r\nEND:VCARD\r\n"
)


def test_vcard_dates_come_in_and_go_out(patron: Patron, tmp_path: Path) -> None:
    cards = tmp_path / "book.vcf"
    cards.write_text(CARDS, encoding="utf-8")
    patron.ok(f"import vcard {cards}")
    helen = json.loads(patron.ok("person show Helen --json"))
    assert (helen["birthday"], helen["anniversary"]) == ("1604-04-15", "2010-06-12")
    victor = json.loads(patron.ok("person show Victor --json"))
    assert (victor["birthday"], victor["anniversary"]) == ("1980-03-03", "2001-09-01")
    odd = json.loads(patron.ok("person show Odd --json"))  # the card is kept, the date is not
    assert odd["birthday"] is None
    exported = patron.ok("export vcard")
    assert "BDAY:--0415" in exported and "X-ANNIVERSARY:2010-06-12" in exported
    assert "BDAY:1980-03-03" in exported
    again = Patron(str(tmp_path / "again.sqlite"), patron.runner)
    (tmp_path / "out.vcf").write_text(exported, encoding="utf-8")
    again.ok(f"import vcard {tmp_path / 'out.vcf'}")
    assert again.ok("export vcard") == exported


def test_a_card_fills_an_empty_birthday_but_never_overwrites_one(patron: Patron, tmp_path: Path) -> None:
    patron.ok("person add 'Helen Brandt' --email helen@northwind.example --birthday 1975-01-02")
    cards = tmp_path / "book.vcf"
    cards.write_text(CARDS, encoding="utf-8")
    patron.ok(f"import vcard {cards}")
    helen = json.loads(patron.ok("person show Helen --json"))
    assert helen["birthday"] == "1975-01-02"        # what was typed wins
    assert helen["anniversary"] == "2010-06-12"     # the empty one is filled


def _world(patron: Patron) -> None:
    for line in ("engagement add Ledger", "engagement add Old --status done",
                 f"person add Helen --birthday {TODAY + timedelta(days=3):%Y-%m-%d}",
                 f"person add Victor --birthday --{TODAY + timedelta(days=3):%m%d}",
                 f"person add Zoe --anniversary {TODAY.replace(year=2010):%Y-%m-%d}",
                 f"person add Far --birthday {TODAY + timedelta(days=30):%Y-%m-%d}",
                 "stakeholder add Helen Ledger --role sponsor",
                 "stakeholder add Zoe Ledger --role customer",
                 "stakeholder add Far Ledger --role customer",
                 "stakeholder add Victor Old --role sponsor"):
        patron.ok(line)
    # everyone met today: only a date can bring them into `due`
    for who in ("Helen", "Zoe", "Far", "Victor"):
        patron.ok(f"met {who} hello --at '{NOW:%Y-%m-%d %H:%M}'")


def test_due_lists_the_dates_of_people_in_active_engagements(patron: Patron) -> None:
    _world(patron)
    out = patron.ok("due --json")
    found = {d["person"]: d for d in json.loads(out)}
    assert found["Helen"]["dates"] == ["birthday in 3 days"]
    assert "birthday in 3 days" in found["Helen"]["reason"]
    assert found["Zoe"]["dates"] == ["anniversary today (16)"]
    assert "Far" not in found          # 30 days off: beyond digest.dates_days
    assert "Victor" not in found       # his only engagement is done
    text = patron.ok("--no-pager due")
    assert "birthday in 3 days" in text and "anniversary today (16)" in text
