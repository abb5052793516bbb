"""``patron config set KEY VALUE`` and ``config unset KEY``: checked against the settings
table, written into the TOML file with its comments and layout kept."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from patron.cli.main import main
from patron.settings import SETTINGS

COMMENTED = """\
# Sam's settings: keep the ranking calm
[ranking]
# fewer is better in the morning
limit = 10  # ten is enough

[cadence]
sponsor = 10
"""


def _run(config: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--config", str(config), *args])
    return result.exit_code, result.stdout, result.stderr


def test_set_keeps_comments_and_layout(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(COMMENTED)
    code, out, _ = _run(config, "config", "set", "ranking.limit", "5")
    assert code == 0, out
    assert out.strip() == f"ranking.limit = 5 in {config}"
    assert config.read_text() == COMMENTED.replace("limit = 10", "limit = 5")
    code, _, _ = _run(config, "config", "set", "cadence.mentor", "21")
    assert code == 0
    written = config.read_text()
    assert written.startswith("# Sam's settings") and "# ten is enough" in written
    assert tomllib.loads(written)["cadence"] == {"sponsor": 10, "mentor": 21}
    _, shown, _ = _run(config, "config", "show")
    assert "limit = 5" in shown and "mentor = 21" in shown


def test_set_creates_the_file_and_its_folder(tmp_path: Path) -> None:
    config = tmp_path / "new" / "folder" / "config.toml"
    assert _run(config, "config", "set", "me.emails", "sam@larkspur.example, sam@example.com")[0] == 0
    assert _run(config, "config", "set", "output.pager", "off")[0] == 0
    assert _run(config, "config", "set", "ranking.waiting", "-4")[0] == 0  # a negative number
    assert tomllib.loads(config.read_text()) == {
        "me": {"emails": ["sam@larkspur.example", "sam@example.com"]},
        "output": {"pager": False}, "ranking": {"waiting": -4.0}}


@pytest.mark.parametrize(("args", "message"), [
    (("ranking.rol", "3"), "unknown setting 'ranking.rol'; did you mean ranking.role"),
    (("limit", "3"), "did you mean ranking.limit"),
    (("ranking.limit", "ten"), "ranking.limit must be a whole number, not 'ten'"),
    (("ranking.role", "lots"), "ranking.role must be a number"),
    (("ranking.role", "1e999"), "ranking.role must be a number"),
    (("output.color", "blue"), "output.color must be one of auto, always, never, not 'blue'"),
    (("output.pager", "maybe"), "output.pager must be true or false"),
    (("cadence.sponsor", "-1"), "cadence.sponsor must not be negative"),
    (("ranking.due_horizon_days", "0"), "must be more than 0"),
])
def test_a_bad_key_or_value_is_one_line_and_changes_nothing(tmp_path: Path, args: tuple[str, ...],
                                                            message: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text(COMMENTED)
    code, out, err = _run(config, "config", "set", *args)
    assert code == 2
    assert err.count("\n") == 1 and message in err and "Traceback" not in err
    assert out == ""
    assert config.read_text() == COMMENTED


def test_set_refuses_to_rewrite_a_file_that_is_not_toml(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[ranking\nlimit = 3\n")
    code, _, err = _run(config, "config", "set", "ranking.limit", "4")
    assert code == 2 and "not valid TOML" in err
    assert config.read_text() == "[ranking\nlimit = 3\n"


def test_unset_brings_the_default_back_and_keeps_comments(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(COMMENTED)
    code, out, _ = _run(config, "config", "unset", "ranking.limit")
    assert code == 0 and "back to its default, 20" in out
    written = config.read_text()
    assert "limit" not in written and "# fewer is better" in written
    assert tomllib.loads(written) == {"ranking": {}, "cadence": {"sponsor": 10}}
    code, out, _ = _run(config, "config", "unset", "ranking.limit")
    assert code == 0 and "was not set" in out
    assert _run(config, "config", "unset", "nope")[0] == 2


def test_every_setting_takes_its_own_default_as_typed(tmp_path: Path) -> None:
    """What 'config show' prints for a default can be typed back with 'config set'."""
    config = tmp_path / "config.toml"
    for setting in SETTINGS:
        value = setting.default
        typed = (", ".join(value) if isinstance(value, list) else
                 str(value).lower() if isinstance(value, bool) else str(value))
        if isinstance(value, list) and any("," in v for v in value):
            continue
        code, _, err = _run(config, "config", "set", setting.name, typed)
        assert code == 0, (setting.name, err)
    assert _run(config, "config", "show")[0] == 0
