"""What every command shares: the chosen database, the settings, the clock."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from patron import clock
from patron.settings import Settings, data_dir, load

if TYPE_CHECKING:
    from patron.store.database import Store
    from patron.store.reader import SqliteReader


@dataclass
class App:
    db: str | None = None
    config: Path | None = None
    demo: bool = False
    debug: bool = False
    _settings: Settings | None = None
    _stores: dict[bool, Store] = field(default_factory=dict)  # by "may create"

    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load(self.config)
        return self._settings

    def target(self) -> str:
        """The database to use: --demo, else --db / PATRON_DB, else the settings, else the default."""
        if self.demo:
            return str(demo_path())
        if self.db:
            return self.db
        configured = str(self.settings()["database.url"])
        return configured or str(data_dir() / "patron.sqlite")

    def store(self, *, create: bool = True) -> Store:
        """The register, opened once per command; reading commands never create one."""
        if create not in self._stores:
            from patron.store.database import open_store

            store = open_store(self.target(), create=create)
            if store.upgraded_from:
                click.echo(
                    f"patron: upgraded {store.location} from schema {store.upgraded_from}; "
                    f"the copy taken before is at {store.backup}",
                    err=True,
                )
            self._stores[create] = store
        return self._stores[create]

    def fast_reader(self) -> SqliteReader | None:
        """A plain sqlite3 reader when the register is a current SQLite file (see store.reader)."""
        from patron.store.reader import fast_sqlite_reader
        from patron.store.revision import SCHEMA_REVISION

        return fast_sqlite_reader(self.target(), SCHEMA_REVISION)

    def now(self) -> datetime:
        return clock.now()

    def close(self) -> None:
        for store in self._stores.values():
            store.close()


def demo_path() -> Path:
    return data_dir() / "demo.sqlite"


pass_app = click.make_pass_decorator(App)


def stdin_is_terminal() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()
