"""Patron's settings: one table drives loading, validation, ``config show`` and the docs.

Settings live in one TOML file, ``config.toml`` in the user's config folder
(XDG rules), or wherever ``PATRON_CONFIG`` points. Every key is optional; a key
that Patron does not know is an error, so a typo never goes unnoticed.
"""

from __future__ import annotations

import math
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from patron.domain.screening import DEFAULT_PHRASES, FLAG_KINDS
from patron.errors import InvalidInput

APP = "patron"


@dataclass(frozen=True)
class Setting:
    """One documented setting: ``section.key`` in the TOML file."""

    name: str
    type: type
    default: Any
    description: str
    signed: bool = False  # may be negative (a coefficient that pushes down)
    positive: bool = False  # must be more than 0 (a length the factors divide by)
    choices: tuple[str, ...] = ()  # the only values it takes, when it is one of a few words

    @property
    def section(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def key(self) -> str:
        return self.name.split(".", 1)[1]


def _cadence(role: str, days: int, why: str) -> Setting:
    return Setting(f"cadence.{role}", int, days,
                   f"Days between contacts with a {role}: {why}. 0 = no cadence.")


def _coefficient(term: str, value: float, why: str) -> Setting:
    return Setting(f"ranking.{term}", float, value,
                   f"Coefficient of the {term} term: {why}. Negative pushes asks down.", signed=True)


SETTINGS: tuple[Setting, ...] = (
    Setting("database.url", str, "",
            "Where your register lives: a SQLite file path or a SQLAlchemy URL such as "
            "postgresql+psycopg://user@host/patron. Empty = patron.sqlite in the data folder. "
            "PATRON_DB and --db override it."),
    Setting("me.name", str, "", "Your name, as it appears in the register."),
    Setting("me.emails", list, [], "Your own e-mail addresses; mail from them is mail you sent."),
    Setting("mail.bulk_people", bool, False,
            "Whether mail sent to many (List-Id, List-Unsubscribe, Precedence: bulk/list/junk, "
            "Auto-Submitted, no-reply and notification senders) makes people, organisations and "
            "suggested asks like other mail. Off: it is kept as mail, linked only to people you "
            "already have."),
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
    *(_coefficient(name, value, why) for name, value, why in (
        ("role", 6.0, "the requester's role (see [weights])"),
        ("salience", 4.0, "the requester's salience (Mitchell, Agle & Wood 1997)"),
        ("quadrant", 2.0, "the requester's power-interest quadrant (Mendelow)"),
        ("engagement_value", 3.0, "the engagement's value"),
        ("ask_value", 3.0, "the ask's own value (0-5)"),
        ("due", 12.0, "the due date (Taskwarrior's ramp)"),
        ("age", 2.0, "age"),
        ("quick_win", 2.0, "small effort"),
        ("commitment", 5.0, "a promise you made about it"),
        ("blocking", 8.0, "other asks waiting for it"),
        ("doing", 4.0, "started"),
        ("waiting", -3.0, "waiting on someone else"),
        ("blocked", -5.0, "waiting for another open ask"),
        ("goals", 3.0, "alignment with your own goals"),
        ("relationship", 4.0, "a neglected key stakeholder asked"),
    )),
    Setting("ranking.due_horizon_days", float, 14.0,
            "The due term is 0.2 this many days before the due date and rises from there.", positive=True),
    Setting("ranking.overdue_full_days", float, 7.0,
            "The due term reaches 1.0 when an ask is this many days overdue.", positive=True),
    Setting("ranking.age_full_days", float, 365.0, "The age term reaches 1.0 at this age in days.",
            positive=True),
    Setting("ranking.quick_win_hours", float, 1.0,
            "Asks of at most this effort get the whole quick-win term; bigger ones a share.", positive=True),
    Setting("ranking.limit", int, 20, "How many asks 'patron next' shows unless --limit or --all."),
    *(Setting(f"weights.{role}", float, weight, f"Weight of a {role}'s asks (0-1): {why}.")
      for role, weight, why in (
          ("sponsor", 1.0, "the Executive pays and talks about you to other executives"),
          ("boss", 0.9, "your line manager: one more customer, and your employer's voice"),
          ("manager", 0.8, "directs and judges the work day to day"),
          ("customer", 0.6, "uses what you deliver"),
          ("self", 0.7, "yourself, the third boss"),
          ("gatekeeper", 0.5, "can stop the work but rarely asks for it"),
          ("teammate", 0.3, "works beside you"),
          ("mentor", 0.3, "asks little, gives much"),
      )),
    *(Setting(f"hire_me_back.{term}", float, value,
              f"Points of the hire-me-back score for {why} (the defaults add up to 100).")
      for term, value, why in (
          ("ratings", 30.0, "the latest 'would hire again' ratings, read as promoter/passive/detractor"),
          ("promises", 20.0, "promises kept rather than broken"),
          ("on_time", 10.0, "open asks that are not overdue"),
          ("relationship", 20.0, "contact with the sponsor, manager and boss within their cadence"),
          ("sentiment", 10.0, "the mood of the last 90 days' touchpoints"),
          ("milestones", 10.0, "milestones reached by their due day"),
      )),
    Setting("hire_me_back.latest_ratings", int, 3,
            "How many of the latest ratings (of the last year) the score reads."),
    *(Setting(f"screening.{kind}", list, list(DEFAULT_PHRASES[kind]),
              f"Phrases that flag {meaning} when screening a prospect.")
      for kind, meaning in FLAG_KINDS),
    Setting("screening.minimum_fee", float, 0.0,
            "The least fee you take for an engagement; 0 = not set (the fee question stays open)."),
    *(Setting(f"bosses.{boss}", float, share, f"Your target share of time for {why} (any scale; "
              "the review compares the shares)")
      for boss, share, why in (("employer", 30.0, "your employer"), ("customer", 60.0, "your customers"),
                               ("self", 10.0, "yourself"))),
    Setting("capacity.hours_per_day", float, 6.0,
            "Hours a working day you can give to asks (the rest goes to meetings and mail)."),
    Setting("capacity.working_days", str, "mon,tue,wed,thu,fri", "Your working days."),
    Setting("conflicts.horizon_days", int, 14,
            "'patron conflicts' weighs committed effort due within this many days."),
    Setting("overview.due_soon_days", int, 3,
            "A stakeholder whose next contact falls within this many days is 'due soon'."),
    Setting("calendar.max_occurrences", int, 1000,
            "'patron import ics' keeps at most this many occurrences of one repeating event in "
            "its window (a daily event over the default 15 months is about 450) and reports "
            "the cut, so a hostile rule (FREQ=SECONDLY without end) stays small and fast.",
            positive=True),
    Setting("client.too_close", float, 0.05,
            "'patron client' calls the Executive against the Manager too close to call when "
            "their weights differ by at most this share of the larger (0.05 = 5%). The role "
            "defaults alone set them about 1% apart; one attribute held or lost moves a weight "
            "by about 12%, so at 5% only something you recorded decides."),
    Setting("dates.order", str, "auto",
            "How a numeric date such as 12/10/2026 is read: dmy (day first: 12 October), mdy "
            "(month first: 10 December) or ymd (2026/12/10); auto = the order your locale "
            "(LC_TIME) writes dates in. Used by the command line, CSV imports and mail.",
            choices=("auto", "dmy", "mdy", "ymd")),
    Setting("review.period", str, "month",
            "The period 'patron review', 'reflect' and 'hours' cover when none is named.",
            choices=("week", "month", "quarter")),
    Setting("review.just_ended_days", int, 3,
            "In the first this-many days of a month or quarter, 'patron review' and 'reflect' "
            "cover the one just ended (it has the figures); 0 = always the current one."),
    Setting("review.just_ended_week_days", int, 1,
            "The same for a week: 1 = on Mondays the weekly review covers the week just ended."),
    Setting("digest.limit", int, 5,
            "'patron digest' lists at most this many asks to do first (the top of 'patron "
            "next'), check-ins due and relationships going cold, and counts the rest.",
            positive=True),
    Setting("digest.promise_days", int, 3,
            "'patron digest' lists your open promises falling due within this many days "
            "(and those overdue)."),
    Setting("digest.dates_days", int, 7,
            "Birthdays and anniversaries this many days ahead show in 'patron digest', "
            "'patron due' and the calendar feed (people with a role in an active engagement)."),
    Setting("smtp.host", str, "localhost",
            "The SMTP server 'patron digest --mail' sends through. The password comes from "
            "PATRON_SMTP_PASSWORD, never from this file or the command line."),
    Setting("smtp.port", int, 0,
            "Its port; 0 = the usual one for smtp.tls (587 starttls, 465 tls, 25 none)."),
    Setting("smtp.user", str, "", "The login; empty = send without logging in."),
    Setting("smtp.tls", str, "starttls",
            "starttls (upgrade a plain connection), tls (TLS from the start) or none "
            "(loopback or a trusted relay only).", choices=("starttls", "tls", "none")),
    Setting("smtp.from", str, "",
            "The From address of the digest; empty = the first of me.emails."),
    Setting("output.color", str, "auto",
            "Styling: auto (on a terminal, unless NO_COLOR is set), always (even into a pipe), "
            "never. --color overrides it.", choices=("auto", "always", "never")),
    Setting("web.token", str, "",
            "A secret every request to 'patron serve' must carry (open /?token=SECRET once, or "
            "send 'Authorization: Bearer SECRET'). Needed to serve on any address but loopback; "
            "empty = loopback only, no token."),
    Setting("web.public_url", str, "",
            "The address others reach 'patron serve' at (https://patron.example.org/), the base "
            "of the links Patron hands out ('patron feedback link'); its host is also accepted "
            "in the Host header. Empty = no links can be made."),
    Setting("caldav.url", str, "",
            "The CalDAV server 'patron sync caldav' keeps your asks on (https://dav.example.org/); "
            "the password comes from PATRON_CALDAV_PASSWORD, never from a file or option."),
    Setting("caldav.user", str, "", "Your user name on the CalDAV server."),
    Setting("caldav.calendar", str, "",
            "The calendar (task list) to sync with: its name or its URL; empty = the only "
            "calendar of the account that holds tasks."),
    Setting("output.pager", bool, True,
            "Show output longer than the screen through the pager (PATRON_PAGER, PAGER, else "
            "'less -FRX'), as git does; never when piped or with --json. --no-pager overrides it."),
)

BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}


