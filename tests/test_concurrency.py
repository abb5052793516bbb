"""Two writers at once: commands wait their turn behind a long write and succeed, and
processes opening a new database at once make its schema once. Real processes, real
databases: SQLite in a temp folder and, where the suite has one, PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

from sqlalchemy import text

from patron.store.database import open_store

PATRON = [sys.executable, "-c", "import sys; from patron.cli.main import main; "
          "sys.exit(main(prog_name='patron'))"]


def _hold_write_lock(db: str, seconds: float, ready: Path) -> subprocess.Popen[str]:
    """Another process in the middle of a long write transaction (an import's batch)."""
    code = textwrap.dedent(f"""
        import time
        from pathlib import Path
        from sqlalchemy import text
        from patron.store.database import open_store
        store = open_store({db!r})
        with store.begin() as conn:
            conn.execute(text("INSERT INTO organisation (name) VALUES ('Held Ltd')"))
            Path({str(ready)!r}).touch()
            time.sleep({seconds})
        store.close()
    """)
    return subprocess.Popen([sys.executable, "-c", code], text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _wait_for(path: Path, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, "the writer never started"
        time.sleep(0.02)


def _run(db: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*PATRON, "--db", db, *args], text=True, capture_output=True,
                          timeout=120, stdin=subprocess.DEVNULL)


def test_commands_wait_for_a_long_write_and_succeed(db_url: str, tmp_path: Path) -> None:
    open_store(db_url).close()
    ready = tmp_path / "ready"
    holder = _hold_write_lock(db_url, 1.5, ready)
    _wait_for(ready)
    results = [_run(db_url, "ask", "add", f"Ask {n} made while another writes")
               for n in range(3)]
    results.append(_run(db_url, "organisation", "add", "Waiting Ltd"))
    holder.communicate(timeout=60)
    assert holder.returncode == 0
    for result in results:
        assert result.returncode == 0, result.stderr
        assert "locked" not in result.stderr and "Traceback" not in result.stderr
    listed = _run(db_url, "ask", "list", "--json").stdout
    assert all(f"Ask {n} made while another writes" in listed for n in range(3))
    organisations = _run(db_url, "organisation", "list").stdout
    assert "Held Ltd" in organisations and "Waiting Ltd" in organisations


def test_many_writers_interleave_without_failing(db_url: str) -> None:
    assert _run(db_url, "person", "add", "Helen Brandt").returncode == 0
    writers = [subprocess.Popen([*PATRON, "--db", db_url, "met", "Helen", f"Call {n}"], text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                stdin=subprocess.DEVNULL)
               for n in range(6)]
    for writer in writers:
        _, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err
    listed = _run(db_url, "interaction", "list", "--json").stdout
    assert all(f"Call {n}" in listed for n in range(6))


def test_processes_opening_a_new_database_at_once_make_its_schema_once(db_url: str) -> None:
    code = textwrap.dedent(f"""
        from patron.store.database import open_store
        open_store({db_url!r}).close()
    """)
    openers = [subprocess.Popen([sys.executable, "-c", code], text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
               for _ in range(4)]
    for opener in openers:
        _, err = opener.communicate(timeout=120)
        assert opener.returncode == 0, err
    store = open_store(db_url)
    with store.read() as conn:
        assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1
        assert conn.execute(text("SELECT count(*) FROM organisation")).scalar() == 0
    store.close()
