"""Importing mail from an IMAP account, picking up where the last run stopped.

Each folder's place (UIDVALIDITY and the last UID stored) is kept in ``import_state``
under ``imap:user@host:port/FOLDER``, looked up before the import and written in the same
transaction as the messages it covers, so an import that is killed goes on from its last
stored batch, and the next run fetches only new mail. The messages go through the mail
import (``services/mail.py``), a transaction per batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from patron.errors import InvalidInput
from patron.importers.imap import FolderPlan, ImapMessage, Position, Session
from patron.services.imports import Import
from patron.services.mail import Parsed, messages_import
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


def imap_import(store: Store, session: Session, folders: Sequence[str], me: Sequence[str],
                now: datetime, *, all_folders: bool = False, bulk_people: bool = False,
                ) -> Import[Parsed]:
    """What is new in the folders since the last run (their places looked up first), to
    fetch and store as interactions, batch by batch, each batch with the folders' new places;
    what each folder holds that is new is told in the reading's notes. No new mail is the
    ordinary case of an import that goes on where it was (``empty_is_fine``); mail sent to
    many makes people only with ``bulk_people``."""
    plans = plan(store, session, folders, all_folders=all_folders)
    saved: dict[str, Position] = {}

    def checkpoint(conn: Connection, batch: Sequence[Parsed]) -> None:
        last = batch[-1][0]
        if isinstance(last, ImapMessage):
            save_positions(conn, last.positions(), now, saved)

    account = session.account
    job = messages_import(session.messages(plans), me, now, source=f"imap://{account.user}@{account.host}",
                          problems=session.problems, checkpoint=checkpoint, bulk_people=bulk_people)
    job.empty_is_fine = True
    job.reading.total = sum(p.count for p in plans)
    job.reading.notes += [f"{p.folder}: {p.count} new" + (" (renumbered by the server: read again)"
                                                          if p.restarted else "") for p in plans]
    return job


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
