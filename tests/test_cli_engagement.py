"""One spelling for the engagement: every command that takes an engagement, or narrows
to one, accepts ``-e/--engagement``; a natural positional form stays beside it."""

from __future__ import annotations

import json
from collections.abc import Iterator

import click
import pytest
from click.testing import CliRunner

from patron.cli.main import main
from tests.conftest import Patron


def _every_command(command: click.Command, path: tuple[str, ...] = ("patron",)
                   ) -> Iterator[tuple[str, click.Command]]:
    """The whole tree, hidden commands too."""
    yield " ".join(path), command
    if isinstance(command, click.Group):
        ctx = click.Context(command)
        names = sorted({*command.list_commands(ctx), *command.commands})
        for name in names:
            sub = command.get_command(ctx, name)
            if sub is not None:
                yield from _every_command(sub, (*path, name))


COMMANDS = dict(_every_command(main))


def _about_an_engagement(param: click.Parameter) -> bool:
    names = [param.name or "", *getattr(param, "opts", [])]
    return any("engagement" in n.lower() for n in names) or \
        (param.metavar or "").strip("[]. ").upper() == "ENGAGEMENT"


def _spelled_right(command: click.Command) -> bool:
    return any(isinstance(p, click.Option) and {"-e", "--engagement"} <= set(p.opts)
               for p in command.params)


def test_the_walk_sees_the_commands_it_guards() -> None:
    for name in ("patron next", "patron due", "patron time-entry add", "patron inbox accept",
                 "patron feedback log", "patron stakeholder list", "patron done"):
        assert name in COMMANDS


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_an_engagement_is_spelled_e_or_engagement_everywhere(name: str) -> None:
    command = COMMANDS[name]
    for param in command.params:
        if name.startswith("patron engagement ") and param.name == "item":
            continue  # the engagement being shown or changed, not one to narrow to
        if not _about_an_engagement(param):
            continue
        if isinstance(param, click.Option):
            assert {"-e", "--engagement"} <= set(param.opts), (
                f"'{name}' takes an engagement as {'/'.join(param.opts)}: spell it -e/--engagement")
        else:
            assert _spelled_right(command), (
                f"'{name}' takes the engagement as an argument but not as -e/--engagement")


NARROWED = ("next", "why", "client", "stakeholders", "conflicts", "due", "visibility",
            "influence", "start", "time", "met", "promise", "inbox", "feedback log",
            "ask list", "ask add", "ask edit", "commitment list", "interaction list",
            "milestone list", "stakeholder add", "stakeholder list", "time-entry add",
            "time-entry list", "feedback list")


@pytest.mark.parametrize("name", NARROWED)
def test_commands_about_one_engagement_take_e(name: str) -> None:
    assert _spelled_right(COMMANDS[f"patron {name}"]), f"'patron {name}' has no -e/--engagement"


# --- from the user's side ----------------------------------------------------------------------


@pytest.fixture
def two(db_url: str) -> Patron:
    """Two engagements, each with a sponsor never contacted and a manager met long ago."""
    cli = Patron(db_url, CliRunner())
    for engagement, sponsor, manager in (("Ledger", "Helen", "Victor"),
                                         ("Fennel", "Olga", "Piet")):
        cli.ok(f"engagement add {engagement} --kind client --status active")
        for person, role in ((sponsor, "sponsor"), (manager, "manager")):
            cli.ok(f"person add {person}")
            cli.ok(f"stakeholder add {person} -e {engagement} --role {role} --since 2026-09-01")
        cli.ok(f'met {manager} "weekly" -e {engagement} --at 2026-11-19')
        cli.ok(f'met {sponsor} "steering" -e {engagement} --at 2026-09-02')
    return cli


def test_due_narrows_to_one_engagement(two: Patron) -> None:
    every = two.ok("due")
    assert "Helen" in every and "Olga" in every
    ledger = two.ok("due -e Ledger")
    assert "Helen" in ledger and "Olga" not in ledger and "Fennel" not in ledger
    assert [d["person"] for d in json.loads(two.ok("due --engagement Fennel --json"))] == ["Olga"]


