"""The periodic review, on the demo and by hand, in text and Markdown."""

from __future__ import annotations

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