@dataclass(frozen=True)
class Settings:
    """The effective settings: defaults overlaid with the user's file."""

    values: Mapping[str, Any]
    source: Path | None

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    def cadence_days(self, role: str, override: int | None = None) -> int:
        """Days between contacts: the stakeholder's own override, else their role's."""
        return override if override is not None else int(self.values.get(f"cadence.{role}", 0))


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
    try:
        setting = known(name)
    except InvalidInput as exc:
        raise InvalidInput(f"{path}: {exc}") from None
    if setting.type is bool and not isinstance(value, bool):
        raise InvalidInput(f"{path}: {name} must be true or false, not {value!r}")
    if setting.type is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise InvalidInput(f"{path}: {name} must be a whole number, not {value!r}")
    if setting.type is float and not isinstance(value, int | float):
        raise InvalidInput(f"{path}: {name} must be a number, not {value!r}")
    if setting.type is str and not isinstance(value, str):
        raise InvalidInput(f"{path}: {name} must be text, not {value!r}")
    if setting.type is list and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
        raise InvalidInput(f"{path}: {name} must be a list of text, not {value!r}")
    if setting.choices and value not in setting.choices:
        raise InvalidInput(f"{path}: {name} must be one of {', '.join(setting.choices)}, "
                           f"not {value!r}")
    if setting.type in (int, float) and value < 0 and not setting.signed:
        raise InvalidInput(f"{path}: {name} must not be negative")
    if setting.positive and value <= 0:
        raise InvalidInput(f"{path}: {name} must be more than 0")
    return value


