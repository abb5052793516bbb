"""Acceptance: real mail (a few small Enron mboxes from ../shared/data) imported,
exported, restored into a new database and exported again gives the same bytes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Patron, shared_folder

pytestmark = pytest.mark.shared_data

SMALL = ["allen-p/inbox.mbox", "allen-p/straw.mbox", "arnold-j/bmc.mbox", "arnold-j/avaya.mbox",
         "arnold-j/_sent_mail.mbox"]
"""About 900 messages (MANIFEST.tsv): mail to and from one owner, so asks are suggested."""


def test_enron_mail_survives_export_restore_export(patron: Patron, tmp_path: Path) -> None:
    root = shared_folder("enron-mbox")
    files = [str(root / name) for name in SMALL]
    patron.ok(f"import mail {' '.join(files)} --owner john.arnold@enron.com")
    patron.ok(f"export -o {tmp_path / 'a.json'}")
    restored = Patron(str(tmp_path / "restored.sqlite"), patron.runner)
    said = restored.ok(f"restore {tmp_path / 'a.json'}")
    assert "interaction" in said and "import_state" in said and "suggestion" in said
    restored.ok(f"export -o {tmp_path / 'b.json'}")
    assert (tmp_path / "b.json").read_bytes() == (tmp_path / "a.json").read_bytes()
