"""The periodic review, on the demo and by hand, in text and Markdown."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from patron.reports import html
from patron.reports import review as report
from patron.services import review
from patron.services.client import members
from patron.settings import defaults
from patron.store.database import Store
from tests.conftest import NOW, Patron


def test_the_monthly_review_of_the_demo(portfolio: Store) -> None:
    with portfolio.read() as conn:
        result = review.build(conn, defaults(), NOW, "month")
    assert (result.first.isoformat(), result.last.isoformat()) == ("2026-11-01", "2026-11-30")
    ledger = next(c for c in result.clients if c.engagement == "Ledger migration")
    assert "Parallel run report by Friday" in ledger.broken
    assert any(f.startswith("Victor Lam: 5/10") for f in ledger.feedback)
    assert "Helen Brandt" in ledger.not_asked and "Victor Lam" not in ledger.not_asked
    assert {c.engagement for c in result.clients} >= {"Ledger migration", "Larkspur role"}
    assert set(result.time_minutes) == {"employer", "customer", "self"}
    assert all(result.time_minutes.values())
    assert sum(result.time_target.values()) == pytest.approx(1.0)
    assert any(line.startswith("Helen Brandt") for line in result.neglected)
    md = report.markdown(result)
    assert md.startswith("# Review of November 2026 (2026-11-01 to 2026-11-30)")
    assert "| customer |" in md and "## Relationships going cold" in md
    plain = report.text(result)
    assert "#" not in plain.splitlines()[0] and "Would they hire you back?" in plain
    with portfolio.read() as conn:
        grid = {"Ledger migration": members(conn, defaults(), NOW, 1)}
    page = html.page(result, grid, 3)
    assert page.count("<svg") == 3 and "Helen" in page and "Larkspur role" in page


def test_a_reflection_is_found_again_next_period(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    world = Patron(str(tmp_path / "r.sqlite"), CliRunner())
    world.ok("engagement add Job --kind employer")
    world.ok("reflect 4 'I let Helen go cold'")
    assert "*I let Helen go cold*" in world.ok("review --format md")
    monkeypatch.setenv("PATRON_NOW", "2026-12-04T09:00")  # past the first days: December's
    december = world.ok("review")
    assert "Last period you wrote" in december and "I let Helen go cold" in december
    out = tmp_path / "review.md"
    world.ok(f"review --period quarter --format md -o {out}")
    assert out.read_text().startswith("# Review of Q4 2026 (2026-10-01 to 2026-12-31)")
    assert "no database" in Patron(str(tmp_path / "none.sqlite"), CliRunner()).fails("review", 6)


def _hostile_world(tmp_path: Path) -> Patron:
    world = Patron(str(tmp_path / "h.sqlite"), CliRunner())
    for line in ("engagement add 'Acme <b>rollout</b>'", "person add '<script>alert(1)</script>'",
                 "stakeholder add '<script>' Acme --role sponsor",
                 "feedback '<script>' --rating 3 '<img src=x onerror=alert(1)>'",
                 "time 2h Acme"):
        world.ok(line)
    return world


def test_the_html_review_is_one_self_contained_escaped_page(tmp_path: Path) -> None:
    world = _hostile_world(tmp_path)
    out = tmp_path / "review.html"
    world.ok(f"review --format html -o {out}")
    page = out.read_text()
    assert page.startswith("<!doctype html>") and page.count("<svg") >= 3
    assert "<script" not in page and "<img" not in page and "onerror=alert" in page  # as text
    assert "&lt;script&gt;" in page and "Acme &lt;b&gt;rollout&lt;/b&gt;" in page
    assert "http://" not in page.replace("http://www.w3.org/2000/svg", "")  # nothing fetched


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Chromium is not installed")
def test_the_html_review_renders_in_a_real_browser(tmp_path: Path) -> None:
    world = _hostile_world(tmp_path)
    out = tmp_path / "review.html"
    world.ok(f"review --format html -o {out}")
    shot = tmp_path / "review.png"
    subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1000,1400",
         f"--screenshot={shot}", out.as_uri()],
        check=True, capture_output=True, timeout=120)
    picture = shot.read_bytes()
    assert picture[:8] == b"\x89PNG\r\n\x1a\n" and len(picture) > 20_000  # a page, not a blank
    dumped = subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", f"--user-data-dir={tmp_path / 'profile2'}",
         "--dump-dom", out.as_uri()], check=True, capture_output=True, text=True, timeout=120).stdout
    assert "Would they hire you back?" in dumped and "alert(1)" in dumped
    assert "<script>alert" not in dumped  # the name stayed text; nothing ran


# --- the first days of a period ----------------------------------------------------------------


@pytest.fixture
def months(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Patron:
    """Months of time and a reflection-free register, on the morning of 1 December."""
    monkeypatch.setenv("PATRON_NOW", "2026-12-01T09:00")
    world = Patron(str(tmp_path / "m.sqlite"), CliRunner())
    world.ok("engagement add Ledger --kind client --rate 120")
    world.ok("engagement add Job --kind employer")
    for day, duration, engagement in (("2026-09-14", "3h", "Ledger"), ("2026-10-06", "2h", "Job"),
                                      ("2026-11-03", "4h", "Ledger"), ("2026-11-20", "2h", "Ledger"),
                                      ("2026-11-24", "1h30", "Job")):
        world.ok(f"time {duration} {engagement} --at '{day} 10:00'")
    return world


def test_on_the_first_of_the_month_the_review_covers_the_month_just_ended(months: Patron) -> None:
    out = months.ok("review")
    assert out.startswith("Review of November 2026 (2026-11-01 to 2026-11-30)")
    assert "Covering November 2026, the month just ended; --period month for this one." in out
    assert "customer  6h00" in out and "employer  1h30" in out
    assert "No time logged" not in out and "2026-12-31" not in out


def test_the_current_month_can_still_be_asked_for(months: Patron) -> None:
    out = months.ok("review --period month")
    assert out.startswith("Review of December 2026") and "Covering" not in out
    assert "No time logged in December 2026" in out and "customer  0h00" not in out


def test_named_periods_and_days(months: Patron) -> None:
    quarter = months.ok("review --period last-quarter")
    assert quarter.startswith("Review of Q3 2026 (2026-07-01 to 2026-09-30)")
    assert "customer  3h00" in quarter
    half = months.ok("review --from 2026-11-01 --to 'Nov 15'")
    assert half.startswith("Review of 2026-11-01 to 2026-11-15")
    assert "customer  4h00" in half and "employer  0h00" in half


def test_a_bad_day_is_one_line_with_the_forms_that_work(months: Patron) -> None:
    said = months.fails("review --from soonish", 2)
    assert said.count("\n") == 1 and "Traceback" not in said
    assert "--from" in said and "'soonish'" in said and "'Dec 10'" in said and "'next week'" in said
    assert "--period or --from" in months.fails("review --period month --from 2026-11-01", 2)
    assert "before" in months.fails("review --from 2026-11-10 --to 2026-11-01", 2)


def test_the_review_as_data_and_for_one_engagement(months: Patron) -> None:
    data = json.loads(months.ok("review --json"))
    assert (data["first"], data["last"], data["name"]) == ("2026-11-01", "2026-11-30", "November 2026")
    assert "just ended" in data["note"]
    assert data["time_minutes"] == {"employer": 90, "customer": 360, "self": 0}
    assert {c["engagement"] for c in data["clients"]} == {"Ledger", "Job"}
    one = json.loads(months.ok("review -e Ledger --json"))
    assert [c["engagement"] for c in one["clients"]] == ["Ledger"] and one["engagement"] == "Ledger"
    assert one["time_minutes"] == {"employer": 0, "customer": 360, "self": 0}
    text = months.ok("review --engagement Ledger")
    assert text.startswith("Review of Ledger, November 2026") and "Job" not in text


def test_reflect_on_the_first_files_under_the_month_just_ended(months: Patron,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    out = months.ok("reflect 4 'I let Helen go cold'")
    assert "Covering November 2026" in out and "Reflection for November 2026" in out
    data = json.loads(months.ok("reflect --json"))
    assert (data["first"], data["last"]) == ("2026-11-01", "2026-11-30")
    assert data["questions"][3]["answers"][0]["answer"] == "I let Helen go cold"
    assert "*I let Helen go cold*" in months.ok("review --format md")
    monkeypatch.setenv("PATRON_NOW", "2026-12-10T09:00")
    assert "I let Helen go cold" not in months.ok("reflect")
    assert "*I let Helen go cold*" in months.ok("review --period last-month --format md")
    assert "Last period you wrote" in months.ok("review")


def test_how_many_first_days_look_back_is_a_setting(months: Patron, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[review]\njust_ended_days = 0\n")
    monkeypatch.setenv("PATRON_CONFIG", str(config))
    assert months.ok("review").startswith("Review of December 2026")
    config.write_text("[review]\nperiod = \"week\"\n")
    monkeypatch.setenv("PATRON_NOW", "2026-11-30T09:00")  # a Monday
    assert months.ok("review").startswith("Review of the week of 2026-11-23")


def test_a_review_of_one_engagement_lists_only_who_is_cold_there(patron: Patron) -> None:
    """Helen is overdue as the sponsor of Ledger (every 14 days) but within her cadence as
    Audit's gatekeeper (every 30 days): Audit's review must not call her cold."""
    patron.ok("engagement add Ledger --kind client")
    patron.ok("engagement add Audit --kind client")
    patron.ok("person add 'Helen Brandt' --email helen@meridian.example")
    patron.ok("stakeholder add Helen Ledger --role sponsor --since 2026-09-01")
    patron.ok("stakeholder add Helen Audit --role gatekeeper --since 2026-09-01")
    patron.ok("met Helen 'Steering call' --at 2026-10-31")
    ledger = json.loads(patron.ok("review -e Ledger --period month --json"))
    audit = json.loads(patron.ok("review -e Audit --period month --json"))
    assert [line for line in ledger["neglected"] if line.startswith("Helen Brandt")]
    assert audit["neglected"] == []


def test_feedback_without_a_rating_reads_as_words_not_an_empty_score(tmp_path: Path) -> None:
    world = Patron(str(tmp_path / "f.sqlite"), CliRunner())
    world.ok("engagement add Audit --kind client")
    world.ok("person add Helen")
    world.ok("stakeholder add Helen Audit --role sponsor")
    world.ok("feedback Helen -e Audit 'Clear and on time'")
    world.ok("feedback Helen -e Audit --rating 8")
    for form in ("text", "md", "html"):
        page = world.ok(f"review --format {form}")
        assert "-/10" not in page
        assert "Helen: Clear and on time (no rating)" in page
        assert "Helen: 8/10" in page
