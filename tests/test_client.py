"""Who the client is, where asks collide, and the stakeholder map (on the demo and by hand)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from patron.domain.records import BY_KIND
from patron.services import client, demo, records
from patron.settings import defaults
from patron.store.database import Store, open_store
from tests.conftest import NOW, Patron


def engagement_id(store: Store, name: str) -> int:
    from patron.services.names import resolve

    with store.read() as conn:
        return resolve(conn, BY_KIND["engagement"], name)


def test_the_executive_and_the_manager_of_the_ledger(portfolio: Store) -> None:
    with portfolio.read() as conn:
        view = client.client(conn, defaults(), NOW, engagement_id(portfolio, "Ledger"))
    assert [m.name for m in view.executive] == ["Helen Brandt"]
    assert [m.name for m in view.manager] == ["Victor Lam"]
    assert view.most_influential is not None and view.most_influential.name == "Helen Brandt"
    assert any("opposed" in line for line in view.diverge)
    assert any("cannot both be done" in line for line in view.diverge)
    assert view.favour is not None and view.favour.name == "Helen Brandt"
    assert any("12 days" in reason for reason in view.reasons)


def test_the_employer_engagement_is_directed_by_the_boss(portfolio: Store) -> None:
    with portfolio.read() as conn:
        view = client.client(conn, defaults(), NOW, engagement_id(portfolio, "Larkspur"))
    assert [m.name for m in view.manager] == ["Priya Nair"]


def test_missing_data_says_what_to_find_out(store: Store) -> None:
    with store.begin() as conn:
        ident = records.add(conn, BY_KIND["engagement"], {"name": "Bare"}, NOW)
        view = client.client(conn, defaults(), NOW, ident)
    assert view.executive == [] and view.favour is None
    assert any("who signs the invoices" in line for line in view.find_out)
    assert any("judges the work" in line for line in view.find_out)


def test_conflicts_on_the_demo(portfolio: Store) -> None:
    with portfolio.read() as conn:
        found, load = client.conflicts(conn, defaults(), NOW)
    kinds = {c.kind for c in found}
    assert {"mutually exclusive", "same deliverable", "opposed incentives"} <= kinds
    rota = next(c for c in found if c.kind == "same deliverable" and "rota" in c.summary)
    assert rota.renegotiate_with == "Marcus Bell"  # the lower-weight requester
    assert "out of hours" in rota.at_stake
    assert load["available_hours"] > 0


def _hand(store: Store, values: list[tuple[str, dict[str, Any]]]) -> None:
    with store.begin() as conn:
        for kind, v in values:
            records.add(conn, BY_KIND[kind], v, NOW)


def test_deadlines_that_cannot_both_be_met_and_over_commitment(store: Store) -> None:
    # NOW is Friday 10:00; Friday and Monday give 12 working hours at 6 a day.
    _hand(store, [
        ("engagement", {"name": "E"}), ("person", {"name": "Ann"}), ("person", {"name": "Bob"}),
        ("stakeholder", {"person_id": "Ann", "engagement_id": "E", "role": "sponsor"}),
        ("stakeholder", {"person_id": "Bob", "engagement_id": "E", "role": "teammate"}),
        ("ask", {"title": "A", "requester_id": "Ann", "engagement_id": "E", "due_at": "monday 17:00",
                 "effort_hours": 8, "status": "doing"}),
        ("ask", {"title": "B", "requester_id": "Bob", "engagement_id": "E", "due_at": "monday 17:00",
                 "effort_hours": 6, "status": "doing"}),
        ("ask", {"title": "C", "requester_id": "Bob", "engagement_id": "E", "due_at": "in 13 days",
                 "effort_hours": 60, "status": "doing"}),
    ])
    with store.read() as conn:
        found, load = client.conflicts(conn, defaults(), NOW)
    deadline = next(c for c in found if c.kind == "deadlines" and "#1 and #2" in c.summary)
    assert "14h" in deadline.summary and "12h" in deadline.summary
    assert deadline.renegotiate_with == "Bob"
    over = next(c for c in found if c.kind == "over-commitment")
    assert load["committed_hours"] == 74 and over.renegotiate_with == "Bob"


def test_the_stakeholder_commands(tmp_path: Path) -> None:
    Patron(str(tmp_path / "mine.sqlite"), CliRunner()).ok(f"demo --path {tmp_path / 'demo.sqlite'}")
    world = Patron(str(tmp_path / "demo.sqlite"), CliRunner())
    table = world.ok("stakeholders Ledger")
    assert "manage closely" in table and "Helen Brandt" in table and "definitive" in table
    data = json.loads(world.ok("stakeholders Ledger --json"))
    helen = next(s for s in data["stakeholders"] if s["name"] == "Helen Brandt")
    assert helen["salience_class"] == "definitive" and helen["quadrant"] == "manage closely"
    world.ok(f"stakeholders Ledger --svg {tmp_path / 'grid.svg'} --png {tmp_path / 'grid.png'}")
    svg = (tmp_path / "grid.svg").read_text()
    assert svg.startswith("<?xml") and "Helen Brandt" in svg
    assert (tmp_path / "grid.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "favour Helen Brandt" in world.ok("client Ledger")
    assert len(json.loads(world.ok("client --all --json"))) == 5
    assert "renegotiate" in world.ok("conflicts")
    assert json.loads(world.ok("conflicts --engagement Clinic --json"))["conflicts"]
    gif = tmp_path / "x.gif"
    assert "grid picture must end in .svg or .png" in world.fails(f"stakeholders Ledger --svg {gif}", 2)
    assert "--all" in world.fails("client", 2)


# --- too close to call ------------------------------------------------------------------------


def _fresh(tmp_path: Path) -> Patron:
    """A new engagement: its Executive and Manager added today, on their roles' usual values."""
    patron = Patron(str(tmp_path / "fresh.sqlite"), CliRunner())
    for line in ("engagement add Atlas --kind client", "person add 'Ann Exec'", "person add 'Mo Man'",
                 "stakeholder add Ann Atlas --role sponsor",
                 "stakeholder add Mo Atlas --role manager"):
        patron.ok(line)
    return patron


