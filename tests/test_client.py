"""Who the client is, where asks collide, and the stakeholder map (on the demo and by hand)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from patron.domain.records import BY_KIND
from patron.services import client, records
from patron.settings import defaults
from patron.store.database import Store
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