def test_visibility_narrows_to_one_engagement(two: Patron) -> None:
    assert {v["engagement"] for v in json.loads(two.ok("visibility --json"))} == {"Ledger", "Fennel"}
    shown = json.loads(two.ok("visibility -e Fennel --json"))
    assert [(v["engagement"], v["sponsor"], v["manager"]) for v in shown] == [("Fennel", 1, 1)]


def test_conflicts_narrow_to_one_engagement(two: Patron) -> None:
    for engagement, requester in (("Ledger", "Helen"), ("Fennel", "Olga")):
        for title in ("Dashboard live", "Dashboard frozen"):
            two.ok(f'ask add "{title} {engagement}" --from {requester} -e {engagement} '
                   f"--deliverable dashboard --due 2026-11-25 --effort 2")
    two.ok('ask edit "Dashboard live Ledger" --excludes "Dashboard frozen Ledger"')
    two.ok('ask edit "Dashboard live Fennel" --excludes "Dashboard frozen Fennel"')
    every = two.ok("conflicts --json")
    assert "Ledger" in every and "Fennel" in every
    fennel = two.ok("conflicts -e Fennel --json")
    assert "Fennel" in fennel and "Ledger" not in fennel


def test_positional_and_option_are_the_same_engagement(two: Patron) -> None:
    assert two.ok("time 1h Ledger") == two.ok("time 1h -e Ledger").replace("#2", "#1")
    two.ok("time-entry add -e Fennel --duration 30m")
    two.ok("time-entry add Fennel --duration 30m")
    entries = json.loads(two.ok("time-entry list -e Fennel --json"))
    assert [e["engagement"] for e in entries] == ["Fennel", "Fennel"]
    assert "Ledger migration" not in two.ok("stakeholders -e Ledger")
    assert two.ok("client -e Ledger") == two.ok("client Ledger")
    assert two.ok("time 1h ledger -e Ledger")  # the same name, however it is written


def test_two_different_engagements_are_a_one_line_usage_error(two: Patron) -> None:
    for line in ("time 1h Ledger -e Fennel", "start Ledger -e Fennel", "client Ledger -e Fennel",
                 "stakeholders Ledger -e Fennel", "time-entry add Ledger -e Fennel --duration 1h",
                 "stakeholder add Helen Ledger -e Fennel --role customer"):
        err = two.fails(line, code=2)
        assert err.count("\n") == 1 and "two engagements given" in err, (line, err)
    assert "missing the engagement" in two.fails("time 1h", code=2)
    assert not json.loads(two.ok("time-entry list --json"))  # nothing was logged


def test_generated_list_and_edit_take_e(two: Patron) -> None:
    two.ok('ask add "Figures" --from Helen -e Ledger')
    two.ok('ask add "Slides" --from Olga --engagement Fennel')
    assert [a["title"] for a in json.loads(two.ok("ask list -e Ledger --json"))] == ["Figures"]
    two.ok("ask edit Slides -e Ledger")
    assert [a["title"] for a in json.loads(two.ok("ask list -e Ledger --json"))] == [
        "Figures", "Slides"]
    assert [s["person"] for s in json.loads(two.ok("stakeholder list -e Fennel --json"))] == [
        "Olga", "Piet"]


def test_why_e_explains_the_engagements_hire_me_back(two: Patron) -> None:
    by_e = two.ok("why -e Ledger")
    assert by_e.startswith("Would Ledger hire you back?")
    assert two.ok("why --client Ledger") == by_e == two.ok("why --engagement Ledger")
    two.ok('ask add "Figures" --from Helen -e Ledger')
    assert "not both" in two.fails("why Figures -e Ledger", code=2)


def test_next_narrows_to_one_engagement(two: Patron) -> None:
    two.ok('ask add "Figures" --from Helen -e Ledger')
    two.ok('ask add "Slides" --from Olga -e Fennel')
    shown = two.ok("next -e Fennel")
    assert "Slides" in shown and "Figures" not in shown
