"""Acceptance: ``patron import mail`` over real, hostile public mail (../shared/data).

Every folder imports without a crash or a traceback, and the messages stored add up:
each message read is stored, found again (the same message elsewhere), or reported."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from patron.store import schema
from patron.store.database import Store, open_store
from tests.conftest import NOW, Patron, shared_folder

pytestmark = pytest.mark.shared_data

SUMMARY = re.compile(r"(\d+) created, 0 updated, (\d+) unchanged, (\d+) skipped")


def imported(patron: Patron, *paths: Path) -> tuple[int, int, int, str]:
    result = patron("import", "mail", *map(str, paths), "--verbose")
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output and result.exception is None
    found = SUMMARY.search(result.stdout)
    assert found is not None, result.stdout
    created, unchanged, skipped = map(int, found.groups())
    return created, unchanged, skipped, result.stderr


def interactions(patron: Patron) -> int:
    store = open_store(patron.db, create=False)
    with store.read() as conn:
        count = int(conn.execute(select(func.count()).select_from(schema.interaction)).scalar_one())
    store.close()
    return count


@pytest.mark.parametrize(("folder", "at_least"), [
    ("mail-notmuch-corpora", 250),       # Maildir trees, broken MIME, loops, duplicates
    ("mail-parser-fixtures", 16),        # spam with malformed headers
    ("mail-python-stdlib-testdata", 20),  # CPython's parser test cases (many have no Date)
    ("mail-lists-bigbang", 150),         # list archives, "jjl at pobox.com" senders
])
def test_every_mail_folder_imports(patron: Patron, folder: str, at_least: int) -> None:
    path = shared_folder(folder)
    created, _, skipped, stderr = imported(patron, path)
    assert created >= at_least
    assert interactions(patron) == created
    assert skipped == len([line for line in stderr.splitlines() if line.startswith("skipped ")])
    again = imported(patron, path)
    assert again[0] == 0 and interactions(patron) == created


@pytest.mark.parametrize("folder", ["mail-notmuch-corpora", "mail-parser-fixtures"])
def test_hostile_mail_on_each_backend(store: Store, folder: str) -> None:
    """The same hostile files through the service, on SQLite and PostgreSQL (stricter text)."""
    from patron.services import imports
    from patron.services.mail import files_import

    path = shared_folder(folder)
    outcome = imports.run(store, files_import(store, [path], [], NOW))
    assert outcome.created > 10
    again = imports.run(store, files_import(store, [path], [], NOW))
    assert again.created == 0


ENRON_SAMPLE = ("swerzbin-m", "quenet-j", "king-j", "holst-k")


def test_enron_mailboxes_match_the_manifest(patron: Patron) -> None:
    """Whole mailboxes of the Enron corpus: every message of every file is accounted for
    (the CMU copy gives each folder's copy of a message its own Message-ID, so nothing
    collapses here); bench/mail_import.py imports all 42."""
    root = shared_folder("enron-mbox")
    with (root / "MANIFEST.tsv").open() as manifest:
        expected = sum(int(row["messages"]) for row in csv.DictReader(manifest, delimiter="\t")
                       if row["file"].split("/")[0] in ENRON_SAMPLE)
    created, unchanged, skipped, _ = imported(patron, *(root / name for name in ENRON_SAMPLE))
    assert created + unchanged + skipped == expected
    assert skipped == 0
    assert interactions(patron) == created