def test_role_defaults_alone_are_too_close_to_call(tmp_path: Path) -> None:
    fresh = _fresh(tmp_path)
    out = fresh.ok("client Atlas")
    assert "too close to call" in out and "Ann Exec 10.7, Mo Man 10.8" in out
    assert "favour Mo Man" not in out and "favour Ann Exec" not in out
    assert "weighs more" not in out
    assert "to decide, find out:" in out and "who signs the renewal" in out
    assert "Ann Exec is still at a sponsor's usual values" in out
    assert "Mo Man is still at a manager's usual values" in out
    assert "has not heard from you" not in out and "barely know" not in out
    [view] = json.loads(fresh.ok("client Atlas --json"))
    assert view["favour"] is None and view["too_close"] is True
    assert any("who signs" in line for line in view["to_decide"])
    assert any("10.7" in reason and "10.8" in reason for reason in view["reasons"])


def test_a_clear_gap_gives_the_verdict(tmp_path: Path) -> None:
    fresh = _fresh(tmp_path)
    fresh.ok("engagement edit Atlas --add-criterion 'Close the books in three days'")
    out = fresh.ok("client Atlas")
    assert "'Close the books in three days'" in out  # whose incentives do the criteria serve?
    fresh.ok("stakeholder edit 'Ann/Atlas' --urgency 4")  # now she holds all three attributes
    out = fresh.ok("client Atlas")
    assert "favour Ann Exec when they conflict" in out and "too close" not in out
    assert "Ann Exec weighs more in this engagement (Ann Exec 12.0, Mo Man 10.8" in out
    assert "Mo Man has exactly a manager's usual values" in out
    [view] = json.loads(fresh.ok("client Atlas --json"))
    assert view["favour"]["name"] == "Ann Exec" and view["too_close"] is False
    assert view["to_decide"] == []


def test_the_margin_is_a_setting(tmp_path: Path) -> None:
    fresh = _fresh(tmp_path)
    config = tmp_path / "c.toml"
    config.write_text("[client]\ntoo_close = 0\n")
    assert "favour Mo Man" in fresh.ok(f"--config {config} client Atlas")
    config.write_text("[client]\ntoo_close = 0.2\n")
    fresh.ok("stakeholder edit 'Ann/Atlas' --urgency 4")
    assert "too close to call" in fresh.ok(f"--config {config} client Atlas")


def test_an_executive_past_the_first_check_in_is_named_truthfully(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fresh = _fresh(tmp_path)
    monkeypatch.setenv("PATRON_NOW", (NOW + timedelta(days=20)).isoformat())
    out = fresh.ok("client Atlas")
    assert "Ann Exec: no contact yet, added 20 days ago, 6 days past the first check-in" in out


def test_the_demo_story_still_favours_the_cfo(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "d.sqlite"))
    with store.begin() as conn:
        demo.build(conn, NOW)
    store.close()
    world = Patron(str(tmp_path / "d.sqlite"), CliRunner())
    out = world.ok("client Ledger")
    assert "favour Helen Brandt when they conflict" in out and "too close" not in out
    assert "Helen Brandt: last contact 26 days ago, 12 days overdue" in out
