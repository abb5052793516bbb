"""Importing mail from an IMAP account, picking up where the last run stopped.

Each folder's place (UIDVALIDITY and the last UID stored) is kept in ``import_state``
under ``imap:user@host:port/FOLDER`` and written in the same transaction as the
messages it covers, so an import that is killed goes on from its last stored batch,
and the next run fetches only new mail.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from patron.errors import InvalidInput
from patron.importers.base import Outcome, Progress, no_progress
from patron.importers.imap import FolderPlan, ImapMessage, Position, Session
from patron.importers.rawmail import RawMessage
from patron.services.mail import import_messages
from patron.store import schema
from patron.store.database import Store

DEFAULT_FOLDER = "INBOX"


def plan(store: Store, session: Session, folders: Sequence[str], *,
         all_folders: bool = False) -> list[FolderPlan]:
    """What is new in each folder (``folders``, every folder, or the inbox) since the last run."""
    if folders and all_folders:
        raise InvalidInput("give either --folder or --all-folders, not both")
    chosen = session.folders(with_bins=False) if all_folders else list(folders or [DEFAULT_FOLDER])
    known = positions(store, [session.account.source(folder) for folder in chosen])
    return [session.plan(folder, known.get(session.account.source(folder))) for folder in chosen]


def import_imap(store: Store, session: Session, plans: Sequence[FolderPlan], me: Sequence[str],
                now: datetime, *, dry_run: bool = False, progress: Progress = no_progress,
                bulk_people: bool = False) -> Outcome:
    """Fetch the planned messages and store them as interactions, batch by batch, each batch
    with the folders' new places; mail sent to many makes people only with ``bulk_people``."""
    saved: dict[str, Position] = {}

    def checkpoint(conn: Connection, last: RawMessage) -> None:
        if isinstance(last, ImapMessage):
            save_positions(conn, last.positions(), now, saved)

    outcome = import_messages(
        store, session.messages(plans), me, now, dry_run=dry_run, progress=progress,
        checkpoint=checkpoint, bulk_people=bulk_people)
    outcome.problems.extend(session.problems)
    return outcome


def positions(store: Store, sources: Sequence[str]) -> dict[str, Position]:
    """The places stored for these folders (none for a folder never read)."""
    if not sources:
        return {}
    t = schema.import_state
    with store.read() as conn:
        rows = conn.execute(select(t.c.source, t.c.state).where(t.c.source.in_(sources)))
        return {source: position for source, state in rows
                if (position := _position(state)) is not None}


def save_positions(conn: Connection, reached: dict[str, Position], now: datetime,
                   saved: dict[str, Position] | None = None) -> None:
    """Store each folder's place; ``saved`` remembers what is already written in this run."""
    t = schema.import_state
    for source, position in reached.items():
        if saved is not None and saved.get(source) == position:
            continue
        state = {"uidvalidity": position.uidvalidity, "last_uid": position.last_uid}
        done = conn.execute(t.update().where(t.c.source == source).values(state=state, updated_at=now))
        if not done.rowcount:
            conn.execute(t.insert().values(source=source, state=state, updated_at=now))
        if saved is not None:
            saved[source] = position


def _position(state: Any) -> Position | None:
    try:
        return Position(int(state["uidvalidity"]), int(state["last_uid"]))
    except (TypeError, KeyError, ValueError):
        return None  # a place Patron cannot read: the folder is read again, safely
