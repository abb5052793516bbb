"""The docs say what the code does: a command or setting missing from them fails here."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from patron.cli.main import main
from patron.cli.reference import markdown, walk

ROOT = Path(__file__).parent.parent
COMMANDS = [(" ".join(path), command) for path, command in walk(main)]


def test_the_command_reference_is_current() -> None:
    assert (ROOT / "docs" / "cli.md").read_text(encoding="utf-8") == markdown(), (
        "docs/cli.md is stale: run ./tasks docs"
    )


@pytest.mark.parametrize(("name", "command"), COMMANDS, ids=[n for n, _ in COMMANDS])
def test_every_help_text_ends_with_an_example(name: str, command: click.Command) -> None:
    if name == "patron":
        assert "patron demo" in (command.epilog or "")
        return
    assert "patron " in (command.help or "").rsplit("Example", 1)[-1], f"{name} has no example"


def test_the_readme_starts_with_the_two_commands() -> None:
    top = "\n".join((ROOT / "README.md").read_text(encoding="utf-8").splitlines()[:30])
    assert "./tasks demo" in top and "./tasks test" in top


def test_ci_runs_the_readme_test_command() -> None:
    assert "./tasks test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_the_changelog_keeps_an_unreleased_section() -> None:
    assert "## Unreleased" in (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
