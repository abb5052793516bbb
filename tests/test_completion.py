"""Shell completion through Click's protocol: command names, and the names of people,
engagements and other records read from the register, never a traceback nor a new file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from patron.cli.main import main
from tests.conftest import Patron


def _complete(line: str, shell: str = "bash") -> list[str]:
    """What the shell puts on the command line for the last word of ``line`` (ending in a
    space: a new word); in bash a name's spaces stay escaped, so it is one word."""
    words = line.split(" ")
    result = CliRunner().invoke(main, [], prog_name="patron", env={
        "_PATRON_COMPLETE": f"{shell}_complete", "COMP_WORDS": line,
        "COMP_CWORD": str(len(words) - 1)})
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    if shell == "bash":  # Click's script reads each line with `read`, which takes a backslash
        return [re.sub(r"\\(.)", r"\1", row.split(",", 1)[1])
                for row in result.stdout.splitlines() if row]
    rows = result.stdout.splitlines()  # zsh: type, value, help, in threes
    return [rows[i + 1] for i in range(0, len(rows), 3)]


@pytest.fixture
def register(patron: Patron) -> Patron:
    patron.ok('org add "Meridian Shipping"')
    patron.ok('person add "Helen Brandt" --org Meridian --email helen@meridian.example')
    patron.ok('person add "Hector Vale"')
    patron.ok('person add "Victor Lam"')
    patron.ok('engagement add "Ledger migration" --org Meridian')
    patron.ok('engagement add "Clinic rollout"')
    patron.ok('ask add "Board dashboard" --from Helen --engagement Ledger')
    return patron


def test_commands_complete(register: Patron) -> None:
    assert {"next", "client", "person", "config"} <= set(_complete(f"patron --db {register.db} "))
    assert _complete("patron config s") == ["set", "show"]


def test_engagements_complete_where_an_engagement_is_taken(register: Patron) -> None:
    db = register.db
    assert _complete(f"patron --db {db} client ") == ["Clinic\\ rollout", "Ledger\\ migration"]
    assert _complete(f"patron --db {db} next --engagement L") == ["Ledger\\ migration"]
    assert _complete(f"patron --db {db} ask list --engagement c") == ["Clinic\\ rollout"]


def test_people_and_organisations_complete(register: Patron) -> None:
    db = register.db
    assert _complete(f"patron --db {db} person show He") == ["Hector\\ Vale", "Helen\\ Brandt"]
    assert _complete(f"patron --db {db} ask add Title --from V") == ["Victor\\ Lam"]
    assert _complete(f"patron --db {db} person add X --org M") == ["Meridian\\ Shipping"]
    assert _complete(f"patron --db {db} why B") == ["Board\\ dashboard"]


def test_zsh_and_fish_get_names_unescaped(register: Patron) -> None:
    assert _complete(f"patron --db {register.db} client L", "zsh") == ["Ledger migration"]


def test_the_register_from_the_environment_is_used(register: Patron,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATRON_DB", register.db)
    assert _complete("patron client Cl") == ["Clinic\\ rollout"]


def test_no_register_gives_no_names_and_creates_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "patron.sqlite"
    assert _complete(f"patron --db {missing} client ") == []
    assert not missing.exists() and not missing.parent.exists()


def test_a_broken_register_gives_no_names(tmp_path: Path) -> None:
    broken = tmp_path / "broken.sqlite"
    broken.write_bytes(b"this is not a database at all" * 100)
    assert _complete(f"patron --db {broken} client ") == []
    unreachable = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    assert _complete(f"patron --db {unreachable} client ") == []


def test_setting_names_complete_for_config_set() -> None:
    found = _complete("patron config set ranking.l")
    assert found == ["ranking.limit"]
