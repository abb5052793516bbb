"""Screening prospects: partnership questions, red flags, a recommendation with reasons."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from patron.domain import screening as s
from patron.services import screening
from patron.settings import defaults
from patron.store.database import Store
from tests.conftest import Patron

PHRASES = {kind: list(p) for kind, p in s.DEFAULT_PHRASES.items()}


def test_flags_name_the_sentence_and_where() -> None:
    flags = s.red_flags([("mail 7", "Thanks for the call. Listen, you work for me, okay? Bye.")],
                        PHRASES)
    assert [(f.kind, f.sentence, f.source) for f in flags] == \
        [("ownership", "Listen, you work for me, okay?", "mail 7")]


def test_phrases_match_whole_words_and_curly_quotes() -> None:
    assert not s.red_flags([("x", "The uselessness of meetings.")], PHRASES)
    assert s.red_flags([("x", "Throw it in for free, while you\u2019re at it.")], PHRASES)


def test_the_demo_prospect_is_declined_with_reasons(portfolio: Store) -> None:
    with portfolio.read() as conn:
        result = screening.screen_prospect(conn, defaults(), 1)
    assert result.recommendation == "decline" and result.fit < 40
    assert {f.kind for f in result.flags} == {"ownership", "price_pressure", "unpaid_scope", "contempt"}
    assert any(f.source.startswith("interaction") for f in result.flags)
    assert any("goal" in reason for reason in result.reasons)


def test_a_fair_prospect_and_the_fee_setting(tmp_path: Path) -> None:
    world = Patron(str(tmp_path / "p.sqlite"), CliRunner())
    for line in ("organisation add Northwind", "person add Ada --org Northwind",
                 "prospect add 'Northwind audit' --org Northwind --contact Ada --fee 50000 "
                 "--goal 'Close the books in five days' --notes 'Warm call; clear scope.'"):
        world.ok(line)
    fair = json.loads(world.ok("screen Northwind --json"))
    assert (fair["recommendation"], fair["fit"], fair["flags"]) == ("take it", 70, [])
    config = tmp_path / "config.toml"
    config.write_text("[screening]\nminimum_fee = 40000\n")
    answers = json.loads(world.ok(f"--config {config} screen Northwind --json"))["answers"]
    assert next(a for a in answers if "fee" in a["question"])["answer"] == "yes"
    config.write_text("[screening]\nminimum_fee = 60000\ncontempt = ['dinosaurs']\n")
    world.ok("met Ada 'She called the old auditors dinosaurs'")
    shown = json.loads(world.ok(f"--config {config} screen Northwind --json"))
    assert next(a for a in shown["answers"] if "fee" in a["question"])["answer"] == "no"
    assert [f["phrase"] for f in shown["flags"]] == ["dinosaurs"]


def test_screening_a_block_of_text_from_standard_input(tmp_path: Path) -> None:
    world = Patron(str(tmp_path / "none.sqlite"), CliRunner())
    result = world("screen", "-", input="We need this cheaper. The last vendor were clowns.")
    assert result.exit_code == 0
    assert "decline" in result.stdout or "negotiate" in result.stdout
    assert "clowns" in result.stdout and "cheaper" in result.stdout
    clean = json.loads(world.ok("screen - --json", input="Looking forward to working together."))
    assert clean["flags"] == [] and clean["recommendation"] == "negotiate first"
    assert "no database" in world.fails("screen Nobody", 6)  # reading never creates one


def test_empty_text_and_a_fee_of_nothing(tmp_path: Path) -> None:
    world = Patron(str(tmp_path / "e.sqlite"), CliRunner())
    assert "no text to screen" in world.fails("screen -", 2)
    world.ok("prospect add Freebie --fee 0")
    config = tmp_path / "c.toml"
    config.write_text("[screening]\nminimum_fee = 500\n")
    answers = json.loads(world.ok(f"--config {config} screen Freebie --json"))["answers"]
    assert next(a for a in answers if "fee" in a["question"])["answer"] == "no"
