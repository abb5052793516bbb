"""A message as a mail source hands it over: where it was found, and its bytes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RawMessage:
    """One message's bytes, and where it came from for messages about it
    ("inbox.mbox, message 12 at byte 40960", "imap://me@host/INBOX uid 7")."""

    where: str
    data: bytes
