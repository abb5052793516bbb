"""The suite every importer passes, run through the command a user types.

An importer's own test is a short subclass naming its command and its fixtures,
files (or folders) under ``tests/fixtures/<format>/`` named by what they
exercise (tests/fixtures/README.md): a good source, one where a bad record sits
among good ones, one where every record is bad, and one that holds no records.
The suite checks that the good source is imported, that importing it twice
changes nothing, that a dry run changes nothing, that the bad record is
reported with its location while the others go in, that a source with nothing
good in it (no records, or only bad ones) fails in one line, that a truncated
file never crashes, and that a missing file is one clean line.

It reads the outcome ``--json`` prints (created, updated, unchanged, skipped and
each problem's file, line or record, and reason), not the line a person reads.
"""

from __future__ import annotations

import json
import shlex
import shutil
from pathlib import Path
from typing import Any, ClassVar

import pytest
from click.testing import CliRunner, Result

from patron.cli.main import main

FIXTURES = Path(__file__).parent / "fixtures"
NOTHING = "patron: nothing could be imported from "


class ImporterContract:
    """Subclass with ``command`` ("import ics"), ``fixtures`` (the folder under
    tests/fixtures) and the names of the four fixtures in it."""

    command: ClassVar[str]
    fixtures: ClassVar[str]
    records: ClassVar[int]
    """How many records the good fixture holds (what the first import creates)."""
    good: ClassVar[str]
    one_bad: ClassVar[str]
    """Good records and one bad one, found at ``bad_at``."""
    bad_at: ClassVar[tuple[int | None, str | None]]
    """Where the bad record is reported: its line and its record (``(None, "record 2")``)."""
    every_bad: ClassVar[str]
    empty: ClassVar[str]
    notes: ClassVar[int] = 0
    """Lines the command writes on standard error before its outcome (csv: the mapping)."""

    # -- helpers --------------------------------------------------------------------

    def fixture(self, tmp_path: Path, name: str) -> Path:
        """A copy of the named fixture (a file or a folder) in the test's own folder."""
        source, copy = FIXTURES / self.fixtures / name, tmp_path / "in" / name
        copy.parent.mkdir(exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, copy)
        else:
            shutil.copy2(source, copy)
        return copy

    def run(self, tmp_path: Path, *args: str) -> Result:
        argv = ["--db", str(tmp_path / "register.sqlite"), *shlex.split(self.command), *args]
        return CliRunner().invoke(main, argv, catch_exceptions=True)

    def outcome(self, tmp_path: Path, *args: str, exit_code: int = 0) -> dict[str, Any]:
        """The import's outcome as --json prints it, after checking its exit code."""
        result = self.run(tmp_path, *args, "--json")
        assert result.exit_code == exit_code, (result.exit_code, result.output, result.exception)
        assert "Traceback" not in result.output
        found: dict[str, Any] = json.loads(result.stdout)  # nothing but the JSON on stdout
        assert found["skipped"] == len(found["problems"])
        return found

    def refused(self, tmp_path: Path, path: Path, *args: str) -> str:
        """Run an import that must bring nothing good in: exit code 2, no summary line, and
        one line saying so (after the skipped records); that line is returned."""
        result = self.run(tmp_path, str(path), *args)
        assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
        assert isinstance(result.exception, SystemExit)
        assert result.stdout == "", result.stdout  # no "Imported: 0 created, ..."
        lines = result.stderr.splitlines()[self.notes:]
        assert [line for line in lines if line.startswith("patron:")] == lines[-1:], lines
        assert lines[-1].startswith(f"{NOTHING}{path}: "), lines
        assert all(line.startswith("skipped ") for line in lines[:-1]), lines
        return lines[-1]

    # -- the suite ------------------------------------------------------------------

    def test_the_good_file_is_imported(self, tmp_path: Path) -> None:
        outcome = self.outcome(tmp_path, str(self.fixture(tmp_path, self.good)))
        assert (outcome["created"], outcome["updated"], outcome["skipped"]) == (self.records, 0, 0)
        assert outcome["dry_run"] is False

    def test_importing_twice_changes_nothing(self, tmp_path: Path) -> None:
        path = str(self.fixture(tmp_path, self.good))
        self.outcome(tmp_path, path)
        again = self.outcome(tmp_path, path)
        assert (again["created"], again["updated"], again["skipped"]) == (0, 0, 0)
        assert again["unchanged"] == self.records

    def test_a_dry_run_changes_nothing(self, tmp_path: Path) -> None:
        path = str(self.fixture(tmp_path, self.good))
        dry = self.outcome(tmp_path, path, "--dry-run")
        assert dry["dry_run"] is True and dry["created"] == self.records
        assert self.outcome(tmp_path, path)["created"] == self.records

    def test_a_bad_record_is_reported_where_it_is_and_the_rest_goes_in(self, tmp_path: Path) -> None:
        path = self.fixture(tmp_path, self.one_bad)
        outcome = self.outcome(tmp_path, str(path))  # one good record is enough: exit code 0
        assert outcome["created"] >= 1 and outcome["skipped"] == 1
        [problem] = outcome["problems"]
        assert path.name in Path(problem["file"]).parts, problem
        assert (problem["line"], problem["record"]) == self.bad_at, problem
        assert problem["reason"], problem

    def test_a_bad_record_is_one_line_on_standard_error(self, tmp_path: Path) -> None:
        path = self.fixture(tmp_path, self.one_bad)
        result = self.run(tmp_path, str(path))
        assert result.exit_code == 0, (result.output, result.exception)
        reports = [line for line in result.stderr.splitlines() if line.startswith("skipped")]
        assert len(reports) == 1 and path.name in reports[0], result.stderr
        assert "1 skipped" in result.stdout and "patron:" not in result.stderr

    def test_a_source_with_no_records_fails_in_one_line(self, tmp_path: Path) -> None:
        path = self.fixture(tmp_path, self.empty)
        assert ": it holds no " in self.refused(tmp_path, path)  # "...: it holds no tasks"

    def test_a_source_with_no_records_still_prints_its_json(self, tmp_path: Path) -> None:
        path = self.fixture(tmp_path, self.empty)
        outcome = self.outcome(tmp_path, str(path), exit_code=2)
        assert (outcome["created"], outcome["updated"], outcome["unchanged"],
                outcome["skipped"]) == (0, 0, 0, 0)

    def test_a_source_whose_every_record_is_bad_fails(self, tmp_path: Path) -> None:
        path = self.fixture(tmp_path, self.every_bad)
        outcome = self.outcome(tmp_path, str(path), "--dry-run", exit_code=2)
        assert outcome["created"] == 0 and outcome["skipped"] >= 1
        assert all(path.name in Path(p["file"]).parts for p in outcome["problems"])
        line = self.refused(tmp_path, path)
        assert line.endswith(f"in it was bad ({outcome['skipped']} skipped)"), line

    @pytest.mark.parametrize("share", [0.1, 0.5, 0.9])
    def test_a_truncated_file_never_crashes(self, tmp_path: Path, share: float) -> None:
        good = self.fixture(tmp_path, self.good)
        files = sorted(p for p in good.rglob("*") if p.is_file()) if good.is_dir() else [good]
        for file in files:
            data = file.read_bytes()
            file.write_bytes(data[: int(len(data) * share)])
        result = self.run(tmp_path, str(good))
        assert result.exit_code in (0, 2), (result.exit_code, result.output, result.exception)
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert "Traceback" not in result.output
        if result.exit_code:
            assert result.stderr.splitlines()[-1].startswith("patron: "), result.stderr

    def test_a_missing_file_is_one_clean_line(self, tmp_path: Path) -> None:
        result = self.run(tmp_path, str(tmp_path / "nowhere" / "missing.file"))
        assert result.exit_code != 0
        assert isinstance(result.exception, SystemExit)
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
