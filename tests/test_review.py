"""The periodic review, on the demo and by hand, in text and Markdown."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from patron.reports import review as report
from patron.services import review
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
    assert md.startswith("# Review of the month 2026-11-01 to 2026-11-30")
    assert "| customer |" in md and "## Relationships going cold" in md
    plain = report.text(result)
    assert "#" not in plain.splitlines()[0] and "Would they hire you back?" in plain


def test_a_reflection_is_found_again_next_period(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    world = Patron(str(tmp_path / "r.sqlite"), CliRunner())
    world.ok("engagement add Job --kind employer")
    world.ok("reflect 4 'I let Helen go cold'")
    assert "*I let Helen go cold*" in world.ok("review --format md")
    monkeypatch.setenv("PATRON_NOW", "2026-12-03T09:00")
    december = world.ok("review")
    assert "Last period you wrote" in december and "I let Helen go cold" in december
    out = tmp_path / "review.md"
    world.ok(f"review --period quarter --format md -o {out}")
    assert out.read_text().startswith("# Review of the quarter 2026-10-01 to 2026-12-31")
    assert "no database" in Patron(str(tmp_path / "none.sqlite"), CliRunner()).fails("review", 6)
