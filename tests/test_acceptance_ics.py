"""Real calendars from other projects' test suites (../shared/data), many deliberately broken:
every file goes through ``patron import ics`` without a traceback; good events are imported,
bad ones reported with their file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import Patron, shared_folder

FOLDERS = ["ical-icalendar", "ical-khal", "ical-vcard-radicale", "ical-vcard-vobject"]
SUMMARY = re.compile(r"Imported: (\d+) created, (?:(\d+) matched, )?(\d+) updated, (\d+) unchanged, "
                     r"(\d+) skipped")


ALONE = re.compile(r"; (\d+) not touchpoints")


def counts(stdout: str) -> dict[str, int]:
    """The summary's counts; "read" is what was created or seen as no touchpoint (khal's own
    test events have nobody in them: a diary, not meetings)."""
    found = SUMMARY.search(stdout)
    assert found, stdout
    found_counts = {k: int(v or 0) for k, v in zip(("created", "matched", "updated", "unchanged",
                                                    "skipped"), found.groups(), strict=True)}
    alone = ALONE.search(stdout)
    return {**found_counts, "read": found_counts["created"] + (int(alone.group(1)) if alone else 0)}


def with_guest(path: Path, folder: Path) -> Path:
    """A copy of a calendar file whose events have someone in them, so they are touchpoints."""
    copy = folder / path.name
    text = path.read_text(encoding="utf-8")
    copy.write_text(re.sub(r"(?m)^END:VEVENT", "ATTENDEE:mailto:guest@client.example\r\nEND:VEVENT", text),
                    encoding="utf-8")
    return copy


@pytest.fixture(autouse=True)
def _in_berlin(berlin: None) -> None:
    """Every test here runs with the machine in Europe/Berlin (conftest's ``berlin``)."""


@pytest.mark.shared_data
@pytest.mark.parametrize("name", FOLDERS)
def test_every_file_imports_or_is_reported(name: str, tmp_path: Path) -> None:
    folder = shared_folder(name)
    patron = Patron(str(tmp_path / "files.sqlite"), CliRunner())
    files = sorted(folder.rglob("*.ics"))
    assert files
    created = 0
    for path in files:
        result = patron("import", "ics", str(path))
        assert result.exception is None or isinstance(result.exception, SystemExit), (path, result.output)
        assert "Traceback" not in result.output
        for line in result.stderr.splitlines():  # every problem names its file
            assert line.startswith((f"skipped {path}", "patron: nothing could be imported")), line
        if result.exit_code == 2:  # the documented code: no event in it, or every one was bad
            assert result.stderr.splitlines()[-1].startswith(f"patron: nothing could be imported "
                                                             f"from {path}: "), path
            continue
        assert result.exit_code == 0, (path, result.output)
        created += counts(result.stdout)["read"]
    assert created > 0


@pytest.mark.shared_data
@pytest.mark.parametrize("name", FOLDERS)
def test_a_whole_folder_imports_and_a_second_run_changes_nothing(name: str, db_url: str) -> None:
    folder = shared_folder(name)
    patron = Patron(db_url, CliRunner())  # on SQLite and on PostgreSQL
    first = patron("import", "ics", str(folder))
    assert first.exit_code == 0, first.output
    created, skipped = counts(first.stdout)["created"], counts(first.stdout)["skipped"]
    assert counts(first.stdout)["read"] > 0
    again = patron("import", "ics", str(folder))
    assert again.exit_code == 0
    assert f"Imported: 0 created, 0 updated, {created} unchanged, {skipped} skipped" in again.stdout


@pytest.mark.shared_data
def test_known_cases_from_khal(tmp_path: Path) -> None:
    folder = shared_folder("ical-khal")
    patron = Patron(str(tmp_path / "khal.sqlite"), CliRunner())
    simple = next(folder.rglob("event_dt_simple.ics"))
    assert "1 not touchpoints" in patron.ok(f"import ics {simple}")  # nobody in it: a diary entry
    assert "1 created" in patron.ok(f"import ics {with_guest(simple, tmp_path)}")
    # A zone with an impossible offset breaks the file for icalendar; read event by event, the
    # event keeps its start (the zone's name is one zoneinfo knows).
    out = patron.ok(f"import ics {with_guest(next(folder.rglob('invalid_tzoffset.ics')), tmp_path)}")
    assert "1 created" in out and "0 skipped" in out
    assert "2012-12-02T08:00:00" in patron.ok("interaction list --json")  # as in Berlin
    broken = next(folder.rglob("non_dst_error.ics"))
    result = patron("import", "ics", str(broken))
    assert f"skipped {broken}: line " in result.stderr
