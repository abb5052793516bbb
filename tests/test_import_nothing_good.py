"""An import that brought nothing good in says so in one line and exits 2, whatever the format:
a source with no records at all, or whose every record was bad. Records already there,
events that are no touchpoint and bulk mail are good input (exit 0)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Patron

FIXTURES = Path(__file__).parent / "fixtures"
JO = "jbanks@banks-consulting.example"


@pytest.fixture
def jo(patron: Patron, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Patron:
    """The CLI of a user whose address is set (me.emails)."""
    config = tmp_path / "config.toml"
    config.write_text(f'[me]\nemails = ["{JO}"]\n')
    monkeypatch.setenv("PATRON_CONFIG", str(config))
    monkeypatch.setenv("TZ", "Europe/Berlin")
    return patron


def _empty_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "calendars"
    folder.mkdir()
    (folder / "notes.txt").write_text("no calendar here\n")
    return folder


EMPTY = [
    # command, the source (a fixture, or made in the test's folder), what it holds no
    ("taskwarrior", FIXTURES / "taskwarrior" / "tasks_empty_list.json", "tasks"),
    ("taskwarrior", "empty.json", "tasks"),
    ("todotxt", FIXTURES / "todotxt" / "todo_only_blank_lines.txt", "tasks"),
    ("ics", FIXTURES / "ics" / "calendar_no_events.ics", "events"),
    ("ics", "calendars", "events"),
    ("vcard", FIXTURES / "vcard" / "book_empty.vcf", "cards"),
    ("mail", FIXTURES / "mail" / "maildir_empty", "messages"),
]


def _source(tmp_path: Path, source: Path | str) -> Path:
    if isinstance(source, Path):
        return source
    if source == "calendars":
        return _empty_folder(tmp_path)
    (tmp_path / source).write_text("")
    return tmp_path / source


@pytest.mark.parametrize(("command", "source", "what"), EMPTY,
                         ids=[f"{c}-{Path(s).name}" for c, s, _ in EMPTY])
@pytest.mark.parametrize("dry_run", [False, True], ids=["import", "dry-run"])
def test_a_source_with_no_records_is_one_line_and_exit_code_2(
        patron: Patron, tmp_path: Path, command: str, source: Path | str, what: str,
        dry_run: bool) -> None:
    path = _source(tmp_path, source)
    result = patron("import", command, str(path), *(["--dry-run"] if dry_run else []))
    assert result.exit_code == 2, result.output
    assert result.stderr == f"patron: nothing could be imported from {path}: it holds no {what}\n"
    assert result.stdout == ""  # no "Imported: 0 created, ..." that reads like success


def test_a_spreadsheet_with_only_its_header_names_its_mapping_then_fails(patron: Patron) -> None:
    path = FIXTURES / "csv" / "people_header_only.csv"
    result = patron("import", "csv", "--table", "people", str(path))
    assert result.exit_code == 2
    mapping, refused = result.stderr.splitlines()
    assert mapping.startswith(f"{path}: ") and "email" in mapping
    assert refused == f"patron: nothing could be imported from {path}: it holds no rows"


def test_an_empty_spreadsheet_file_is_one_line(patron: Patron, tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("")
    err = patron.fails(f"import csv --table people {path}", 2)
    assert err == f"patron: {path}: an empty file, with no header line\n"


@pytest.mark.parametrize(("text", "kind"), [('"task export"\n', "a string"), ("42", "a number"),
                                            ("null", "null"), ("true", "true")])
def test_a_taskwarrior_document_that_is_no_list_is_one_line(patron: Patron, tmp_path: Path,
                                                            text: str, kind: str) -> None:
    path = tmp_path / "tasks.json"
    path.write_text(text)
    result = patron("import", "taskwarrior", str(path), "--json")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == (f"patron: {path}: not Taskwarrior JSON: {kind}, where 'task export' "
                             "writes a list of tasks\n")


def test_the_fixture_that_is_no_list_fails_the_same(patron: Patron) -> None:
    path = FIXTURES / "taskwarrior" / "tasks_not_a_list.json"
    assert f"patron: {path}: not Taskwarrior JSON: a string" in patron.fails(
        f"import taskwarrior {path}", 2)


def test_one_task_object_spread_over_lines_is_read(patron: Patron) -> None:
    path = FIXTURES / "taskwarrior" / "task_one_object_over_lines.json"
    assert "1 created" in patron.ok(f"import taskwarrior {path}")
    [ask] = json.loads(patron.ok("ask list --json"))
    assert ask["title"] == "Send the board pack"


def test_every_record_bad_lists_them_then_fails(patron: Patron) -> None:
    path = FIXTURES / "taskwarrior" / "tasks_every_due_bad.json"
    result = patron("import", "taskwarrior", str(path))
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.splitlines() == [
        f"skipped {path}: record 1: 'soon' is not a Taskwarrior date",
        f"skipped {path}: record 2: 'the day after never' is not a "
        "Taskwarrior date",
        f"patron: nothing could be imported from {path}: every task in it was bad (2 skipped)",
    ]
    assert json.loads(patron.ok("ask list --json")) == []


def test_every_record_bad_with_json_prints_the_outcome_then_fails(patron: Patron) -> None:
    path = FIXTURES / "ics" / "calendar_every_start_not_a_date.ics"
    result = patron("import", "ics", str(path), "--json")
    assert result.exit_code == 2
    outcome = json.loads(result.stdout)
    assert (outcome["created"], outcome["skipped"]) == (0, 2)
    assert [p["line"] for p in outcome["problems"]] == [4, 13]
    assert result.stderr == (f"patron: nothing could be imported from {path}: every event in it "
                             "was bad (2 skipped)\n")


def test_everything_already_there_is_success(patron: Patron) -> None:
    path = FIXTURES / "vcard" / "card_two_emails_no_org.vcf"
    assert "1 created" in patron.ok(f"import vcard {path}")
    result = patron("import", "vcard", str(path))
    assert result.exit_code == 0 and result.stderr == ""
    assert "0 created, 0 updated, 1 unchanged, 0 skipped" in result.stdout
    [sam] = json.loads(patron.ok("person list --json"))
    assert sorted(sam["emails"]) == ["sam.okafor@gmail.com", "sam@okafor.example"]


@pytest.mark.parametrize(("command", "path", "said"), [
    ("ics", FIXTURES / "ics" / "alone_focus_time.ics", "2 not touchpoints"),
    ("ics", FIXTURES / "ics" / "invitation_declined_by_me.ics", "0 created, 0 updated"),
    ("mail", FIXTURES / "mail" / "newsletter_list_unsubscribe.eml", "1 bulk or list"),
], ids=["no-touchpoints", "declined", "bulk-mail"])
def test_records_counted_but_not_stored_are_good_input(jo: Patron, command: str, path: Path,
                                                       said: str) -> None:
    result = jo("import", command, str(path))
    assert result.exit_code == 0, result.output
    assert said in result.stdout and "nothing could be imported" not in result.stderr
