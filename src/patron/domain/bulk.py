"""Mail sent to many: lists, newsletters, notifications, automatic replies.

Such mail is kept (it is part of the record and of search), but its senders and
recipients are not people you deal with and its sentences ask nothing of you. A
message is bulk when its headers say so (RFC 2369 list headers, RFC 3834
Auto-Submitted, the old ``Precedence``) or when it comes from an address nobody
answers. The whole list is here, so the importers and the docs read one place.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

LIST_HEADERS = ("list-id", "list-unsubscribe")
"""Headers a mailing list or a newsletter service adds; their presence is enough."""
PRECEDENCE = frozenset({"bulk", "list", "junk"})
"""Values of ``Precedence`` that mark mail sent to many."""
HEADERS = (*LIST_HEADERS, "precedence", "auto-submitted")
"""Every header the rule reads (the mail parser keeps these)."""
AUTOMATED_SENDERS = frozenset({
    "noreply", "donotreply", "mailerdaemon", "postmaster", "notification", "notifications",
    "newsletter", "newsletters", "bounce", "bounces", "mailer",
})
"""Local parts of addresses nobody answers, without dots, dashes and underscores
("no-reply", "do_not_reply", "mailer-daemon" are "noreply", "donotreply", "mailerdaemon")."""

_PUNCTUATION = re.compile(r"[._-]+")


def is_bulk(headers: Mapping[str, Sequence[str]], sender: str | None) -> bool:
    """Whether a message was sent to many rather than written to you. ``headers``: raw
    values by lower-case name; ``sender``: the From address in its normal form."""
    if any(headers.get(name) for name in LIST_HEADERS):
        return True
    if any(_first_word(v) in PRECEDENCE for v in headers.get("precedence", ())):
        return True
    if any(_first_word(v) not in ("", "no") for v in headers.get("auto-submitted", ())):
        return True
    return sender is not None and is_automated(sender)


def is_automated(address: str) -> bool:
    """Whether an address is one nobody answers ("no-reply@", "notifications+x@")."""
    local = address.split("@", 1)[0].split("+", 1)[0].lower()
    return _PUNCTUATION.sub("", local) in AUTOMATED_SENDERS


def _first_word(value: str) -> str:
    """A header's value up to its first blank or ';' ("auto-generated; reason"), lower case."""
    words = str(value).replace(";", " ").split()
    return words[0].lower() if words else ""
