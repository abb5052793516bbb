"""``--json`` on every import: one object with the counts and each skipped record, located
by file and line (or record), and the same counts as the line a person reads."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest

from patron.importers import imap
from tests.conftest import Patron
from tests.test_imap import Server, append, folder, password, server  # noqa: F401 (fixtures)

TASKS = """[
{"uuid": "11111111-1111-1111-1111-111111111111", "description": "Send the plan",
 "status": "pending", "entry": "20261101T090000Z", "project": "Ledger"},
{"uuid": "22222222-2222-2222-2222-222222222222", "description": "Bad due",
 "status": "pending", "entry": "20261101T090000Z", "due": "not a date"}
]"""
TODO = "(A) Call Helen +Ledger\n(A) 2026-13-45 A task with no real date\n"
PEOPLE = "Name,E-mail Address\nHelen Brandt,helen@example.com\nBob,not-an-address\n"
CARDS = ("BEGIN:VCARD\nVERSION:3.0\nFN:Helen Brandt\nEMAIL:helen@example.com\nEND:VCARD\n"
         "BEGIN:VCARD\nVERSION:3.0\nFN:Broken\n")
CALENDAR = ("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:x\n"
            "BEGIN:VEVENT\nUID:a@x\nDTSTART:20261110T100000\nDTEND:20261110T110000\n"
            "SUMMARY:Steering\nATTENDEE:mailto:helen@example.com\nEND:VEVENT\n"
            "BEGIN:VEVENT\nUID:b@x\nSUMMARY:No start\nEND:VEVENT\nEND:VCALENDAR\n")
GOOD_MAIL = ("From: Helen <helen@example.com>\nTo: me@example.com\nSubject: Hi\n"
             "Date: Tue, 10 Nov 2026 10:00:00 +0000\nMessage-ID: <a@x>\n\nHello\n")
UNDATED_MAIL = "From: x@example.com\nSubject: no date\n\nbody\n"


def _files(tmp_path: Path) -> dict[str, Path]:
    made = {"tasks.json": TASKS, "todo.txt": TODO, "people.csv": PEOPLE, "cards.vcf": CARDS,
            "cal.ics": CALENDAR}
    for name, content in made.items():
        (tmp_path / name).write_text(content, encoding="utf-8")
    box = tmp_path / "Maildir"
    for sub in ("cur", "new", "tmp"):
        (box / sub).mkdir(parents=True)
    (box / "cur" / "1:2,S").write_text(GOOD_MAIL)
    (box / "cur" / "2:2,S").write_text(UNDATED_MAIL)
    return {**{name: tmp_path / name for name in made}, "Maildir": box}


CASES = [
    # command, file, (file name in the problem, line, record), reason contains
    ("taskwarrior", "tasks.json", (None, "record 2"), "not a Taskwarrior date"),
    ("todotxt", "todo.txt", (2, None), "not a real date"),
    ("csv --table people", "people.csv", (3, "column 'E-mail Address'"), "not an e-mail address"),
    ("vcard", "cards.vcf", (6, None), "END:VCARD"),
    ("ics", "cal.ics", (11, None), "without a start"),
    ("mail", "Maildir", (None, None), "no readable Date"),
]


@pytest.mark.parametrize(("command", "name", "place", "reason"), CASES,
                         ids=[c[0].split()[0] for c in CASES])
def test_json_outcome_counts_and_locates_the_bad_record(
        patron: Patron, tmp_path: Path, command: str, name: str,
        place: tuple[int | None, str | None], reason: str) -> None:
    path = _files(tmp_path)[name]
    result = patron("import", *command.split(), str(path), "--json")
    assert result.exit_code == 0, result.output
    outcome = json.loads(result.stdout)  # nothing but the JSON on standard output
    assert outcome["created"] == 1
    assert (outcome["updated"], outcome["unchanged"], outcome["skipped"]) == (0, 0, 1)
    assert outcome["dry_run"] is False
    [problem] = outcome["problems"]
    assert Path(problem["file"]).name == Path(name).name or name == "Maildir"
    assert (problem["line"], problem["record"]) == place
    assert reason in problem["reason"]
    assert "skipped" not in result.stderr  # the problems are in the JSON, not repeated


@pytest.mark.parametrize(("command", "name"), [(c[0], c[1]) for c in CASES],
                         ids=[c[0].split()[0] for c in CASES])
def test_the_line_a_person_reads_says_the_same(patron: Patron, tmp_path: Path, command: str,
                                               name: str) -> None:
    path = _files(tmp_path)[name]
    dry = json.loads(patron.ok(f"import {command} {path} --dry-run --json"))
    assert dry["dry_run"] is True
    line = patron.ok(f"import {command} {path} --dry-run")
    assert line.startswith("Would import: ")
    assert f"{dry['created']} created" in line and f"{dry['skipped']} skipped" in line
    again = json.loads(patron.ok(f"import {command} {path} --json"))
    assert again["created"] == dry["created"]  # the dry run changed nothing


def test_a_second_import_counts_everything_unchanged(patron: Patron, tmp_path: Path) -> None:
    path = _files(tmp_path)["todo.txt"]
    patron.ok(f"import todotxt {path} --json")
    again = json.loads(patron.ok(f"import todotxt {path} --json"))
    assert (again["created"], again["unchanged"], again["skipped"]) == (0, 1, 1)


def test_mail_json_keeps_the_mail_counts(patron: Patron, tmp_path: Path) -> None:
    outcome = json.loads(patron.ok(f"import mail {_files(tmp_path)['Maildir']} --json"))
    assert outcome["people_created"] >= 1
    assert "organisations_created" in outcome


@pytest.mark.parametrize(("where", "file", "line", "record"), [
    ("todo.txt: line 4", "todo.txt", 4, None),
    ("people.csv: line 3, column 'Email'", "people.csv", 3, "column 'Email'"),
    ("tasks.json: task 1234-abcd", "tasks.json", None, "task 1234-abcd"),
    ("archive.mbox, message 7 at byte 4096", "archive.mbox", None, "message 7 at byte 4096"),
    ("imap://me@example.com@imap.example.com/INBOX uid 42",
     "imap://me@example.com@imap.example.com/INBOX", None, "uid 42"),
    ("Maildir/cur/17:2,S", "Maildir/cur/17:2,S", None, None),
])
def test_every_importer_s_place_is_located(where: str, file: str, line: int | None,
                                           record: str | None) -> None:
    from patron.importers.base import Problem
    from patron.services.imports import located

    found = located(Problem(where, "why"))
    assert (found["file"], found["line"], found["record"]) == (file, line, record)
    assert found["where"] == where and found["reason"] == "why"


def test_imap_json_locates_a_bad_message_by_its_uid(patron: Patron,
                                                    request: pytest.FixtureRequest) -> None:
    """Against the real test server (scripts/with-dovecot), as every IMAP test."""
    imap_server: Server = request.getfixturevalue("server")
    box: str = request.getfixturevalue("folder")
    request.getfixturevalue("password")
    append(imap_server, box, 1)
    client = imap_server.client()
    assert client.append(imap.quoted(box), None, None,
                         UNDATED_MAIL.replace("\n", "\r\n").encode())[0] == "OK"
    client.logout()
    outcome = json.loads(patron.ok(f"{imap_server.options(box)} --json"))
    assert (outcome["created"], outcome["skipped"]) == (1, 1)
    [problem] = outcome["problems"]
    assert problem["file"].endswith(f"/{box}") and problem["record"] == "uid 2"
    assert "no readable Date" in problem["reason"]


def test_imap_with_nothing_but_bad_mail_fails_in_one_line(patron: Patron,
                                                         request: pytest.FixtureRequest) -> None:
    """Every new message bad: exit code 2 after the JSON. (No new mail at all is no failure:
    an IMAP import goes on where it was; tests/test_imap.py runs it twice.)"""
    imap_server: Server = request.getfixturevalue("server")
    box: str = request.getfixturevalue("folder")
    request.getfixturevalue("password")
    client = imap_server.client()
    assert client.append(imap.quoted(box), None, None,
                         UNDATED_MAIL.replace("\n", "\r\n").encode())[0] == "OK"
    client.logout()
    result = patron(*shlex.split(f"{imap_server.options(box)} --json"))
    assert result.exit_code == 2, result.output
    assert json.loads(result.stdout)["skipped"] == 1
    assert result.stderr.splitlines()[-1] == (
        f"patron: nothing could be imported from imap://{imap_server.user}@{imap_server.host}: "
        "every message in it was bad (1 skipped)")
