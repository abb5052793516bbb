"""Patron's settings: one table drives loading, validation, ``config show`` and the docs.

Settings live in one TOML file, ``config.toml`` in the user's config folder
(XDG rules), or wherever ``PATRON_CONFIG`` points. Every key is optional; a key
that Patron does not know is an error, so a typo never goes unnoticed.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from patron.errors import InvalidInput

APP = "patron"


@dataclass(frozen=True)
class Setting:
    """One documented setting: ``section.key`` in the TOML file."""

    name: str
    type: type
    default: Any
    description: str

    @property
    def section(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def key(self) -> str:
        return self.name.split(".", 1)[1]


def _cadence(role: str, days: int, why: str) -> Setting:
    return Setting(f"cadence.{role}", int, days,
                   f"Days between contacts with a {role}: {why}. 0 = no cadence.")


SETTINGS: tuple[Setting, ...] = (
    Setting("database.url", str, "",
            "Where your register lives: a SQLite file path or a SQLAlchemy URL such as "
            "postgresql+psycopg://user@host/patron. Empty = patron.sqlite in the data folder. "
            "PATRON_DB and --db override it."),
    Setting("me.name", str, "", "Your name, as it appears in the register."),
    Setting("me.emails", list, [], "Your own e-mail addresses; mail from them is mail you sent."),
    _cadence("sponsor", 14, "the Executive forgets you fast"),
    _cadence("manager", 7, "directs the work day to day"),
    _cadence("boss", 7, "your own line manager"),
    _cadence("customer", 14, "uses what you deliver"),
    _cadence("teammate", 14, "works beside you"),
    _cadence("gatekeeper", 30, "PMO, compliance, procurement"),
    _cadence("mentor", 30, "keeps you honest about your own goals"),
    _cadence("self", 0, "yourself; tracked through goals, not contact"),
    Setting("stakeholders.high", int, 3,
            "On the 0-5 scales of power, interest, legitimacy and urgency, the value from which "
            "an attribute counts as held (salience) or high (power-interest grid)."),
    Setting("overview.asks", int, 10, "How many open asks the overview shows."),
    Setting("overview.due_soon_days", int, 3,
            "A stakeholder whose next contact falls within this many days is 'due soon'."),
)

BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}


@dataclass(frozen=True)
class Settings:
    """The effective settings: defaults overlaid with the user's file."""

    values: Mapping[str, Any]
    source: Path | None

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    def cadence_days(self, role: str) -> int:
        return int(self.values.get(f"cadence.{role}", 0))


def config_path() -> Path:
    """``PATRON_CONFIG``, else ``$XDG_CONFIG_HOME/patron/config.toml``."""
    override = os.environ.get("PATRON_CONFIG")
    if override:
        return Path(override).expanduser()
    from platformdirs import user_config_path

    return user_config_path(APP) / "config.toml"


def data_dir() -> Path:
    """``$XDG_DATA_HOME/patron``: the default home of the register and the demo."""
    from platformdirs import user_data_path

    return user_data_path(APP)


def defaults() -> Settings:
    return Settings({s.name: s.default for s in SETTINGS}, None)


def load(path: Path | None = None) -> Settings:
    """Read the TOML file (if any) and check every key and type against SETTINGS."""
    path = path or config_path()
    if not path.exists():
        return Settings(defaults().values, None)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{path}: cannot read the settings file ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"{path}: not valid TOML ({exc})") from None
    values = dict(defaults().values)
    for name, value in _flatten(raw):
        values[name] = _checked(path, name, value)
    return Settings(values, path)


def _flatten(raw: Mapping[str, Any]) -> list[tuple[str, Any]]:
    pairs: list[tuple[str, Any]] = []
    for section, table in raw.items():
        if not isinstance(table, dict):
            pairs.append((section, table))
            continue
        pairs.extend((f"{section}.{key}", value) for key, value in table.items())
    return pairs


def _checked(path: Path, name: str, value: Any) -> Any:
    setting = BY_NAME.get(name)
    if setting is None:
        raise InvalidInput(f"{path}: unknown setting {name!r} (see 'patron config show')")
    if setting.type is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise InvalidInput(f"{path}: {name} must be a whole number, not {value!r}")
    if setting.type is float and not isinstance(value, int | float):
        raise InvalidInput(f"{path}: {name} must be a number, not {value!r}")
    if setting.type is str and not isinstance(value, str):
        raise InvalidInput(f"{path}: {name} must be text, not {value!r}")
    if setting.type is list and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
        raise InvalidInput(f"{path}: {name} must be a list of text, not {value!r}")
    if setting.type in (int, float) and value < 0:
        raise InvalidInput(f"{path}: {name} must not be negative")
    return value


def to_toml(settings: Settings) -> str:
    """The effective settings as a TOML document (what ``patron config show`` prints)."""
    lines: list[str] = []
    section = ""
    for setting in SETTINGS:
        if setting.section != section:
            section = setting.section
            lines.append(f"{'' if not lines else chr(10)}[{section}]")
        lines.append(f"{setting.key} = {_toml_value(settings[setting.name])}")
    return "\n".join(lines) + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    escaped = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def reference_markdown() -> str:
    """The settings reference (docs/configuration.md is this text; a test keeps them equal)."""
    out = [
        "# Configuration reference",
        "",
        "Patron reads one TOML file: `config.toml` in your config folder",
        "(`$XDG_CONFIG_HOME/patron/`, usually `~/.config/patron/`), or the file that",
        "`PATRON_CONFIG` names. Every key is optional; an unknown key is an error.",
        "`patron config show` prints the effective settings, `patron config path` the file.",
        "",
        "This page is generated from the settings table in `src/patron/settings.py`",
        "(`patron config docs`); a test fails when the two differ.",
        "",
    ]
    section = ""
    for setting in SETTINGS:
        if setting.section != section:
            section = setting.section
            out += [f"## [{section}]", "", "| key | type | default | meaning |", "| --- | --- | --- | --- |"]
        out.append(
            f"| `{setting.key}` | {setting.type.__name__} | `{_toml_value(setting.default)}` "
            f"| {setting.description} |"
        )
        if setting is SETTINGS[-1] or SETTINGS[SETTINGS.index(setting) + 1].section != section:
            out.append("")
    out += [
        "## Environment",
        "",
        "| variable | meaning |",
        "| --- | --- |",
        "| `PATRON_CONFIG` | path of the settings file |",
        "| `PATRON_DB` | the database (path or URL); overrides `database.url` |",
        "| `PATRON_NOW` | freeze the clock at an ISO date or date-time (tests, reproducible reports) |",
        "",
    ]
    return "\n".join(out)
