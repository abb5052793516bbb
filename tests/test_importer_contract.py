"""Every importer passes the same contract (tests/importer_contract.py), each on its own
fixtures under tests/fixtures/<format>/, named by what they exercise."""

from __future__ import annotations

from tests.importer_contract import ImporterContract


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
