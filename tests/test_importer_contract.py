"""Every importer passes the same contract (tests/importer_contract.py), each on its own
fixtures under tests/fixtures/<format>/, named by what they exercise."""

from __future__ import annotations

import shlex
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from patron.cli.main import main
from patron.importers import imap
from tests.conftest import ImapServer
from tests.importer_contract import NOTHING, ImporterContract


class TestTaskwarrior(ImporterContract):
    command = "import taskwarrior"
    fixtures = "taskwarrior"
    records = 3
    good = "tasks_three_pending_one_project.json"
    one_bad = "tasks_one_bad_date.json"
    bad_at = (None, "record 2")
    every_bad = "tasks_every_due_bad.json"
    empty = "tasks_empty_list.json"


class TestTodoTxt(ImporterContract):
    command = "import todotxt"
    fixtures = "todotxt"
    records = 3
    good = "todo_priority_project_context_done.txt"
    one_bad = "todo_one_impossible_due.txt"
    bad_at = (2, None)
    every_bad = "todo_every_due_impossible.txt"
    empty = "todo_only_blank_lines.txt"


class TestCsvPeople(ImporterContract):
    command = "import csv --table people"
    fixtures = "csv"
    records = 3
    good = "people_google_three_one_no_org.csv"
    one_bad = "people_one_bad_address.csv"
    bad_at = (3, "column 'E-mail Address'")
    every_bad = "people_every_address_bad.csv"
    empty = "people_header_only.csv"
    notes = 1  # the mapping of columns to fields


class TestCsvAsks(ImporterContract):
    command = "import csv --table asks"
    fixtures = "csv"
    records = 3
    good = "asks_three_requesters_two_projects.csv"
    one_bad = "asks_one_due_not_a_date.csv"
    bad_at = (3, "column 'Due'")
    every_bad = "asks_every_due_not_a_date.csv"
    empty = "asks_header_only.csv"
    notes = 1


class TestCsvInteractions(ImporterContract):
    command = "import csv --table interactions"
    fixtures = "csv"
    records = 3
    good = "interactions_three_meetings_and_calls.csv"
    one_bad = "interactions_one_kind_unknown.csv"
    bad_at = (3, "column 'Kind'")
    every_bad = "interactions_every_kind_unknown.csv"
    empty = "interactions_header_only.csv"
    notes = 1


class TestCsvTime(ImporterContract):
    command = "import csv --table time"
    fixtures = "csv"
    records = 3
    good = "time_harvest_three_entries.csv"
    one_bad = "time_one_hours_not_a_number.csv"
    bad_at = (3, "column 'Hours'")
    every_bad = "time_every_hours_not_a_number.csv"
    empty = "time_header_only.csv"
    notes = 1


class TestIcs(ImporterContract):
    command = "import ics"
    fixtures = "ics"
    records = 3
    good = "calendar_three_meetings_with_attendees.ics"
    one_bad = "calendar_one_start_not_a_date.ics"
    bad_at = (13, None)  # where the bad event begins
    every_bad = "calendar_every_start_not_a_date.ics"
    empty = "calendar_no_events.ics"


class TestVcard(ImporterContract):
    command = "import vcard"
    fixtures = "vcard"
    records = 3
    good = "vdir_three_cards_with_org"  # a vdirsyncer folder: one card a file
    one_bad = "cards_one_without_name_or_address.vcf"
    bad_at = (6, None)  # where the bad card begins
    every_bad = "cards_every_one_without_name_or_address.vcf"
    empty = "book_empty.vcf"


class TestMail(ImporterContract):
    command = "import mail"
    fixtures = "mail"
    records = 3
    good = "folder_three_messages_from_one_sender"
    one_bad = "folder_one_message_without_date"
    bad_at = (None, None)  # a message is its own file
    every_bad = "folder_every_message_without_date"
    empty = "maildir_empty"


class TestMbox(ImporterContract):
    command = "import mail"
    fixtures = "mail"
    records = 3
    good = "mbox_three_messages_one_thread.mbox"
    one_bad = "mbox_one_message_without_date.mbox"
    bad_at = (None, "message 2 at byte 182")
    every_bad = "mbox_every_message_without_date.mbox"
    empty = "maildir_empty"  # an empty file is no mbox but "not a mail file"


