"""The demo portfolio: realistic, reproducible, and computed, not canned."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from patron.services import backup, demo, overview
from patron.settings import defaults
from patron.store import schema
from patron.store.database import Store, open_store
from tests.conftest import NOW


def count(store: Store, table: schema.Table, *where: object) -> int:
    with store.read() as conn:
        return int(conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one())


def test_it_is_big_enough_to_mean_something(portfolio: Store) -> None:
    assert count(portfolio, schema.person) >= 25
    assert count(portfolio, schema.organisation) >= 5
    assert count(portfolio, schema.engagement) >= 4
    assert count(portfolio, schema.prospect, schema.prospect.c.status == "screening") == 1
    for table in (schema.feedback, schema.commitment, schema.time_entry):
        assert count(portfolio, table) >= 10
    with portfolio.read() as conn:
        first, last = conn.execute(
            select(
                func.min(schema.interaction.c.occurred_at),
                func.max(schema.interaction.c.occurred_at),
            )
        ).one()
    assert last - first >= timedelta(days=120), "months of interactions"
    assert last <= NOW


def test_building_twice_gives_the_same_register(tmp_path: Path) -> None:
    exports = []
    for name in ("one.sqlite", "two.sqlite"):
        store = open_store(str(tmp_path / name))
        with store.begin() as conn:
            demo.build(conn, NOW)
            exports.append(backup.dumps(backup.export_document(conn)))
        store.close()
    assert exports[0] == exports[1]


def test_the_three_bosses_are_all_there(portfolio: Store) -> None:
    with portfolio.read() as conn:
        kinds = set(conn.execute(select(schema.engagement.c.kind)).scalars())
        bosses = Counter(conn.execute(select(schema.time_entry.c.boss_kind)).scalars())
    assert kinds == {"client", "employer", "self"}
    assert set(bosses) == {"employer", "customer", "self"}


def test_four_customers_and_the_line_manager_as_one_more(portfolio: Store) -> None:
    st, e = schema.stakeholder, schema.engagement
    with portfolio.read() as conn:
        rows = conn.execute(
            select(st.c.person_id, st.c.role)
            .join(e, e.c.id == st.c.engagement_id)
            .where(e.c.name == "Clinic scheduling rollout")
        ).all()
    roles: dict[int, set[str]] = {}
    for person, role in rows:
        roles.setdefault(person, set()).add(role)
    customers = [p for p, r in roles.items() if "customer" in r and "boss" not in r]
    assert len(customers) >= 4
    assert any({"customer", "boss"} <= r for r in roles.values())


def test_the_manager_and_the_executive_want_different_things(portfolio: Store) -> None:
    result = overview.build(portfolio.engine.connect(), defaults(), NOW)
    ledger = next(v for v in result.engagements if v.name == "Ledger migration")
    assert [c.person for c in ledger.pays] == ["Helen Brandt"]
    assert [c.person for c in ledger.directs] == ["Victor Lam"]
    assert ledger.incentives["Helen Brandt"] != ledger.incentives["Victor Lam"]


def test_the_overview_is_computed_from_the_register(portfolio: Store) -> None:
    with portfolio.read() as conn:
        result = overview.build(conn, defaults(), NOW, ask_limit=100)
        still_open = conn.execute(
            select(func.count())
            .select_from(schema.ask)
            .where(schema.ask.c.status.in_(("open", "doing", "waiting")))
        ).scalar_one()
    assert result.open_asks == still_open == len(result.asks)
    scores = [a.score for a in result.asks]
    assert scores == sorted(scores, reverse=True), "best first, by the explained score"
    assert result.asks[0].score > result.asks[-1].score
    ledger = next(v for v in result.engagements if v.name == "Ledger migration")
    assert "Helen Brandt" in [c.person for c in ledger.overdue], "the Executive is going cold"
    assert all(c.due.days_overdue > 0 for v in result.engagements for c in v.overdue)


def test_overdue_follows_the_settings(portfolio: Store) -> None:
    relaxed = defaults()
    relaxed_values = dict(relaxed.values) | {
        f"cadence.{r}": 365
        for r in ("sponsor", "manager", "boss", "customer", "teammate", "gatekeeper", "mentor")
    }
    with portfolio.read() as conn:
        result = overview.build(conn, type(relaxed)(relaxed_values, None), NOW)
    assert all(not v.overdue for v in result.engagements)


def test_the_demo_mail_is_older_than_everyones_last_contact() -> None:
    """Mail must not undo the story: Helen has not heard from Sam for weeks."""
    for _, mails in demo.THREADS:
        for ago, _, sender, to, cc, _ in mails:
            assert demo.ME in (sender, *to, *cc)
            for person in {sender, *to, *cc} - {demo.ME}:
                assert ago > demo.RHYTHM[person][0], (person, ago)


def test_the_demo_mailbox_is_real_mail_with_threads() -> None:
    from email import message_from_bytes

    messages = [message_from_bytes(m.data) for m in demo.mailbox(NOW)]
    assert len(messages) == sum(len(mails) for _, mails in demo.THREADS)
    ids = {m["Message-ID"] for m in messages}
    answers = [m for m in messages if m["In-Reply-To"]]
    assert answers and all(m["In-Reply-To"] in ids for m in answers)
    assert all(m["Subject"].startswith("Re: ") for m in answers)