def parse_value(name: str, typed: str) -> Any:
    """A value typed on the command line (``config set``) as the setting's type, checked."""
    setting = known(name)
    raw = typed.strip()
    value: Any = raw
    try:
        if setting.type is bool:
            value = {"true": True, "yes": True, "on": True, "1": True,
                     "false": False, "no": False, "off": False, "0": False}[raw.lower()]
        elif setting.type is int:
            value = int(raw)
        elif setting.type is float:
            value = float(raw)
            if not math.isfinite(value):
                raise ValueError(raw)
        elif setting.type is list:
            value = (tomllib.loads(f"v = {raw}")["v"] if raw.startswith("[")
                     else [part.strip() for part in raw.split(",") if part.strip()])
    except (KeyError, ValueError, tomllib.TOMLDecodeError):
        kind = {bool: "true or false", int: "a whole number", float: "a number",
                list: "a list of text (a, b, c)"}[setting.type]
        raise InvalidInput(f"{name} must be {kind}, not {typed!r}") from None
    try:
        return _checked(Path("-"), name, value)
    except InvalidInput as exc:
        raise InvalidInput(str(exc).removeprefix("-: ")) from None


def known(name: str) -> Setting:
    """The setting of this name; an unknown one is an error naming the nearest ones."""
    setting = BY_NAME.get(name)
    if setting is not None:
        return setting
    import difflib

    near = difflib.get_close_matches(name, BY_NAME, n=3, cutoff=0.6)
    near += [n for n in BY_NAME if name and n.endswith("." + name) and n not in near][:3]
    hint = f"; did you mean {' or '.join(near)}?" if near else " (see 'patron config show')"
    raise InvalidInput(f"unknown setting {name!r}{hint}")