class TestImap(ImporterContract):
    """Mail over IMAP, against the test server (scripts/with-dovecot). A fixture's messages go
    into a folder of the fixture's name, made afresh for the test when it is first imported
    (so a truncated fixture is what the server gets), and the path given names that folder.
    Where IMAP differs on purpose the test says so: a folder's place is kept, so a second run
    fetches nothing (nothing to count unchanged), and a folder with no new mail is no failure
    (``empty_is_fine``); the source in the one line is the account."""

    command = "import imap"
    fixtures = "mail"
    records = 3
    good = "folder_three_messages_from_one_sender"
    one_bad = "folder_one_message_without_date"
    bad_at = (None, "uid 2")  # message-2.eml, the second appended
    every_bad = "folder_every_message_without_date"
    empty = "maildir_empty"
    notes = 1  # "imap://USER@HOST: FOLDER: N new"

    @pytest.fixture(autouse=True)
    def _on_the_server(self, imap_server: ImapServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
        monkeypatch.setenv("PATRON_IMAP_PASSWORD", imap_server.password)
        self.server = imap_server
        self.folders: dict[Path, str] = {}
        yield
        client = imap_server.client()
        for folder in self.folders.values():
            client.delete(imap.quoted(folder))
        client.logout()

    def run(self, tmp_path: Path, *args: str) -> Result:
        path, *rest = args
        argv = ["--db", str(tmp_path / "register.sqlite"),
                *shlex.split(self.server.options(self._folder(Path(path)))), *rest]
        return CliRunner().invoke(main, argv, catch_exceptions=True)

    def _folder(self, path: Path) -> str:
        """The folder holding the messages under ``path``, made on its first import (a path
        that does not exist names a folder that does not either)."""
        if path in self.folders or not path.exists():
            return self.folders.get(path, path.name)
        client = self.server.client()
        client.delete(imap.quoted(path.name))  # left by an earlier run: made afresh
        assert client.create(imap.quoted(path.name))[0] == "OK"
        self.folders[path] = path.name
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            data = file.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
            if data.strip():  # the server takes no empty message
                client.append(imap.quoted(path.name), None, None, data)
        client.logout()
        return path.name

    def refused(self, tmp_path: Path, path: Path, *args: str) -> str:
        """As for a file, but the one line names the account, not the folder."""
        result = self.run(tmp_path, str(path), *args)
        assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
        assert result.stdout == "", result.stdout
        lines = result.stderr.splitlines()[self.notes:]
        account = f"imap://{self.server.user}@{self.server.host}"
        assert [line for line in lines if line.startswith("patron:")] == lines[-1:], lines
        assert lines[-1].startswith(f"{NOTHING}{account}: "), lines
        assert all(line.startswith("skipped ") and path.name in line for line in lines[:-1]), lines
        return lines[-1]

    def test_importing_twice_changes_nothing(self, tmp_path: Path) -> None:
        path = str(self.fixture(tmp_path, self.good))
        assert self.outcome(tmp_path, path)["created"] == self.records
        again = self.outcome(tmp_path, path)  # the folder's place was kept: nothing fetched
        assert (again["created"], again["updated"], again["unchanged"], again["skipped"]) == (0, 0, 0, 0)

    def test_a_source_with_no_records_fails_in_one_line(self, tmp_path: Path) -> None:
        """No new mail is the ordinary case of an import that goes on where it was."""
        result = self.run(tmp_path, str(self.fixture(tmp_path, self.empty)))
        assert result.exit_code == 0, (result.output, result.exception)
        assert result.stdout.startswith("Imported: 0 created") and "patron:" not in result.stderr

    def test_a_source_with_no_records_still_prints_its_json(self, tmp_path: Path) -> None:
        outcome = self.outcome(tmp_path, str(self.fixture(tmp_path, self.empty)))
        assert (outcome["created"], outcome["updated"], outcome["unchanged"],
                outcome["skipped"]) == (0, 0, 0, 0)
