"""Output on a terminal: tables fit the width (shortened with "…", never a word broken),
long output goes through a pager as git does, --color and NO_COLOR are honoured, and
lists ordered by time show the newest first."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from patron.cli.main import main
from patron.cli.output import fit
from patron.services.mail import import_messages
from patron.store.database import Store
from tests.conftest import NOW, Patron

ESC = "\x1b"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
COMMANDS = ["next", "next --all", "ask list", "due", "client Ledger", "stakeholders Ledger", "review",
            "reflect", "screen Vantor", "person show Helen",
            "conflicts", "inbox", "influence", "overview", "interaction list --limit 30",
            "person list", "people duplicates", "engagement list", "feedback list", "visibility", "why 1",
            "search ledger"]


@pytest.fixture(scope="module")
def demo_db(portfolio: Store) -> str:
    """The demo portfolio with its mail (for influence and the inbox)."""
    from patron.services import demo

    import_messages(portfolio, demo.mailbox(NOW), demo.my_addresses(), NOW)
    return portfolio.location


def _run(db: str, line: str, env: dict[str, str] | None = None) -> str:
    result = CliRunner().invoke(main, ["--db", db, *line.split()],
                                env={"COLUMNS": "80", "LINES": "24", **(env or {})})
    assert result.exit_code == 0, (line, result.output, result.exception)
    return result.stdout


@pytest.mark.parametrize("line", COMMANDS)
def test_every_table_fits_80_columns_without_breaking_a_word(demo_db: str, line: str) -> None:
    drawn = ANSI.sub("", _run(demo_db, f"--color always {line}"))
    assert drawn.strip()
    for row in drawn.splitlines():
        assert len(row) <= 80, row
    # every word shown whole is a word of the full (tab-separated) text: nothing was cut
    # inside a word except where "…" says so
    full = _run(demo_db, f"--color never {line}")
    words = set(re.findall(r"[^\W\d_]+", full))
    for word in re.findall(r"[^\W\d_]+…?", drawn):
        assert word.endswith("…") or word in words, (word, line)


def test_a_narrow_terminal_shortens_cells_with_an_ellipsis(demo_db: str) -> None:
    drawn = ANSI.sub("", _run(demo_db, "--color always ask list"))
    assert "…" in drawn
    assert "─" in drawn  # the table drawn for a person, not tab-separated
    assert "\t" not in drawn


def test_piped_output_stays_tab_separated_and_plain(demo_db: str) -> None:
    out = _run(demo_db, "ask list")
    assert ESC not in out and "─" not in out and "…" not in out
    assert out.splitlines()[0].split("\t")[:2] == ["id", "title"]


def test_color_always_styles_even_into_a_pipe_and_never_styles_nothing(demo_db: str) -> None:
    assert ESC + "[1m" in _run(demo_db, "--color always next")  # bold headers
    assert ESC not in _run(demo_db, "--color never next")


@given(st.lists(st.integers(1, 90), min_size=1, max_size=12), st.integers(0, 200),
       st.data())
def test_fitted_columns_never_exceed_the_width(natural: list[int], budget: int,
                                                data: st.DataObject) -> None:
    flowing = data.draw(st.none() | st.integers(0, len(natural) - 1))
    whole = data.draw(st.sets(st.integers(0, len(natural) - 1)))
    widths = fit(natural, budget, () if flowing is None else (flowing,), whole)
    assert len(widths) == len(natural)
    assert all(1 <= w <= n for w, n in zip(widths, natural, strict=True))
    if budget >= len(natural):
        assert sum(widths) <= budget
    if sum(natural) <= budget:
        assert widths == natural
    loose = [n for i, n in enumerate(natural) if i not in whole]
    if sum(natural[i] for i in whole) + len(loose) + 1 <= budget:
        assert all(widths[i] == natural[i] for i in whole)  # ids and days stay whole


# --- a real terminal (a pseudo-terminal), for what only a terminal shows -----------------------


def _on_terminal(db: str, *args: str, env: dict[str, str] | None = None) -> str:
    """Run patron as a process whose standard output is a terminal; what it wrote there."""
    leader, follower = pty.openpty()
    environ = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "PAGER", "LESS")}
    environ.update({"COLUMNS": "80", "LINES": "24", "TERM": "xterm-256color",
                    "PATRON_NOW": NOW.isoformat(), **(env or {})})
    process = subprocess.Popen(
        [sys.executable, "-c", "from patron.cli.main import run; run()", "--db", db, *args],
        stdin=subprocess.DEVNULL, stdout=follower, stderr=subprocess.PIPE, env=environ)
    os.close(follower)
    chunks: list[bytes] = []
    while True:
        ready, _, _ = select.select([leader], [], [], 30)
        if not ready:
            break
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the process closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert process.wait(30) == 0, process.stderr.read() if process.stderr else ""
    return b"".join(chunks).decode().replace("\r\n", "\n")


def test_no_color_removes_every_style_on_a_terminal(demo_db: str) -> None:
    styled = _on_terminal(demo_db, "--no-pager", "next")
    assert ESC + "[1m" in styled  # bold headers when colour is allowed
    for env, args in (({"NO_COLOR": "1"}, ()), ({}, ("--color", "never")),
                      ({"TERM": "dumb"}, ())):
        plain = _on_terminal(demo_db, *args, "--no-pager", "next", env=env)
        assert ESC not in plain, (env, args)  # no colour, no bold, no italic
        assert "─" in plain and "…" not in plain.splitlines()[0]  # still a drawn table
        assert all(len(row) <= 80 for row in plain.splitlines())


def test_color_always_wins_over_no_color(demo_db: str) -> None:
    assert ESC in _on_terminal(demo_db, "--color", "always", "--no-pager", "next",
                               env={"NO_COLOR": "1"})


def _pager(tmp_path: Path) -> tuple[str, Path]:
    """A pager that records what it was given."""
    seen = tmp_path / "paged.txt"
    return f"{sys.executable} -c \"import sys; open({str(seen)!r}, 'w').write(sys.stdin.read())\"", seen


def test_long_output_on_a_terminal_goes_through_the_pager(demo_db: str, tmp_path: Path) -> None:
    command, seen = _pager(tmp_path)
    shown = _on_terminal(demo_db, "next", "--all", env={"PATRON_PAGER": command})
    assert seen.exists() and "Next:" in seen.read_text()
    assert "Next:" not in shown  # it went to the pager, not straight out


@pytest.mark.parametrize(("args", "env"), [
    (("next", "--limit", "3"), {}),  # shorter than the screen
    (("--no-pager", "next", "--all"), {}),
    (("next", "--all", "--json"), {}),
    (("next", "--all"), {"LINES": "200"}),
])
def test_the_pager_is_not_used(demo_db: str, tmp_path: Path, args: tuple[str, ...],
                               env: dict[str, str]) -> None:
    command, seen = _pager(tmp_path)
    shown = _on_terminal(demo_db, *args, env={"PATRON_PAGER": command, **env})
    assert not seen.exists()
    assert shown.strip()


def test_the_pager_setting_turns_it_off(demo_db: str, tmp_path: Path) -> None:
    command, seen = _pager(tmp_path)
    config = tmp_path / "config.toml"
    config.write_text("[output]\npager = false\n")
    _on_terminal(demo_db, "--config", str(config), "next", "--all", env={"PATRON_PAGER": command})
    assert not seen.exists()


def test_json_on_a_terminal_is_plain_json(demo_db: str, tmp_path: Path) -> None:
    command, _ = _pager(tmp_path)
    shown = _on_terminal(demo_db, "next", "--all", "--json", env={"PATRON_PAGER": command})
    assert ESC not in shown
    assert len(json.loads(shown)) > 10


# --- newest first --------------------------------------------------------------------------


def test_lists_ordered_by_time_show_the_newest_first(patron: Patron) -> None:
    patron.ok('person add "Helen Brandt"')
    patron.ok('engagement add "Ledger migration"')
    for day in ("2026-11-01", "2026-11-05", "2026-11-03", "2026-11-09", "2026-11-07"):
        patron.ok(f'interaction add "call on {day}" --with Helen --at {day}')
        patron.ok(f'feedback add Helen --text "said on {day}" --on {day}')
        patron.ok(f'time-entry add Ledger --duration 1h --at {day} --note "work on {day}"')
        patron.ok(f'commitment add "promise of {day}" --to Helen --made {day}')
    newest = ["2026-11-09", "2026-11-07", "2026-11-05"]
    for kind in ("interaction", "feedback", "time-entry", "commitment"):
        rows = json.loads(patron.ok(f"{kind} list --limit 3 --json"))
        texts = [json.dumps(row) for row in rows]
        assert [day for day in newest if any(day in t for t in texts)] == newest, kind
        assert all(day in t for day, t in zip(newest, texts, strict=True)), kind
    listed = patron.ok("interaction list --limit 3")
    assert "2026-11-01" not in listed and listed.index("11-09") < listed.index("11-05")


def test_asks_list_soonest_due_first_and_undated_last(patron: Patron) -> None:
    patron.ok('ask add "No date"')
    patron.ok('ask add "Later" --due 2026-12-20')
    patron.ok('ask add "Sooner" --due 2026-11-25')
    titles = [row["title"] for row in json.loads(patron.ok("ask list --json"))]
    assert titles == ["Sooner", "Later", "No date"]
    assert [r["title"] for r in json.loads(patron.ok("ask list --limit 1 --json"))] == ["Sooner"]


def test_named_records_stay_in_name_order(patron: Patron) -> None:
    for name in ("Zoe Adams", "Ann Brook", "Mia Chen"):
        patron.ok(f'person add "{name}"')
    names = [row["name"] for row in json.loads(patron.ok("person list --json"))]
    assert names == ["Ann Brook", "Mia Chen", "Zoe Adams"]


def test_due_on_a_narrow_terminal_is_a_card_per_person(demo_db: str) -> None:
    """At 80 columns the table would squeeze each reason into a dozen lines: each person is
    a heading (name and when) and the reason to call reads on a line of its own."""
    drawn = ANSI.sub("", _run(demo_db, "--color always due")).splitlines()
    grace = next(i for i, line in enumerate(drawn) if line.startswith("Grace Whitmore"))
    assert drawn[grace].endswith("overdue") and len(drawn[grace]) == 80
    assert "sponsor of Copperleaf analytics retainer" in drawn[grace + 1]
    assert drawn[grace + 2].strip().startswith("their ask #")
    assert drawn[grace + 2].strip().endswith("'") or drawn[grace + 3].startswith("    ")
    wide = ANSI.sub("", _run(demo_db, "--color always due", {"COLUMNS": "220"}))
    assert wide.splitlines()[1].split()[:2] == ["person", "roles"]  # wide enough: a table
