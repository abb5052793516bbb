"""Settings: one table drives loading, checking, `config show` and the docs."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from patron import settings
from patron.errors import InvalidInput

DOCS = Path(__file__).parent.parent / "docs" / "configuration.md"


def test_the_reference_page_matches_the_settings_table() -> None:
    assert DOCS.read_text(encoding="utf-8") == settings.reference_markdown(), (
        "docs/configuration.md is stale: run ./tasks docs"
    )


def test_every_setting_is_documented_with_its_default() -> None:
    page = DOCS.read_text(encoding="utf-8")
    for setting in settings.SETTINGS:
        assert f"`{setting.key}`" in page and setting.description in page


def test_defaults_without_a_file(tmp_path: Path) -> None:
    loaded = settings.load(tmp_path / "absent.toml")
    assert loaded.source is None
    assert loaded.cadence_days("sponsor") == 14


def test_a_file_overrides_defaults(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[cadence]\nsponsor = 10\n[me]\nemails = ["sam@example.org"]\n')
    loaded = settings.load(path)
    assert loaded.cadence_days("sponsor") == 10 and loaded["me.emails"] == ["sam@example.org"]
    assert loaded.cadence_days("manager") == 7


def test_show_prints_toml_that_reads_back_to_the_same_settings(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[me]\nname = "Sam \\"the analyst\\" Okafor"\n')
    shown = settings.to_toml(settings.load(path))
    path.write_text(shown)
    assert settings.load(path).values == settings.load(path).values
    assert tomllib.loads(shown)["me"]["name"] == 'Sam "the analyst" Okafor'


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[cadence\n", "not valid TOML"),
        ("[cadence]\nsponser = 3\n", "unknown setting 'cadence.sponser'"),
        ("[cadence]\nsponsor = 'often'\n", "cadence.sponsor must be a whole number"),
        ("[cadence]\nsponsor = true\n", "cadence.sponsor must be a whole number"),
        ("[cadence]\nsponsor = -1\n", "must not be negative"),
        ("[me]\nemails = 'sam@example.org'\n", "me.emails must be a list of text"),
        ("[me]\nname = 3\n", "me.name must be text"),
        ("name = 'top level'\n", "unknown setting 'name'"),
    ],
)
def test_a_bad_file_names_the_file_and_the_key(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(content)
    with pytest.raises(InvalidInput) as caught:
        settings.load(path)
    assert str(path) in str(caught.value) and message in str(caught.value)


def test_patron_config_points_elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATRON_CONFIG", str(tmp_path / "elsewhere.toml"))
    assert settings.config_path() == tmp_path / "elsewhere.toml"


def test_xdg_config_home_is_followed(tmp_path: Path) -> None:
    assert settings.config_path() == tmp_path / "config" / "patron" / "config.toml"
    assert settings.data_dir() == tmp_path / "data" / "patron"
