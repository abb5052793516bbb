"""Every importer passes the same contract (tests/importer_contract.py)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.importer_contract import ImporterContract


def _task(n: int) -> dict[str, object]:
    return {"uuid": f"00000000-0000-4000-8000-{n:012d}", "description": f"Task {n}",
            "status": "pending", "entry": "20261101T090000Z", "project": "Ledger"}


class TestTaskwarrior(ImporterContract):
    command = "import taskwarrior"
    records = 3

    def write_good(self, folder: Path) -> Path:
        path = folder / "tasks.json"
        path.write_text(json.dumps([_task(n) for n in range(1, 4)]))
        return path

    def write_bad(self, folder: Path) -> tuple[Path, str]:
        path = folder / "tasks.json"
        bad = {**_task(9), "due": "the day after never"}
        path.write_text(json.dumps([_task(1), bad, _task(2)]))
        return path, "record 2"


class TestTodoTxt(ImporterContract):
    command = "import todotxt"
    records = 3

    def write_good(self, folder: Path) -> Path:
        path = folder / "todo.txt"
        path.write_text("(A) 2026-11-01 Send the board pack +Ledger @mail due:2026-12-01\n"
                        "2026-11-02 Call Helen about the audit +Ledger\n"
                        "x 2026-11-10 2026-11-03 Book the venue +Offsite\n")
        return path

    def write_bad(self, folder: Path) -> tuple[Path, str]:
        path = folder / "todo.txt"
        path.write_text("Send the board pack +Ledger\n"
                        "Review the minutes due:2026-13-45\n"
                        "Call Helen +Ledger\n")
        return path, "line 2"


class TestCsvPeople(ImporterContract):
    command = "import csv --table people"
    records = 3

    def write_good(self, folder: Path) -> Path:
        path = folder / "contacts.csv"
        path.write_text("Name,E-mail Address,Company,Job Title\n"
                        "Helen Brandt,helen@meridian.com,Meridian,CFO\n"
                        "Victor Lam,victor@meridian.com,Meridian,COO\n"
                        '"Okafor, Sam",sam@gmail.com,,Consultant\n')
        return path

    def write_bad(self, folder: Path) -> tuple[Path, str]:
        path = folder / "contacts.csv"
        path.write_text("Name,E-mail Address\n"
                        "Helen Brandt,helen@meridian.com\n"
                        "Victor,not-an-address\n"
                        "Victor Lam,victor@meridian.com\n")
        return path, "line 3"


class TestCsvTime(ImporterContract):
    command = "import csv --table time"
    records = 3

    def write_good(self, folder: Path) -> Path:
        path = folder / "harvest.csv"
        path.write_text("Date,Client,Project,Notes,Hours\n"
                        "2026-11-03,Meridian,Ledger,Mapping review,1.5\n"
                        "2026-11-03,Meridian,Ledger,Calls,0.5\n"
                        "2026-11-04,Meridian,Clinic,Planning,2\n")
        return path

    def write_bad(self, folder: Path) -> tuple[Path, str]:
        path = folder / "harvest.csv"
        path.write_text("Date,Project,Notes,Hours\n"
                        "2026-11-03,Ledger,Mapping review,1.5\n"
                        "2026-11-04,Ledger,Calls,lots\n"
                        "2026-11-05,Ledger,Planning,2\n")
        return path, "line 3"


_EVENT = """BEGIN:VEVENT
UID:{uid}
DTSTAMP:20261101T090000Z
DTSTART:{start}
DTEND:20261105T100000Z
SUMMARY:Steering committee {uid}
ORGANIZER:mailto:helen@meridian.com
ATTENDEE:mailto:victor@meridian.com
END:VEVENT
"""


def _calendar(*events: str) -> str:
    return "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//EN\n" + "".join(events) + "END:VCALENDAR\n"


class TestIcs(ImporterContract):
    command = "import ics"
    records = 3

    def write_good(self, folder: Path) -> Path:
        path = folder / "work.ics"
        path.write_text(_calendar(*(_EVENT.format(uid=f"e{n}", start=f"2026110{n}T090000Z")
                                    for n in range(1, 4))))
        return path

    def write_bad(self, folder: Path) -> tuple[Path, str]:
        path = folder / "work.ics"
        path.write_text(_calendar(_EVENT.format(uid="e1", start="20261101T090000Z"),
                                  _EVENT.format(uid="e2", start="not a date"),
                                  _EVENT.format(uid="e3", start="20261103T090000Z")))
        return path, "line 13"  # where the bad event begins


def _card(n: int, *extra: str) -> str:
    lines = [f"FN:Person {n}", f"EMAIL:person{n}@meridian.com", *extra]
    return "BEGIN:VCARD\r\nVERSION:3.0\r\n" + "".join(f"{x}\r\n" for x in lines) + "END:VCARD\r\n"


class TestVcard(ImporterContract):
    command = "import vcard"
    records = 3

    def write_good(self, folder: Path) -> Path:
        book = folder / "contacts"  # a vdirsyncer folder: one card a file
        book.mkdir(exist_ok=True)
        for n in range(1, 4):
            (book / f"person-{n}.vcf").write_text(_card(n, "ORG:Meridian", "TEL:+44 20 7946 000" + str(n)))
        return book

    def write_bad(self, folder: Path) -> tuple[Path, str]:
        path = folder / "contacts.vcf"
        broken = "BEGIN:VCARD\r\nVERSION:3.0\r\nNOTE:no name, no address\r\nEND:VCARD\r\n"
        path.write_text(_card(1) + broken + _card(2))
        return path, "line 6"  # where the bad card begins