def write_value(path: Path, name: str, value: Any) -> None:
    """Set one key in the settings file, keeping its comments and layout (creating it)."""
    import tomlkit

    setting = known(name)
    document = _document(path)
    section = document.get(setting.section)
    if section is None:
        section = tomlkit.table()
        document[setting.section] = section
    section[setting.key] = value
    _save(path, document)


def remove_value(path: Path, name: str) -> bool:
    """Take one key out of the settings file (its default applies again); False if absent."""
    setting = known(name)
    if not path.exists():
        return False
    document = _document(path)
    section = document.get(setting.section)
    if section is None or setting.key not in section:
        return False
    del section[setting.key]
    if not section and not _commented(section):
        del document[setting.section]
    _save(path, document)
    return True


def _commented(section: Any) -> bool:
    from tomlkit.items import Comment

    return any(isinstance(item, Comment) for _, item in section.value.body)


def _document(path: Path) -> Any:
    import tomlkit
    from tomlkit.exceptions import ParseError

    if not path.exists():
        return tomlkit.document()
    try:
        return tomlkit.parse(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{path}: cannot read the settings file ({exc})") from None
    except ParseError as exc:
        raise InvalidInput(f"{path}: not valid TOML ({exc}); fix it by hand first") from None


def _save(path: Path, document: Any) -> None:
    """Write beside the file and swap it in, once the whole file reads back as valid."""
    import tomlkit

    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.new")
    written = tomlkit.dumps(document)
    temporary.write_text(written if written.endswith("\n") or not written else written + "\n",
                         encoding="utf-8")
    try:
        load(temporary)
    except InvalidInput as exc:
        temporary.unlink()
        raise InvalidInput(str(exc).replace(str(temporary), str(path))) from None
    os.replace(temporary, path)


def to_toml(settings: Settings) -> str:
    """The effective settings as a TOML document (what ``patron config show`` prints)."""
    lines: list[str] = []
    for section, members in sections().items():
        lines += ["", f"[{section}]"] if lines else [f"[{section}]"]
        lines += [f"{s.key} = {toml_value(settings[s.name])}" for s in members]
    return "\n".join(lines) + "\n"


def sections() -> dict[str, list[Setting]]:
    """The settings by TOML table, in the order each table first appears."""
    grouped: dict[str, list[Setting]] = {}
    for setting in SETTINGS:
        grouped.setdefault(setting.section, []).append(setting)
    return grouped


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
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
    for section, members in sections().items():
        out += [f"## [{section}]", "", "| key | type | default | meaning |", "| --- | --- | --- | --- |"]
        out += [f"| `{s.key}` | {s.type.__name__} | `{toml_value(s.default)}` | {s.description} |"
                for s in members]
        out.append("")
    out += [
        "## Environment",
        "",
        "| variable | meaning |",
        "| --- | --- |",
        "| `PATRON_CONFIG` | path of the settings file |",
        "| `PATRON_DB` | the database (path or URL); overrides `database.url` |",
        "| `PATRON_NOW` | freeze the clock at an ISO date or date-time (tests, reproducible reports) |",
        "| `NO_COLOR` | any non-empty value: no colour, bold or italic (unless `--color always`) |",
        "| `PATRON_PAGER`, `PAGER` | the pager for long output (default `less -FRX`; empty or "
        "`cat`: none) |",
        "",
    ]
    return "\n".join(out)
