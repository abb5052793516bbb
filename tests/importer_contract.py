"""The suite every importer passes, run through the command a user types.

An importer's own test is a short subclass naming its command and writing its
fixtures: a good file, and a file where one record among good ones is bad.
The suite checks that the good file is imported, that importing it twice
changes nothing, that a dry run changes nothing, that the bad record is
reported with its location while the others go in, that a truncated file never
crashes, and that a missing file is one clean line.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import ClassVar

import pytest
from click.testing import CliRunner, Result

from patron.cli.main import main

SUMMARY = re.compile(r"(\d+) created, (?:(\d+) matched, )?(\d+) updated, (\d+) unchanged, (\d+) skipped")


class ImporterContract:
    """Subclass with ``command`` ("import ics") and the two fixture writers."""

    command: ClassVar[str]
    records: ClassVar[int]
    """How many records the good fixture holds (what the first import creates)."""

    def write_good(self, folder: Path) -> Path:
        raise NotImplementedError

    def write_bad(self, folder: Path) -> tuple[Path, str]:
        """A file with one bad record among good ones, and text its report must contain
        (the line or the record's key)."""
        raise NotImplementedError

    # -- the suite ------------------------------------------------------------------

    def run(self, tmp_path: Path, *args: str) -> Result:
        argv = ["--db", str(tmp_path / "register.sqlite"), *shlex.split(self.command), *args]
        return CliRunner().invoke(main, argv, catch_exceptions=True)

    def summary(self, result: Result) -> tuple[int, int, int, int]:
        assert result.exit_code == 0, (result.exit_code, result.output, result.exception)
        found = SUMMARY.search(result.stdout)
        assert found, result.stdout
        created, _, updated, unchanged, skipped = (int(g or 0) for g in found.groups())
        return created, updated, unchanged, skipped

    def test_the_good_file_is_imported(self, tmp_path: Path) -> None:
        created, updated, _, skipped = self.summary(self.run(tmp_path, str(self.write_good(tmp_path))))
        assert (created, updated, skipped) == (self.records, 0, 0)

    def test_importing_twice_changes_nothing(self, tmp_path: Path) -> None:
        path = str(self.write_good(tmp_path))
        self.summary(self.run(tmp_path, path))
        created, updated, unchanged, skipped = self.summary(self.run(tmp_path, path))
        assert (created, updated, skipped) == (0, 0, 0)
        assert unchanged == self.records

    def test_a_dry_run_changes_nothing(self, tmp_path: Path) -> None:
        path = str(self.write_good(tmp_path))
        result = self.run(tmp_path, path, "--dry-run")
        assert "Would import" in result.stdout
        assert self.summary(result)[0] == self.records
        assert self.summary(self.run(tmp_path, path))[0] == self.records

    def test_a_bad_record_is_reported_where_it_is_and_the_rest_goes_in(self, tmp_path: Path) -> None:
        path, where = self.write_bad(tmp_path)
        result = self.run(tmp_path, str(path))
        created, _, _, skipped = self.summary(result)
        assert created >= 1 and skipped >= 1
        reports = [line for line in result.stderr.splitlines() if line.startswith("skipped")]
        assert reports and path.name in reports[0] and where in result.stderr, result.stderr
        assert "Traceback" not in result.output

    @pytest.mark.parametrize("share", [0.1, 0.5, 0.9])
    def test_a_truncated_file_never_crashes(self, tmp_path: Path, share: float) -> None:
        good = self.write_good(tmp_path)
        files = sorted(p for p in good.rglob("*") if p.is_file()) if good.is_dir() else [good]
        for file in files:
            data = file.read_bytes()
            file.write_bytes(data[: int(len(data) * share)])
        result = self.run(tmp_path, str(good))
        assert result.exit_code in (0, 2), (result.exit_code, result.output, result.exception)
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert "Traceback" not in result.output

    def test_a_missing_file_is_one_clean_line(self, tmp_path: Path) -> None:
        result = self.run(tmp_path, str(tmp_path / "nowhere" / "missing.file"))
        assert result.exit_code != 0
        assert isinstance(result.exception, SystemExit)
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
